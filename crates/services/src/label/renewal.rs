//! The rules around a label's renewal and a provider's next application: one label per provider
//! at a time; a renewal holds its label valid only while staff or the auditor examine it, and
//! for a bounded time; a renewal that reaches staff after the end date is an initial application.

use chrono::{Days, NaiveDate};

use crate::db::labels::{self as queries, ApplicationRow, LabelRecord};
use crate::db::{DbConnection, counters};
use crate::domain::label::{LabelStatus, renewal_opens};
use crate::domain::label_application::ApplicationKind;
use crate::error::AppError;
use crate::french::day_fr;
use crate::infra::Infra;

/// Refuses a new application (or a new number) while the provider's label is suspended, or
/// within `EXPERTCYBER_REAPPLY_DAYS` of its withdrawal; returns the provider's current label.
pub(super) fn require_may_apply(
    conn: &mut DbConnection,
    state: &Infra,
    provider_id: &str,
    today: NaiveDate,
) -> Result<Option<LabelRecord>, AppError> {
    let current = queries::current_label_of(conn, provider_id)?;
    if let Some(label) = &current {
        match label.status {
            LabelStatus::Suspended => {
                return Err(AppError::Conflict(format!(
                    "Le label {} est suspendu : aucune demande de label n'est possible tant que la suspension n'est pas levée.",
                    label.number
                )));
            }
            LabelStatus::Withdrawn => {
                let wait = Days::new(u64::from(state.config.reapply_days));
                if let Some(from) = label
                    .withdrawn_at
                    .and_then(|at| crate::french::paris_date(at).checked_add_days(wait))
                    && today < from
                {
                    return Err(AppError::Conflict(format!(
                        "Le label {} a été retiré : une nouvelle demande sera possible à partir du {}.",
                        label.number,
                        day_fr(from)
                    )));
                }
            }
            LabelStatus::Valid | LabelStatus::Expired => {}
        }
    }
    Ok(current)
}

/// A renewal reaches staff (submitted, or its corrections sent): while its label is still
/// within its dates it holds it valid, at most `EXPERTCYBER_RENEWAL_GRACE_DAYS` past the end
/// date. A label already past its end date is not renewed: the application becomes an initial
/// one, for a new number.
pub(super) fn on_submission(
    conn: &mut DbConnection,
    state: &Infra,
    row: &mut ApplicationRow,
    today: NaiveDate,
) -> Result<(), AppError> {
    let current = require_may_apply(conn, state, &row.provider_id, today)?;
    let (ApplicationKind::Renewal, Some(number)) = (row.kind, row.label_number.clone()) else {
        return Ok(());
    };
    let renewed = queries::label(conn, &number)?;
    match renewed {
        Some(label) if label.status == LabelStatus::Valid && today <= label.valid_until => {
            let window = state.config.renewal_window_months;
            if let Some(opens) = renewal_opens(label.valid_until, window)
                && today < opens
            {
                return Err(AppError::Conflict(format!(
                    "Le renouvellement du label {number} pourra être demandé à partir du {} ({window} mois avant sa fin, le {}).",
                    day_fr(opens),
                    day_fr(label.valid_until)
                )));
            }
            let grace = Days::new(u64::from(state.config.renewal_grace_days));
            queries::hold_for_renewal(conn, &number, label.valid_until.checked_add_days(grace))?;
            // The directory shows validity: its snapshot is rebuilt.
            counters::bump(conn, counters::DIRECTORY)?;
        }
        _ => {
            if current.is_some_and(|c| c.number != number && c.status == LabelStatus::Valid) {
                return Err(AppError::Conflict(
                    "L'organisation détient déjà un autre label valide.".into(),
                ));
            }
            row.kind = ApplicationKind::Initial;
            row.label_number = None;
        }
    }
    Ok(())
}

/// The renewal no longer holds its label past the end date: the file went back to the provider,
/// or the application ended.
pub(super) fn release_renewal(
    conn: &mut DbConnection,
    row: &ApplicationRow,
) -> Result<(), AppError> {
    if row.kind == ApplicationKind::Renewal
        && let Some(number) = &row.label_number
    {
        queries::hold_for_renewal(conn, number, None)?;
        counters::bump(conn, counters::DIRECTORY)?;
    }
    Ok(())
}
