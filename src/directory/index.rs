//! The in-memory directory: every published provider, the matching index over them and the
//! imported geography, rebuilt when the database's change counters move (so several processes
//! sharing one database stay in step).
//!
//! Reading the counters costs a database round trip, so a search does not do it every time:
//! what was checked stays valid for [`FRESH_FOR`], unless this process gave a connection back
//! to its pool since (which every write of its own does, after committing). A change made by
//! another process is thus seen within [`FRESH_FOR`]; one made by this process, at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use diesel::QueryResult;

use super::cache::AnswerCache;
use super::render::RenderedProvider;
use crate::db::{DbConnection, Pool, PoolCheckins, counters, providers};
use crate::domain::matching::{Candidate, Match, MatchingIndex, Query, SearchPage};
use crate::domain::provider::{LabelSummary, Provider};
use crate::domain::taxonomy::Taxonomy;
use crate::error::AppError;
use crate::geo::location::Geography;

/// How long a check of the change counters stays valid for changes made by other processes.
pub const FRESH_FOR: Duration = Duration::from_millis(250);

/// One consistent view of the published directory.
pub struct Snapshot {
    pub version: i64,
    providers: Vec<Provider>,
    by_id: HashMap<String, usize>,
    matching: MatchingIndex,
    /// Filled on first display of each provider.
    rendered: Vec<OnceLock<RenderedProvider>>,
}

impl Snapshot {
    pub fn build(version: i64, providers: Vec<Provider>, taxonomy: &Taxonomy) -> Self {
        let candidates = providers
            .iter()
            .map(|p| Candidate {
                latitude: p.latitude,
                longitude: p.longitude,
                zone: p.zone.clone(),
                audiences: p.audiences.clone(),
                incidents: taxonomy.set_of(p.incident_types.iter().map(String::as_str)),
                remote: p.remote,
                label_valid_until: p.label.as_ref().and_then(LabelSummary::valid_through),
            })
            .collect();
        let by_id = providers
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        Self {
            version,
            matching: MatchingIndex::build(candidates),
            rendered: providers.iter().map(|_| OnceLock::new()).collect(),
            providers,
            by_id,
        }
    }

    pub fn len(&self) -> usize {
        self.providers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Provider> {
        self.by_id.get(id).map(|&i| &self.providers[i])
    }

    pub fn search(&self, query: &Query) -> Vec<Match> {
        self.matching.search(query)
    }

    /// One page of [`search`](Self::search)'s order, and the number of matches.
    pub fn search_page(&self, query: &Query, offset: usize, limit: usize) -> SearchPage {
        self.matching.search_page(query, offset, limit)
    }

    pub fn provider(&self, m: &Match) -> &Provider {
        &self.providers[m.entry]
    }

    /// The match's provider as JSON, rendered by `render` the first time.
    pub fn rendered<E>(
        &self,
        m: &Match,
        render: impl FnOnce(&Provider) -> Result<RenderedProvider, E>,
    ) -> Result<&RenderedProvider, E> {
        let slot = &self.rendered[m.entry];
        if let Some(rendered) = slot.get() {
            return Ok(rendered);
        }
        let rendered = render(&self.providers[m.entry])?;
        Ok(slot.get_or_init(|| rendered))
    }

    /// Providers whose label is valid on `day` (used by pages and statistics).
    pub fn labelled_count(&self, day: NaiveDate) -> usize {
        self.providers
            .iter()
            .filter(|p| p.label.as_ref().is_some_and(|l| l.is_valid_on(day)))
            .count()
    }
}

/// The directory and the geography, as of one reading of their change counters.
pub struct Published {
    pub directory: Arc<Snapshot>,
    pub geography: Arc<Geography>,
    /// Search answers computed from this version, by day and query string: a repeated search
    /// costs a lookup until the directory or geography changes.
    pub search_answers: AnswerCache<bytes::Bytes>,
}

/// When the change counters were last read, and what this process had done by then.
struct Freshness {
    origin: Instant,
    /// When the last reading started, in milliseconds after `origin`, plus one (0: never).
    checked_at_ms: AtomicU64,
    /// The pool's check-in count that reading accounts for.
    checkins_seen: AtomicU64,
}

impl Freshness {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }
}

pub struct DirectoryIndex {
    current: RwLock<Option<Arc<Published>>>,
    /// Only one thread reads the counters and rebuilds at a time; the others wait and reuse
    /// its result.
    rebuilding: Mutex<()>,
    /// Without it, the counters are read on every request.
    checkins: Option<PoolCheckins>,
    freshness: Freshness,
}

impl Default for DirectoryIndex {
    fn default() -> Self {
        Self::new(None)
    }
}

impl DirectoryIndex {
    /// `checkins` counts the connections given back to the pool this process writes through.
    pub fn new(checkins: Option<PoolCheckins>) -> Self {
        Self {
            current: RwLock::new(None),
            rebuilding: Mutex::new(()),
            checkins,
            freshness: Freshness {
                origin: Instant::now(),
                checked_at_ms: AtomicU64::new(0),
                checkins_seen: AtomicU64::new(0),
            },
        }
    }

    /// The current directory and geography if they are known to be fresh, without touching
    /// the database; `None` means call [`refresh`](Self::refresh).
    pub fn fresh(&self) -> Option<Arc<Published>> {
        let checkins = self.checkins.as_ref()?;
        let checked_at = self.freshness.checked_at_ms.load(Ordering::Acquire);
        if checked_at == 0
            || self.freshness.now_ms().saturating_sub(checked_at) >= FRESH_FOR.as_millis() as u64
            || checkins.count() != self.freshness.checkins_seen.load(Ordering::Acquire)
        {
            return None;
        }
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The current directory and geography, reading the counters (and rebuilding what moved)
    /// unless they are fresh. Blocking.
    pub fn refresh(&self, pool: &Pool, taxonomy: &Taxonomy) -> Result<Arc<Published>, AppError> {
        if let Some(published) = self.fresh() {
            return Ok(published);
        }
        let _guard = self.rebuilding.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(published) = self.fresh() {
            return Ok(published);
        }
        let checkins_before = self.checkins.as_ref().map(PoolCheckins::count);
        let started = self.freshness.now_ms();
        let published = {
            let mut conn = pool.get()?;
            self.reload(&mut conn, taxonomy)?
        };
        // Our own connection went back: one check-in. Any other one may be a write that
        // committed after our reading, so it leaves the reading unaccounted for.
        let accounted = checkins_before.zip(self.checkins.as_ref().map(PoolCheckins::count));
        let seen = match accounted {
            Some((before, after)) if after == before + 1 => after,
            Some((before, _)) => before,
            None => 0,
        };
        self.mark_checked(started, seen);
        Ok(published)
    }

    /// The snapshot matching the database's counter, rebuilt first if it moved (for callers
    /// that already hold a connection).
    pub fn snapshot(
        &self,
        conn: &mut DbConnection,
        taxonomy: &Taxonomy,
    ) -> QueryResult<Arc<Snapshot>> {
        Ok(self.published(conn, taxonomy)?.directory.clone())
    }

    /// Like [`snapshot`](Self::snapshot), with the geography.
    pub fn published(
        &self,
        conn: &mut DbConnection,
        taxonomy: &Taxonomy,
    ) -> QueryResult<Arc<Published>> {
        if let Some(published) = self.fresh() {
            return Ok(published);
        }
        let _guard = self.rebuilding.lock().unwrap_or_else(|e| e.into_inner());
        // The caller's connection goes back later, moving the check-in count past this: the
        // next search reads the counters again, which is what a write on it would need.
        let checkins_before = self.checkins.as_ref().map_or(0, PoolCheckins::count);
        let started = self.freshness.now_ms();
        let published = self.reload(conn, taxonomy)?;
        self.mark_checked(started, checkins_before);
        Ok(published)
    }

    /// Reads both counters and rebuilds what moved since the current version.
    fn reload(&self, conn: &mut DbConnection, taxonomy: &Taxonomy) -> QueryResult<Arc<Published>> {
        let directory_version = counters::read(conn, counters::DIRECTORY)?;
        let geography_version = counters::read(conn, counters::GEOGRAPHY)?;
        let current = self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(c) = current.as_ref().filter(|c| {
            c.directory.version == directory_version && c.geography.version == geography_version
        }) {
            return Ok(c.clone());
        }
        let directory = match current
            .as_ref()
            .filter(|c| c.directory.version == directory_version)
        {
            Some(c) => c.directory.clone(),
            None => {
                let snapshot = Snapshot::build(
                    directory_version,
                    providers::load_published(conn)?,
                    taxonomy,
                );
                tracing::info!(
                    version = directory_version,
                    providers = snapshot.len(),
                    "directory index rebuilt"
                );
                Arc::new(snapshot)
            }
        };
        let geography = match current
            .as_ref()
            .filter(|c| c.geography.version == geography_version)
        {
            Some(c) => c.geography.clone(),
            None => {
                let geography = Geography::load(conn, geography_version)?;
                tracing::info!(version = geography_version, "geography loaded in memory");
                Arc::new(geography)
            }
        };
        let published = Arc::new(Published {
            directory,
            geography,
            search_answers: AnswerCache::new(),
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(published.clone());
        Ok(published)
    }

    fn mark_checked(&self, started_ms: u64, checkins_seen: u64) {
        // `fresh` reads the time first: store the check-in count before it.
        self.freshness
            .checkins_seen
            .store(checkins_seen, Ordering::Release);
        self.freshness
            .checked_at_ms
            .store(started_ms, Ordering::Release);
    }
}
