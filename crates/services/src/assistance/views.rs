//! What the assistance API answers, per audience: the victim, the provider, staff.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::assistance::{AssignmentStatus, RequestStatus};

/// The intervention report a provider files when closing a request.
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReportInput {
    /// The incident type the provider found (a code of the taxonomy).
    pub confirmed_incident_type: String,
    /// How the attack got in (phishing email, exposed remote desktop, ...).
    pub attack_vector: String,
    /// What was done.
    pub actions_taken: String,
    #[serde(deserialize_with = "crate::json::whole")]
    pub minutes_spent: i32,
}

/// The answer to a submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestCreated {
    pub id: String,
    pub status: RequestStatus,
    /// The provider the request is assigned to now, if any.
    pub provider_id: Option<String>,
    /// The victim's private tracking page (keep it: it is the only way back to the request).
    pub tracking_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderContact {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub website: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub at: NaiveDateTime,
    pub label: String,
}

/// The victim's view, from the private tracking link.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingView {
    pub id: String,
    pub status: RequestStatus,
    pub status_label: String,
    pub incident_type: String,
    pub incident_label: String,
    pub created_at: NaiveDateTime,
    /// The provider's contact, once it has taken the request.
    pub provider: Option<ProviderContact>,
    /// A message from staff (when they closed the request).
    pub staff_message: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    pub can_cancel: bool,
    /// The contact and description are erased (at the victim's request or after the retention
    /// period).
    pub erased: bool,
    /// From an urgent diagnostic outcome.
    pub urgent: bool,
    /// While it is offered: how many providers it is offered to, and until when.
    pub offered_to: usize,
    pub offered_until: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VictimContact {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: String,
    pub provider_id: String,
    pub provider_name: String,
    pub status: AssignmentStatus,
    /// Why this provider was chosen.
    pub why: String,
    pub decline_reason: Option<String>,
    pub decline_text: Option<String>,
    pub offered_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
}

/// A request as a provider (who was offered it) or staff see it. The victim's contact is there
/// only for staff and for the provider who accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    pub id: String,
    pub status: RequestStatus,
    pub status_label: String,
    pub incident_type: String,
    pub incident_label: String,
    pub audience: String,
    pub description: Option<String>,
    pub postcode: Option<String>,
    pub commune_code: Option<String>,
    pub departement: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub provider_id: Option<String>,
    /// From an urgent diagnostic outcome: offered to the nearest providers at once.
    pub urgent: bool,
    pub failed_assignments: i32,
    pub contact: Option<VictimContact>,
    pub staff_message: Option<String>,
    /// Every offer, in order (staff see them all; a provider sees its own).
    pub assignments: Vec<AssignmentView>,
    pub report: Option<ReportView>,
    /// Actions the caller may take now (`accept`, `decline`, `close`, `assign`, ...).
    pub available_actions: Vec<crate::domain::assistance::RequestAction>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

/// Requests for staff, with counts per state.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub counts: std::collections::BTreeMap<String, i64>,
    pub results: Vec<RequestView>,
    /// The requests whose victim an email could not reach (its address may be wrong).
    pub victim_unreachable: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub resolved: bool,
    pub confirmed_incident_type: String,
    pub attack_vector: String,
    pub actions_taken: String,
    pub minutes_spent: i32,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AbsenceView {
    pub id: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityView {
    /// Requests the provider takes at once.
    pub capacity: i32,
    /// Requests it holds now (offered or accepted).
    pub open_requests: i32,
    pub absences: Vec<AbsenceView>,
    /// The weekly on-call hours ("astreinte"), Monday first: at night, urgent requests are
    /// offered only to providers on call then.
    pub on_call: Vec<OnCallDay>,
    /// As people read it: "lundi 18:00–08:00 ; samedi toute la journée".
    pub on_call_summary: String,
}

/// One day's on-call hours: `HH:MM` start and end (an end before the start runs past
/// midnight; 00:00 to 00:00 is the whole day), both empty for a day without.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OnCallDay {
    /// `lundi` … `dimanche` (ignored in input: the position says the day).
    #[serde(skip_deserializing)]
    pub day: String,
    pub start: String,
    pub end: String,
}

/// The victim's wording of an event, or None for events they do not see.
pub fn timeline_label(action: &str) -> Option<&'static str> {
    Some(match action {
        "create" => "Demande enregistrée",
        "offer" | "staff-assign" => "Demande transmise à un professionnel",
        "urgent-offer" => {
            "Demande urgente transmise en même temps à plusieurs professionnels proches"
        }
        "accept" => "Un professionnel a pris en charge votre demande",
        "escalate" => "Nos équipes recherchent un professionnel disponible",
        "close" => "Intervention terminée",
        "cancel" => "Demande annulée",
        "staff-close" => "Demande close par nos équipes",
        "erase" => "Vos coordonnées et votre description ont été effacées à votre demande",
        "provider-withdrawn" => {
            "Le professionnel ne peut plus assurer votre demande : nous en cherchons un autre"
        }
        _ => return None,
    })
}

/// Staff's wording of an event (they also see declines, timeouts and erasures).
pub fn staff_event_label(action: &str) -> &str {
    match action {
        "decline" => "Proposition déclinée",
        "timeout" => "Sans réponse dans le délai",
        "anonymise" => "Coordonnées et description effacées (durée de conservation)",
        "message-staff" => "Message de l'équipe à la victime",
        "message-applicant" => "Message de la victime",
        other => timeline_label(other).unwrap_or(other),
    }
}
