//! The lists of label applications: every one for staff (with counts per state), the assigned
//! ones for an auditor. Shared by the API and the pages.

use std::collections::BTreeMap;

use crate::db::labels as queries;
use crate::domain::actor::{Actor, Role};
use crate::domain::label_application::ApplicationStatus;
use crate::error::AppError;
use crate::infra::Infra;

pub use crate::db::labels::ApplicationListRow;

/// Applications, most recently changed first, and how many are in each state.
pub struct ApplicationQueue {
    pub rows: Vec<ApplicationListRow>,
    /// Over every state (staff: all applications; an auditor: its own).
    pub counts: BTreeMap<String, i64>,
}

/// The applications `user` may list, optionally in one state and searched by their
/// organisation's words (as the staff list of organisations is: a single letter is refused):
/// every one for staff, those assigned to an auditor for that auditor; others are refused.
pub fn list(
    state: &Infra,
    user: &Actor,
    status: Option<ApplicationStatus>,
    search: Option<&str>,
) -> Result<ApplicationQueue, AppError> {
    let words = match search {
        Some(text) => crate::referencing::queue::search_words(text)?,
        None => Vec::new(),
    };
    let auditor = match user.role {
        r if r.is_staff() => None,
        Role::Auditor => Some(user.id.as_str()),
        _ => {
            return Err(AppError::forbidden(
                "Réservé à l'équipe du label et aux auditeurs.",
            ));
        }
    };
    let mut conn = state.pool.get()?;
    let rows = queries::list_applications(&mut conn, status, auditor, &words)?;
    let counts = match auditor {
        None => queries::application_counts(&mut conn)?
            .into_iter()
            .collect(),
        Some(auditor) => {
            let mut counts = BTreeMap::new();
            for r in queries::list_applications(&mut conn, None, Some(auditor), &[])? {
                *counts.entry(r.status.as_str().to_owned()).or_insert(0) += 1;
            }
            counts
        }
    };
    Ok(ApplicationQueue { rows, counts })
}

/// The active auditors staff may assign, as (id, name, email).
pub fn auditors(state: &Infra, staff: &Actor) -> Result<Vec<(String, String, String)>, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    Ok(queries::auditors(&mut conn)?)
}
