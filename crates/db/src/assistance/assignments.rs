//! Offers of a request to providers (assignments).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::{assistance_assignments, assistance_requests};
use cyberdir_domain::assistance::AssignmentStatus;

use super::*;

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = assistance_assignments)]
// `None` is NULL (the column has no default): the INSERT's text is then fixed, and PostgreSQL
// keeps it as a prepared statement instead of parsing and planning it each time.
#[diesel(treat_none_as_default_value = false)]
pub struct AssignmentRow {
    pub id: String,
    pub request_id: String,
    pub provider_id: String,
    pub status: AssignmentStatus,
    pub why: String,
    pub assigned_by: Option<String>,
    pub decline_reason: Option<String>,
    pub decline_text: Option<String>,
    pub offered_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
}

pub fn insert_assignment(conn: &mut DbConnection, row: &AssignmentRow) -> QueryResult<()> {
    diesel::insert_into(assistance_assignments::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn assignment(conn: &mut DbConnection, id: &str) -> QueryResult<Option<AssignmentRow>> {
    assistance_assignments::table
        .find(id)
        .select(AssignmentRow::as_select())
        .first(conn)
        .optional()
}

/// The offers of a request still waiting for an answer: one, or several for an urgent
/// request offered at once to the nearest providers.
pub fn pending_assignments(
    conn: &mut DbConnection,
    request_id: &str,
) -> QueryResult<Vec<AssignmentRow>> {
    assistance_assignments::table
        .filter(assistance_assignments::request_id.eq(request_id))
        .filter(assistance_assignments::status.eq(AssignmentStatus::Pending))
        .order((
            assistance_assignments::offered_at,
            assistance_assignments::id,
        ))
        .select(AssignmentRow::as_select())
        .load(conn)
}

pub fn assignments_of(
    conn: &mut DbConnection,
    request_id: &str,
) -> QueryResult<Vec<AssignmentRow>> {
    assistance_assignments::table
        .filter(assistance_assignments::request_id.eq(request_id))
        .order((
            assistance_assignments::offered_at,
            assistance_assignments::id,
        ))
        .select(AssignmentRow::as_select())
        .load(conn)
}

/// Ends a pending assignment; false when it was no longer pending (someone answered first).
pub fn settle_assignment(
    conn: &mut DbConnection,
    id: &str,
    status: AssignmentStatus,
    reason: Option<(&str, Option<&str>)>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        assistance_assignments::table
            .filter(assistance_assignments::id.eq(id))
            .filter(assistance_assignments::status.eq(AssignmentStatus::Pending)),
    )
    .set((
        assistance_assignments::status.eq(status),
        assistance_assignments::decline_reason.eq(reason.map(|r| r.0)),
        assistance_assignments::decline_text.eq(reason.and_then(|r| r.1)),
        assistance_assignments::answered_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Ends an accepted assignment whose provider was suspended or removed; false when it was no
/// longer accepted.
pub fn withdraw_accepted(
    conn: &mut DbConnection,
    id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        assistance_assignments::table
            .filter(assistance_assignments::id.eq(id))
            .filter(assistance_assignments::status.eq(AssignmentStatus::Accepted)),
    )
    .set((
        assistance_assignments::status.eq(AssignmentStatus::Withdrawn),
        assistance_assignments::answered_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Pending assignments past their deadline.
pub fn expired_assignments(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<Vec<AssignmentRow>> {
    assistance_assignments::table
        .filter(assistance_assignments::status.eq(AssignmentStatus::Pending))
        .filter(assistance_assignments::expires_at.le(now))
        .order(assistance_assignments::expires_at)
        .select(AssignmentRow::as_select())
        .load(conn)
}

/// Providers who already declined or let this request time out.
pub fn providers_tried(conn: &mut DbConnection, request_id: &str) -> QueryResult<Vec<String>> {
    assistance_assignments::table
        .filter(assistance_assignments::request_id.eq(request_id))
        .filter(
            assistance_assignments::status
                .eq_any([AssignmentStatus::Declined, AssignmentStatus::TimedOut]),
        )
        .select(assistance_assignments::provider_id)
        .load(conn)
}

/// Requests offered to or held by a provider: (assignment, request).
pub fn requests_of_provider(
    conn: &mut DbConnection,
    provider_id: &str,
    statuses: &[AssignmentStatus],
) -> QueryResult<Vec<(AssignmentRow, RequestRow)>> {
    assistance_assignments::table
        .inner_join(assistance_requests::table)
        .filter(assistance_assignments::provider_id.eq(provider_id))
        .filter(assistance_assignments::status.eq_any(statuses.to_vec()))
        .order(assistance_assignments::offered_at.desc())
        .select((AssignmentRow::as_select(), RequestRow::as_select()))
        .load(conn)
}

/// Holds request `id` until the transaction ends (see `throttle::lock`): the answers, timeouts
/// and cancellations of one request run one after the other, never in a deadlock.
pub fn lock_request(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    crate::throttle::lock(conn, &format!("assistance-request:{id}"))
}
