//! A SIRET removed for cause is not free again: when a new file carries the SIRET of an
//! organisation that staff removed from the directory (not one withdrawn at its own request),
//! the reviewer sees who held it, when it was removed and why, before deciding.

use chrono::NaiveDateTime;

use crate::audit::{self, Subject};
use crate::db::providers;
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::infra::Infra;

/// An organisation removed by staff that held the same SIRET.
#[derive(Debug, Clone)]
pub struct RemovedHolder {
    pub id: String,
    pub name: String,
    /// When staff removed it, and the reason they gave.
    pub removed_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
}

/// The organisations removed by staff that held `id`'s SIRET. Staff only.
pub fn removed_holders(
    state: &Infra,
    user: &Actor,
    id: &str,
) -> Result<Vec<RemovedHolder>, AppError> {
    if !user.role.is_staff() {
        return Err(AppError::forbidden(
            "L'historique d'un SIRET est réservé à l'équipe d'instruction.",
        ));
    }
    let mut conn = state.pool.get()?;
    let Some((provider, _)) = providers::find(&mut conn, id)? else {
        return Err(AppError::not_found("Organisation introuvable."));
    };
    if provider.siret.is_empty() {
        return Ok(Vec::new());
    }
    let mut holders = Vec::new();
    for (holder_id, name) in providers::removed_with_siret(&mut conn, &provider.siret, id)? {
        let removal = audit::trail(&mut conn, Subject::Provider, &holder_id)?
            .into_iter()
            .rev()
            .find(|e| e.action == "remove");
        holders.push(RemovedHolder {
            id: holder_id,
            name,
            removed_at: removal.as_ref().map(|e| e.created_at),
            reason: removal.and_then(|e| e.reason),
        });
    }
    Ok(holders)
}
