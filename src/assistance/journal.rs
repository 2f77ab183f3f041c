//! What one step of a request writes besides the request's own state: its audit events and its
//! emails, kept in order and written at the end of the step's transaction, one statement per
//! table. A request created and offered writes two events and two or more emails: one round
//! trip for each would be most of the step's time on PostgreSQL.

use chrono::NaiveDateTime;

use super::SUBJECT_REQUEST;
use crate::db::DbConnection;
use crate::db::outbox::{self, OutboxRow};
use crate::db::referencing::{self as events_db, OwnedEvent};
use crate::error::AppError;
use crate::mail::Email;
use crate::state::AppState;

/// Events and emails of one step, not yet written. Call [`write`](Self::write) before the
/// transaction ends (or before reading the trail back).
#[derive(Default)]
#[must_use = "a journal writes nothing until `write` is called"]
pub struct Journal {
    events: Vec<OwnedEvent>,
    mails: Vec<OutboxRow>,
}

impl Journal {
    /// An event in the request's audit trail.
    pub fn event(
        &mut self,
        request_id: &str,
        actor: Option<&str>,
        action: &'static str,
        (from, to): (Option<&str>, &str),
        reason: Option<&str>,
        at: NaiveDateTime,
    ) {
        self.events.push(OwnedEvent {
            subject_type: SUBJECT_REQUEST.to_owned(),
            subject_id: request_id.to_owned(),
            actor_id: actor.map(str::to_owned),
            action: action.to_owned(),
            from_state: from.map(str::to_owned),
            to_state: to.to_owned(),
            reason: reason.map(str::to_owned),
            created_at: at,
        });
    }

    /// An email, rendered now so that a template error fails the step.
    pub fn mail<E: Email>(
        &mut self,
        state: &AppState,
        to: &str,
        email: &E,
    ) -> Result<(), AppError> {
        let row = state.mailer.prepare(&state.clock, to, email)?;
        tracing::debug!(outbox_id = %row.id, template = E::TEMPLATE, "email enqueued");
        self.mails.push(row);
        Ok(())
    }

    /// Writes what was collected, and empties the journal.
    pub fn write(&mut self, conn: &mut DbConnection) -> Result<(), AppError> {
        if !self.events.is_empty() {
            events_db::insert_events(conn, &self.events)?;
            self.events.clear();
        }
        if !self.mails.is_empty() {
            outbox::insert_all(conn, &self.mails)?;
            self.mails.clear();
        }
        Ok(())
    }
}
