//! A partner's own figures: the journeys started in its module and how far they went, the
//! requests sent from it and what became of them, by month. Small counts are suppressed as in
//! the public statistics (primary and secondary suppression over the month × outcome table and
//! its totals), so a partner cannot recognise one of its users in a figure.

use chrono::NaiveDate;
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
    /// `YYYY-MM`, or `total` for all months.
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
    /// One row per month, then the total.
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

fn table(
    months: &[NaiveDate],
    columns: &[(&str, &str)],
    interior: &[u64],
) -> Result<Table, AppError> {
    let cube = Protected::new(&[months.len(), columns.len()], interior, DEFAULT_THRESHOLD)
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
    let mut rows: Vec<Row> = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            row(
                Some(i),
                m.format("%Y-%m").to_string(),
                crate::french::month_fr(*m),
            )
        })
        .collect();
    rows.push(row(None, "total".into(), "Total".into()));
    Ok(Table {
        columns: columns
            .iter()
            .map(|(code, label)| Column {
                code: (*code).to_owned(),
                label: (*label).to_owned(),
            })
            .collect(),
        rows,
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
    let facts = queries::facts_of(&mut conn, partner_id, from, month_end(to))?;
    drop(conn);
    let list = month_list(from, to);
    let index = |day: NaiveDate| list.iter().position(|m| *m == month_of(day));
    let mut journeys = vec![0u64; list.len() * JOURNEY_OUTCOMES.len()];
    let mut requests = vec![0u64; list.len() * REQUEST_RESULTS.len()];
    for (day, kind, outcome, _) in &facts {
        let Some(m) = index(*day) else { continue };
        match FactKind::parse(kind) {
            Some(FactKind::Journey) => {
                let column = JOURNEY_OUTCOMES
                    .iter()
                    .position(|(c, _)| c == outcome)
                    .unwrap_or(0);
                journeys[m * JOURNEY_OUTCOMES.len() + column] += 1;
            }
            Some(FactKind::Request) => {
                requests[m * REQUEST_RESULTS.len() + request_result(outcome)] += 1;
            }
            None => {}
        }
    }
    Ok(PartnerStatistics {
        partner: partner_id.to_owned(),
        from: from.format("%Y-%m").to_string(),
        to: to.format("%Y-%m").to_string(),
        threshold: DEFAULT_THRESHOLD,
        journeys: table(&list, &JOURNEY_OUTCOMES, &journeys)?,
        requests: table(&list, &REQUEST_RESULTS, &requests)?,
    })
}
