//! The commitment charter (fixtures/charter.json, versioned, compiled in). The last entry is
//! the current version.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const FIXTURE: &str = include_str!("../../../../fixtures/charter.json");

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Charter {
    pub version: String,
    pub published_on: chrono::NaiveDate,
    pub title: String,
    pub commitments: Vec<String>,
}

/// Every published version, oldest first.
pub fn versions() -> Result<Vec<Charter>, serde_json::Error> {
    serde_json::from_str(FIXTURE)
}

/// The version in force: the last one published.
pub fn in_force() -> Result<Charter, crate::infra::StartupError> {
    use crate::infra::StartupError;
    versions()
        .map_err(|e| StartupError::Charter(e.to_string()))?
        .pop()
        .ok_or_else(|| StartupError::Charter("no version".into()))
}

/// Days a referenced provider has to accept a new version of the charter.
pub const DAYS_TO_ACCEPT: i64 = 30;

/// Referenced providers asked more than [`DAYS_TO_ACCEPT`]
/// days ago to accept the current charter who have not, as (id, name, asked at) (staff).
pub fn overdue(
    state: &crate::infra::Infra,
    charter: &Charter,
    staff: &crate::domain::actor::Actor,
) -> Result<Vec<(String, String, chrono::NaiveDateTime)>, crate::error::AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    let before = state.clock.now_naive() - chrono::Duration::days(DAYS_TO_ACCEPT);
    Ok(crate::db::referencing::charter_overdue(
        &mut conn,
        &charter.version,
        before,
    )?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixture_has_a_current_version() {
        let versions = super::versions().unwrap();
        let current = versions.last().unwrap();
        assert!(current.commitments.len() >= 5);
        assert!(current.title.contains("Charte"));
    }
}
