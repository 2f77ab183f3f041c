//! The victim's side of the chat: the form reached from a diagnostic result that calls for a
//! person, the chat's page (live with JavaScript, refreshing itself without), sending a
//! message, leaving, and the event stream.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};

use super::stream;
use crate::chat::{self, Origin, StartInput, VictimView};
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::web::account::anonymous_page;
use crate::web::kit::{blocking, first_errors};
use crate::web::page_error::PageResult;
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
    let journey = path.into_inner();
    anonymous_page(
        &req,
        &state,
        StatusCode::OK,
        "pages/chat/start",
        "Parler à un policier ou un gendarme",
        StartPage {
            journey: &journey,
            message: "",
            email: "",
            errors: Default::default(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StartForm {
    pub csrf_token: String,
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
    let journey = path.into_inner();
    check_anonymous_form(&req, &state, &form.csrf_token)?;
    let client = crate::http::client::client_key(&req, &state.config.proxies);
    let input = StartInput {
        message: form.message.clone(),
        email: form.email.clone(),
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
            &Origin {
                channel: "site",
                partner: None,
            },
        )
    })
    .await;
    match started {
        Ok(started) => Ok(see_other(&format!("/echange/{}", started.token))),
        Err(AppError::Validation(errors)) => anonymous_page(
            &req,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "pages/chat/start",
            "Parler à un policier ou un gendarme",
            StartPage {
                journey: &journey,
                message: &form.message,
                email: &form.email,
                errors: first_errors(&errors),
            },
        ),
        Err(e) => Err(e.into()),
    }
}

/// `pages/chat/victim`.
#[derive(Serialize)]
struct ChatPage<'a> {
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
    status: StatusCode,
    token: &str,
    view: &VictimView,
    errors: &FieldErrors,
) -> PageResult {
    anonymous_page(
        req,
        state,
        status,
        "pages/chat/victim",
        "Votre échange",
        ChatPage {
            token,
            chat: view,
            status_line: status_line(view),
            errors: first_errors(errors),
            refresh_without_js: view.can_write.then_some(10),
            script: "chat.js",
        },
    )
}

#[get("/echange/{token}")]
async fn chat_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> PageResult {
    let token = path.into_inner();
    let inner = state.clone().into_inner();
    let asked = token.clone();
    let view = blocking(move || chat::victim_view(&inner, &asked)).await?;
    show(
        &req,
        &state,
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

/// Whether the page's script sent the form (it reads the answer; a form without it is
/// redirected back to the page).
fn from_script(req: &HttpRequest) -> bool {
    req.headers()
        .get("Accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

#[post("/echange/{token}/messages")]
async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<MessageForm>,
) -> PageResult {
    let token = path.into_inner();
    check_anonymous_form(&req, &state, &form.csrf_token)?;
    let inner = state.clone().into_inner();
    let (asked, text) = (token.clone(), form.message.clone());
    let sent = blocking(move || chat::victim_says(&inner, &inner.chat, &asked, &text)).await;
    match sent {
        Ok(line) if from_script(&req) => Ok(HttpResponse::Created().json(line)),
        Ok(_) => Ok(see_other(&format!("/echange/{token}#dernier"))),
        Err(AppError::Validation(errors)) if !from_script(&req) => {
            let inner = state.clone().into_inner();
            let asked = token.clone();
            let view = blocking(move || chat::victim_view(&inner, &asked)).await?;
            show(
                &req,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &token,
                &view,
                &errors,
            )
        }
        Err(e) if from_script(&req) => Ok(actix_web::ResponseError::error_response(
            &crate::http::problem::ApiError::from(e),
        )),
        Err(e) => Err(e.into()),
    }
}

#[post("/echange/{token}/quitter")]
async fn leave(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<crate::web::kit::CsrfForm>,
) -> PageResult {
    let token = path.into_inner();
    check_anonymous_form(&req, &state, &form.csrf_token)?;
    let inner = state.clone().into_inner();
    let asked = token.clone();
    blocking(move || chat::victim_leaves(&inner, &inner.chat, &asked)).await?;
    Ok(see_other(&format!("/echange/{token}")))
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
