//! What the victim does from the private tracking link: cancel the request, or erase it.

use chrono::NaiveDateTime;

use super::views::TrackingView;
use super::{assign, by_token, notify, tracking_view};
use crate::audit::{Event, Step};
use crate::db::assistance::{self as queries, RequestRow};
use crate::db::{DbConnection, write_transaction};
use crate::domain::assistance::RequestStatus;
use crate::error::AppError;
use crate::infra::Infra;

/// The request of `token`, when it is the one the caller names (a token never acts on another
/// request).
fn request_of(
    conn: &mut DbConnection,
    token: &str,
    expected_id: Option<&str>,
) -> Result<RequestRow, AppError> {
    let row = by_token(conn, token)?;
    if expected_id.is_some_and(|id| id != row.id) {
        return Err(AppError::not_found("Demande introuvable."));
    }
    Ok(row)
}

/// One step of the victim on the token's request, in one transaction: `act`, then the step's
/// events and emails, then the tracking view.
fn on_request(
    state: &Infra,
    token: &str,
    expected_id: Option<&str>,
    act: impl FnOnce(
        &mut DbConnection,
        &mut Step,
        &mut RequestRow,
        NaiveDateTime,
    ) -> Result<(), AppError>,
) -> Result<TrackingView, AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let mut step = Step::new(now);
        let mut row = request_of(conn, token, expected_id)?;
        act(conn, &mut step, &mut row, now)?;
        step.write(conn)?;
        tracking_view(conn, state, &row)
    })
}

/// Cancels an open request: its offer or provider is let go and told.
fn cancel_open(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &mut RequestRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let (from, offered) = assign::let_go(conn, row, now)?;
    let previous_provider = row.provider_id.clone();
    row.status = RequestStatus::Cancelled;
    row.closed_at = Some(now);
    if !queries::update_request(conn, row, now)? {
        return Err(AppError::Conflict(
            "La demande vient de changer : rechargez la page.".into(),
        ));
    }
    row.version += 1;
    step.record(Event::request(&row.id, "cancel", Some(from), row.status));
    crate::chat::requests::follow_request_end(conn, &row.id, false, now)?;
    notify::cancel_confirmed(step, state, row)?;
    // The provider that held it, and those an urgent request was offered to at once.
    let mut told: Vec<String> = previous_provider.into_iter().collect();
    for p in offered {
        if !told.contains(&p) {
            told.push(p);
        }
    }
    for p in told {
        notify::cancelled_to_provider(conn, step, state, row, &p)?;
    }
    Ok(())
}

/// The victim cancels from the tracking link.
pub fn cancel(
    state: &Infra,
    token: &str,
    expected_id: Option<&str>,
) -> Result<TrackingView, AppError> {
    on_request(state, token, expected_id, |conn, step, row, now| {
        cancel_open(conn, step, state, row, now)
    })
}

/// The victim erases the request: an open one is cancelled first (its provider told), then its
/// personal data is erased at once everywhere, as the retention pass would do later. What the
/// statistics count (incident, département, dates, outcome) stays.
pub fn erase(
    state: &Infra,
    token: &str,
    expected_id: Option<&str>,
) -> Result<TrackingView, AppError> {
    let mut erased_copies = Vec::new();
    let view = on_request(state, token, expected_id, |conn, step, row, now| {
        if !row.status.is_closed() {
            cancel_open(conn, step, state, row, now)?;
        }
        // The emails above are rendered already (and written after): the address can go now.
        if let Some(outbox_ids) = super::erasure::erase(conn, row, now)? {
            step.record(Event::request(
                &row.id,
                "erase",
                Some(row.status),
                row.status,
            ));
            erased_copies = outbox_ids;
        }
        Ok(())
    })?;
    super::erasure::remove_copies(state, &erased_copies);
    Ok(view)
}
