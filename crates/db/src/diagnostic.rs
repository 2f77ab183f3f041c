//! The diagnostic's published versions and its anonymous journeys.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{diagnostic_journeys as journeys, diagnostic_versions as versions};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = versions)]
pub struct VersionRow {
    pub version: String,
    pub source: String,
    pub sha256: String,
    pub published_at: NaiveDateTime,
    pub published_by: Option<String>,
}

/// The version in force: the last published.
pub fn current(conn: &mut DbConnection) -> QueryResult<Option<VersionRow>> {
    versions::table
        .order((versions::published_at.desc(), versions::version.desc()))
        .select(VersionRow::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, version: &str) -> QueryResult<Option<VersionRow>> {
    versions::table
        .find(version)
        .select(VersionRow::as_select())
        .first(conn)
        .optional()
}

/// Every version, newest first, without their source.
pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<(String, NaiveDateTime, Option<String>)>> {
    versions::table
        .order((versions::published_at.desc(), versions::version.desc()))
        .select((
            versions::version,
            versions::published_at,
            versions::published_by,
        ))
        .load(conn)
}

pub fn insert(conn: &mut DbConnection, row: &VersionRow) -> QueryResult<()> {
    diesel::insert_into(versions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = journeys)]
pub struct JourneyRow {
    pub id: String,
    pub tree_version: String,
    pub channel: String,
    pub started_on: NaiveDate,
    pub answers: String,
    pub audience: Option<String>,
    pub outcome: Option<String>,
    pub incident_type: Option<String>,
    pub urgency: Option<String>,
    pub departement: Option<String>,
    pub ending: Option<String>,
    /// The partner whose module the journey started in.
    pub partner: Option<String>,
    /// The module form's nonce it started from (one form, one journey).
    pub form_key: Option<String>,
}

/// What an answer changes on a journey.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = journeys, treat_none_as_null = true)]
pub struct JourneyProgress {
    pub answers: String,
    pub audience: Option<String>,
    pub outcome: Option<String>,
    pub incident_type: Option<String>,
    pub urgency: Option<String>,
    pub ending: Option<String>,
}

/// Deletes the journeys started before `day` (their facts stay in the observatory); returns
/// how many.
pub fn delete_journeys_before(conn: &mut DbConnection, day: NaiveDate) -> QueryResult<usize> {
    diesel::delete(journeys::table.filter(journeys::started_on.lt(day))).execute(conn)
}

/// Inserts a journey; false when its form key is taken (the same form posted again).
pub fn insert_journey(conn: &mut DbConnection, row: &JourneyRow) -> QueryResult<bool> {
    super::insert_unless_taken(conn, |conn| {
        diesel::insert_into(journeys::table)
            .values(row)
            .execute(conn)
    })
}

/// The journey a module form started, by its key.
pub fn journey_by_form_key(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
    journeys::table
        .filter(journeys::form_key.eq(key))
        .select(journeys::id)
        .first(conn)
        .optional()
}

pub fn journey(conn: &mut DbConnection, id: &str) -> QueryResult<Option<JourneyRow>> {
    journeys::table
        .find(id)
        .select(JourneyRow::as_select())
        .first(conn)
        .optional()
}

pub fn record_progress(
    conn: &mut DbConnection,
    id: &str,
    progress: &JourneyProgress,
) -> QueryResult<usize> {
    diesel::update(journeys::table.find(id))
        .set(progress)
        .execute(conn)
}

/// Moves a finished journey's ending forward (advice → redirection → search → request), never
/// back, and notes the département when one is given.
pub fn record_ending(
    conn: &mut DbConnection,
    id: &str,
    ending: &str,
    earlier: &[&str],
    departement: Option<&str>,
) -> QueryResult<usize> {
    let target = journeys::table
        .find(id)
        .filter(journeys::outcome.is_not_null())
        .filter(
            journeys::ending
                .is_null()
                .or(journeys::ending.eq_any(earlier)),
        );
    diesel::update(target)
        .set((
            journeys::ending.eq(ending),
            departement.map(|d| journeys::departement.eq(d.to_owned())),
        ))
        .execute(conn)
}

/// Journeys started in a period, for the statistics and the tests.
pub fn journeys_between(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<JourneyRow>> {
    journeys::table
        .filter(journeys::started_on.between(from, to))
        .order(journeys::id)
        .select(JourneyRow::as_select())
        .load(conn)
}
