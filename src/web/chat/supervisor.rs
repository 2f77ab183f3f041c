//! What supervisors (and admins) manage in the chat: each operator's force, capacity and
//! role, and the canned responses offered in the console.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::{Deserialize, Serialize};

use crate::chat::console::CannedView;
use crate::chat::supervision;
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::kit::{blocking, done, first_errors};
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::{OperatorUser, check_form};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(set_operator)
        .service(canned_page)
        .service(save_canned)
        .service(delete_canned);
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OperatorForm {
    pub csrf_token: String,
    pub force: String,
    pub capacity: String,
    pub supervisor: Option<String>,
}

#[post("/operateur/operateurs/{user}")]
async fn set_operator(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: OperatorUser,
    path: web::Path<String>,
    form: web::Form<OperatorForm>,
) -> PageResult {
    let user = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let inner = state.clone().into_inner();
    let (who, target) = (user.actor.clone(), path.into_inner());
    let (force, capacity, supervisor) = (
        form.force.clone(),
        form.capacity.clone(),
        form.supervisor.is_some(),
    );
    blocking(move || {
        supervision::set_operator(
            &inner,
            &inner.chat,
            &who,
            &target,
            &force,
            &capacity,
            supervisor,
        )
    })
    .await?;
    done("/operateur", "operateur")
}

/// `pages/chat/canned`.
#[derive(Serialize)]
struct CannedPage<'a> {
    canned: &'a [CannedView],
    typed_title: &'a str,
    typed_body: &'a str,
    errors: std::collections::BTreeMap<String, String>,
    contacts: Vec<(String, String)>,
}

async fn show(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    status: StatusCode,
    typed: (&str, &str),
    errors: &FieldErrors,
) -> PageResult {
    let inner = state.clone().into_inner();
    let who = user.actor.clone();
    let canned = blocking(move || supervision::canned(&inner, &who)).await?;
    let content = state.content();
    Ok(page(
        state,
        status,
        "pages/chat/canned",
        "Réponses types",
        Some(user),
        CannedPage {
            canned: &canned,
            typed_title: typed.0,
            typed_body: typed.1,
            errors: first_errors(errors),
            // The registry's contacts, to quote exactly in a response.
            contacts: crate::domain::chat::REDIRECTIONS
                .iter()
                .chain(["plainte_en_ligne", "plainte_rendez_vous"].iter())
                .filter_map(|id| content.library.contacts.get(id))
                .map(|c| {
                    (
                        c.name.clone(),
                        c.href.clone().unwrap_or_else(|| c.display.clone()),
                    )
                })
                .collect(),
        },
    ))
}

#[get("/operateur/reponses-types")]
async fn canned_page(state: web::Data<AppState>, user: OperatorUser) -> PageResult {
    show(
        &state,
        &user.0,
        StatusCode::OK,
        ("", ""),
        &FieldErrors::new(),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CannedForm {
    pub csrf_token: String,
    pub id: String,
    pub title: String,
    pub body: String,
}

#[post("/operateur/reponses-types")]
async fn save_canned(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: OperatorUser,
    form: web::Form<CannedForm>,
) -> PageResult {
    let user = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let inner = state.clone().into_inner();
    let who = user.actor.clone();
    let (id, title, body) = (form.id.clone(), form.title.clone(), form.body.clone());
    match blocking(move || supervision::save_canned(&inner, &who, &id, &title, &body)).await {
        Ok(()) => done("/operateur/reponses-types", "reponse"),
        Err(AppError::Validation(errors)) => {
            show(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                (&form.title, &form.body),
                &errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[post("/operateur/reponses-types/{id}/supprimer")]
async fn delete_canned(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: OperatorUser,
    path: web::Path<String>,
    form: web::Form<crate::web::kit::CsrfForm>,
) -> PageResult {
    let user = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let inner = state.clone().into_inner();
    let (who, id) = (user.actor.clone(), path.into_inner());
    blocking(move || supervision::delete_canned(&inner, &who, &id)).await?;
    done("/operateur/reponses-types", "reponse-supprimee")
}
