//! Providers' capacity and absences, and the availability read of an assignment.

use super::DEFAULT_CAPACITY;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Double, Nullable, Text, Timestamp};

use crate::schema::{assistance_assignments, provider_absences, provider_capacity};
use crate::{DbConnection, insert_unless_taken};

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
