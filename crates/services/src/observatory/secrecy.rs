//! Statistical secrecy of what the observatory publishes: its files read as their reader
//! reads them, the audit every file passes before it goes out, and the audit of everything
//! published (`cyberdir observatory audit`). The criterion is `docs/statistical-secrecy.md`;
//! the rules are `domain::observatory::suppression`.

use super::open_data::Axes;
use crate::db::observatory as queries;
use crate::domain::observatory::suppression::attacker::{self, Exposure, Publication};
use crate::domain::observatory::suppression::{Coord, DEFAULT_THRESHOLD, Progress};
use crate::error::AppError;
use crate::infra::Infra;

/// A published file as its reader sees it: every cell of the cube in the layout of
/// [`Protected`], read by its codes. A file of another shape (a type since added or
/// withdrawn) is refused: it cannot be read with today's tables.
pub fn publication_of(axes: &Axes, csv_text: &str) -> Result<Publication, AppError> {
    let [types, audiences, regions] = axes.sizes();
    let slot = |code: &Option<String>, codes: &[&str], size: usize| match code {
        None => Some(size),
        Some(code) => codes.iter().position(|c| c == code),
    };
    let mut values = vec![None; (types + 1) * (audiences + 1) * (regions + 1)];
    let mut seen = vec![false; values.len()];
    let type_codes: Vec<&str> = axes.types.iter().map(|t| t.0.as_str()).collect();
    let audience_codes: Vec<&str> = axes.audiences.iter().map(|a| a.code()).collect();
    let region_codes: Vec<&str> = axes.regions.iter().map(|r| r.0.as_str()).collect();
    let other_shape = || {
        AppError::Conflict("Ce fichier publié n'a pas la forme des tableaux d'aujourd'hui.".into())
    };
    for cell in super::statistics::read_cells(csv_text)? {
        let t = slot(&cell.incident_type, &type_codes, types);
        let a = slot(&cell.audience, &audience_codes, audiences);
        let r = slot(&cell.region, &region_codes, regions);
        let (Some(t), Some(a), Some(r)) = (t, a, r) else {
            return Err(other_shape());
        };
        let idx = (t * (audiences + 1) + a) * (regions + 1) + r;
        values[idx] = cell.count;
        seen[idx] = true;
    }
    if seen.contains(&false) {
        return Err(other_shape());
    }
    Publication::new(&[types, audiences, regions], values)
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The cell of an exposure, in words: "type × public × région".
pub fn describe(axes: &Axes, exposure: &Exposure) -> String {
    let name = |coord: Option<&Coord>, names: &[String], all: &str| match coord.copied().flatten() {
        Some(i) => names.get(i).cloned().unwrap_or_default(),
        None => all.to_owned(),
    };
    let types: Vec<String> = axes.types.iter().map(|t| t.0.clone()).collect();
    let audiences: Vec<String> = axes.audiences.iter().map(|a| a.code().to_owned()).collect();
    let regions: Vec<String> = axes.regions.iter().map(|r| r.1.clone()).collect();
    format!(
        "{} × {} × {}",
        name(exposure.cell.first(), &types, "tous types"),
        name(exposure.cell.get(1), &audiences, "tous publics"),
        name(exposure.cell.get(2), &regions, "France entière"),
    )
}

/// An interval as a reader would state it: "exactement 3", "entre 1 et 14".
pub fn interval_fr(lower: u64, upper: u64) -> String {
    if lower == upper {
        format!("exactement {lower}")
    } else {
        format!("entre {lower} et {upper}")
    }
}

/// The audit before a file goes out: the attacker's programme over the month's earlier
/// files and this one. A file that lets its reader bound a secret cell under the threshold
/// is refused, the cell named.
pub fn audit_before_release(
    axes: &Axes,
    earlier: &[Publication],
    csv_text: &str,
) -> Result<(), AppError> {
    audit_before_release_watched(axes, earlier, csv_text, &mut |_| {})
}

/// As [`audit_before_release`], telling `watch` how far the audit has gone.
pub fn audit_before_release_watched(
    axes: &Axes,
    earlier: &[Publication],
    csv_text: &str,
    watch: &mut dyn FnMut(Progress),
) -> Result<(), AppError> {
    let mut revisions = earlier.to_vec();
    revisions.push(publication_of(axes, csv_text)?);
    match first_exposure(&revisions, watch)? {
        None => Ok(()),
        Some(e) => Err(AppError::Conflict(format!(
            "Publication refusée : avec les fichiers déjà publiés, un lecteur saurait que la case {} vaut {} (le secret exige qu'elle puisse valoir {DEFAULT_THRESHOLD} ou plus).",
            describe(axes, &e),
            interval_fr(e.lower, e.upper)
        ))),
    }
}

/// The audit before anything goes out (a month's file, a partner's table): the first cell
/// a reader of `revisions` (what was published before, then the candidate) bounds under
/// the threshold, if any.
pub fn first_exposure(
    revisions: &[Publication],
    watch: &mut dyn FnMut(Progress),
) -> Result<Option<Exposure>, AppError> {
    let exposures = attacker::exposures_watched(revisions, DEFAULT_THRESHOLD, watch)
        .map_err(|e| AppError::Internal(format!("audit du secret statistique : {e}")))?;
    Ok(exposures.into_iter().next())
}

/// What the audit of one published table, with all its revisions, found.
#[derive(Debug, Clone)]
pub struct TableAudit {
    /// `YYYY-MM` for a month's open-data file; the partner, the table and the year for a
    /// partner's figures.
    pub table: String,
    pub revisions: usize,
    /// Secret cells in the latest revision.
    pub secret_cells: usize,
    /// Each cell a reader of every revision bounds under the threshold, in words, with the
    /// revision (1 for the first file) and the interval.
    pub exposures: Vec<(String, usize, u64, u64)>,
    /// The narrowest interval found, the same way (`attacker::Audit`).
    pub narrowest: Option<(String, usize, u64, u64)>,
}

/// How many of the secret cells whose witnesses came nearest the threshold the audit of
/// everything published bounds, to print the narrowest interval found when nothing is
/// exposed: two programmes each, about 1.2 s on a corrected month (`BENCHMARKS.md`, "The
/// audit of a corrected month").
pub const NARROWEST_PROBES: usize = 3;

impl TableAudit {
    /// The audit of a table's revisions, each cell named by `describe`.
    pub fn of(
        table: String,
        revisions: &[Publication],
        describe: impl Fn(&Exposure) -> String,
    ) -> Result<TableAudit, AppError> {
        let audit = attacker::audit(revisions, DEFAULT_THRESHOLD, NARROWEST_PROBES)
            .map_err(|e| AppError::Internal(format!("{table} : {e}")))?;
        let said = |e: &Exposure| (describe(e), e.revision + 1, e.lower, e.upper);
        Ok(TableAudit {
            revisions: revisions.len(),
            secret_cells: revisions.last().map_or(0, Publication::secret_count),
            exposures: audit.exposures.iter().map(said).collect(),
            narrowest: audit.narrowest.as_ref().map(said),
            table,
        })
    }
}

/// The audit of every published month, each with all its revisions read together.
pub fn audit_published(state: &Infra) -> Result<Vec<TableAudit>, AppError> {
    let mut conn = state.pool.get()?;
    let mut months: Vec<String> = queries::releases(&mut conn)?
        .into_iter()
        .map(|r| r.0)
        .collect();
    months.dedup();
    months.reverse();
    let axes = Axes::of(state);
    let mut audits = Vec::new();
    for month in months {
        let revisions = queries::release_history(&mut conn, &month)?
            .iter()
            .map(|row| publication_of(&axes, &row.csv))
            .collect::<Result<Vec<_>, _>>()?;
        audits.push(TableAudit::of(month, &revisions, |e| describe(&axes, e))?);
    }
    Ok(audits)
}
