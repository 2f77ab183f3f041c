//! The victim's side of the chat: the form reached from a diagnostic result that calls for a
//! person, the chat's page (live with JavaScript, refreshing itself without), sending a
//! message, leaving, and the event stream.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};

use super::{from_script, stream};
use crate::chat::{self, Origin, StartInput, VictimView};
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::web::account::anonymous_page;
use crate::web::kit::{blocking, first_errors};
use crate::web::page_error::PageResult;
use crate::web::partners::surface::Surface;
use crate::web::session::{check_anonymous_form, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(start_form)
        .service(start)
        .service(chat_page)
        .service(send)
        .service(leave)
        .service(events);
}

/// `pages/chat/start`.
#[derive(Serialize)]
struct StartPage<'a> {
    /// `""` on the site, `/module/<partner>` in a module.
    base: String,
    journey: &'a str,
    message: &'a str,
    email: &'a str,
    errors: std::collections::BTreeMap<String, String>,
}

#[get("/diagnostic/{journey}/echange")]
async fn start_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> PageResult {
    show_start(
        &req,
        &state,
        &Surface::Site,
        &path.into_inner(),
        StatusCode::OK,
        ("", ""),
        &FieldErrors::new(),
    )
}

/// The start's form: on the site with its CSRF cookie, in the module with its form token.
pub(crate) fn show_start(
    req: &HttpRequest,
    state: &AppState,
    surface: &Surface,
    journey: &str,
    status: StatusCode,
    typed: (&str, &str),
    errors: &FieldErrors,
) -> PageResult {
    let body = StartPage {
        base: base_of(surface),
        journey,
        message: typed.0,
        email: typed.1,
        errors: first_errors(errors),
    };
    let title = "Parler à un policier ou un gendarme";
    on_surface(req, state, surface, status, "pages/chat/start", title, body)
}

/// A victim's page: on the site with its CSRF cookie, in the module with its form token.
fn on_surface(
    req: &HttpRequest,
    state: &AppState,
    surface: &Surface,
    status: StatusCode,
    template: &str,
    title: &str,
    body: impl Serialize,
) -> PageResult {
    match surface {
        Surface::Site => anonymous_page(req, state, status, template, title, body),
        Surface::Module(_) => Ok(surface.page(state, status, template, title, body)),
    }
}

/// Where the victim's chat pages live: the site's root, or the partner's module.
fn base_of(surface: &Surface) -> String {
    surface
        .partner()
        .map(|p| format!("/module/{}", p.id))
        .unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StartForm {
    pub csrf_token: String,
    /// The module's signed form token (no cookie in a partner's frame).
    pub jeton: String,
    pub message: String,
    pub email: String,
}

#[post("/diagnostic/{journey}/echange")]
async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<StartForm>,
) -> PageResult {
    start_on(
        req,
        state,
        Surface::Site,
        path.into_inner(),
        form.into_inner(),
    )
    .await
}

pub(crate) async fn start_on(
    req: HttpRequest,
    state: web::Data<AppState>,
    surface: Surface,
    journey: String,
    form: StartForm,
) -> PageResult {
    match &surface {
        Surface::Site => check_anonymous_form(&req, &state, &form.csrf_token)?,
        Surface::Module(_) => {
            surface
                .check_form(&state, &form.jeton)
                .map_err(|e| surface.failed(e))?;
        }
    }
    let client = crate::http::client::client_key(&req, &state.config.proxies);
    let input = StartInput {
        message: form.message.clone(),
        email: form.email.clone(),
    };
    let origin = Origin {
        channel: if surface.partner().is_some() {
            "module"
        } else {
            "site"
        },
        partner: surface.partner().map(|p| p.id.clone()),
    };
    let inner = state.clone().into_inner();
    let id = journey.clone();
    let started = blocking(move || {
        chat::start(
            &inner,
            &inner.diagnostic,
            &inner.chat,
            &id,
            &input,
            &client,
            &origin,
        )
    })
    .await;
    match started {
        Ok(started) => Ok(see_other(&format!(
            "{}/echange/{}",
            base_of(&surface),
            started.token
        ))),
        Err(AppError::Validation(errors)) => show_start(
            &req,
            &state,
            &surface,
            &journey,
            StatusCode::UNPROCESSABLE_ENTITY,
            (&form.message, &form.email),
            &errors,
        ),
        Err(e) => Err(surface.failed(e)),
    }
}

/// `pages/chat/victim`.
#[derive(Serialize)]
struct ChatPage<'a> {
    base: String,
    token: &'a str,
    chat: &'a VictimView,
    status_line: String,
    errors: std::collections::BTreeMap<String, String>,
    refresh_without_js: Option<u32>,
    script: &'static str,
}

/// What the page says of where the chat stands.
pub fn status_line(view: &VictimView) -> String {
    match view.status.as_str() {
        "waiting" if view.nobody_on_duty => "Personne n'est disponible pour l'instant. Votre message sera le premier lu par le prochain policier ou gendarme disponible. Vous pouvez garder cette page ou revenir plus tard avec son adresse.".to_owned(),
        "waiting" => {
            let place = match view.position {
                Some(1) => "Vous êtes le prochain à être pris en charge.".to_owned(),
                Some(n) => format!("{n} personnes attendent avant vous."),
                None => String::new(),
            };
            let wait = match view.wait_minutes {
                Some(m) if view.wait_too_long => format!(" L'attente est longue en ce moment (environ {m} minutes) : vous pouvez laisser un message et revenir plus tard avec l'adresse de cette page, il sera lu."),
                Some(m) => format!(" Attente estimée : environ {m} minute{}.", if m > 1 { "s" } else { "" }),
                None => String::new(),
            };
            format!("En attente. {place}{wait}")
        }
        "active" => format!(
            "Vous échangez avec {}.",
            view.person.as_deref().unwrap_or("un policier ou un gendarme")
        ),
        "closed" => "L'échange est terminé.".to_owned(),
        _ => "Vous avez quitté l'échange.".to_owned(),
    }
}

fn show(
    req: &HttpRequest,
    state: &AppState,
    surface: &Surface,
    status: StatusCode,
    token: &str,
    view: &VictimView,
    errors: &FieldErrors,
) -> PageResult {
    let body = ChatPage {
        base: base_of(surface),
        token,
        chat: view,
        status_line: status_line(view),
        errors: first_errors(errors),
        refresh_without_js: view.can_write.then_some(10),
        script: "chat.js",
    };
    on_surface(
        req,
        state,
        surface,
        status,
        "pages/chat/victim",
        "Votre échange",
        body,
    )
}

#[get("/echange/{token}")]
async fn chat_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> PageResult {
    chat_page_on(req, state, Surface::Site, path.into_inner()).await
}

pub(crate) async fn chat_page_on(
    req: HttpRequest,
    state: web::Data<AppState>,
    surface: Surface,
    token: String,
) -> PageResult {
    let inner = state.clone().into_inner();
    let asked = token.clone();
    let view = blocking(move || chat::victim_view(&inner, &asked))
        .await
        .map_err(|e| surface.failed(e))?;
    show(
        &req,
        &state,
        &surface,
        StatusCode::OK,
        &token,
        &view,
        &FieldErrors::new(),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MessageForm {
    pub csrf_token: String,
    pub message: String,
}

#[post("/echange/{token}/messages")]
async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<MessageForm>,
) -> PageResult {
    send_on(
        req,
        state,
        Surface::Site,
        path.into_inner(),
        form.into_inner(),
    )
    .await
}

/// A message from the victim. On the site the form carries its CSRF token; in a module, which
/// has no cookie, the chat's secret address is what only the victim knows.
pub(crate) async fn send_on(
    req: HttpRequest,
    state: web::Data<AppState>,
    surface: Surface,
    token: String,
    form: MessageForm,
) -> PageResult {
    if matches!(surface, Surface::Site) {
        check_anonymous_form(&req, &state, &form.csrf_token)?;
    }
    let inner = state.clone().into_inner();
    let (asked, text) = (token.clone(), form.message.clone());
    let sent = blocking(move || chat::victim_says(&inner, &inner.chat, &asked, &text)).await;
    match sent {
        Ok(line) if from_script(&req) => Ok(HttpResponse::Created().json(line)),
        Ok(_) => Ok(see_other(&format!(
            "{}/echange/{token}#dernier",
            base_of(&surface)
        ))),
        Err(e) if from_script(&req) => Ok(actix_web::ResponseError::error_response(
            &crate::http::problem::ApiError::from(e),
        )),
        Err(AppError::Validation(errors)) => {
            let inner = state.clone().into_inner();
            let asked = token.clone();
            let view = blocking(move || chat::victim_view(&inner, &asked))
                .await
                .map_err(|e| surface.failed(e))?;
            show(
                &req,
                &state,
                &surface,
                StatusCode::UNPROCESSABLE_ENTITY,
                &token,
                &view,
                &errors,
            )
        }
        Err(e) => Err(surface.failed(e)),
    }
}

#[post("/echange/{token}/quitter")]
async fn leave(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<crate::web::kit::CsrfForm>,
) -> PageResult {
    check_anonymous_form(&req, &state, &form.csrf_token)?;
    leave_on(state, Surface::Site, path.into_inner()).await
}

pub(crate) async fn leave_on(
    state: web::Data<AppState>,
    surface: Surface,
    token: String,
) -> PageResult {
    let inner = state.clone().into_inner();
    let asked = token.clone();
    blocking(move || chat::victim_leaves(&inner, &inner.chat, &asked))
        .await
        .map_err(|e| surface.failed(e))?;
    Ok(see_other(&format!("{}/echange/{token}", base_of(&surface))))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShownQuery {
    /// The last line the page already shows.
    pub apres: Option<i32>,
}

#[get("/echange/{token}/flux")]
async fn events(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ShownQuery>,
) -> Result<HttpResponse, crate::http::problem::ApiError> {
    let token = path.into_inner();
    let inner = state.clone().into_inner();
    let asked = token.clone();
    let (id, _) = blocking(move || chat::victim_lines(&inner, &asked, i32::MAX)).await?;
    let after = stream::resume_from(&req, query.apres);
    let rx = state.chat.subscribe(&format!("chat:{id}"));
    let (for_lines, for_status) = (state.clone().into_inner(), state.clone().into_inner());
    let (t1, t2) = (token.clone(), token);
    Ok(stream::lines(
        rx,
        after,
        std::sync::Arc::new(move |after| {
            chat::victim_lines(&for_lines, &t1, after).map(|(_, l)| l)
        }),
        Some(std::sync::Arc::new(move || {
            let view = chat::victim_status(&for_status, &t2)?;
            Ok(serde_json::json!({
                "status": view.status,
                "line": status_line(&view),
                "can_write": view.can_write,
            }))
        })),
    ))
}
