//! The staff list of organisations (`/instruction`, `GET /api/v1/applications`): filtered,
//! searched, sorted and counted in the database, on the keys `providers` writes with each
//! profile (département, folded search text, folded name), each sort backed by an index.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{case_assignments, providers};
use super::{DbConnection, MultiBackend};

/// One line of the list.
#[derive(Queryable, Debug, Clone)]
pub struct QueueRow {
    pub id: String,
    pub name: String,
    pub legal_name: String,
    pub siret: String,
    pub email: String,
    pub phone: String,
    pub postcode: String,
    pub city: String,
    pub departement: String,
    pub status: String,
    pub updated_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// The column the list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueColumn {
    Name,
    City,
    Departement,
    #[default]
    Updated,
    Created,
}

/// What the list shows: every filter, the search and the order.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    pub status: Option<String>,
    pub departement: Option<String>,
    /// Changed at or after.
    pub since: Option<NaiveDateTime>,
    /// Changed before.
    pub until: Option<NaiveDateTime>,
    /// Folded words (`domain::text::fold`), each of which the search text must contain.
    pub words: Vec<String>,
    /// Only the files this staff member follows (`cases`).
    pub followed_by: Option<String>,
    pub column: QueueColumn,
    pub descending: bool,
}

type Filtered<'a> = providers::BoxedQuery<'a, MultiBackend>;

/// Narrows a boxed query of `providers` (a plain or a grouped one) to the organisations
/// passing every filter, and the state when `$with_status`.
macro_rules! narrowed {
    ($selection:expr, $query:expr, $with_status:expr) => {{
        let query: &QueueQuery = $query;
        let mut selection = $selection;
        if $with_status && let Some(status) = &query.status {
            selection = selection.filter(providers::status.eq(status));
        }
        if let Some(departement) = &query.departement {
            selection = selection.filter(providers::departement.eq(departement));
        }
        if let Some(since) = query.since {
            selection = selection.filter(providers::updated_at.ge(since));
        }
        if let Some(until) = query.until {
            selection = selection.filter(providers::updated_at.lt(until));
        }
        if let Some(user_id) = &query.followed_by {
            selection = selection.filter(
                providers::id.eq_any(
                    case_assignments::table
                        .filter(case_assignments::kind.eq(super::cases::REFERENCING))
                        .filter(case_assignments::user_id.eq(user_id))
                        .select(case_assignments::subject_id),
                ),
            );
        }
        for word in &query.words {
            // Folded words hold letters and digits only: nothing to escape in the pattern.
            selection = selection.filter(providers::search_text.like(format!("%{word}%")));
        }
        selection
    }};
}

/// The organisations passing every filter (and the state, when `with_status`).
fn filtered(query: &QueueQuery, with_status: bool) -> Filtered<'_> {
    narrowed!(providers::table.into_boxed(), query, with_status)
}

/// The selection in the order asked for; ties are broken by id, so pages never overlap.
fn ordered(query: &QueueQuery) -> Filtered<'_> {
    let selection = filtered(query, true);
    let desc = query.descending;
    match (query.column, desc) {
        (QueueColumn::Name, false) => selection.order((providers::sort_name.asc(), providers::id)),
        (QueueColumn::Name, true) => {
            selection.order((providers::sort_name.desc(), providers::id.desc()))
        }
        (QueueColumn::City, false) => selection.order((providers::city.asc(), providers::id)),
        (QueueColumn::City, true) => {
            selection.order((providers::city.desc(), providers::id.desc()))
        }
        (QueueColumn::Departement, false) => selection.order((
            providers::departement.asc(),
            providers::sort_name,
            providers::id,
        )),
        (QueueColumn::Departement, true) => selection.order((
            providers::departement.desc(),
            providers::sort_name,
            providers::id,
        )),
        (QueueColumn::Updated, false) => {
            selection.order((providers::updated_at.asc(), providers::id))
        }
        (QueueColumn::Updated, true) => {
            selection.order((providers::updated_at.desc(), providers::id.desc()))
        }
        (QueueColumn::Created, false) => {
            selection.order((providers::created_at.asc(), providers::id))
        }
        (QueueColumn::Created, true) => {
            selection.order((providers::created_at.desc(), providers::id.desc()))
        }
    }
}

/// How many organisations pass every filter.
pub fn count(conn: &mut DbConnection, query: &QueueQuery) -> QueryResult<i64> {
    filtered(query, true).count().get_result(conn)
}

/// Organisations per state, over every filter but the state (the list's tabs).
pub fn counts_by_status(
    conn: &mut DbConnection,
    query: &QueueQuery,
) -> QueryResult<Vec<(String, i64)>> {
    let grouped = providers::table
        .group_by(providers::status)
        .select((providers::status, diesel::dsl::count_star()))
        .into_boxed();
    narrowed!(grouped, query, false).load(conn)
}

/// `limit` lines from `offset`, in the order asked for.
pub fn page(
    conn: &mut DbConnection,
    query: &QueueQuery,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<QueueRow>> {
    ordered(query)
        .offset(offset)
        .limit(limit)
        .select((
            providers::id,
            providers::name,
            providers::legal_name,
            providers::siret,
            providers::email,
            providers::phone,
            providers::postcode,
            providers::city,
            providers::departement,
            providers::status,
            providers::updated_at,
            providers::created_at,
        ))
        .load(conn)
}
