//! The message thread between staff and a case's applicant (`case_messages`): the messages
//! without their attachments' bytes, which are read one at a time when asked for.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{case_messages, users};

/// A message as a thread shows it, with its author's name (none for a victim, who has no
/// account), without its attachment's bytes.
#[derive(Queryable, Debug, Clone)]
pub struct MessageRow {
    pub id: String,
    pub author_name: Option<String>,
    pub from_staff: bool,
    pub body: String,
    pub attachment_name: Option<String>,
    pub attachment_size: Option<i32>,
    pub created_at: NaiveDateTime,
}

/// The case's messages, oldest first.
pub fn thread(
    conn: &mut DbConnection,
    kind: &str,
    subject_id: &str,
) -> QueryResult<Vec<MessageRow>> {
    case_messages::table
        .left_join(users::table)
        .filter(case_messages::kind.eq(kind))
        .filter(case_messages::subject_id.eq(subject_id))
        .order((case_messages::created_at, case_messages::id))
        .select((
            case_messages::id,
            users::display_name.nullable(),
            case_messages::from_staff,
            case_messages::body,
            case_messages::attachment_name,
            case_messages::attachment_size,
            case_messages::created_at,
        ))
        .load(conn)
}

/// A new message.
#[derive(Insertable, Debug)]
#[diesel(table_name = case_messages)]
pub struct NewMessage<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub subject_id: &'a str,
    pub author_id: Option<&'a str>,
    pub from_staff: bool,
    pub body: &'a str,
    pub attachment_name: Option<&'a str>,
    pub attachment_size: Option<i32>,
    pub attachment: Option<&'a [u8]>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, message: &NewMessage<'_>) -> QueryResult<()> {
    diesel::insert_into(case_messages::table)
        .values(message)
        .execute(conn)
        .map(|_| ())
}

/// A message's attachment: the case it belongs to (kind, id), its name and bytes.
#[derive(Queryable, Debug)]
pub struct AttachmentRow {
    pub kind: String,
    pub subject_id: String,
    pub name: String,
    pub content: Vec<u8>,
}

pub fn attachment(conn: &mut DbConnection, message_id: &str) -> QueryResult<Option<AttachmentRow>> {
    case_messages::table
        .find(message_id)
        .filter(case_messages::attachment.is_not_null())
        .select((
            case_messages::kind,
            case_messages::subject_id,
            case_messages::attachment_name.assume_not_null(),
            case_messages::attachment.assume_not_null(),
        ))
        .first(conn)
        .optional()
}

/// How many messages the case has, and whether the last one came from staff (`None`: none).
pub fn summary(
    conn: &mut DbConnection,
    kind: &str,
    subject_id: &str,
) -> QueryResult<(i64, Option<bool>)> {
    let this = || {
        case_messages::table
            .filter(case_messages::kind.eq(kind))
            .filter(case_messages::subject_id.eq(subject_id))
    };
    let count = this().count().get_result(conn)?;
    let last = this()
        .order((case_messages::created_at.desc(), case_messages::id.desc()))
        .select(case_messages::from_staff)
        .first(conn)
        .optional()?;
    Ok((count, last))
}

/// Deletes a case's messages (an assistance request's, with the victim's data).
pub fn delete_thread(conn: &mut DbConnection, kind: &str, subject_id: &str) -> QueryResult<usize> {
    diesel::delete(
        case_messages::table
            .filter(case_messages::kind.eq(kind))
            .filter(case_messages::subject_id.eq(subject_id)),
    )
    .execute(conn)
}
