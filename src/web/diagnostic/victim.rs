//! The victim's diagnostic: one question per page, server-rendered, without JavaScript. The
//! journey lives on the server (anonymous), so the back button, "modifier" links and a reload
//! all show the right question with the answer given. The forms need no cookie: they change
//! nothing but an anonymous journey.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::diagnostic::journeys::{self, Ending, Journey};
use crate::diagnostic::{self, Evaluation, Status};
use crate::directory::search::{self, SearchParams, SearchRequest};
use crate::error::AppError;
use crate::geo::place::{self, Understood};
use crate::state::AppState;
use crate::web::kit::blocking;
use crate::web::session::see_other;
use crate::web::{page, render_error};

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
}

/// Where a journey goes next: its next question, or its result.
fn next_url(id: &str, evaluation: &Evaluation) -> String {
    match (&evaluation.status, &evaluation.question) {
        (Status::Question, Some(q)) => format!("/diagnostic/{id}/question/{}", q.id),
        _ => format!("/diagnostic/{id}/resultat"),
    }
}

#[derive(Serialize)]
struct ChoiceItem<'a> {
    id: &'a str,
    label: &'a str,
    selected: bool,
}

/// A question page: `asked` is the evaluation that asks it; `error` a refused answer.
fn question_view(
    state: &AppState,
    status: StatusCode,
    action: &str,
    asked: &Evaluation,
    selected: Option<&str>,
    previous: Option<String>,
    error: Option<String>,
) -> HttpResponse {
    let Some(question) = &asked.question else {
        return render_error(state, &AppError::Internal("no question to ask".into()));
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
    page(
        state,
        status,
        "pages/diagnostic/question",
        &format!("{title} – Diagnostic"),
        None,
        json!({
            "action": action,
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
    let inner = state.clone().into_inner();
    let asked = match diagnostic::first_question_in_memory(&state) {
        Some(asked) => asked,
        None => blocking(move || diagnostic::evaluate(&inner, None, &Default::default())).await,
    };
    match asked {
        Ok(asked) => question_view(
            &state,
            StatusCode::OK,
            "/diagnostic",
            &asked,
            None,
            None,
            None,
        ),
        Err(e) => render_error(&state, &e),
    }
}

/// The first answer opens a journey.
#[post("/diagnostic")]
async fn start(state: web::Data<AppState>, form: web::Form<AnswerForm>) -> HttpResponse {
    let inner = state.clone().into_inner();
    let choice = form.into_inner().choix;
    let today = state.clock.today();
    let outcome = blocking(move || {
        let start = diagnostic::current(&inner)?.tree.start.clone();
        journeys::answer(&inner, None, &start, &choice, today)
    })
    .await;
    match outcome {
        Ok(journey) => see_other(&next_url(&journey.id, &journey.evaluation)),
        Err(AppError::Validation(errors)) => {
            let message = errors.into_values().flatten().next();
            let inner = state.clone().into_inner();
            match blocking(move || diagnostic::evaluate(&inner, None, &Default::default())).await {
                Ok(asked) => question_view(
                    &state,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "/diagnostic",
                    &asked,
                    None,
                    None,
                    message,
                ),
                Err(e) => render_error(&state, &e),
            }
        }
        Err(e) => render_error(&state, &e),
    }
}

/// The link back one question (the start page before the second question).
fn previous_url(journey: &Journey, asked: &Evaluation) -> Option<String> {
    let before = asked.path.len().checked_sub(1)?;
    Some(if before == 0 {
        "/diagnostic".to_owned()
    } else {
        format!(
            "/diagnostic/{}/question/{}",
            journey.id, asked.path[before].question
        )
    })
}

/// A question of a journey as asked at its place, with the answer given (none after a refused
/// answer, shown with its `error`); a question not (or no longer) on the journey's path sends to
/// the journey's next step.
async fn journey_question(
    state: web::Data<AppState>,
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
                "/diagnostic/{}/question/{}",
                journey.id,
                asked.question.as_ref().map_or("", |q| q.id.as_str())
            );
            let previous = previous_url(&journey, &asked);
            let (status, selected) = match error {
                Some(_) => (StatusCode::UNPROCESSABLE_ENTITY, None),
                None => (StatusCode::OK, selected),
            };
            question_view(
                &state,
                status,
                &action,
                &asked,
                selected.as_deref(),
                previous,
                error,
            )
        }
        Ok((journey, None)) => see_other(&next_url(&journey.id, &journey.evaluation)),
        Err(e) => render_error(&state, &e),
    }
}

#[get("/diagnostic/{journey}/question/{question}")]
async fn question_page(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    journey_question(state, path.into_inner(), None).await
}

#[post("/diagnostic/{journey}/question/{question}")]
async fn answer(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<AnswerForm>,
) -> HttpResponse {
    let (id, question) = path.into_inner();
    let choice = form.into_inner().choix;
    let today = state.clock.today();
    let inner = state.clone().into_inner();
    let asked = (id.clone(), question.clone());
    match blocking(move || journeys::answer(&inner, Some(&id), &question, &choice, today)).await {
        Ok(journey) => see_other(&next_url(&journey.id, &journey.evaluation)),
        Err(AppError::Validation(errors)) => {
            let message = errors.into_values().flatten().next();
            journey_question(state, asked, message).await
        }
        Err(AppError::Conflict(_)) => see_other(&format!("/diagnostic/{}/resultat", asked.0)),
        Err(e) => render_error(&state, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlaceQuery {
    pub lieu: String,
    pub commune: String,
}

/// Providers near the victim for the outcome's incident type, or the communes to choose from.
#[derive(Serialize, Default)]
struct Nearby {
    place: String,
    choices: Vec<serde_json::Value>,
    cards: Vec<serde_json::Value>,
    total: usize,
    /// The postcode the request form is filled with.
    postcode: Option<String>,
    /// A search ran (with or without results).
    searched: bool,
    error: Option<String>,
    /// The département of the place, for the alerts that concern it.
    #[serde(skip)]
    departement: Option<String>,
}

/// How many providers the result page shows before "see all".
const NEARBY_SHOWN: usize = 5;

fn nearby(
    state: &AppState,
    journey: &Journey,
    query: &PlaceQuery,
) -> Result<Option<Nearby>, AppError> {
    if query.lieu.trim().is_empty() && query.commune.trim().is_empty() {
        return Ok(None);
    }
    let outcome = journey.evaluation.outcome.as_ref();
    let place = match place::understand(state, &query.lieu, &query.commune) {
        Ok(Understood::Place(place)) => place,
        Ok(Understood::Choices(choices)) => {
            return Ok(Some(Nearby {
                choices: choices
                    .iter()
                    .map(|c| {
                        json!({
                            "label": c.label,
                            "href": crate::web::kit::with_query(
                                &format!("/diagnostic/{}/resultat", journey.id),
                                &[("lieu", &format!("{} ({})", c.name, c.departement)), ("commune", &c.code)],
                            ) + "#professionnels",
                        })
                    })
                    .collect(),
                ..Nearby::default()
            }));
        }
        Err(AppError::Validation(errors)) => {
            return Ok(Some(Nearby {
                error: errors.into_values().flatten().next(),
                ..Nearby::default()
            }));
        }
        Err(e) => return Err(e),
    };
    let mut params = SearchParams {
        incident: outcome.and_then(|o| o.incident_type.clone()),
        audience: journey.evaluation.audience.map(|a| a.code().to_owned()),
        remote: Some("true".into()),
        limit: Some(NEARBY_SHOWN.to_string()),
        ..SearchParams::default()
    };
    match &place {
        crate::geo::location::Place::Postcode(p) => params.postcode = Some(p.clone()),
        crate::geo::location::Place::Commune(c) => params.commune = Some(c.clone()),
        crate::geo::location::Place::Point { .. } => {}
    }
    let request = SearchRequest::parse(&params, state)?;
    let found = match search::run(state, &request) {
        Ok(found) => found,
        Err(AppError::NotFound(message)) => {
            return Ok(Some(Nearby {
                error: Some(message),
                ..Nearby::default()
            }));
        }
        Err(e) => return Err(e),
    };
    journeys::went_further(
        state,
        &journey.id,
        Ending::Search,
        found.location.departement.as_deref(),
    )?;
    let postcode = place::postcode_of(state, &place)?;
    let request_link = |provider: Option<&str>| {
        let mut pairs = vec![("parcours", journey.id.as_str())];
        if let Some(p) = postcode.as_deref() {
            pairs.push(("lieu", p));
        }
        if let Some(p) = provider {
            pairs.push(("prestataire", p));
        }
        crate::web::kit::with_query("/demande-assistance", &pairs)
    };
    let cards = found
        .matches
        .iter()
        .map(|m| {
            let p = found.snapshot.provider(m);
            json!({
                "id": p.id,
                "name": p.name,
                "city": p.city,
                "distance": crate::french::km(m.distance_km),
                "phone": p.phone,
                "labelled": p.label.as_ref().is_some_and(|l| l.is_valid_on(state.clock.today())),
                "request_link": request_link(Some(&p.id)),
            })
        })
        .collect();
    let place = match (&found.location.commune, &found.location.departement_name) {
        (Some(c), _) => c.clone(),
        (None, Some(d)) => d.clone(),
        _ => String::new(),
    };
    Ok(Some(Nearby {
        departement: found.location.departement.clone(),
        place: format!("près {}", crate::french::de(&place)),
        choices: Vec::new(),
        cards,
        total: found.total,
        postcode,
        searched: true,
        error: None,
    }))
}

/// The outcome: the advice first, then whom to call, then — when a professional can help — the
/// nearest ones for the place given and the request, already filled in.
#[get("/diagnostic/{journey}/resultat")]
async fn result_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PlaceQuery>,
) -> HttpResponse {
    let id = path.into_inner();
    let query = query.into_inner();
    let inner = state.clone().into_inner();
    let lieu = query.lieu.clone();
    let shown = blocking(move || {
        let journey = journeys::load(&inner, &id)?;
        if !journeys::is_finished(&journey) {
            return Ok((journey, None));
        }
        let found = nearby(&inner, &journey, &query)?;
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
        Ok((journey, None)) => return see_other(&next_url(&journey.id, &journey.evaluation)),
        Ok((journey, Some((nearby, alerts)))) => (journey, nearby, alerts),
        Err(e) => return render_error(&state, &e),
    };
    let Some(outcome) = journey.evaluation.outcome.as_ref() else {
        return see_other(&next_url(&journey.id, &journey.evaluation));
    };
    let request_link =
        crate::web::kit::with_query("/demande-assistance", &[("parcours", journey.id.as_str())]);
    page(
        &state,
        if nearby.as_ref().is_some_and(|n| n.error.is_some()) {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        "pages/diagnostic/result",
        &format!("{} – Diagnostic", outcome.title),
        None,
        json!({
            "journey": journey.id,
            "outcome": outcome,
            "path": journey.evaluation.path,
            "lieu": lieu,
            "nearby": nearby,
            "request_link": request_link,
            "alerts": alerts,
        }),
    )
}
