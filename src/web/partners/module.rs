//! The module partners embed: `/module/{partner}` and the pages under it, the victim's journey
//! (diagnostic, professionals nearby, request) as the partner's scope allows, in a light layout
//! that its site frames. Every page reads the partner: a paused, archived or unknown partner
//! gets a neutral message with a link to the site, never an error page.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};

use super::surface::{Surface, framed};
use crate::error::AppError;
use crate::partners::{self, ModuleAccess};
use crate::state::AppState;
use crate::web::assistance::request::{self, Prefill, RequestForm};
use crate::web::diagnostic::nearby::{self, Looking, Nearby, PlaceQuery};
use crate::web::diagnostic::victim::{self, AnswerForm};
use crate::web::kit::{Choice, blocking};
use crate::web::page;
use crate::web::page_error::PageResult;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(home)
        .service(theme)
        .service(diagnostic_start_page)
        .service(diagnostic_start)
        .service(question_page)
        .service(answer)
        .service(result_page)
        .service(search_page)
        .service(request_page)
        .service(request_submit);
}

/// The partner's module, or the neutral answer.
pub(super) async fn open(state: &web::Data<AppState>, id: &str) -> Result<Surface, HttpResponse> {
    let access = match partners::for_module_in_memory(&state.partners, id) {
        Some(access) => Ok(access),
        None => {
            let inner = state.clone().into_inner();
            let asked = id.to_owned();
            blocking(move || partners::for_module(&inner, &inner.partners, &asked)).await
        }
    };
    match access {
        Ok(ModuleAccess::Open(partner)) => Ok(Surface::Module(Arc::new(partner))),
        Ok(ModuleAccess::Closed { origins }) => Err(closed(state, &origins)),
        Err(e) => Err(closed_after(state, &e)),
    }
}

/// The module's search for professionals nearby.
#[derive(Serialize)]
struct SearchPage<'a> {
    incidents: Vec<Choice>,
    incident_error: Option<String>,
    audience: Option<&'a str>,
    nearby: Option<Nearby>,
    request_link: String,
}

/// The neutral page of a closed module: only a link to the site.
#[derive(Serialize)]
struct ClosedPage<'a> {
    module: ClosedModule<'a>,
}

#[derive(Serialize)]
struct ClosedModule<'a> {
    site: &'a str,
    closed: bool,
    name: Option<&'a str>,
    origins: &'a str,
    theme: Option<&'a str>,
}

/// The neutral message of a module that is not shown: framable where the partner's module was
/// (anywhere for an unknown partner: it holds nothing but a link).
fn closed(state: &AppState, origins: &[String]) -> HttpResponse {
    framed(
        page(
            state,
            StatusCode::OK,
            "pages/partners/module_closed",
            "Service momentanément indisponible",
            None,
            ClosedPage {
                module: ClosedModule {
                    site: &state.config.base_url,
                    closed: true,
                    name: None,
                    origins: "",
                    theme: None,
                },
            },
        ),
        origins,
    )
}

fn closed_after(state: &AppState, error: &AppError) -> HttpResponse {
    tracing::error!(%error, "module partner could not be read");
    closed(state, &[])
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HomeQuery {
    /// Shown in the staff's integration page, framed by the site itself.
    apercu: Option<String>,
}

/// The module's first page: the diagnostic's first question, or the search for a module of
/// the search only.
#[get("/module/{partner}")]
async fn home(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HomeQuery>,
) -> HttpResponse {
    let surface = match open(&state, &path.into_inner()).await {
        Ok(surface) => surface,
        Err(closed) => return closed,
    };
    let offers_diagnostic = surface
        .partner()
        .is_some_and(|p| p.scope.offers_diagnostic());
    let response = if offers_diagnostic {
        victim::first_question(state.clone(), surface.clone()).await
    } else {
        search(
            &state,
            &surface,
            PlaceQuery::default(),
            SearchQuery::default(),
        )
        .await
    };
    // The error is shown here, so that the staff's preview frames it too.
    let response = response.unwrap_or_else(|e| crate::web::page_error::page_of(&state, None, &e));
    match (query.apercu.is_some(), surface.partner()) {
        // The staff's preview frames the first page from the site itself.
        (true, Some(partner)) => {
            let mut origins = partner.origins.clone();
            origins.push("'self'".into());
            framed(response, &origins)
        }
        _ => response,
    }
}

/// The partner's accent colour, as a style sheet (the module's policy allows no inline style).
#[get("/module/{partner}/theme.css")]
async fn theme(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let accent = match open(&state, &path.into_inner()).await {
        Ok(surface) => surface.partner().and_then(|p| p.accent.clone()),
        Err(_) => None,
    };
    let accent = accent.unwrap_or_else(|| "#000091".into());
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(format!(":root {{ --accent: {accent}; }}\n"))
}

#[get("/module/{partner}/diagnostic")]
async fn diagnostic_start_page(state: web::Data<AppState>, path: web::Path<String>) -> PageResult {
    match open(&state, &path.into_inner()).await {
        Ok(surface) => victim::first_question(state, surface).await,
        Err(closed) => Ok(closed),
    }
}

#[post("/module/{partner}/diagnostic")]
async fn diagnostic_start(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<AnswerForm>,
) -> PageResult {
    match open(&state, &path.into_inner()).await {
        Ok(surface) => victim::start_journey(&req, state, surface, form.into_inner()).await,
        Err(closed) => Ok(closed),
    }
}

#[get("/module/{partner}/diagnostic/{journey}/question/{question}")]
async fn question_page(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> PageResult {
    let (partner, journey, question) = path.into_inner();
    match open(&state, &partner).await {
        Ok(surface) => victim::journey_question(state, surface, (journey, question), None).await,
        Err(closed) => Ok(closed),
    }
}

#[post("/module/{partner}/diagnostic/{journey}/question/{question}")]
async fn answer(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    form: web::Form<AnswerForm>,
) -> PageResult {
    let (partner, journey, question) = path.into_inner();
    match open(&state, &partner).await {
        Ok(surface) => {
            victim::answer_question(state, surface, (journey, question), form.into_inner()).await
        }
        Err(closed) => Ok(closed),
    }
}

#[get("/module/{partner}/diagnostic/{journey}/resultat")]
async fn result_page(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<PlaceQuery>,
) -> PageResult {
    let (partner, journey) = path.into_inner();
    match open(&state, &partner).await {
        Ok(surface) => {
            crate::web::diagnostic::result::journey_result(
                state,
                surface,
                journey,
                query.into_inner(),
            )
            .await
        }
        Err(closed) => Ok(closed),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SearchQuery {
    incident: String,
    public: String,
}

/// The search for a professional without the diagnostic: the situation, the place, the
/// professionals nearby, and the request.
#[get("/module/{partner}/recherche")]
async fn search_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    place: web::Query<PlaceQuery>,
    query: web::Query<SearchQuery>,
) -> PageResult {
    match open(&state, &path.into_inner()).await {
        Ok(surface) if surface.offers_help() => {
            search(&state, &surface, place.into_inner(), query.into_inner()).await
        }
        Ok(surface) => Err(surface.failed(AppError::not_found(
            "Ce service propose le diagnostic seul.",
        ))),
        Err(closed) => Ok(closed),
    }
}

async fn search(
    state: &web::Data<AppState>,
    surface: &Surface,
    place: PlaceQuery,
    query: SearchQuery,
) -> PageResult {
    let Some(partner) = surface.partner() else {
        return Err(surface.failed(AppError::not_found(
            "Cette recherche est celle du module d'un partenaire.",
        )));
    };
    let scope = partner.scope.clone();
    let audience = scope
        .audience()
        .map(|a| a.code().to_owned())
        .or_else(|| Some(query.public.clone()).filter(|p| !p.is_empty()));
    let incident = Some(query.incident.clone()).filter(|i| !i.is_empty());
    let looking = Looking {
        incident: incident.clone(),
        audience: audience.clone(),
        journey: None,
        here: format!("/module/{}/recherche", partner.id),
    };
    let inner = state.clone().into_inner();
    let asked = surface.clone();
    let found = blocking(move || {
        if looking.incident.is_none()
            && !(place.lieu.trim().is_empty() && place.commune.trim().is_empty())
        {
            return Err(AppError::field(
                "incident",
                "Choisissez ce qui vous arrive.",
            ));
        }
        nearby::nearby(&inner, &asked, &looking, &place)
    })
    .await;
    let (nearby, error) = match found {
        Ok(nearby) => (nearby, None),
        Err(AppError::Validation(errors)) => (None, errors.into_values().flatten().next()),
        Err(e) => return Err(surface.failed(e)),
    };
    let category = scope.category().map(str::to_owned);
    let incidents: Vec<_> = state
        .taxonomy
        .all()
        .iter()
        .filter(|t| category.as_deref().is_none_or(|c| t.category == c))
        .map(|t| Choice {
            value: t.code.clone(),
            label: t.label.clone(),
            selected: Some(&t.code) == incident.as_ref(),
        })
        .collect();
    let status = if error.is_some() || nearby.as_ref().is_some_and(|n| n.error.is_some()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(surface.page(
        state,
        status,
        "pages/partners/module_search",
        "Trouver un professionnel",
        SearchPage {
            incidents,
            incident_error: error,
            audience: audience.as_deref(),
            nearby,
            request_link: crate::web::kit::with_query(
                &surface.request_form(),
                &[
                    ("incident", incident.as_deref().unwrap_or_default()),
                    ("public", audience.as_deref().unwrap_or_default()),
                ],
            ),
        },
    ))
}

#[get("/module/{partner}/demande")]
async fn request_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<Prefill>,
) -> PageResult {
    match open(&state, &path.into_inner()).await {
        Ok(surface) if surface.offers_help() => {
            request::request_form(req, state, surface, query.into_inner()).await
        }
        Ok(surface) => Err(surface.failed(AppError::not_found(
            "Ce service propose le diagnostic seul.",
        ))),
        Err(closed) => Ok(closed),
    }
}

#[post("/module/{partner}/demande")]
async fn request_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<RequestForm>,
) -> PageResult {
    match open(&state, &path.into_inner()).await {
        Ok(surface) if surface.offers_help() => {
            request::send_request(req, state, surface, form.into_inner()).await
        }
        Ok(surface) => Err(surface.failed(AppError::not_found(
            "Ce service propose le diagnostic seul.",
        ))),
        Err(closed) => Ok(closed),
    }
}
