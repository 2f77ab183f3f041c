//! Providers' declared on-call hours ("astreinte"), kept as `domain::on_call::OnCall` in JSON.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::provider_on_call;

/// The stored schedule (JSON) of a provider, if it declared one.
pub fn on_call_of(conn: &mut DbConnection, provider_id: &str) -> QueryResult<Option<String>> {
    provider_on_call::table
        .find(provider_id)
        .select(provider_on_call::schedule)
        .first(conn)
        .optional()
}

/// The stored schedules of these providers: (provider, JSON).
pub fn on_call_among(
    conn: &mut DbConnection,
    provider_ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    provider_on_call::table
        .filter(provider_on_call::provider_id.eq_any(provider_ids))
        .select((provider_on_call::provider_id, provider_on_call::schedule))
        .load(conn)
}

/// Stores a provider's schedule (replacing it); `None` removes it.
pub fn set_on_call(
    conn: &mut DbConnection,
    provider_id: &str,
    schedule: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(provider_on_call::table.find(provider_id)).execute(conn)?;
    if let Some(schedule) = schedule {
        diesel::insert_into(provider_on_call::table)
            .values((
                provider_on_call::provider_id.eq(provider_id),
                provider_on_call::schedule.eq(schedule),
                provider_on_call::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
