//! The monthly open-data file: every cell of the month's cube (incident type × audience ×
//! région, with every total), small counts suppressed with their complements, as CSV (UTF-8)
//! described by a Table Schema. A month's file is frozen once published; a correction is a
//! new revision with its note. The public statistics read these files, so what is published
//! is published once, the same everywhere.

use chrono::NaiveDate;

use super::cube::{Codes, Facts, day_number};
use super::secrecy::audit_before_release;
use crate::auth::tokens;
use crate::db::DbConnection;
use crate::db::observatory::{self as queries, ReleaseRow};
use crate::domain::audience::Audience;
use crate::domain::observatory::month_end;
use crate::domain::observatory::suppression::attacker::Publication;
use crate::domain::observatory::suppression::{Coord, DEFAULT_THRESHOLD, Progress, Protected};
use crate::error::AppError;
use crate::infra::Infra;

/// The Table Schema of the file.
pub const SCHEMA: &str = include_str!("../../../../fixtures/observatory/schema.json");

/// The code of every total in the file, and of the facts with no place.
pub const TOTAL: &str = "total";
pub const NO_REGION: &str = "non-renseignee";

/// The columns, in order (as the Table Schema names them).
pub const COLUMNS: [&str; 9] = [
    "mois",
    "type_incident",
    "libelle_type_incident",
    "categorie",
    "public",
    "region",
    "libelle_region",
    "nombre",
    "secret",
];

/// The cube's dimensions: the taxonomy's types, the audiences, the régions and "no place".
pub struct Axes {
    pub types: Vec<(String, String, String)>,
    pub audiences: Vec<Audience>,
    pub regions: Vec<(String, String)>,
}

impl Axes {
    pub fn of(state: &Infra) -> Self {
        let mut regions = state.departements.regions();
        regions.push((NO_REGION.into(), "Non renseignée".into()));
        Self {
            types: state
                .taxonomy
                .all()
                .iter()
                .map(|t| (t.code.clone(), t.label.clone(), t.category.clone()))
                .collect(),
            audiences: Audience::ALL.to_vec(),
            regions,
        }
    }

    pub fn sizes(&self) -> [usize; 3] {
        [self.types.len(), self.audiences.len(), self.regions.len()]
    }
}

/// The month's cases (counted facts with an incident type and an audience), protected with
/// the month's files already published (`earlier`, oldest first; none for a first file).
pub fn protect_month(
    axes: &Axes,
    facts: &Facts,
    first: NaiveDate,
    earlier: &[Publication],
) -> Result<Protected, AppError> {
    protect_interior(
        axes,
        &month_interior(axes, facts, first),
        earlier,
        &mut |_| true,
    )
}

/// A month's cases by type × audience × région ([`month_interior`]) protected with the
/// month's files already published, `watch` told how far the protection has gone (it answers
/// whether to go on trying a correction's complements back).
pub fn protect_interior(
    axes: &Axes,
    interior: &[u64],
    earlier: &[Publication],
    watch: &mut dyn FnMut(Progress) -> bool,
) -> Result<Protected, AppError> {
    Protected::revising_watched(&axes.sizes(), interior, DEFAULT_THRESHOLD, earlier, watch)
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The month's cases by type × audience × région (row-major), before any protection.
pub fn month_interior(axes: &Axes, facts: &Facts, first: NaiveDate) -> Vec<u64> {
    let [types, audiences, regions] = axes.sizes();
    let d = &facts.dims;
    let position = |codes: &Codes, list: &mut dyn Iterator<Item = String>| -> Vec<Option<usize>> {
        let mut map = vec![None; codes.codes_len() + 1];
        for (i, code) in list.enumerate() {
            let k = codes.find(&code);
            if k != Codes::UNKNOWN {
                map[k as usize] = Some(i);
            }
        }
        map
    };
    let type_of = position(&d.incident, &mut axes.types.iter().map(|t| t.0.clone()));
    let audience_of = position(
        &d.audience,
        &mut axes.audiences.iter().map(|a| a.code().to_owned()),
    );
    let mut region_of = position(&d.region, &mut axes.regions.iter().map(|r| r.0.clone()));
    region_of[Codes::NONE as usize] = Some(regions - 1);
    let (from, to) = (day_number(first), day_number(month_end(first)));
    let mut interior = vec![0u64; types * audiences * regions];
    for f in &facts.rows {
        if !f.counted || f.kind.is_none() || f.day < from || f.day > to {
            continue;
        }
        let at = |map: &[Option<usize>], k: u16| map.get(k as usize).copied().flatten();
        let (Some(t), Some(a), Some(r)) = (
            at(&type_of, f.incident),
            at(&audience_of, f.audience),
            at(&region_of, f.region),
        ) else {
            continue;
        };
        interior[(t * audiences + a) * regions + r] += 1;
    }
    interior
}

/// The month's file, every cell of the protected cube, totals included.
pub fn csv_of(axes: &Axes, first: NaiveDate, cube: &Protected) -> Result<String, AppError> {
    let month = first.format("%Y-%m").to_string();
    let mut out = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| AppError::Internal(e.to_string());
    out.write_record(COLUMNS).map_err(internal)?;
    let with_total = |n: usize| (0..n).map(Some).chain(std::iter::once(None));
    for t in with_total(axes.types.len()) {
        for a in with_total(axes.audiences.len()) {
            for r in with_total(axes.regions.len()) {
                let coords: [Coord; 3] = [t, a, r];
                let (code, label, category) = match t.and_then(|t| axes.types.get(t)) {
                    Some((c, l, k)) => (c.as_str(), l.as_str(), k.as_str()),
                    None => (TOTAL, "Tous types", ""),
                };
                let audience = a
                    .and_then(|a| axes.audiences.get(a))
                    .map_or(TOTAL, |a| a.code());
                let (region, region_label) = match r.and_then(|r| axes.regions.get(r)) {
                    Some((c, n)) => (c.as_str(), n.as_str()),
                    None => (TOTAL, "France entière"),
                };
                let published = cube.published(&coords);
                let count = published.map(|n| n.to_string()).unwrap_or_default();
                let secret = if published.is_none() { "true" } else { "false" };
                out.write_record([
                    month.as_str(),
                    code,
                    label,
                    category,
                    audience,
                    region,
                    region_label,
                    &count,
                    secret,
                ])
                .map_err(internal)?;
            }
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))
}

/// The months a file is due for: every month with facts, ended at least a day before `today`
/// (so that the last evening's journeys are in), without a file yet.
fn due_months(
    facts: &Facts,
    (today, window_start): (NaiveDate, NaiveDate),
    published: &[String],
) -> Vec<NaiveDate> {
    let Some(first_day) = facts.first_day() else {
        return Vec::new();
    };
    // Months before the window are no longer recomputed.
    let first_day = first_day.max(window_start);
    let mut months = Vec::new();
    let mut month = crate::domain::observatory::month_of(first_day);
    while month_end(month) < today.pred_opt().unwrap_or(today) {
        if !published.contains(&month.format("%Y-%m").to_string()) {
            months.push(month);
        }
        let Some(next) = month.checked_add_months(chrono::Months::new(1)) else {
            break;
        };
        month = next;
    }
    months
}

/// Publishes the file of every month due; returns how many this process published.
pub fn publish_due(state: &Infra, cube: &super::cube::Cube) -> Result<usize, AppError> {
    let mut conn = state.pool.get()?;
    let published: Vec<String> = queries::releases(&mut conn)?
        .into_iter()
        .map(|r| r.0)
        .collect();
    let facts = super::facts(state, cube, &mut conn)?;
    let today = state.clock.today();
    let window = (today, super::window_start(state, today));
    let months = due_months(&facts, window, &published);
    if months.is_empty() {
        return Ok(0);
    }
    let axes = Axes::of(state);
    // The months' counts read under the cube's lock, given back before the protection's
    // minutes: the dashboard's updates wait for it.
    let interiors: Vec<(NaiveDate, Vec<u64>)> = months
        .into_iter()
        .map(|month| (month, month_interior(&axes, &facts, month)))
        .collect();
    drop(facts);
    let mut files = Vec::new();
    for (month, interior) in interiors {
        let protected = protect_interior(&axes, &interior, &[], &mut |_| true)?;
        files.push((month, csv_of(&axes, month, &protected)?));
    }
    let mut done = 0;
    for (month, csv) in files {
        if let Err(e) = audit_before_release(&axes, &[], &csv) {
            tracing::error!(month = %month.format("%Y-%m"), error = %e.said(), "open-data file withheld");
            continue;
        }
        done += usize::from(release(state, &mut conn, month, 1, csv, None)?);
    }
    Ok(done)
}

/// Publishes a revision of a month's file; false when that revision exists already.
pub(super) fn release(
    state: &Infra,
    conn: &mut DbConnection,
    month: NaiveDate,
    revision: i32,
    csv: String,
    note: Option<String>,
) -> Result<bool, AppError> {
    let row = ReleaseRow {
        month: month.format("%Y-%m").to_string(),
        revision,
        sha256: tokens::digest(&csv),
        csv,
        note,
        published_at: state.clock.now_naive(),
    };
    // Two processes may publish the same month at once: the first wins, the other does nothing.
    Ok(queries::insert_release(conn, &row)?)
}
