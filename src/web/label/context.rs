//! What the label pages' templates read, typed: a field a template needs that a handler
//! forgets is a compile error, not a blank on the page.

use serde::Serialize;

use crate::domain::label::LabelStatus;

/// `pages/label/overview`: an organisation's label area.
#[derive(Debug, Serialize)]
pub(super) struct Overview {
    pub provider_name: String,
    pub organisation_href: String,
    /// The area's address, that its links start with.
    pub base: String,
    pub label: Option<LabelCard>,
    pub can_apply: bool,
    /// The application fee, in euros as written in French.
    pub fee: String,
    pub not_approved: bool,
    /// Why the last action was refused, shown above the page.
    pub error: Option<String>,
    pub applications: Vec<ApplicationLine>,
}

/// The organisation's newest label, whatever its state.
#[derive(Debug, Serialize)]
pub(super) struct LabelCard {
    pub number: String,
    pub status: LabelStatus,
    pub status_label: String,
    pub valid: bool,
    pub valid_from: String,
    pub valid_until: String,
    pub days_left: i64,
    pub renewal_pending: bool,
}

/// An application in the area's list.
#[derive(Debug, Serialize)]
pub(super) struct ApplicationLine {
    pub href: String,
    /// "Première demande" or "Renouvellement".
    pub kind: &'static str,
    pub status_label: String,
    pub created: String,
    pub open: bool,
}

/// A theme of the reference framework, with its criteria as a form shows them.
#[derive(Debug, Serialize)]
pub(super) struct CriteriaGroup {
    pub title: String,
    pub criteria: Vec<CriterionRow>,
}

/// A criterion on an application's page: the provider's answer and pieces, the auditor's
/// finding, the error of the last post.
#[derive(Debug, Serialize)]
pub(super) struct CriterionRow {
    pub code: String,
    /// The form field's id (`answers-adm-01`).
    pub field_id: String,
    pub title: String,
    pub evidence_expected: String,
    pub blocking: bool,
    pub answer: Option<String>,
    pub evidence: Vec<EvidenceLink>,
    pub finding: Option<FindingShown>,
    pub error: Option<String>,
    /// The auditor's form only: the findings to choose from, and the comment as typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<FindingChoice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A piece of evidence, as a link.
#[derive(Debug, Serialize)]
pub(super) struct EvidenceLink {
    pub id: String,
    pub filename: String,
    pub href: String,
}

/// The auditor's finding on a criterion.
#[derive(Debug, Serialize)]
pub(super) struct FindingShown {
    pub code: crate::domain::label_application::Finding,
    pub label: String,
    pub comment: String,
    pub major: bool,
}

/// A finding the auditor may choose, as a radio button.
#[derive(Debug, Serialize)]
pub(super) struct FindingChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub id: String,
    pub checked: bool,
}
