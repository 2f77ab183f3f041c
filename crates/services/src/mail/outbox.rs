//! The outbox as staff see it: messages by delivery status, and sending a failed one again.
//! Shared by the API and the staff pages.

use chrono::Duration;

use super::GIVE_UP_AFTER_HOURS;
use crate::db::outbox;
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::infra::Infra;

pub use crate::db::outbox::{OutboxOrder, OutboxRow, OutboxStatus};

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
    let newest = (OutboxOrder::Created, true);
    list_searched(state, staff, status, "", newest, page, limit)
}

/// One page of the messages in `status` whose address or subject holds `search`, in `order`
/// (staff).
pub fn list_searched(
    state: &Infra,
    staff: &Actor,
    status: OutboxStatus,
    search: &str,
    order: (OutboxOrder, bool),
    page: i64,
    limit: i64,
) -> Result<(i64, Vec<OutboxRow>), AppError> {
    staff.require_staff()?;
    check_search(search)?;
    let mut conn = state.pool.get()?;
    let offset = (page.max(1) - 1).saturating_mul(limit);
    Ok(outbox::list_searched(
        &mut conn, status, search, order, limit, offset,
    )?)
}

fn check_search(search: &str) -> Result<(), AppError> {
    if search.chars().count() > 200 {
        return Err(AppError::field(
            "q",
            "La recherche est limitée à 200 caractères.",
        ));
    }
    Ok(())
}

/// The failed emails' export: its columns.
pub const FAILED_EXPORT_HEADER: [&str; 6] = [
    "Créé le (heure de Paris)",
    "Destinataire",
    "Objet",
    "Cause",
    "Tentatives",
    "Demande",
];

/// Writes every failed email matching `search`, in `order`, as CSV into `out`, a thousand at
/// a time from one snapshot (`csv_export`); returns how many.
/// An email about an assistance request is written without its address: a file that leaves
/// the service is not erased with the victim's data.
pub fn export_failed(
    state: &Infra,
    staff: &Actor,
    search: &str,
    order: (OutboxOrder, bool),
    out: impl std::io::Write,
) -> Result<usize, AppError> {
    staff.require_staff()?;
    check_search(search)?;
    let mut conn = state.pool.get()?;
    crate::csv_export::write(
        &mut conn,
        out,
        &FAILED_EXPORT_HEADER,
        |conn, offset, limit| {
            let failed = OutboxStatus::Failed;
            Ok(outbox::page_searched(
                conn, failed, search, order, limit, offset,
            )?)
        },
        |_, r| {
            Ok(vec![
                crate::french::time::paris_iso(r.created_at),
                match &r.request_id {
                    Some(_) => "(victime : adresse non exportée)".to_owned(),
                    None => r.recipient.clone(),
                },
                r.subject.clone(),
                crate::domain::outbox::failure_fr(r.last_error.as_deref().unwrap_or("")).to_owned(),
                r.attempts.to_string(),
                r.request_id
                    .as_ref()
                    .map(|id| format!("/instruction/demandes/{id}"))
                    .unwrap_or_default(),
            ])
        },
    )
}

/// Puts a failed message back in the queue, with a new delivery window (staff), to `recipient`
/// when staff corrected the address (this message only). A message that is no longer failed
/// (sent again by someone else meanwhile) is a conflict, not a second send.
pub fn retry(
    state: &Infra,
    staff: &Actor,
    id: &str,
    recipient: Option<&str>,
) -> Result<OutboxRow, AppError> {
    staff.require_staff()?;
    let recipient = corrected(recipient)?;
    let mut conn = state.pool.get()?;
    let now = state.clock.now_naive();
    let requeued = outbox::requeue_failed(
        &mut conn,
        id,
        now,
        now + Duration::hours(GIVE_UP_AFTER_HOURS),
        recipient.as_deref(),
    )?;
    let found = outbox::find(&mut conn, id)?;
    match (requeued, found) {
        (true, Some(row)) => {
            if recipient.is_some() {
                // Never the address itself in the logs.
                tracing::info!(outbox_id = %row.id, staff = %staff.id, "email address corrected before sending again");
            }
            Ok(row)
        }
        (_, None) => Err(AppError::not_found("Courriel introuvable.")),
        (false, Some(_)) => Err(AppError::Conflict(
            "Ce courriel n'est plus en échec : il a déjà été renvoyé.".into(),
        )),
    }
}

/// Puts the failed messages `ids` back in the queue (staff); returns how many were, those no
/// longer failed being left as they are.
pub fn retry_many(state: &Infra, staff: &Actor, ids: &[String]) -> Result<usize, AppError> {
    staff.require_staff()?;
    if ids.is_empty() {
        return Err(AppError::field(
            "ids",
            "Cochez au moins un courriel à renvoyer.",
        ));
    }
    if ids.len() > MAX_AT_ONCE {
        return Err(AppError::field(
            "ids",
            "Renvoyez au plus 100 courriels à la fois.",
        ));
    }
    let mut conn = state.pool.get()?;
    let now = state.clock.now_naive();
    let give_up_at = now + Duration::hours(GIVE_UP_AFTER_HOURS);
    let mut requeued = 0;
    for id in ids {
        if outbox::requeue_failed(&mut conn, id, now, give_up_at, None)? {
            requeued += 1;
        }
    }
    Ok(requeued)
}

/// The most messages sent again in one action.
const MAX_AT_ONCE: usize = 100;

/// An address staff typed to correct a recipient: none when left empty.
fn corrected(recipient: Option<&str>) -> Result<Option<String>, AppError> {
    use validator::ValidateEmail;
    match recipient.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) if r.validate_email() && r.len() <= 254 => Ok(Some(r.to_owned())),
        Some(_) => Err(AppError::field(
            "recipient",
            "Adresse électronique invalide : par exemple nom@exemple.fr.",
        )),
    }
}
