//! Which operator answers which chat: the queue in its order, the routing of waiting chats to
//! the available operators (`domain::chat::dispatch`), an operator taking one from the queue,
//! transfers, presence, and the operators gone silent whose chats go back to the head of the
//! queue. Every claim is a conditional write: a chat is never given twice.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::hub::Hub;
use super::{Wakes, say};
use crate::audit::{Event, Step};
use crate::db::chat::{self as queries, ChatRow, OperatorRow};
use crate::db::{DbConnection, throttle, write_transaction};
use crate::domain::chat::{
    self as rules, Author, ChatStatus, Force, OperatorLoad, Presence, Waiting,
};
use crate::error::AppError;
use crate::infra::Infra;

/// The waiting chats in the queue's order.
pub fn queue(conn: &mut DbConnection) -> Result<Vec<Waiting>, AppError> {
    let mut waiting: Vec<Waiting> = queries::waiting(conn)?.iter().map(waiting_of).collect();
    waiting.sort_by(rules::queue_order);
    Ok(waiting)
}

fn waiting_of(row: &ChatRow) -> Waiting {
    Waiting {
        id: row.id.clone(),
        force: row.force.as_deref().and_then(Force::parse),
        priority: row.priority,
        requeued: row.requeued,
        queued_at: row.queued_at,
    }
}

/// The operators on duty with their load.
pub fn loads(conn: &mut DbConnection) -> Result<Vec<OperatorLoad>, AppError> {
    let active: HashMap<String, i64> = queries::active_counts(conn)?.into_iter().collect();
    Ok(queries::on_duty(conn)?
        .into_iter()
        .filter_map(|o| load_of(&o, &active))
        .collect())
}

fn load_of(o: &OperatorRow, active: &HashMap<String, i64>) -> Option<OperatorLoad> {
    Some(OperatorLoad {
        id: o.user_id.clone(),
        force: Force::parse(&o.force)?,
        presence: Presence::parse(&o.presence)?,
        capacity: o.capacity,
        active: i32::try_from(active.get(&o.user_id).copied().unwrap_or(0)).unwrap_or(i32::MAX),
        idle_since: o.idle_since,
    })
}

/// The chats the available operators can take at once: their capacities.
pub fn places_on_duty(conn: &mut DbConnection) -> Result<i64, AppError> {
    Ok(queries::on_duty(conn)?
        .iter()
        .filter(|o| o.presence == Presence::Disponible.code())
        .map(|o| i64::from(o.capacity))
        .sum())
}

/// How long the chats closed in the last week took, answer to close, in minutes.
pub fn recent_handling_minutes(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<Vec<f64>, AppError> {
    Ok(
        queries::recent_handling(conn, now - chrono::Duration::days(7))?
            .into_iter()
            .map(|(answered, closed)| (closed - answered).num_seconds() as f64 / 60.0)
            .collect(),
    )
}

/// What the victim reads when an operator joins.
fn joined(force: Option<Force>) -> String {
    format!(
        "Vous échangez maintenant avec {}. Il a sous les yeux les réponses de votre diagnostic : vous n'avez pas à les répéter.",
        force.map_or("un policier ou un gendarme", Force::person)
    )
}

/// Gives the chat to the operator (already claimed) and tells both sides; returns since when
/// the chat waited in the queue.
fn handed(
    conn: &mut DbConnection,
    wakes: &mut Wakes,
    step: &mut Step,
    chat_id: &str,
    operator: &str,
    action: &'static str,
    now: NaiveDateTime,
) -> Result<NaiveDateTime, AppError> {
    let Some(chat) = queries::chat(conn, chat_id)? else {
        return Ok(now);
    };
    queries::set_idle_since(conn, operator, now)?;
    let force = queries::operator(conn, operator)?.and_then(|o| Force::parse(&o.force));
    step.record(
        Event::chat(
            chat_id,
            action,
            Some(ChatStatus::Waiting),
            ChatStatus::Active,
        )
        .by(Some(operator)),
    );
    say(
        conn,
        wakes,
        &chat,
        Author::System,
        None,
        &joined(force),
        now,
    )?;
    wakes.operator(conn, operator)?;
    Ok(chat.queued_at)
}

/// Counts a victim's wait in the metrics, once the hand-over commits.
fn count_wait(conn: &mut DbConnection, state: &Infra, since: NaiveDateTime, now: NaiveDateTime) {
    let waited = (now - since).num_milliseconds().max(0) as f64 / 1000.0;
    let histogram = state.metrics.chat_wait.clone();
    crate::db::on_commit(conn, move || histogram.observe(waited));
}

/// Routes the waiting chats to the available operators, in queue order, each to the one with
/// the fewest active chats (ties: the longest idle). One routing at a time across nodes;
/// returns how many chats were given.
pub fn dispatch(state: &Infra, hub: &Hub) -> Result<usize, AppError> {
    let mut conn = state.pool.get()?;
    let mut wakes = Wakes::default();
    let now = state.clock.now_naive();
    let given = write_transaction(&mut conn, |conn| {
        throttle::lock(conn, "chat-dispatch")?;
        let pairs = rules::dispatch(&queue(conn)?, &loads(conn)?);
        let mut step = Step::new(now);
        let mut given = 0;
        for (chat, operator) in pairs {
            if queries::claim(conn, &chat, &operator, now)? {
                let since = handed(conn, &mut wakes, &mut step, &chat, &operator, "route", now)?;
                count_wait(conn, state, since, now);
                given += 1;
            }
        }
        if given > 0 {
            wakes.queue(conn)?;
        }
        step.write(conn)?;
        Ok::<_, AppError>(given)
    })?;
    wakes.after_commit(&conn, hub);
    Ok(given)
}

/// An operator takes a waiting chat from the queue (within their capacity).
pub fn take(state: &Infra, hub: &Hub, operator: &str, chat_id: &str) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    let mut wakes = Wakes::default();
    let now = state.clock.now_naive();
    write_transaction(&mut conn, |conn| {
        throttle::lock(conn, "chat-dispatch")?;
        let me = loads(conn)?
            .into_iter()
            .find(|o| o.id == operator)
            .ok_or_else(|| {
                AppError::Conflict("Passez-vous « disponible » pour prendre un échange.".into())
            })?;
        if me.presence != Presence::Disponible {
            return Err(AppError::Conflict(
                "Passez-vous « disponible » pour prendre un échange.".into(),
            ));
        }
        // A chat sent to one force is taken by it (supervisors excepted).
        let wanted = queries::chat(conn, chat_id)?
            .and_then(|c| c.force)
            .as_deref()
            .and_then(Force::parse);
        let supervisor = queries::operator(conn, operator)?.is_some_and(|o| o.supervisor);
        if let Some(force) = wanted
            && !rules::answers_for(me.force, Some(force))
            && !supervisor
        {
            return Err(AppError::Conflict(format!(
                "Cet échange a été confié à la {} : un de ses membres le prendra.",
                force.label().to_lowercase()
            )));
        }
        if me.active >= me.capacity {
            return Err(AppError::Conflict(format!(
                "Vous avez déjà {} échanges en cours, votre maximum : terminez-en un d'abord.",
                me.active
            )));
        }
        if !queries::claim(conn, chat_id, operator, now)? {
            return Err(AppError::Conflict(
                "Cet échange n'attend plus : un autre opérateur l'a pris, ou la personne est partie."
                    .into(),
            ));
        }
        let mut step = Step::new(now);
        let since = handed(conn, &mut wakes, &mut step, chat_id, operator, "take", now)?;
        count_wait(conn, state, since, now);
        wakes.queue(conn)?;
        step.write(conn)
    })?;
    wakes.after_commit(&conn, hub);
    Ok(())
}

/// Where a transfer sends a chat.
pub enum Transfer {
    /// To this operator, who takes it at once (if within their capacity).
    Operator(String),
    /// Back to the queue's head, for an operator of this force.
    Force(Force),
}

/// Hands an active chat to another operator or the other force.
pub fn transfer(
    state: &Infra,
    hub: &Hub,
    operator: &str,
    chat_id: &str,
    to: &Transfer,
) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    let mut wakes = Wakes::default();
    let now = state.clock.now_naive();
    write_transaction(&mut conn, |conn| {
        throttle::lock(conn, "chat-dispatch")?;
        let chat = queries::chat(conn, chat_id)?
            .ok_or_else(|| AppError::not_found("Échange introuvable."))?;
        let mut step = Step::new(now);
        let told = match to {
            Transfer::Operator(other) => {
                let target = loads(conn)?
                    .into_iter()
                    .find(|o| &o.id == other)
                    .filter(OperatorLoad::can_take)
                    .ok_or_else(|| {
                        AppError::field(
                            "to",
                            "Cet opérateur n'est pas disponible ou a atteint son maximum d'échanges.",
                        )
                    })?;
                if !queries::transfer(conn, chat_id, operator, &target.id)? {
                    return Err(not_yours());
                }
                queries::set_idle_since(conn, &target.id, now)?;
                wakes.operator(conn, &target.id)?;
                format!("Votre échange est confié à {}.", target.force.person())
            }
            Transfer::Force(force) => {
                if !queries::requeue(conn, chat_id, operator, Some(force.code()))? {
                    return Err(not_yours());
                }
                wakes.queue(conn)?;
                format!(
                    "Votre échange est transmis à la {} : {} va vous répondre.",
                    force.label().to_lowercase(),
                    force.person()
                )
            }
        };
        step.record(
            Event::chat(
                chat_id,
                "transfer",
                Some(ChatStatus::Active),
                ChatStatus::Active,
            )
            .by(Some(operator)),
        );
        wakes.operator(conn, operator)?;
        let chat = ChatRow {
            operator_id: None,
            ..chat
        };
        say(conn, &mut wakes, &chat, Author::System, None, &told, now)?;
        step.write(conn)
    })?;
    wakes.after_commit(&conn, hub);
    drop(conn);
    dispatch(state, hub)?;
    Ok(())
}

fn not_yours() -> AppError {
    AppError::Conflict("Cet échange n'est plus le vôtre : il a été transféré ou terminé.".into())
}

/// Sends an operator's active chats back to the head of the queue (they went off duty or
/// silent), telling each victim.
fn release(
    conn: &mut DbConnection,
    wakes: &mut Wakes,
    step: &mut Step,
    operator: &str,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let mut released = 0;
    for chat in queries::active_of(conn, operator)? {
        if queries::requeue(conn, &chat.id, operator, chat.force.as_deref())? {
            step.record(Event::chat(
                &chat.id,
                "requeue",
                Some(ChatStatus::Active),
                ChatStatus::Waiting,
            ));
            let chat = ChatRow {
                operator_id: None,
                ..chat
            };
            say(
                conn,
                wakes,
                &chat,
                Author::System,
                None,
                "La personne qui vous répondait a dû s'interrompre : votre échange repasse en tête de file, quelqu'un d'autre va vous répondre.",
                now,
            )?;
            released += 1;
        }
    }
    if released > 0 {
        wakes.queue(conn)?;
    }
    Ok(released)
}

/// Sets an operator's presence; going absent sends their chats back to the queue's head.
pub fn set_presence(
    state: &Infra,
    hub: &Hub,
    operator: &str,
    presence: Presence,
) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    let mut wakes = Wakes::default();
    let now = state.clock.now_naive();
    write_transaction(&mut conn, |conn| {
        throttle::lock(conn, "chat-dispatch")?;
        queries::set_presence(conn, operator, presence.code(), now)?;
        let mut step = Step::new(now);
        if presence == Presence::Absent {
            release(conn, &mut wakes, &mut step, operator, now)?;
        }
        wakes.operator(conn, operator)?;
        wakes.queue(conn)?;
        step.write(conn)
    })?;
    wakes.after_commit(&conn, hub);
    drop(conn);
    dispatch(state, hub)?;
    Ok(())
}

/// Operators on duty whose console has been silent for `CHAT_OPERATOR_SILENCE` are set absent
/// and their chats go back to the head of the queue (a lost connection, a closed laptop).
/// Returns how many chats went back.
pub fn sweep_silent(state: &Infra, hub: &Hub) -> Result<usize, AppError> {
    let now = state.clock.now_naive();
    let before = now - state.config.chat_operator_silence;
    let silent = {
        let mut conn = state.pool.get()?;
        queries::silent_operators(&mut conn, before)?
    };
    let mut released = 0;
    for operator in silent {
        let mut conn = state.pool.get()?;
        let mut wakes = Wakes::default();
        released += write_transaction(&mut conn, |conn| {
            throttle::lock(conn, "chat-dispatch")?;
            if !queries::set_absent_if_silent(conn, &operator, before)? {
                return Ok::<_, AppError>(0);
            }
            let mut step = Step::new(now);
            let n = release(conn, &mut wakes, &mut step, &operator, now)?;
            wakes.operator(conn, &operator)?;
            step.write(conn)?;
            Ok(n)
        })?;
        wakes.after_commit(&conn, hub);
    }
    if released > 0 {
        dispatch(state, hub)?;
    }
    Ok(released)
}
