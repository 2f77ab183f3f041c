//! When a node's in-memory cache was built, from which version of its change counter, and how
//! long that took: what the metrics report of each cache (`cyberdir_cache_*`).

use std::sync::RwLock;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Built {
    /// The change counter's value the cache was built at.
    pub version: i64,
    pub at: Instant,
    pub took: Duration,
}

/// The last build of one cache (none yet: nothing reported).
#[derive(Debug, Default)]
pub struct LastBuilt(RwLock<Option<Built>>);

impl LastBuilt {
    pub fn record(&self, version: i64, started: Instant) {
        let at = Instant::now();
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some(Built {
            version,
            at,
            took: at.duration_since(started),
        });
    }

    pub fn get(&self) -> Option<Built> {
        *self.0.read().unwrap_or_else(|e| e.into_inner())
    }
}
