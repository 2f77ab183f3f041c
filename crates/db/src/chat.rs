//! Queries of the chat: operators, chats and their events, notes, canned responses; and the
//! PostgreSQL notification that wakes the event streams of every node.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::{canned_responses, chat_events, chat_notes, chats, operators, users};

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = operators)]
pub struct OperatorRow {
    pub user_id: String,
    pub force: String,
    pub supervisor: bool,
    pub presence: String,
    pub capacity: i32,
    pub idle_since: NaiveDateTime,
    pub seen_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = chats)]
#[diesel(treat_none_as_default_value = false)]
pub struct ChatRow {
    pub id: String,
    pub token_hash: String,
    pub status: String,
    pub force: Option<String>,
    pub priority: i32,
    pub requeued: bool,
    pub operator_id: Option<String>,
    pub answered_force: Option<String>,
    /// The urgent assistance request it was queued from (at night), if any.
    pub request_id: Option<String>,
    pub journey_id: Option<String>,
    pub audience: Option<String>,
    pub incident_type: Option<String>,
    pub outcome: Option<String>,
    pub urgency: Option<String>,
    pub departement: Option<String>,
    pub summary: String,
    pub victim_email: Option<String>,
    pub channel: String,
    pub partner: Option<String>,
    pub client_hash: String,
    pub disposition: Option<String>,
    pub disposition_detail: Option<String>,
    pub offline: bool,
    pub queued_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub erased_at: Option<NaiveDateTime>,
    pub version: i32,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = chat_events)]
#[diesel(treat_none_as_default_value = false)]
pub struct ChatEventRow {
    pub chat_id: String,
    pub seq: i32,
    pub author: String,
    pub operator_id: Option<String>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = chat_notes)]
pub struct NoteRow {
    pub id: String,
    pub chat_id: String,
    pub operator_id: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = canned_responses)]
#[diesel(treat_none_as_default_value = false)]
pub struct CannedRow {
    pub id: String,
    pub title: String,
    pub body: String,
    pub updated_by: Option<String>,
    pub updated_at: NaiveDateTime,
}

// --- Operators ---------------------------------------------------------------------------------

pub fn operator(conn: &mut DbConnection, user_id: &str) -> QueryResult<Option<OperatorRow>> {
    operators::table
        .find(user_id)
        .select(OperatorRow::as_select())
        .first(conn)
        .optional()
}

/// Every operator with their name, by name.
pub fn operators_named(conn: &mut DbConnection) -> QueryResult<Vec<(OperatorRow, String)>> {
    operators::table
        .inner_join(users::table.on(users::id.eq(operators::user_id)))
        .order((users::display_name, users::id))
        .select((OperatorRow::as_select(), users::display_name))
        .load(conn)
}

pub fn insert_operator(conn: &mut DbConnection, row: &OperatorRow) -> QueryResult<()> {
    diesel::insert_into(operators::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Operators on duty (available or busy).
pub fn on_duty(conn: &mut DbConnection) -> QueryResult<Vec<OperatorRow>> {
    operators::table
        .filter(operators::presence.ne("absent"))
        .select(OperatorRow::as_select())
        .load(conn)
}

pub fn set_presence(
    conn: &mut DbConnection,
    user_id: &str,
    presence: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(operators::table.find(user_id))
        .set((operators::presence.eq(presence), operators::seen_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// Sets an operator absent unless seen since `silent_since`; false when they were seen (or
/// already absent).
pub fn set_absent_if_silent(
    conn: &mut DbConnection,
    user_id: &str,
    silent_since: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        operators::table
            .find(user_id)
            .filter(operators::presence.ne("absent"))
            .filter(operators::seen_at.lt(silent_since)),
    )
    .set(operators::presence.eq("absent"))
    .execute(conn)?;
    Ok(changed == 1)
}

/// On duty and silent since `before`.
pub fn silent_operators(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    operators::table
        .filter(operators::presence.ne("absent"))
        .filter(operators::seen_at.lt(before))
        .select(operators::user_id)
        .load(conn)
}

/// A sign of life from the operator's console; written at most every 10 seconds (each stream
/// read is one, and a busy chat must not rewrite the row at every line).
pub fn seen(conn: &mut DbConnection, user_id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        operators::table
            .find(user_id)
            .filter(operators::seen_at.lt(now - chrono::Duration::seconds(10))),
    )
    .set(operators::seen_at.eq(now))
    .execute(conn)
    .map(|_| ())
}

pub fn set_idle_since(
    conn: &mut DbConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(operators::table.find(user_id))
        .set(operators::idle_since.eq(now))
        .execute(conn)
        .map(|_| ())
}

pub fn update_operator(
    conn: &mut DbConnection,
    user_id: &str,
    force: &str,
    capacity: i32,
    supervisor: bool,
) -> QueryResult<bool> {
    let changed = diesel::update(operators::table.find(user_id))
        .set((
            operators::force.eq(force),
            operators::capacity.eq(capacity),
            operators::supervisor.eq(supervisor),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Active chats per operator.
pub fn active_counts(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    chats::table
        .filter(chats::status.eq("active"))
        .filter(chats::operator_id.is_not_null())
        .group_by(chats::operator_id)
        .select((
            chats::operator_id.assume_not_null(),
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

// --- Chats -------------------------------------------------------------------------------------

pub fn insert_chat(conn: &mut DbConnection, row: &ChatRow) -> QueryResult<()> {
    diesel::insert_into(chats::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn chat(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ChatRow>> {
    chats::table
        .find(id)
        .select(ChatRow::as_select())
        .first(conn)
        .optional()
}

pub fn chat_by_token(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<ChatRow>> {
    chats::table
        .filter(chats::token_hash.eq(token_hash))
        .select(ChatRow::as_select())
        .first(conn)
        .optional()
}

/// The waiting chats, oldest first (the domain orders the queue).
pub fn waiting(conn: &mut DbConnection) -> QueryResult<Vec<ChatRow>> {
    chats::table
        .filter(chats::status.eq("waiting"))
        .order((chats::queued_at, chats::id))
        .select(ChatRow::as_select())
        .load(conn)
}

/// An operator's active chats, oldest first.
pub fn active_of(conn: &mut DbConnection, operator_id: &str) -> QueryResult<Vec<ChatRow>> {
    chats::table
        .filter(chats::status.eq("active"))
        .filter(chats::operator_id.eq(operator_id))
        .order((chats::answered_at, chats::id))
        .select(ChatRow::as_select())
        .load(conn)
}

/// Gives a waiting chat to an operator; false when it was no longer waiting (taken by someone
/// else, or left).
pub fn claim(
    conn: &mut DbConnection,
    id: &str,
    operator_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(chats::table.find(id).filter(chats::status.eq("waiting")))
        .set((
            chats::status.eq("active"),
            chats::operator_id.eq(operator_id),
            chats::requeued.eq(false),
            chats::version.eq(chats::version + 1),
        ))
        .execute(conn)?;
    if changed == 1 {
        // The first answer's time and force: the wait the observatory counts, and who.
        let force: Option<String> = operators::table
            .find(operator_id)
            .select(operators::force)
            .first(conn)
            .optional()?;
        diesel::update(chats::table.find(id).filter(chats::answered_at.is_null()))
            .set((
                chats::answered_at.eq(Some(now)),
                chats::answered_force.eq(force),
            ))
            .execute(conn)?;
    }
    Ok(changed == 1)
}

/// Sends an active chat back to the head of the queue (its operator left), or to another force
/// (`force`); false when it was not active with `operator_id`.
pub fn requeue(
    conn: &mut DbConnection,
    id: &str,
    operator_id: &str,
    force: Option<&str>,
) -> QueryResult<bool> {
    let changed = diesel::update(
        chats::table
            .find(id)
            .filter(chats::status.eq("active"))
            .filter(chats::operator_id.eq(operator_id)),
    )
    .set((
        chats::status.eq("waiting"),
        chats::operator_id.eq(None::<String>),
        chats::requeued.eq(true),
        chats::force.eq(force),
        chats::version.eq(chats::version + 1),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Hands an active chat from one operator to another.
pub fn transfer(conn: &mut DbConnection, id: &str, from: &str, to: &str) -> QueryResult<bool> {
    let changed = diesel::update(
        chats::table
            .find(id)
            .filter(chats::status.eq("active"))
            .filter(chats::operator_id.eq(from)),
    )
    .set((
        chats::operator_id.eq(to),
        chats::version.eq(chats::version + 1),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Ends a chat that is still `from` (and, if given, still held by `operator`); false when it
/// no longer is (it ended, was routed, sent back or transferred meanwhile).
pub fn end(
    conn: &mut DbConnection,
    id: &str,
    from: &str,
    operator: Option<&str>,
    status: &str,
    disposition: Option<(&str, Option<&str>)>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let mut update =
        diesel::update(chats::table.find(id).filter(chats::status.eq(from))).into_boxed();
    if let Some(op) = operator {
        update = update.filter(chats::operator_id.eq(op));
    }
    let changed = update
        .set((
            chats::status.eq(status),
            chats::disposition.eq(disposition.map(|d| d.0)),
            chats::disposition_detail.eq(disposition.and_then(|d| d.1)),
            chats::closed_at.eq(Some(now)),
            chats::version.eq(chats::version + 1),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// The open chats queued from an assistance request (urgent, at night).
pub fn open_of_request(conn: &mut DbConnection, request_id: &str) -> QueryResult<Vec<ChatRow>> {
    chats::table
        .filter(chats::request_id.eq(request_id))
        .select(ChatRow::as_select())
        .load(conn)
}

/// Chats closed before `before`, or never closed and started before it, not yet erased.
pub fn closed_before(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<Vec<String>> {
    chats::table
        .filter(
            chats::closed_at
                .lt(before)
                .or(chats::closed_at.is_null().and(chats::created_at.lt(before))),
        )
        .filter(chats::erased_at.is_null())
        .select(chats::id)
        .load(conn)
}

/// Erases what the victim and the operators wrote, and the diagnostic's answers; the anonymous
/// facts (force, audience, threat, waits, disposition) stay.
pub fn erase(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(chat_events::table.filter(chat_events::chat_id.eq(id))).execute(conn)?;
    diesel::delete(chat_notes::table.filter(chat_notes::chat_id.eq(id))).execute(conn)?;
    diesel::update(chats::table.find(id))
        .set((
            chats::summary.eq("[]"),
            chats::victim_email.eq(None::<String>),
            chats::disposition_detail.eq(None::<String>),
            chats::journey_id.eq(None::<String>),
            chats::erased_at.eq(Some(now)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Handling times (answer to close, in minutes) of chats closed since `since`, newest first.
pub fn recent_handling(
    conn: &mut DbConnection,
    since: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDateTime, NaiveDateTime)>> {
    chats::table
        .filter(chats::status.eq("closed"))
        .filter(chats::closed_at.gt(since))
        .filter(chats::answered_at.is_not_null())
        .order(chats::closed_at.desc())
        .limit(200)
        .select((
            chats::answered_at.assume_not_null(),
            chats::closed_at.assume_not_null(),
        ))
        .load(conn)
}

/// The anonymous facts of the chats created in `[from, to)`, for the observatory.
#[derive(Queryable, Debug, Clone)]
pub struct ChatFact {
    pub created_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
    pub status: String,
    pub disposition: Option<String>,
    pub answered_force: Option<String>,
    pub audience: Option<String>,
    pub incident_type: Option<String>,
    pub offline: bool,
    pub channel: String,
}

pub fn facts_between(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<ChatFact>> {
    chats::table
        .filter(chats::created_at.ge(from))
        .filter(chats::created_at.lt(to))
        .select((
            chats::created_at,
            chats::answered_at,
            chats::status,
            chats::disposition,
            chats::answered_force,
            chats::audience,
            chats::incident_type,
            chats::offline,
            chats::channel,
        ))
        .load(conn)
}

// --- Events ------------------------------------------------------------------------------------

/// Appends a line to a chat with the next number; the caller holds the chat (see
/// `throttle::lock`), so numbers never collide.
pub fn append(
    conn: &mut DbConnection,
    chat_id: &str,
    author: &str,
    operator_id: Option<&str>,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<ChatEventRow> {
    let last: Option<i32> = chat_events::table
        .filter(chat_events::chat_id.eq(chat_id))
        .select(diesel::dsl::max(chat_events::seq))
        .first(conn)?;
    let row = ChatEventRow {
        chat_id: chat_id.to_owned(),
        seq: last.unwrap_or(0) + 1,
        author: author.to_owned(),
        operator_id: operator_id.map(str::to_owned),
        body: body.to_owned(),
        created_at: now,
    };
    diesel::insert_into(chat_events::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// The lines after `after`, in order.
pub fn events_after(
    conn: &mut DbConnection,
    chat_id: &str,
    after: i32,
) -> QueryResult<Vec<ChatEventRow>> {
    chat_events::table
        .filter(chat_events::chat_id.eq(chat_id))
        .filter(chat_events::seq.gt(after))
        .order(chat_events::seq)
        .select(ChatEventRow::as_select())
        .load(conn)
}

/// Victims' messages in a chat.
pub fn victim_messages(conn: &mut DbConnection, chat_id: &str) -> QueryResult<i64> {
    chat_events::table
        .filter(chat_events::chat_id.eq(chat_id))
        .filter(chat_events::author.eq("victim"))
        .count()
        .get_result(conn)
}

// --- Notes and canned responses -----------------------------------------------------------------

pub fn insert_note(conn: &mut DbConnection, row: &NoteRow) -> QueryResult<()> {
    diesel::insert_into(chat_notes::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn notes_of(conn: &mut DbConnection, chat_id: &str) -> QueryResult<Vec<NoteRow>> {
    chat_notes::table
        .filter(chat_notes::chat_id.eq(chat_id))
        .order((chat_notes::created_at, chat_notes::id))
        .select(NoteRow::as_select())
        .load(conn)
}

pub fn canned(conn: &mut DbConnection) -> QueryResult<Vec<CannedRow>> {
    canned_responses::table
        .order((canned_responses::title, canned_responses::id))
        .select(CannedRow::as_select())
        .load(conn)
}

pub fn upsert_canned(conn: &mut DbConnection, row: &CannedRow) -> QueryResult<()> {
    diesel::delete(canned_responses::table.find(&row.id)).execute(conn)?;
    diesel::insert_into(canned_responses::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn delete_canned(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    Ok(diesel::delete(canned_responses::table.find(id)).execute(conn)? == 1)
}

// --- Notifications ----------------------------------------------------------------------------

/// The channel every node listens on: its payload names what changed (`chat:<id>`, `queue`).
pub const CHANNEL: &str = "cyberdir_chat";

/// Tells every node, when the transaction commits, what changed: one notification per payload
/// (`chat:<id>`, perhaps with the line written; see `chat::hub::payload`), in one round trip.
/// PostgreSQL's `NOTIFY` is delivered at commit, never for a rollback. SQLite has one process:
/// the service tells its own streams after the commit.
#[allow(irrefutable_let_patterns, unused_variables)]
pub fn notify(conn: &mut DbConnection, payloads: &[String]) -> QueryResult<()> {
    #[cfg(feature = "postgres")]
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query(
            "SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n",
        )
        .bind::<diesel::sql_types::Text, _>(CHANNEL)
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(payloads)
        .execute(pg)?;
    }
    Ok(())
}

/// Whether this connection is PostgreSQL (whose nodes are told through `NOTIFY`).
#[allow(irrefutable_let_patterns, unused_variables)]
pub fn is_postgres(conn: &DbConnection) -> bool {
    #[cfg(feature = "postgres")]
    if let DbConnection::Postgresql(_) = conn {
        return true;
    }
    false
}
