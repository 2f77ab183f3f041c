//! The incident taxonomy table, synchronised with the fixture at start-up.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::incident_types;
use cyberdir_domain::audience::encode_list;
use cyberdir_domain::taxonomy::Taxonomy;

/// Inserts new types and updates changed ones; idempotent. Types that left the fixture stay
/// (providers and reports may still refer to them).
pub fn sync(conn: &mut DbConnection, taxonomy: &Taxonomy) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let mut written = 0;
        for (position, t) in taxonomy.all().iter().enumerate() {
            let redirections = serde_json::to_string(&t.redirections)
                .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            let values = (
                incident_types::label.eq(&t.label),
                incident_types::category.eq(&t.category),
                incident_types::audiences.eq(encode_list(&t.audiences)),
                incident_types::provider_can_help.eq(t.provider_can_help),
                incident_types::advice.eq(&t.advice),
                incident_types::redirections.eq(&redirections),
                incident_types::position.eq(position),
            );
            let updated = diesel::update(incident_types::table.find(&t.code))
                .set(values.clone())
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(incident_types::table)
                    .values((incident_types::code.eq(&t.code), values))
                    .execute(conn)?;
            }
            written += 1;
        }
        Ok(written)
    })
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    incident_types::table.count().get_result(conn)
}
