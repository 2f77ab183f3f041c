//! What the label API answers: applications with their criteria, labels, evidence.

use crate::domain::label::LabelStatus;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::label_application::{ApplicationKind, ApplicationStatus, FeeStatus, Finding};

#[derive(Debug, Serialize, ToSchema)]
pub struct LabelApplicationView {
    pub id: String,
    pub provider_id: String,
    pub provider_name: String,
    pub kind: ApplicationKind,
    pub status: ApplicationStatus,
    /// The state in French.
    pub status_label: String,
    /// Increases with every change; send it back with an action to detect a stale page.
    pub version: i32,
    pub fee: FeeView,
    pub auditor: Option<AuditorView>,
    pub audit_date: Option<NaiveDate>,
    /// How many times the audit was recorded (a second round verifies corrective actions).
    pub audit_round: i32,
    pub recommendation: Option<String>,
    /// The date by which major non-conformities must be answered.
    pub corrective_deadline: Option<NaiveDate>,
    /// The reason given with a refusal, or what is missing when incomplete.
    pub decision_reason: Option<String>,
    /// The label renewed, or issued once granted.
    pub label_number: Option<String>,
    pub criteria_version: String,
    pub criteria: Vec<CriterionView>,
    /// Actions the caller may take now (`submit`, `grant`, ...).
    pub available_actions: Vec<String>,
    pub created_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeeView {
    pub amount_cents: i32,
    pub status: FeeStatus,
    pub status_label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditorView {
    pub id: String,
    pub display_name: String,
}

/// One criterion of the framework with the provider's answer, evidence and the last finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionView {
    pub code: String,
    pub group: String,
    pub title: String,
    pub evidence_expected: String,
    pub blocking: bool,
    pub answer: Option<String>,
    pub evidence: Vec<EvidenceView>,
    pub finding: Option<FindingView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub id: String,
    pub criterion: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub uploaded_at: NaiveDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    pub finding: Finding,
    pub finding_label: String,
    pub comment: String,
    pub round: i32,
}

/// A label as staff and its holder see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LabelView {
    /// `EC-YYYY-NNNN`.
    pub number: String,
    pub provider_id: String,
    pub provider_name: String,
    /// `valid`, `suspended`, `expired` or `withdrawn`.
    pub status: LabelStatus,
    pub status_label: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// A renewal submitted before expiry is being examined: the label stays valid until its
    /// decision, at most until `renewal_until`.
    pub renewal_pending: bool,
    pub renewal_until: Option<NaiveDate>,
}

/// Labels staff watch.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelLists {
    /// Valid labels ending within 90 days, soonest first.
    pub expiring: Vec<LabelView>,
    pub suspended: Vec<LabelView>,
    pub withdrawn: Vec<LabelView>,
    /// Every valid label, by number (the directory's labelled providers).
    pub valid: Vec<LabelView>,
}

/// What anyone may check about a label a provider shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelVerification {
    pub number: String,
    /// The holder's public name.
    pub provider_name: String,
    pub siret: String,
    /// `valid`, `suspended`, `expired` or `withdrawn`, as of today.
    pub status: LabelStatus,
    pub status_label: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}
