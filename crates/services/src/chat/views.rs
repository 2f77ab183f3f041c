//! What the victim's page and the streams read of a chat.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::routing;
use crate::db::DbConnection;
use crate::db::chat::{self as queries, ChatEventRow, ChatRow};
use crate::domain::chat::{ChatStatus, Disposition, Force};
use crate::error::AppError;
use crate::infra::Infra;

/// One line of a chat (also carried by a wake, see `hub::payload`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LineView {
    /// Its number in the chat: the event stream's id.
    pub seq: i32,
    /// `victim`, `operator` or `system`.
    pub author: String,
    pub body: String,
    pub at: NaiveDateTime,
    /// `14:35`, Paris time.
    pub time: String,
}

pub fn line(row: &ChatEventRow) -> LineView {
    LineView {
        seq: row.seq,
        author: row.author.clone(),
        body: row.body.clone(),
        at: row.created_at,
        time: crate::french::time_fr(row.created_at),
    }
}

pub fn lines(
    conn: &mut DbConnection,
    chat: &ChatRow,
    after: i32,
) -> Result<Vec<LineView>, AppError> {
    Ok(queries::events_after(conn, &chat.id, after)?
        .iter()
        .map(line)
        .collect())
}

/// A contact the victim is given at the end.
#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub name: String,
    pub display: String,
    pub href: Option<String>,
}

/// How the chat ended, as the victim reads it.
#[derive(Debug, Clone, Serialize)]
pub struct EndView {
    pub disposition: String,
    pub disposition_label: String,
    pub what_next: String,
    pub detail: Option<String>,
    pub contacts: Vec<ContactView>,
    /// A professional was proposed: the request form, filled from the diagnostic.
    pub request_path: Option<String>,
    /// The journey the request form is filled from (the page builds its address).
    pub request_journey: Option<String>,
}

/// The victim's page.
#[derive(Debug, Clone, Serialize)]
pub struct VictimView {
    pub id: String,
    pub status: String,
    pub status_label: String,
    /// Who answers, once someone does ("un gendarme").
    pub person: Option<String>,
    /// In the queue: 1 for the next.
    pub position: Option<usize>,
    pub wait_minutes: Option<i64>,
    /// Nobody is on duty: the victim's message waits for the next operator.
    pub nobody_on_duty: bool,
    /// The estimated wait passes the setting: the victim is told plainly.
    pub wait_too_long: bool,
    pub lines: Vec<LineView>,
    pub last_seq: i32,
    pub can_write: bool,
    pub ended: Option<EndView>,
    pub email_given: bool,
}

/// Where a waiting chat stands in the queue, and the wait to expect.
pub struct Place {
    pub position: usize,
    pub wait_minutes: Option<i64>,
}

pub fn place_in_queue(
    conn: &mut DbConnection,
    state: &Infra,
    chat_id: &str,
) -> Result<Option<Place>, AppError> {
    let queue = routing::queue(conn)?;
    let Some(index) = queue.iter().position(|w| w.id == chat_id) else {
        return Ok(None);
    };
    let places = routing::places_on_duty(conn)?;
    let handling = routing::recent_handling_minutes(conn, state.clock.now_naive())?;
    Ok(Some(Place {
        position: index + 1,
        wait_minutes: crate::domain::chat::estimated_wait_minutes(index + 1, &handling, places),
    }))
}

pub fn end_view(state: &Infra, chat: &ChatRow) -> Option<EndView> {
    let disposition = Disposition::parse(chat.disposition.as_deref()?)?;
    let content = state.content();
    let registry = &content.library.contacts;
    let mut ids: Vec<&str> = disposition.contacts().to_vec();
    if disposition.needs_target()
        && let Some(target) = chat.disposition_detail.as_deref()
    {
        ids.push(target);
    }
    let contacts = ids
        .into_iter()
        .filter_map(|id| registry.get(id))
        .map(|c| ContactView {
            name: c.name.clone(),
            display: c.display.clone(),
            href: c.href.clone(),
        })
        .collect();
    Some(EndView {
        disposition: disposition.code().to_owned(),
        disposition_label: disposition.label().to_owned(),
        what_next: match (disposition, chat.departement.as_deref()) {
            // An appointment near the victim: the département the diagnostic placed them in.
            (Disposition::Appointment, Some(code)) => match state.departements.get(code) {
                Some(d) => format!(
                    "{} Dans votre département ({} – {}), tout commissariat ou brigade vous reçoit.",
                    disposition.what_next(),
                    d.name,
                    d.code
                ),
                None => disposition.what_next().to_owned(),
            },
            _ => disposition.what_next().to_owned(),
        },
        detail: chat
            .disposition_detail
            .clone()
            .filter(|_| !disposition.needs_target()),
        contacts,
        request_journey: (disposition == Disposition::Professional)
            .then(|| chat.journey_id.clone())
            .flatten(),
        request_path: (disposition == Disposition::Professional)
            .then(|| {
                chat.journey_id
                    .as_ref()
                    .map(|j| format!("/demande-assistance?parcours={j}"))
            })
            .flatten(),
    })
}

/// The victim's page (`with_lines`: the lines too, for the page; a stream has them).
pub fn victim(
    conn: &mut DbConnection,
    state: &Infra,
    chat: &ChatRow,
    with_lines: bool,
) -> Result<VictimView, AppError> {
    let status = ChatStatus::parse(&chat.status).unwrap_or(ChatStatus::Closed);
    let lines = if with_lines {
        lines(conn, chat, 0)?
    } else {
        Vec::new()
    };
    let place = if status == ChatStatus::Waiting {
        place_in_queue(conn, state, &chat.id)?
    } else {
        None
    };
    let nobody_on_duty = status == ChatStatus::Waiting && queries::on_duty(conn)?.is_empty();
    let wait_minutes = place.as_ref().and_then(|p| p.wait_minutes);
    let person = match (&chat.operator_id, status) {
        (Some(op), ChatStatus::Active | ChatStatus::Closed) => queries::operator(conn, op)?
            .and_then(|o| Force::parse(&o.force))
            .map(|f| f.person().to_owned()),
        _ => None,
    };
    Ok(VictimView {
        id: chat.id.clone(),
        status: status.code().to_owned(),
        status_label: status.label().to_owned(),
        person,
        position: place.as_ref().map(|p| p.position),
        wait_minutes,
        nobody_on_duty,
        wait_too_long: wait_minutes
            .is_some_and(|m| m > i64::from(state.config.chat_max_wait_minutes)),
        last_seq: lines.last().map_or(0, |l| l.seq),
        lines,
        can_write: status.is_open(),
        ended: end_view(state, chat),
        email_given: chat.victim_email.is_some(),
    })
}
