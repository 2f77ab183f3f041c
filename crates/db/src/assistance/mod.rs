//! Queries of assistance requests: requests, assignments, capacity and absences, reports,
//! surveys, and the service's shared secrets.

mod assignments;
mod availability;
mod on_call;
mod reports;
pub mod staff_list;

pub use assignments::*;
pub use availability::*;
pub use on_call::*;
pub use reports::*;

use chrono::NaiveDateTime;
use cyberdir_domain::assistance::{CommentStatus, RequestStatus};
use diesel::prelude::*;

use super::schema::{
    assistance_assignments, assistance_requests, intervention_reports, request_search_words,
    satisfaction_surveys, service_secrets, workflow_events,
};
use super::{DbConnection, insert_unless_taken};

/// Open requests a provider takes at once unless it says otherwise.
pub const DEFAULT_CAPACITY: i32 = 5;

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = assistance_requests)]
// `None` is NULL (the column has no default): the INSERT's text is then fixed, and PostgreSQL
// keeps it as a prepared statement instead of parsing and planning it each time.
#[diesel(treat_none_as_default_value = false)]
pub struct RequestRow {
    pub id: String,
    pub tracking_hash: String,
    pub status: RequestStatus,
    pub postcode: Option<String>,
    pub commune_code: Option<String>,
    pub departement: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub approximate: bool,
    pub audience: String,
    pub incident_type: String,
    pub description: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub consent: bool,
    pub chosen_provider_id: Option<String>,
    pub provider_id: Option<String>,
    pub failed_assignments: i32,
    pub staff_message: Option<String>,
    pub idempotency_key: Option<String>,
    pub client_hash: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub anonymised_at: Option<NaiveDateTime>,
    /// From an urgent diagnostic outcome: offered to the nearest providers at once.
    pub urgent: bool,
}

/// Inserts a request. A unique violation means its idempotency key is taken (a concurrent
/// retry): the caller rolls its transaction back, with no savepoint round trips to pay.
pub fn insert_request(conn: &mut DbConnection, row: &RequestRow) -> QueryResult<()> {
    diesel::insert_into(assistance_requests::table)
        .values(row)
        .execute(conn)?;
    write_search_words(conn, row)
}

/// The words staff find a request by (`request_search_words`): each word of the victim's
/// name and email and of the postcode, folded, once.
fn write_search_words(conn: &mut DbConnection, row: &RequestRow) -> QueryResult<()> {
    let text = [&row.contact_name, &row.contact_email, &row.postcode]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    let folded = cyberdir_domain::text::fold(&text);
    let words: std::collections::BTreeSet<&str> =
        folded.split(' ').filter(|w| !w.is_empty()).collect();
    let rows: Vec<_> = words
        .into_iter()
        .map(|word| {
            (
                request_search_words::word.eq(word),
                request_search_words::request_id.eq(&row.id),
            )
        })
        .collect();
    if !rows.is_empty() {
        batch_insert!(conn, request_search_words::table, &rows)?;
    }
    Ok(())
}

/// Writes the search words of the requests written before they existed (those whose victim's
/// data is still there and that have none), a thousand at a time; returns how many requests
/// were filled. Every later request gets its words when written.
pub fn fill_search_words(conn: &mut DbConnection) -> QueryResult<usize> {
    let mut filled = 0;
    let mut after = String::new();
    loop {
        let rows: Vec<RequestRow> = assistance_requests::table
            .filter(assistance_requests::anonymised_at.is_null())
            .filter(assistance_requests::id.gt(&after))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                request_search_words::table
                    .filter(request_search_words::request_id.eq(assistance_requests::id)),
            )))
            .order(assistance_requests::id)
            .limit(1_000)
            .select(RequestRow::as_select())
            .load(conn)?;
        let Some(last) = rows.last() else {
            return Ok(filled);
        };
        after = last.id.clone();
        conn.transaction(|conn| {
            for row in &rows {
                write_search_words(conn, row)?;
            }
            QueryResult::Ok(())
        })?;
        filled += rows.len();
    }
}

pub fn request(conn: &mut DbConnection, id: &str) -> QueryResult<Option<RequestRow>> {
    assistance_requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
}

pub fn request_by_tracking(
    conn: &mut DbConnection,
    tracking_hash: &str,
) -> QueryResult<Option<RequestRow>> {
    assistance_requests::table
        .filter(assistance_requests::tracking_hash.eq(tracking_hash))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
}

pub fn request_by_idempotency_key(
    conn: &mut DbConnection,
    key: &str,
) -> QueryResult<Option<RequestRow>> {
    assistance_requests::table
        .filter(assistance_requests::idempotency_key.eq(key))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the request's state if it is still at `row.version`; false when someone else moved it.
pub fn update_request(
    conn: &mut DbConnection,
    row: &RequestRow,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        assistance_requests::table
            .filter(assistance_requests::id.eq(&row.id))
            .filter(assistance_requests::version.eq(row.version)),
    )
    .set((
        assistance_requests::status.eq(&row.status),
        assistance_requests::provider_id.eq(&row.provider_id),
        assistance_requests::failed_assignments.eq(row.failed_assignments),
        assistance_requests::staff_message.eq(&row.staff_message),
        assistance_requests::closed_at.eq(row.closed_at),
        assistance_requests::version.eq(row.version + 1),
        assistance_requests::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Submissions from one client since `since` (rate limit).
pub fn submissions_since(
    conn: &mut DbConnection,
    client_hash: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    assistance_requests::table
        .filter(assistance_requests::client_hash.eq(client_hash))
        .filter(assistance_requests::created_at.ge(since))
        .count()
        .get_result(conn)
}

/// Requests for the staff lists, newest change first.
pub fn list_requests(
    conn: &mut DbConnection,
    status: Option<&str>,
    provider_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<RequestRow>> {
    let mut query = assistance_requests::table
        .select(RequestRow::as_select())
        .order((
            assistance_requests::updated_at.desc(),
            assistance_requests::id.desc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(assistance_requests::status.eq(status.to_owned()));
    }
    if let Some(provider) = provider_id {
        query = query.filter(assistance_requests::provider_id.eq(provider.to_owned()));
    }
    query.load(conn)
}

pub fn request_counts(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    assistance_requests::table
        .group_by(assistance_requests::status)
        .select((assistance_requests::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Requests not yet anonymised that were closed before `before`, or created before it and
/// never closed.
pub fn to_anonymise(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<Vec<String>> {
    assistance_requests::table
        .filter(
            assistance_requests::closed_at
                .lt(before)
                .or(assistance_requests::closed_at
                    .is_null()
                    .and(assistance_requests::created_at.lt(before))),
        )
        .filter(assistance_requests::anonymised_at.is_null())
        .select(assistance_requests::id)
        .order(assistance_requests::id)
        .load(conn)
}

/// Erases the victim's contact and description and blurs the place to `(latitude,
/// longitude)`, keeping what statistics need.
pub fn anonymise(
    conn: &mut DbConnection,
    id: &str,
    (latitude, longitude): (f64, f64),
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        assistance_requests::table
            .filter(assistance_requests::id.eq(id))
            .filter(assistance_requests::anonymised_at.is_null()),
    )
    .set((
        assistance_requests::latitude.eq(latitude),
        assistance_requests::longitude.eq(longitude),
        assistance_requests::description.eq(None::<String>),
        assistance_requests::contact_name.eq(None::<String>),
        assistance_requests::contact_email.eq(None::<String>),
        assistance_requests::contact_phone.eq(None::<String>),
        assistance_requests::staff_message.eq(None::<String>),
        assistance_requests::anonymised_at.eq(Some(now)),
    ))
    .execute(conn)?;
    diesel::delete(request_search_words::table.filter(request_search_words::request_id.eq(id)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Every text about the request that someone wrote freely, and so may name the victim: the
/// providers' decline texts, the report's account of what was done (the report's facts stay,
/// for the statistics), the survey's comment and the reasons written at each step of the trail
/// (whose subject type is `subject`).
pub fn erase_free_texts(conn: &mut DbConnection, id: &str, subject: &str) -> QueryResult<()> {
    diesel::update(assistance_assignments::table.filter(assistance_assignments::request_id.eq(id)))
        .set(assistance_assignments::decline_text.eq(None::<String>))
        .execute(conn)?;
    diesel::update(intervention_reports::table.filter(intervention_reports::request_id.eq(id)))
        .set((
            intervention_reports::actions_taken.eq(ERASED),
            intervention_reports::attack_vector.eq(ERASED),
        ))
        .execute(conn)?;
    diesel::update(satisfaction_surveys::table.filter(satisfaction_surveys::request_id.eq(id)))
        .set((
            satisfaction_surveys::comment.eq(None::<String>),
            satisfaction_surveys::comment_status.eq(None::<CommentStatus>),
        ))
        .execute(conn)?;
    diesel::update(
        workflow_events::table
            .filter(workflow_events::subject_type.eq(subject))
            .filter(workflow_events::subject_id.eq(id)),
    )
    .set(workflow_events::reason.eq(None::<String>))
    .execute(conn)?;
    Ok(())
}

/// What an erased text of the report reads.
pub const ERASED: &str = "[effacé]";

// --- Shared secrets --------------------------------------------------------------------------

/// The named secret, created with `fresh` the first time (every process then reads the same).
pub fn secret(
    conn: &mut DbConnection,
    name: &str,
    fresh: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    insert_unless_taken(conn, |conn| {
        diesel::insert_into(service_secrets::table)
            .values((
                service_secrets::name.eq(name),
                service_secrets::value.eq(fresh),
                service_secrets::created_at.eq(now),
            ))
            .execute(conn)
    })?;
    service_secrets::table
        .find(name)
        .select(service_secrets::value)
        .first(conn)
}

/// Requests waiting for a provider's answer or with staff, counted per département and status
/// (for the metrics).
pub fn open_by_departement(
    conn: &mut DbConnection,
) -> QueryResult<Vec<(Option<String>, RequestStatus, i64)>> {
    assistance_requests::table
        .filter(
            assistance_requests::status.eq_any([RequestStatus::Assigned, RequestStatus::Escalated]),
        )
        .group_by((
            assistance_requests::departement,
            assistance_requests::status,
        ))
        .select((
            assistance_requests::departement,
            assistance_requests::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}
