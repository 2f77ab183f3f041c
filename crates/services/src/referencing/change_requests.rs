//! Changes to a published profile's reviewed fields (legal name, SIRET, address, zone), which
//! staff approve (published at once) or reject with a reason.

use serde_json::Value;

use super::profile::ProfileInput;
use super::views::ChangeRequestView;
use super::*;
use crate::db::referencing::{self as queries, ChangeRequestRow};
use crate::db::{accounts, providers, write_transaction};
use crate::domain::actor::Actor;
use crate::domain::provider::{Provider, ReferencingStatus};
use crate::domain::reason::Reason;
use crate::domain::referencing::ChangeRequestStatus;
use crate::error::AppError;
use crate::infra::Infra;
use crate::mail::emails::referencing::{ChangeRequestApproved, ChangeRequestRejected};

pub fn change_request_view(row: ChangeRequestRow) -> ChangeRequestView {
    ChangeRequestView {
        changes: serde_json::from_str(&row.changes).unwrap_or(Value::Null),
        id: row.id,
        provider_id: row.provider_id,
        status: row.status.as_str().to_owned(),
        reason: row.reason,
        requested_at: row.requested_at,
        decided_at: row.decided_at,
    }
}

/// The change requests in `status`, oldest first (staff).
pub fn list(
    state: &Infra,
    staff: &Actor,
    status: ChangeRequestStatus,
) -> Result<Vec<ChangeRequestRow>, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    Ok(queries::change_requests_by_status(&mut conn, status)?)
}

/// A pending change request with what staff need to decide it: the organisation as published
/// (gone if it was deleted meanwhile) and who asked, as `name (email)`.
pub struct PendingChange {
    pub row: ChangeRequestRow,
    pub provider: Option<Provider>,
    pub requested_by: Option<String>,
}

/// The pending change requests, oldest first, with their context (staff).
pub fn pending(state: &Infra, staff: &Actor) -> Result<Vec<PendingChange>, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    let rows = queries::change_requests_by_status(&mut conn, ChangeRequestStatus::Pending)?;
    let mut pending = Vec::with_capacity(rows.len());
    for row in rows {
        let provider = providers::find(&mut conn, &row.provider_id)?.map(|(p, _)| p);
        let requested_by = accounts::user_by_id(&mut conn, &row.requested_by)?
            .map(|u| format!("{} ({})", u.display_name, u.email));
        pending.push(PendingChange {
            row,
            provider,
            requested_by,
        });
    }
    Ok(pending)
}

/// A suspension or removal ends the provider's pending change request: it is rejected with
/// the reason, so that nothing a suspended or removed provider asked for is published later.
pub(super) fn end_pending(
    conn: &mut DbConnection,
    step: &mut Step,
    provider: &Provider,
    staff_id: Option<&str>,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let Some(request) = queries::pending_change_request(conn, &provider.id)? else {
        return Ok(());
    };
    let why = "Le prestataire a été suspendu ou retiré de l'annuaire.";
    let rejected = ChangeRequestStatus::Rejected;
    if queries::decide_change_request(conn, &request.id, rejected, Some(why), staff_id, now)? {
        step.record(
            Event::provider_note(provider, "change-request-rejected")
                .by(staff_id)
                .because(Some(why)),
        );
    }
    Ok(())
}

/// Staff decide a change request: approved fields are published at once.
pub fn decide(
    state: &Infra,
    user: &Actor,
    request_id: &str,
    approve: bool,
    reason: Option<&str>,
) -> Result<ChangeRequestView, AppError> {
    user.require_staff()?;
    let reason = Reason::optional(reason)?;
    let reason = reason.as_ref().map(Reason::as_str);
    if !approve && reason.is_none() {
        return Err(AppError::field(
            "reason",
            "Indiquez le motif du refus : il sera communiqué au prestataire.",
        ));
    }
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let request = queries::change_request(conn, request_id)?
            .ok_or_else(|| AppError::not_found("Demande introuvable."))?;
        if request.status != ChangeRequestStatus::Pending {
            return Err(AppError::Conflict(
                "Cette demande a déjà été traitée.".into(),
            ));
        }
        let (mut provider, version, _) = load(conn, user, &request.provider_id)?;
        if approve && provider.status != ReferencingStatus::Approved {
            return Err(AppError::Conflict(
                "Le prestataire n'est plus référencé (suspendu ou retiré) : sa demande de modification ne peut plus être approuvée."
                    .into(),
            ));
        }
        let changes: ProfileInput = serde_json::from_str(&request.changes)
            .map_err(|e| AppError::Internal(format!("stored change request: {e}")))?;
        let status = if approve {
            ChangeRequestStatus::Approved
        } else {
            ChangeRequestStatus::Rejected
        };
        if !queries::decide_change_request(conn, request_id, status, reason, Some(&user.id), now)? {
            return Err(AppError::Conflict(
                "Cette demande a déjà été traitée.".into(),
            ));
        }
        let fields = field_labels(&changes);
        let mut step = Step::new(now);
        if approve {
            let current = provider.clone();
            apply_input(conn, state, &mut provider, &changes)?;
            super::require_own_siret(conn, &current, &provider)?;
            if !providers::update(conn, &provider, version, now)? {
                return Err(stale());
            }
            step.mail_members(conn, state, &provider, |name, provider_name| {
                ChangeRequestApproved {
                    name,
                    provider_name,
                    fields: fields.clone(),
                    profile_url: profile_url(state, &provider.id),
                }
            })?;
        } else {
            step.mail_members(conn, state, &provider, |name, provider_name| {
                ChangeRequestRejected {
                    name,
                    provider_name,
                    fields: fields.clone(),
                    reason: reason.unwrap_or_default().to_owned(),
                    application_url: application_url(state, &provider.id),
                }
            })?;
        }
        step.record(
            Event::provider_note(&provider, format!("change-request-{}", status.as_str()))
                .by(Some(&user.id))
                .because(reason),
        );
        step.write(conn)?;
        let row = queries::change_request(conn, request_id)?
            .ok_or_else(|| AppError::not_found("Demande introuvable."))?;
        Ok(change_request_view(row))
    })
}
