//! The diagnostic service: answers to the next question or to the outcome (the API is
//! stateless; the pages keep an anonymous journey, `journeys`) and the published trees
//! (`trees`). The advice shown wherever an incident type is known is the fiches'
//! (`content::advice`).

pub mod journeys;
pub mod staff;
pub mod trees;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::audience::Audience;
use crate::domain::diagnostic::{self, Answers, OutcomeView, Step, Tree, WalkError};
use crate::error::{AppError, FieldErrors};
use crate::infra::Infra;
use trees::Published;

/// The diagnostic's own state: the published trees, the version in force in memory, and the
/// journeys this process saw lately.
pub struct Memory {
    pub trees: trees::Trees,
    pub journeys: journeys::Recent,
}

impl Memory {
    /// Installs the shipped trees when newer and loads the version in force.
    pub fn load(infra: &Infra) -> Result<Memory, crate::infra::StartupError> {
        use crate::infra::StartupError;
        let mut conn = infra.pool.get().map_err(crate::db::DbSetupError::Pool)?;
        let trees = trees::Trees::new(infra.clock.clone());
        trees::install_shipped(
            &mut conn,
            &infra.taxonomy,
            &infra.content().library,
            infra.clock.now_naive(),
        )?;
        trees
            .refresh(&mut conn, &infra.taxonomy)
            .map_err(|e| StartupError::Diagnostic(e.to_string()))?;
        Ok(Memory {
            trees,
            journeys: journeys::Recent::new(infra.clock.clone()),
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChoiceView {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionView {
    pub id: String,
    pub text: String,
    pub help: Option<String>,
    /// 1 for the first question.
    pub number: usize,
    /// The choices offered to this audience, in order.
    pub choices: Vec<ChoiceView>,
}

/// An answer on the path, in words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnsweredView {
    pub question: String,
    pub question_text: String,
    pub choice: String,
    pub choice_label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Question,
    Outcome,
}

/// Where some answers lead.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evaluation {
    /// The tree version used.
    pub version: String,
    pub status: Status,
    /// The answers that count (those on the path), question id → choice id.
    pub answers: BTreeMap<String, String>,
    pub path: Vec<AnsweredView>,
    pub audience: Option<Audience>,
    /// The next question, when `status` is `question`.
    pub question: Option<QuestionView>,
    /// The outcome, when `status` is `outcome`.
    pub outcome: Option<OutcomeView>,
}

/// The version in force.
pub fn current(state: &Infra, memory: &Memory) -> Result<Arc<Published>, AppError> {
    memory.trees.current(&state.pool, &state.taxonomy)
}

/// A published version, or a 422 naming `version`.
pub fn published(
    state: &Infra,
    memory: &Memory,
    version: Option<&str>,
) -> Result<Arc<Published>, AppError> {
    memory
        .trees
        .resolve(&state.pool, &state.taxonomy, version)?
        .ok_or_else(|| {
            AppError::field(
                "version",
                "Cette version du diagnostic n'existe pas : omettez-la pour utiliser la version en vigueur.",
            )
        })
}

fn walk_error(error: WalkError) -> AppError {
    let field = match &error {
        WalkError::UnknownQuestion(q) | WalkError::UnknownChoice { question: q, .. } => {
            format!("answers.{q}")
        }
        WalkError::Broken => return AppError::Internal(error.to_string()),
    };
    let mut errors = FieldErrors::new();
    errors.insert(field, vec![error.to_string()]);
    AppError::Validation(errors)
}

/// The next step for these answers, in a given tree.
pub fn evaluate_in(state: &Infra, tree: &Tree, answers: &Answers) -> Result<Evaluation, AppError> {
    let step = diagnostic::walk(tree, answers).map_err(walk_error)?;
    let path = step
        .path()
        .iter()
        .map(|(q, c)| AnsweredView {
            question: (*q).to_owned(),
            question_text: tree
                .questions
                .get(*q)
                .map(|q| q.text.clone())
                .unwrap_or_default(),
            choice: c.id.clone(),
            choice_label: c.label.clone(),
        })
        .collect::<Vec<_>>();
    let answers = step.kept_answers();
    Ok(match step {
        Step::Question {
            id,
            question,
            choices,
            audience,
            ..
        } => Evaluation {
            version: tree.version.clone(),
            status: Status::Question,
            question: Some(QuestionView {
                id: id.to_owned(),
                text: question.text.clone(),
                help: question.help.clone(),
                number: path.len() + 1,
                choices: choices
                    .iter()
                    .map(|c| ChoiceView {
                        id: c.id.clone(),
                        label: c.label.clone(),
                    })
                    .collect(),
            }),
            outcome: None,
            audience,
            answers,
            path,
        },
        Step::Outcome {
            id,
            outcome,
            audience,
            ..
        } => Evaluation {
            version: tree.version.clone(),
            status: Status::Outcome,
            question: None,
            outcome: Some(diagnostic::outcome_view(
                tree,
                &state.taxonomy,
                &state.content().library,
                id,
                outcome,
                audience,
            )),
            audience: Some(audience),
            answers,
            path,
        },
    })
}

/// The next step for these answers in a published version (the one in force by default).
pub fn evaluate(
    state: &Infra,
    memory: &crate::diagnostic::Memory,
    version: Option<&str>,
    answers: &Answers,
) -> Result<Evaluation, AppError> {
    let published = published(state, memory, version)?;
    evaluate_in(state, &published.tree, answers)
}

/// An evaluation as JSON, from the version's cache when the same answers were seen: it depends
/// on nothing but the version and the answers on the path.
fn evaluate_json_in(
    state: &Infra,
    published: &Published,
    answers: &Answers,
) -> Result<bytes::Bytes, AppError> {
    let step = diagnostic::walk(&published.tree, answers).map_err(walk_error)?;
    // An outcome shows its fiche's advice: a publication of the content makes a new key.
    let mut key = String::with_capacity(64);
    key.extend([state.content().revision.as_str(), "|"]);
    for (q, c) in step.path() {
        key.extend([*q, "=", c.id.as_str(), ";"]);
    }
    if let Some(body) = published.answers.get(&key) {
        return Ok(body);
    }
    let evaluation = evaluate_in(state, &published.tree, answers)?;
    let body = bytes::Bytes::from(
        serde_json::to_vec(&evaluation).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    published.answers.put(key, body.clone());
    Ok(body)
}

/// [`evaluate`] as the API answers it (JSON). Blocking when the version must be read.
pub fn evaluate_json(
    state: &Infra,
    memory: &crate::diagnostic::Memory,
    version: Option<&str>,
    answers: &Answers,
) -> Result<bytes::Bytes, AppError> {
    let published = published(state, memory, version)?;
    evaluate_json_in(state, &published, answers)
}

/// Like [`evaluate_json`], without blocking: `None` when the answer needs the database (the
/// version in force not checked lately, or another version asked for). A step is then a
/// lookup in memory, answered on the server's own thread.
pub fn evaluate_json_in_memory(
    state: &Infra,
    memory: &Memory,
    version: Option<&str>,
    answers: &Answers,
) -> Option<Result<bytes::Bytes, AppError>> {
    let published = memory.trees.fresh()?;
    if version.is_some_and(|v| v != published.tree.version) {
        return None;
    }
    Some(evaluate_json_in(state, &published, answers))
}

/// A page the web layer rendered for a published version, by its key: a site's question page
/// shows nothing but the version's text, so it is rendered once. Published versions never
/// change, so a page kept is never stale.
pub fn kept_page(memory: &Memory, version: &str, key: &str) -> Option<bytes::Bytes> {
    memory.trees.in_memory(version)?.pages.get(key)
}

/// Keeps a rendered page (see [`kept_page`]); nothing when the version left memory.
pub fn keep_page(memory: &Memory, version: &str, key: String, page: bytes::Bytes) {
    if let Some(published) = memory.trees.in_memory(version) {
        published.pages.put(key, page);
    }
}

/// The first question of the version in force, from memory when it was checked lately.
pub fn first_question_in_memory(
    state: &Infra,
    memory: &Memory,
) -> Option<Result<Evaluation, AppError>> {
    let published = memory.trees.fresh()?;
    Some(evaluate_in(state, &published.tree, &Answers::new()))
}

/// The first question with only the choices that lead to `audience` (a partner's module made
/// for one audience asks nothing the partner already knows). Later questions are unchanged.
pub fn for_audience(
    state: &Infra,
    memory: &crate::diagnostic::Memory,
    mut asked: Evaluation,
    audience: Audience,
) -> Result<Evaluation, AppError> {
    if !asked.path.is_empty() {
        return Ok(asked);
    }
    let tree = published(state, memory, Some(&asked.version))?;
    if let Some(question) = asked.question.as_mut() {
        let id = question.id.clone();
        question.choices.retain(|c| {
            let answers: Answers = [(id.clone(), c.id.clone())].into_iter().collect();
            evaluate_in(state, &tree.tree, &answers)
                .ok()
                .and_then(|e| e.audience)
                == Some(audience)
        });
    }
    Ok(asked)
}
