//! The audit trail: every workflow's events, in one table keyed by subject.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{users, workflow_events};

#[derive(Queryable, Selectable, Debug, Clone, PartialEq)]
#[diesel(table_name = workflow_events)]
pub struct EventRow {
    pub id: i64,
    pub subject_type: String,
    pub subject_id: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A new event (its id, assigned by the database, orders the trail).
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = workflow_events)]
// `None` is NULL (the column has no default): the INSERT's text is then fixed, and PostgreSQL
// keeps it as a prepared statement instead of parsing and planning it each time.
#[diesel(treat_none_as_default_value = false)]
pub struct NewEvent {
    pub subject_type: String,
    pub subject_id: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Writes several events, their ids in the slice's order: in one statement on PostgreSQL, one
/// by one on SQLite (see `outbox::insert_all`).
#[allow(irrefutable_let_patterns)]
pub fn insert_events(conn: &mut DbConnection, events: &[NewEvent]) -> QueryResult<()> {
    #[cfg(feature = "postgres")]
    if let DbConnection::Postgresql(pg) = conn {
        let into = diesel::insert_into(workflow_events::table);
        // One or two rows (most steps) keep a fixed statement, which stays prepared.
        return match events {
            [event] => into.values(event).execute(pg),
            [_, _] => into
                .values(<&[NewEvent; 2]>::try_from(events).map_err(|_| {
                    diesel::result::Error::QueryBuilderError("two events expected".into())
                })?)
                .execute(pg),
            _ => into.values(events).execute(pg),
        }
        .map(|_| ());
    }
    events.iter().try_for_each(|event| {
        diesel::insert_into(workflow_events::table)
            .values(event)
            .execute(conn)
            .map(|_| ())
    })
}

/// The trail of one subject, oldest first, with the actor's display name.
pub fn events_of(
    conn: &mut DbConnection,
    subject_type: &str,
    subject_id: &str,
) -> QueryResult<Vec<(EventRow, Option<String>)>> {
    workflow_events::table
        .left_join(users::table.on(workflow_events::actor_id.eq(users::id.nullable())))
        .filter(workflow_events::subject_type.eq(subject_type))
        .filter(workflow_events::subject_id.eq(subject_id))
        .order(workflow_events::id)
        .select((EventRow::as_select(), users::display_name.nullable()))
        .load(conn)
}

/// The last step a person (not the scheduler) took on each of these subjects of a type: for
/// providers, staff's last review.
pub fn last_reviews_of(
    conn: &mut DbConnection,
    subject: &str,
    ids: &[String],
) -> QueryResult<Vec<(String, Option<NaiveDateTime>)>> {
    workflow_events::table
        .filter(workflow_events::subject_type.eq(subject))
        .filter(workflow_events::subject_id.eq_any(ids))
        .filter(workflow_events::actor_id.is_not_null())
        .group_by(workflow_events::subject_id)
        .select((
            workflow_events::subject_id,
            diesel::dsl::max(workflow_events::created_at),
        ))
        .load(conn)
}
