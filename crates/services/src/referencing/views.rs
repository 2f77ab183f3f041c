//! What the referencing API answers.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::directory::render::ProviderView;
use crate::domain::provider::ReferencingStatus;

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    /// `kbis` or `insurance`.
    pub kind: String,
    pub filename: String,
    pub size_bytes: i32,
    pub sha256: String,
    pub uploaded_at: NaiveDateTime,
    /// The last day the document covers (an insurance certificate's end), when given.
    pub valid_until: Option<NaiveDate>,
    /// The day a Kbis extract was issued.
    pub issued_on: Option<NaiveDate>,
    /// Past its last day: a new one is needed.
    pub outdated: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CharterStatus {
    pub current_version: String,
    pub accepted: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeRequestView {
    pub id: String,
    pub provider_id: String,
    /// The requested values of the reviewed fields.
    #[schema(value_type = Object)]
    pub changes: Value,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub reason: Option<String>,
    pub requested_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
}

/// An application as its organisation and staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    #[serde(flatten)]
    pub profile: ProviderView,
    pub status: ReferencingStatus,
    /// The state in French.
    pub status_label: String,
    /// Increases with every change; send it back with an action to detect a stale page.
    pub version: i32,
    pub documents: Vec<DocumentView>,
    pub charter: CharterStatus,
    pub pending_change_request: Option<ChangeRequestView>,
    /// Actions the caller may take now (`submit`, `approve`, ...).
    pub available_actions: Vec<String>,
}

impl ApplicationView {
    /// Whether the caller may take `action` now.
    pub fn can(&self, action: crate::domain::referencing::Action) -> bool {
        self.available_actions.iter().any(|a| a == action.slug())
    }
}

/// The answer to a profile update: a published profile's reviewed fields go to staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateOutcome {
    pub application: ApplicationView,
    pub change_request: Option<ChangeRequestView>,
}

/// The organisation an invitee just joined, and the invitee as a member of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct JoinedOrganisation {
    pub provider_id: String,
    pub member: MemberView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub is_owner: bool,
}
