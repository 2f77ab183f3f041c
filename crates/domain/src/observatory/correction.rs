//! A correction of a month's open-data file, asked by an admin and computed in the background
//! (its protection and audit take minutes on a busy month): where it stands.

use diesel::sql_types::Text;
use diesel::{AsExpression, FromSqlRow};
use serde::Serialize;

/// Stored as text (see `db::stored`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionState {
    /// Asked, not yet taken by a node.
    Waiting,
    /// A node computes it (under a lease: another node takes it over if that one stops).
    Running,
    /// Published as a new revision.
    Published,
    /// Not published, for a reason the admin can act on (nothing changed, an exposure).
    Refused,
    /// Not published: the computation failed (the log says why); the admin may ask again.
    Failed,
}

impl CorrectionState {
    pub const ALL: [CorrectionState; 5] = [
        Self::Waiting,
        Self::Running,
        Self::Published,
        Self::Refused,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Running => "running",
            Self::Published => "published",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the correction is still to come (waiting or computed now).
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Waiting | Self::Running)
    }

    /// The state in words, for the admin.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Waiting => "En attente",
            Self::Running => "En cours de calcul",
            Self::Published => "Publiée",
            Self::Refused => "Refusée",
            Self::Failed => "Échouée",
        }
    }
}

/// The part of the work done, in per cent, from the protection's and the audit's progress:
/// the protection weighs three fifths (it probes every secret cell, then again those it had
/// to hide more for), the complements tried back a fifth, the audit the last fifth (every
/// secret cell once).
pub fn percent_done(progress: Option<super::suppression::Progress>) -> u8 {
    use super::suppression::Progress;
    let share = |done: usize, of: usize| {
        if of == 0 {
            1.0
        } else {
            done.min(of) as f64 / of as f64
        }
    };
    let done = match progress {
        None => 0.0,
        Some(Progress::Protecting { secured, of, .. }) => 0.6 * share(secured, of),
        Some(Progress::PublishingBack { tried, of, .. }) => 0.6 + 0.2 * share(tried, of),
        Some(Progress::Auditing { probed, of }) => 0.8 + 0.2 * share(probed, of),
    };
    (done * 100.0).floor().clamp(0.0, 99.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observatory::suppression::Progress;

    #[test]
    fn states_are_stored_as_they_read() {
        for state in CorrectionState::ALL {
            assert_eq!(CorrectionState::parse(state.as_str()), Some(state));
        }
        assert_eq!(CorrectionState::parse("done"), None);
    }

    #[test]
    fn the_share_done_grows_through_protection_publishing_back_and_audit_never_saying_100_before_the_end()
     {
        assert_eq!(percent_done(None), 0);
        let protecting = |secured| {
            percent_done(Some(Progress::Protecting {
                round: 1,
                secured,
                of: 200,
            }))
        };
        assert_eq!(protecting(0), 0);
        assert_eq!(protecting(100), 30);
        assert_eq!(protecting(200), 60);
        let back = |tried| {
            percent_done(Some(Progress::PublishingBack {
                tried,
                of: 10,
                published: 1,
            }))
        };
        assert_eq!(back(0), 60);
        assert_eq!(back(5), 70);
        let auditing = |probed| percent_done(Some(Progress::Auditing { probed, of: 40 }));
        assert_eq!(auditing(0), 80);
        assert_eq!(auditing(20), 90);
        assert_eq!(
            auditing(40),
            99,
            "finished is said by the state, not the bar"
        );
        assert_eq!(
            percent_done(Some(Progress::Auditing { probed: 0, of: 0 })),
            99
        );
    }
}
