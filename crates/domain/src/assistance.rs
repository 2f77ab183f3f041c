//! Assistance requests: their states, the reasons a provider declines, and the fair choice of a
//! provider among the eligible ones.

use diesel::sql_types::Text;
use diesel::{AsExpression, FromSqlRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a request stands. Stored as text (see `db::stored`).
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
pub enum RequestStatus {
    /// Offered to a provider, awaiting its answer.
    Assigned,
    /// A provider took it: the victim and the provider have each other's contact.
    Accepted,
    /// No provider could take it: in the staff queue.
    Escalated,
    Resolved,
    NotResolved,
    /// Cancelled by the victim.
    Cancelled,
    /// Closed by staff with a message to the victim.
    Closed,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 7] = [
        Self::Assigned,
        Self::Accepted,
        Self::Escalated,
        Self::Resolved,
        Self::NotResolved,
        Self::Cancelled,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::Accepted => "accepted",
            Self::Escalated => "escalated",
            Self::Resolved => "resolved",
            Self::NotResolved => "not_resolved",
            Self::Cancelled => "cancelled",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Self::Resolved | Self::NotResolved | Self::Cancelled | Self::Closed
        )
    }

    /// French label, as the victim reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Assigned => "transmise à un professionnel",
            Self::Accepted => "prise en charge",
            Self::Escalated => "en cours d'orientation par nos équipes",
            Self::Resolved => "résolue",
            Self::NotResolved => "close sans résolution",
            Self::Cancelled => "annulée",
            Self::Closed => "close",
        }
    }
}

/// What the caller of a request's page may do with it now (staff: assign, close; the provider
/// offered it: accept, decline; the provider who accepted it: close).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RequestAction {
    Accept,
    Decline,
    Assign,
    Close,
}

impl RequestAction {
    pub const ALL: [Self; 4] = [Self::Accept, Self::Decline, Self::Assign, Self::Close];

    /// As it is written in addresses and in the API.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Decline => "decline",
            Self::Assign => "assign",
            Self::Close => "close",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.slug() == slug)
    }

    /// The actions open to the caller: `offered_to_caller` when the request waits for the
    /// caller's answer, `accepted_by_caller` when the caller holds it; staff see a request
    /// offered to nobody (`staff`).
    pub fn available(
        status: RequestStatus,
        staff: bool,
        offered_to_caller: bool,
        accepted_by_caller: bool,
    ) -> Vec<Self> {
        match (staff, status) {
            (true, RequestStatus::Escalated) => vec![Self::Assign, Self::Close],
            (true, s) if !s.is_closed() => vec![Self::Close],
            (false, RequestStatus::Assigned) if offered_to_caller => {
                vec![Self::Accept, Self::Decline]
            }
            (false, RequestStatus::Accepted) if accepted_by_caller => vec![Self::Close],
            _ => vec![],
        }
    }
}

/// Where a victim's survey comment stands: staff read it before it is shown on the provider's
/// public profile. Stored as text (see `db::stored`).
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
pub enum CommentStatus {
    /// Awaiting moderation.
    Pending,
    Published,
    Rejected,
}

impl CommentStatus {
    pub const ALL: [CommentStatus; 3] = [Self::Pending, Self::Published, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Published => "published",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Where one offer of a request to one provider stands. Stored as text (see `db::stored`).
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
pub enum AssignmentStatus {
    /// Offered, awaiting the provider's answer until it expires.
    Pending,
    Accepted,
    Declined,
    /// Expired without an answer.
    TimedOut,
    /// The provider was suspended or removed while it held the request.
    Withdrawn,
    /// The request ended (the victim cancelled, staff closed it) while the offer was pending.
    Cancelled,
    /// Another provider offered the same urgent request at once accepted it first.
    Taken,
}

impl AssignmentStatus {
    pub const ALL: [AssignmentStatus; 7] = [
        Self::Pending,
        Self::Accepted,
        Self::Declined,
        Self::TimedOut,
        Self::Withdrawn,
        Self::Cancelled,
        Self::Taken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::TimedOut => "timed_out",
            Self::Withdrawn => "withdrawn",
            Self::Cancelled => "cancelled",
            Self::Taken => "taken",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// French label, as staff and providers read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "en attente de réponse",
            Self::Accepted => "acceptée",
            Self::Declined => "déclinée",
            Self::TimedOut => "sans réponse",
            Self::Withdrawn => "retirée",
            Self::Cancelled => "annulée",
            Self::Taken => "prise par un autre professionnel",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    Indisponible,
    HorsCompetence,
    TropLoin,
    Autre,
}

impl DeclineReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Indisponible => "indisponible",
            Self::HorsCompetence => "hors_competence",
            Self::TropLoin => "trop_loin",
            Self::Autre => "autre",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Indisponible,
            Self::HorsCompetence,
            Self::TropLoin,
            Self::Autre,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Indisponible => "Indisponible",
            Self::HorsCompetence => "Hors de nos compétences",
            Self::TropLoin => "Trop loin",
            Self::Autre => "Autre raison",
        }
    }
}

/// An eligible provider as the choice sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Eligible {
    pub provider_id: String,
    pub distance_km: f64,
    pub labelled: bool,
    /// Requests assigned to it in the last 30 days.
    pub recent_assignments: i64,
}

/// Who was chosen, and why (worded by the service and recorded with the assignment).
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub provider_id: String,
    pub why: Why,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// The victim picked it in the search results.
    ChosenByVictim { distance_km: f64 },
    /// The fair choice: among the `within` eligible providers inside `radius_km` (the nearest
    /// at `nearest_km`), the one with the fewest recent assignments.
    Fair {
        within: usize,
        radius_km: f64,
        nearest_km: f64,
        distance_km: f64,
        recent_assignments: i64,
        labelled: bool,
    },
}

/// The distance within which eligible providers share the work: max(10 km, 1.25 × nearest).
/// A victim's place to about a kilometre (0.01°): what a provider sees before accepting, and
/// all that is kept once the request's personal data is erased.
pub fn blurred(degrees: f64) -> f64 {
    (degrees * 100.0).round() / 100.0
}

pub fn fair_radius_km(nearest_km: f64) -> f64 {
    (1.25 * nearest_km).max(10.0)
}

/// The victim's chosen provider if eligible; otherwise, among those within the fair radius of
/// the nearest, the one with the fewest recent assignments (ties: labelled first, then nearest,
/// then by id so the result never depends on input order).
pub fn choose(eligible: &[Eligible], chosen_by_victim: Option<&str>) -> Option<Choice> {
    if let Some(wanted) = chosen_by_victim
        && let Some(p) = eligible.iter().find(|e| e.provider_id == wanted)
    {
        return Some(Choice {
            provider_id: p.provider_id.clone(),
            why: Why::ChosenByVictim {
                distance_km: p.distance_km,
            },
        });
    }
    let nearest = eligible
        .iter()
        .map(|e| e.distance_km)
        .fold(f64::INFINITY, f64::min);
    if !nearest.is_finite() {
        return None;
    }
    let radius = fair_radius_km(nearest);
    let within: Vec<&Eligible> = eligible
        .iter()
        .filter(|e| e.distance_km <= radius)
        .collect();
    let best = within.iter().min_by(|a, b| {
        a.recent_assignments
            .cmp(&b.recent_assignments)
            .then(b.labelled.cmp(&a.labelled))
            .then(a.distance_km.total_cmp(&b.distance_km))
            .then(a.provider_id.cmp(&b.provider_id))
    })?;
    Some(Choice {
        provider_id: best.provider_id.clone(),
        why: Why::Fair {
            within: within.len(),
            radius_km: radius,
            nearest_km: nearest,
            distance_km: best.distance_km,
            recent_assignments: best.recent_assignments,
            labelled: best.labelled,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(id: &str, km: f64, labelled: bool, recent: i64) -> Eligible {
        Eligible {
            provider_id: id.into(),
            distance_km: km,
            labelled,
            recent_assignments: recent,
        }
    }

    #[test]
    fn the_least_busy_within_the_fair_radius_wins() {
        let list = [
            e("near", 2.0, false, 3),
            e("close", 9.0, false, 1),
            e("far", 30.0, true, 0),
        ];
        assert_eq!(choose(&list, None).unwrap().provider_id, "close");
    }

    #[test]
    fn ties_go_to_the_labelled_then_the_nearest() {
        let list = [
            e("a", 5.0, false, 1),
            e("b", 8.0, true, 1),
            e("c", 3.0, false, 1),
        ];
        assert_eq!(choose(&list, None).unwrap().provider_id, "b");
        let list = [e("a", 5.0, false, 1), e("c", 3.0, false, 1)];
        assert_eq!(choose(&list, None).unwrap().provider_id, "c");
    }

    #[test]
    fn the_radius_grows_with_the_nearest_distance() {
        assert_eq!(fair_radius_km(4.0), 10.0);
        assert_eq!(fair_radius_km(40.0), 50.0);
        let list = [
            e("a", 40.0, false, 5),
            e("b", 49.0, false, 0),
            e("c", 51.0, false, 0),
        ];
        assert_eq!(choose(&list, None).unwrap().provider_id, "b");
    }

    #[test]
    fn the_victims_choice_wins_when_eligible() {
        let list = [e("a", 1.0, false, 0), e("b", 20.0, false, 9)];
        let choice = choose(&list, Some("b")).unwrap();
        assert_eq!(choice.provider_id, "b");
        assert_eq!(choice.why, Why::ChosenByVictim { distance_km: 20.0 });
        assert_eq!(choose(&list, Some("zzz")).unwrap().provider_id, "a");
        assert_eq!(choose(&[], None), None);
    }
}
