//! Scheduled work of assistance requests: offers past their deadline move on to the next
//! provider, and closed requests past the retention period are anonymised. Each item is claimed
//! by a conditional write, so several processes never handle it twice.

use chrono::Months;

use super::answer;
use crate::audit::{Event, Step};
use crate::db::assistance as queries;
use crate::db::write_transaction;
use crate::error::AppError;
use crate::state::AppState;

/// Processes offers whose deadline passed; returns how many this process handled.
pub fn process_timeouts(state: &AppState) -> Result<usize, AppError> {
    let expired = {
        let mut conn = state.pool.get()?;
        queries::expired_assignments(&mut conn, state.clock.now_naive())?
    };
    let mut handled = 0;
    for assignment in expired {
        if answer::time_out(state, &assignment.id)? {
            handled += 1;
        }
    }
    Ok(handled)
}

/// Erases the contact and description of requests closed more than `RETENTION_MONTHS` ago.
pub fn anonymise_old_requests(state: &AppState) -> Result<usize, AppError> {
    let now = state.clock.now_naive();
    let Some(before) = now.checked_sub_months(Months::new(state.config.retention_months)) else {
        return Ok(0);
    };
    let mut conn = state.pool.get()?;
    let mut done = 0;
    for id in queries::to_anonymise(&mut conn, before)? {
        let erased = write_transaction(&mut conn, |conn| {
            if !queries::anonymise(conn, &id, now)? {
                return Ok::<bool, AppError>(false);
            }
            let mut step = Step::new(now);
            step.record(Event::request_anonymised(&id));
            step.write(conn)?;
            Ok(true)
        })?;
        if erased {
            done += 1;
        }
    }
    Ok(done)
}
