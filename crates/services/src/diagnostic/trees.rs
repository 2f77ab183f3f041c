//! The published trees: the version in force kept in memory (a step is a lookup, no database),
//! earlier versions loaded when a journey or an API caller still uses one, and publication.
//! Another process's publication is seen within [`REFRESH_EVERY`].

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::{Connection, QueryResult};

use crate::cache::AnswerCache;
use crate::db::counters::{self, Version};
use crate::db::diagnostic::{self as queries, VersionRow};
use crate::db::{DbConnection, Pool};
use crate::domain::content::Library;
use crate::domain::diagnostic::check::Summary;
use crate::domain::diagnostic::{self, SHIPPED, Tree, TreeError};
use crate::domain::taxonomy::Taxonomy;
use crate::error::AppError;

/// How often each process looks for a version published elsewhere.
pub const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// The most versions kept in memory (the one in force, and earlier ones that journeys still
/// walk); the least recently loaded goes first.
pub const MAX_KEPT: usize = 8;

/// A version as published, checked against the taxonomy in force.
pub struct Published {
    pub tree: Tree,
    pub published_at: NaiveDateTime,
    pub summary: Summary,
    /// Evaluations as JSON, by the answers on their path: a step depends on nothing else.
    pub answers: AnswerCache<bytes::Bytes>,
    /// Question pages as the site renders them, by the web layer's key (`diagnostic::kept_page`).
    pub pages: AnswerCache<bytes::Bytes>,
    /// Result pages with when they were rendered (`journeys::result_in_memory`): they show the
    /// alerts in force, so they are kept for a short while only.
    pub results: AnswerCache<(std::time::Duration, super::journeys::ResultPage)>,
}

impl std::fmt::Debug for Published {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Published")
            .field("version", &self.tree.version)
            .field("published_at", &self.published_at)
            .finish()
    }
}

pub struct Trees {
    /// Ages the version in force (`Clock::ticks`).
    clock: crate::clock::Clock,
    /// The version in force, the change counter it was read at, and when that was checked.
    current: RwLock<Option<(Version, Duration, Arc<Published>)>>,
    /// Versions read so far, by version, at most [`MAX_KEPT`], in the order they were loaded.
    known: RwLock<Kept>,
    /// The names of every published version, as of the counter in `current`: a name not
    /// among them is refused without a query.
    names: RwLock<Vec<String>>,
    /// The counter the version in force was read at, when and how fast (for the metrics).
    pub built: crate::metrics::LastBuilt,
}

#[derive(Default)]
struct Kept {
    by_version: HashMap<String, Arc<Published>>,
    order: std::collections::VecDeque<String>,
}

impl Kept {
    fn insert(&mut self, version: &str, published: Arc<Published>, in_force: Option<&str>) {
        if self
            .by_version
            .insert(version.to_owned(), published)
            .is_none()
        {
            self.order.push_back(version.to_owned());
        }
        while self.by_version.len() > MAX_KEPT {
            let Some(at) = self.order.iter().position(|v| Some(v.as_str()) != in_force) else {
                break;
            };
            if let Some(oldest) = self.order.remove(at) {
                self.by_version.remove(&oldest);
            }
        }
    }
}

/// Why a file cannot be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<TreeError>),
    #[error("la version « {0} » est déjà publiée avec un autre contenu : changez `version`")]
    VersionTaken(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Parses and checks a tree's text; with the content `library`, as for a publication (its
/// advice too), else as a version already published.
pub fn check_text(
    text: &str,
    taxonomy: &Taxonomy,
    library: Option<&Library>,
) -> Result<(Tree, Summary), Vec<TreeError>> {
    let tree = diagnostic::parse(text).map_err(|e| vec![e])?;
    let summary = diagnostic::check(&tree, taxonomy, library)?;
    Ok((tree, summary))
}

/// Publishes a tree unless it is invalid or its version exists with other content; publishing
/// the same text again changes nothing. Returns whether a new version was published.
pub fn publish(
    conn: &mut DbConnection,
    taxonomy: &Taxonomy,
    library: &Library,
    text: &str,
    by: Option<&str>,
    now: NaiveDateTime,
) -> Result<(Tree, bool), PublishError> {
    let (tree, _) = check_text(text, taxonomy, Some(library)).map_err(PublishError::Invalid)?;
    let digest = crate::auth::tokens::digest(text);
    let published = conn.transaction(|conn| -> Result<bool, PublishError> {
        match queries::find(conn, &tree.version)? {
            Some(row) if row.sha256 == digest => Ok(false),
            Some(_) => Err(PublishError::VersionTaken(tree.version.clone())),
            None => {
                queries::insert(
                    conn,
                    &VersionRow {
                        version: tree.version.clone(),
                        source: text.to_owned(),
                        sha256: digest,
                        published_at: now,
                        published_by: by.map(str::to_owned),
                    },
                )?;
                counters::bump(conn, counters::DIAGNOSTIC)?;
                Ok(true)
            }
        }
    })?;
    Ok((tree, published))
}

/// At start-up: publishes the shipped tree if its version is new. An invalid shipped tree, or
/// one whose version was published with other content, is logged and the version in force kept.
pub fn install_shipped(
    conn: &mut DbConnection,
    taxonomy: &Taxonomy,
    library: &Library,
    now: NaiveDateTime,
) -> Result<(), diesel::result::Error> {
    match publish(conn, taxonomy, library, SHIPPED, None, now) {
        Ok((tree, true)) => tracing::info!(version = tree.version, "diagnostic tree published"),
        Ok((_, false)) => {}
        Err(PublishError::Database(e)) => return Err(e),
        Err(refused) => {
            tracing::error!(reason = %refused, "the shipped diagnostic tree is refused; the version in force stays")
        }
    }
    Ok(())
}

impl Trees {
    pub fn new(clock: crate::clock::Clock) -> Self {
        Self {
            clock,
            current: RwLock::default(),
            known: RwLock::default(),
            names: RwLock::default(),
            built: Default::default(),
        }
    }

    /// The version in force if it was checked within [`REFRESH_EVERY`], without the database.
    pub fn fresh(&self) -> Option<Arc<Published>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|(_, checked, _)| self.clock.within(*checked, REFRESH_EVERY))
            .map(|(_, _, published)| published.clone())
    }

    /// A version already in memory, without the database (the one in force is among them:
    /// it is read through [`Trees::version`]).
    pub fn in_memory(&self, version: &str) -> Option<Arc<Published>> {
        self.known
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_version
            .get(version)
            .cloned()
    }

    /// How many versions are in memory.
    pub fn kept(&self) -> usize {
        self.known
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_version
            .len()
    }

    /// The version in force. Reads the database at most every [`REFRESH_EVERY`].
    pub fn current(&self, pool: &Pool, taxonomy: &Taxonomy) -> Result<Arc<Published>, AppError> {
        if let Some(published) = self.fresh() {
            return Ok(published);
        }
        let mut conn = pool.get()?;
        self.refresh(&mut conn, taxonomy)
    }

    /// Reads the change counter and loads the version in force if it moved. Inside a
    /// transaction, what it reads is that transaction's and is not kept.
    pub fn refresh(
        &self,
        conn: &mut DbConnection,
        taxonomy: &Taxonomy,
    ) -> Result<Arc<Published>, AppError> {
        let started = std::time::Instant::now();
        let counter = counters::read(conn, counters::DIAGNOSTIC)?;
        let unchanged = self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|(seen, _, _)| *seen == counter)
            .map(|(_, _, published)| published.clone());
        let moved = unchanged.is_none();
        let published = match unchanged {
            Some(published) => published,
            None => self.newest_valid(conn, taxonomy)?,
        };
        if !crate::db::in_transaction(conn) {
            if moved {
                self.built.record(counter.value, started);
            }
            *self.current.write().unwrap_or_else(|e| e.into_inner()) =
                Some((counter, self.clock.ticks(), published.clone()));
        }
        Ok(published)
    }

    /// The newest version that passes the checks: a version the current taxonomy no longer
    /// fits is skipped, with an error in the log.
    fn newest_valid(
        &self,
        conn: &mut DbConnection,
        taxonomy: &Taxonomy,
    ) -> Result<Arc<Published>, AppError> {
        let names: Vec<String> = queries::list(conn)?
            .into_iter()
            .map(|(v, _, _)| v)
            .collect();
        if !crate::db::in_transaction(conn) {
            *self.names.write().unwrap_or_else(|e| e.into_inner()) = names.clone();
        }
        for version in &names {
            match self.version(conn, taxonomy, version)? {
                Some(published) => return Ok(published),
                None => continue,
            }
        }
        Err(AppError::Internal(
            "no valid diagnostic tree is published".into(),
        ))
    }

    /// A published version by its name; `None` if unknown (or no longer valid).
    pub fn version(
        &self,
        conn: &mut DbConnection,
        taxonomy: &Taxonomy,
        version: &str,
    ) -> Result<Option<Arc<Published>>, AppError> {
        if let Some(known) = self.in_memory(version) {
            return Ok(Some(known));
        }
        if !self.may_be_published(conn, version)? {
            return Ok(None);
        }
        let Some(row) = queries::find(conn, version)? else {
            return Ok(None);
        };
        let published = match check_text(&row.source, taxonomy, None) {
            Ok((tree, summary)) => Arc::new(Published {
                tree,
                published_at: row.published_at,
                summary,
                answers: AnswerCache::new(),
                pages: AnswerCache::new(),
                results: AnswerCache::new(),
            }),
            Err(errors) => {
                let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
                tracing::error!(
                    version,
                    ?reasons,
                    "a published diagnostic tree no longer passes the checks"
                );
                return Ok(None);
            }
        };
        if !crate::db::in_transaction(conn) {
            let in_force = self
                .current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                .map(|(_, _, p)| p.tree.version.clone());
            self.known
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(version, published.clone(), in_force.as_deref());
        }
        Ok(Some(published))
    }

    /// Whether `version` may name a published version: not when the list read with the
    /// counter still in force lacks it (one counter read, no tree read or checked).
    fn may_be_published(&self, conn: &mut DbConnection, version: &str) -> QueryResult<bool> {
        let seen = self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|(counter, _, _)| *counter);
        let Some(seen) = seen else { return Ok(true) };
        if counters::read(conn, counters::DIAGNOSTIC)? != seen {
            return Ok(true);
        }
        let names = self.names.read().unwrap_or_else(|e| e.into_inner());
        Ok(names.is_empty() || names.iter().any(|v| v == version))
    }

    /// The version in force if `version` is none or names it, else that version.
    pub fn resolve(
        &self,
        pool: &Pool,
        taxonomy: &Taxonomy,
        version: Option<&str>,
    ) -> Result<Option<Arc<Published>>, AppError> {
        let current = self.current(pool, taxonomy)?;
        match version {
            None => Ok(Some(current)),
            Some(v) if v == current.tree.version => Ok(Some(current)),
            Some(v) => {
                let mut conn = pool.get()?;
                self.version(&mut conn, taxonomy, v)
            }
        }
    }
}
