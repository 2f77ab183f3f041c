//! The process-wide memory budget of uploads in flight.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The bytes every upload of this process may hold in memory at once
/// (`CYBERDIR_UPLOAD_MEMORY_MB`): past it, an upload is refused with a 503 (and `Retry-After`)
/// rather than growing the process.
#[derive(Debug)]
pub struct UploadBudget {
    limit: usize,
    used: AtomicUsize,
}

impl UploadBudget {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            used: AtomicUsize::new(0),
        }
    }

    /// The budget, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes held by uploads now.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }

    /// Takes `n` bytes of the budget, unless that would pass its limit.
    pub fn reserve(&self, n: usize) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|total| *total <= self.limit)
            })
            .is_ok()
    }

    /// Gives `n` bytes back.
    pub fn release(&self, n: usize) {
        self.used.fetch_sub(n, Ordering::AcqRel);
    }
}
