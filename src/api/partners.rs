//! `/api/v1/partners`: staff manage partners and their keys; a partner reads its own figures
//! with its key (`Authorization: Bearer cyberdir_…`).

use crate::http::body::Body;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, Problem};
use crate::http::extract::CurrentUser;
use crate::http::problem::ApiError;
use crate::partners::keys::{self, IssuedKey, KeyView};
use crate::partners::statistics::{self, PartnerStatistics, StatisticsQuery};
use crate::partners::{self, PartnerInput, PartnerView};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct PartnerList {
    pub total: usize,
    pub results: Vec<PartnerView>,
}

/// Every partner (staff).
#[utoipa::path(tag = "partners", responses((status = 200, body = PartnerList), (status = 401, body = Problem), (status = 403, body = Problem)))]
#[get("/partners")]
pub async fn list(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let results = web::block(move || partners::list(&state, &user)).await??;
    Ok(HttpResponse::Ok().json(PartnerList {
        total: results.len(),
        results,
    }))
}

/// Adds a partner (staff). Its public id, for the embed, comes from its name.
#[utoipa::path(tag = "partners", request_body = PartnerInput, responses((status = 201, body = PartnerView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[post("/partners")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Body<PartnerInput>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let input = body.into_inner();
    let created =
        web::block(move || partners::create(&state, &state.partners, &user, &input)).await??;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/partners/{}", created.id)))
        .json(created))
}

/// One partner (staff).
#[utoipa::path(tag = "partners", params(("id" = String, Path, pattern = r"^[a-z0-9-]{1,48}$")), responses((status = 200, body = PartnerView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/partners/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let view = web::block(move || partners::get(&state, &user, &id)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Changes a partner (staff): every field, with the `version` read (409 if it changed since).
#[utoipa::path(tag = "partners", params(("id" = String, Path, pattern = r"^[a-z0-9-]{1,48}$")), request_body = PartnerInput, responses((status = 200, body = PartnerView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[put("/partners/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<PartnerInput>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let input = body.into_inner();
    let view =
        web::block(move || partners::update(&state, &state.partners, &user, &id, &input)).await??;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Serialize, ToSchema)]
pub struct KeyList {
    pub results: Vec<KeyView>,
}

/// A partner's keys, newest first (staff); never the keys themselves.
#[utoipa::path(tag = "partners", params(("id" = String, Path, pattern = r"^[a-z0-9-]{1,48}$")), responses((status = 200, body = KeyList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/partners/{id}/keys")]
pub async fn list_keys(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let results = web::block(move || keys::list(&state, &user, &id)).await??;
    Ok(HttpResponse::Ok().json(KeyList { results }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewKey {
    /// The key this one replaces (a rotation): it stays valid 30 more days at most.
    pub replaces: Option<String>,
}

/// Issues a key (staff): the answer is the only time it is shown. Two keys at most are valid.
#[utoipa::path(tag = "partners", params(("id" = String, Path, pattern = r"^[a-z0-9-]{1,48}$")), request_body = NewKey, responses((status = 201, body = IssuedKey), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/partners/{id}/keys")]
pub async fn issue_key(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<NewKey>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let replaces = body.into_inner().replaces;
    let issued = web::block(move || keys::issue(&state, &user, &id, replaces.as_deref())).await??;
    Ok(HttpResponse::Created().json(issued))
}

/// Revokes a key at once (staff).
#[utoipa::path(tag = "partners", params(("id" = String, Path, pattern = r"^[a-z0-9-]{1,48}$"), ("key" = String, Path)), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/partners/{id}/keys/{key}/revocation")]
pub async fn revoke_key(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let (id, key) = path.into_inner();
    web::block(move || keys::revoke(&state, &user, &id, &key)).await??;
    Ok(HttpResponse::NoContent().finish())
}

/// A partner's figures by month (journeys started in its module and how far they went,
/// requests sent from it and what became of them), small counts suppressed. With the
/// partner's key (`Authorization: Bearer cyberdir_…`), or a staff session.
#[utoipa::path(tag = "partners", params(("id" = String, Path, pattern = r"^[a-z0-9-]{1,48}$"), StatisticsQuery), responses((status = 200, body = PartnerStatistics), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "The figures were refused by the audit of statistical secrecy"), (status = 422, body = Problem)))]
#[get("/partners/{id}/statistics")]
pub async fn figures(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: Option<CurrentUser>,
    path: web::Path<String>,
    query: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let presented = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|v| v.trim().to_owned());
    let query = query.into_inner();
    let figures = web::block(move || {
        match (presented, user) {
            (Some(key), _) => keys::authenticate(&state, &id, &key)?,
            (None, Some(user)) => user.require_staff()?,
            (None, None) => {
                return Err(AppError::Unauthorized(
                    "Présentez la clé d'API du partenaire : en-tête Authorization: Bearer cyberdir_…".into(),
                ));
            }
        }
        statistics::of_partner(&state, &id, &query)
    })
    .await??;
    Ok(HttpResponse::Ok().json(figures))
}
