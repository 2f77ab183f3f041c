//! The outbox as staff see it: messages by delivery status, and sending a failed one again.
//! Shared by the API and the staff pages.

use chrono::Duration;

use super::GIVE_UP_AFTER_HOURS;
use crate::db::outbox;
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::infra::Infra;

pub use crate::db::outbox::{OutboxRow, OutboxStatus};

/// Like [`list`], for a status as the client named it (`failed` when none): an unknown name is
/// a field error, checked after the caller's role.
pub fn list_named(
    state: &Infra,
    staff: &Actor,
    status: Option<&str>,
    page: i64,
    limit: i64,
) -> Result<(i64, Vec<OutboxRow>), AppError> {
    staff.require_staff()?;
    let status = match status {
        None => OutboxStatus::Failed,
        Some(name) => OutboxStatus::parse(name).ok_or_else(|| {
            AppError::field("status", "Statut inconnu : failed, pending ou sent.")
        })?,
    };
    list(state, staff, status, page, limit)
}

/// One page of the messages in `status` (`failed`, `pending` or `sent`), newest first (staff).
pub fn list(
    state: &Infra,
    staff: &Actor,
    status: OutboxStatus,
    page: i64,
    limit: i64,
) -> Result<(i64, Vec<OutboxRow>), AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    let offset = (page.max(1) - 1).saturating_mul(limit);
    Ok(outbox::list_by_status(&mut conn, status, limit, offset)?)
}

/// Puts a failed message back in the queue, with a new delivery window (staff). A message that
/// is no longer failed (sent again by someone else meanwhile) is a conflict, not a second send.
pub fn retry(state: &Infra, staff: &Actor, id: &str) -> Result<OutboxRow, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    let now = state.clock.now_naive();
    let requeued = outbox::requeue_failed(
        &mut conn,
        id,
        now,
        now + Duration::hours(GIVE_UP_AFTER_HOURS),
    )?;
    let found = outbox::find(&mut conn, id)?;
    match (requeued, found) {
        (true, Some(row)) => Ok(row),
        (_, None) => Err(AppError::not_found("Courriel introuvable.")),
        (false, Some(_)) => Err(AppError::Conflict(
            "Ce courriel n'est plus en échec : il a déjà été renvoyé.".into(),
        )),
    }
}
