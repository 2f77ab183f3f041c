//! A partner's own figures: the journeys started in its module and how far they went, the
//! requests sent from it and what became of them, by month. Small counts are suppressed as in
//! the public statistics, so a partner cannot recognise one of its users in a figure. The
//! figures are calendar months and years drawn from one protected table per calendar year
//! (12 months × outcomes, with the year's totals), never a sum over the window asked for:
//! whatever windows a partner asks, a month shows the same figure, and no difference of two
//! windows gives a hidden month back. A month is published once it has ended, and each
//! year's table is frozen as it stood then (`partner_figures`): a later table of the year
//! (the next month ended, a request moved on) is protected together with those already
//! published, so no two answers on any two days can be differenced either.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::tables::{Layout, Subject, read_year};
use crate::db::partners as queries;
use crate::domain::observatory::suppression::attacker::Publication;
use crate::domain::observatory::suppression::{Coord, DEFAULT_THRESHOLD, Protected};
use crate::domain::observatory::{month_end, month_of, parse_month};
use crate::error::{AppError, FieldErrors, push_error};
use crate::infra::Infra;
use crate::observatory::secrecy::{TableAudit, first_exposure};

/// The most months one answer covers.
pub const MAX_MONTHS: u32 = 36;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// First month, `YYYY-MM`; 11 months before `to` when absent.
    #[param(pattern = r"^\d{4}-\d{2}$")]
    pub from: Option<String>,
    /// Last month, `YYYY-MM`; the last month ended when absent. A month is published once it
    /// has ended, never before.
    #[param(pattern = r"^\d{4}-\d{2}$")]
    pub to: Option<String>,
}

/// One row of a table: a count per column and the row's total; `null` where suppressed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Row {
    /// `YYYY-MM` for a month, `YYYY` for a calendar year's total.
    pub month: String,
    /// The month in French.
    pub label: String,
    /// A year's total over the months ended so far, not the whole year.
    pub partial: bool,
    pub total: Option<u64>,
    /// By column code, in the table's order.
    pub counts: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cell {
    pub code: String,
    /// `null` when the count is under the threshold, or would reveal one that is.
    pub count: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Table {
    pub columns: Vec<Column>,
    /// One row per month asked for, then one per calendar year they fall in (the whole
    /// year's total, whatever months were asked).
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Column {
    pub code: String,
    pub label: String,
}

/// A partner's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerStatistics {
    pub partner: String,
    pub from: String,
    pub to: String,
    /// Counts from 1 to `threshold - 1` are never published.
    pub threshold: u64,
    /// Journeys started in the module, by how far they went.
    pub journeys: Table,
    /// Requests sent from the module, by what became of them.
    pub requests: Table,
}

/// The months asked for, each problem a French message on its parameter.
/// A month is published once it has ended: `last_ended` is the latest.
fn months(
    query: &StatisticsQuery,
    last_ended: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), AppError> {
    let mut errors = FieldErrors::new();
    let mut read = |name: &str, raw: &Option<String>| match raw.as_deref() {
        None => None,
        Some(text) => {
            let parsed = parse_month(text);
            if parsed.is_none() {
                push_error(
                    &mut errors,
                    name,
                    "Un mois s'écrit AAAA-MM, par exemple 2026-11.",
                );
            }
            parsed
        }
    };
    let to = read("to", &query.to).unwrap_or(last_ended);
    let from = read("from", &query.from)
        .unwrap_or_else(|| to.checked_sub_months(chrono::Months::new(11)).unwrap_or(to));
    if errors.is_empty() {
        if to > last_ended {
            push_error(
                &mut errors,
                "to",
                format!(
                    "Les chiffres d'un mois sont publiés une fois le mois terminé : le dernier publié est {} ({}).",
                    crate::french::month_fr(last_ended),
                    last_ended.format("%Y-%m")
                ),
            );
        } else if from > to {
            push_error(
                &mut errors,
                "from",
                "Le premier mois doit précéder le dernier.",
            );
        } else if month_list(from, to).len() > MAX_MONTHS as usize {
            push_error(&mut errors, "from", format!("{MAX_MONTHS} mois au plus."));
        }
    }
    if errors.is_empty() {
        Ok((from, to))
    } else {
        Err(AppError::Validation(errors))
    }
}

fn month_list(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut list = Vec::new();
    let mut month = from;
    while month <= to {
        list.push(month);
        match month.checked_add_months(chrono::Months::new(1)) {
            Some(next) => month = next,
            None => break,
        }
    }
    list
}

/// The table of a partner's year as published when its months up to `through` had ended,
/// with its layout: read back if it was, otherwise protected now together with the year's
/// tables already published (a month's figure may change when a request moves on; the new
/// table keeps every earlier secret secret, in the layout of the year's first table) and
/// stored, the first of two simultaneous requests standing.
fn published_year(
    state: &Infra,
    partner_id: &str,
    year: i32,
    through: u32,
    subject: Subject,
) -> Result<(Layout, Publication), AppError> {
    let mut conn = state.pool.get()?;
    let published = queries::figures_of_year(&mut conn, partner_id, year, subject.code())?;
    let (layout, mut earlier) = read_year(subject, published.iter().map(|r| r.cells.as_str()))?;
    // The table of these months, or a later one (the clock never goes back, but a table
    // published is never replaced by an older view).
    if let Some(at) = published
        .iter()
        .position(|row| u32::try_from(row.through_month).is_ok_and(|m| m >= through))
    {
        return Ok((layout, earlier.swap_remove(at)));
    }
    let first = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| AppError::Internal(format!("année {year}")))?;
    let last = NaiveDate::from_ymd_opt(year, through, 1).map_or(first, month_end);
    let sizes = layout.sizes();
    let mut interior = vec![0u64; sizes[0] * sizes[1]];
    for (day, kind, outcome, _) in queries::facts_of(&mut conn, partner_id, first, last)? {
        if let Some(column) = layout.column(&kind, &outcome) {
            interior[day.month0() as usize * sizes[1] + column] += 1;
        }
    }
    let publication = Protected::revising(&sizes, &interior, DEFAULT_THRESHOLD, &earlier)
        .map_err(|e| AppError::Internal(e.to_string()))?
        .publication();
    audit_before_release(partner_id, year, layout, earlier, &publication)?;
    let row = queries::FiguresRow {
        partner_id: partner_id.to_owned(),
        year,
        through_month: i32::try_from(through).unwrap_or(12),
        subject: subject.code().to_owned(),
        cells: serde_json::to_string(publication.values())
            .map_err(|e| AppError::Internal(e.to_string()))?,
        published_at: state.clock.now_naive(),
    };
    if queries::insert_figures(&mut conn, &row)? {
        return Ok((layout, publication));
    }
    let stored = queries::figures_of_year(&mut conn, partner_id, year, subject.code())?;
    let kept = stored
        .iter()
        .find(|r| r.through_month == row.through_month)
        .map_or(Ok(publication), |r| layout.read(&r.cells))?;
    Ok((layout, kept))
}

/// The audit before a year's table goes out, as before any publication: the attacker's
/// programme over the tables of the year already given to the partner and this one. A table
/// that would let the partner bound a secret count under the threshold is refused; the
/// cell is named in the log only (a cell of counts, nobody's data), never to the partner.
fn audit_before_release(
    partner_id: &str,
    year: i32,
    layout: Layout,
    mut revisions: Vec<Publication>,
    candidate: &Publication,
) -> Result<(), AppError> {
    revisions.push(candidate.clone());
    let Some(exposure) = first_exposure(&revisions, &mut |_| {})? else {
        return Ok(());
    };
    let cell = layout.describe(year, &exposure.cell);
    tracing::error!(
        partner_id,
        year,
        subject = layout.subject.code(),
        cell,
        lower = exposure.lower,
        upper = exposure.upper,
        "partner figures refused by the audit"
    );
    // The partner is the reader the secret protects: the bounds go to the log only.
    Err(AppError::Conflict(
        "Ces chiffres ne peuvent pas être publiés : l'audit du secret statistique les a refusés (le détail est consigné pour l'équipe de la plateforme, et `cyberdir observatory audit` le donne).".into(),
    ))
}

/// The audit of every table given to partners (`cyberdir observatory audit`): each partner's
/// year on each subject, all its tables read together.
pub fn audit_published(state: &Infra) -> Result<Vec<TableAudit>, AppError> {
    let mut conn = state.pool.get()?;
    let rows = queries::all_figures(&mut conn)?;
    let mut audits = Vec::new();
    for group in rows
        .chunk_by(|a, b| (&a.partner_id, &a.subject, a.year) == (&b.partner_id, &b.subject, b.year))
    {
        let Some(first) = group.first() else {
            continue;
        };
        let subject = Subject::parse(&first.subject).ok_or_else(|| {
            AppError::Internal(format!(
                "chiffres du partenaire {} : tableau inconnu « {} »",
                first.partner_id, first.subject
            ))
        })?;
        let (layout, revisions) = read_year(subject, group.iter().map(|r| r.cells.as_str()))?;
        let table = format!(
            "partenaire {}, {} {}",
            first.partner_id,
            subject.name(),
            first.year
        );
        audits.push(TableAudit::of(table, &revisions, |e| {
            layout.describe(first.year, &e.cell)
        })?);
    }
    Ok(audits)
}

/// The rows of the months asked for, then each calendar year's total (over its months
/// ended so far), read from the year's published table.
fn table(
    state: &Infra,
    partner_id: &str,
    months: &[NaiveDate],
    last_ended: NaiveDate,
    subject: Subject,
) -> Result<Table, AppError> {
    let columns = subject.columns();
    let mut years: Vec<i32> = months.iter().map(|m| m.year()).collect();
    years.dedup();
    let mut month_rows = Vec::new();
    let mut year_rows = Vec::new();
    for year in years {
        let through = if year < last_ended.year() {
            12
        } else {
            last_ended.month()
        };
        let (layout, cube) = published_year(state, partner_id, year, through, subject)?;
        let row = |m: Coord, month: String, label: String, partial: bool| Row {
            month,
            label,
            partial,
            total: layout.shown(&cube, m, None),
            counts: columns
                .iter()
                .enumerate()
                .map(|(c, (code, _))| Cell {
                    code: (*code).to_owned(),
                    count: layout.shown(&cube, m, Some(c)),
                })
                .collect(),
        };
        for first in months.iter().filter(|m| m.year() == year) {
            month_rows.push(row(
                Some(first.month0() as usize),
                first.format("%Y-%m").to_string(),
                crate::french::month_fr(*first),
                false,
            ));
        }
        let name =
            |m: u32| NaiveDate::from_ymd_opt(year, m, 1).map_or("", crate::french::month_name);
        let label = match through {
            12.. => format!("Total {year}"),
            1 => format!("Total {year} (janvier, année en cours)"),
            _ => format!(
                "Total {year} ({} à {}, année en cours)",
                name(1),
                name(through)
            ),
        };
        year_rows.push(row(None, year.to_string(), label, through < 12));
    }
    month_rows.extend(year_rows);
    Ok(Table {
        columns: columns
            .iter()
            .map(|(code, label)| Column {
                code: (*code).to_owned(),
                label: (*label).to_owned(),
            })
            .collect(),
        rows: month_rows,
    })
}

/// A partner's figures over the months asked for, each an ended month. The caller has
/// checked who asks: the partner's key, or staff.
pub fn of_partner(
    state: &Infra,
    partner_id: &str,
    query: &StatisticsQuery,
) -> Result<PartnerStatistics, AppError> {
    let today = crate::french::paris_date(state.clock.now_naive());
    let last_ended = month_of(today)
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(today);
    let (from, to) = months(query, last_ended)?;
    {
        let mut conn = state.pool.get()?;
        if !queries::exists(&mut conn, partner_id)? {
            return Err(AppError::not_found("Ce partenaire n'existe pas."));
        }
    }
    let list = month_list(from, to);
    Ok(PartnerStatistics {
        partner: partner_id.to_owned(),
        from: from.format("%Y-%m").to_string(),
        to: to.format("%Y-%m").to_string(),
        threshold: DEFAULT_THRESHOLD,
        journeys: table(state, partner_id, &list, last_ended, Subject::Journeys)?,
        requests: table(state, partner_id, &list, last_ended, Subject::Requests)?,
    })
}
