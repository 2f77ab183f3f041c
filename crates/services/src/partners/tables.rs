//! The two tables of a partner's figures and their columns: the journeys started in its
//! module by how far they went, the requests sent from it by what became of them.
//!
//! The tables are protected apart, so nothing published in one may bound a cell of the
//! other. A journey that ends in a request is also a request, sent the same day or within
//! the journeys' retention: a column of journeys "ended in a request" would be at most the
//! requests of the months around it, and that inequality could give a hidden month of
//! journeys back (a partner active in two months: the requests' total, less the second
//! month's journeys ended in a request, bounds the first's). So the journeys' last column
//! counts those that went as far as a professional, by a search or a request: the searches
//! no request bounds, it is linked to nothing in the other table.
//!
//! Tables stored before that, with the search and the request apart, keep their layout for
//! the rest of their year (a year's tables are protected together, in one layout) and are
//! shown in today's columns, from what they already give.

use chrono::NaiveDate;

use crate::domain::assistance::RequestStatus;
use crate::domain::observatory::suppression::Coord;
use crate::domain::observatory::suppression::attacker::Publication;
use crate::domain::observatory::{FactKind, JOURNEY_STARTED};
use crate::error::AppError;

/// A column: its code and its French label.
pub type Column = (&'static str, &'static str);

/// How far a journey went, in the order of the table's columns.
pub const JOURNEY_OUTCOMES: [Column; 4] = [
    (JOURNEY_STARTED, "Diagnostic non terminé"),
    ("advice", "Conseils"),
    ("redirection", "Orientation vers un service"),
    (
        "professional",
        "Vers un professionnel (recherche ou demande d'assistance)",
    ),
];

/// The journeys' columns of the tables stored with the search and the request apart.
const JOURNEY_OUTCOMES_SPLIT: [Column; 5] = [
    JOURNEY_OUTCOMES[0],
    JOURNEY_OUTCOMES[1],
    JOURNEY_OUTCOMES[2],
    ("search", "Recherche d'un professionnel"),
    ("request", "Demande d'assistance"),
];

/// What became of a request, in the order of the table's columns.
pub const REQUEST_RESULTS: [Column; 5] = [
    ("waiting", "En attente d'un professionnel"),
    ("accepted", "Prise en charge"),
    ("resolved", "Résolue"),
    ("not_resolved", "Non résolue"),
    ("closed", "Annulée ou close"),
];

/// The months of a year's table.
const MONTHS: usize = 12;

/// What a table counts: its stored name and its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Journeys,
    Requests,
}

impl Subject {
    pub const ALL: [Subject; 2] = [Self::Journeys, Self::Requests];

    pub fn code(self) -> &'static str {
        match self {
            Self::Journeys => "journeys",
            Self::Requests => "requests",
        }
    }

    /// The table a stored code names.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The table's name in French.
    pub fn name(self) -> &'static str {
        match self {
            Self::Journeys => "parcours",
            Self::Requests => "demandes",
        }
    }

    /// The columns a partner reads.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Journeys => &JOURNEY_OUTCOMES,
            Self::Requests => &REQUEST_RESULTS,
        }
    }

    /// The layout a new table is protected in.
    pub fn layout(self) -> Layout {
        Layout {
            subject: self,
            columns: self.columns(),
        }
    }
}

/// The columns a stored table was protected with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub subject: Subject,
    columns: &'static [Column],
}

impl Layout {
    /// The layout of a stored table of `cells` cells (its margins included).
    pub fn stored(subject: Subject, cells: usize) -> Result<Self, AppError> {
        let known: &[&'static [Column]] = match subject {
            Subject::Journeys => &[&JOURNEY_OUTCOMES, &JOURNEY_OUTCOMES_SPLIT],
            Subject::Requests => &[&REQUEST_RESULTS],
        };
        known
            .iter()
            .find(|columns| (MONTHS + 1) * (columns.len() + 1) == cells)
            .map(|columns| Self { subject, columns })
            .ok_or_else(|| {
                AppError::Internal(format!(
                    "chiffres du partenaire : un tableau de {} à {cells} cases",
                    subject.name()
                ))
            })
    }

    /// The table's dimensions: months × columns.
    pub fn sizes(self) -> [usize; 2] {
        [MONTHS, self.columns.len()]
    }

    /// A stored table of this layout as its reader sees it.
    pub fn read(self, cells: &str) -> Result<Publication, AppError> {
        self.publication(parse_cells(cells)?)
    }

    fn publication(self, values: Vec<Option<u64>>) -> Result<Publication, AppError> {
        Publication::new(&self.sizes(), values).map_err(|e| AppError::Internal(e.to_string()))
    }

    /// The column a fact counts in, or `None` when it is not of this table.
    pub fn column(self, kind: &str, outcome: &str) -> Option<usize> {
        match (self.subject, FactKind::parse(kind)?) {
            (Subject::Journeys, FactKind::Journey) => Some(
                self.columns
                    .iter()
                    .position(|(code, _)| *code == outcome)
                    .or_else(|| {
                        // Today's last column: as far as a professional.
                        (self.columns.len() == JOURNEY_OUTCOMES.len()
                            && matches!(outcome, "search" | "request"))
                        .then_some(JOURNEY_OUTCOMES.len() - 1)
                    })
                    .unwrap_or(0),
            ),
            (Subject::Requests, FactKind::Request) => Some(request_result(outcome)),
            _ => None,
        }
    }

    /// A cell in the columns a partner reads (`None` in a dimension: its total), from a
    /// table of this layout. A stored table's search and request make today's last column:
    /// their sum when both are published, or the row's total less its other cells when those
    /// are; nothing otherwise (a sum with a secret the rest of the row does not give is
    /// secret). Either way, only what the stored table already gives.
    pub fn shown(self, table: &Publication, month: Coord, column: Coord) -> Option<u64> {
        let split = self.columns.len() > self.subject.columns().len();
        match column {
            Some(last) if split && last + 1 == JOURNEY_OUTCOMES.len() => {
                let cell = |c: Coord| table.published(&[month, c]);
                let both = cell(Some(last)).zip(cell(Some(last + 1)));
                both.map(|(search, request)| search + request).or_else(|| {
                    let others = (0..last).map(|c| cell(Some(c))).sum::<Option<u64>>()?;
                    cell(None)?.checked_sub(others)
                })
            }
            _ => table.published(&[month, column]),
        }
    }

    /// A cell of a year's table in words: "parcours × mars 2026 × Conseils".
    pub fn describe(self, year: i32, cell: &[Coord]) -> String {
        let month = match cell.first().copied().flatten() {
            Some(m) => u32::try_from(m + 1)
                .ok()
                .and_then(|m| NaiveDate::from_ymd_opt(year, m, 1))
                .map_or_else(|| year.to_string(), crate::french::month_fr),
            None => format!("total {year}"),
        };
        let column = match cell.get(1).copied().flatten() {
            Some(c) => self.columns.get(c).map_or("?", |(_, label)| label),
            None => "total",
        };
        format!("{} × {month} × {column}", self.subject.name())
    }
}

/// A year's stored tables (oldest first) as their reader sees them, each read once, with
/// the layout they share: a new table's when none is stored. Tables of one year in two
/// layouts cannot be protected or audited together, and are refused.
pub fn read_year<'a>(
    subject: Subject,
    stored: impl IntoIterator<Item = &'a str>,
) -> Result<(Layout, Vec<Publication>), AppError> {
    let mut layout: Option<Layout> = None;
    let mut tables = Vec::new();
    for cells in stored {
        let values = parse_cells(cells)?;
        let this = Layout::stored(subject, values.len())?;
        if *layout.get_or_insert(this) != this {
            return Err(AppError::Internal(format!(
                "chiffres du partenaire : des tableaux de {} d'une même année en deux mises en page",
                subject.name()
            )));
        }
        tables.push(this.publication(values)?);
    }
    Ok((layout.unwrap_or_else(|| subject.layout()), tables))
}

fn parse_cells(cells: &str) -> Result<Vec<Option<u64>>, AppError> {
    serde_json::from_str(cells)
        .map_err(|e| AppError::Internal(format!("chiffres du partenaire illisibles : {e}")))
}

fn request_result(status: &str) -> usize {
    match RequestStatus::parse(status) {
        Some(RequestStatus::Accepted) => 1,
        Some(RequestStatus::Resolved) => 2,
        Some(RequestStatus::NotResolved) => 3,
        Some(RequestStatus::Cancelled | RequestStatus::Closed) => 4,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journey_that_reached_a_professional_counts_in_one_column_whatever_its_way() {
        let today = Subject::Journeys.layout();
        assert_eq!(today.column("journey", "search"), Some(3));
        assert_eq!(today.column("journey", "request"), Some(3));
        assert_eq!(today.column("journey", "advice"), Some(1));
        assert_eq!(today.column("journey", "started"), Some(0));
        assert_eq!(today.column("request", "resolved"), None);
        let split = Layout::stored(Subject::Journeys, 13 * 6).unwrap();
        assert_eq!(split.column("journey", "search"), Some(3));
        assert_eq!(split.column("journey", "request"), Some(4));
        assert_eq!(
            Subject::Requests.layout().column("request", "resolved"),
            Some(2)
        );
        assert!(Layout::stored(Subject::Requests, 13 * 5).is_err());
    }

    #[test]
    fn a_stored_table_with_the_search_and_the_request_apart_is_shown_in_todays_columns() {
        let split = Layout::stored(Subject::Journeys, 13 * 6).unwrap();
        let mut values = vec![Some(0); 13 * 6];
        let at = |month: usize, column: usize| month * 6 + column;
        // January: 20 searches and 15 requests, both published; February: 12 searches and a
        // secret request count, the advice secret too; March: the search and the request
        // secret, the rest of the row published.
        values[at(0, 3)] = Some(20);
        values[at(0, 4)] = Some(15);
        values[at(0, 5)] = Some(35);
        values[at(1, 1)] = None;
        values[at(1, 3)] = Some(12);
        values[at(1, 4)] = None;
        values[at(1, 5)] = Some(30);
        values[at(2, 1)] = Some(40);
        values[at(2, 3)] = None;
        values[at(2, 4)] = None;
        values[at(2, 5)] = Some(57);
        let table = Publication::new(&split.sizes(), values).unwrap();
        assert_eq!(split.shown(&table, Some(0), Some(3)), Some(35));
        assert_eq!(split.shown(&table, Some(1), Some(3)), None);
        assert_eq!(split.shown(&table, Some(1), Some(2)), Some(0));
        assert_eq!(split.shown(&table, Some(2), Some(3)), Some(17), "57 − 40");
        assert_eq!(split.shown(&table, Some(2), None), Some(57));
        assert_eq!(
            split.describe(2026, &[Some(1), Some(4)]),
            "parcours × février 2026 × Demande d'assistance"
        );
    }
}
