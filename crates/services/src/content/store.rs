//! The content in force, kept in memory and replaced when an editor publishes a version: the
//! shipped files with, over them, the versions published in the database. Every process reads
//! the change counter `content` at most every [`REFRESH_EVERY`] (its scheduler's tick), so a
//! publication elsewhere is seen within that time; the one that publishes refreshes at once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::Connection;

use super::Content;
use crate::db::DbConnection;
use crate::db::content::{self as queries, VersionRow};
use crate::db::counters::{self, Version};
use crate::domain::content::editorial::{Document, VersionState};
use crate::domain::taxonomy::Taxonomy;
use crate::error::AppError;

/// How often each process looks for a version published elsewhere.
pub const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// What is counted of the library's use (never who).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Use {
    /// A fiche's page.
    Page,
    /// A fiche's or the kit's PDF.
    Pdf,
    /// The open-data archive.
    Archive,
}

impl Use {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Page => "page",
            Self::Pdf => "pdf",
            Self::Archive => "archive",
        }
    }
}

pub struct ContentStore {
    current: RwLock<(Version, Arc<Content>)>,
    /// Uses counted since the last flush, by subject and kind.
    uses: Mutex<BTreeMap<(String, Use), i64>>,
    /// The version in force here and when it was read (for the metrics).
    pub built: crate::metrics::LastBuilt,
}

impl ContentStore {
    /// The shipped content, as a start before [`ContentStore::open`] reads the database.
    pub fn new(content: Arc<Content>) -> Self {
        Self {
            current: RwLock::new((Version::default(), content)),
            uses: Mutex::default(),
            built: Default::default(),
        }
    }

    /// The content in force (memory only).
    pub fn get(&self) -> Arc<Content> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .clone()
    }

    /// At start-up: imports the shipped files whose text is new as published versions without
    /// an author (a release's text is in force once it runs), then reads the content in force.
    pub fn open(
        &self,
        conn: &mut DbConnection,
        taxonomy: &Taxonomy,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        let shipped = super::shipped_files();
        conn.transaction(|conn| -> Result<(), diesel::result::Error> {
            let mut imported = 0;
            for (path, text) in shipped.iter().filter(|(p, _)| Document::parse(p).is_some()) {
                let digest = fingerprint(text);
                if queries::last_shipped_sha(conn, path)?.as_deref() == Some(digest.as_str()) {
                    continue;
                }
                let base = queries::in_force_of(conn, path)?.map(|v| v.body);
                let number = queries::last_number(conn, path)? + 1;
                queries::insert(
                    conn,
                    &VersionRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        path: path.clone(),
                        number: Some(number),
                        state: VersionState::Published,
                        body: text.clone(),
                        sha256: digest,
                        base_body: base.unwrap_or_default(),
                        note: "Version livrée avec le service.".into(),
                        author_id: None,
                        created_at: now,
                        updated_at: now,
                        submitted_at: None,
                        reviewer_id: None,
                        reviewed_at: None,
                        review_comment: None,
                        published_at: Some(now),
                    },
                )?;
                imported += 1;
            }
            if imported > 0 {
                tracing::info!(imported, "shipped content imported");
                counters::bump(conn, counters::CONTENT)?;
            }
            Ok(())
        })
        .or_else(|e| match e {
            // Another process imported the same files at the same time.
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => Ok(()),
            e => Err(e),
        })?;
        self.refresh(conn, taxonomy)?;
        Ok(())
    }

    /// Reads the change counter and, if it moved, the content in force.
    pub fn refresh(&self, conn: &mut DbConnection, taxonomy: &Taxonomy) -> Result<(), AppError> {
        let counter = counters::read(conn, counters::CONTENT)?;
        if self.current.read().unwrap_or_else(|e| e.into_inner()).0 == counter {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let rows = queries::in_force(conn)?;
        let files = in_force_files(&rows);
        {
            // The same files as in memory (at start-up, the shipped ones just imported): the
            // library, its pages and its PDFs are not made again.
            let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
            if current.1.files == files {
                current.0 = counter;
                self.built.record(counter.value, started);
                return Ok(());
            }
        }
        match Content::read(files, taxonomy, counter.to_string()) {
            Ok(content) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) =
                    (counter, Arc::new(content));
                self.built.record(counter.value, started);
            }
            Err(reasons) => {
                // Published versions were checked before publication: this is a release whose
                // rules changed. The content in force stays, the reasons are logged once, and
                // the next publication is read again.
                tracing::error!(%reasons, "the published content no longer passes the checks");
                let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
                current.0 = counter;
            }
        }
        Ok(())
    }

    /// Counts one use of the library (in memory; see [`ContentStore::flush_uses`]).
    pub fn count_use(&self, subject: &str, kind: Use) {
        *self
            .uses
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((subject.to_owned(), kind))
            .or_default() += 1;
    }

    /// Writes the uses counted since the last flush to the day's counts.
    pub fn flush_uses(&self, conn: &mut DbConnection, day: NaiveDate) -> Result<usize, AppError> {
        let taken = std::mem::take(&mut *self.uses.lock().unwrap_or_else(|e| e.into_inner()));
        let counts: Vec<(NaiveDate, String, &'static str, i64)> = taken
            .iter()
            .map(|((subject, kind), n)| (day, subject.clone(), kind.as_str(), *n))
            .collect();
        if let Err(e) = queries::add_views(conn, &counts) {
            // Put them back: counted at the next flush.
            let mut uses = self.uses.lock().unwrap_or_else(|e| e.into_inner());
            for (key, n) in taken {
                *uses.entry(key).or_default() += n;
            }
            return Err(e.into());
        }
        Ok(counts.len())
    }
}

/// A text's SHA-256, in hex: what tells two versions' texts apart (the same as a token's
/// digest, `auth::tokens::digest`, which this module cannot import).
pub fn fingerprint(text: &str) -> String {
    use sha2::Digest;
    crate::domain::text::hex(&sha2::Sha256::digest(text.as_bytes()))
}

/// The library's files in force: each path's newest published version (the tree aside).
pub fn in_force_files(rows: &[VersionRow]) -> Vec<(String, String)> {
    rows.iter()
        .filter(|row| Document::parse(&row.path).is_some_and(|d| d.in_library()))
        .map(|row| (row.path.clone(), row.body.clone()))
        .collect()
}
