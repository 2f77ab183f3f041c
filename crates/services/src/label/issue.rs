//! Issuing the label on a grant (a new number, or the renewed one extended).

use crate::domain::label::LabelStatus;

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::labels::{self as queries, ApplicationRow, LabelRecord};
use crate::db::{DbConnection, counters};
use crate::domain::label::{renewed_through_on, valid_through};
use crate::error::AppError;
use crate::infra::Infra;

use super::renewal::require_may_apply;
use super::*;

/// Issues a new label (initial) valid two years to the day from today, or extends the renewed
/// one by two years from the day after its old end (never more than two years ahead of
/// today); returns the label number. A renewal whose
/// label is no longer valid (it expired while the file was with the provider, or past the
/// grace period) gets a new number: an expired number never comes back.
pub(super) fn issue_label(
    conn: &mut DbConnection,
    state: &Infra,
    row: &ApplicationRow,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<String, AppError> {
    let out_of_range = || AppError::Internal("date out of range".into());
    let renewed = match &row.label_number {
        Some(number) => queries::label(conn, number)?
            .filter(|label| label.summary().as_of(today).status == LabelStatus::Valid),
        None => None,
    };
    let number = if let Some(label) = renewed {
        let number = label.number.clone();
        let valid_until = renewed_through_on(label.valid_until, today).ok_or_else(out_of_range)?;
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
        let current = require_may_apply(conn, state, &row.provider_id, today)?;
        if let Some(label) =
            current.filter(|l| l.summary().as_of(today).status == LabelStatus::Valid)
        {
            return Err(AppError::Conflict(format!(
                "L'organisation détient déjà le label {}, valide : un seul label à la fois.",
                label.number
            )));
        }
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
                valid_until: valid_through(today).ok_or_else(out_of_range)?,
                created_at: now,
                suspension_cause: None,
                renewal_until: None,
                withdrawn_at: None,
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
