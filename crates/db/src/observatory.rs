//! The observatory's facts, signals, alerts and open-data releases.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    alerts, observatory_facts as facts, observatory_signals as signals, open_data_releases,
};
use super::{DbConnection, counters};

pub const COUNTER: &str = "observatory";

/// A fact as stored: its id (the database's) and its values.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = facts)]
pub struct FactRow {
    pub id: i64,
    #[diesel(embed)]
    pub values: FactValues,
}

impl std::ops::Deref for FactRow {
    type Target = FactValues;

    fn deref(&self) -> &FactValues {
        &self.values
    }
}

/// A fact's values, as a step writes them.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = facts, treat_none_as_null = true)]
pub struct FactValues {
    pub source_id: String,
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub audience: Option<String>,
    pub incident_type: Option<String>,
    pub category: Option<String>,
    pub departement: Option<String>,
    pub region: Option<String>,
    pub channel: String,
    pub partner: Option<String>,
    pub outcome: String,
    pub urgency: Option<String>,
    pub counted: bool,
    pub escalated: bool,
    pub minutes_to_acceptance: Option<i32>,
    pub confirmed_incident_type: Option<String>,
    pub revision: i64,
}

/// The revision the next fact write carries. Bumping the counter first also queues the
/// transactions writing facts one behind the other (the counter's row is locked until commit),
/// so revisions become visible in their order and a reader never skips one.
pub fn next_revision(conn: &mut DbConnection) -> QueryResult<i64> {
    counters::bump(conn, COUNTER)?;
    Ok(counters::read(conn, COUNTER)?.value)
}

pub fn revision(conn: &mut DbConnection) -> QueryResult<i64> {
    Ok(counters::read(conn, COUNTER)?.value)
}

/// Writes a fact whole: replaces the one of the same source, or adds it.
pub fn put(conn: &mut DbConnection, values: &FactValues) -> QueryResult<()> {
    let updated = diesel::update(facts::table.filter(facts::source_id.eq(&values.source_id)))
        .set(values)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(facts::table)
            .values(values)
            .execute(conn)?;
    }
    Ok(())
}

pub fn by_source(conn: &mut DbConnection, source_id: &str) -> QueryResult<Option<FactRow>> {
    facts::table
        .filter(facts::source_id.eq(source_id))
        .select(FactRow::as_select())
        .first(conn)
        .optional()
}

/// Facts written after `revision`, oldest write first, `limit` at a time.
/// Facts of `first_day` or later written after `revision`, in revision order.
pub fn changed_since(
    conn: &mut DbConnection,
    revision: i64,
    first_day: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<FactRow>> {
    facts::table
        .filter(facts::revision.gt(revision))
        .filter(facts::occurred_on.ge(first_day))
        .order(facts::revision)
        .limit(limit)
        .select(FactRow::as_select())
        .load(conn)
}

/// The day of the observatory's first fact, kept in memory or not.
pub fn first_day(conn: &mut DbConnection) -> QueryResult<Option<NaiveDate>> {
    facts::table
        .select(diesel::dsl::min(facts::occurred_on))
        .first(conn)
}

/// The smallest id of a fact of `first_day` or later.
pub fn first_id_from(conn: &mut DbConnection, first_day: NaiveDate) -> QueryResult<Option<i64>> {
    facts::table
        .filter(facts::occurred_on.ge(first_day))
        .select(diesel::dsl::min(facts::id))
        .first(conn)
}

/// Facts of a period, for the tests' independent counts and the seed's checks.
pub fn between(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<FactRow>> {
    facts::table
        .filter(facts::occurred_on.between(from, to))
        .order(facts::id)
        .select(FactRow::as_select())
        .load(conn)
}

/// Adds many facts at once (the synthetic series): one statement per batch, on each backend
/// its own way since diesel's portable connection does not batch inserts.
pub fn insert_many(conn: &mut DbConnection, rows: &[FactValues]) -> QueryResult<usize> {
    match conn {
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(inner) => diesel::insert_into(facts::table)
            .values(rows)
            .execute(inner),
        #[cfg(feature = "postgres")]
        DbConnection::Postgresql(inner) => diesel::insert_into(facts::table)
            .values(rows)
            .execute(inner),
    }
}

/// A wave the daily pass detected.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = signals)]
pub struct SignalRow {
    pub id: String,
    pub incident_type: String,
    pub audience: String,
    pub since: NaiveDate,
    pub last_day: NaiveDate,
    /// The reference method that raised it (`domain::observatory::waves::Method`), with its
    /// figures for the latest day (or week) in alarm.
    pub method: String,
    pub observed: i64,
    pub expected: f64,
    pub detected_at: NaiveDateTime,
    /// None for the waves recorded before the thresholds were.
    pub threshold: Option<f64>,
}

/// Records a wave's latest day; true when the wave is new (nobody recorded it before), so that
/// exactly one process emails staff about it.
pub fn record_signal(conn: &mut DbConnection, row: &SignalRow) -> QueryResult<bool> {
    let same = signals::table
        .filter(signals::incident_type.eq(&row.incident_type))
        .filter(signals::audience.eq(&row.audience))
        .filter(signals::since.eq(row.since));
    let updated = diesel::update(same.filter(signals::last_day.lt(row.last_day)))
        .set((
            signals::last_day.eq(row.last_day),
            signals::method.eq(&row.method),
            signals::observed.eq(row.observed),
            signals::expected.eq(row.expected),
            signals::threshold.eq(row.threshold),
        ))
        .execute(conn)?;
    if updated > 0 || diesel::select(diesel::dsl::exists(same)).get_result(conn)? {
        return Ok(false);
    }
    diesel::insert_into(signals::table)
        .values(row)
        .execute(conn)?;
    Ok(true)
}

/// Signals whose wave went on until `since` or later, newest first.
pub fn recent_signals(conn: &mut DbConnection, since: NaiveDate) -> QueryResult<Vec<SignalRow>> {
    signals::table
        .filter(signals::last_day.ge(since))
        .order((signals::last_day.desc(), signals::observed.desc()))
        .select(SignalRow::as_select())
        .load(conn)
}

pub fn signal(conn: &mut DbConnection, id: &str) -> QueryResult<Option<SignalRow>> {
    signals::table
        .find(id)
        .select(SignalRow::as_select())
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = alerts)]
pub struct AlertRow {
    pub id: String,
    pub title: String,
    pub body: String,
    pub incident_types: String,
    pub audiences: String,
    pub scope: String,
    pub scope_code: Option<String>,
    pub valid_from: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub signal_id: Option<String>,
    pub published_by: String,
    pub published_at: NaiveDateTime,
    pub withdrawn_at: Option<NaiveDateTime>,
}

pub fn insert_alert(conn: &mut DbConnection, row: &AlertRow) -> QueryResult<()> {
    diesel::insert_into(alerts::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Alerts in force at `now`, newest first.
pub fn live_alerts(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Vec<AlertRow>> {
    alerts::table
        .filter(alerts::valid_from.le(now))
        .filter(alerts::valid_until.gt(now))
        .filter(alerts::withdrawn_at.is_null())
        .order((alerts::valid_from.desc(), alerts::id.desc()))
        .select(AlertRow::as_select())
        .load(conn)
}

/// Every alert, newest first (staff).
pub fn all_alerts(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<AlertRow>> {
    alerts::table
        .order((alerts::published_at.desc(), alerts::id.desc()))
        .limit(limit)
        .select(AlertRow::as_select())
        .load(conn)
}

/// Withdraws an alert in force; false when it was not (unknown, expired or withdrawn).
pub fn withdraw_alert(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        alerts::table
            .find(id)
            .filter(alerts::withdrawn_at.is_null())
            .filter(alerts::valid_until.gt(now)),
    )
    .set(alerts::withdrawn_at.eq(now))
    .execute(conn)
    .map(|n| n > 0)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = open_data_releases)]
pub struct ReleaseRow {
    pub month: String,
    pub revision: i32,
    pub csv: String,
    pub sha256: String,
    pub note: Option<String>,
    pub published_at: NaiveDateTime,
}

/// Inserts a release; false when that revision of the month exists already (another process).
pub fn insert_release(conn: &mut DbConnection, row: &ReleaseRow) -> QueryResult<bool> {
    let exists = open_data_releases::table
        .find((&row.month, row.revision))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        return Ok(false);
    }
    super::insert_unless_taken(conn, |conn| {
        diesel::insert_into(open_data_releases::table)
            .values(row)
            .execute(conn)
    })
}

/// The latest revision of a month's file.
pub fn release(conn: &mut DbConnection, month: &str) -> QueryResult<Option<ReleaseRow>> {
    open_data_releases::table
        .filter(open_data_releases::month.eq(month))
        .order(open_data_releases::revision.desc())
        .select(ReleaseRow::as_select())
        .first(conn)
        .optional()
}

/// A given revision of a month's file.
pub fn release_revision(
    conn: &mut DbConnection,
    month: &str,
    revision: i32,
) -> QueryResult<Option<ReleaseRow>> {
    open_data_releases::table
        .find((month, revision))
        .select(ReleaseRow::as_select())
        .first(conn)
        .optional()
}

/// Every revision of a month's file, oldest first.
pub fn release_history(conn: &mut DbConnection, month: &str) -> QueryResult<Vec<ReleaseRow>> {
    open_data_releases::table
        .filter(open_data_releases::month.eq(month))
        .order(open_data_releases::revision.asc())
        .select(ReleaseRow::as_select())
        .load(conn)
}

/// A release without its file: month, revision, SHA-256, note, publication time.
pub type ReleaseSummary = (String, i32, String, Option<String>, NaiveDateTime);

/// Every release without its file, newest month first.
pub fn releases(conn: &mut DbConnection) -> QueryResult<Vec<ReleaseSummary>> {
    open_data_releases::table
        .order((
            open_data_releases::month.desc(),
            open_data_releases::revision.desc(),
        ))
        .select((
            open_data_releases::month,
            open_data_releases::revision,
            open_data_releases::sha256,
            open_data_releases::note,
            open_data_releases::published_at,
        ))
        .load(conn)
}
