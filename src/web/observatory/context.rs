//! What the observatory pages' templates read, typed: a field a template needs that a handler
//! forgets is a compile error, not a blank on the page.

use std::collections::BTreeMap;

use serde::Serialize;

pub(super) use crate::web::kit::Coded;

use crate::observatory::signals::SignalView;

/// A checkbox or radio button of the alert form.
#[derive(Debug, Serialize)]
pub(super) struct Checked {
    pub code: String,
    pub label: String,
    pub checked: bool,
}

/// `pages/observatory/files`: the monthly open-data files and their revisions.
#[derive(Debug, Serialize)]
pub(super) struct Files {
    pub months: Vec<MonthFiles>,
}

/// A month published, with each revision of its file.
#[derive(Debug, Serialize)]
pub(super) struct MonthFiles {
    pub month: String,
    pub label: String,
    /// Why the last correction of this month was refused.
    pub error: Option<String>,
    /// The refused correction's note, typed again.
    pub note: Option<String>,
    /// The month's correction waiting or being computed: its page.
    pub pending: Option<String>,
    pub revisions: Vec<RevisionLine>,
}

/// `pages/observatory/correction`: a correction, followed while it is computed.
#[derive(Debug, Serialize)]
pub(super) struct Correction {
    #[serde(flatten)]
    pub view: crate::observatory::corrections::CorrectionView,
    /// The month in words ("octobre 2026").
    pub label: String,
    pub asked: String,
    pub finished: Option<String>,
    /// Where the page's script reads the progress.
    pub status_url: String,
    pub published: bool,
    /// The page's own script (`static/progress.js`), and its refresh without JavaScript.
    pub script: &'static str,
    pub refresh_without_js: Option<u32>,
}

/// A revision of a month's file.
#[derive(Debug, Serialize)]
pub(super) struct RevisionLine {
    pub revision: i32,
    pub published: String,
    pub note: Option<String>,
    pub sha256: String,
    pub url: String,
}

/// `pages/observatory/alerts`: the alerts, and the waves detected lately.
#[derive(Debug, Serialize)]
pub(super) struct Alerts {
    pub info: Option<&'static str>,
    pub alerts: Vec<AlertLine>,
    pub signals: Vec<SignalView>,
    /// Why the weekly method does not look for waves yet, when it does not.
    pub weekly_pending: Option<String>,
    /// The list's tools around the alerts.
    #[serde(flatten)]
    pub list: crate::web::listing::ListTools,
}

/// An alert in staff's list.
#[derive(Debug, Serialize)]
pub(super) struct AlertLine {
    pub id: String,
    pub title: String,
    pub scope: String,
    pub window: String,
    pub live: bool,
    /// The state's badge (its tone's code) and its French.
    pub state: &'static str,
    pub state_label: &'static str,
    /// What withdrawing it asks first (online alerts only).
    pub confirm: Option<crate::web::kit::Confirmation>,
}

/// `pages/observatory/alert_form`: a new alert.
#[derive(Debug, Serialize)]
pub(super) struct AlertForm {
    pub errors: BTreeMap<String, String>,
    pub has_errors: bool,
    /// Not `title`: the layout's page title has that name.
    pub alert_title: String,
    pub alert_body: String,
    pub signal_id: Option<String>,
    pub valid_from: String,
    pub valid_until: String,
    pub types: Vec<Checked>,
    pub audiences: Vec<Checked>,
    pub scopes: Vec<Checked>,
    pub regions: Vec<Coded>,
    pub departements: Vec<Coded>,
}

/// `pages/observatory/statistics`: a month's published figures, or nothing yet.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(super) enum Statistics {
    /// No month is published yet.
    Empty {
        empty: bool,
    },
    Month(Box<MonthStatistics>),
}

/// A month's published figures, by type and by région, for one région or type chosen.
#[derive(Debug, Serialize)]
pub(super) struct MonthStatistics {
    /// What a signalement is (`observatory::SIGNALEMENT`).
    pub definition: &'static str,
    pub month: String,
    pub month_label: String,
    pub region_name: String,
    pub incident_label: String,
    pub audiences: Vec<&'static str>,
    pub by_type: Vec<FigureRow>,
    pub by_region: Vec<FigureRow>,
    pub revisions: Vec<PublishedRevision>,
    pub csv: String,
    pub threshold: u64,
    pub form: StatisticsForm,
}

/// A row of figures: one per audience, then the total.
#[derive(Debug, Serialize)]
pub(super) struct FigureRow {
    pub label: String,
    pub values: Vec<Figure>,
}

/// A figure as published: its value in French, or secret (a small count, or the complement
/// that would reveal one).
#[derive(Debug, Serialize)]
pub(super) struct Figure {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

/// The page's choices: the month, the région and the type.
#[derive(Debug, Serialize)]
pub(super) struct StatisticsForm {
    pub months: Vec<Coded>,
    pub regions: Vec<Coded>,
    pub types: Vec<Coded>,
}

/// A version of the month's file, as a link.
#[derive(Debug, Serialize)]
pub(super) struct PublishedRevision {
    pub revision: i32,
    pub published: String,
    pub note: Option<String>,
    pub href: String,
}

/// `pages/observatory/dashboard`: the threat over a period, for staff.
#[derive(Debug, Serialize)]
pub(super) struct Dashboard {
    /// What a signalement is (`observatory::SIGNALEMENT`).
    pub definition: &'static str,
    pub period: String,
    pub cases: String,
    pub previous_cases: String,
    /// Journeys that named no threat or public: not signalements.
    pub unnamed: String,
    pub change: Option<String>,
    /// The charts, as SVG.
    pub weeks_chart: String,
    pub weeks: Vec<WeekLine>,
    pub top: Vec<Threats>,
    pub regions: Vec<RegionLine>,
    pub unplaced: String,
    pub journeys: Journeys,
    pub funnel_chart: String,
    pub funnel: Funnel,
    pub response: Response,
    pub csv: CsvLinks,
    pub form: DashboardForm,
    /// The filters' problems, when the filters sent were refused.
    pub errors: BTreeMap<String, String>,
    pub invalid: bool,
}

/// A week's reports, and the same week a year before.
#[derive(Debug, Serialize)]
pub(super) struct WeekLine {
    pub week: String,
    /// "partielle : 3 jours sur 7" for a week the period cuts, "en cours" for the week of
    /// today when the period ends today.
    pub partial: Option<String>,
    pub count: String,
    pub year_before: String,
}

/// The main threats for an audience.
#[derive(Debug, Serialize)]
pub(super) struct Threats {
    pub audience: &'static str,
    pub chart: String,
    pub rows: Vec<ThreatLine>,
}

/// A threat's reports, against the period before.
#[derive(Debug, Serialize)]
pub(super) struct ThreatLine {
    pub label: String,
    pub count: String,
    pub previous: String,
    pub change: String,
}

/// A région's reports, and its départements'.
#[derive(Debug, Serialize)]
pub(super) struct RegionLine {
    pub name: String,
    pub count: String,
    pub departements: Vec<PlaceCount>,
}

/// A département's reports.
#[derive(Debug, Serialize)]
pub(super) struct PlaceCount {
    pub name: String,
    pub count: String,
}

/// Where the diagnostic's journeys ended.
#[derive(Debug, Serialize)]
pub(super) struct Journeys {
    pub total: String,
    pub started: String,
    pub advice: String,
    pub redirection: String,
    pub search: String,
    pub request: String,
}

/// What became of the assistance requests.
#[derive(Debug, Serialize)]
pub(super) struct Funnel {
    pub requests: String,
    pub accepted: String,
    pub resolved: String,
    pub escalated: String,
}

/// How fast providers accepted.
#[derive(Debug, Serialize)]
pub(super) struct Response {
    pub accepted: String,
    pub median: String,
    pub p90: String,
    pub within_hour: String,
}

/// The views as CSV files, with the same filters.
#[derive(Debug, Serialize)]
pub(super) struct CsvLinks {
    pub weeks: String,
    pub threats: String,
    pub places: String,
    pub journeys: String,
    pub assistance: String,
}

/// The dashboard's filters.
#[derive(Debug, Serialize)]
pub(super) struct DashboardForm {
    pub periods: Vec<Coded>,
    pub du: String,
    pub au: String,
    pub audiences: Vec<Coded>,
    pub types: Vec<Coded>,
    pub categories: Vec<Coded>,
    pub regions: Vec<Coded>,
    pub departements: Vec<Coded>,
    pub channels: Vec<Coded>,
}
