//! Transcripts are kept `CHAT_RETENTION_MONTHS` after the chat ended (default 12, like the
//! requests), then erased: the lines, the notes, the diagnostic's answers and the victim's
//! email. What stays is anonymous (force, audience, threat, waits, disposition).

use crate::audit::Event;
use crate::db::chat as queries;
use crate::db::write_transaction;
use crate::error::AppError;
use crate::infra::Infra;

/// Erases the chats ended before the retention period; returns how many.
pub fn erase_past_retention(state: &Infra) -> Result<usize, AppError> {
    let now = state.clock.now_naive();
    let Some(before) = now
        .date()
        .checked_sub_months(chrono::Months::new(state.config.chat_retention_months))
        .map(|d| d.and_time(now.time()))
    else {
        return Ok(0);
    };
    let due = {
        let mut conn = state.pool.get()?;
        queries::closed_before(&mut conn, before)?
    };
    let mut conn = state.pool.get()?;
    for id in &due {
        write_transaction(&mut conn, |conn| {
            queries::erase(conn, id, now)?;
            crate::db::outbox::erase_about_request(conn, &super::close::outbox_key(id))?;
            crate::audit::record(conn, now, Event::chat_erased(id))
        })?;
    }
    Ok(due.len())
}
