//! Scheduled work of assistance requests: offers past their deadline move on to the next
//! provider, and requests past the retention period are erased. Each item is claimed
//! by a conditional write, so several processes never handle it twice.

use super::answer;
use crate::db::assistance as queries;
use crate::error::AppError;
use crate::infra::Infra;

/// Processes offers whose deadline passed; returns how many this process handled.
pub fn process_timeouts(
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
) -> Result<usize, AppError> {
    let expired = {
        let mut conn = state.pool.get()?;
        queries::expired_assignments(&mut conn, state.clock.now_naive())?
    };
    let mut handled = 0;
    for assignment in expired {
        if answer::time_out(state, index, &assignment.id)? {
            handled += 1;
        }
    }
    Ok(handled)
}

/// Erases the personal data of requests past the retention period (see `erasure`).
pub fn anonymise_old_requests(state: &Infra) -> Result<usize, AppError> {
    super::erasure::erase_past_retention(state)
}
