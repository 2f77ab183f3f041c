//! Staff's own work on a case: who follows it (`case_assignments`, one follower per case,
//! taken over only from the follower the page showed) and the private notes staff leave each
//! other (`case_notes`). The applicant never reads either.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    assistance_requests, case_assignments, case_notes, label_applications, providers, users,
};

/// What a case is: its kind as stored, and its id in that kind. A referencing file, by its
/// provider's id.
pub const REFERENCING: &str = "referencing";
/// A label application, by its id.
pub const LABEL: &str = "label";
/// An assistance request, by its id (its notes are erased with the victim's data).
pub const ASSISTANCE: &str = "assistance";

/// Whether the case exists.
pub fn exists(conn: &mut DbConnection, kind: &str, subject_id: &str) -> QueryResult<bool> {
    match kind {
        REFERENCING => Ok(providers::table
            .find(subject_id)
            .count()
            .get_result::<i64>(conn)?
            > 0),
        LABEL => Ok(label_applications::table
            .find(subject_id)
            .count()
            .get_result::<i64>(conn)?
            > 0),
        ASSISTANCE => Ok(assistance_requests::table
            .find(subject_id)
            .count()
            .get_result::<i64>(conn)?
            > 0),
        _ => Ok(false),
    }
}

/// The staff member following the case: (id, name).
pub fn follower(
    conn: &mut DbConnection,
    kind: &str,
    subject_id: &str,
) -> QueryResult<Option<(String, String)>> {
    case_assignments::table
        .inner_join(users::table)
        .filter(case_assignments::kind.eq(kind))
        .filter(case_assignments::subject_id.eq(subject_id))
        .select((users::id, users::display_name))
        .first(conn)
        .optional()
}

/// Makes `user_id` (or nobody) the case's follower if the follower is still `expected`;
/// false (nothing changed) when someone changed it first.
pub fn set_follower(
    conn: &mut DbConnection,
    kind: &str,
    subject_id: &str,
    expected: Option<&str>,
    user_id: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let this = case_assignments::table
        .filter(case_assignments::kind.eq(kind))
        .filter(case_assignments::subject_id.eq(subject_id));
    match (expected, user_id) {
        (None, None) => Ok(this.count().get_result::<i64>(conn)? == 0),
        (None, Some(user_id)) => {
            let inserted = diesel::insert_into(case_assignments::table)
                .values((
                    case_assignments::kind.eq(kind),
                    case_assignments::subject_id.eq(subject_id),
                    case_assignments::user_id.eq(user_id),
                    case_assignments::assigned_at.eq(now),
                ))
                .execute(conn);
            match inserted {
                Ok(n) => Ok(n == 1),
                // Someone took it between the page and the click.
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => Ok(false),
                Err(e) => Err(e),
            }
        }
        (Some(expected), Some(user_id)) => Ok(diesel::update(
            this.filter(case_assignments::user_id.eq(expected)),
        )
        .set((
            case_assignments::user_id.eq(user_id),
            case_assignments::assigned_at.eq(now),
        ))
        .execute(conn)?
            == 1),
        (Some(expected), None) => Ok(diesel::delete(
            this.filter(case_assignments::user_id.eq(expected)),
        )
        .execute(conn)?
            == 1),
    }
}

/// A private note with its author's name.
#[derive(Queryable, Debug, Clone)]
pub struct NoteRow {
    pub id: String,
    pub author_id: String,
    pub author_name: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// The case's notes, oldest first.
pub fn notes(conn: &mut DbConnection, kind: &str, subject_id: &str) -> QueryResult<Vec<NoteRow>> {
    case_notes::table
        .inner_join(users::table)
        .filter(case_notes::kind.eq(kind))
        .filter(case_notes::subject_id.eq(subject_id))
        .order((case_notes::created_at, case_notes::id))
        .select((
            case_notes::id,
            case_notes::author_id,
            users::display_name,
            case_notes::body,
            case_notes::created_at,
        ))
        .load(conn)
}

pub fn add_note(
    conn: &mut DbConnection,
    id: &str,
    kind: &str,
    subject_id: &str,
    author_id: &str,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(case_notes::table)
        .values((
            case_notes::id.eq(id),
            case_notes::kind.eq(kind),
            case_notes::subject_id.eq(subject_id),
            case_notes::author_id.eq(author_id),
            case_notes::body.eq(body),
            case_notes::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Deletes the case's notes (an assistance request's, with the victim's data).
pub fn delete_notes(conn: &mut DbConnection, kind: &str, subject_id: &str) -> QueryResult<usize> {
    diesel::delete(
        case_notes::table
            .filter(case_notes::kind.eq(kind))
            .filter(case_notes::subject_id.eq(subject_id)),
    )
    .execute(conn)
}

/// Every followed case of a kind: (subject id, follower's id, follower's name).
pub fn followers(
    conn: &mut DbConnection,
    kind: &str,
) -> QueryResult<Vec<(String, String, String)>> {
    case_assignments::table
        .inner_join(users::table)
        .filter(case_assignments::kind.eq(kind))
        .select((case_assignments::subject_id, users::id, users::display_name))
        .load(conn)
}
