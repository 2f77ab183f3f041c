//! An urgent assistance request that no provider accepted out of office hours goes to the
//! operators on duty: a chat at the head of their queue, with what the victim wrote and how to
//! reach them, and its link sent to the victim, so that a police officer or a gendarme answers
//! at night instead of a queue that waits for the morning.

use chrono::NaiveDateTime;

use super::Wakes;
use crate::audit::{Event, Step};
use crate::auth::tokens;
use crate::db::DbConnection;
use crate::db::assistance::RequestRow;
use crate::db::chat::{self as queries, ChatRow};
use crate::domain::chat::{Author, ChatStatus, priority};
use crate::domain::diagnostic::Urgency;
use crate::error::AppError;
use crate::infra::Infra;

/// Whether an escalated request goes to the operators too: urgent, out of office hours.
pub fn goes_to_operators(row: &RequestRow, now: NaiveDateTime) -> bool {
    row.urgent && !crate::domain::on_call::is_office_hours(crate::french::paris(now))
}

/// Queues the request's chat, in the caller's transaction (routed by the next routing pass,
/// within seconds); returns its page's address for the victim's email.
pub fn queue_request(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    now: NaiveDateTime,
) -> Result<String, AppError> {
    let token = tokens::random_token().map_err(|e| AppError::Internal(format!("random: {e}")))?;
    let incident = state
        .taxonomy
        .get(&row.incident_type)
        .map_or_else(|| row.incident_type.clone(), |t| t.label.clone());
    let summary = serde_json::to_string(&[
        ("Demande d'assistance urgente".to_owned(), incident),
        (
            "Lieu".to_owned(),
            row.postcode.clone().or_else(|| row.departement.clone()).unwrap_or_default(),
        ),
        // Its contact was given for a professional: the victim gives it here if they wish.
        ("Ce que la victime a écrit".to_owned(), row.description.clone().unwrap_or_default()),
        (
            "Pourquoi ici".to_owned(),
            "Aucun professionnel n'a accepté la demande dans le délai, en dehors des heures ouvrées.".to_owned(),
        ),
    ])
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let chat = ChatRow {
        id: uuid::Uuid::now_v7().to_string(),
        token_hash: tokens::digest(&token),
        status: ChatStatus::Waiting.code().to_owned(),
        force: None,
        priority: priority(true, true),
        requeued: true,
        operator_id: None,
        answered_force: None,
        request_id: Some(row.id.clone()),
        journey_id: None,
        audience: Some(row.audience.clone()),
        incident_type: Some(row.incident_type.clone()),
        outcome: None,
        urgency: Some(Urgency::Immediate.code().to_owned()),
        departement: row.departement.clone(),
        summary,
        victim_email: row.contact_email.clone(),
        channel: "request".to_owned(),
        partner: None,
        client_hash: row.client_hash.clone(),
        disposition: None,
        disposition_detail: None,
        offline: false,
        queued_at: now,
        created_at: now,
        answered_at: None,
        closed_at: None,
        erased_at: None,
        version: 1,
    };
    queries::insert_chat(conn, &chat)?;
    step.record(Event::chat(
        &chat.id,
        "from-request",
        None,
        ChatStatus::Waiting,
    ));
    // The lines are told to the streams by NOTIFY on PostgreSQL; on SQLite the routing pass,
    // seconds later, wakes them.
    let mut wakes = Wakes::default();
    super::say(
        conn,
        &mut wakes,
        &chat,
        Author::System,
        None,
        "Aucun professionnel n'a pu prendre votre demande urgente à cette heure : un policier ou un gendarme va vous répondre ici. Il a sous les yeux ce que vous avez écrit.",
        now,
    )?;
    wakes.queue(conn)?;
    Ok(format!("{}/echange/{token}", state.config.base_url))
}

/// The request was cancelled (`erase`: or its data erased): its chat leaves the queue, or its
/// operator is told; erased, the chat loses everything it held. In the request's transaction.
pub fn follow_request_end(
    conn: &mut DbConnection,
    request_id: &str,
    erase: bool,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for chat in queries::open_of_request(conn, request_id)? {
        let mut wakes = Wakes::default();
        match ChatStatus::parse(&chat.status) {
            Some(ChatStatus::Waiting) => {
                super::abandon_waiting(conn, &chat.id, now)?;
                wakes.queue(conn)?;
            }
            Some(ChatStatus::Active) if !erase => {
                super::say(
                    conn,
                    &mut wakes,
                    &chat,
                    Author::System,
                    None,
                    "La personne a annulé sa demande d'assistance.",
                    now,
                )?;
            }
            _ => {}
        }
        if erase && chat.erased_at.is_none() {
            queries::erase(conn, &chat.id, now)?;
            crate::db::outbox::erase_about_request(conn, &super::close::outbox_key(&chat.id))?;
        }
    }
    Ok(())
}
