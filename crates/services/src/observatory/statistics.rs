//! The public statistics: read from the published monthly files only, so that every page, API
//! answer and file shows the same protected figures, for any filter (a filter picks cells of
//! the one protected cube, never a new sum that could reveal a suppressed cell).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::open_data::{COLUMNS, TOTAL};
use crate::db::observatory as queries;
use crate::domain::observatory::parse_month;
use crate::error::AppError;
use crate::infra::Infra;

/// One cell of a month's table; a missing dimension is its total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Cell {
    /// The incident type's code; absent for all types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_type: Option<String>,
    /// `particulier`, `entreprise` or `collectivite`; absent for all audiences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The région's code (`non-renseignee` when no place was given); absent for France.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The number of cases; null when the cell is under statistical secrecy.
    pub count: Option<u64>,
}

/// A published revision of a month's file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Revision {
    pub revision: i32,
    /// When it was published (UTC).
    pub published_at: NaiveDateTime,
    /// What a correction changed; absent for the first publication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// SHA-256 of the CSV file.
    pub sha256: String,
}

/// A month with its published revisions, latest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    pub revisions: Vec<Revision>,
}

/// The months published, latest first.
pub fn months(state: &Infra) -> Result<Vec<Month>, AppError> {
    let mut conn = state.pool.get()?;
    let mut months: Vec<Month> = Vec::new();
    for (month, revision, sha256, note, published_at) in queries::releases(&mut conn)? {
        let entry = Revision {
            revision,
            published_at,
            note,
            sha256,
        };
        match months.last_mut() {
            Some(m) if m.month == month => m.revisions.push(entry),
            _ => months.push(Month {
                month,
                revisions: vec![entry],
            }),
        }
    }
    Ok(months)
}

/// A month's file as published (the latest revision unless one is asked for).
pub fn file(
    state: &Infra,
    month: &str,
    revision: Option<i32>,
) -> Result<queries::ReleaseRow, AppError> {
    if parse_month(month).is_none() {
        return Err(AppError::field(
            "mois",
            "Indiquez le mois sous la forme AAAA-MM.",
        ));
    }
    let mut conn = state.pool.get()?;
    let row = match revision {
        Some(r) => queries::release_revision(&mut conn, month, r)?,
        None => queries::release(&mut conn, month)?,
    };
    row.ok_or_else(|| AppError::not_found("Les chiffres de ce mois ne sont pas (encore) publiés."))
}

/// Which cells a reader asks for: each dimension a code, `total`, or anything (absent).
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CellFilter {
    /// An incident type's code, or `total`.
    #[param(pattern = r"^[a-z0-9_]{1,60}$")]
    pub incident_type: Option<String>,
    /// `particulier`, `entreprise`, `collectivite` or `total`.
    #[param(pattern = r"^[a-z]{1,20}$")]
    pub audience: Option<String>,
    /// A région's code, `non-renseignee` or `total`.
    #[param(pattern = r"^[a-z-]{1,60}$")]
    pub region: Option<String>,
}

fn keeps(want: &Option<String>, have: &Option<String>) -> bool {
    match want.as_deref() {
        None | Some("") => true,
        Some(TOTAL) => have.is_none(),
        Some(code) => have.as_deref() == Some(code),
    }
}

/// Checks a filter: each dimension a known code, `total`, or absent.
pub fn check_filter(state: &Infra, filter: &CellFilter) -> Result<(), AppError> {
    let known = |value: &Option<String>, exists: &dyn Fn(&str) -> bool| {
        value
            .as_deref()
            .is_none_or(|v| v.is_empty() || v == TOTAL || exists(v))
    };
    let mut errors = crate::error::FieldErrors::new();
    if !known(&filter.incident_type, &|v| state.taxonomy.get(v).is_some()) {
        errors.insert(
            "incident_type".into(),
            vec!["Ce type d'incident n'existe pas.".into()],
        );
    }
    if !known(&filter.audience, &|v| {
        crate::domain::audience::Audience::parse(v).is_some()
    }) {
        errors.insert("audience".into(), vec!["Ce public n'existe pas.".into()]);
    }
    if !known(&filter.region, &|v| {
        v == super::open_data::NO_REGION
            || state
                .departements
                .regions()
                .iter()
                .any(|(code, _)| code == v)
    }) {
        errors.insert("region".into(), vec!["Cette région n'existe pas.".into()]);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The cells of a published file that `filter` keeps.
pub fn cells_of(csv_text: &str, filter: &CellFilter) -> Result<Vec<Cell>, AppError> {
    Ok(read_cells(csv_text)?
        .into_iter()
        .filter(|c| {
            keeps(&filter.incident_type, &c.incident_type)
                && keeps(&filter.audience, &c.audience)
                && keeps(&filter.region, &c.region)
        })
        .collect())
}

/// The cells of a published file.
pub fn read_cells(csv_text: &str) -> Result<Vec<Cell>, AppError> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let column = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap_or(0);
    let (t, a, r, n) = (
        column("type_incident"),
        column("public"),
        column("region"),
        column("nombre"),
    );
    let dimension = |value: Option<&str>| value.filter(|v| *v != TOTAL).map(str::to_owned);
    let mut cells = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| AppError::Internal(format!("open-data file: {e}")))?;
        cells.push(Cell {
            incident_type: dimension(record.get(t)),
            audience: dimension(record.get(a)),
            region: dimension(record.get(r)),
            count: record.get(n).and_then(|v| v.parse().ok()),
        });
    }
    Ok(cells)
}
