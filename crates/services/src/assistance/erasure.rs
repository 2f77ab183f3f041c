//! Erasing a request's personal data, everywhere it is: the request's contact and description,
//! its exact place (blurred to about a kilometre), every text written freely about it (decline
//! texts, the report's account, the survey's comment, the reasons of its steps, staff's
//! private notes), and every
//! email about it in the outbox with its `.eml` copy. The victim asks for it from the tracking page; the retention pass does it
//! for requests closed, or left open, longer than `RETENTION_MONTHS`.

use chrono::{Months, NaiveDateTime};

use super::assign;
use crate::audit::{Event, Step};
use crate::db::assistance::{self as queries, RequestRow};
use crate::db::{DbConnection, outbox, write_transaction};
use crate::domain::assistance::{RequestStatus, blurred};
use crate::error::AppError;
use crate::infra::Infra;

/// Erases `row`'s personal data inside the caller's transaction; false when it already was.
/// Returns the outbox messages deleted, whose files `remove_copies` deletes once committed.
pub fn erase(
    conn: &mut DbConnection,
    row: &mut RequestRow,
    now: NaiveDateTime,
) -> Result<Option<Vec<String>>, AppError> {
    let place = (blurred(row.latitude), blurred(row.longitude));
    if !queries::anonymise(conn, &row.id, place, now)? {
        return Ok(None);
    }
    queries::erase_free_texts(
        conn,
        &row.id,
        crate::audit::Subject::AssistanceRequest.as_str(),
    )?;
    // Staff's private notes may quote the victim: they go too.
    crate::db::cases::delete_notes(conn, crate::db::cases::ASSISTANCE, &row.id)?;
    // So does the message thread between staff and the victim.
    crate::db::case_messages::delete_thread(conn, crate::db::cases::ASSISTANCE, &row.id)?;
    // The chat it was handed to at night, if any, goes with it.
    crate::chat::requests::follow_request_end(conn, &row.id, true, now)?;
    (row.latitude, row.longitude) = place;
    row.description = None;
    row.contact_name = None;
    row.contact_email = None;
    row.contact_phone = None;
    row.staff_message = None;
    row.anonymised_at = Some(now);
    Ok(Some(outbox::erase_about_request(conn, &row.id)?))
}

/// Deletes the `.eml` copies of erased messages (written when no SMTP server is configured).
pub fn remove_copies(state: &Infra, outbox_ids: &[String]) {
    for id in outbox_ids {
        let path = state.config.outbox_dir.join(format!("{id}.eml"));
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(outbox_id = %id, error = %e, "cannot delete an erased .eml copy")
            }
        }
    }
}

/// The retention pass: requests closed more than `RETENTION_MONTHS` ago, and open ones created
/// that long ago (closed first, their provider's place given back), are erased; then the emails
/// written about erased requests since (the victim's confirmation) once they went. Returns how
/// many requests this process erased.
pub fn erase_past_retention(state: &Infra) -> Result<usize, AppError> {
    let now = state.clock.now_naive();
    let Some(before) = now.checked_sub_months(Months::new(state.config.retention_months)) else {
        return Ok(0);
    };
    let mut conn = state.pool.get()?;
    let mut done = 0;
    for id in queries::to_anonymise(&mut conn, before)? {
        let erased = write_transaction(&mut conn, |conn| {
            let Some(mut row) = queries::request(conn, &id)? else {
                return Ok::<_, AppError>(None);
            };
            let mut step = Step::new(now);
            if !row.status.is_closed() {
                let (from, _) = assign::let_go(conn, &row, now)?;
                row.status = RequestStatus::Closed;
                row.closed_at = Some(now);
                assign::write(conn, &mut row, now)?;
                step.record(Event::request(
                    &row.id,
                    "retention-close",
                    Some(from),
                    row.status,
                ));
            }
            let erased = erase(conn, &mut row, now)?;
            if erased.is_some() {
                step.record(Event::request_anonymised(&id));
            }
            step.write(conn)?;
            Ok(erased)
        })?;
        if let Some(outbox_ids) = erased {
            remove_copies(state, &outbox_ids);
            done += 1;
        }
    }
    let delivered = write_transaction(&mut conn, |conn| {
        Ok::<_, AppError>(outbox::erase_delivered_about_erased(conn)?)
    })?;
    remove_copies(state, &delivered);
    Ok(done)
}
