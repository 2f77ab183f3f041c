//! The victim's diagnostic: one question per page, server-rendered, without JavaScript. The
//! journey lives on the server (anonymous), so the back button, "modifier" links and a reload
//! all show the right question with the answer given. The forms need no cookie: they change
//! nothing but an anonymous journey. The same pages run inside a partner's module
//! (`web::partners::module`): each function here takes the `Surface` it is shown on.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::nearby::{Looking, PlaceQuery, nearby};
use crate::diagnostic::journeys::{self, Journey};
use crate::diagnostic::{self, Evaluation, Status};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::kit::blocking;
use crate::web::partners::surface::Surface;
use crate::web::session::see_other;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(start_page)
        .service(start)
        .service(question_page)
        .service(answer)
        .service(result_page);
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub choix: String,
    /// The module's form token (none on the site).
    pub jeton: String,
}

/// Where a journey goes next: its next question, or its result.
fn next_url(surface: &Surface, id: &str, evaluation: &Evaluation) -> String {
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

fn question_view(
    state: &AppState,
    surface: &Surface,
    status: StatusCode,
    asked: &Evaluation,
    shown: Shown,
) -> HttpResponse {
    let Shown {
        action,
        selected,
        previous,
        error,
    } = shown;
    let Some(question) = &asked.question else {
        return surface.error(state, &AppError::Internal("no question to ask".into()));
    };
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
    surface.page(
        state,
        status,
        "pages/diagnostic/question",
        &format!("{title} – Diagnostic"),
        json!({
            "action": action,
            "base": surface.diagnostic(),
            "question": question,
            "first_choice": question.choices.first().map(|c| c.id.as_str()),
            "choices": choices,
            "previous": previous,
            "error": error,
        }),
    )
}

/// `/diagnostic`: the first question.
#[get("/diagnostic")]
async fn start_page(state: web::Data<AppState>) -> HttpResponse {
    first_question(state, Surface::Site).await
}

/// The first question, as the surface asks it (a module for one audience asks only its own).
async fn first_asked(
    state: &web::Data<AppState>,
    surface: &Surface,
) -> Result<Evaluation, AppError> {
    let inner = state.clone().into_inner();
    let audience = surface.partner().and_then(|p| p.scope.audience());
    let asked = match (diagnostic::first_question_in_memory(state), audience) {
        (Some(asked), None) => return asked,
        (Some(Ok(asked)), Some(audience)) => {
            return diagnostic::for_audience(state, asked, audience);
        }
        _ => blocking(move || {
            let asked = diagnostic::evaluate(&inner, None, &Default::default())?;
            match audience {
                Some(audience) => diagnostic::for_audience(&inner, asked, audience),
                None => Ok(asked),
            }
        }),
    };
    asked.await
}

pub(crate) async fn first_question(state: web::Data<AppState>, surface: Surface) -> HttpResponse {
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
        Err(e) => surface.error(&state, &e),
    }
}

/// The first answer opens a journey.
#[post("/diagnostic")]
async fn start(state: web::Data<AppState>, form: web::Form<AnswerForm>) -> HttpResponse {
    start_journey(state, Surface::Site, form.into_inner()).await
}

pub(crate) async fn start_journey(
    state: web::Data<AppState>,
    surface: Surface,
    form: AnswerForm,
) -> HttpResponse {
    if let Err(e) = surface.check_form(&state, &form.jeton) {
        return surface.error(&state, &e);
    }
    let choice = form.choix;
    let today = state.clock.today();
    // A module for one audience takes only the choices it shows.
    let offered = match first_asked(&state, &surface).await {
        Ok(asked) => asked
            .question
            .is_some_and(|q| q.choices.iter().any(|c| c.id == choice)),
        Err(e) => return surface.error(&state, &e),
    };
    let inner = state.clone().into_inner();
    let channel = surface.channel();
    let outcome = blocking(move || {
        if !offered {
            return Err(AppError::field(
                "choix",
                "Choisissez une des réponses proposées.",
            ));
        }
        let first = diagnostic::current(&inner)?.tree.start.clone();
        journeys::answer(&inner, None, &first, &choice, &channel, today)
    })
    .await;
    match outcome {
        Ok(journey) => see_other(&next_url(&surface, &journey.id, &journey.evaluation)),
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
                Err(e) => surface.error(&state, &e),
            }
        }
        Err(e) => surface.error(&state, &e),
    }
}

/// The link back one question (the start page before the second question).
fn previous_url(surface: &Surface, journey: &Journey, asked: &Evaluation) -> Option<String> {
    let before = asked.path.len().checked_sub(1)?;
    let base = surface.diagnostic();
    Some(if before == 0 {
        base
    } else {
        format!(
            "{base}/{}/question/{}",
            journey.id, asked.path[before].question
        )
    })
}

/// A question of a journey as asked at its place, with the answer given (none after a refused
/// answer, shown with its `error`); a question not (or no longer) on the journey's path sends to
/// the journey's next step.
pub(crate) async fn journey_question(
    state: web::Data<AppState>,
    surface: Surface,
    (id, question): (String, String),
    error: Option<String>,
) -> HttpResponse {
    let inner = state.clone().into_inner();
    let shown = blocking(move || {
        let journey = journeys::load(&inner, &id)?;
        let asked = journeys::question_on_path(&inner, &journey, &question)?;
        Ok((journey, asked))
    })
    .await;
    match shown {
        Ok((journey, Some((asked, selected)))) => {
            let action = format!(
                "{}/{}/question/{}",
                surface.diagnostic(),
                journey.id,
                asked.question.as_ref().map_or("", |q| q.id.as_str())
            );
            let previous = previous_url(&surface, &journey, &asked);
            let (status, selected) = match error {
                Some(_) => (StatusCode::UNPROCESSABLE_ENTITY, None),
                None => (StatusCode::OK, selected),
            };
            question_view(
                &state,
                &surface,
                status,
                &asked,
                Shown {
                    action,
                    selected: selected.as_deref(),
                    previous,
                    error,
                },
            )
        }
        Ok((journey, None)) => see_other(&next_url(&surface, &journey.id, &journey.evaluation)),
        Err(e) => surface.error(&state, &e),
    }
}

#[get("/diagnostic/{journey}/question/{question}")]
async fn question_page(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    journey_question(state, Surface::Site, path.into_inner(), None).await
}

#[post("/diagnostic/{journey}/question/{question}")]
async fn answer(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<AnswerForm>,
) -> HttpResponse {
    answer_question(state, Surface::Site, path.into_inner(), form.into_inner()).await
}

pub(crate) async fn answer_question(
    state: web::Data<AppState>,
    surface: Surface,
    (id, question): (String, String),
    form: AnswerForm,
) -> HttpResponse {
    if let Err(e) = surface.check_form(&state, &form.jeton) {
        return surface.error(&state, &e);
    }
    let choice = form.choix;
    let today = state.clock.today();
    let inner = state.clone().into_inner();
    let asked = (id.clone(), question.clone());
    let channel = surface.channel();
    match blocking(move || journeys::answer(&inner, Some(&id), &question, &choice, &channel, today))
        .await
    {
        Ok(journey) => see_other(&next_url(&surface, &journey.id, &journey.evaluation)),
        Err(AppError::Validation(errors)) => {
            let message = errors.into_values().flatten().next();
            journey_question(state, surface, asked, message).await
        }
        Err(AppError::Conflict(_)) => {
            see_other(&format!("{}/{}/resultat", surface.diagnostic(), asked.0))
        }
        Err(e) => surface.error(&state, &e),
    }
}

/// The outcome: the advice first, then whom to call, then — when a professional can help — the
/// nearest ones for the place given and the request, already filled in.
#[get("/diagnostic/{journey}/resultat")]
async fn result_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PlaceQuery>,
) -> HttpResponse {
    journey_result(state, Surface::Site, path.into_inner(), query.into_inner()).await
}

pub(crate) async fn journey_result(
    state: web::Data<AppState>,
    surface: Surface,
    id: String,
    query: PlaceQuery,
) -> HttpResponse {
    let inner = state.clone().into_inner();
    let lieu = query.lieu.clone();
    let asked = surface.clone();
    let shown = blocking(move || {
        let journey = journeys::load(&inner, &id)?;
        if !journeys::is_finished(&journey) {
            return Ok((journey, None));
        }
        let found = if asked.offers_help() {
            nearby(
                &inner,
                &asked,
                &Looking::of_journey(&asked, &journey),
                &query,
            )?
        } else {
            None
        };
        let outcome = journey.evaluation.outcome.as_ref();
        let departement = found
            .as_ref()
            .and_then(|n| n.departement.clone())
            .or_else(|| journey.row.departement.clone());
        let alerts = crate::observatory::alerts::concerning(
            &inner,
            &crate::observatory::alerts::Situation {
                incident_type: outcome.and_then(|o| o.incident_type.as_deref()),
                audience: journey.evaluation.audience,
                departement: departement.as_deref(),
            },
        )?;
        Ok((journey, Some((found, alerts))))
    })
    .await;
    let (journey, nearby, alerts) = match shown {
        Ok((journey, None)) => {
            return see_other(&next_url(&surface, &journey.id, &journey.evaluation));
        }
        Ok((journey, Some((nearby, alerts)))) => (journey, nearby, alerts),
        Err(e) => return surface.error(&state, &e),
    };
    let Some(outcome) = journey.evaluation.outcome.as_ref() else {
        return see_other(&next_url(&surface, &journey.id, &journey.evaluation));
    };
    let request_link = crate::web::kit::with_query(
        &surface.request_form(),
        &[("parcours", journey.id.as_str())],
    );
    surface.page(
        &state,
        if nearby.as_ref().is_some_and(|n| n.error.is_some()) {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        "pages/diagnostic/result",
        &format!("{} – Diagnostic", outcome.title),
        json!({
            "journey": journey.id,
            "base": surface.diagnostic(),
            "outcome": outcome,
            "path": journey.evaluation.path,
            "lieu": lieu,
            "nearby": nearby,
            "request_link": request_link,
            "help_here": surface.offers_help(),
            // A diagnostic-only module sends to the site to find a professional.
            "help_on_site": format!("{}/diagnostic/{}/resultat", state.config.base_url, journey.id),
            "alerts": alerts,
        }),
    )
}
