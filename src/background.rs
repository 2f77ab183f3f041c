//! Work done after the answer has gone (the password-reset email, so that the answer takes the
//! same time for every address), counted so that a shutdown, or a test, can wait for it to end.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

#[derive(Clone, Default)]
pub struct Background {
    running: Arc<(Mutex<usize>, Condvar)>,
}

impl Background {
    /// Runs `work` on the blocking pool.
    pub fn spawn(&self, work: impl FnOnce() + Send + 'static) {
        let (count, _) = &*self.running;
        *count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        let running = Arc::clone(&self.running);
        actix_web::rt::task::spawn_blocking(move || {
            work();
            let (count, ended) = &*running;
            let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
            *n = n.saturating_sub(1);
            ended.notify_all();
        });
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
