//! The state of an ExpertCyber label once granted.

use chrono::{Datelike, Months, NaiveDate};
use diesel::sql_types::Text;
use diesel::{AsExpression, FromSqlRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::transitions::{Guard, Rule, Table};

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

/// What a change requires beyond the label's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// The label has not passed its last day (its end date, or later while a renewal holds it).
    WithinValidity,
    /// Its holder is referenced and not suspended.
    HolderReferenced,
    /// Its last day has passed.
    PastValidity,
}

/// What the conditions are checked against.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub today: NaiveDate,
    /// The label's last day: its end date, or later while a renewal holds it.
    pub held_through: NaiveDate,
    pub holder_referenced: bool,
}

impl Guard for Condition {
    type Facts = Facts;
    fn holds(self, facts: &Facts) -> bool {
        match self {
            Self::WithinValidity => facts.today <= facts.held_through,
            Self::HolderReferenced => facts.holder_referenced,
            Self::PastValidity => facts.held_through < facts.today,
        }
    }
}

/// The label's state machine. Staff may also suspend, reinstate or withdraw as the system
/// does when the referencing decides so (see `label::labels::follow_referencing`).
pub const LABEL: Table<LabelChange, LabelStatus, Party, Condition> = Table(&[
    Rule {
        action: LabelChange::Suspended,
        from: &[LabelStatus::Valid],
        to: LabelStatus::Suspended,
        party: Party::Staff,
        reason_required: true,
        guards: &[],
    },
    Rule {
        action: LabelChange::Reinstated,
        from: &[LabelStatus::Suspended],
        to: LabelStatus::Valid,
        party: Party::Staff,
        reason_required: false,
        guards: &[Condition::WithinValidity, Condition::HolderReferenced],
    },
    Rule {
        action: LabelChange::Withdrawn,
        from: &[LabelStatus::Valid, LabelStatus::Suspended],
        to: LabelStatus::Withdrawn,
        party: Party::Staff,
        reason_required: true,
        guards: &[],
    },
    Rule {
        action: LabelChange::Expired,
        from: &[LabelStatus::Valid, LabelStatus::Suspended],
        to: LabelStatus::Expired,
        party: Party::System,
        reason_required: false,
        guards: &[Condition::PastValidity],
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

/// How long a label is valid: two years to the day.
pub const VALIDITY_MONTHS: u32 = 24;

/// The last day of validity of a label valid from `from`: the day before the same date two
/// years later (granted 30 November 2026, valid through 29 November 2028). A 29 February has
/// its anniversary on 1 March, so it is valid through 28 February. `None` past year 262,000.
pub fn valid_through(from: NaiveDate) -> Option<NaiveDate> {
    let same_date = from.checked_add_months(Months::new(VALIDITY_MONTHS))?;
    let anniversary = if same_date.day() == from.day() {
        same_date
    } else {
        same_date.succ_opt()?
    };
    anniversary.pred_opt()
}

/// The new last day of a label renewed before it ended: two more years, starting the day after
/// its old last day, so that validity runs on without a gap or an overlap.
pub fn renewed_through(old_last_day: NaiveDate) -> Option<NaiveDate> {
    valid_through(old_last_day.succ_opt()?)
}

/// The last day of a renewed label granted on `granted_on`: two years from the day after the
/// old end, but never more than two years of validity ahead of the grant day.
pub fn renewed_through_on(old_last_day: NaiveDate, granted_on: NaiveDate) -> Option<NaiveDate> {
    Some(renewed_through(old_last_day)?.min(valid_through(granted_on)?))
}

/// The first day a renewal of a label ending on `last_day` may be filed: `window_months`
/// before its end.
pub fn renewal_opens(last_day: NaiveDate, window_months: u32) -> Option<NaiveDate> {
    last_day.checked_sub_months(Months::new(window_months))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_renewal_opens_six_months_ahead_and_never_grants_more_than_two_years() {
        assert_eq!(renewal_opens(day(2027, 1, 10), 6), Some(day(2026, 7, 10)));
        // Granted early: two years from the grant, not from the old end.
        assert_eq!(
            renewed_through_on(day(2027, 1, 10), day(2026, 7, 10)),
            Some(day(2028, 7, 9))
        );
        // Granted a few days before the end: still no more than two years ahead.
        assert_eq!(
            renewed_through_on(day(2027, 1, 10), day(2027, 1, 5)),
            Some(day(2029, 1, 4))
        );
        // Granted after the end, while the renewal held the label: two years from the old end.
        assert_eq!(
            renewed_through_on(day(2027, 1, 10), day(2027, 2, 1)),
            Some(day(2029, 1, 10))
        );
    }

    #[test]
    fn a_label_is_valid_two_years_to_the_day() {
        assert_eq!(valid_through(day(2026, 11, 30)), Some(day(2028, 11, 29)));
        assert_eq!(valid_through(day(2026, 1, 1)), Some(day(2027, 12, 31)));
        // 29 February: its anniversary is 1 March.
        assert_eq!(valid_through(day(2028, 2, 29)), Some(day(2030, 2, 28)));
        assert_eq!(valid_through(day(2028, 3, 1)), Some(day(2030, 2, 28)));
        assert_eq!(valid_through(day(2030, 3, 1)), Some(day(2032, 2, 29)));
        // A renewal runs on from the day after the old end, two more years.
        assert_eq!(renewed_through(day(2028, 11, 29)), Some(day(2030, 11, 29)));
        assert_eq!(renewed_through(day(2030, 2, 28)), Some(day(2032, 2, 29)));
        assert_eq!(valid_through(NaiveDate::MAX), None);
    }

    #[test]
    fn every_status_reads_back_as_itself() {
        for s in LabelStatus::ALL {
            assert_eq!(LabelStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(LabelStatus::parse("VALID"), None);
    }

    #[test]
    fn a_label_is_reinstated_within_its_dates_for_a_referenced_holder_and_expires_after() {
        let facts = Facts {
            today: day(2027, 1, 10),
            held_through: day(2027, 1, 10),
            holder_referenced: true,
        };
        assert_eq!(LABEL.unmet_guard(LabelChange::Reinstated, &facts), None);
        assert_eq!(
            LABEL.unmet_guard(LabelChange::Expired, &facts),
            Some(Condition::PastValidity)
        );
        let later = Facts {
            today: day(2027, 1, 11),
            ..facts
        };
        assert_eq!(
            LABEL.unmet_guard(LabelChange::Reinstated, &later),
            Some(Condition::WithinValidity)
        );
        assert_eq!(LABEL.unmet_guard(LabelChange::Expired, &later), None);
        let suspended_holder = Facts {
            holder_referenced: false,
            ..facts
        };
        assert_eq!(
            LABEL.unmet_guard(LabelChange::Reinstated, &suspended_holder),
            Some(Condition::HolderReferenced)
        );
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
