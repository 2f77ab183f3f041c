//! How a chat ends: the operator closes it with a disposition (advice given, a complaint to file
//! online, an appointment, an intervention, a redirection, a professional proposed); the victim
//! reads what to do next on the page and, if they gave an email, receives the summary and the
//! transcript. The emails of the chat are here too.

use super::hub::Hub;
use super::views::{self, EndView};
use super::{Wakes, by_token, console, routing, say};
use crate::audit::{Event, Step};
use crate::db::chat as queries;
use crate::db::write_transaction;
use crate::domain::actor::Actor;
use crate::domain::chat::{Author, ChatStatus, Disposition, REDIRECTIONS};
use crate::error::AppError;
use crate::infra::Infra;
use crate::mail::emails::chat::{ChatMessageLeft, ChatSummary, SummaryContact, TranscriptLine};

/// The chat's page, for its emails.
fn chat_url(state: &Infra, token: &str) -> String {
    format!("{}/echange/{token}", state.config.base_url)
}

/// The confirmation of a message left while nobody was on duty.
pub(super) fn message_left(
    step: &mut Step,
    state: &Infra,
    chat_id: &str,
    to: &str,
    token: &str,
) -> Result<(), AppError> {
    step.mail_about_request(
        state,
        &outbox_key(chat_id),
        to,
        &ChatMessageLeft {
            chat_url: chat_url(state, token),
        },
    )
}

/// The operator ends their chat with a disposition (`detail`: the service redirected to, or
/// words for the victim).
pub fn close(
    state: &Infra,
    hub: &Hub,
    actor: &Actor,
    chat_id: &str,
    disposition: &str,
    detail: &str,
) -> Result<(), AppError> {
    let disposition = Disposition::parse(disposition).ok_or_else(|| {
        AppError::field("disposition", "Choisissez comment l'échange se termine.")
    })?;
    let detail = detail.trim();
    let detail = if disposition.needs_target() {
        if !REDIRECTIONS.contains(&detail) {
            return Err(AppError::field(
                "detail",
                "Choisissez le service vers lequel vous réorientez la personne.",
            ));
        }
        Some(detail.to_owned())
    } else if detail.is_empty() {
        None
    } else {
        Some(crate::domain::chat::clean_message(detail).map_err(|m| AppError::field("detail", m))?)
    };
    let mut conn = state.pool.get()?;
    let mut wakes = Wakes::default();
    let now = state.clock.now_naive();
    write_transaction(&mut conn, |conn| {
        // Serialised with routing, transfers and the sweep of silent operators.
        crate::db::throttle::lock(conn, "chat-dispatch")?;
        let me = console::operator_of(conn, state, actor)?;
        let chat = queries::chat(conn, chat_id)?
            .ok_or_else(|| AppError::not_found("Échange introuvable."))?;
        if chat.operator_id.as_deref() != Some(me.user_id.as_str()) {
            return Err(AppError::Conflict(
                "Cet échange n'est pas (ou plus) le vôtre : seul l'opérateur qui répond le termine.".into(),
            ));
        }
        if !queries::end(
            conn,
            &chat.id,
            ChatStatus::Active.code(),
            Some(&me.user_id),
            ChatStatus::Closed.code(),
            Some((disposition.code(), detail.as_deref())),
            now,
        )? {
            return Err(AppError::Conflict("Cet échange est déjà terminé.".into()));
        }
        queries::set_idle_since(conn, &me.user_id, now)?;
        let closed = queries::chat(conn, &chat.id)?.unwrap_or(chat);
        let mut step = Step::new(now);
        step.record(
            Event::chat(
                &closed.id,
                "close",
                Some(ChatStatus::Active),
                ChatStatus::Closed,
            )
            .by(Some(&actor.id))
            .because(Some(disposition.code())),
        );
        let end = views::end_view(state, &closed);
        say(
            conn,
            &mut wakes,
            &closed,
            Author::System,
            None,
            &format!("L'échange est terminé. {}", disposition.what_next()),
            now,
        )?;
        if let (Some(to), Some(end)) = (&closed.victim_email, &end) {
            let transcript = queries::events_after(conn, &closed.id, 0)?
                .into_iter()
                .filter(|e| e.author != Author::System.code())
                .map(|e| TranscriptLine {
                    who: if e.author == Author::Victim.code() {
                        "Vous"
                    } else {
                        "Votre interlocuteur"
                    },
                    time: crate::french::time_fr(e.created_at),
                    body: e.body,
                })
                .collect();
            summary(&mut step, state, &closed.id, to, end, transcript)?;
        }
        wakes.operator(conn, &me.user_id)?;
        step.write(conn)
    })?;
    wakes.after_commit(&conn, hub);
    drop(conn);
    routing::dispatch(state, hub)?;
    Ok(())
}

/// How the outbox files a chat's emails, erased with its transcript.
pub(super) fn outbox_key(chat_id: &str) -> String {
    format!("chat:{chat_id}")
}

fn summary(
    step: &mut Step,
    state: &Infra,
    chat_id: &str,
    to: &str,
    end: &EndView,
    transcript: Vec<TranscriptLine>,
) -> Result<(), AppError> {
    step.mail_about_request(
        state,
        &outbox_key(chat_id),
        to,
        &ChatSummary {
            what_next: end.what_next.clone(),
            disposition_label: end.disposition_label.clone(),
            detail: end.detail.clone(),
            contacts: end
                .contacts
                .iter()
                .map(|c| SummaryContact {
                    name: c.name.clone(),
                    display: c.display.clone(),
                    href: c.href.clone(),
                })
                .collect(),
            request_url: end
                .request_path
                .as_ref()
                .map(|p| format!("{}{p}", state.config.base_url)),
            transcript,
        },
    )
}

/// Whether the victim's token names an ended chat (its page stops refreshing).
pub fn ended(state: &Infra, token: &str) -> Result<bool, AppError> {
    let mut conn = state.pool.get()?;
    let chat = by_token(&mut conn, token)?;
    Ok(!ChatStatus::parse(&chat.status).is_some_and(ChatStatus::is_open))
}
