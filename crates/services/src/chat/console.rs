//! The operators' side: who is an operator, their console (presence, the queue, their chats),
//! a chat as they read it (the diagnostic's answers, outcome and place, the lines, private
//! notes, canned responses), writing, notes; supervisors see every operator's load and set
//! each one's force, capacity and role. Transcripts are read only by the operator of the chat
//! and supervisors; every action is audited.

use serde::Serialize;

use super::hub::Hub;
use super::views::{self, LineView};
use super::{Wakes, routing, say};
use crate::audit::{Event, Step};
use crate::db::chat::{self as queries, ChatRow, NoteRow, OperatorRow};
use crate::db::{DbConnection, write_transaction};
use crate::domain::actor::{Actor, Role};
use crate::domain::chat::{self as rules, Author, ChatStatus, Disposition, Force, Presence};
use crate::error::AppError;
use crate::infra::Infra;

/// The operator behind `actor`, created on their first visit (absent, the platform's force
/// until a supervisor sets theirs). Admins act as supervisors.
pub fn operator_of(
    conn: &mut DbConnection,
    state: &Infra,
    actor: &Actor,
) -> Result<OperatorRow, AppError> {
    if !matches!(actor.role, Role::Operator | Role::Admin) {
        return Err(AppError::forbidden(
            "Cette page est réservée aux policiers, gendarmes et membres de l'équipe qui répondent aux victimes.",
        ));
    }
    if let Some(row) = queries::operator(conn, &actor.id)? {
        return Ok(row);
    }
    let now = state.clock.now_naive();
    let row = OperatorRow {
        user_id: actor.id.clone(),
        force: Force::Plateforme.code().to_owned(),
        supervisor: actor.role == Role::Admin,
        presence: Presence::Absent.code().to_owned(),
        capacity: rules::DEFAULT_CAPACITY,
        idle_since: now,
        seen_at: now,
    };
    queries::insert_operator(conn, &row)?;
    Ok(row)
}

pub(super) fn is_supervisor(actor: &Actor, me: &OperatorRow) -> bool {
    me.supervisor || actor.role == Role::Admin
}

/// A chat the operator may read: theirs, or any for a supervisor.
fn readable(
    conn: &mut DbConnection,
    state: &Infra,
    actor: &Actor,
    chat_id: &str,
) -> Result<(OperatorRow, ChatRow), AppError> {
    let me = operator_of(conn, state, actor)?;
    let chat =
        queries::chat(conn, chat_id)?.ok_or_else(|| AppError::not_found("Échange introuvable."))?;
    if chat.operator_id.as_deref() == Some(actor.id.as_str()) || is_supervisor(actor, &me) {
        Ok((me, chat))
    } else {
        Err(AppError::forbidden(
            "Cet échange est suivi par un autre opérateur : seuls lui et les superviseurs le lisent.",
        ))
    }
}

/// One waiting chat as the queue shows it.
#[derive(Debug, Serialize)]
pub struct QueueItem {
    pub id: String,
    pub position: usize,
    pub priority: i32,
    pub priority_label: &'static str,
    pub title: String,
    pub departement: Option<String>,
    pub force: Option<&'static str>,
    pub waiting_minutes: i64,
    pub requeued: bool,
    pub offline: bool,
}

/// One of the operator's chats.
#[derive(Debug, Serialize)]
pub struct MineItem {
    pub id: String,
    pub title: String,
    pub last_line: Option<String>,
}

/// An operator's load, for supervisors.
#[derive(Debug, Serialize)]
pub struct LoadItem {
    pub user_id: String,
    pub name: String,
    pub force: &'static str,
    pub force_code: &'static str,
    pub presence: &'static str,
    pub active: i64,
    pub capacity: i32,
    pub supervisor: bool,
}

/// The console.
#[derive(Debug, Serialize)]
pub struct Console {
    pub presence: String,
    pub presence_label: &'static str,
    pub force_label: &'static str,
    pub capacity: i32,
    pub supervisor: bool,
    pub queue: Vec<QueueItem>,
    pub mine: Vec<MineItem>,
    /// Supervisors only.
    pub operators: Vec<LoadItem>,
}

fn title_of(state: &Infra, chat: &ChatRow) -> String {
    chat.incident_type
        .as_deref()
        .and_then(|t| state.taxonomy.get(t))
        .map(|t| t.label.clone())
        .unwrap_or_else(|| "Situation à préciser".to_owned())
}

fn priority_label(priority: i32) -> &'static str {
    match priority {
        2.. => "Urgent",
        1 => "À traiter vite",
        _ => "Standard",
    }
}

/// The operator's console; also a sign of life.
pub fn console(state: &Infra, actor: &Actor) -> Result<Console, AppError> {
    let mut conn = state.pool.get()?;
    let me = operator_of(&mut conn, state, actor)?;
    let now = state.clock.now_naive();
    queries::seen(&mut conn, &actor.id, now)?;
    let order = routing::queue(&mut conn)?;
    let mut queue = Vec::new();
    for (i, w) in order.iter().enumerate() {
        let Some(chat) = queries::chat(&mut conn, &w.id)? else {
            continue;
        };
        queue.push(QueueItem {
            id: chat.id.clone(),
            position: i + 1,
            priority: chat.priority,
            priority_label: priority_label(chat.priority),
            title: title_of(state, &chat),
            departement: chat.departement.clone(),
            force: chat
                .force
                .as_deref()
                .and_then(Force::parse)
                .map(Force::label),
            waiting_minutes: (now - chat.created_at).num_minutes(),
            requeued: chat.requeued,
            offline: chat.offline,
        });
    }
    let mut mine = Vec::new();
    for chat in queries::active_of(&mut conn, &actor.id)? {
        let last = queries::events_after(&mut conn, &chat.id, 0)?
            .into_iter()
            .rev()
            .find(|e| e.author == Author::Victim.code())
            .map(|e| e.body.chars().take(80).collect());
        mine.push(MineItem {
            id: chat.id.clone(),
            title: title_of(state, &chat),
            last_line: last,
        });
    }
    let supervisor = is_supervisor(actor, &me);
    let operators = if supervisor {
        let active: std::collections::HashMap<String, i64> =
            queries::active_counts(&mut conn)?.into_iter().collect();
        queries::operators_named(&mut conn)?
            .into_iter()
            .map(|(o, name)| {
                let force = Force::parse(&o.force).unwrap_or(Force::Plateforme);
                LoadItem {
                    active: active.get(&o.user_id).copied().unwrap_or(0),
                    user_id: o.user_id,
                    name,
                    force: force.label(),
                    force_code: force.code(),
                    presence: Presence::parse(&o.presence).map_or("?", Presence::label),
                    capacity: o.capacity,
                    supervisor: o.supervisor,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let presence = Presence::parse(&me.presence).unwrap_or(Presence::Absent);
    Ok(Console {
        presence: presence.code().to_owned(),
        presence_label: presence.label(),
        force_label: Force::parse(&me.force).map_or("", Force::label),
        capacity: me.capacity,
        supervisor,
        queue,
        mine,
        operators,
    })
}

/// A sign of life from the operator's open console (its event stream).
pub fn heartbeat(state: &Infra, actor: &Actor) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    operator_of(&mut conn, state, actor)?;
    queries::seen(&mut conn, &actor.id, state.clock.now_naive())?;
    Ok(())
}

/// A private note.
#[derive(Debug, Serialize)]
pub struct NoteView {
    pub body: String,
    pub time: String,
}

#[derive(Debug, Serialize)]
pub struct CannedView {
    pub id: String,
    pub title: String,
    pub body: String,
}

/// A choice of a form (dispositions, redirections, transfer targets).
#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A chat as its operator reads it.
#[derive(Debug, Serialize)]
pub struct OperatorChat {
    pub id: String,
    pub status: String,
    pub status_label: &'static str,
    pub mine: bool,
    pub title: String,
    pub urgency_label: Option<&'static str>,
    pub audience_label: Option<&'static str>,
    pub departement: Option<String>,
    /// The diagnostic's questions and answers.
    pub answers: Vec<(String, String)>,
    pub lines: Vec<LineView>,
    pub last_seq: i32,
    pub notes: Vec<NoteView>,
    pub canned: Vec<CannedView>,
    pub dispositions: Vec<Choice>,
    pub redirections: Vec<Choice>,
    pub operators: Vec<Choice>,
    pub forces: Vec<Choice>,
    pub ended: Option<views::EndView>,
}

pub fn chat(state: &Infra, actor: &Actor, chat_id: &str) -> Result<OperatorChat, AppError> {
    let mut conn = state.pool.get()?;
    let (_, chat) = readable(&mut conn, state, actor, chat_id)?;
    // The page refreshing itself without JavaScript is a sign of life too.
    queries::seen(&mut conn, &actor.id, state.clock.now_naive())?;
    let status = ChatStatus::parse(&chat.status).unwrap_or(ChatStatus::Closed);
    let lines = views::lines(&mut conn, &chat, 0)?;
    let content = state.content();
    let registry = &content.library.contacts;
    let operators = routing::loads(&mut conn)?
        .into_iter()
        .filter(|o| o.id != actor.id && o.can_take())
        .collect::<Vec<_>>();
    let named: std::collections::HashMap<String, String> = queries::operators_named(&mut conn)?
        .into_iter()
        .map(|(o, name)| (o.user_id, name))
        .collect();
    Ok(OperatorChat {
        id: chat.id.clone(),
        status: status.code().to_owned(),
        status_label: status.label(),
        mine: chat.operator_id.as_deref() == Some(actor.id.as_str())
            && status == ChatStatus::Active,
        title: title_of(state, &chat),
        urgency_label: chat
            .urgency
            .as_deref()
            .and_then(crate::domain::diagnostic::Urgency::parse)
            .map(|u| u.label_fr()),
        audience_label: chat
            .audience
            .as_deref()
            .and_then(crate::domain::audience::Audience::parse)
            .map(|a| a.label()),
        departement: chat.departement.as_ref().map(|d| {
            state
                .departements
                .get(d)
                .map_or_else(|| d.clone(), |n| format!("{} ({d})", n.name))
        }),
        answers: serde_json::from_str(&chat.summary).unwrap_or_default(),
        last_seq: lines.last().map_or(0, |l| l.seq),
        lines,
        notes: queries::notes_of(&mut conn, &chat.id)?
            .into_iter()
            .map(|n| NoteView {
                body: n.body,
                time: crate::french::time_fr(n.created_at),
            })
            .collect(),
        canned: queries::canned(&mut conn)?
            .into_iter()
            .map(|c| CannedView {
                id: c.id,
                title: c.title,
                body: c.body,
            })
            .collect(),
        dispositions: Disposition::ALL
            .iter()
            .map(|d| Choice {
                value: d.code().to_owned(),
                label: d.label().to_owned(),
            })
            .collect(),
        redirections: rules::REDIRECTIONS
            .iter()
            .filter_map(|id| registry.get(id))
            .map(|c| Choice {
                value: c.id.clone(),
                label: c.name.clone(),
            })
            .collect(),
        operators: operators
            .iter()
            .map(|o| Choice {
                value: o.id.clone(),
                label: format!(
                    "{} – {} ({} en cours)",
                    named.get(&o.id).cloned().unwrap_or_default(),
                    o.force.label(),
                    o.active
                ),
            })
            .collect(),
        forces: Force::ALL
            .iter()
            .map(|f| Choice {
                value: f.code().to_owned(),
                label: f.label().to_owned(),
            })
            .collect(),
        ended: views::end_view(state, &chat),
    })
}

/// The lines after `after`, for the operator's stream.
pub fn lines(
    state: &Infra,
    actor: &Actor,
    chat_id: &str,
    after: i32,
) -> Result<Vec<LineView>, AppError> {
    let mut conn = state.pool.get()?;
    let (_, chat) = readable(&mut conn, state, actor, chat_id)?;
    queries::seen(&mut conn, &actor.id, state.clock.now_naive())?;
    views::lines(&mut conn, &chat, after)
}

/// The operator of an active chat writes to the victim.
pub fn says(
    state: &Infra,
    hub: &Hub,
    actor: &Actor,
    chat_id: &str,
    text: &str,
) -> Result<LineView, AppError> {
    let text = rules::clean_message(text).map_err(|m| AppError::field("message", m))?;
    let mut conn = state.pool.get()?;
    let mut wakes = Wakes::default();
    let now = state.clock.now_naive();
    let line = write_transaction(&mut conn, |conn| {
        // Held before it is checked: a line never lands after the chat ended or moved.
        crate::db::throttle::lock(conn, &format!("chat:{chat_id}"))?;
        let (_, chat) = readable(conn, state, actor, chat_id)?;
        if chat.status != ChatStatus::Active.code()
            || chat.operator_id.as_deref() != Some(actor.id.as_str())
        {
            return Err(AppError::Conflict(
                "Cet échange n'est pas (ou plus) le vôtre : prenez-le dans la file pour y répondre.".into(),
            ));
        }
        let row = say(
            conn,
            &mut wakes,
            &chat,
            Author::Operator,
            Some(&actor.id),
            &text,
            now,
        )?;
        queries::seen(conn, &actor.id, now)?;
        Ok(views::line(&row))
    })?;
    wakes.after_commit(&conn, hub);
    Ok(line)
}

/// A private note on a chat: never shown to the victim.
pub fn note(state: &Infra, actor: &Actor, chat_id: &str, text: &str) -> Result<(), AppError> {
    let text = rules::clean_message(text).map_err(|m| AppError::field("note", m))?;
    let mut conn = state.pool.get()?;
    let now = state.clock.now_naive();
    write_transaction(&mut conn, |conn| {
        let (_, chat) = readable(conn, state, actor, chat_id)?;
        queries::insert_note(
            conn,
            &NoteRow {
                id: uuid::Uuid::now_v7().to_string(),
                chat_id: chat.id.clone(),
                operator_id: actor.id.clone(),
                body: text.clone(),
                created_at: now,
            },
        )?;
        queries::seen(conn, &actor.id, now)?;
        let mut step = Step::new(now);
        let status = ChatStatus::parse(&chat.status).unwrap_or(ChatStatus::Closed);
        step.record(Event::chat(&chat.id, "note", Some(status), status).by(Some(&actor.id)));
        step.write(conn)
    })
}
