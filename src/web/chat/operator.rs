//! The operators' console: presence, the queue, their chats; a chat with the diagnostic's
//! summary, the lines (live), canned responses, private notes, transfer and closing with a
//! disposition. Without JavaScript the pages refresh themselves and every action is a form.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};

use super::{from_script, stream};
use crate::chat::console::{self, Console, OperatorChat};
use crate::chat::routing::{self, Transfer};
use crate::domain::chat::{Force, Presence};
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::kit::{InfoQuery, blocking, done, first_errors};
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::{OperatorUser, check_form};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(console_page)
        .service(console_events)
        .service(set_presence)
        .service(take)
        .service(chat_page)
        .service(chat_events)
        .service(send)
        .service(note)
        .service(transfer)
        .service(close);
}

fn info_of(slug: Option<&str>) -> Option<&'static str> {
    Some(match slug? {
        "presence" => "Votre présence est enregistrée.",
        "pris" => "L'échange est à vous.",
        "transfere" => "L'échange est transféré.",
        "termine" => "L'échange est terminé : la personne a reçu ce qu'il lui reste à faire.",
        "note" => "Note enregistrée (la personne ne la voit pas).",
        "operateur" => "Les réglages de l'opérateur sont enregistrés.",
        "reponse" => "La réponse type est enregistrée.",
        "reponse-supprimee" => "La réponse type est supprimée.",
        _ => return None,
    })
}

/// `pages/chat/console`.
#[derive(Serialize)]
struct ConsolePage<'a> {
    info: Option<&'a str>,
    console: &'a Console,
    presences: Vec<(&'static str, &'static str, bool)>,
    forces: Vec<(&'static str, &'static str)>,
    refresh_without_js: u32,
    script: &'static str,
}

#[get("/operateur")]
async fn console_page(
    state: web::Data<AppState>,
    user: OperatorUser,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let inner = state.clone().into_inner();
    let who = user.actor.clone();
    let view = blocking(move || console::console(&inner, &who)).await?;
    Ok(page(
        &state,
        StatusCode::OK,
        "pages/chat/console",
        "Échanges avec les victimes",
        Some(&user),
        ConsolePage {
            info: info_of(query.info.as_deref()),
            presences: Presence::ALL
                .iter()
                .map(|p| (p.code(), p.label(), p.code() == view.presence))
                .collect(),
            forces: Force::ALL.iter().map(|f| (f.code(), f.label())).collect(),
            console: &view,
            refresh_without_js: 15,
            script: "chat.js",
        },
    ))
}

/// The console's stream: an event each time the queue or the operator's chats move (the page
/// reloads its lists); it is also the operator's sign of life.
#[get("/operateur/flux")]
async fn console_events(
    state: web::Data<AppState>,
    user: OperatorUser,
) -> Result<HttpResponse, crate::http::problem::ApiError> {
    let user = user.0;
    let inner = state.clone().into_inner();
    let who = user.actor.clone();
    blocking(move || console::heartbeat(&inner, &who)).await?;
    let rx = state.chat.subscribe(&format!("operator:{}", user.id));
    let queue = state.chat.subscribe("queue");
    let inner = state.clone().into_inner();
    let who = user.actor.clone();
    Ok(stream::console(
        rx,
        queue,
        std::sync::Arc::new(move || console::heartbeat(&inner, &who)),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PresenceForm {
    pub csrf_token: String,
    pub presence: String,
}

#[post("/operateur/presence")]
async fn set_presence(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: OperatorUser,
    form: web::Form<PresenceForm>,
) -> PageResult {
    let user = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let presence = Presence::parse(&form.presence)
        .ok_or_else(|| AppError::field("presence", "Choisissez disponible, occupé ou absent."))?;
    let inner = state.clone().into_inner();
    let who = user.actor.clone();
    blocking(move || {
        let mut conn = inner.pool.get()?;
        console::operator_of(&mut conn, &inner, &who)?;
        drop(conn);
        routing::set_presence(&inner, &inner.chat, &who.id, presence)
    })
    .await?;
    done("/operateur", "presence")
}

#[post("/operateur/echanges/{id}/prendre")]
async fn take(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: OperatorUser,
    path: web::Path<String>,
    form: web::Form<crate::web::kit::CsrfForm>,
) -> PageResult {
    let user = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let id = path.into_inner();
    let inner = state.clone().into_inner();
    let (who, chat) = (user.actor.clone(), id.clone());
    blocking(move || {
        let mut conn = inner.pool.get()?;
        console::operator_of(&mut conn, &inner, &who)?;
        drop(conn);
        routing::take(&inner, &inner.chat, &who.id, &chat)
    })
    .await?;
    done(&format!("/operateur/echanges/{id}"), "pris")
}

/// `pages/chat/operator_chat`.
#[derive(Serialize)]
struct ChatPage<'a> {
    info: Option<&'a str>,
    chat: &'a OperatorChat,
    errors: std::collections::BTreeMap<String, String>,
    refresh_without_js: Option<u32>,
    script: &'static str,
}

async fn show_chat(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    id: &str,
    status: StatusCode,
    info: Option<&str>,
    errors: &FieldErrors,
) -> PageResult {
    let inner = state.clone().into_inner();
    let (who, chat) = (user.actor.clone(), id.to_owned());
    let view = blocking(move || console::chat(&inner, &who, &chat)).await?;
    Ok(page(
        state,
        status,
        "pages/chat/operator_chat",
        &format!("Échange – {}", view.title),
        Some(user),
        ChatPage {
            info,
            errors: first_errors(errors),
            refresh_without_js: (view.status == "active").then_some(10),
            script: "chat.js",
            chat: &view,
        },
    ))
}

#[get("/operateur/echanges/{id}")]
async fn chat_page(
    state: web::Data<AppState>,
    user: OperatorUser,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    show_chat(
        &state,
        &user.0,
        &path.into_inner(),
        StatusCode::OK,
        info_of(query.info.as_deref()),
        &FieldErrors::new(),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShownQuery {
    pub apres: Option<i32>,
}

#[get("/operateur/echanges/{id}/flux")]
async fn chat_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: OperatorUser,
    path: web::Path<String>,
    query: web::Query<ShownQuery>,
) -> Result<HttpResponse, crate::http::problem::ApiError> {
    let user = user.0;
    let id = path.into_inner();
    let inner = state.clone().into_inner();
    let (who, chat) = (user.actor.clone(), id.clone());
    blocking(move || console::lines(&inner, &who, &chat, i32::MAX)).await?;
    let rx = state.chat.subscribe(&format!("chat:{id}"));
    let inner = state.clone().into_inner();
    let who = user.actor.clone();
    Ok(stream::lines(
        rx,
        stream::resume_from(&req, query.apres),
        std::sync::Arc::new(move |after| console::lines(&inner, &who, &id, after)),
        None,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TextForm {
    pub csrf_token: String,
    pub message: String,
}

/// What follows an action on a chat: back to `to` saying `info`, or the chat again with the
/// form's French errors (nothing changed), or the error page.
async fn then(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    id: &str,
    result: Result<(), AppError>,
    to: &str,
    info: &str,
) -> PageResult {
    match result {
        Ok(()) => done(to, info),
        Err(AppError::Validation(errors)) => {
            show_chat(
                state,
                user,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[post("/operateur/echanges/{id}/messages")]
async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: OperatorUser,
    path: web::Path<String>,
    form: web::Form<TextForm>,
) -> PageResult {
    let user = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let id = path.into_inner();
    let inner = state.clone().into_inner();
    let (who, chat, text) = (user.actor.clone(), id.clone(), form.message.clone());
    let sent = blocking(move || console::says(&inner, &inner.chat, &who, &chat, &text)).await;
    match sent {
        Ok(line) if from_script(&req) => Ok(HttpResponse::Created().json(line)),
        Ok(_) => Ok(crate::web::session::see_other(&format!(
            "/operateur/echanges/{id}#dernier"
        ))),
        Err(e) if from_script(&req) => Ok(actix_web::ResponseError::error_response(
            &crate::http::problem::ApiError::from(e),
        )),
        Err(e) => then(&state, &user, &id, Err(e), "", "").await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub csrf_token: String,
    pub note: String,
}

#[post("/operateur/echanges/{id}/notes")]
async fn note(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: OperatorUser,
    path: web::Path<String>,
    form: web::Form<NoteForm>,
) -> PageResult {
    let user = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let id = path.into_inner();
    let inner = state.clone().into_inner();
    let (who, chat, text) = (user.actor.clone(), id.clone(), form.note.clone());
    let noted = blocking(move || console::note(&inner, &who, &chat, &text)).await;
    then(
        &state,
        &user,
        &id,
        noted,
        &format!("/operateur/echanges/{id}"),
        "note",
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransferForm {
    pub csrf_token: String,
    /// `operateur:<user id>` or `force:<code>`.
    pub to: String,
}

#[post("/operateur/echanges/{id}/transferer")]
async fn transfer(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: OperatorUser,
    path: web::Path<String>,
    form: web::Form<TransferForm>,
) -> PageResult {
    let user = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let id = path.into_inner();
    let to = match form.to.split_once(':') {
        Some(("operateur", other)) if !other.is_empty() => {
            Some(Transfer::Operator(other.to_owned()))
        }
        Some(("force", code)) => Force::parse(code).map(Transfer::Force),
        _ => None,
    };
    let result = match to {
        None => Err(AppError::field(
            "to",
            "Choisissez à qui transférer l'échange.",
        )),
        Some(to) => {
            let inner = state.clone().into_inner();
            let (who, chat) = (user.actor.clone(), id.clone());
            blocking(move || routing::transfer(&inner, &inner.chat, &who.id, &chat, &to)).await
        }
    };
    then(&state, &user, &id, result, "/operateur", "transfere").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    pub csrf_token: String,
    pub disposition: String,
    /// The service redirected to (a redirection), else words for the victim.
    pub target: String,
    pub detail: String,
}

#[post("/operateur/echanges/{id}/terminer")]
async fn close(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: OperatorUser,
    path: web::Path<String>,
    form: web::Form<CloseForm>,
) -> PageResult {
    let user = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let id = path.into_inner();
    let detail = if form.disposition == "redirected" {
        form.target.clone()
    } else {
        form.detail.clone()
    };
    let inner = state.clone().into_inner();
    let (who, chat, disposition) = (user.actor.clone(), id.clone(), form.disposition.clone());
    let closed = blocking(move || {
        crate::chat::close::close(&inner, &inner.chat, &who, &chat, &disposition, &detail)
    })
    .await;
    then(&state, &user, &id, closed, "/operateur", "termine").await
}
