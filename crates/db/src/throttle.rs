//! Limits that hold exactly under concurrency, across processes: the events a limit counts are
//! rows of `rate_events`, and counting then recording happens while holding the limit's key.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::rate_events;

/// Holds `key` until the transaction ends, so that transactions taking the same key run one
/// after the other. Call inside `write_transaction`: on SQLite, write transactions already run
/// one at a time; on PostgreSQL this takes a transaction-level advisory lock.
#[allow(irrefutable_let_patterns, unused_variables)]
pub fn lock(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    #[cfg(feature = "postgres")]
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<diesel::sql_types::Text, _>(key)
            .execute(pg)?;
    }
    Ok(())
}

pub fn count_since(
    conn: &mut DbConnection,
    subject: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    rate_events::table
        .filter(rate_events::subject.eq(subject))
        .filter(rate_events::happened_at.gt(since))
        .count()
        .get_result(conn)
}

/// Records one event; returns its id (to forget it later).
pub fn record(conn: &mut DbConnection, subject: &str, at: NaiveDateTime) -> QueryResult<String> {
    let id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(rate_events::table)
        .values((
            rate_events::id.eq(&id),
            rate_events::subject.eq(subject),
            rate_events::happened_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn forget(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::delete(rate_events::table.filter(rate_events::id.eq(id)))
        .execute(conn)
        .map(|_| ())
}

/// Takes one of the `max` places `subject` has since `since`, atomically: the event's id, or
/// none when they are all taken. Call inside `write_transaction`.
pub fn take(
    conn: &mut DbConnection,
    subject: &str,
    max: i64,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    lock(conn, subject)?;
    if count_since(conn, subject, since)? >= max {
        return Ok(None);
    }
    record(conn, subject, now).map(Some)
}

/// Removes events older than `before` (the longest window any limit uses).
pub fn purge(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(rate_events::table.filter(rate_events::happened_at.lt(before))).execute(conn)
}
