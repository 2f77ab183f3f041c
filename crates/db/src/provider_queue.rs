//! The staff list of organisations (`/instruction`, `GET /api/v1/applications`): filtered,
//! searched, sorted and counted in the database, on the keys `providers` writes with each
//! profile (département, folded search text, folded name), each sort backed by an index.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{case_assignments, provider_search_words, providers};
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
    /// Folded words (`domain::text::fold`), each of which must start a word of the search
    /// text; the first is read from the index (`rarest_first` puts the rarest there).
    pub words: Vec<String>,
    /// Whether the first word is rare enough to read from the index (else every word is
    /// checked on each organisation read in the list's order).
    pub indexed_first: bool,
    /// Only the files this staff member follows (`cases`).
    pub followed_by: Option<String>,
    pub column: QueueColumn,
    pub descending: bool,
}

/// The first string after every string that starts with `prefix` (ASCII letters and digits).
pub(crate) fn after_prefix(prefix: &str) -> String {
    let mut bytes = prefix.as_bytes().to_vec();
    match bytes.last_mut() {
        Some(last) => *last = last.saturating_add(1),
        None => bytes.push(0x7f),
    }
    String::from_utf8_lossy(&bytes).into_owned()
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
        // The organisations with a word starting with each of these: the rarest word
        // (`rarest_first`) read as a range of the words' index, the others checked on each
        // of those organisations. Folded words hold ASCII letters and digits, so the next
        // string after every word starting with `word` is `word` with its last letter moved
        // up one.
        for (i, word) in query.words.iter().enumerate() {
            let range = provider_search_words::word
                .ge(word)
                .and(provider_search_words::word.lt(after_prefix(word)));
            selection = if i == 0 && query.indexed_first {
                selection.filter(
                    providers::id.eq_any(
                        provider_search_words::table
                            .filter(range)
                            .select(provider_search_words::provider_id),
                    ),
                )
            } else {
                selection.filter(diesel::dsl::exists(
                    provider_search_words::table
                        .filter(provider_search_words::provider_id.eq(providers::id))
                        .filter(range),
                ))
            };
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
        // Reversed as a whole, so that the same index reads it backwards.
        (QueueColumn::Departement, true) => selection.order((
            providers::departement.desc(),
            providers::sort_name.desc(),
            providers::id.desc(),
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

/// Puts the search word that starts the fewest words first: the query reads its range of the
/// index, when it is rare enough, and checks the others organisation by organisation.
pub fn rarest_first(conn: &mut DbConnection, query: &mut QueueQuery) -> QueryResult<()> {
    // Measured at 100,000 organisations (BENCHMARKS.md): reading a range of the index costs
    // in proportion to the words in it, checking every organisation in the list's order
    // costs the same whatever the word; they cross at about this many words.
    const INDEXED_UP_TO: i64 = 30_000;
    let mut counted = Vec::with_capacity(query.words.len());
    for word in std::mem::take(&mut query.words) {
        let found: i64 = provider_search_words::table
            .filter(provider_search_words::word.ge(&word))
            .filter(provider_search_words::word.lt(after_prefix(&word)))
            .count()
            .get_result(conn)?;
        counted.push((found, word));
    }
    counted.sort();
    // A word as common as "contact" (in most addresses) is cheaper checked row by row.
    query.indexed_first = counted.first().is_some_and(|(n, _)| *n <= INDEXED_UP_TO);
    query.words = counted.into_iter().map(|(_, w)| w).collect();
    Ok(())
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
