//! The ExpertCyber reference framework (fixtures/expertcyber_criteria.json, versioned, compiled
//! in): criteria grouped by theme, each with the evidence expected and whether it is blocking.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const FIXTURE: &str = include_str!("../../../../fixtures/expertcyber_criteria.json");

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Framework {
    pub version: String,
    pub published_on: chrono::NaiveDate,
    pub title: String,
    pub groups: Vec<CriteriaGroup>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CriteriaGroup {
    pub code: String,
    pub title: String,
    pub criteria: Vec<Criterion>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Criterion {
    /// `ADM-01`, `COMP-02`, ...
    pub code: String,
    pub title: String,
    /// What the provider is expected to show.
    pub evidence: String,
    /// A major non-conformity on a blocking criterion prevents the label.
    pub blocking: bool,
}

impl Framework {
    pub fn from_fixture() -> Result<Self, serde_json::Error> {
        serde_json::from_str(FIXTURE)
    }

    pub fn criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.groups.iter().flat_map(|g| g.criteria.iter())
    }

    pub fn criterion(&self, code: &str) -> Option<&Criterion> {
        self.criteria().find(|c| c.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_framework_covers_the_four_themes_with_unique_codes() {
        let framework = Framework::from_fixture().unwrap();
        let groups: Vec<&str> = framework.groups.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(groups, ["ADM", "COMP", "ENG", "QUAL"]);
        let mut codes: Vec<&str> = framework.criteria().map(|c| c.code.as_str()).collect();
        let count = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), count, "criterion codes are unique");
        assert!(framework.criteria().any(|c| c.blocking));
        assert!(framework.criteria().all(|c| !c.evidence.is_empty()));
    }
}
