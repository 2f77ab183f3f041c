//! The facts, kept in memory as compact rows so that any view, for any filter combination,
//! is one scan of a few million bytes rather than a query per view. Every process reads only
//! the facts written since it last looked (their `revision`), so it stays in step with the
//! others at the cost of one counter read per view. It keeps a window of days, not every fact
//! for ever: facts before its first day are neither loaded nor kept (they stay in the database).

use std::collections::HashMap;
use std::sync::{Mutex, RwLock, RwLockReadGuard};

use chrono::{Datelike, NaiveDate};

use crate::db::DbConnection;
use crate::db::observatory::{self as queries, FactRow};
use crate::domain::observatory::FactKind;
use crate::error::AppError;

/// How many facts one catching-up query reads.
const BATCH: i64 = 20_000;

/// Codes of one dimension, as small numbers; 0 is "none".
#[derive(Debug, Default)]
pub struct Codes {
    codes: Vec<String>,
    index: HashMap<String, u16>,
}

impl Codes {
    pub const NONE: u16 = 0;
    /// A code no fact has: a filter on it matches nothing.
    pub const UNKNOWN: u16 = u16::MAX;

    fn intern(&mut self, code: Option<&str>) -> u16 {
        let Some(code) = code else {
            return Self::NONE;
        };
        if let Some(&i) = self.index.get(code) {
            return i;
        }
        // 65,534 codes per dimension is far beyond any real one; past it, codes share "none".
        let Ok(i) = u16::try_from(self.codes.len() + 1) else {
            return Self::NONE;
        };
        if i == Self::UNKNOWN {
            return Self::NONE;
        }
        self.codes.push(code.to_owned());
        self.index.insert(code.to_owned(), i);
        i
    }

    /// The number of a code for a filter.
    pub fn find(&self, code: &str) -> u16 {
        self.index.get(code).copied().unwrap_or(Self::UNKNOWN)
    }

    /// How many codes there are (their numbers are 1..=len).
    pub fn codes_len(&self) -> usize {
        self.codes.len()
    }

    pub fn code(&self, i: u16) -> Option<&str> {
        (i as usize)
            .checked_sub(1)
            .and_then(|k| self.codes.get(k))
            .map(String::as_str)
    }
}

/// One fact, in 32 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fact {
    /// Days since 1 January of year 1; 0 for an empty slot.
    pub day: i32,
    pub kind: Option<FactKind>,
    pub counted: bool,
    pub escalated: bool,
    pub audience: u16,
    pub incident: u16,
    pub category: u16,
    pub departement: u16,
    pub region: u16,
    pub channel: u16,
    pub partner: u16,
    pub outcome: u16,
    pub confirmed: u16,
    /// Minutes to the first acceptance; `u32::MAX` when never accepted.
    pub minutes: u32,
}

impl Fact {
    pub const NOT_ACCEPTED: u32 = u32::MAX;
}

/// Every dimension's codes.
#[derive(Debug, Default)]
pub struct Dimensions {
    pub audience: Codes,
    pub incident: Codes,
    pub category: Codes,
    pub departement: Codes,
    pub region: Codes,
    pub channel: Codes,
    pub partner: Codes,
    pub outcome: Codes,
}

/// The facts as of `revision` from the window's first day, each at the place of its id
/// (`rows[0]` is the fact of id `base + 1`; a slot no kept fact fills is empty).
#[derive(Debug, Default)]
pub struct Facts {
    pub revision: i64,
    pub rows: Vec<Fact>,
    pub dims: Dimensions,
    /// The ids up to this one are not kept.
    base: i64,
    /// The day of the observatory's first fact, kept or not (a day number): read when the
    /// facts are loaded, moved back by any earlier fact caught up since.
    earliest: Option<i32>,
    /// The window's first day (a day number).
    since: i32,
}

impl Facts {
    /// The day of the observatory's first fact, whether this node keeps it or not (not the
    /// first it keeps: a short window would make an old observatory look young).
    pub fn first_day(&self) -> Option<NaiveDate> {
        self.earliest.and_then(day_of)
    }

    fn apply(&mut self, row: &FactRow) {
        let day = row.occurred_on.num_days_from_ce();
        self.earliest = Some(self.earliest.map_or(day, |e| e.min(day)));
        if day < self.since {
            return;
        }
        let Ok(slot) = usize::try_from(row.id - 1 - self.base) else {
            return;
        };
        if slot >= self.rows.len() {
            self.rows.resize(slot + 1, Fact::default());
        }
        let d = &mut self.dims;
        self.rows[slot] = Fact {
            day,
            kind: FactKind::parse(&row.kind),
            counted: row.counted,
            escalated: row.escalated,
            audience: d.audience.intern(row.audience.as_deref()),
            incident: d.incident.intern(row.incident_type.as_deref()),
            category: d.category.intern(row.category.as_deref()),
            departement: d.departement.intern(row.departement.as_deref()),
            region: d.region.intern(row.region.as_deref()),
            channel: d.channel.intern(Some(&row.channel)),
            partner: d.partner.intern(row.partner.as_deref()),
            outcome: d.outcome.intern(Some(&row.outcome)),
            confirmed: d.incident.intern(row.confirmed_incident_type.as_deref()),
            minutes: row
                .minutes_to_acceptance
                .and_then(|m| u32::try_from(m).ok())
                .unwrap_or(Fact::NOT_ACCEPTED),
        };
        self.revision = self.revision.max(row.revision);
    }

    /// Moves the window's first day forward: the leading facts before it go. The prefix ends
    /// at the last fact before the day, so that a slot still empty after it (a fact being
    /// written) keeps its place.
    fn advance(&mut self, since: i32) {
        self.since = since;
        let first_kept = self
            .rows
            .iter()
            .position(|f| f.day >= since)
            .unwrap_or(self.rows.len());
        let cut = self.rows[..first_kept]
            .iter()
            .rposition(|f| f.day != 0)
            .map_or(0, |last_old| last_old + 1);
        if cut == 0 {
            return;
        }
        self.rows.drain(..cut);
        self.base += i64::try_from(cut).unwrap_or(i64::MAX);
        if self.rows.capacity() > 2 * self.rows.len() {
            self.rows.shrink_to_fit();
        }
    }
}

/// A day as the facts store it.
pub fn day_number(day: NaiveDate) -> i32 {
    day.num_days_from_ce()
}

pub fn day_of(number: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(number)
}

/// The facts shared by a process's requests and jobs.
#[derive(Debug, Default)]
pub struct Cube {
    facts: RwLock<Facts>,
    /// One catcher-up at a time; the others read the facts as they were.
    catching_up: Mutex<()>,
    /// The revision last caught up with, when and how fast (for the metrics).
    pub built: crate::metrics::LastBuilt,
}

impl Cube {
    /// The facts from `since`, caught up with the database first.
    pub fn fresh(
        &self,
        conn: &mut DbConnection,
        since: NaiveDate,
    ) -> Result<RwLockReadGuard<'_, Facts>, AppError> {
        let since = day_number(since);
        let kept = self.read()?.since;
        if since != kept {
            let mut facts = self.write()?;
            if since > facts.since {
                facts.advance(since);
            } else if since < facts.since {
                // Earlier days than those kept (a clock set back): start again from them.
                *facts = Facts {
                    since,
                    ..Facts::default()
                };
            }
        }
        let latest = queries::revision(conn)?;
        if self.read()?.revision < latest {
            self.catch_up(conn, latest)?;
        }
        self.read()
    }

    fn read(&self) -> Result<RwLockReadGuard<'_, Facts>, AppError> {
        self.facts
            .read()
            .map_err(|_| AppError::Internal("observatory facts lock poisoned".into()))
    }

    fn write(&self) -> Result<std::sync::RwLockWriteGuard<'_, Facts>, AppError> {
        self.facts
            .write()
            .map_err(|_| AppError::Internal("observatory facts lock poisoned".into()))
    }

    fn catch_up(&self, conn: &mut DbConnection, latest: i64) -> Result<(), AppError> {
        let started = std::time::Instant::now();
        let _one = self
            .catching_up
            .lock()
            .map_err(|_| AppError::Internal("observatory catch-up lock poisoned".into()))?;
        let (mut from, since) = {
            let facts = self.read()?;
            (facts.revision, facts.since)
        };
        let Some(first_day) = day_of(since.max(1)) else {
            return Ok(());
        };
        if from == 0 {
            // Loading from nothing: the kept ids start at the window's first fact (facts
            // written later have greater ids), so no slot is spent on the facts before it.
            let first = queries::first_id_from(conn, first_day)?;
            let earliest = queries::first_day(conn)?.map(day_number);
            let mut facts = self.write()?;
            facts.base = first.map_or(0, |id| id - 1);
            facts.earliest = earliest;
        }
        while from < latest {
            let rows = queries::changed_since(conn, from, first_day, BATCH)?;
            let Some(last) = rows.last() else {
                break;
            };
            from = last.revision;
            let mut facts = self.write()?;
            for row in &rows {
                facts.apply(row);
            }
            // A counter moved by a transaction that wrote no fact still counts as seen.
            facts.revision = facts.revision.max(from);
        }
        let mut facts = self.write()?;
        facts.revision = facts.revision.max(latest);
        self.built.record(facts.revision, started);
        Ok(())
    }
}
