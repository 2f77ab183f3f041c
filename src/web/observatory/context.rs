//! What the observatory pages' templates read, typed: a field a template needs that a handler
//! forgets is a compile error, not a blank on the page.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::observatory::signals::SignalView;

/// An option of a list the observatory's forms offer, by its code.
#[derive(Debug, Serialize)]
pub(super) struct Coded {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

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
    pub info: Option<String>,
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
    pub revisions: Vec<RevisionLine>,
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
}

/// An alert in staff's list.
#[derive(Debug, Serialize)]
pub(super) struct AlertLine {
    pub id: String,
    pub title: String,
    pub scope: String,
    pub window: String,
    pub live: bool,
    pub withdrawn: bool,
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
