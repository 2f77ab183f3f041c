//! The in-memory directory: every published provider and the matching index over them,
//! rebuilt when the database's directory counter moves (so several processes sharing one
//! PostgreSQL stay in step).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDate;
use diesel::QueryResult;

use crate::db::{DbConnection, counters, providers};
use crate::domain::matching::{Candidate, Match, MatchingIndex, Query};
use crate::domain::provider::Provider;
use crate::domain::taxonomy::Taxonomy;

/// One consistent view of the published directory.
pub struct Snapshot {
    pub version: i64,
    providers: Vec<Provider>,
    by_id: HashMap<String, usize>,
    matching: MatchingIndex,
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
                label_valid_until: p
                    .label
                    .as_ref()
                    .filter(|l| l.status == "valid")
                    .map(|l| l.valid_until),
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

    pub fn provider(&self, m: &Match) -> &Provider {
        &self.providers[m.entry]
    }

    /// Providers whose label is valid on `day` (used by pages and statistics).
    pub fn labelled_count(&self, day: NaiveDate) -> usize {
        self.providers
            .iter()
            .filter(|p| p.label.as_ref().is_some_and(|l| l.is_valid_on(day)))
            .count()
    }
}

#[derive(Default)]
pub struct DirectoryIndex {
    current: RwLock<Option<Arc<Snapshot>>>,
    /// Only one thread rebuilds at a time; the others wait and reuse its result.
    rebuilding: Mutex<()>,
}

impl DirectoryIndex {
    /// The snapshot matching the database's counter, rebuilt first if it moved.
    pub fn snapshot(
        &self,
        conn: &mut DbConnection,
        taxonomy: &Taxonomy,
    ) -> QueryResult<Arc<Snapshot>> {
        let version = counters::read(conn, counters::DIRECTORY)?;
        if let Some(s) = self.cached(version) {
            return Ok(s);
        }
        let _guard = self.rebuilding.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = self.cached(version) {
            return Ok(s);
        }
        let providers = providers::load_published(conn)?;
        let snapshot = Arc::new(Snapshot::build(version, providers, taxonomy));
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(snapshot.clone());
        tracing::info!(
            version,
            providers = snapshot.len(),
            "directory index rebuilt"
        );
        Ok(snapshot)
    }

    fn cached(&self, version: i64) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|s| s.version == version)
            .cloned()
    }
}
