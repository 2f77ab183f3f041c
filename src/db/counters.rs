//! Change counters: each write that affects an in-memory cache bumps one in the same
//! transaction, and every process compares it with the value its cache was built from.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::change_counters::dsl::*;

pub const DIRECTORY: &str = "directory";
pub const GEOGRAPHY: &str = "geography";
pub const DIAGNOSTIC: &str = "diagnostic";
pub const PARTNERS: &str = "partners";

pub fn read(conn: &mut DbConnection, counter: &str) -> QueryResult<i64> {
    change_counters
        .filter(name.eq(counter))
        .select(value)
        .first(conn)
}

pub fn bump(conn: &mut DbConnection, counter: &str) -> QueryResult<()> {
    diesel::update(change_counters.filter(name.eq(counter)))
        .set(value.eq(value + 1))
        .execute(conn)
        .map(|_| ())
}
