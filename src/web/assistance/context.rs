//! What the assistance pages' templates read, typed: a field a template needs that a handler
//! forgets is a compile error, not a blank on the page.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::assistance::views::{ProviderContact, VictimContact};
use crate::content::advice::IncidentAdvice;
use crate::domain::assistance::{AssignmentStatus, RequestStatus};
use crate::web::kit::{Choice, Tab};

/// A request's facts as every assistance page shows them.
#[derive(Debug, Serialize)]
pub(super) struct RequestSummary {
    pub id: String,
    /// The request's own page, in a list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    pub status: RequestStatus,
    pub status_label: String,
    pub incident_label: String,
    pub audience_label: &'static str,
    /// The postcode, else the département.
    pub place: String,
    pub description: Option<String>,
    pub contact: Option<VictimContact>,
    pub created: String,
    pub failed_assignments: i32,
    pub staff_message: Option<String>,
    pub report: Option<ReportShown>,
    pub assignments: Vec<AssignmentLine>,
    pub can_accept: bool,
    pub can_close: bool,
    pub can_assign: bool,
}

/// The provider's report on a closed request.
#[derive(Debug, Serialize)]
pub(super) struct ReportShown {
    pub resolved: bool,
    pub incident_label: String,
    pub attack_vector: String,
    pub actions_taken: String,
    pub minutes_spent: i32,
}

/// A provider the request was offered to, and what came of it.
#[derive(Debug, Serialize)]
pub(super) struct AssignmentLine {
    pub provider_name: String,
    pub status: AssignmentStatus,
    pub status_label: &'static str,
    pub why: String,
    pub decline_reason: Option<&'static str>,
    pub decline_text: Option<String>,
    pub offered: String,
    pub expires: String,
}

/// A reason a provider may give for declining, as a radio button.
#[derive(Debug, Serialize)]
pub(super) struct ReasonChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub id: String,
}

/// `pages/assistance/link`: the offer a provider opened from its email.
#[derive(Debug, Serialize)]
pub(super) struct Link<'a> {
    pub token: &'a str,
    pub accept: bool,
    pub pending: bool,
    pub request: RequestSummary,
    pub reasons: Vec<ReasonChoice>,
    pub errors: BTreeMap<String, String>,
}

/// `pages/assistance/answered`: the provider's answer, recorded.
#[derive(Debug, Serialize)]
pub(super) struct Answered {
    pub accepted: bool,
    /// After a decline, where the request went.
    pub next: &'static str,
    pub request: RequestSummary,
}

/// `pages/assistance/provider_requests`: an organisation's requests and availability.
#[derive(Debug, Serialize)]
pub(super) struct ProviderRequests<'a> {
    pub info: Option<&'a str>,
    pub base: String,
    pub organisation_href: String,
    pub offered: Vec<RequestSummary>,
    pub held: Vec<RequestSummary>,
    pub capacity: i32,
    pub open_requests: i32,
    pub open_requests_fr: String,
    pub absences: Vec<AbsenceLine>,
    pub on_call: Vec<OnCallLine>,
    pub on_call_summary: String,
    pub reasons: Vec<ReasonChoice>,
    pub errors: BTreeMap<String, String>,
}

/// One day of the on-call hours' form.
#[derive(Debug, Serialize)]
pub(super) struct OnCallLine {
    pub index: usize,
    pub day: String,
    pub start: String,
    pub end: String,
    pub error: Option<String>,
}

/// A period the organisation takes no request.
#[derive(Debug, Serialize)]
pub(super) struct AbsenceLine {
    pub id: String,
    pub starts: String,
    pub ends: String,
}

/// `pages/assistance/provider_request`: a request, for the provider that holds it.
#[derive(Debug, Serialize)]
pub(super) struct ProviderRequest<'a> {
    pub info: Option<&'a str>,
    pub base: String,
    pub list_href: String,
    pub request: RequestSummary,
    pub reasons: Vec<ReasonChoice>,
    /// The incident types, the one reported selected (the report's confirmed type).
    pub incidents: Vec<Choice>,
    pub errors: BTreeMap<String, String>,
}

/// `pages/assistance/staff_list`: the requests staff follow, by state.
#[derive(Debug, Serialize)]
pub(super) struct StaffList {
    pub tabs: Vec<Tab>,
    pub all_current: bool,
    /// "Mes dossiers": only the requests the viewer follows.
    pub mine: bool,
    pub mine_count: usize,
    pub rows: Vec<StaffLine>,
    /// "Toutes" with the other filters kept; how many requests the list holds, its columns
    /// that sort, pages, page sizes and incident types; the CSV of the list as filtered; the
    /// state, order and filters as typed, kept by the form; and what was wrong with them.
    pub all_href: String,
    pub summary: String,
    pub headers: Vec<crate::web::listing::SortHeader>,
    pub pagination: crate::web::kit::Pagination,
    pub sizes: Vec<crate::web::listing::SizeChoice>,
    pub incidents: Vec<crate::web::kit::Choice>,
    pub export: String,
    pub etat: String,
    pub tri: String,
    pub search: String,
    pub departement: String,
    pub urgent_only: bool,
    pub du: String,
    pub au: String,
    pub errors: std::collections::BTreeMap<String, String>,
}

/// A request in staff's list.
#[derive(Debug, Serialize)]
pub(super) struct StaffLine {
    pub href: String,
    pub incident_label: String,
    pub urgent: bool,
    pub place: String,
    /// The state's code (its badge's tone).
    pub status: &'static str,
    pub status_label: String,
    pub escalated: bool,
    pub failed: i32,
    /// When it came in, and for an open request how long it has waited.
    pub received: String,
    pub waiting: Option<String>,
    /// The victim's name (staff only).
    pub victim: String,
    /// The provider it is offered to or taken by, and until when an offer stands.
    pub provider: Option<String>,
    pub deadline: Option<String>,
    /// An email could not reach the victim.
    pub unreachable: bool,
    pub updated: String,
    /// Who follows the request.
    pub follower: Option<String>,
}

/// `pages/assistance/staff_request`: a request, for staff.
#[derive(Debug, Serialize)]
pub(super) struct StaffRequest {
    pub request: RequestSummary,
    /// The providers staff may give the request to, nearest first.
    pub choices: Vec<ProviderChoice>,
    pub history: Vec<HistoryLine>,
    pub errors: BTreeMap<String, String>,
    /// The errors at the top of the page, each a link to its field.
    pub error_summary: Vec<crate::web::kit::ErrorLink>,
    /// What the last follow-up step did.
    pub info: Option<&'static str>,
    /// Who follows the request and staff's private notes (erased with the victim's data).
    pub case: crate::web::cases::CaseSection,
}

/// A provider staff may give a request to.
#[derive(Debug, Serialize)]
pub(super) struct ProviderChoice {
    pub id: String,
    pub label: String,
    /// Declined or let the offer lapse already.
    pub declined: bool,
}

/// An event of a request, as staff read it.
#[derive(Debug, Serialize)]
pub(super) struct HistoryLine {
    pub when: String,
    pub label: String,
    pub reason: Option<String>,
    pub actor: Option<String>,
}

/// `pages/assistance/comments`: the victims' comments waiting for moderation.
#[derive(Debug, Serialize)]
pub(super) struct Comments {
    pub comments: Vec<CommentLine>,
}

/// A comment to moderate.
#[derive(Debug, Serialize)]
pub(super) struct CommentLine {
    pub request_id: String,
    pub provider_name: String,
    pub rating: Option<i32>,
    pub comment: String,
}

/// `pages/assistance/tracking`: the victim's page, by its private link.
#[derive(Debug, Serialize)]
pub(super) struct Tracking<'a> {
    pub info: Option<&'static str>,
    /// What happens next, and within what time.
    pub next: Option<String>,
    /// The first advice for the incident, while the victim waits.
    pub advice: Option<IncidentAdvice>,
    pub token: &'a str,
    pub status: RequestStatus,
    pub status_label: String,
    pub incident_label: String,
    pub created: String,
    pub provider: Option<ProviderContact>,
    pub staff_message: Option<String>,
    pub can_cancel: bool,
    pub erased: bool,
    pub timeline: Vec<TimelineLine>,
}

/// An event of the request, as the victim reads it.
#[derive(Debug, Serialize)]
pub(super) struct TimelineLine {
    pub when: String,
    pub label: String,
}

/// `pages/assistance/confirm`: a step the victim confirms before it is taken.
#[derive(Debug, Serialize)]
pub(super) struct Confirm {
    pub action: String,
    pub back: String,
    pub question: &'static str,
    pub consequence: &'static str,
    pub yes: &'static str,
}

/// `pages/assistance/survey`: the victim's opinion of the help received.
#[derive(Debug, Serialize)]
pub(super) struct Survey<'a> {
    pub token: &'a str,
    pub provider_name: String,
    pub answered: bool,
    pub done: Option<&'a str>,
    pub errors: BTreeMap<String, String>,
    pub ratings: Vec<Rating>,
}

/// A mark from 1 to 5, as a radio button.
#[derive(Debug, Serialize)]
pub(super) struct Rating {
    pub value: u8,
    pub id: String,
}

/// `pages/assistance/request`: the victim's request form, on the site or in a module.
#[derive(Debug, Serialize)]
pub(super) struct RequestPage {
    /// The site's anonymous form token (`anonymous_page` sets it); none in a module.
    pub csrf_token: Option<String>,
    /// The incident's first advice and whom to call, once its type is known.
    pub advice: Option<IncidentAdvice>,
    /// The incident is not one for a professional: the advice replaces the form.
    pub advice_only: bool,
    pub form: super::request::RequestForm,
    /// The provider the victim picked from the search.
    pub provider_name: Option<String>,
    pub action: String,
    pub audiences: Vec<Checkbox>,
    pub incidents: Vec<Choice>,
    pub errors: BTreeMap<String, String>,
    /// The errors in the order of the page, each a link to its field.
    pub error_summary: Vec<crate::web::kit::ErrorLink>,
}

/// A checkbox or radio button of a form.
#[derive(Debug, Serialize)]
pub(super) struct Checkbox {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// `pages/partners/module_sent`: the request sent from a module.
#[derive(Debug, Serialize)]
pub(super) struct Sent {
    pub tracking_url: String,
}
