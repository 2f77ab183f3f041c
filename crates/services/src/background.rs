//! Work done after the answer has gone (the password-reset email, so that the answer takes the
//! same time for every address), counted so that a shutdown, or a test, can wait for it to end.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// The most pieces of work waiting or running at once: past it, new work is refused (the
/// caller answers 503), never queued without end.
pub const CAPACITY: usize = 64;

#[derive(Clone, Default)]
pub struct Background {
    running: Arc<(Mutex<usize>, Condvar)>,
}

/// The background queue is full.
#[derive(Debug, thiserror::Error)]
#[error("background queue full ({CAPACITY} pieces of work)")]
pub struct Full;

impl Background {
    /// Runs `work` on the blocking pool, unless [`CAPACITY`] pieces already wait or run.
    pub fn spawn(&self, work: impl FnOnce() + Send + 'static) -> Result<(), Full> {
        let (count, _) = &*self.running;
        {
            let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
            if *n >= CAPACITY {
                return Err(Full);
            }
            *n += 1;
        }
        let running = Arc::clone(&self.running);
        tokio::task::spawn_blocking(move || {
            work();
            let (count, ended) = &*running;
            let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
            *n = n.saturating_sub(1);
            ended.notify_all();
        });
        Ok(())
    }

    /// Waits until no work runs, at most `timeout`; whether all of it ended.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let (count, ended) = &*self.running;
        let guard = count.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = ended
            .wait_timeout_while(guard, timeout, |n| *n > 0)
            .unwrap_or_else(|e| e.into_inner());
        *guard == 0
    }
}
