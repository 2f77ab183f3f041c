//! What the label pages' templates read, typed: a field a template needs that a handler
//! forgets is a compile error, not a blank on the page.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::audit::EventView;
use crate::domain::label::LabelStatus;
use crate::domain::label_application::{ApplicationStatus, FeeStatus};
use crate::web::kit::{Choice, Tab};

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

/// `pages/label/audits`: the auditor's applications.
#[derive(Debug, Serialize)]
pub(super) struct Audits {
    pub info: Option<&'static str>,
    pub to_do: Vec<AuditLine>,
    pub done: Vec<AuditLine>,
    /// How many other files, their columns, pages and page sizes, the search and order kept
    /// by the search form, and what was wrong in the asking.
    pub summary: String,
    pub headers: Vec<crate::web::listing::SortHeader>,
    pub pagination: crate::web::kit::Pagination,
    pub sizes: Vec<crate::web::listing::SizeChoice>,
    pub search: String,
    pub tri: String,
    pub errors: BTreeMap<String, String>,
}

/// An application in the auditor's list.
#[derive(Debug, Serialize)]
pub(super) struct AuditLine {
    pub href: String,
    pub provider_name: String,
    /// The state's code (its badge's tone) and its French.
    pub status: &'static str,
    pub status_label: &'static str,
    pub audit_date: Option<String>,
}

/// `pages/label/audit`: the audit report's form.
#[derive(Debug, Serialize)]
pub(super) struct Audit {
    pub id: String,
    pub version: i32,
    pub provider_name: String,
    pub status_label: String,
    pub audit_date: Option<String>,
    /// 1 for the first audit, 2 after corrective actions.
    pub round: i32,
    pub second_round: bool,
    pub can_record: bool,
    pub groups: Vec<CriteriaGroup>,
    pub errors: BTreeMap<String, String>,
    pub error_summary: Vec<crate::web::kit::ErrorLink>,
    pub recommendation: Option<String>,
    /// When the draft read into the form was saved, and how far it goes.
    pub draft_note: Option<String>,
    /// The draft was saved by the last submission (said as a success).
    pub draft_saved_now: bool,
    pub criteria_count: usize,
    /// What the last submission did.
    pub info: Option<&'static str>,
    /// The audit report joined, if any.
    pub report: Option<ReportLine>,
    /// The auditor may join (or replace) the report now.
    pub can_attach: bool,
    pub events: Vec<EventLine>,
}

/// An event of an application's or a label's trail.
#[derive(Debug, Serialize)]
pub(super) struct EventLine {
    pub when: String,
    /// What happened, in French.
    pub action: String,
    /// The state it led to, in French; empty when none.
    pub to: &'static str,
    pub actor: Option<String>,
    pub reason: Option<String>,
}

impl EventLine {
    /// A trail as pages show it: newest first, each action in `words`.
    pub fn trail(events: &[EventView], words: fn(&str) -> String) -> Vec<EventLine> {
        events
            .iter()
            .rev()
            .map(|e| EventLine {
                when: crate::web::kit::date_fr(e.created_at),
                action: words(&e.action),
                to: ApplicationStatus::parse(&e.to_state)
                    .map(|s| s.label())
                    .unwrap_or(""),
                actor: e.actor.clone(),
                reason: e.reason.clone(),
            })
            .collect()
    }
}

/// `pages/label/application`: an application, for its organisation's members.
#[derive(Debug, Serialize)]
pub(super) struct Application<'a> {
    pub info: Option<&'a str>,
    pub errors: BTreeMap<String, String>,
    pub error_summary: Vec<crate::web::kit::ErrorLink>,
    pub overview_href: String,
    pub base: String,
    pub provider_name: String,
    pub renewal: bool,
    pub status: ApplicationStatus,
    pub status_label: String,
    pub version: i32,
    pub fee: String,
    pub fee_status: String,
    pub auditor: Option<String>,
    pub audit_date: Option<String>,
    pub corrective_deadline: Option<String>,
    pub decision_reason: Option<String>,
    pub recommendation: Option<String>,
    pub label_number: Option<String>,
    pub granted: bool,
    pub audited: bool,
    pub editable: bool,
    pub corrective: bool,
    pub groups: Vec<CriteriaGroup>,
    pub criteria: Vec<CriterionName>,
    pub can_submit: bool,
    pub can_submit_corrections: bool,
    pub can_withdraw: bool,
    pub events: Vec<EventLine>,
}

/// A criterion by its code and title (the evidence form's choice).
#[derive(Debug, Serialize)]
pub(super) struct CriterionName {
    pub code: String,
    pub title: String,
}

/// `pages/label/queue`: the label team's applications, by state.
#[derive(Debug, Serialize)]
pub(super) struct Queue {
    /// The tabs (every state, "Mes dossiers", each state) keep the search and the order.
    pub tabs: Vec<Tab>,
    pub all_current: bool,
    pub all_href: String,
    pub mine_href: String,
    pub total: i64,
    pub info: Option<&'static str>,
    pub rows: Vec<QueueLine>,
    /// "Mes dossiers": only the applications the viewer follows.
    pub mine: bool,
    pub mine_count: usize,
    /// The search as typed, the CSV of the list as filtered, and a wrong search's message.
    pub search: String,
    pub export: String,
    /// The state shown (its code), kept by the search.
    pub current_state: &'static str,
    /// "12 demandes", the caption saying the order, the columns that sort, the pages, the
    /// page sizes, and the order kept by the search (empty: the default).
    pub summary: String,
    pub caption: String,
    pub headers: Vec<crate::web::listing::SortHeader>,
    pub pagination: crate::web::kit::Pagination,
    pub sizes: Vec<crate::web::listing::SizeChoice>,
    pub tri: String,
    pub errors: BTreeMap<String, String>,
}

/// An application in the label team's queue.
#[derive(Debug, Serialize)]
pub(super) struct QueueLine {
    pub href: String,
    pub provider_name: String,
    pub kind: &'static str,
    /// The state's code (its badge's tone).
    pub status: &'static str,
    pub status_label: &'static str,
    pub fee_label: &'static str,
    pub fee_pending: bool,
    pub audit_date: Option<String>,
    pub deadline: Option<String>,
    pub updated: String,
    /// Who follows the application.
    pub follower: Option<String>,
}

/// `pages/label/review`: an application, for the label team.
#[derive(Debug, Serialize)]
pub(super) struct Review {
    pub id: String,
    pub version: i32,
    pub info: Option<String>,
    pub errors: BTreeMap<String, String>,
    /// The errors at the top of the page, each a link to its field.
    pub error_summary: Vec<crate::web::kit::ErrorLink>,
    pub provider_name: String,
    pub provider_href: String,
    pub renewal: bool,
    /// The state's code (its badge's tone).
    pub status: &'static str,
    pub status_label: String,
    pub fee: String,
    pub fee_status: FeeStatus,
    pub fee_label: String,
    pub fee_open: bool,
    pub fee_choices: Vec<Choice>,
    pub auditor: Option<String>,
    pub audit_date: Option<String>,
    pub audit_date_iso: Option<String>,
    pub corrective_deadline: Option<String>,
    pub recommendation: Option<String>,
    pub decision_reason: Option<String>,
    pub label_number: Option<String>,
    pub can_schedule: bool,
    pub auditors: Vec<Choice>,
    pub actions: Vec<StepButton>,
    pub groups: Vec<CriteriaGroup>,
    /// What the audit found, counted, shown above the decision.
    pub findings: Option<FindingsSummary>,
    pub events: Vec<EventLine>,
    /// Who follows the application and staff's private notes.
    pub case: crate::web::cases::CaseSection,
    /// The auditor's report, read before deciding.
    pub report: Option<ReportLine>,
}

/// The audit's findings at a glance: how many of each, and the non-conformities named.
#[derive(Debug, Serialize)]
pub(super) struct FindingsSummary {
    pub counts: Vec<FindingCount>,
    pub gaps: Vec<FindingGap>,
}

#[derive(Debug, Serialize)]
pub(super) struct FindingCount {
    pub label: String,
    pub count: usize,
}

/// A non-conformity: its criterion and what the auditor wrote.
#[derive(Debug, Serialize)]
pub(super) struct FindingGap {
    pub code: String,
    pub title: String,
    pub label: String,
    pub comment: String,
    pub major: bool,
}

impl FindingsSummary {
    /// From the criteria as the page shows them; `None` before the audit.
    pub fn of(groups: &[CriteriaGroup]) -> Option<Self> {
        use crate::domain::label_application::Finding;
        let findings: Vec<(&CriterionRow, &FindingShown)> = groups
            .iter()
            .flat_map(|g| g.criteria.iter())
            .filter_map(|c| c.finding.as_ref().map(|f| (c, f)))
            .collect();
        if findings.is_empty() {
            return None;
        }
        let counts = Finding::ALL
            .iter()
            .filter_map(|kind| {
                let shown: Vec<_> = findings.iter().filter(|(_, f)| f.code == *kind).collect();
                shown.first().map(|(_, f)| FindingCount {
                    label: f.label.clone(),
                    count: shown.len(),
                })
            })
            .collect();
        let mut gaps: Vec<FindingGap> = findings
            .iter()
            .filter(|(_, f)| {
                matches!(
                    f.code,
                    Finding::NonConformiteMineure | Finding::NonConformiteMajeure
                )
            })
            .map(|(c, f)| FindingGap {
                code: c.code.clone(),
                title: c.title.clone(),
                label: f.label.clone(),
                comment: f.comment.clone(),
                major: f.major,
            })
            .collect();
        gaps.sort_by_key(|g| !g.major);
        Some(Self { counts, gaps })
    }
}

/// A step the team may take, as its button and, when it needs one, its reason's field.
#[derive(Debug, Serialize)]
pub(super) struct StepButton {
    pub slug: &'static str,
    pub button: &'static str,
    pub reason: bool,
    pub reason_label: &'static str,
    pub danger: bool,
    pub error: Option<String>,
    /// What the confirmation asks (the page's `data-confirm`, the modal's text).
    pub confirm: Option<crate::web::kit::Confirmation>,
}

/// `pages/label/labels`: the labels the team watches.
#[derive(Debug, Serialize)]
pub(super) struct Labels {
    pub expiring: WatchList,
    pub suspended: WatchList,
    pub withdrawn: WatchList,
    pub valid_count: String,
    /// The register: the labels of the state asked for, searched, sorted and paged, and the
    /// list's tools around them.
    pub register: Vec<LabelLine>,
    #[serde(flatten)]
    pub list: crate::web::listing::ListTools,
}

/// A list the team watches: its first labels, and the register's address for all of them
/// when there are more.
#[derive(Debug, Serialize)]
pub(super) struct WatchList {
    pub rows: Vec<LabelLine>,
    pub more: Option<MoreLink>,
}

#[derive(Debug, Serialize)]
pub(super) struct MoreLink {
    pub text: String,
    pub href: String,
}

/// A label in one of the team's lists.
#[derive(Debug, Serialize)]
pub(super) struct LabelLine {
    pub href: String,
    pub number: String,
    pub provider_name: String,
    /// The state's code (its badge's tone) and its French.
    pub status: &'static str,
    pub status_label: String,
    pub valid_until: String,
    pub renewal_pending: bool,
}

/// `pages/label/label`: a label, for the team.
#[derive(Debug, Serialize)]
pub(super) struct Label {
    pub number: String,
    pub provider_name: String,
    pub provider_href: String,
    /// The state's code (its badge's tone) and its French.
    pub status: &'static str,
    pub status_label: String,
    pub valid_from: String,
    pub valid_until: String,
    pub renewal_pending: bool,
    pub actions: Vec<LabelButton>,
    pub events: Vec<EventLine>,
}

/// A decision on a label, as its button.
#[derive(Debug, Serialize)]
pub(super) struct LabelButton {
    pub slug: &'static str,
    pub button: &'static str,
    pub reason: bool,
    pub error: Option<String>,
    /// Asked first (the modal with JavaScript); `None` for reinstating.
    pub confirm: Option<crate::web::kit::Confirmation>,
}

/// `pages/label/verify`: a label number checked by anyone.
#[derive(Debug, Serialize)]
pub(super) struct Verified {
    pub found: bool,
    pub valid: bool,
    pub number: String,
    pub provider_name: String,
    pub siret: String,
    pub status: LabelStatus,
    pub status_label: String,
    pub valid_from: String,
    pub valid_until: String,
}

/// `pages/label/verify` for a number that is not a label.
#[derive(Debug, Serialize)]
pub(super) struct NotVerified {
    pub found: bool,
    pub number: String,
    pub message: String,
}

/// The audit report as a link: its name, size and when it was joined.
#[derive(Debug, Serialize)]
pub(super) struct ReportLine {
    pub href: String,
    pub filename: String,
    pub size: String,
    pub uploaded: String,
}

impl ReportLine {
    pub fn of(id: &str, (filename, size, at): crate::label::drafts::ReportSummary) -> Self {
        ReportLine {
            href: format!("/label/{id}/rapport-audit"),
            filename,
            size: crate::web::kit::size_fr(size),
            uploaded: crate::web::kit::datetime_fr(at),
        }
    }
}
