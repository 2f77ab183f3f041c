//! What the observatory shows of the chat, from anonymous facts only (kept after the
//! transcripts are erased): how many chats, how long victims waited for an answer, how many
//! left before one, how the chats ended, by force, audience and threat.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::db::chat::{self as queries, ChatFact};
use crate::domain::chat::{ChatStatus, Disposition, Force};
use crate::error::AppError;
use crate::infra::Infra;

/// One row of a breakdown.
#[derive(Debug, Serialize, PartialEq)]
pub struct Row {
    pub label: String,
    pub chats: usize,
    pub answered: usize,
    pub abandoned: usize,
    /// Median minutes from the start to the first answer, for the answered ones.
    pub median_wait: Option<i64>,
    /// As read: "moins d'une minute", "4 min", or "–" without an answer.
    pub wait_label: String,
}

#[derive(Debug, Serialize)]
pub struct ChatStatistics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: Row,
    pub by_force: Vec<Row>,
    pub by_audience: Vec<Row>,
    pub by_threat: Vec<Row>,
    pub dispositions: Vec<(String, usize)>,
    /// Messages left while nobody was on duty; urgent requests handed over at night.
    pub left_offline: usize,
    pub from_requests: usize,
}

fn row(label: String, facts: &[&ChatFact]) -> Row {
    let mut waits: Vec<i64> = facts
        .iter()
        .filter_map(|f| f.answered_at.map(|a| (a - f.created_at).num_minutes()))
        .collect();
    waits.sort_unstable();
    let median_wait = (!waits.is_empty()).then(|| waits[waits.len() / 2]);
    Row {
        wait_label: match median_wait {
            None => "–".to_owned(),
            Some(0) => "moins d'une minute".to_owned(),
            Some(m) => format!("{m} min"),
        },
        label,
        chats: facts.len(),
        answered: waits.len(),
        abandoned: facts
            .iter()
            .filter(|f| f.status == ChatStatus::Abandoned.code())
            .count(),
        median_wait,
    }
}

fn by<'a>(facts: &'a [ChatFact], key: impl Fn(&ChatFact) -> String) -> Vec<Row> {
    let mut groups: BTreeMap<String, Vec<&'a ChatFact>> = BTreeMap::new();
    for f in facts {
        groups.entry(key(f)).or_default().push(f);
    }
    let mut rows: Vec<Row> = groups.into_iter().map(|(k, v)| row(k, &v)).collect();
    rows.sort_by(|a, b| b.chats.cmp(&a.chats).then(a.label.cmp(&b.label)));
    rows
}

/// The chats started from `from` to `to` (both included, Paris days).
pub fn summary(state: &Infra, from: NaiveDate, to: NaiveDate) -> Result<ChatStatistics, AppError> {
    let mut conn = state.pool.get()?;
    let facts = queries::facts_between(
        &mut conn,
        crate::french::time::paris_midnight(from),
        crate::french::time::paris_midnight(to + chrono::Days::new(1)),
    )?;
    let all: Vec<&ChatFact> = facts.iter().collect();
    let mut dispositions: BTreeMap<&'static str, usize> = BTreeMap::new();
    for f in &facts {
        if let Some(d) = f.disposition.as_deref().and_then(Disposition::parse) {
            *dispositions.entry(d.label()).or_default() += 1;
        }
    }
    let mut dispositions: Vec<(String, usize)> = dispositions
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    dispositions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(ChatStatistics {
        from,
        to,
        total: row("Tous les échanges".into(), &all),
        by_force: by(&facts, |f| {
            f.answered_force
                .as_deref()
                .and_then(Force::parse)
                .map_or("Pas encore de réponse", Force::label)
                .to_owned()
        }),
        by_audience: by(&facts, |f| {
            f.audience
                .as_deref()
                .and_then(crate::domain::audience::Audience::parse)
                .map_or("Non précisé", |a| a.label())
                .to_owned()
        }),
        by_threat: by(&facts, |f| {
            f.incident_type
                .as_deref()
                .and_then(|t| state.taxonomy.get(t))
                .map_or_else(|| "Non précisé".to_owned(), |t| t.label.clone())
        }),
        dispositions,
        left_offline: facts.iter().filter(|f| f.offline).count(),
        from_requests: facts.iter().filter(|f| f.channel == "request").count(),
    })
}
