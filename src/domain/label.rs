//! The state of an ExpertCyber label once granted.

use diesel::sql_types::Text;
use diesel::{AsExpression, FromSqlRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::transitions::{Rule, Table};

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

/// What can happen to a granted label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelChange {
    Suspended,
    Reinstated,
    Withdrawn,
    Expired,
}

/// Who changes a label: staff, or the system (the scheduler at expiry, and a referencing
/// decision the label follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Staff,
    System,
}

/// The label's state machine. Staff may also suspend, reinstate or withdraw as the system
/// does when the referencing decides so (see `label::labels::follow_referencing`).
pub const LABEL: Table<LabelChange, LabelStatus, Party> = Table(&[
    Rule {
        action: LabelChange::Suspended,
        from: &[LabelStatus::Valid],
        to: LabelStatus::Suspended,
        party: Party::Staff,
        reason_required: true,
    },
    Rule {
        action: LabelChange::Reinstated,
        from: &[LabelStatus::Suspended],
        to: LabelStatus::Valid,
        party: Party::Staff,
        reason_required: false,
    },
    Rule {
        action: LabelChange::Withdrawn,
        from: &[LabelStatus::Valid, LabelStatus::Suspended],
        to: LabelStatus::Withdrawn,
        party: Party::Staff,
        reason_required: true,
    },
    Rule {
        action: LabelChange::Expired,
        from: &[LabelStatus::Valid, LabelStatus::Suspended],
        to: LabelStatus::Expired,
        party: Party::System,
        reason_required: false,
    },
]);

impl LabelChange {
    /// The states it starts from and the one it leads to.
    pub fn moves(self) -> (&'static [LabelStatus], LabelStatus) {
        match LABEL.rule(self) {
            Some(rule) => (rule.from, rule.to),
            // Every change has its rule (checked by a test).
            None => (&[], LabelStatus::Valid),
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

    #[test]
    fn only_the_scheduler_expires_a_label_and_nothing_leaves_an_end_state() {
        use LabelChange::*;
        for change in [Suspended, Reinstated, Withdrawn, Expired] {
            assert!(LABEL.rule(change).is_some(), "{change:?} has no rule");
        }
        assert!(
            LABEL
                .transition(LabelStatus::Valid, Expired, Party::Staff)
                .is_err()
        );
        assert_eq!(
            LABEL.transition(LabelStatus::Suspended, Expired, Party::System),
            Ok((LabelStatus::Expired, false))
        );
        for end in [LabelStatus::Expired, LabelStatus::Withdrawn] {
            assert!(LABEL.available(end, Party::Staff).is_empty());
            assert!(LABEL.available(end, Party::System).is_empty());
        }
    }
}
