//! The partners as the module reads them on every page: kept in memory, so that a module page
//! needs no database read. A change made here is seen at once by this process (the registry is
//! dropped in the same step); another process's within [`REFRESH_EVERY`], through the
//! `partners` change counter.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::db::partners::{self as queries, PartnerRow};
use crate::db::{Pool, counters};
use crate::error::AppError;

/// How often each process looks for changes made elsewhere.
pub const REFRESH_EVERY: Duration = Duration::from_secs(2);

type Loaded = (
    counters::Version,
    Duration,
    Arc<HashMap<String, PartnerRow>>,
);

pub struct Registry {
    /// Ages what was loaded (`Clock::ticks`).
    clock: crate::clock::Clock,
    /// Every partner, the change counter read with them, and when it was checked.
    loaded: RwLock<Option<Loaded>>,
}

impl Registry {
    pub fn new(clock: crate::clock::Clock) -> Self {
        Self {
            clock,
            loaded: RwLock::default(),
        }
    }

    /// A partner, from memory when it was checked within [`REFRESH_EVERY`].
    pub fn get(&self, pool: &Pool, id: &str) -> Result<Option<PartnerRow>, AppError> {
        if let Some(all) = self.fresh() {
            return Ok(all.get(id).cloned());
        }
        Ok(self.refresh(pool)?.get(id).cloned())
    }

    /// A partner (`Some(None)`: none by that id) if the registry is fresh, without the database.
    pub fn fresh_get(&self, id: &str) -> Option<Option<PartnerRow>> {
        self.fresh().map(|all| all.get(id).cloned())
    }

    fn fresh(&self) -> Option<Arc<HashMap<String, PartnerRow>>> {
        self.loaded
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|(_, checked, _)| self.clock.within(*checked, REFRESH_EVERY))
            .map(|(_, _, all)| all.clone())
    }

    /// Reads the change counter, and every partner if it moved.
    fn refresh(&self, pool: &Pool) -> Result<Arc<HashMap<String, PartnerRow>>, AppError> {
        let mut conn = pool.get()?;
        let counter = counters::read(&mut conn, counters::PARTNERS)?;
        let unchanged = self
            .loaded
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|(seen, _, _)| *seen == counter)
            .map(|(_, _, all)| all.clone());
        let all = match unchanged {
            Some(all) => all,
            None => Arc::new(
                queries::all(&mut conn)?
                    .into_iter()
                    .map(|row| (row.id.clone(), row))
                    .collect(),
            ),
        };
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) =
            Some((counter, self.clock.ticks(), all.clone()));
        Ok(all)
    }

    /// Forgets what was read: the next page reads the partners again (after a change here).
    pub fn forget(&self) {
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
