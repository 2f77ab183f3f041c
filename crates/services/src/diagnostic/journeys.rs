//! A victim's journey through the diagnostic on the pages: anonymous (the choices made, the
//! outcome, the département if a place is given, the channel and the day — no name, no free
//! text, no address), kept server-side so that the back button and "modifier" links work
//! without JavaScript and the statistics know how far each journey went.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::NaiveDate;

use super::trees::REFRESH_EVERY;
use super::{Evaluation, Memory, Status, evaluate_in, published};
use crate::auth::tokens::random_token;
use crate::db::diagnostic::{self as queries, JourneyProgress, JourneyRow};
use crate::db::write_transaction;
use crate::domain::diagnostic::{Answers, Urgency};
use crate::error::AppError;
use crate::infra::Infra;
use crate::observatory::facts;

/// How far a journey went, each step further than the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ending {
    /// The outcome gave advice only.
    Advice,
    /// The outcome named services to turn to.
    Redirection,
    /// The victim looked for a professional from the outcome.
    Search,
    /// The victim sent an assistance request from the outcome.
    Request,
}

impl Ending {
    pub const ALL: [Ending; 4] = [Self::Advice, Self::Redirection, Self::Search, Self::Request];

    pub fn code(self) -> &'static str {
        match self {
            Self::Advice => "advice",
            Self::Redirection => "redirection",
            Self::Search => "search",
            Self::Request => "request",
        }
    }

    fn earlier(self) -> Vec<&'static str> {
        Self::ALL
            .into_iter()
            .filter(|e| *e < self)
            .map(Self::code)
            .collect()
    }
}

/// A journey and where its answers lead.
pub struct Journey {
    pub id: String,
    pub row: JourneyRow,
    pub evaluation: Evaluation,
}

fn unknown_journey() -> AppError {
    AppError::not_found(
        "Ce diagnostic n'existe pas ou n'est plus disponible. Vous pouvez le recommencer : cela prend une minute.",
    )
}

fn decode(stored: &str) -> Answers {
    serde_json::from_str(stored).unwrap_or_default()
}

fn encode(answers: &Answers) -> String {
    serde_json::to_string(answers).unwrap_or_else(|_| "{}".into())
}

/// Journeys this process wrote or read lately, trusted for [`REFRESH_EVERY`] like the tree in
/// force: the page after an answer, and a reload, are then a lookup in memory. Another
/// process's answer to the same journey is seen within that time, and a question that is not on
/// the path remembered is looked up in the database ([`place_in_memory`]), since another
/// process may have moved the journey on. Only the question pages read it: they show the
/// answers, which only [`answer`] changes, and it keeps what it wrote.
pub struct Recent {
    /// Ages what is remembered (`Clock::ticks`).
    clock: crate::clock::Clock,
    entries: RwLock<HashMap<String, Remembered>>,
}

/// A journey's path as walked when it was last read or written: where each question stands is
/// then a search in it, without walking the tree again.
struct Remembered {
    seen: std::time::Duration,
    version: Arc<str>,
    /// The answers on the path, in the order asked (question, choice).
    path: Arc<[(String, String)]>,
    /// The question asked next, if any.
    next: Option<String>,
    /// The département the journey was placed in (the alerts of its result depend on it).
    departement: Option<String>,
}

impl Recent {
    /// What `read` makes of a journey seen within [`REFRESH_EVERY`]; `None` otherwise.
    fn remembered<T>(&self, id: &str, read: impl FnOnce(&Remembered) -> Option<T>) -> Option<T> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(id)
            .filter(|entry| self.clock.within(entry.seen, REFRESH_EVERY))
            .and_then(read)
    }

    /// Journeys remembered at once; past it, those no longer trusted are dropped first.
    const CAPACITY: usize = 4096;

    pub fn new(clock: crate::clock::Clock) -> Self {
        Self {
            clock,
            entries: RwLock::default(),
        }
    }

    fn keep(&self, journey: &Journey) {
        let evaluation = &journey.evaluation;
        let remembered = Remembered {
            seen: self.clock.ticks(),
            version: evaluation.version.as_str().into(),
            path: evaluation
                .path
                .iter()
                .map(|a| (a.question.clone(), a.choice.clone()))
                .collect(),
            next: evaluation.question.as_ref().map(|q| q.id.clone()),
            departement: journey.row.departement.clone(),
        };
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= Self::CAPACITY {
            let clock = &self.clock;
            entries.retain(|_, entry| clock.within(entry.seen, REFRESH_EVERY));
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
        }
        entries.insert(journey.id.clone(), remembered);
    }
}

/// Where a question stands on a journey: its tree version, the answers before it in the order
/// asked (question, choice), and the answer given to it.
#[derive(Debug)]
pub struct Place {
    pub version: Arc<str>,
    pub before: Vec<(String, String)>,
    pub given: Option<String>,
}

/// The [`Place`] of a question on a journey this process saw lately ([`Recent`]), without the
/// database; `None` when it cannot say, and when the question is not on the path remembered.
pub fn place_in_memory(memory: &Memory, id: &str, question: &str) -> Option<Place> {
    let (version, path, position) = memory.journeys.remembered(id, |entry| {
        let position = entry
            .path
            .iter()
            .position(|(q, _)| q == question)
            .or_else(|| (entry.next.as_deref() == Some(question)).then_some(entry.path.len()))?;
        Some((entry.version.clone(), entry.path.clone(), position))
    })?;
    Some(Place {
        before: path[..position].to_vec(),
        given: path.get(position).map(|(_, c)| c.clone()),
        version,
    })
}

/// A result page kept for every journey with the same answers: its parts, between which the
/// journey's own id goes.
pub type ResultPage = Arc<[bytes::Bytes]>;

/// A finished journey's result page as the web layer kept it (see [`keep_result`]), when this
/// process saw the journey and the page within [`REFRESH_EVERY`]: the page then shows what the
/// database would (another process's change, a new alert, is seen within that time).
pub fn result_in_memory(
    state: &Infra,
    memory: &Memory,
    id: &str,
    surface: &str,
) -> Option<ResultPage> {
    let (version, key) = memory.journeys.remembered(id, |entry| {
        // Only a finished journey has a result.
        entry
            .next
            .is_none()
            .then(|| (entry.version.clone(), result_key(state, surface, entry)))
    })?;
    let tree = memory.trees.in_memory(&version)?;
    tree.results
        .get(&key)
        .filter(|(made, _)| memory.journeys.clock.within(*made, REFRESH_EVERY))
        .map(|(_, page)| page)
}

/// Keeps a finished journey's result page, as rendered for every journey with the same answers
/// and département (the journey's own id replaced by the web layer).
pub fn keep_result(
    state: &Infra,
    memory: &Memory,
    journey: &Journey,
    surface: &str,
    page: ResultPage,
) {
    let Some(tree) = memory.trees.in_memory(&journey.evaluation.version) else {
        return;
    };
    let entry = Remembered {
        seen: memory.journeys.clock.ticks(),
        version: journey.evaluation.version.as_str().into(),
        path: journey
            .evaluation
            .path
            .iter()
            .map(|a| (a.question.clone(), a.choice.clone()))
            .collect(),
        next: None,
        departement: journey.row.departement.clone(),
    };
    tree.results.put(
        result_key(state, surface, &entry),
        (memory.journeys.clock.ticks(), page),
    );
}

/// What a result page shows besides the journey's id: where it is shown, the content in
/// force, the département (for the alerts) and the answers.
fn result_key(state: &Infra, surface: &str, entry: &Remembered) -> String {
    let mut key = String::with_capacity(128);
    key.extend([
        surface,
        "|",
        state.content().revision.as_str(),
        "|",
        entry.departement.as_deref().unwrap_or_default(),
        "|",
    ]);
    for (q, c) in entry.path.iter() {
        key.extend([q.as_str(), "=", c.as_str(), ";"]);
    }
    key
}

/// The question asked at a place, when its version is in memory.
pub fn asked_in_memory(
    state: &Infra,
    memory: &Memory,
    place: &Place,
) -> Option<Result<Evaluation, AppError>> {
    let tree = memory.trees.in_memory(&place.version)?;
    let before: Answers = place.before.iter().cloned().collect();
    Some(evaluate_in(state, &tree.tree, &before))
}

/// A journey as it stands.
pub fn load(state: &Infra, memory: &Memory, id: &str) -> Result<Journey, AppError> {
    let mut conn = state.pool.get()?;
    let row = queries::journey(&mut conn, id)?.ok_or_else(unknown_journey)?;
    drop(conn);
    let tree = published(state, memory, Some(&row.tree_version)).map_err(|_| unknown_journey())?;
    let evaluation = evaluate_in(state, &tree.tree, &decode(&row.answers))?;
    let journey = Journey {
        id: id.to_owned(),
        row,
        evaluation,
    };
    memory.journeys.keep(&journey);
    Ok(journey)
}

/// The question as asked at its place on the journey (with the answer given, if any), or
/// `None` when the question is not on the journey's path.
pub fn question_on_path(
    state: &Infra,
    memory: &crate::diagnostic::Memory,
    journey: &Journey,
    question: &str,
) -> Result<Option<(Evaluation, Option<String>)>, AppError> {
    let path = &journey.evaluation.path;
    let Some(position) = path
        .iter()
        .position(|a| a.question == question)
        .or_else(|| {
            let next = journey.evaluation.question.as_ref()?;
            (next.id == question).then_some(path.len())
        })
    else {
        return Ok(None);
    };
    let before: Answers = path[..position]
        .iter()
        .map(|a| (a.question.clone(), a.choice.clone()))
        .collect();
    let tree = published(state, memory, Some(&journey.row.tree_version))?;
    let asked = evaluate_in(state, &tree.tree, &before)?;
    Ok(Some((asked, path.get(position).map(|a| a.choice.clone()))))
}

/// Who opens a journey: the client, whose hourly limit it takes (a journey over it is neither
/// written nor counted in any statistic), and the module form's key when it comes from one.
pub struct Opening<'a> {
    pub client: &'a str,
    pub form_key: Option<&'a str>,
}

/// Opens a journey with the answer to the first question. A module form serves one journey:
/// posted again (a double click, a replay), it answers on the journey it opened.
pub fn start(
    state: &Infra,
    memory: &crate::diagnostic::Memory,
    opening: &Opening<'_>,
    question: &str,
    choice: &str,
    channel: &facts::Channel,
    today: NaiveDate,
) -> Result<Journey, AppError> {
    let opened = || -> Result<Option<String>, AppError> {
        let Some(key) = opening.form_key else {
            return Ok(None);
        };
        let mut conn = state.pool.get()?;
        Ok(queries::journey_by_form_key(&mut conn, key)?)
    };
    if let Some(id) = opened()? {
        return answer(state, memory, &id, question, choice, channel, today);
    }
    match answer_in(
        state,
        memory,
        None,
        Some(opening),
        question,
        choice,
        channel,
        today,
    )? {
        Some(journey) => Ok(journey),
        // Another post of the same form opened it meanwhile.
        None => match opened()? {
            Some(id) => answer(state, memory, &id, question, choice, channel, today),
            None => Err(unknown_journey()),
        },
    }
}

/// Answers `question` with `choice` on an existing journey, where the answers after this
/// question are cleared. Returns the journey.
pub fn answer(
    state: &Infra,
    memory: &crate::diagnostic::Memory,
    id: &str,
    question: &str,
    choice: &str,
    channel: &facts::Channel,
    today: NaiveDate,
) -> Result<Journey, AppError> {
    answer_in(
        state,
        memory,
        Some(id),
        None,
        question,
        choice,
        channel,
        today,
    )?
    .ok_or_else(unknown_journey)
}

#[allow(clippy::too_many_arguments)]
/// `None` when the journey's module form had already opened one (see [`start`]).
fn answer_in(
    state: &Infra,
    memory: &Memory,
    id: Option<&str>,
    opening: Option<&Opening<'_>>,
    question: &str,
    choice: &str,
    channel: &facts::Channel,
    today: NaiveDate,
) -> Result<Option<Journey>, AppError> {
    let (row, before) = match id {
        None => {
            let tree = super::current(state, memory)?;
            if question != tree.tree.start {
                return Err(unknown_journey());
            }
            let row = JourneyRow {
                id: random_token().map_err(|e| AppError::Internal(e.to_string()))?,
                tree_version: tree.tree.version.clone(),
                channel: channel.code.into(),
                partner: channel.partner.clone(),
                started_on: today,
                answers: "{}".into(),
                audience: None,
                outcome: None,
                incident_type: None,
                urgency: None,
                departement: None,
                ending: None,
                form_key: opening.and_then(|o| o.form_key).map(str::to_owned),
            };
            (row, Answers::new())
        }
        Some(id) => {
            let journey = load(state, memory, id)?;
            let Some((asked, _)) = question_on_path(state, memory, &journey, question)? else {
                return Err(AppError::Conflict(
                    "Cette question ne fait plus partie de votre diagnostic.".into(),
                ));
            };
            (journey.row, asked.answers)
        }
    };
    let tree = published(state, memory, Some(&row.tree_version))?;
    let offered = evaluate_in(state, &tree.tree, &before)?
        .question
        .is_some_and(|q| q.id == question && q.choices.iter().any(|c| c.id == choice));
    if !offered {
        return Err(AppError::field(
            "choix",
            "Choisissez une des réponses proposées.",
        ));
    }
    let mut answers = before;
    answers.insert(question.to_owned(), choice.to_owned());
    let evaluation = evaluate_in(state, &tree.tree, &answers)?;
    let outcome = evaluation.outcome.as_ref();
    let reached = outcome.map(|o| {
        if o.redirections.is_empty() {
            Ending::Advice
        } else {
            Ending::Redirection
        }
    });
    // A search or a request already made stays: the journey went that far.
    let kept = row
        .ending
        .as_deref()
        .filter(|e| [Ending::Search.code(), Ending::Request.code()].contains(e));
    let progress = JourneyProgress {
        answers: encode(&evaluation.answers),
        audience: evaluation.audience.map(|a| a.code().to_owned()),
        outcome: outcome.map(|o| o.id.clone()),
        incident_type: outcome.and_then(|o| o.incident_type.clone()),
        urgency: outcome.map(|o| o.urgency.code().to_owned()),
        ending: match (kept, reached) {
            (Some(kept), Some(_)) => Some(kept.to_owned()),
            (_, reached) => reached.map(|e| e.code().to_owned()),
        },
    };
    let mut conn = state.pool.get()?;
    let written = write_transaction(&mut conn, |conn| {
        if id.is_none() {
            // The form's key first: a replay takes no place of the client's limit.
            if !queries::insert_journey(conn, &row)? {
                return Ok(None);
            }
            if let Some(opening) = opening {
                crate::limits::take(conn, state, crate::limits::Limit::Journey, opening.client)?;
            }
        }
        queries::record_progress(conn, &row.id, &progress)?;
        let row = queries::journey(conn, &row.id)?.ok_or_else(unknown_journey)?;
        facts::record_journey(conn, state, &row)?;
        Ok::<_, AppError>(Some(row))
    })?;
    let Some(row) = written else {
        return Ok(None);
    };
    let journey = Journey {
        id: row.id.clone(),
        row,
        evaluation,
    };
    memory.journeys.keep(&journey);
    Ok(Some(journey))
}

/// Notes that a finished journey went further (a search, a request), and the département of the
/// place given. Nothing happens for an unknown or unfinished journey: it is only a statistic.
pub fn went_further(
    state: &Infra,
    id: &str,
    ending: Ending,
    departement: Option<&str>,
) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        if queries::record_ending(conn, id, ending.code(), &ending.earlier(), departement)? > 0
            && let Some(row) = queries::journey(conn, id)?
        {
            facts::record_journey(conn, state, &row)?;
        }
        Ok(())
    })
}

/// Whether a journey is finished (for the pages' redirections).
pub fn is_finished(journey: &Journey) -> bool {
    matches!(journey.evaluation.status, Status::Outcome)
}

/// What a finished journey tells the request form: who is affected and the incident type.
pub struct Prefill {
    pub audience: String,
    pub incident_type: String,
    /// The outcome is urgent: the request is offered to the nearest providers at once.
    pub urgent: bool,
}

/// The request form's fields a journey fills in; `None` for no (or an unfinished) journey.
pub fn prefill(state: &Infra, id: &str) -> Result<Option<Prefill>, AppError> {
    if id.is_empty() {
        return Ok(None);
    }
    let mut conn = state.pool.get()?;
    Ok(queries::journey(&mut conn, id)?.and_then(|row| {
        Some(Prefill {
            audience: row.audience?,
            incident_type: row.incident_type.unwrap_or_default(),
            urgent: row.urgency.as_deref() == Some(Urgency::Immediate.code()),
        })
        .filter(|_| row.outcome.is_some())
    }))
}

/// The request `request_id` was sent from this journey (nothing for none): the journey went
/// that far, and the request is counted as a case by its journey, not twice.
pub fn ended_in_request(
    state: &Infra,
    id: &str,
    request_id: &str,
    postcode: Option<&str>,
) -> Result<(), AppError> {
    if id.is_empty() {
        return Ok(());
    }
    let departement = postcode.and_then(|p| crate::domain::zone::departement_of_postcode(p.trim()));
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let ending = Ending::Request;
        let recorded = queries::record_ending(
            conn,
            id,
            ending.code(),
            &ending.earlier(),
            departement.as_deref(),
        )?;
        if recorded > 0
            && let Some(row) = queries::journey(conn, id)?
        {
            facts::record_journey(conn, state, &row)?;
            facts::counted_by_journey(conn, request_id)?;
        }
        Ok(())
    })
}

/// The retention pass: journeys started more than `JOURNEY_RETENTION_DAYS` ago are deleted (the
/// facts they gave the observatory stay); returns how many.
pub fn purge_past_retention(state: &Infra) -> Result<usize, AppError> {
    let days = chrono::Days::new(u64::from(state.config.journey_retention_days));
    let Some(before) = state.clock.today().checked_sub_days(days) else {
        return Ok(0);
    };
    let mut conn = state.pool.get()?;
    Ok(queries::delete_journeys_before(&mut conn, before)?)
}
