//! A partner's own figures: the journeys started in its module and how far they went, the
//! requests sent from it and what became of them, by month. Small counts are suppressed as in
//! the public statistics, so a partner cannot recognise one of its users in a figure. The
//! figures are calendar months and years drawn from one protected table per calendar year
//! (12 months × outcomes, with the year's totals), never a sum over the window asked for:
//! whatever windows a partner asks, a month shows the same figure, and no difference of two
//! windows gives a hidden month back.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::partners as queries;
use crate::domain::assistance::RequestStatus;
use crate::domain::observatory::suppression::{Coord, DEFAULT_THRESHOLD, Protected};
use crate::domain::observatory::{FactKind, JOURNEY_STARTED, month_end, month_of, parse_month};
use crate::error::{AppError, FieldErrors, push_error};
use crate::infra::Infra;

/// The most months one answer covers.
pub const MAX_MONTHS: u32 = 36;

/// How far a journey went, in the order of the table's columns.
pub const JOURNEY_OUTCOMES: [(&str, &str); 5] = [
    (JOURNEY_STARTED, "Diagnostic non terminé"),
    ("advice", "Conseils"),
    ("redirection", "Orientation vers un service"),
    ("search", "Recherche d'un professionnel"),
    ("request", "Demande d'assistance"),
];

/// What became of a request, in the order of the table's columns.
pub const REQUEST_RESULTS: [(&str, &str); 5] = [
    ("waiting", "En attente d'un professionnel"),
    ("accepted", "Prise en charge"),
    ("resolved", "Résolue"),
    ("not_resolved", "Non résolue"),
    ("closed", "Annulée ou close"),
];

fn request_result(status: &str) -> usize {
    match RequestStatus::parse(status) {
        Some(RequestStatus::Accepted) => 1,
        Some(RequestStatus::Resolved) => 2,
        Some(RequestStatus::NotResolved) => 3,
        Some(RequestStatus::Cancelled | RequestStatus::Closed) => 4,
        _ => 0,
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// First month, `YYYY-MM`; 11 months before `to` when absent.
    #[param(pattern = r"^\d{4}-\d{2}$")]
    pub from: Option<String>,
    /// Last month, `YYYY-MM`; the current month when absent.
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
fn months(query: &StatisticsQuery, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), AppError> {
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
    let to = read("to", &query.to).unwrap_or_else(|| month_of(today));
    let from = read("from", &query.from)
        .unwrap_or_else(|| to.checked_sub_months(chrono::Months::new(11)).unwrap_or(to));
    if errors.is_empty() {
        if from > to {
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

/// A year's counts by month and column (12 × columns, row-major), per calendar year.
type ByYear = BTreeMap<i32, Vec<u64>>;

/// The rows of the months asked for, then each calendar year's total, drawn from one
/// protected table per year.
fn table(
    months: &[NaiveDate],
    columns: &[(&str, &str)],
    by_year: &ByYear,
) -> Result<Table, AppError> {
    let mut years: Vec<i32> = months.iter().map(|m| m.year()).collect();
    years.dedup();
    let mut month_rows = Vec::new();
    let mut year_rows = Vec::new();
    for year in years {
        let empty = vec![0; 12 * columns.len()];
        let interior = by_year.get(&year).unwrap_or(&empty);
        let cube = Protected::new(&[12, columns.len()], interior, DEFAULT_THRESHOLD)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let row = |m: Coord, month: String, label: String| Row {
            month,
            label,
            total: cube.published(&[m, None]),
            counts: columns
                .iter()
                .enumerate()
                .map(|(c, (code, _))| Cell {
                    code: (*code).to_owned(),
                    count: cube.published(&[m, Some(c)]),
                })
                .collect(),
        };
        for first in months.iter().filter(|m| m.year() == year) {
            month_rows.push(row(
                Some(first.month0() as usize),
                first.format("%Y-%m").to_string(),
                crate::french::month_fr(*first),
            ));
        }
        year_rows.push(row(None, year.to_string(), format!("Total {year}")));
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

/// A partner's figures over the months asked for. The caller has checked who asks: the
/// partner's key, or staff.
pub fn of_partner(
    state: &Infra,
    partner_id: &str,
    query: &StatisticsQuery,
) -> Result<PartnerStatistics, AppError> {
    let (from, to) = months(query, crate::french::paris_date(state.clock.now_naive()))?;
    let mut conn = state.pool.get()?;
    if !queries::exists(&mut conn, partner_id)? {
        return Err(AppError::not_found("Ce partenaire n'existe pas."));
    }
    // Whole calendar years: each is protected as one table.
    let (year_start, year_end) = (
        NaiveDate::from_ymd_opt(from.year(), 1, 1).unwrap_or(from),
        NaiveDate::from_ymd_opt(to.year(), 12, 31).unwrap_or(month_end(to)),
    );
    let facts = queries::facts_of(&mut conn, partner_id, year_start, year_end)?;
    drop(conn);
    // Each year's counts: 12 months × the table's columns, row-major.
    let mut journeys = BTreeMap::new();
    let mut requests = BTreeMap::new();
    let count = |by_year: &mut ByYear, day: NaiveDate, width: usize, column: usize| {
        by_year
            .entry(day.year())
            .or_insert_with(|| vec![0; 12 * width])[day.month0() as usize * width + column] += 1;
    };
    for (day, kind, outcome, _) in &facts {
        match FactKind::parse(kind) {
            Some(FactKind::Journey) => {
                let column = JOURNEY_OUTCOMES
                    .iter()
                    .position(|(c, _)| c == outcome)
                    .unwrap_or(0);
                count(&mut journeys, *day, JOURNEY_OUTCOMES.len(), column);
            }
            Some(FactKind::Request) => {
                count(
                    &mut requests,
                    *day,
                    REQUEST_RESULTS.len(),
                    request_result(outcome),
                );
            }
            None => {}
        }
    }
    let list = month_list(from, to);
    Ok(PartnerStatistics {
        partner: partner_id.to_owned(),
        from: from.format("%Y-%m").to_string(),
        to: to.format("%Y-%m").to_string(),
        threshold: DEFAULT_THRESHOLD,
        journeys: table(&list, &JOURNEY_OUTCOMES, &journeys)?,
        requests: table(&list, &REQUEST_RESULTS, &requests)?,
    })
}
