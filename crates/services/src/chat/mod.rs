//! The chat with a police officer or a gendarme, started from a diagnostic result whose outcome
//! calls for it. The victim reaches it by a secret token (like the tracking page) and never
//! retells their story: the operator reads the diagnostic's answers, outcome and place. Every
//! line is stored before it is acknowledged and numbered per chat, so that a stream resuming
//! with `Last-Event-ID` misses nothing and repeats nothing (`hub`); routing is `routing`, the
//! operators' side `console`, the end of a chat and its summary `close`, retention `retention`.

pub mod close;
pub mod console;
pub mod hub;
pub mod requests;
pub mod retention;
pub mod routing;
pub mod statistics;
pub mod supervision;
pub mod views;

use chrono::NaiveDateTime;
use serde::Deserialize;

use crate::audit::{Event, Step};
use crate::auth::tokens;
use crate::db::chat::{self as queries, ChatRow};
use crate::db::{DbConnection, write_transaction};
use crate::domain::chat::{self as rules, Author, ChatStatus};
use crate::domain::diagnostic::Urgency;
use crate::error::AppError;
use crate::infra::Infra;
use crate::limits::{self, Limit};
use hub::Hub;
pub use views::{LineView, VictimView};

/// What the victim may add when starting: a first message, an email for the transcript.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct StartInput {
    pub message: String,
    pub email: String,
}

/// Where the chat was started.
#[derive(Debug, Clone)]
pub struct Origin {
    /// `site` or `module`.
    pub channel: &'static str,
    pub partner: Option<String>,
}

/// A started chat: its page's secret token.
pub struct Started {
    pub id: String,
    pub token: String,
}

/// What a step wrote, told to the streams: by `NOTIFY` inside the transaction on PostgreSQL
/// (delivered at commit, to every node), after the commit on SQLite (one process).
#[derive(Default)]
pub(crate) struct Wakes(Vec<(String, Option<LineView>)>);

impl Wakes {
    /// Tells these topics, the line (if any) going with the first.
    fn tell(
        &mut self,
        conn: &mut DbConnection,
        topics: Vec<String>,
        line: Option<&LineView>,
    ) -> Result<(), AppError> {
        let payloads: Vec<String> = topics
            .iter()
            .enumerate()
            .map(|(i, t)| hub::payload(t, line.filter(|_| i == 0)))
            .collect();
        queries::notify(conn, &payloads)?;
        for (i, topic) in topics.into_iter().enumerate() {
            self.0.push((topic, line.filter(|_| i == 0).cloned()));
        }
        Ok(())
    }

    pub(crate) fn add(&mut self, conn: &mut DbConnection, topic: String) -> Result<(), AppError> {
        self.tell(conn, vec![topic], None)
    }

    pub(crate) fn operator(&mut self, conn: &mut DbConnection, id: &str) -> Result<(), AppError> {
        self.add(conn, format!("operator:{id}"))
    }

    pub(crate) fn queue(&mut self, conn: &mut DbConnection) -> Result<(), AppError> {
        self.add(conn, "queue".to_owned())
    }

    pub(crate) fn after_commit(self, conn: &DbConnection, hub: &Hub) {
        if !queries::is_postgres(conn) {
            for (topic, line) in self.0 {
                hub.wake_with(&topic, line);
            }
        }
    }
}

/// The victim's email, if given: for the transcript and the summary at the end.
fn optional_email(text: &str) -> Result<Option<String>, AppError> {
    use validator::ValidateEmail;
    let email = text.trim();
    if email.is_empty() {
        Ok(None)
    } else if email.validate_email() && email.len() <= 254 {
        Ok(Some(crate::auth::accounts::normalise_email(email)))
    } else {
        Err(AppError::field(
            "email",
            "Adresse électronique invalide : par exemple nom@exemple.fr.",
        ))
    }
}

fn not_found() -> AppError {
    AppError::not_found(
        "Échange introuvable : vérifiez l'adresse de la page (elle vous a été donnée au début de l'échange).",
    )
}

/// The chat behind a victim's token (a malformed token is simply not found).
pub(crate) fn by_token(conn: &mut DbConnection, token: &str) -> Result<ChatRow, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    queries::chat_by_token(conn, &tokens::digest(token))?.ok_or_else(not_found)
}

/// Appends a line and wakes the chat's streams (and its operator's console).
pub(crate) fn say(
    conn: &mut DbConnection,
    wakes: &mut Wakes,
    chat: &ChatRow,
    author: Author,
    operator_id: Option<&str>,
    body: &str,
    now: NaiveDateTime,
) -> Result<queries::ChatEventRow, AppError> {
    // Lines of one chat are numbered one after the other, across nodes.
    crate::db::throttle::lock(conn, &format!("chat:{}", chat.id))?;
    let row = queries::append(conn, &chat.id, author.code(), operator_id, body, now)?;
    // The chat's streams get the line with the wake; its operator's console, a wake.
    let mut topics = vec![format!("chat:{}", chat.id)];
    topics.extend(chat.operator_id.iter().map(|op| format!("operator:{op}")));
    wakes.tell(conn, topics, Some(&views::line(&row)))?;
    Ok(row)
}

/// Starts a chat from the diagnostic journey `journey_id`, if its outcome calls for a person:
/// the chat waits in the queue (its first message, if any, is its first line) and is routed
/// at once when an operator is free. Nobody on duty: the message waits at the head of the
/// queue for the next operator, and the victim is told so (by email too, if given).
pub fn start(
    state: &Infra,
    memory: &crate::diagnostic::Memory,
    hub: &Hub,
    journey_id: &str,
    input: &StartInput,
    client: &str,
    origin: &Origin,
) -> Result<Started, AppError> {
    let journey = crate::diagnostic::journeys::load(state, memory, journey_id)?;
    let Some(outcome) = journey.evaluation.outcome.as_ref() else {
        return Err(AppError::Conflict(
            "Terminez d'abord le diagnostic : l'échange part de son résultat.".into(),
        ));
    };
    let urgent = outcome.urgency == Urgency::Immediate;
    if !urgent && !outcome.talk_to_a_person {
        return Err(AppError::forbidden(
            "L'échange avec un policier ou un gendarme est réservé aux situations qui le demandent : suivez les conseils de votre résultat.",
        ));
    }
    let message = input.message.trim();
    let first = if message.is_empty() {
        None
    } else {
        Some(rules::clean_message(message).map_err(|m| AppError::field("message", m))?)
    };
    let email = optional_email(&input.email)?;
    let summary = serde_json::to_string(
        &journey
            .evaluation
            .path
            .iter()
            .map(|a| (a.question_text.clone(), a.choice_label.clone()))
            .collect::<Vec<_>>(),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let now = state.clock.now_naive();
    let id = uuid::Uuid::now_v7().to_string();
    let token = tokens::random_token().map_err(|e| AppError::Internal(format!("random: {e}")))?;
    let mut conn = state.pool.get()?;
    let mut wakes = Wakes::default();
    let chat = write_transaction(&mut conn, |conn| {
        limits::take(conn, state, Limit::ChatStart, client)?;
        // Someone on duty (available or busy) will read it: only with nobody at all is the
        // victim told so, and the message waits at the head of the queue.
        let on_duty = !queries::on_duty(conn)?.is_empty();
        let row = ChatRow {
            id: id.clone(),
            token_hash: tokens::digest(&token),
            status: ChatStatus::Waiting.code().to_owned(),
            force: None,
            priority: rules::priority(urgent, outcome.talk_to_a_person),
            // A message left while nobody is on duty is read first.
            requeued: !on_duty,
            operator_id: None,
            answered_force: None,
            request_id: None,
            journey_id: Some(journey.id.clone()),
            audience: Some(outcome.audience.code().to_owned()),
            incident_type: outcome.incident_type.clone(),
            outcome: Some(outcome.id.clone()),
            urgency: Some(outcome.urgency.code().to_owned()),
            departement: journey.row.departement.clone(),
            summary: summary.clone(),
            victim_email: email.clone(),
            channel: origin.channel.to_owned(),
            partner: origin.partner.clone(),
            client_hash: limits::client_pseudonym(state, client)?,
            disposition: None,
            disposition_detail: None,
            offline: !on_duty,
            queued_at: now,
            created_at: now,
            answered_at: None,
            closed_at: None,
            erased_at: None,
            version: 1,
        };
        queries::insert_chat(conn, &row)?;
        let mut step = Step::new(now);
        step.record(Event::chat(&row.id, "start", None, ChatStatus::Waiting));
        say(
            conn,
            &mut wakes,
            &row,
            Author::System,
            None,
            if on_duty {
                "Votre demande d'échange est enregistrée. Un policier ou un gendarme va vous répondre : gardez cette page ouverte."
            } else {
                "Personne n'est disponible pour vous répondre en ce moment. Votre message sera le premier lu par le prochain policier ou gendarme disponible."
            },
            now,
        )?;
        if let Some(first) = &first {
            say(conn, &mut wakes, &row, Author::Victim, None, first, now)?;
        }
        if !on_duty && let Some(to) = &email {
            close::message_left(&mut step, state, &row.id, to, &token)?;
        }
        wakes.queue(conn)?;
        step.write(conn)?;
        Ok::<_, AppError>(row)
    })?;
    wakes.after_commit(&conn, hub);
    drop(conn);
    routing::dispatch(state, hub)?;
    Ok(Started { id: chat.id, token })
}

/// What the victim's page shows.
pub fn victim_view(state: &Infra, token: &str) -> Result<VictimView, AppError> {
    let mut conn = state.pool.get()?;
    let chat = by_token(&mut conn, token)?;
    views::victim(&mut conn, state, &chat, true)
}

/// Where the victim's chat stands, without its lines (the stream's status).
pub fn victim_status(state: &Infra, token: &str) -> Result<VictimView, AppError> {
    let mut conn = state.pool.get()?;
    let chat = by_token(&mut conn, token)?;
    views::victim(&mut conn, state, &chat, false)
}

/// The chat's id and the lines after `after` (a stream's catch-up), for its victim.
pub fn victim_lines(
    state: &Infra,
    token: &str,
    after: i32,
) -> Result<(String, Vec<LineView>), AppError> {
    let mut conn = state.pool.get()?;
    let chat = by_token(&mut conn, token)?;
    let lines = views::lines(&mut conn, &chat, after)?;
    Ok((chat.id, lines))
}

/// The victim writes. Refused once the chat has ended.
pub fn victim_says(
    state: &Infra,
    hub: &Hub,
    token: &str,
    text: &str,
) -> Result<LineView, AppError> {
    let text = rules::clean_message(text).map_err(|m| AppError::field("message", m))?;
    let mut conn = state.pool.get()?;
    let mut wakes = Wakes::default();
    let line = write_transaction(&mut conn, |conn| {
        let found = by_token(conn, token)?;
        // Held before it is checked: a line never lands after the chat ended.
        crate::db::throttle::lock(conn, &format!("chat:{}", found.id))?;
        let chat = queries::chat(conn, &found.id)?.ok_or_else(not_found)?;
        let status = ChatStatus::parse(&chat.status).unwrap_or(ChatStatus::Closed);
        if !status.is_open() {
            return Err(AppError::Conflict(
                "Cet échange est terminé : vous ne pouvez plus y écrire. Vous pouvez refaire le diagnostic pour en commencer un autre."
                    .into(),
            ));
        }
        limits::take_for_chat(conn, state, &chat.id)?;
        let row = say(
            conn,
            &mut wakes,
            &chat,
            Author::Victim,
            None,
            &text,
            state.clock.now_naive(),
        )?;
        Ok(views::line(&row))
    })?;
    wakes.after_commit(&conn, hub);
    Ok(line)
}

/// The victim leaves: a chat nobody answered yet is abandoned (and leaves the queue); an
/// answered one stays with its operator, who is told.
pub fn victim_leaves(state: &Infra, hub: &Hub, token: &str) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    let mut wakes = Wakes::default();
    let now = state.clock.now_naive();
    write_transaction(&mut conn, |conn| {
        let chat = by_token(conn, token)?;
        match ChatStatus::parse(&chat.status) {
            Some(ChatStatus::Waiting) => {
                if abandon_waiting(conn, &chat.id, now)? {
                    let abandoned = state.metrics.chat_abandoned.clone();
                    crate::db::on_commit(conn, move || abandoned.inc());
                    let mut step = Step::new(now);
                    step.record(Event::chat(
                        &chat.id,
                        "abandon",
                        Some(ChatStatus::Waiting),
                        ChatStatus::Abandoned,
                    ));
                    say(
                        conn,
                        &mut wakes,
                        &chat,
                        Author::System,
                        None,
                        "Vous avez quitté l'échange.",
                        now,
                    )?;
                    wakes.queue(conn)?;
                    step.write(conn)?;
                }
                Ok::<_, AppError>(())
            }
            Some(ChatStatus::Active) => {
                say(
                    conn,
                    &mut wakes,
                    &chat,
                    Author::System,
                    None,
                    "La personne a quitté l'échange.",
                    now,
                )?;
                Ok(())
            }
            _ => Ok(()),
        }
    })?;
    wakes.after_commit(&conn, hub);
    Ok(())
}

/// Ends a chat still waiting for an operator as abandoned; false when it no longer waits.
pub(crate) fn abandon_waiting(
    conn: &mut DbConnection,
    chat_id: &str,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    Ok(queries::end(
        conn,
        chat_id,
        ChatStatus::Waiting.code(),
        None,
        ChatStatus::Abandoned.code(),
        None,
        now,
    )?)
}
