//! The commitment charter (fixtures/charter.json, versioned, compiled in). The last entry is
//! the current version.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const FIXTURE: &str = include_str!("../../fixtures/charter.json");

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
