//! The staff queue of applications: one selection (search, filters, order, counts per state, a
//! page or the whole list as CSV), shared by the API (`GET /api/v1/applications`) and the pages
//! (`/instruction`, `/instruction/export.csv`). Everything is computed in the database
//! (`db::provider_queue`), so the list answers as fast with 100,000 organisations as with 1,000.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::NaiveDateTime;

use crate::db::provider_queue::{self as queries, QueueQuery};
use crate::domain::actor::Actor;
use crate::domain::provider::ReferencingStatus;
use crate::domain::referencing::ChangeRequestStatus;
use crate::domain::text::fold;
use crate::error::AppError;
use crate::infra::Infra;

pub use crate::db::provider_queue::{QueueColumn, QueueRow};

/// The longest search staff may type, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// What staff filter the queue by; `since` and `until` are instants (each front door decides
/// how a typed day becomes one); `search` is free text over the name, legal name, SIRET,
/// email, commune and postcode (every word must appear, accents and case ignored).
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: Option<ReferencingStatus>,
    pub departement: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
    pub search: String,
    /// Only the files this staff member follows ("mes dossiers").
    pub followed_by: Option<String>,
}

/// The order of the list: a column, and whether it runs from the largest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueOrder {
    pub column: QueueColumn,
    pub descending: bool,
}

impl Default for QueueOrder {
    /// The most recently changed first.
    fn default() -> Self {
        Self {
            column: QueueColumn::Updated,
            descending: true,
        }
    }
}

impl QueueOrder {
    /// The order as the address writes it: the column's name, `-` in front when descending
    /// (`nom`, `-modifie`); `None` for a name no column has.
    pub fn parse(raw: &str) -> Option<Self> {
        let (descending, name) = match raw.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, raw),
        };
        let column = COLUMNS.iter().find(|(_, n)| *n == name)?.0;
        Some(Self { column, descending })
    }

    pub fn as_param(self) -> String {
        let name = column_param(self.column);
        if self.descending {
            format!("-{name}")
        } else {
            name.to_owned()
        }
    }
}

/// Each sortable column and its name in addresses.
pub const COLUMNS: [(QueueColumn, &str); 5] = [
    (QueueColumn::Name, "nom"),
    (QueueColumn::City, "commune"),
    (QueueColumn::Departement, "departement"),
    (QueueColumn::Updated, "modifie"),
    (QueueColumn::Created, "cree"),
];

pub fn column_param(column: QueueColumn) -> &'static str {
    COLUMNS
        .iter()
        .find(|(c, _)| *c == column)
        .map_or("modifie", |(_, name)| name)
}

/// The search as the database reads it: folded words, each of which must start a word of the
/// organisation's (groups of digits typed apart, as a SIRET is written, `123 456 789 00012`,
/// joined while they fit in a SIRET); or a field error when too long.
pub fn search_words(search: &str) -> Result<Vec<String>, AppError> {
    if search.chars().count() > MAX_SEARCH_CHARS {
        return Err(AppError::field(
            "q",
            format!("La recherche est limitée à {MAX_SEARCH_CHARS} caractères."),
        ));
    }
    let digits = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    let mut words: Vec<String> = Vec::new();
    for word in fold(search).split(' ').filter(|w| !w.is_empty()) {
        match words.last_mut() {
            Some(last) if digits(last) && digits(word) && last.len() + word.len() <= 14 => {
                last.push_str(word);
            }
            _ => words.push(word.to_owned()),
        }
    }
    // A single letter starts most words: alone it would read most of the index for nothing
    // a person looks for. Beside longer words it is left out; alone it is refused.
    if !words.is_empty() && words.iter().all(|w| w.len() < 2) {
        return Err(AppError::field(
            "q",
            "Tapez au moins deux lettres ou chiffres pour rechercher.",
        ));
    }
    words.retain(|w| w.len() >= 2);
    words.sort();
    words.dedup();
    Ok(words)
}

fn query_of(filter: &QueueFilter, order: QueueOrder) -> Result<QueueQuery, AppError> {
    Ok(QueueQuery {
        status: filter.status.map(|s| s.as_str().to_owned()),
        departement: filter.departement.clone(),
        since: filter.since,
        until: filter.until,
        words: search_words(&filter.search)?,
        indexed_first: false,
        followed_by: filter.followed_by.clone(),
        column: order.column,
        descending: order.descending,
    })
}

/// One page of the queue.
#[derive(Debug, Default)]
pub struct QueuePage {
    /// Applications per state, over every filter but the state.
    pub counts: BTreeMap<String, i64>,
    /// Applications matching every filter.
    pub total: usize,
    pub lines: Vec<QueueRow>,
}

/// The applications matching `filter` in `order`, `limit` of them from `offset`, with the
/// counts (staff).
pub fn select(
    state: &Infra,
    staff: &Actor,
    filter: &QueueFilter,
    order: QueueOrder,
    offset: usize,
    limit: usize,
) -> Result<QueuePage, AppError> {
    staff.require_staff()?;
    let mut query = query_of(filter, order)?;
    let mut conn = state.pool.get()?;
    queries::rarest_first(&mut conn, &mut query)?;
    let counts: BTreeMap<String, i64> = queries::counts_by_status(&mut conn, &query)?
        .into_iter()
        .collect();
    // Without a state, the total is the tabs' sum: one query fewer.
    let total = match filter.status {
        None => counts.values().sum(),
        Some(_) => queries::count(&mut conn, &query)?,
    };
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let lines = if offset < total {
        queries::page(&mut conn, &query, offset, limit)?
    } else {
        Vec::new()
    };
    Ok(QueuePage {
        counts,
        total: usize::try_from(total).unwrap_or(0),
        lines,
    })
}

/// The CSV file's header, then one line per application.
const EXPORT_HEADER: [&str; 12] = [
    "identifiant",
    "nom",
    "raison_sociale",
    "siret",
    "courriel",
    "telephone",
    "code_postal",
    "commune",
    "departement",
    "etat",
    "cree_le_heure_de_paris",
    "modifie_le_heure_de_paris",
];

/// Writes every application matching `filter`, in `order`, to `out` as CSV (UTF-8 with its
/// byte-order mark, so that a spreadsheet reads the accents), a chunk at a time from one
/// snapshot of the database: memory does not grow with the list, and a change made during
/// the export neither repeats nor drops a line. Returns how many lines were written. A write
/// that fails (the client went away) stops the export.
pub fn export(
    state: &Infra,
    staff: &Actor,
    filter: &QueueFilter,
    order: QueueOrder,
    out: impl Write,
) -> Result<usize, AppError> {
    staff.require_staff()?;
    let mut query = query_of(filter, order)?;
    let mut conn = state.pool.get()?;
    queries::rarest_first(&mut conn, &mut query)?;
    crate::csv_export::write(
        &mut conn,
        out,
        &EXPORT_HEADER,
        |conn, offset, limit| Ok(queries::page(conn, &query, offset, limit)?),
        |_, r| {
            let status = ReferencingStatus::parse(&r.status)
                .map(crate::domain::referencing::label)
                .unwrap_or_default();
            Ok(vec![
                r.id.clone(),
                r.name.clone(),
                r.legal_name.clone(),
                r.siret.clone(),
                r.email.clone(),
                r.phone.clone(),
                r.postcode.clone(),
                r.city.clone(),
                r.departement.clone(),
                status.to_owned(),
                crate::french::time::paris_iso(r.created_at),
                crate::french::time::paris_iso(r.updated_at),
            ])
        },
    )
}

/// Change requests waiting for staff (the queue's reminder).
pub fn pending_change_requests(state: &Infra, staff: &Actor) -> Result<usize, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    Ok(
        crate::db::referencing::change_requests_by_status(&mut conn, ChangeRequestStatus::Pending)?
            .len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_read_as_folded_words_with_a_siret_typed_in_groups_joined() {
        assert_eq!(
            search_words("Dupont  RENNES").unwrap(),
            ["dupont", "rennes"]
        );
        assert_eq!(search_words("Saint-Étienne").unwrap(), ["etienne", "saint"]);
        assert_eq!(
            search_words("444 444 444 00044").unwrap(),
            ["44444444400044"]
        );
        assert_eq!(
            search_words("13 001 marseille").unwrap(),
            ["13001", "marseille"]
        );
        assert_eq!(
            search_words("contact@a3.example.fr").unwrap(),
            ["a3", "contact", "example", "fr"]
        );
        assert!(search_words("  ").unwrap().is_empty());
        assert_eq!(search_words("x conseil").unwrap(), ["conseil"]);
        assert!(search_words("s").is_err());
        assert!(search_words(&"a".repeat(201)).is_err());
    }
}
