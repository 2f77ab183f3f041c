//! The victim's diagnostic: one question per page, server-rendered, without JavaScript. The
//! journey lives on the server (anonymous), so the back button, "modifier" links and a reload
//! all show the right question with the answer given. The forms need no cookie: they change
//! nothing but an anonymous journey. The same pages run inside a partner's module
//! (`web::partners::module`): each function here takes the `Surface` it is shown on.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::{Deserialize, Serialize};

use crate::diagnostic::journeys;
use crate::diagnostic::{self, Evaluation, Status};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::kit::blocking;
use crate::web::page_error::PageResult;
use crate::web::partners::surface::Surface;
use crate::web::session::see_other;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(start_page)
        .service(start)
        .service(question_page)
        .service(answer);
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub choix: String,
    /// The module's form token (none on the site).
    pub jeton: String,
}

/// Where a journey goes next: its next question, or its result.
pub(super) fn next_url(surface: &Surface, id: &str, evaluation: &Evaluation) -> String {
    let base = surface.diagnostic();
    match (&evaluation.status, &evaluation.question) {
        (Status::Question, Some(q)) => format!("{base}/{id}/question/{}", q.id),
        _ => format!("{base}/{id}/resultat"),
    }
}

#[derive(Serialize)]
struct ChoiceItem<'a> {
    id: &'a str,
    label: &'a str,
    selected: bool,
}

/// A question page: `asked` is the evaluation that asks it; `error` a refused answer.
/// How a question is shown: where its form posts, the answer given, the link back, and the
/// refusal of a sent answer.
#[derive(Default)]
struct Shown<'a> {
    action: String,
    selected: Option<&'a str>,
    previous: Option<String>,
    error: Option<String>,
}

/// `pages/diagnostic/question`: a question of the diagnostic.
#[derive(Serialize)]
struct QuestionPage<'a> {
    /// Where the answer is posted.
    action: String,
    base: String,
    question: &'a diagnostic::QuestionView,
    first_choice: Option<&'a str>,
    choices: Vec<ChoiceItem<'a>>,
    previous: Option<String>,
    error: Option<String>,
}

fn question_view(
    state: &AppState,
    surface: &Surface,
    status: StatusCode,
    asked: &Evaluation,
    shown: Shown,
) -> PageResult {
    let Some(question) = &asked.question else {
        return Err(surface.failed(AppError::Internal("no question to ask".into())));
    };
    let before = asked
        .path
        .iter()
        .map(|a| (a.question.as_str(), a.choice.as_str()));
    let kept = page_key(surface, before, &shown);
    if let Some(page) = kept
        .as_deref()
        .and_then(|key| diagnostic::kept_page(&state.diagnostic, &asked.version, key))
    {
        return Ok(crate::web::html_page(status, page));
    }
    let Shown {
        action,
        selected,
        previous,
        error,
    } = shown;
    let choices: Vec<ChoiceItem> = question
        .choices
        .iter()
        .map(|c| ChoiceItem {
            id: &c.id,
            label: &c.label,
            selected: Some(c.id.as_str()) == selected,
        })
        .collect();
    let title = match &error {
        Some(_) => format!("Erreur : {}", question.text),
        None => question.text.clone(),
    };
    let title = format!("{title} – Diagnostic");
    let data = QuestionPage {
        action,
        base: surface.diagnostic(),
        question,
        first_choice: question.choices.first().map(|c| c.id.as_str()),
        choices,
        previous,
        error,
    };
    let Some(key) = kept else {
        return Ok(surface.page(state, status, "pages/diagnostic/question", &title, data));
    };
    match crate::web::page_html(state, "pages/diagnostic/question", &title, data) {
        Some(html) => {
            let page = bytes::Bytes::from(html);
            diagnostic::keep_page(&state.diagnostic, &asked.version, key, page.clone());
            Ok(crate::web::html_page(status, page))
        }
        None => Err(surface.failed(AppError::Internal("template".into()))),
    }
}

/// The key of a question page the site renders once: on the site, a page without a refusal
/// shows nothing but the tree's text (its links are relative to its own address), so it is
/// kept by version (see `diagnostic::kept_page`), answers before it (in the order asked) and
/// what `shown` adds.
fn page_key<'a>(
    surface: &Surface,
    before: impl Iterator<Item = (&'a str, &'a str)>,
    shown: &Shown,
) -> Option<String> {
    if !matches!(surface, Surface::Site) || shown.error.is_some() {
        return None;
    }
    let mut key: String = before.flat_map(|(q, c)| [q, "=", c, ";"]).collect();
    key.extend(["|", shown.selected.unwrap_or_default(), "|", &shown.action]);
    key.extend(["|", shown.previous.as_deref().unwrap_or_default()]);
    Some(key)
}

/// `/diagnostic`: the first question.
#[get("/diagnostic")]
async fn start_page(state: web::Data<AppState>) -> PageResult {
    first_question(state, Surface::Site).await
}

/// The first question, as the surface asks it (a module for one audience asks only its own).
async fn first_asked(
    state: &web::Data<AppState>,
    surface: &Surface,
) -> Result<Evaluation, AppError> {
    let inner = state.clone().into_inner();
    let audience = surface.partner().and_then(|p| p.scope.audience());
    let asked = match (
        diagnostic::first_question_in_memory(state, &state.diagnostic),
        audience,
    ) {
        (Some(asked), None) => return asked,
        (Some(Ok(asked)), Some(audience)) => {
            return diagnostic::for_audience(state, &state.diagnostic, asked, audience);
        }
        _ => blocking(move || {
            let asked = diagnostic::evaluate(&inner, &inner.diagnostic, None, &Default::default())?;
            match audience {
                Some(audience) => {
                    diagnostic::for_audience(&inner, &inner.diagnostic, asked, audience)
                }
                None => Ok(asked),
            }
        }),
    };
    asked.await
}

pub(crate) async fn first_question(state: web::Data<AppState>, surface: Surface) -> PageResult {
    match first_asked(&state, &surface).await {
        Ok(asked) => question_view(
            &state,
            &surface,
            StatusCode::OK,
            &asked,
            Shown {
                action: surface.diagnostic(),
                ..Shown::default()
            },
        ),
        Err(e) => Err(surface.failed(e)),
    }
}

/// The first answer opens a journey.
#[post("/diagnostic")]
async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<AnswerForm>,
) -> PageResult {
    start_journey(&req, state, Surface::Site, form.into_inner()).await
}

pub(crate) async fn start_journey(
    req: &HttpRequest,
    state: web::Data<AppState>,
    surface: Surface,
    form: AnswerForm,
) -> PageResult {
    let nonce = match surface.check_form(&state, &form.jeton) {
        Ok(nonce) => nonce,
        Err(e) => return Err(surface.failed(e)),
    };
    // A module's form serves one journey: its nonce, with the partner, is the journey's key.
    let form_key = nonce.zip(surface.partner().map(|p| p.id.clone()));
    let form_key = form_key.map(|(nonce, partner)| format!("{partner}:{nonce}"));
    let choice = form.choix;
    let today = state.clock.today();
    // A module for one audience takes only the choices it shows.
    let offered = match first_asked(&state, &surface).await {
        Ok(asked) => asked
            .question
            .is_some_and(|q| q.choices.iter().any(|c| c.id == choice)),
        Err(e) => return Err(surface.failed(e)),
    };
    let inner = state.clone().into_inner();
    let channel = surface.channel();
    let client = crate::http::client::client_key(req, &state.config.proxies);
    let outcome = blocking(move || {
        if !offered {
            return Err(AppError::field(
                "choix",
                "Choisissez une des réponses proposées.",
            ));
        }
        let first = diagnostic::current(&inner, &inner.diagnostic)?
            .tree
            .start
            .clone();
        let opening = journeys::Opening {
            client: &client,
            form_key: form_key.as_deref(),
        };
        journeys::start(
            &inner,
            &inner.diagnostic,
            &opening,
            &first,
            &choice,
            &channel,
            today,
        )
    })
    .await;
    match outcome {
        Ok(journey) => Ok(see_other(&next_url(
            &surface,
            &journey.id,
            &journey.evaluation,
        ))),
        Err(AppError::Validation(errors)) => {
            let message = errors.into_values().flatten().next();
            match first_asked(&state, &surface).await {
                Ok(asked) => question_view(
                    &state,
                    &surface,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &asked,
                    Shown {
                        action: surface.diagnostic(),
                        error: message,
                        ..Shown::default()
                    },
                ),
                Err(e) => Err(surface.failed(e)),
            }
        }
        Err(e) => Err(surface.failed(e)),
    }
}

/// The link back one question from the one asked after `answered` answers, `previous` the last
/// of them: the start page before the second question, else relative to the question's own
/// address (`…/{journey}/question/{id}`).
fn previous_url(surface: &Surface, answered: usize, previous: Option<&str>) -> Option<String> {
    match answered {
        0 => None,
        1 => Some(surface.diagnostic()),
        _ => previous.map(str::to_owned),
    }
}

/// How a journey's question is shown: its form posts to the page's own address.
fn shown_at<'a>(
    surface: &Surface,
    question: &str,
    answered: usize,
    previous: Option<&str>,
    selected: Option<&'a str>,
    error: Option<String>,
) -> Shown<'a> {
    Shown {
        action: question.to_owned(),
        selected: selected.filter(|_| error.is_none()),
        previous: previous_url(surface, answered, previous),
        error,
    }
}

/// A question of a journey as asked at its place, with the answer given (none after a refused
/// answer, shown with its `error`); a question not (or no longer) on the journey's path sends to
/// the journey's next step. The page after an answer, and a reload, come from memory
/// (`journeys::place_in_memory`, then the page kept once rendered); else from the database.
pub(crate) async fn journey_question(
    state: web::Data<AppState>,
    surface: Surface,
    (id, question): (String, String),
    error: Option<String>,
) -> PageResult {
    let status = match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let remembered = journeys::place_in_memory(&state.diagnostic, &id, &question);
    if let Some(place) = &remembered {
        let shown = shown_at(
            &surface,
            &question,
            place.before.len(),
            place.before.last().map(|(q, _)| q.as_str()),
            place.given.as_deref(),
            error.clone(),
        );
        let before = place.before.iter().map(|(q, c)| (q.as_str(), c.as_str()));
        if let Some(page) = page_key(&surface, before, &shown)
            .and_then(|key| diagnostic::kept_page(&state.diagnostic, &place.version, &key))
        {
            return Ok(crate::web::html_page(status, page));
        }
    }
    let asked = match remembered.and_then(|place| {
        journeys::asked_in_memory(&state, &state.diagnostic, &place)
            .map(|asked| asked.map(|a| (a, place.given)))
    }) {
        Some(asked) => asked.map(Ok),
        None => {
            let inner = state.clone().into_inner();
            blocking(move || {
                let journey = journeys::load(&inner, &inner.diagnostic, &id)?;
                Ok(
                    journeys::question_on_path(&inner, &inner.diagnostic, &journey, &question)?
                        .ok_or(journey),
                )
            })
            .await
        }
    };
    match asked {
        Ok(Ok((asked, selected))) => {
            let previous = asked.path.last().map(|a| a.question.as_str());
            let shown = shown_at(
                &surface,
                asked.question.as_ref().map_or("", |q| q.id.as_str()),
                asked.path.len(),
                previous,
                selected.as_deref(),
                error,
            );
            question_view(&state, &surface, status, &asked, shown)
        }
        Ok(Err(journey)) => Ok(see_other(&next_url(
            &surface,
            &journey.id,
            &journey.evaluation,
        ))),
        Err(e) => Err(surface.failed(e)),
    }
}

#[get("/diagnostic/{journey}/question/{question}")]
async fn question_page(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> PageResult {
    journey_question(state, Surface::Site, path.into_inner(), None).await
}

#[post("/diagnostic/{journey}/question/{question}")]
async fn answer(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<AnswerForm>,
) -> PageResult {
    answer_question(state, Surface::Site, path.into_inner(), form.into_inner()).await
}

pub(crate) async fn answer_question(
    state: web::Data<AppState>,
    surface: Surface,
    (id, question): (String, String),
    form: AnswerForm,
) -> PageResult {
    if let Err(e) = surface.check_form(&state, &form.jeton) {
        return Err(surface.failed(e));
    }
    let choice = form.choix;
    let today = state.clock.today();
    let inner = state.clone().into_inner();
    let asked = (id.clone(), question.clone());
    let channel = surface.channel();
    match blocking(move || {
        journeys::answer(
            &inner,
            &inner.diagnostic,
            &id,
            &question,
            &choice,
            &channel,
            today,
        )
    })
    .await
    {
        Ok(journey) => Ok(see_other(&next_url(
            &surface,
            &journey.id,
            &journey.evaluation,
        ))),
        Err(AppError::Validation(errors)) => {
            let message = errors.into_values().flatten().next();
            journey_question(state, surface, asked, message).await
        }
        Err(AppError::Conflict(_)) => Ok(see_other(&format!(
            "{}/{}/resultat",
            surface.diagnostic(),
            asked.0
        ))),
        Err(e) => Err(surface.failed(e)),
    }
}
