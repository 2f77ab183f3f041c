//! The staff list of assistance requests (`/instruction/demandes`): filtered, searched,
//! sorted, counted and paged in the database, so that every request stays reachable however
//! many there are.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::RequestRow;
use crate::schema::{assistance_requests, case_assignments, request_search_words};
use crate::{DbConnection, MultiBackend};

/// The column the list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestColumn {
    Received,
    #[default]
    Updated,
}

/// What the list shows: every filter, the search and the order.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub status: Option<String>,
    pub departement: Option<String>,
    pub incident_type: Option<String>,
    pub urgent_only: bool,
    /// Received at or after, and before.
    pub since: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
    /// Folded words, each the start of a word of the victim's name or email or of the
    /// postcode; the first read as a range of the words' index (`rarest_first` puts the
    /// rarest there).
    pub words: Vec<String>,
    /// Only the requests this staff member follows (`cases`).
    pub followed_by: Option<String>,
    pub column: RequestColumn,
    pub descending: bool,
}

/// Narrows a boxed query of `assistance_requests` (plain or grouped) to the requests passing
/// every filter, and the state when `$with_status`.
macro_rules! narrowed {
    ($selection:expr, $query:expr, $with_status:expr) => {{
        let query: &RequestQuery = $query;
        let mut selection = $selection;
        if $with_status && let Some(status) = &query.status {
            selection = selection.filter(assistance_requests::status.eq(status));
        }
        if let Some(departement) = &query.departement {
            selection = selection.filter(assistance_requests::departement.eq(departement));
        }
        if let Some(incident) = &query.incident_type {
            selection = selection.filter(assistance_requests::incident_type.eq(incident));
        }
        if query.urgent_only {
            selection = selection.filter(assistance_requests::urgent.eq(true));
        }
        if let Some(since) = query.since {
            selection = selection.filter(assistance_requests::created_at.ge(since));
        }
        if let Some(until) = query.until {
            selection = selection.filter(assistance_requests::created_at.lt(until));
        }
        if let Some(user_id) = &query.followed_by {
            selection = selection.filter(
                assistance_requests::id.eq_any(
                    case_assignments::table
                        .filter(case_assignments::kind.eq(crate::cases::ASSISTANCE))
                        .filter(case_assignments::user_id.eq(user_id))
                        .select(case_assignments::subject_id),
                ),
            );
        }
        for (i, word) in query.words.iter().enumerate() {
            let range = request_search_words::word
                .ge(word)
                .and(request_search_words::word.lt(crate::provider_queue::after_prefix(word)));
            selection = if i == 0 {
                selection.filter(
                    assistance_requests::id.eq_any(
                        request_search_words::table
                            .filter(range)
                            .select(request_search_words::request_id),
                    ),
                )
            } else {
                selection.filter(diesel::dsl::exists(
                    request_search_words::table
                        .filter(request_search_words::request_id.eq(assistance_requests::id))
                        .filter(range),
                ))
            };
        }
        selection
    }};
}

type Filtered<'a> = assistance_requests::BoxedQuery<'a, MultiBackend>;

fn filtered(query: &RequestQuery, with_status: bool) -> Filtered<'_> {
    narrowed!(assistance_requests::table.into_boxed(), query, with_status)
}

/// Puts the search word that starts the fewest words first: the query reads its range of the
/// words' index and checks the others request by request.
pub fn rarest_first(conn: &mut DbConnection, query: &mut RequestQuery) -> QueryResult<()> {
    let mut counted = Vec::with_capacity(query.words.len());
    for word in std::mem::take(&mut query.words) {
        let found: i64 = request_search_words::table
            .filter(request_search_words::word.ge(&word))
            .filter(request_search_words::word.lt(crate::provider_queue::after_prefix(&word)))
            .count()
            .get_result(conn)?;
        counted.push((found, word));
    }
    counted.sort();
    query.words = counted.into_iter().map(|(_, w)| w).collect();
    Ok(())
}

/// Requests per state, over every filter but the state (the list's tabs).
pub fn counts_by_status(
    conn: &mut DbConnection,
    query: &RequestQuery,
) -> QueryResult<Vec<(String, i64)>> {
    let grouped = assistance_requests::table
        .group_by(assistance_requests::status)
        .select((assistance_requests::status, diesel::dsl::count_star()))
        .into_boxed();
    narrowed!(grouped, query, false).load(conn)
}

/// `limit` requests from `offset`, in the order asked for (ties broken by id, so that pages
/// never overlap).
pub fn page(
    conn: &mut DbConnection,
    query: &RequestQuery,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<RequestRow>> {
    let selection = filtered(query, true);
    let ordered = match (query.column, query.descending) {
        (RequestColumn::Received, false) => selection.order((
            assistance_requests::created_at.asc(),
            assistance_requests::id,
        )),
        (RequestColumn::Received, true) => selection.order((
            assistance_requests::created_at.desc(),
            assistance_requests::id.desc(),
        )),
        (RequestColumn::Updated, false) => selection.order((
            assistance_requests::updated_at.asc(),
            assistance_requests::id,
        )),
        (RequestColumn::Updated, true) => selection.order((
            assistance_requests::updated_at.desc(),
            assistance_requests::id.desc(),
        )),
    };
    ordered
        .offset(offset)
        .limit(limit)
        .select(RequestRow::as_select())
        .load(conn)
}
