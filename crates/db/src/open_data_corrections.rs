//! Admins' corrections of a month's open-data file, computed in the background: asked, claimed
//! by one node under a lease (another takes it over once the lease has run out), their
//! progress, their outcome.

use chrono::{Duration, NaiveDateTime};
use cyberdir_domain::observatory::correction::CorrectionState;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::open_data_corrections as corrections;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = corrections)]
pub struct CorrectionRow {
    pub id: String,
    pub month: String,
    pub note: String,
    pub asked_by: String,
    pub asked_at: NaiveDateTime,
    pub state: CorrectionState,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub attempts: i32,
    pub progress_phase: Option<String>,
    pub progress_round: i32,
    pub progress_done: i32,
    pub progress_of: i32,
    pub progress_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub revision: Option<i32>,
    pub outcome: Option<String>,
}

/// How far a node got, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    pub phase: &'a str,
    pub round: i32,
    pub done: i32,
    pub of: i32,
}

/// Records a correction asked; false when one of the month is already waiting or running.
pub fn insert(conn: &mut DbConnection, row: &CorrectionRow) -> QueryResult<bool> {
    if pending_of(conn, &row.month)?.is_some() {
        return Ok(false);
    }
    // Asked twice at once: the unique index on a month's pending correction keeps one.
    super::insert_unless_taken(conn, |conn| {
        diesel::insert_into(corrections::table)
            .values(row)
            .execute(conn)
    })
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<CorrectionRow>> {
    corrections::table
        .find(id)
        .select(CorrectionRow::as_select())
        .first(conn)
        .optional()
}

/// The month's correction waiting or running, if any.
pub fn pending_of(conn: &mut DbConnection, month: &str) -> QueryResult<Option<CorrectionRow>> {
    corrections::table
        .filter(corrections::month.eq(month))
        .filter(corrections::state.eq_any([CorrectionState::Waiting, CorrectionState::Running]))
        .select(CorrectionRow::as_select())
        .first(conn)
        .optional()
}

/// Every correction waiting or running, oldest first.
pub fn pending(conn: &mut DbConnection) -> QueryResult<Vec<CorrectionRow>> {
    corrections::table
        .filter(corrections::state.eq_any([CorrectionState::Waiting, CorrectionState::Running]))
        .order((corrections::asked_at, corrections::id))
        .select(CorrectionRow::as_select())
        .load(conn)
}

/// Claims a correction for `claim` until `now + lease`: the one named, or else the oldest
/// waiting or left by a node whose lease ran out. The claim is a conditional write, so two
/// nodes never both take one. Returns it with its attempts counted.
pub fn claim(
    conn: &mut DbConnection,
    id: Option<&str>,
    claim: &str,
    now: NaiveDateTime,
    lease: Duration,
) -> QueryResult<Option<CorrectionRow>> {
    let claimable = corrections::state
        .eq(CorrectionState::Waiting)
        .or(corrections::state
            .eq(CorrectionState::Running)
            .and(corrections::claimed_until.lt(now)));
    let mut next = corrections::table
        .filter(claimable)
        .order((corrections::asked_at, corrections::id))
        .select(corrections::id)
        .into_boxed();
    if let Some(id) = id {
        next = next.filter(corrections::id.eq(id));
    }
    let Some(next) = next.first::<String>(conn).optional()? else {
        return Ok(None);
    };
    let taken = diesel::update(corrections::table.find(&next).filter(claimable))
        .set((
            corrections::state.eq(CorrectionState::Running),
            corrections::claimed_by.eq(claim),
            corrections::claimed_until.eq(now + lease),
            corrections::attempts.eq(corrections::attempts + 1),
        ))
        .execute(conn)?;
    if taken == 0 {
        return Ok(None);
    }
    find(conn, &next)
}

/// Records the claimant's progress and extends its lease; false when the claim was lost.
pub fn record_progress(
    conn: &mut DbConnection,
    id: &str,
    claim: &str,
    now: NaiveDateTime,
    lease: Duration,
    progress: Progress,
) -> QueryResult<bool> {
    diesel::update(owned(id, claim))
        .set((
            corrections::claimed_until.eq(now + lease),
            corrections::progress_phase.eq(progress.phase),
            corrections::progress_round.eq(progress.round),
            corrections::progress_done.eq(progress.done),
            corrections::progress_of.eq(progress.of),
            corrections::progress_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n > 0)
}

/// Records how the claimant's correction ended; false when the claim was lost.
pub fn finish(
    conn: &mut DbConnection,
    id: &str,
    claim: &str,
    now: NaiveDateTime,
    (state, revision, outcome): (CorrectionState, Option<i32>, Option<&str>),
) -> QueryResult<bool> {
    diesel::update(owned(id, claim))
        .set((
            corrections::state.eq(state),
            corrections::claimed_by.eq(None::<String>),
            corrections::claimed_until.eq(None::<NaiveDateTime>),
            corrections::finished_at.eq(now),
            corrections::revision.eq(revision),
            corrections::outcome.eq(outcome),
        ))
        .execute(conn)
        .map(|n| n > 0)
}

/// A correction while a claim holds it.
type Owned<'a> = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Find<corrections::table, &'a str>,
        diesel::dsl::Eq<corrections::state, CorrectionState>,
    >,
    diesel::dsl::Eq<corrections::claimed_by, &'a str>,
>;

/// The correction while `claim` holds it.
fn owned<'a>(id: &'a str, claim: &'a str) -> Owned<'a> {
    corrections::table
        .find(id)
        .filter(corrections::state.eq(CorrectionState::Running))
        .filter(corrections::claimed_by.eq(claim))
}
