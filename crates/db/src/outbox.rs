//! The outbox: rendered emails waiting for delivery.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::outbox;

pub use cyberdir_domain::outbox::OutboxStatus;

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = outbox)]
// `None` is NULL (the column has no default): the INSERT's text is then fixed, and PostgreSQL
// keeps it as a prepared statement instead of parsing and planning it each time.
#[diesel(treat_none_as_default_value = false)]
pub struct OutboxRow {
    pub id: String,
    pub template: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    /// After this instant a failing message is parked as failed for staff.
    pub give_up_at: NaiveDateTime,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    /// The assistance request whose victim the message is about (erased with it).
    pub request_id: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &OutboxRow) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Writes several messages: in one statement on PostgreSQL, where each statement is a round
/// trip; one by one on SQLite, which has none (and whose batch insert diesel's multi-backend
/// connection does not offer).
#[allow(irrefutable_let_patterns)]
pub fn insert_all(conn: &mut DbConnection, rows: &[OutboxRow]) -> QueryResult<()> {
    #[cfg(feature = "postgres")]
    if let DbConnection::Postgresql(pg) = conn {
        let into = diesel::insert_into(outbox::table);
        // One or two rows (most steps) keep a fixed statement, which stays prepared.
        return match rows {
            [row] => into.values(row).execute(pg),
            [_, _] => into
                .values(<&[OutboxRow; 2]>::try_from(rows).map_err(|_| {
                    diesel::result::Error::QueryBuilderError("two rows expected".into())
                })?)
                .execute(pg),
            _ => into.values(rows).execute(pg),
        }
        .map(|_| ());
    }
    rows.iter().try_for_each(|row| insert(conn, row))
}

/// Claims up to `batch` due messages for `claim` (a token unique to this round) until
/// `now + lease`. The outer conditions are re-checked by PostgreSQL on rows another process
/// claimed meanwhile, so a message is never claimed twice.
pub fn claim_due(
    conn: &mut DbConnection,
    claim: &str,
    now: NaiveDateTime,
    lease: Duration,
    batch: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let claimable = outbox::status
        .eq(OutboxStatus::Pending)
        .and(outbox::next_attempt_at.le(now))
        .and(
            outbox::claimed_until
                .is_null()
                .or(outbox::claimed_until.lt(now)),
        );
    // Oldest first; messages written in the same instant (one step's emails, a frozen clock)
    // in the order they were written: their ids are time-ordered (UUIDv7).
    let due = outbox::table
        .filter(claimable)
        .order((outbox::created_at, outbox::id))
        .limit(batch)
        .select(outbox::id);
    let due_ids: Vec<String> = due.load(conn)?;
    if due_ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(&due_ids))
            .filter(claimable),
    )
    .set((
        outbox::claimed_by.eq(claim),
        outbox::claimed_until.eq(now + lease),
    ))
    .execute(conn)?;
    outbox::table
        .filter(outbox::claimed_by.eq(claim))
        .order((outbox::created_at, outbox::id))
        .select(OutboxRow::as_select())
        .load(conn)
}

pub fn mark_sent(
    conn: &mut DbConnection,
    id: &str,
    claim: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id).filter(outbox::claimed_by.eq(claim)))
        .set((
            outbox::status.eq(OutboxStatus::Sent),
            outbox::sent_at.eq(now),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::claimed_by.eq(None::<String>),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
}

/// Records a failed attempt: retried at `retry_at`, or parked as failed when `give_up`.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    id: &str,
    claim: &str,
    error: &str,
    retry_at: NaiveDateTime,
    give_up: bool,
) -> QueryResult<usize> {
    let status = if give_up {
        OutboxStatus::Failed
    } else {
        OutboxStatus::Pending
    };
    diesel::update(outbox::table.find(id).filter(outbox::claimed_by.eq(claim)))
        .set((
            outbox::status.eq(status),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::next_attempt_at.eq(retry_at),
            outbox::claimed_by.eq(None::<String>),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)
}

pub fn list_by_status(
    conn: &mut DbConnection,
    status: OutboxStatus,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<OutboxRow>)> {
    list_searched(
        conn,
        status,
        "",
        (OutboxOrder::Created, true),
        limit,
        offset,
    )
}

/// The messages in `status` whose address or subject holds `search` (case ignored, taken
/// literally; every one when empty), newest first: how many, and `limit` from `offset`.
/// The column a list of messages is sorted by; ties go newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutboxOrder {
    #[default]
    Created,
    Recipient,
    Subject,
}

type Boxed<'a> = outbox::BoxedQuery<'a, crate::MultiBackend>;

/// The messages in `status` whose address or subject holds `search` (case ignored).
fn matching(status: OutboxStatus, search: &str) -> Boxed<'static> {
    let search = search.trim().to_lowercase();
    let query = outbox::table.filter(outbox::status.eq(status)).into_boxed();
    if search.is_empty() {
        return query;
    }
    let pattern = format!("%{}%", crate::search::literal(&search));
    query.filter(
        crate::search::lower(outbox::recipient)
            .like(pattern.clone())
            .escape('\\')
            .or(crate::search::lower(outbox::subject)
                .like(pattern)
                .escape('\\')),
    )
}

/// One page of the messages in `status` whose address or subject holds `search` (case
/// ignored), sorted by `order` (`descending` for the reverse), and how many match.
pub fn list_searched(
    conn: &mut DbConnection,
    status: OutboxStatus,
    search: &str,
    order: (OutboxOrder, bool),
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<OutboxRow>)> {
    let total = matching(status, search).count().get_result(conn)?;
    let rows = page_searched(conn, status, search, order, limit, offset)?;
    Ok((total, rows))
}

/// The page of [`list_searched`] alone (an export reads page after page, uncounted).
pub fn page_searched(
    conn: &mut DbConnection,
    status: OutboxStatus,
    search: &str,
    (order, descending): (OutboxOrder, bool),
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<OutboxRow>> {
    use crate::search::lower;
    let matching = matching(status, search);
    let sorted = match (order, descending) {
        (OutboxOrder::Created, false) => matching.order(outbox::created_at.asc()),
        (OutboxOrder::Created, true) => matching.order(outbox::created_at.desc()),
        (OutboxOrder::Recipient, false) => matching.order(lower(outbox::recipient).asc()),
        (OutboxOrder::Recipient, true) => matching.order(lower(outbox::recipient).desc()),
        (OutboxOrder::Subject, false) => matching.order(lower(outbox::subject).asc()),
        (OutboxOrder::Subject, true) => matching.order(lower(outbox::subject).desc()),
    };
    sorted
        .then_order_by((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(OutboxRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<OutboxRow>> {
    outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()
}

/// Puts a failed message back in the queue with a new delivery window, sent to `recipient`
/// when given (the address corrected); false when it is no longer failed.
pub fn requeue_failed(
    conn: &mut DbConnection,
    id: &str,
    now: NaiveDateTime,
    give_up_at: NaiveDateTime,
    recipient: Option<&str>,
) -> QueryResult<bool> {
    let failed = outbox::table
        .find(id)
        .filter(outbox::status.eq(OutboxStatus::Failed));
    let again = (
        outbox::status.eq(OutboxStatus::Pending),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now),
        outbox::give_up_at.eq(give_up_at),
    );
    match recipient {
        Some(to) => diesel::update(failed)
            .set((again, outbox::recipient.eq(to)))
            .execute(conn),
        None => diesel::update(failed).set(again).execute(conn),
    }
    .map(|n| n == 1)
}

/// Every message, oldest first (tests and the `.eml` reader use it).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<OutboxRow>> {
    outbox::table
        .order(outbox::created_at)
        .select(OutboxRow::as_select())
        .load(conn)
}

/// Deletes every message about the request (its victim's data is being erased); returns their
/// ids, whose `.eml` copies go too.
pub fn erase_about_request(conn: &mut DbConnection, request_id: &str) -> QueryResult<Vec<String>> {
    let ids: Vec<String> = outbox::table
        .filter(outbox::request_id.eq(request_id))
        .select(outbox::id)
        .load(conn)?;
    delete_ids(conn, ids)
}

/// Deletes the delivered or failed messages about requests already erased (those written by
/// the erasure step itself, such as the victim's confirmation, once they went); returns their
/// ids.
pub fn erase_delivered_about_erased(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    use super::schema::assistance_requests;
    let erased = assistance_requests::table
        .filter(assistance_requests::anonymised_at.is_not_null())
        .select(assistance_requests::id.nullable());
    let ids: Vec<String> = outbox::table
        .filter(outbox::request_id.eq_any(erased))
        .filter(outbox::status.ne(OutboxStatus::Pending))
        .select(outbox::id)
        .load(conn)?;
    delete_ids(conn, ids)
}

fn delete_ids(conn: &mut DbConnection, ids: Vec<String>) -> QueryResult<Vec<String>> {
    for chunk in ids.chunks(500) {
        diesel::delete(outbox::table.filter(outbox::id.eq_any(chunk))).execute(conn)?;
    }
    Ok(ids)
}

/// What waits in the outbox, for the metrics: emails not yet delivered, when the oldest of
/// them was written, and emails parked as failed.
pub fn backlog(conn: &mut DbConnection) -> QueryResult<(i64, Option<NaiveDateTime>, i64)> {
    let (pending, oldest): (i64, Option<NaiveDateTime>) = outbox::table
        .filter(outbox::status.eq(OutboxStatus::Pending))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(outbox::created_at),
        ))
        .first(conn)?;
    let failed = outbox::table
        .filter(outbox::status.eq(OutboxStatus::Failed))
        .count()
        .get_result(conn)?;
    Ok((pending, oldest, failed))
}

/// Of these requests, those with an email that could not be delivered to `recipient`s given
/// per request (the victim's address): the request's ids.
pub fn requests_with_failed_mail_to(
    conn: &mut DbConnection,
    recipients: &[(String, String)],
) -> QueryResult<std::collections::BTreeSet<String>> {
    let ids: Vec<&str> = recipients.iter().map(|(id, _)| id.as_str()).collect();
    let failed: Vec<(Option<String>, String)> = outbox::table
        .filter(outbox::status.eq("failed"))
        .filter(outbox::request_id.eq_any(&ids))
        .select((outbox::request_id, outbox::recipient))
        .load(conn)?;
    Ok(failed
        .into_iter()
        .filter_map(|(id, to)| {
            let id = id?;
            recipients
                .iter()
                .any(|(r, address)| *r == id && address.eq_ignore_ascii_case(&to))
                .then_some(id)
        })
        .collect())
}
