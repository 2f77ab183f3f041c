//! `/observatoire/prevention`: how much the fiches and the library are read and downloaded
//! (staff), counted without anything about who.

use actix_web::http::StatusCode;
use actix_web::{get, web};
use serde::Serialize;

use crate::observatory::prevention::{self as usage, UseLine};
use crate::state::AppState;
use crate::web::kit::blocking;
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::{StaffUser, data_of};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(prevention_page);
}

/// `pages/observatory/prevention`.
#[derive(Serialize)]
struct PreventionPage {
    days: u64,
    lines: Vec<UseLine>,
}

#[get("/observatoire/prevention")]
async fn prevention_page(state: web::Data<AppState>, user: StaffUser) -> PageResult {
    let user = user.0;
    let (inner, actor) = (data_of(&state), user.actor.clone());
    let lines = blocking(move || usage::last_days(&inner, &actor)).await?;
    Ok(page(
        &state,
        StatusCode::OK,
        "pages/observatory/prevention",
        "Prévention : usage des fiches",
        Some(&user),
        PreventionPage {
            days: usage::DAYS,
            lines,
        },
    ))
}
