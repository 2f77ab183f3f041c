//! Queries of assistance requests: requests, assignments, capacity and absences, reports,
//! surveys, and the service's shared secrets.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Double, Nullable, Text, Timestamp};

use super::schema::{
    assistance_assignments, assistance_requests, intervention_reports, provider_absences,
    provider_capacity, providers, satisfaction_surveys, service_secrets,
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
    pub status: String,
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
}

/// Inserts a request. A unique violation means its idempotency key is taken (a concurrent
/// retry): the caller rolls its transaction back, with no savepoint round trips to pay.
pub fn insert_request(conn: &mut DbConnection, row: &RequestRow) -> QueryResult<()> {
    diesel::insert_into(assistance_requests::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
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

/// Closed requests not yet anonymised, closed before `before`.
pub fn to_anonymise(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<Vec<String>> {
    assistance_requests::table
        .filter(assistance_requests::closed_at.lt(before))
        .filter(assistance_requests::anonymised_at.is_null())
        .select(assistance_requests::id)
        .order(assistance_requests::id)
        .load(conn)
}

/// Erases the victim's contact and description, keeping what statistics need.
pub fn anonymise(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        assistance_requests::table
            .filter(assistance_requests::id.eq(id))
            .filter(assistance_requests::anonymised_at.is_null()),
    )
    .set((
        assistance_requests::description.eq(None::<String>),
        assistance_requests::contact_name.eq(None::<String>),
        assistance_requests::contact_email.eq(None::<String>),
        assistance_requests::contact_phone.eq(None::<String>),
        assistance_requests::anonymised_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

// --- Assignments -----------------------------------------------------------------------------

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = assistance_assignments)]
// `None` is NULL (the column has no default): the INSERT's text is then fixed, and PostgreSQL
// keeps it as a prepared statement instead of parsing and planning it each time.
#[diesel(treat_none_as_default_value = false)]
pub struct AssignmentRow {
    pub id: String,
    pub request_id: String,
    pub provider_id: String,
    pub status: String,
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

pub fn pending_assignment(
    conn: &mut DbConnection,
    request_id: &str,
) -> QueryResult<Option<AssignmentRow>> {
    assistance_assignments::table
        .filter(assistance_assignments::request_id.eq(request_id))
        .filter(assistance_assignments::status.eq("pending"))
        .select(AssignmentRow::as_select())
        .first(conn)
        .optional()
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
    status: &str,
    reason: Option<(&str, Option<&str>)>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        assistance_assignments::table
            .filter(assistance_assignments::id.eq(id))
            .filter(assistance_assignments::status.eq("pending")),
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

/// Pending assignments past their deadline.
pub fn expired_assignments(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<Vec<AssignmentRow>> {
    assistance_assignments::table
        .filter(assistance_assignments::status.eq("pending"))
        .filter(assistance_assignments::expires_at.le(now))
        .order(assistance_assignments::expires_at)
        .select(AssignmentRow::as_select())
        .load(conn)
}

/// Providers who already declined or let this request time out.
pub fn providers_tried(conn: &mut DbConnection, request_id: &str) -> QueryResult<Vec<String>> {
    assistance_assignments::table
        .filter(assistance_assignments::request_id.eq(request_id))
        .filter(assistance_assignments::status.eq_any(["declined", "timed_out"]))
        .select(assistance_assignments::provider_id)
        .load(conn)
}

/// Requests offered to or held by a provider: (assignment, request).
pub fn requests_of_provider(
    conn: &mut DbConnection,
    provider_id: &str,
    statuses: &[&str],
) -> QueryResult<Vec<(AssignmentRow, RequestRow)>> {
    let statuses: Vec<String> = statuses.iter().map(|s| (*s).to_owned()).collect();
    assistance_assignments::table
        .inner_join(assistance_requests::table)
        .filter(assistance_assignments::provider_id.eq(provider_id))
        .filter(assistance_assignments::status.eq_any(statuses))
        .order(assistance_assignments::offered_at.desc())
        .select((AssignmentRow::as_select(), RequestRow::as_select()))
        .load(conn)
}

// --- Capacity and absences -------------------------------------------------------------------

/// (capacity, open requests) of a provider, defaults when never set.
pub fn capacity_of(conn: &mut DbConnection, provider_id: &str) -> QueryResult<(i32, i32)> {
    Ok(provider_capacity::table
        .find(provider_id)
        .select((
            provider_capacity::capacity,
            provider_capacity::open_requests,
        ))
        .first(conn)
        .optional()?
        .unwrap_or((DEFAULT_CAPACITY, 0)))
}

fn ensure_capacity_row(conn: &mut DbConnection, provider_id: &str) -> QueryResult<()> {
    let exists = provider_capacity::table
        .find(provider_id)
        .select(provider_capacity::provider_id)
        .first::<String>(conn)
        .optional()?
        .is_some();
    if !exists {
        // A concurrent insert of the same row is fine.
        insert_unless_taken(conn, |conn| {
            diesel::insert_into(provider_capacity::table)
                .values((
                    provider_capacity::provider_id.eq(provider_id),
                    provider_capacity::capacity.eq(DEFAULT_CAPACITY),
                    provider_capacity::open_requests.eq(0),
                ))
                .execute(conn)
        })?;
    }
    Ok(())
}

/// Takes one place in the provider's capacity; false when it is full. The conditional update
/// holds even when requests arrive at once.
pub fn take_place(conn: &mut DbConnection, provider_id: &str) -> QueryResult<bool> {
    let take = |conn: &mut DbConnection| {
        diesel::update(
            provider_capacity::table
                .filter(provider_capacity::provider_id.eq(provider_id))
                .filter(provider_capacity::open_requests.lt(provider_capacity::capacity)),
        )
        .set(provider_capacity::open_requests.eq(provider_capacity::open_requests + 1))
        .execute(conn)
    };
    if take(conn)? == 1 {
        return Ok(true);
    }
    // No row yet means the default capacity and nothing open: create it, then take.
    ensure_capacity_row(conn, provider_id)?;
    Ok(take(conn)? == 1)
}

/// Counts a request staff assigned beyond the provider's capacity.
pub fn force_place(conn: &mut DbConnection, provider_id: &str) -> QueryResult<()> {
    ensure_capacity_row(conn, provider_id)?;
    diesel::update(provider_capacity::table.find(provider_id))
        .set(provider_capacity::open_requests.eq(provider_capacity::open_requests + 1))
        .execute(conn)
        .map(|_| ())
}

/// Gives a place back (an offer declined or timed out, a request closed or cancelled).
pub fn release_place(conn: &mut DbConnection, provider_id: &str) -> QueryResult<()> {
    diesel::update(
        provider_capacity::table
            .filter(provider_capacity::provider_id.eq(provider_id))
            .filter(provider_capacity::open_requests.gt(0)),
    )
    .set(provider_capacity::open_requests.eq(provider_capacity::open_requests - 1))
    .execute(conn)
    .map(|_| ())
}

pub fn set_capacity(conn: &mut DbConnection, provider_id: &str, capacity: i32) -> QueryResult<()> {
    ensure_capacity_row(conn, provider_id)?;
    diesel::update(provider_capacity::table.find(provider_id))
        .set(provider_capacity::capacity.eq(capacity))
        .execute(conn)
        .map(|_| ())
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = provider_absences)]
pub struct AbsenceRow {
    pub id: String,
    pub provider_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub created_at: NaiveDateTime,
}

pub fn insert_absence(conn: &mut DbConnection, row: &AbsenceRow) -> QueryResult<()> {
    diesel::insert_into(provider_absences::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn delete_absence(conn: &mut DbConnection, provider_id: &str, id: &str) -> QueryResult<bool> {
    let deleted = diesel::delete(
        provider_absences::table
            .filter(provider_absences::provider_id.eq(provider_id))
            .filter(provider_absences::id.eq(id)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// Absences not over by `today`, soonest first.
pub fn absences_of(
    conn: &mut DbConnection,
    provider_id: &str,
    today: NaiveDate,
) -> QueryResult<Vec<AbsenceRow>> {
    provider_absences::table
        .filter(provider_absences::provider_id.eq(provider_id))
        .filter(provider_absences::ends_on.ge(today))
        .order(provider_absences::starts_on)
        .select(AbsenceRow::as_select())
        .load(conn)
}

/// A candidate for a request, as [`availability`] reads it.
#[derive(serde::Serialize)]
pub struct Candidate<'a> {
    pub id: &'a str,
    pub km: f64,
}

/// One candidate provider's availability.
#[derive(QueryableByName, Debug, Clone, PartialEq)]
pub struct Availability {
    #[diesel(sql_type = Text)]
    pub provider_id: String,
    /// Absent on the day asked, or at its capacity of open requests.
    #[diesel(sql_type = Bool)]
    pub unavailable: bool,
    /// Assignments offered since the instant asked; counted only for the candidates within
    /// `count_within_km`.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub recent: Option<i64>,
}

/// The availability read around its parameters (day, day, distance bound, since), then the
/// candidates' table and its join; shared by both backends' versions.
const AVAILABILITY_SQL: [&str; 5] = [
    "SELECT j.id AS provider_id, \
       (COALESCE(c.open_requests >= c.capacity, FALSE) \
        OR EXISTS (SELECT 1 FROM provider_absences a WHERE a.provider_id = j.id \
                   AND a.starts_on <= ",
    " AND a.ends_on >= ",
    ")) AS unavailable, CASE WHEN j.km <= ",
    " THEN (SELECT count(*) FROM assistance_assignments s \
            WHERE s.provider_id = j.id AND s.offered_at >= ",
    ") END AS recent FROM ",
];
const AVAILABILITY_JOIN: &str = " LEFT JOIN provider_capacity c ON c.provider_id = j.id";

/// Whether each candidate is absent or full on `day`, and, for those within
/// `count_within_km`, how many assignments it was offered since `since`: one round trip, as
/// this read runs on every request created. The candidates travel as two arrays on PostgreSQL,
/// as one JSON array on SQLite.
#[allow(irrefutable_let_patterns)]
pub fn availability(
    conn: &mut DbConnection,
    candidates: &[Candidate],
    count_within_km: f64,
    day: NaiveDate,
    since: NaiveDateTime,
) -> QueryResult<Vec<Availability>> {
    #[cfg(feature = "postgres")]
    if let DbConnection::Postgresql(pg) = conn {
        let query = pg_availability::AvailabilityQuery {
            ids: candidates.iter().map(|c| c.id.to_owned()).collect(),
            kms: candidates.iter().map(|c| c.km).collect(),
            count_within_km,
            day,
            since,
        };
        let rows: Vec<(String, bool, Option<i64>)> = query.load(pg)?;
        return Ok(rows
            .into_iter()
            .map(|(provider_id, unavailable, recent)| Availability {
                provider_id,
                unavailable,
                recent,
            })
            .collect());
    }
    let json = serde_json::to_string(candidates)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let [select, and_ends, count_if, since_clause, from] = AVAILABILITY_SQL;
    let sql = format!(
        "{select}?{and_ends}?{count_if}?{since_clause}?{from}\
         (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.km') AS km \
          FROM json_each(?)) AS j{AVAILABILITY_JOIN}"
    );
    diesel::sql_query(sql)
        .bind::<Date, _>(day)
        .bind::<Date, _>(day)
        .bind::<Double, _>(count_within_km)
        .bind::<Timestamp, _>(since)
        .bind::<Text, _>(json)
        .load(conn)
}

/// The availability read as a query of its own type, so that diesel keeps it as a prepared
/// statement on PostgreSQL (a raw `sql_query` is parsed and planned on every call: a third of
/// the read's time).
#[cfg(feature = "postgres")]
mod pg_availability {
    use chrono::{NaiveDate, NaiveDateTime};
    use diesel::pg::Pg;
    use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
    use diesel::sql_types::{Array, BigInt, Bool, Date, Double, Nullable, Text, Timestamp};
    use diesel::{PgConnection, QueryResult, RunQueryDsl};

    use super::{AVAILABILITY_JOIN, AVAILABILITY_SQL};

    pub struct AvailabilityQuery {
        pub ids: Vec<String>,
        pub kms: Vec<f64>,
        pub count_within_km: f64,
        pub day: NaiveDate,
        pub since: NaiveDateTime,
    }

    impl QueryId for AvailabilityQuery {
        type QueryId = Self;
        const HAS_STATIC_QUERY_ID: bool = true;
    }

    impl Query for AvailabilityQuery {
        type SqlType = (Text, Bool, Nullable<BigInt>);
    }

    impl RunQueryDsl<PgConnection> for AvailabilityQuery {}

    impl QueryFragment<Pg> for AvailabilityQuery {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            let [select, and_ends, count_if, since_clause, from] = AVAILABILITY_SQL;
            out.push_sql(select);
            out.push_bind_param::<Date, _>(&self.day)?;
            out.push_sql(and_ends);
            out.push_bind_param::<Date, _>(&self.day)?;
            out.push_sql(count_if);
            out.push_bind_param::<Double, _>(&self.count_within_km)?;
            out.push_sql(since_clause);
            out.push_bind_param::<Timestamp, _>(&self.since)?;
            out.push_sql(from);
            out.push_sql("unnest(");
            out.push_bind_param::<Array<Text>, _>(&self.ids)?;
            out.push_sql("::text[], ");
            out.push_bind_param::<Array<Double>, _>(&self.kms)?;
            out.push_sql("::float8[]) AS j(id, km)");
            out.push_sql(AVAILABILITY_JOIN);
            Ok(())
        }
    }
}

/// Assignments per provider since `since` (fairness); providers with none are left out.
pub fn recent_assignment_counts(
    conn: &mut DbConnection,
    provider_ids: &[String],
    since: NaiveDateTime,
) -> QueryResult<Vec<(String, i64)>> {
    assistance_assignments::table
        .filter(assistance_assignments::provider_id.eq_any(provider_ids))
        .filter(assistance_assignments::offered_at.ge(since))
        .group_by(assistance_assignments::provider_id)
        .select((
            assistance_assignments::provider_id,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

// --- Reports and surveys ---------------------------------------------------------------------

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = intervention_reports)]
pub struct ReportRow {
    pub request_id: String,
    pub provider_id: String,
    pub resolved: bool,
    pub confirmed_incident_type: String,
    pub attack_vector: String,
    pub actions_taken: String,
    pub minutes_spent: i32,
    pub created_at: NaiveDateTime,
}

pub fn insert_report(conn: &mut DbConnection, row: &ReportRow) -> QueryResult<()> {
    diesel::insert_into(intervention_reports::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn report(conn: &mut DbConnection, request_id: &str) -> QueryResult<Option<ReportRow>> {
    intervention_reports::table
        .find(request_id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

pub fn all_reports(conn: &mut DbConnection) -> QueryResult<Vec<ReportRow>> {
    intervention_reports::table
        .select(ReportRow::as_select())
        .load(conn)
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = satisfaction_surveys)]
pub struct SurveyRow {
    pub request_id: String,
    pub provider_id: String,
    pub token_hash: String,
    pub rating: Option<i32>,
    pub comment: Option<String>,
    pub comment_status: Option<String>,
    pub sent_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
}

pub fn insert_survey(conn: &mut DbConnection, row: &SurveyRow) -> QueryResult<()> {
    diesel::insert_into(satisfaction_surveys::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn survey_by_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<SurveyRow>> {
    satisfaction_surveys::table
        .filter(satisfaction_surveys::token_hash.eq(token_hash))
        .select(SurveyRow::as_select())
        .first(conn)
        .optional()
}

/// Records the victim's answer once; false when already answered.
pub fn answer_survey(
    conn: &mut DbConnection,
    request_id: &str,
    rating: i32,
    comment: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        satisfaction_surveys::table
            .filter(satisfaction_surveys::request_id.eq(request_id))
            .filter(satisfaction_surveys::answered_at.is_null()),
    )
    .set((
        satisfaction_surveys::rating.eq(Some(rating)),
        satisfaction_surveys::comment.eq(comment),
        satisfaction_surveys::comment_status.eq(comment.map(|_| "pending")),
        satisfaction_surveys::answered_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn comments_in(conn: &mut DbConnection, status: &str) -> QueryResult<Vec<(SurveyRow, String)>> {
    satisfaction_surveys::table
        .inner_join(providers::table)
        .filter(satisfaction_surveys::comment_status.eq(status))
        .order(satisfaction_surveys::answered_at)
        .select((SurveyRow::as_select(), providers::name))
        .load(conn)
}

/// Publishes or rejects a pending comment; false when it was not pending.
pub fn moderate(conn: &mut DbConnection, request_id: &str, status: &str) -> QueryResult<bool> {
    let changed = diesel::update(
        satisfaction_surveys::table
            .filter(satisfaction_surveys::request_id.eq(request_id))
            .filter(satisfaction_surveys::comment_status.eq("pending")),
    )
    .set(satisfaction_surveys::comment_status.eq(status))
    .execute(conn)?;
    Ok(changed == 1)
}

/// A provider's ratings and its published comments.
pub struct Ratings {
    pub ratings: Vec<i32>,
    /// Newest first.
    pub comments: Vec<String>,
}

pub fn ratings_of(conn: &mut DbConnection, provider_id: &str) -> QueryResult<Ratings> {
    let ratings: Vec<Option<i32>> = satisfaction_surveys::table
        .filter(satisfaction_surveys::provider_id.eq(provider_id))
        .filter(satisfaction_surveys::rating.is_not_null())
        .select(satisfaction_surveys::rating)
        .load(conn)?;
    let comments: Vec<(Option<String>, Option<NaiveDateTime>)> = satisfaction_surveys::table
        .filter(satisfaction_surveys::provider_id.eq(provider_id))
        .filter(satisfaction_surveys::comment_status.eq("published"))
        .order(satisfaction_surveys::answered_at.desc())
        .select((
            satisfaction_surveys::comment,
            satisfaction_surveys::answered_at,
        ))
        .load(conn)?;
    Ok(Ratings {
        ratings: ratings.into_iter().flatten().collect(),
        comments: comments
            .into_iter()
            .filter_map(|(c, at)| at.and(c))
            .collect(),
    })
}

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
