//! Change counters: each write that affects an in-memory cache bumps one in the same
//! transaction, and every process compares it with the version its cache was built from.
//!
//! A version is the counter's value and a random token drawn at each bump: a rollback undoes a
//! bump, and the next committed one reuses its value, but never its token. So a cache can never
//! take a committed state for the one that was rolled back.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::change_counters::dsl::*;

pub const DIRECTORY: &str = "directory";
pub const GEOGRAPHY: &str = "geography";
pub const DIAGNOSTIC: &str = "diagnostic";
pub const PARTNERS: &str = "partners";
pub const CONTENT: &str = "content";

/// One state of a counter: its value (which grows by one at each committed bump) and the
/// bump's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Version {
    pub value: i64,
    pub token: i64,
}

impl std::fmt::Display for Version {
    /// `value-token`, as ETags and logs show it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:x}", self.value, self.token as u64)
    }
}

pub fn read(conn: &mut DbConnection, counter: &str) -> QueryResult<Version> {
    change_counters
        .filter(name.eq(counter))
        .select((value, token))
        .first::<(i64, i64)>(conn)
        .map(|(v, t)| Version { value: v, token: t })
}

/// Two counters in one round trip (a missing one is an error, as with [`read`]).
pub fn read_two(conn: &mut DbConnection, counters: [&str; 2]) -> QueryResult<[Version; 2]> {
    let rows: Vec<(String, i64, i64)> = change_counters
        .filter(name.eq_any(counters))
        .select((name, value, token))
        .load(conn)?;
    let find = |counter: &str| {
        rows.iter()
            .find(|(n, _, _)| n == counter)
            .map(|(_, v, t)| Version {
                value: *v,
                token: *t,
            })
            .ok_or(diesel::result::Error::NotFound)
    };
    Ok([find(counters[0])?, find(counters[1])?])
}

thread_local! {
    /// Whether the transaction running on this thread bumped a counter (reset when an outermost
    /// `write_transaction` begins): a step that did not may use the shared caches as they are.
    static BUMPED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a counter was bumped on this thread since the outermost transaction began.
pub fn bumped_in_transaction() -> bool {
    BUMPED.with(std::cell::Cell::get)
}

/// Forgets earlier bumps: an outermost transaction begins on this thread.
pub fn transaction_begins() {
    BUMPED.with(|b| b.set(false));
}

pub fn bump(conn: &mut DbConnection, counter: &str) -> QueryResult<()> {
    BUMPED.with(|b| b.set(true));
    let drawn = uuid::Uuid::new_v4().as_u64_pair().0 as i64;
    diesel::update(change_counters.filter(name.eq(counter)))
        .set((value.eq(value + 1), token.eq(drawn)))
        .execute(conn)
        .map(|_| ())
}
