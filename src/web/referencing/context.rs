//! The typed context of the organisation page in the portal, so that a field the template reads
//! and the handler forgets is a compile error, not a blank.

use serde::Serialize;

use super::profile_form::ProfileForm;

#[derive(Serialize)]
pub(super) struct OrganisationPage<'a> {
    pub id: &'a str,
    pub base: String,
    pub name: String,
    pub legal_name: &'a str,
    pub status: &'static str,
    pub status_label: &'a str,
    pub status_help: &'static str,
    pub public_url: Option<String>,
    pub staff_reason: Option<StaffReason>,
    pub info: Option<&'static str>,
    pub alert: Option<String>,
    pub summary: Option<ErrorSummary>,
    pub checklist: Option<Checklist>,
    pub editable: bool,
    pub approved: bool,
    pub form: Option<ProfileForm>,
    pub summary_profile: Option<Vec<LabelledValue>>,
    pub pending_change: Option<PendingChange>,
    pub documents: Vec<DocumentItem>,
    pub upload: Option<Upload>,
    pub charter: CharterBlock<'a>,
    pub actions: ActionsBlock,
    pub members: Vec<MemberItem>,
    pub can_invite: bool,
    pub invite: InviteBlock,
    pub timeline: Vec<TimelineItem>,
}

/// The staff's last written reason, when the state is the result of it.
#[derive(Serialize)]
pub(super) struct StaffReason {
    pub heading: &'static str,
    pub text: String,
    pub date: String,
    pub datetime: String,
}

#[derive(Serialize)]
pub(super) struct ErrorSummary {
    pub title: &'static str,
    pub items: Vec<SummaryItem>,
}

#[derive(Serialize)]
pub(super) struct SummaryItem {
    pub href: String,
    pub message: String,
}

#[derive(Serialize)]
pub(super) struct Checklist {
    pub ready: bool,
    pub items: Vec<ChecklistItem>,
}

#[derive(Serialize)]
pub(super) struct ChecklistItem {
    pub label: &'static str,
    pub done: bool,
    pub href: &'static str,
    pub details: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct LabelledValue {
    pub label: &'static str,
    pub value: String,
}

#[derive(Serialize)]
pub(super) struct PendingChange {
    pub date: String,
    pub items: Vec<LabelledValue>,
}

#[derive(Serialize)]
pub(super) struct DocumentKind {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Serialize)]
pub(super) struct Upload {
    pub kinds: Vec<DocumentKind>,
    pub kind_error: Option<String>,
    pub file_error: Option<String>,
    pub valid_until: String,
    pub valid_until_error: Option<String>,
    pub issued_on: String,
    pub issued_on_error: Option<String>,
    pub kbis_months: u32,
    pub max: &'static str,
}

#[derive(Serialize)]
pub(super) struct DocumentItem {
    pub label: &'static str,
    pub filename: String,
    pub size: String,
    pub date: String,
    pub valid_until: Option<String>,
    pub issued_on: Option<String>,
    pub outdated: bool,
    pub url: String,
}

#[derive(Serialize)]
pub(super) struct CharterBlock<'a> {
    pub title: &'a str,
    pub version: &'a str,
    pub published_on: String,
    pub commitments: &'a [String],
    pub accepted: bool,
    pub error: Option<String>,
}

#[derive(Serialize)]
pub(super) struct ActionsBlock {
    pub any: bool,
    pub submit: bool,
    pub resubmit: bool,
    pub withdraw: bool,
    pub version: i32,
    pub withdraw_error: Option<String>,
}

#[derive(Serialize)]
pub(super) struct MemberItem {
    pub name: String,
    pub email: String,
    pub owner: bool,
    pub me: bool,
}

#[derive(Serialize)]
pub(super) struct InviteBlock {
    pub email: String,
    pub error: Option<String>,
}

#[derive(Serialize)]
pub(super) struct TimelineItem {
    pub date: String,
    pub datetime: String,
    pub what: String,
    pub by: Option<String>,
    pub change: Option<String>,
    pub reason: Option<String>,
    /// A profile edit's changes, a line per field.
    pub changes: Vec<String>,
}
