//! `/fiches/quiz/{theme}`: a short quiz per prevention theme. The answers travel in the address
//! of a GET form (`?q0=1&q1=2…`) and are graded on the spot: nothing is stored, nothing is
//! personal, and the page works without JavaScript.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, web};
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::page;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::MaybeUser;

#[derive(Serialize)]
struct QuizPage<'a> {
    theme: &'a str,
    heading: &'a str,
    fiche: &'a str,
    fiche_title: &'a str,
    questions: Vec<QuestionView<'a>>,
    count: usize,
    /// All answered: the score and each explanation are shown.
    graded: Option<Score>,
    /// How many questions are left unanswered, when the form was sent incomplete.
    missing: usize,
}

#[derive(Serialize)]
struct Score {
    right: usize,
    total: usize,
}

#[derive(Serialize)]
struct QuestionView<'a> {
    name: String,
    number: usize,
    text: &'a str,
    choices: Vec<ChoiceView<'a>>,
    error: Option<&'static str>,
    /// Once graded: whether the answer given was right, and why.
    right: Option<bool>,
    explanation: Option<&'a str>,
    answer: Option<&'a str>,
}

#[derive(Serialize)]
struct ChoiceView<'a> {
    id: String,
    value: usize,
    label: &'a str,
    checked: bool,
}

#[get("/fiches/quiz/{theme}")]
pub(super) async fn quiz_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
    user: MaybeUser,
) -> PageResult {
    let theme = path.into_inner();
    let content = state.content();
    let library = &content.library;
    let Some(quiz) = library.quizzes.get(&theme) else {
        return Err(PageError::from(AppError::not_found(
            "Ce quiz n'existe pas. Retrouvez les fiches et leurs quiz sur la page « Fiches réflexes et conseils ».",
        )));
    };
    // An answer outside the choices counts as no answer.
    let given: Vec<Option<usize>> = (0..quiz.questions.len())
        .map(|n| {
            query
                .get(&format!("q{n}"))
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|v| *v < quiz.questions[n].choices.len())
        })
        .collect();
    let sent = query.keys().any(|k| k.starts_with('q'));
    let missing = given.iter().filter(|g| g.is_none()).count();
    let graded = (sent && missing == 0).then(|| Score {
        right: quiz.score(&given),
        total: quiz.questions.len(),
    });
    let questions = quiz
        .questions
        .iter()
        .zip(&given)
        .enumerate()
        .map(|(n, (q, g))| QuestionView {
            name: format!("q{n}"),
            number: n + 1,
            text: &q.text,
            choices: q
                .choices
                .iter()
                .enumerate()
                .map(|(i, label)| ChoiceView {
                    id: format!("q{n}-{i}"),
                    value: i,
                    label,
                    checked: *g == Some(i),
                })
                .collect(),
            error: (sent && g.is_none()).then_some("Choisissez une réponse."),
            right: graded.as_ref().map(|_| *g == Some(q.answer)),
            explanation: graded.as_ref().map(|_| q.explanation.as_str()),
            answer: graded
                .as_ref()
                .and_then(|_| q.choices.get(q.answer))
                .map(String::as_str),
        })
        .collect();
    let fiche_title = library
        .fiche(&quiz.fiche)
        .map_or(quiz.title.as_str(), |f| f.meta.title.as_str());
    let status = if sent && missing > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let title = match (&graded, sent && missing > 0) {
        (Some(_), _) => format!("Résultats : {}", quiz.title),
        (None, true) => format!("Erreur : {}", quiz.title),
        (None, false) => quiz.title.clone(),
    };
    Ok(page(
        &state,
        status,
        "pages/content/quiz",
        &title,
        user.0.as_ref(),
        QuizPage {
            theme: &theme,
            heading: &quiz.title,
            fiche: &quiz.fiche,
            fiche_title,
            count: quiz.questions.len(),
            questions,
            graded,
            missing: if sent { missing } else { 0 },
        },
    ))
}
