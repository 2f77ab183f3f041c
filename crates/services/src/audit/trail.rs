//! The trail read model: a subject's events, oldest first, with who acted.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::Subject;
use crate::db::DbConnection;
use crate::db::audit as queries;
use crate::error::AppError;

/// One event of an audit trail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub reason: Option<String>,
    // The actor's display name; none for the scheduler or an anonymous victim.
    pub actor: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The events of one subject, oldest first.
pub fn trail(
    conn: &mut DbConnection,
    subject: Subject,
    id: &str,
) -> Result<Vec<EventView>, AppError> {
    Ok(queries::events_of(conn, subject.as_str(), id)?
        .into_iter()
        .map(|(e, actor)| EventView {
            id: e.id.to_string(),
            action: e.action,
            from_state: e.from_state,
            to_state: e.to_state,
            reason: e.reason,
            actor,
            created_at: e.created_at,
        })
        .collect())
}
