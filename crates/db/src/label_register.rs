//! The staff register of labels (`/instruction/labels`): by state as it stands today,
//! searched, sorted, counted and paged in the database, so that a page reads a page of
//! labels whatever their number.

use chrono::NaiveDate;
use cyberdir_domain::label::LabelStatus;
use diesel::prelude::*;

use super::DbConnection;
use super::labels::{LabelListRow, LabelRecord};
use super::provider_queue::after_prefix;
use super::schema::{labels, provider_search_words, providers};

diesel::define_sql_function!(
    /// `replace` of a text: the label's number without its dashes, searched as typed.
    fn replace(
        x: diesel::sql_types::Text,
        from: diesel::sql_types::Text,
        to: diesel::sql_types::Text,
    ) -> diesel::sql_types::Text
);

/// The column the register is sorted by; ties go by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegisterColumn {
    #[default]
    Number,
    Provider,
    End,
}

/// What the register shows.
#[derive(Debug, Clone)]
pub struct RegisterQuery {
    /// The state as it stands `today` (a valid label past its last day reads as expired
    /// before the nightly job records it); None for every state.
    pub status: Option<LabelStatus>,
    /// Folded words, each the start of a word of the holder (its index of words) or found
    /// in the number without its dashes (`2026 0007`, `EC20260007`).
    pub words: Vec<String>,
    /// Only the labels whose end date is on or before this day (those about to expire).
    pub ends_by: Option<NaiveDate>,
    pub today: NaiveDate,
    pub column: RegisterColumn,
    pub descending: bool,
}

/// Narrows a boxed query of labels to the register's search, and to `$status` as it stands
/// today when given.
macro_rules! narrowed {
    ($selection:expr, $query:expr, $status:expr) => {{
        let query: &RegisterQuery = $query;
        let today = query.today;
        let mut selection = $selection;
        let lasts = labels::valid_until
            .ge(today)
            .nullable()
            .or(labels::renewal_until.ge(today));
        selection = match $status {
            None => selection,
            Some(LabelStatus::Valid) => {
                selection.filter(labels::status.eq(LabelStatus::Valid).nullable().and(lasts))
            }
            // Past its last day: its end and any renewal's hold before today (a NULL hold
            // does not keep it valid).
            Some(LabelStatus::Expired) => selection.filter(
                labels::status.eq(LabelStatus::Expired).or(labels::status
                    .eq(LabelStatus::Valid)
                    .and(labels::valid_until.lt(today))
                    .and(
                        labels::renewal_until
                            .is_null()
                            .or(labels::renewal_until.lt(today).assume_not_null()),
                    )),
            ),
            Some(other) => selection.filter(labels::status.eq(other).nullable()),
        };
        if let Some(day) = query.ends_by {
            selection = selection.filter(labels::valid_until.le(day));
        }
        // Each word starts a word of the holder (a range of the words' index, read once) or
        // is in the number without its dashes.
        for word in &query.words {
            let pattern = format!("%{}%", crate::search::literal(word));
            selection = selection.filter(
                labels::provider_id
                    .eq_any(
                        provider_search_words::table
                            .filter(provider_search_words::word.ge(word.clone()))
                            .filter(provider_search_words::word.lt(after_prefix(word)))
                            .select(provider_search_words::provider_id),
                    )
                    .or(replace(crate::search::lower(labels::number), "-", "")
                        .like(pattern)
                        .escape('\\')),
            );
        }
        selection
    }};
}

/// How many labels the query selects.
pub fn count(conn: &mut DbConnection, query: &RegisterQuery) -> QueryResult<i64> {
    narrowed!(labels::table.into_boxed(), query, query.status)
        .count()
        .get_result(conn)
}

/// What tells the state of each label of the search as it stands today (stored state, end,
/// renewal's hold: `domain::provider::status_as_of`), for the tabs' counts: one reading of
/// the labels for every tab.
pub fn states(
    conn: &mut DbConnection,
    query: &RegisterQuery,
) -> QueryResult<Vec<(LabelStatus, NaiveDate, Option<NaiveDate>)>> {
    narrowed!(labels::table.into_boxed(), query, None::<LabelStatus>)
        .select((labels::status, labels::valid_until, labels::renewal_until))
        .load(conn)
}

/// `limit` labels of the register from `offset`, in its order, with their holder's name.
pub fn page(
    conn: &mut DbConnection,
    query: &RegisterQuery,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<LabelListRow>> {
    let selection = narrowed!(
        labels::table.inner_join(providers::table).into_boxed(),
        query,
        query.status
    );
    let ordered = match (query.column, query.descending) {
        (RegisterColumn::Number, false) => selection.order(labels::number.asc()),
        (RegisterColumn::Number, true) => selection.order(labels::number.desc()),
        (RegisterColumn::Provider, false) => {
            selection.order((providers::sort_name.asc(), labels::number.asc()))
        }
        (RegisterColumn::Provider, true) => {
            selection.order((providers::sort_name.desc(), labels::number.desc()))
        }
        (RegisterColumn::End, false) => {
            selection.order((labels::valid_until.asc(), labels::number.asc()))
        }
        (RegisterColumn::End, true) => {
            selection.order((labels::valid_until.desc(), labels::number.desc()))
        }
    };
    ordered
        .offset(offset)
        .limit(limit)
        .select((LabelRecord::as_select(), providers::name))
        .load(conn)
}
