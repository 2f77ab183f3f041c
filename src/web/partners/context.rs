//! What the partner staff's pages read, typed: a field a template needs that a handler
//! forgets is a compile error, not a blank on the page.

use std::collections::BTreeMap;

use serde::Serialize;

pub(super) use crate::web::kit::Coded;

use crate::partners::PartnerView;
use crate::partners::keys::{IssuedKey, KeyView};
use crate::partners::statistics::Column;

/// `pages/partners/list`: the partners, and the keys to rotate soon.
#[derive(Debug, Serialize)]
pub(super) struct List {
    pub partners: Vec<PartnerView>,
    pub expiring: Vec<ExpiringLine>,
    /// The list's tools around the partners.
    #[serde(flatten)]
    pub list: crate::web::listing::ListTools,
}

/// A key that expires soon.
#[derive(Debug, Serialize)]
pub(super) struct ExpiringLine {
    pub partner_id: String,
    pub partner_name: String,
    pub prefix: String,
    pub expires: String,
}

/// The partner form's choices and values (`pages/partners/new`, and the partner's page).
#[derive(Debug, Serialize)]
pub(super) struct Form {
    pub errors: BTreeMap<String, String>,
    pub has_errors: bool,
    pub form: Typed,
    pub scopes: Vec<Coded>,
    pub states: Vec<Coded>,
}

/// The partner as typed.
#[derive(Debug, Serialize)]
pub(super) struct Typed {
    pub name: String,
    pub contact_name: String,
    pub contact_email: String,
    /// One per line.
    pub origins: String,
    pub accent: Option<String>,
    pub version: Option<i32>,
}

/// `pages/partners/partner`: a partner's settings, keys, figures and integration.
#[derive(Debug, Serialize)]
pub(super) struct Partner {
    #[serde(flatten)]
    pub form: Form,
    pub partner: PartnerView,
    pub info: Option<&'static str>,
    /// A key just issued: shown once.
    pub issued: Option<IssuedKey>,
    pub key_error: Option<String>,
    pub keys: Vec<KeyView>,
    pub valid_keys: usize,
    /// The largest count never published (the secrecy threshold minus one).
    pub largest_secret: u64,
    /// The figures, or why they cannot be shown (the rest of the page works either way:
    /// a key can still be revoked).
    pub figures: Result<PartnerFigures, String>,
    /// What the partner's web team pastes.
    pub snippet: String,
    /// What the partner adds to its Content-Security-Policy.
    pub csp: String,
}

/// The partner's two tables as read.
#[derive(Debug, Serialize)]
pub(super) struct PartnerFigures {
    pub journeys: FiguresTable,
    pub requests: FiguresTable,
}

/// A figures table as read: grouped thousands, a dash where a count is not published.
#[derive(Debug, Serialize)]
pub(super) struct FiguresTable {
    pub columns: Vec<Column>,
    pub rows: Vec<FiguresRow>,
}

/// A month of figures.
#[derive(Debug, Serialize)]
pub(super) struct FiguresRow {
    pub label: String,
    pub cells: Vec<String>,
    pub total: String,
}
