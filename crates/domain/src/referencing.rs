//! The referencing workflow: which action moves an application from which state to which,
//! who may take it, and whether a written reason is required.

use diesel::sql_types::Text;
use diesel::{AsExpression, FromSqlRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::transitions::{Refusal, Rule, Table};

use super::provider::ReferencingStatus as S;

/// Who acts on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// A member of the provider organisation.
    Member,
    /// A reviewer (staff or admin).
    Staff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Submit,
    Withdraw,
    StartReview,
    RequestChanges,
    Approve,
    Reject,
    Suspend,
    Reinstate,
    Remove,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Self::Submit,
        Self::Withdraw,
        Self::StartReview,
        Self::RequestChanges,
        Self::Approve,
        Self::Reject,
        Self::Suspend,
        Self::Reinstate,
        Self::Remove,
    ];

    /// As in the URL: `start-review`, `request-changes`, ...
    pub fn slug(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Withdraw => "withdraw",
            Self::StartReview => "start-review",
            Self::RequestChanges => "request-changes",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Suspend => "suspend",
            Self::Reinstate => "reinstate",
            Self::Remove => "remove",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.slug() == slug)
    }
}

/// The workflow's table.
pub const REFERENCING: Table<Action, S, Party> = Table(&[
    Rule {
        action: Action::Submit,
        from: &[S::Draft, S::ChangesRequested],
        to: S::Submitted,
        party: Party::Member,
        reason_required: false,
        guards: &[],
    },
    Rule {
        action: Action::Withdraw,
        from: &[S::Draft, S::Submitted, S::InReview, S::ChangesRequested],
        to: S::Withdrawn,
        party: Party::Member,
        reason_required: false,
        guards: &[],
    },
    Rule {
        action: Action::StartReview,
        from: &[S::Submitted],
        to: S::InReview,
        party: Party::Staff,
        reason_required: false,
        guards: &[],
    },
    Rule {
        action: Action::RequestChanges,
        from: &[S::InReview],
        to: S::ChangesRequested,
        party: Party::Staff,
        reason_required: true,
        guards: &[],
    },
    Rule {
        action: Action::Approve,
        from: &[S::InReview],
        to: S::Approved,
        party: Party::Staff,
        reason_required: false,
        guards: &[],
    },
    Rule {
        action: Action::Reject,
        from: &[S::InReview],
        to: S::Rejected,
        party: Party::Staff,
        reason_required: true,
        guards: &[],
    },
    Rule {
        action: Action::Suspend,
        from: &[S::Approved],
        to: S::Suspended,
        party: Party::Staff,
        reason_required: true,
        guards: &[],
    },
    Rule {
        action: Action::Reinstate,
        from: &[S::Suspended],
        to: S::Approved,
        party: Party::Staff,
        reason_required: false,
        guards: &[],
    },
    Rule {
        action: Action::Remove,
        from: &[S::Approved, S::Suspended],
        to: S::Removed,
        party: Party::Staff,
        reason_required: true,
        guards: &[],
    },
]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("Cette action est réservée à {0}.")]
    WrongActor(&'static str),
    #[error("Action impossible : le dossier est à l'état « {0} ».")]
    WrongState(&'static str),
}

/// Where `action` leads from `from` when `actor` takes it, and whether a reason is required.
pub fn transition(from: S, action: Action, actor: Party) -> Result<(S, bool), TransitionError> {
    REFERENCING
        .transition(from, action, actor)
        .map_err(|refusal| match refusal {
            Refusal::WrongParty(party) => TransitionError::WrongActor(match party {
                Party::Member => "l'organisation",
                Party::Staff => "l'équipe d'instruction",
            }),
            Refusal::WrongState => TransitionError::WrongState(label(from)),
        })
}

/// The actions `actor` can take from `from` (for buttons on pages).
pub fn available(from: S, actor: Party) -> Vec<Action> {
    REFERENCING.available(from, actor)
}

pub fn reason_required(action: Action) -> bool {
    REFERENCING.reason_required(action)
}

/// French label of a state, as shown to users.
pub fn label(status: S) -> &'static str {
    match status {
        S::Draft => "brouillon",
        S::Submitted => "déposé",
        S::InReview => "en cours d'instruction",
        S::ChangesRequested => "modifications demandées",
        S::Approved => "référencé",
        S::Rejected => "refusé",
        S::Suspended => "suspendu",
        S::Removed => "retiré",
        S::Withdrawn => "abandonné",
    }
}

/// Where a change request to a published profile stands. Stored as text (see `db::stored`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "snake_case")]
pub enum ChangeRequestStatus {
    Pending,
    Approved,
    Rejected,
}

impl ChangeRequestStatus {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Approved, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_and_the_changes_loop() {
        let (s, _) = transition(S::Draft, Action::Submit, Party::Member).unwrap();
        let (s, _) = transition(s, Action::StartReview, Party::Staff).unwrap();
        let (s, reason) = transition(s, Action::RequestChanges, Party::Staff).unwrap();
        assert!(reason);
        assert_eq!(s, S::ChangesRequested);
        let (s, _) = transition(s, Action::Submit, Party::Member).unwrap();
        let (s, _) = transition(s, Action::StartReview, Party::Staff).unwrap();
        let (s, _) = transition(s, Action::Approve, Party::Staff).unwrap();
        assert_eq!(s, S::Approved);
        let (s, _) = transition(s, Action::Suspend, Party::Staff).unwrap();
        let (s, _) = transition(s, Action::Reinstate, Party::Staff).unwrap();
        let (s, _) = transition(s, Action::Remove, Party::Staff).unwrap();
        assert_eq!(s, S::Removed);
    }

    #[test]
    fn wrong_actor_and_wrong_state_are_told_apart() {
        assert!(matches!(
            transition(S::InReview, Action::Approve, Party::Member),
            Err(TransitionError::WrongActor(_))
        ));
        assert!(matches!(
            transition(S::Submitted, Action::Approve, Party::Staff),
            Err(TransitionError::WrongState(_))
        ));
        assert!(matches!(
            transition(S::Approved, Action::Withdraw, Party::Member),
            Err(TransitionError::WrongState(_))
        ));
        assert!(matches!(
            transition(S::Removed, Action::Reinstate, Party::Staff),
            Err(TransitionError::WrongState(_))
        ));
    }

    #[test]
    fn every_state_offers_the_expected_buttons() {
        assert_eq!(
            available(S::InReview, Party::Staff),
            vec![Action::RequestChanges, Action::Approve, Action::Reject]
        );
        assert_eq!(
            available(S::Draft, Party::Member),
            vec![Action::Submit, Action::Withdraw]
        );
        assert!(available(S::Removed, Party::Staff).is_empty());
        for a in Action::ALL {
            assert_eq!(Action::from_slug(a.slug()), Some(a));
        }
    }
}
