//! The chat in the partner's module: the same pages as on the site, in the module's frame,
//! without a cookie (the start's form carries the module's signed token; the chat's secret
//! address is what only the victim knows).

use actix_web::{HttpRequest, get, post, web};

use super::module::open;
use crate::state::AppState;
use crate::web::chat::victim::{self, MessageForm, StartForm};
use crate::web::page_error::PageResult;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(start_form)
        .service(start)
        .service(chat_page)
        .service(send)
        .service(leave);
}

#[get("/module/{partner}/diagnostic/{journey}/echange")]
async fn start_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> PageResult {
    let (partner, journey) = path.into_inner();
    match open(&state, &partner).await {
        Ok(surface) => victim::show_start(
            &req,
            &state,
            &surface,
            &journey,
            actix_web::http::StatusCode::OK,
            ("", ""),
            &Default::default(),
        ),
        Err(closed) => Ok(closed),
    }
}

#[post("/module/{partner}/diagnostic/{journey}/echange")]
async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<StartForm>,
) -> PageResult {
    let (partner, journey) = path.into_inner();
    match open(&state, &partner).await {
        Ok(surface) => victim::start_on(req, state, surface, journey, form.into_inner()).await,
        Err(closed) => Ok(closed),
    }
}

#[get("/module/{partner}/echange/{token}")]
async fn chat_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> PageResult {
    let (partner, token) = path.into_inner();
    match open(&state, &partner).await {
        Ok(surface) => victim::chat_page_on(req, state, surface, token).await,
        Err(closed) => Ok(closed),
    }
}

#[post("/module/{partner}/echange/{token}/messages")]
async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<MessageForm>,
) -> PageResult {
    let (partner, token) = path.into_inner();
    match open(&state, &partner).await {
        Ok(surface) => victim::send_on(req, state, surface, token, form.into_inner()).await,
        Err(closed) => Ok(closed),
    }
}

#[post("/module/{partner}/echange/{token}/quitter")]
async fn leave(state: web::Data<AppState>, path: web::Path<(String, String)>) -> PageResult {
    let (partner, token) = path.into_inner();
    match open(&state, &partner).await {
        Ok(surface) => victim::leave_on(state, surface, token).await,
        Err(closed) => Ok(closed),
    }
}
