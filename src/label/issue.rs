//! Issuing the label on a grant (a new number, or the renewed one extended).

use crate::domain::label::LabelStatus;

use chrono::{Months, NaiveDate, NaiveDateTime};

use crate::db::labels::{self as queries, ApplicationRow, LabelRecord};
use crate::db::{DbConnection, counters};
use crate::domain::label_application::ApplicationKind;
use crate::error::AppError;

use super::*;

/// Issues a new label (initial) or extends the renewed one by two years from its old expiry;
/// returns the label number.
pub(super) fn issue_label(
    conn: &mut DbConnection,
    row: &ApplicationRow,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<String, AppError> {
    let extended = |from: NaiveDate| {
        from.checked_add_months(Months::new(VALIDITY_MONTHS))
            .ok_or_else(|| AppError::Internal("date out of range".into()))
    };
    let number = if let Some(number) = row.label_number.clone() {
        let label = queries::label(conn, &number)?
            .ok_or_else(|| AppError::Internal(format!("renewed label {number} is missing")))?;
        let valid_until = extended(label.valid_until)?;
        if !queries::extend_label(conn, &number, valid_until)? {
            return Err(AppError::Conflict(format!(
                "Le label {number} est {} : il ne peut pas être renouvelé.",
                label.status.label()
            )));
        }
        audit::record(
            conn,
            now,
            Event::label(&number, "renew", Some(label.status), LabelStatus::Valid),
        )?;
        number
    } else {
        let year = chrono::Datelike::year(&today);
        let sequence = queries::next_label_sequence(conn, year)?;
        let number = format!("EC-{year:04}-{sequence:04}");
        queries::insert_label(
            conn,
            &LabelRecord {
                number: number.clone(),
                provider_id: row.provider_id.clone(),
                status: LabelStatus::Valid,
                valid_from: today,
                valid_until: extended(today)?,
                created_at: now,
                suspension_cause: None,
                renewal_pending: false,
            },
        )?;
        audit::record(
            conn,
            now,
            Event::label(&number, "grant", None, LabelStatus::Valid),
        )?;
        number
    };
    counters::bump(conn, counters::DIRECTORY)?;
    Ok(number)
}

/// A refused or withdrawn renewal no longer holds the label past its expiry.
pub(super) fn release_renewal(
    conn: &mut DbConnection,
    row: &ApplicationRow,
) -> Result<(), AppError> {
    if row.kind == ApplicationKind::Renewal
        && let Some(number) = &row.label_number
    {
        queries::set_renewal_pending(conn, number, false)?;
        counters::bump(conn, counters::DIRECTORY)?;
    }
    Ok(())
}
