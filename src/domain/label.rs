//! The state of an ExpertCyber label once granted.

use diesel::sql_types::Text;
use diesel::{AsExpression, FromSqlRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a granted label stands. Stored as text (see `db::stored`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    AsExpression,
    FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "snake_case")]
pub enum LabelStatus {
    Valid,
    Suspended,
    Expired,
    Withdrawn,
}

impl LabelStatus {
    pub const ALL: [Self; 4] = [Self::Valid, Self::Suspended, Self::Expired, Self::Withdrawn];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Suspended => "suspended",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// French word, as shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Valid => "valide",
            Self::Suspended => "suspendu",
            Self::Expired => "expiré",
            Self::Withdrawn => "retiré",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_as_itself() {
        for s in LabelStatus::ALL {
            assert_eq!(LabelStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(LabelStatus::parse("VALID"), None);
    }
}
