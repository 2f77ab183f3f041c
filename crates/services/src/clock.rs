//! An injectable clock: every time-dependent rule takes `now` from here so tests can travel in time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

#[derive(Clone, Debug)]
pub enum Clock {
    System,
    /// A settable instant (milliseconds since the epoch), shared by every clone.
    Fixed(Arc<AtomicI64>),
}

impl Clock {
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self::Fixed(Arc::new(AtomicI64::new(at.timestamp_millis())))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Self::System => Utc::now(),
            Self::Fixed(ms) => {
                DateTime::from_timestamp_millis(ms.load(Ordering::SeqCst)).unwrap_or_default()
            }
        }
    }

    /// Naive UTC, as stored in the database.
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// The business date: the day in Paris, whatever the server's zone (absences, validity,
    /// deadlines and label numbers all turn at midnight in Paris, not in UTC).
    pub fn today(&self) -> NaiveDate {
        crate::french::paris_date(self.now_naive())
    }

    /// A reading to measure how long ago something happened (how old a cache is): the system's
    /// monotonic clock, or a fixed clock's time, so that a test ages the caches by moving the
    /// clock instead of sleeping.
    pub fn ticks(&self) -> std::time::Duration {
        static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        match self {
            Self::System => ORIGIN.get_or_init(std::time::Instant::now).elapsed(),
            Self::Fixed(ms) => std::time::Duration::from_millis(
                u64::try_from(ms.load(Ordering::SeqCst)).unwrap_or(0),
            ),
        }
    }

    /// Whether `ticks` (an earlier [`ticks`](Self::ticks)) is less than `age` ago.
    pub fn within(&self, ticks: std::time::Duration, age: std::time::Duration) -> bool {
        self.ticks().saturating_sub(ticks) < age
    }

    /// Moves a fixed clock; no effect on the system clock.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Self::Fixed(ms) = self {
            ms.store(at.timestamp_millis(), Ordering::SeqCst);
        }
    }
}
