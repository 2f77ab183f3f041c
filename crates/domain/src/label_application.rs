//! The ExpertCyber label application workflow: which action moves an application from which
//! state to which, who may take it, and whether a written reason is required.
//!
//! Recording an audit has two outcomes decided by its findings (corrective actions when any major
//! non-conformity, the decision otherwise), so the service picks the target of `record-audit`.

use diesel::sql_types::Text;
use diesel::{AsExpression, FromSqlRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use chrono::NaiveDate;

use super::provider::ReferencingStatus;
use super::transitions::{Guard, Refusal, Rule, Table};

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
pub enum ApplicationStatus {
    Draft,
    Submitted,
    Admissibility,
    Incomplete,
    Admissible,
    AuditScheduled,
    Audited,
    CorrectiveActions,
    Decision,
    Granted,
    Refused,
    Withdrawn,
}

use ApplicationStatus as S;

impl ApplicationStatus {
    pub const ALL: [S; 12] = [
        S::Draft,
        S::Submitted,
        S::Admissibility,
        S::Incomplete,
        S::Admissible,
        S::AuditScheduled,
        S::Audited,
        S::CorrectiveActions,
        S::Decision,
        S::Granted,
        S::Refused,
        S::Withdrawn,
    ];

    /// The states in the order staff work through them (the lists sort by state this way):
    /// what waits for staff first, then the audit, the decision, the closed, the drafts.
    pub const WORK_ORDER: [S; 12] = [
        S::Submitted,
        S::Admissibility,
        S::Incomplete,
        S::Admissible,
        S::AuditScheduled,
        S::CorrectiveActions,
        S::Decision,
        S::Granted,
        S::Refused,
        S::Withdrawn,
        S::Draft,
        S::Audited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            S::Draft => "draft",
            S::Submitted => "submitted",
            S::Admissibility => "admissibility",
            S::Incomplete => "incomplete",
            S::Admissible => "admissible",
            S::AuditScheduled => "audit_scheduled",
            S::Audited => "audited",
            S::CorrectiveActions => "corrective_actions",
            S::Decision => "decision",
            S::Granted => "granted",
            S::Refused => "refused",
            S::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Decided or abandoned: a provider may open a new application.
    pub fn is_closed(self) -> bool {
        matches!(self, S::Granted | S::Refused | S::Withdrawn)
    }

    /// French label, as shown to users.
    pub fn label(self) -> &'static str {
        match self {
            S::Draft => "brouillon",
            S::Submitted => "déposée",
            S::Admissibility => "examen de recevabilité",
            S::Incomplete => "incomplète",
            S::Admissible => "recevable",
            S::AuditScheduled => "audit planifié",
            S::Audited => "auditée",
            S::CorrectiveActions => "actions correctives demandées",
            S::Decision => "en attente de décision",
            S::Granted => "label attribué",
            S::Refused => "refusée",
            S::Withdrawn => "retirée",
        }
    }
}

/// Who acts on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// A member of the provider organisation.
    Member,
    /// Staff of the public-interest group (or an admin).
    Staff,
    /// The auditor assigned to the application.
    Auditor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Submit,
    StartAdmissibility,
    MarkIncomplete,
    MarkAdmissible,
    ScheduleAudit,
    RecordAudit,
    SubmitCorrections,
    Grant,
    Refuse,
    Withdraw,
    /// Staff close the application of a provider removed from the directory.
    Close,
}

impl Action {
    pub const ALL: [Action; 11] = [
        Self::Submit,
        Self::StartAdmissibility,
        Self::MarkIncomplete,
        Self::MarkAdmissible,
        Self::ScheduleAudit,
        Self::RecordAudit,
        Self::SubmitCorrections,
        Self::Grant,
        Self::Refuse,
        Self::Withdraw,
        Self::Close,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::StartAdmissibility => "start-admissibility",
            Self::MarkIncomplete => "mark-incomplete",
            Self::MarkAdmissible => "mark-admissible",
            Self::ScheduleAudit => "schedule-audit",
            Self::RecordAudit => "record-audit",
            Self::SubmitCorrections => "submit-corrections",
            Self::Grant => "grant",
            Self::Refuse => "refuse",
            Self::Withdraw => "withdraw",
            Self::Close => "close",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.slug() == slug)
    }

    /// The French button text.
    pub fn label(self) -> &'static str {
        match self {
            Self::Submit => "Déposer la demande",
            Self::StartAdmissibility => "Examiner la recevabilité",
            Self::MarkIncomplete => "Déclarer incomplète",
            Self::MarkAdmissible => "Déclarer recevable",
            Self::ScheduleAudit => "Planifier l'audit",
            Self::RecordAudit => "Enregistrer l'audit",
            Self::SubmitCorrections => "Transmettre les actions correctives",
            Self::Grant => "Attribuer le label",
            Self::Refuse => "Refuser le label",
            Self::Withdraw => "Retirer la demande",
            Self::Close => "Clore la demande",
        }
    }
}

const UNDECIDED: &[S] = &[
    S::Draft,
    S::Submitted,
    S::Admissibility,
    S::Incomplete,
    S::Admissible,
    S::AuditScheduled,
    S::Audited,
    S::CorrectiveActions,
    S::Decision,
];

/// What an action requires beyond the application's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// The provider is referenced and not suspended.
    ProviderReferenced,
    /// The provider was removed from the directory.
    ProviderRemoved,
    /// The scheduled audit day has come: an audit is not recorded before it takes place.
    AuditDayReached,
    /// The corrective-action deadline has not passed.
    BeforeCorrectiveDeadline,
    /// The fee is paid or waived.
    FeeSettled,
}

/// What the conditions are checked against.
#[derive(Debug, Clone)]
pub struct Facts {
    pub provider: ReferencingStatus,
    pub today: NaiveDate,
    pub audit_date: Option<NaiveDate>,
    pub corrective_deadline: Option<NaiveDate>,
    pub fee: FeeStatus,
}

impl Guard for Condition {
    type Facts = Facts;
    fn holds(self, facts: &Facts) -> bool {
        match self {
            Self::ProviderReferenced => facts.provider == ReferencingStatus::Approved,
            Self::ProviderRemoved => facts.provider == ReferencingStatus::Removed,
            Self::AuditDayReached => facts.audit_date.is_some_and(|day| day <= facts.today),
            Self::BeforeCorrectiveDeadline => facts
                .corrective_deadline
                .is_none_or(|deadline| facts.today <= deadline),
            Self::FeeSettled => facts.fee != FeeStatus::Pending,
        }
    }
}

/// The workflow's table.
pub const APPLICATION: Table<Action, S, Party, Condition> = Table(&[
    Rule {
        action: Action::Submit,
        from: &[S::Draft, S::Incomplete],
        to: S::Submitted,
        party: Party::Member,
        reason_required: false,
        guards: &[Condition::ProviderReferenced],
    },
    Rule {
        action: Action::StartAdmissibility,
        from: &[S::Submitted],
        to: S::Admissibility,
        party: Party::Staff,
        reason_required: false,
        guards: &[],
    },
    // Staff first say they examine the application (the provider is told), then decide:
    // from `submitted` the page offers one next step, not three.
    Rule {
        action: Action::MarkIncomplete,
        from: &[S::Admissibility],
        to: S::Incomplete,
        party: Party::Staff,
        reason_required: true,
        guards: &[],
    },
    Rule {
        action: Action::MarkAdmissible,
        from: &[S::Admissibility],
        to: S::Admissible,
        party: Party::Staff,
        reason_required: false,
        guards: &[],
    },
    Rule {
        // Also from `audit_scheduled`: staff may move the date or change the auditor.
        action: Action::ScheduleAudit,
        from: &[S::Admissible, S::AuditScheduled],
        to: S::AuditScheduled,
        party: Party::Staff,
        reason_required: false,
        guards: &[],
    },
    Rule {
        // The target (`corrective_actions` or `decision`) depends on the findings.
        action: Action::RecordAudit,
        from: &[S::AuditScheduled],
        to: S::Audited,
        party: Party::Auditor,
        reason_required: false,
        guards: &[Condition::ProviderReferenced, Condition::AuditDayReached],
    },
    Rule {
        // The auditor then verifies the corrections and records the audit again.
        action: Action::SubmitCorrections,
        from: &[S::CorrectiveActions],
        to: S::AuditScheduled,
        party: Party::Member,
        reason_required: false,
        guards: &[Condition::BeforeCorrectiveDeadline],
    },
    Rule {
        action: Action::Grant,
        from: &[S::Decision],
        to: S::Granted,
        party: Party::Staff,
        reason_required: false,
        guards: &[Condition::FeeSettled, Condition::ProviderReferenced],
    },
    Rule {
        action: Action::Refuse,
        from: &[S::Decision, S::CorrectiveActions],
        to: S::Refused,
        party: Party::Staff,
        reason_required: true,
        guards: &[],
    },
    Rule {
        action: Action::Withdraw,
        from: UNDECIDED,
        to: S::Withdrawn,
        party: Party::Member,
        reason_required: false,
        guards: &[],
    },
    Rule {
        action: Action::Close,
        from: UNDECIDED,
        to: S::Withdrawn,
        party: Party::Staff,
        reason_required: true,
        guards: &[Condition::ProviderRemoved],
    },
]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("Cette action est réservée à {0}.")]
    WrongActor(&'static str),
    #[error("Action impossible : la demande est à l'état « {0} ».")]
    WrongState(&'static str),
}

/// Where `action` leads from `from` when `actor` takes it, and whether a reason is required.
pub fn transition(from: S, action: Action, actor: Party) -> Result<(S, bool), TransitionError> {
    APPLICATION
        .transition(from, action, actor)
        .map_err(|refusal| match refusal {
            Refusal::WrongParty(party) => TransitionError::WrongActor(match party {
                Party::Member => "l'organisation candidate",
                Party::Staff => "l'équipe du label",
                Party::Auditor => "l'auditeur désigné",
            }),
            Refusal::WrongState => TransitionError::WrongState(from.label()),
        })
}

/// The actions `actor` can take from `from` (for buttons on pages).
pub fn available(from: S, actor: Party) -> Vec<Action> {
    APPLICATION.available(from, actor)
}

pub fn reason_required(action: Action) -> bool {
    APPLICATION.reason_required(action)
}

/// The first condition of `action` that `facts` do not meet.
pub fn unmet(action: Action, facts: &Facts) -> Option<Condition> {
    APPLICATION.unmet_guard(action, facts)
}

/// An auditor's finding on one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    Conforme,
    NonConformiteMineure,
    NonConformiteMajeure,
    NonApplicable,
}

impl Finding {
    pub const ALL: [Finding; 4] = [
        Self::Conforme,
        Self::NonConformiteMineure,
        Self::NonConformiteMajeure,
        Self::NonApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Conforme => "conforme",
            Self::NonConformiteMineure => "non_conformite_mineure",
            Self::NonConformiteMajeure => "non_conformite_majeure",
            Self::NonApplicable => "non_applicable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Conforme => "Conforme",
            Self::NonConformiteMineure => "Non-conformité mineure",
            Self::NonConformiteMajeure => "Non-conformité majeure",
            Self::NonApplicable => "Non applicable",
        }
    }
}

/// Where an application goes once its audit is recorded.
pub fn after_audit(findings: impl IntoIterator<Item = Finding>) -> S {
    if findings
        .into_iter()
        .any(|f| f == Finding::NonConformiteMajeure)
    {
        S::CorrectiveActions
    } else {
        S::Decision
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "snake_case")]
pub enum FeeStatus {
    Pending,
    Paid,
    Waived,
}

impl FeeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Waived => "waived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Paid, Self::Waived]
            .into_iter()
            .find(|f| f.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "en attente de paiement",
            Self::Paid => "payés",
            Self::Waived => "exonérés",
        }
    }
}

/// `initial` for a first label, `renewal` to extend a label that is about to expire.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationKind {
    Initial,
    Renewal,
}

impl ApplicationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::Renewal => "renewal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Initial, Self::Renewal]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_audit_goes_to_the_decision_and_a_major_finding_to_corrective_actions() {
        assert_eq!(
            after_audit([Finding::Conforme, Finding::NonConformiteMineure]),
            S::Decision
        );
        assert_eq!(
            after_audit([Finding::Conforme, Finding::NonConformiteMajeure]),
            S::CorrectiveActions
        );
    }

    #[test]
    fn only_the_named_actor_moves_an_application() {
        assert_eq!(
            transition(S::AuditScheduled, Action::RecordAudit, Party::Staff),
            Err(TransitionError::WrongActor("l'auditeur désigné"))
        );
        assert_eq!(
            transition(S::Decision, Action::Grant, Party::Staff),
            Ok((S::Granted, false))
        );
        assert!(matches!(
            transition(S::Granted, Action::Withdraw, Party::Member),
            Err(TransitionError::WrongState(_))
        ));
    }

    fn facts() -> Facts {
        Facts {
            provider: ReferencingStatus::Approved,
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            audit_date: NaiveDate::from_ymd_opt(2026, 12, 1),
            corrective_deadline: NaiveDate::from_ymd_opt(2026, 12, 1),
            fee: FeeStatus::Paid,
        }
    }

    #[test]
    fn an_audit_is_recorded_from_its_day_and_corrections_until_their_deadline() {
        let on_the_day = facts();
        assert_eq!(unmet(Action::RecordAudit, &on_the_day), None);
        assert_eq!(unmet(Action::SubmitCorrections, &on_the_day), None);
        let before = Facts {
            today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            ..facts()
        };
        assert_eq!(
            unmet(Action::RecordAudit, &before),
            Some(Condition::AuditDayReached)
        );
        let after = Facts {
            today: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            ..facts()
        };
        assert_eq!(
            unmet(Action::SubmitCorrections, &after),
            Some(Condition::BeforeCorrectiveDeadline)
        );
        let unscheduled = Facts {
            audit_date: None,
            ..facts()
        };
        assert_eq!(
            unmet(Action::RecordAudit, &unscheduled),
            Some(Condition::AuditDayReached)
        );
    }

    #[test]
    fn a_label_goes_only_to_a_referenced_provider_whose_fee_is_settled() {
        assert_eq!(unmet(Action::Grant, &facts()), None);
        let suspended = Facts {
            provider: ReferencingStatus::Suspended,
            ..facts()
        };
        assert_eq!(
            unmet(Action::Grant, &suspended),
            Some(Condition::ProviderReferenced)
        );
        assert_eq!(
            unmet(Action::Submit, &suspended),
            Some(Condition::ProviderReferenced)
        );
        let unpaid = Facts {
            fee: FeeStatus::Pending,
            ..facts()
        };
        assert_eq!(unmet(Action::Grant, &unpaid), Some(Condition::FeeSettled));
    }

    #[test]
    fn staff_close_any_open_application_of_a_removed_provider_only() {
        for from in UNDECIDED {
            assert_eq!(
                transition(*from, Action::Close, Party::Staff),
                Ok((S::Withdrawn, true))
            );
        }
        assert!(transition(S::Granted, Action::Close, Party::Staff).is_err());
        assert!(transition(S::Draft, Action::Close, Party::Member).is_err());
        assert_eq!(
            unmet(Action::Close, &facts()),
            Some(Condition::ProviderRemoved)
        );
        let removed = Facts {
            provider: ReferencingStatus::Removed,
            ..facts()
        };
        assert_eq!(unmet(Action::Close, &removed), None);
    }

    #[test]
    fn every_status_and_action_round_trips_through_its_text() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        for a in Action::ALL {
            assert_eq!(Action::from_slug(a.slug()), Some(a));
        }
        for f in Finding::ALL {
            assert_eq!(Finding::parse(f.as_str()), Some(f));
        }
    }
}
