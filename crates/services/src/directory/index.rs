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

use super::render::RenderedProvider;
use crate::cache::AnswerCache;
use crate::db::counters::{self, Version};
use crate::db::{DbConnection, Pool, PoolCheckins, providers};
use crate::domain::matching::{Candidate, Match, MatchingIndex, Query, SearchPage};
use crate::domain::provider::{LabelSummary, Provider};
use crate::domain::taxonomy::Taxonomy;
use crate::error::AppError;
use crate::geo::location::Geography;

/// How long a check of the change counters stays valid for changes made by other processes.
pub const FRESH_FOR: Duration = Duration::from_millis(250);

/// One consistent view of the published directory.
pub struct Snapshot {
    pub version: Version,
    providers: Vec<Provider>,
    by_id: HashMap<String, usize>,
    matching: MatchingIndex,
    /// Filled on first display of each provider.
    rendered: Vec<OnceLock<RenderedProvider>>,
}

impl Snapshot {
    /// `insured_until`: the last day each provider's insurance certificate covers, for those
    /// that have one on file.
    pub fn build(
        version: Version,
        providers: Vec<Provider>,
        insured_until: &HashMap<String, NaiveDate>,
        taxonomy: &Taxonomy,
    ) -> Self {
        let candidates = providers
            .iter()
            .map(|p| Candidate {
                insured_until: insured_until.get(&p.id).copied(),
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
    /// The directory's version shared here, when and how fast it was built (for the metrics).
    pub built: crate::metrics::LastBuilt,
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
            built: Default::default(),
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

    /// The snapshot as `conn` sees it (for callers that already hold a connection, perhaps in
    /// a transaction).
    pub fn snapshot(
        &self,
        conn: &mut DbConnection,
        taxonomy: &Taxonomy,
    ) -> QueryResult<Arc<Snapshot>> {
        Ok(self.published(conn, taxonomy)?.directory.clone())
    }

    /// The directory and geography as `conn` sees them: the shared ones when its counters
    /// match them, otherwise a view built for this caller alone. Inside a transaction, what
    /// `conn` sees may be its own uncommitted writes: they never reach the shared cache, which
    /// only [`refresh`](Self::refresh) replaces, outside any transaction. This takes no lock,
    /// so a caller holding a connection (and SQLite's writer lock) never waits on a rebuild
    /// that waits for a connection.
    pub fn published(
        &self,
        conn: &mut DbConnection,
        taxonomy: &Taxonomy,
    ) -> QueryResult<Arc<Published>> {
        let in_transaction = crate::db::in_transaction(conn);
        // A transaction that moved no counter reads what is committed, as does a connection
        // outside any: the shared view checked lately serves it.
        if (!in_transaction || !counters::bumped_in_transaction())
            && let Some(published) = self.fresh()
        {
            return Ok(published);
        }
        let versions = Versions::read(conn)?;
        let current = self.current();
        if let Some(c) = current.as_ref().filter(|c| versions.match_(c)) {
            return Ok(c.clone());
        }
        // Outside a transaction what `conn` reads is committed: it may become the shared view,
        // if no rebuild is under way (never waiting for the lock while holding a connection).
        if !in_transaction && let Ok(_rebuilding) = self.rebuilding.try_lock() {
            return self.share(conn, taxonomy, versions, current.as_deref());
        }
        let private = assemble(conn, taxonomy, versions, current.as_deref())?;
        tracing::debug!(
            directory = %versions.directory,
            "directory view built for one step, not shared"
        );
        Ok(private)
    }

    fn current(&self) -> Option<Arc<Published>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Reads both counters and rebuilds what moved since the current version. Outside any
    /// transaction only: what it reads is committed, and becomes the shared view.
    fn reload(&self, conn: &mut DbConnection, taxonomy: &Taxonomy) -> QueryResult<Arc<Published>> {
        if crate::db::in_transaction(conn) {
            // Never share what a transaction sees; not reached by the callers of `refresh`.
            return self.published(conn, taxonomy);
        }
        // The counters first: the rows read after them are at least as new, so a view is never
        // older than the version it carries.
        let versions = Versions::read(conn)?;
        let current = self.current();
        if let Some(c) = current.as_ref().filter(|c| versions.match_(c)) {
            return Ok(c.clone());
        }
        self.share(conn, taxonomy, versions, current.as_deref())
    }

    /// Builds the view at `versions` (read outside any transaction, so committed) and makes it
    /// the shared one.
    fn share(
        &self,
        conn: &mut DbConnection,
        taxonomy: &Taxonomy,
        versions: Versions,
        current: Option<&Published>,
    ) -> QueryResult<Arc<Published>> {
        let started = std::time::Instant::now();
        let published = assemble(conn, taxonomy, versions, current)?;
        self.built.record(versions.directory.value, started);
        tracing::info!(
            directory = %versions.directory,
            geography = %versions.geography,
            providers = published.directory.len(),
            "directory in memory rebuilt"
        );
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

/// The versions of the directory and the geography, as one connection reads them.
#[derive(Debug, Clone, Copy)]
struct Versions {
    directory: Version,
    geography: Version,
}

impl Versions {
    fn read(conn: &mut DbConnection) -> QueryResult<Self> {
        let [directory, geography] =
            counters::read_two(conn, [counters::DIRECTORY, counters::GEOGRAPHY])?;
        Ok(Self {
            directory,
            geography,
        })
    }

    fn match_(&self, published: &Published) -> bool {
        published.directory.version == self.directory
            && published.geography.version == self.geography
    }
}

/// The directory and geography at `versions`, reusing what `current` already holds of them.
fn assemble(
    conn: &mut DbConnection,
    taxonomy: &Taxonomy,
    versions: Versions,
    current: Option<&Published>,
) -> QueryResult<Arc<Published>> {
    let directory = match current.filter(|c| c.directory.version == versions.directory) {
        Some(c) => c.directory.clone(),
        None => Arc::new(Snapshot::build(
            versions.directory,
            providers::load_published(conn)?,
            &crate::db::referencing::insurance_ends(conn)?,
            taxonomy,
        )),
    };
    let geography = match current.filter(|c| c.geography.version == versions.geography) {
        Some(c) => c.geography.clone(),
        None => Arc::new(Geography::load(conn, versions.geography)?),
    };
    Ok(Arc::new(Published {
        directory,
        geography,
        search_answers: AnswerCache::new(),
    }))
}
