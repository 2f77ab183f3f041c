//! Users and roles (admins).

use crate::http::body::Body;
use actix_web::{HttpResponse, get, patch, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::users::{self, AdminUserView, UserChange};
use crate::error::Problem;
use crate::http::extract::CurrentUser;
use crate::http::paging::{PageQuery, Paging};
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub total: i64,
    pub page: i64,
    pub limit: i64,
    pub results: Vec<AdminUserView>,
}

/// Every account (admins).
#[utoipa::path(tag = "users", params(PageQuery), responses((status = 200, body = UserList), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/users")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let Paging { page, limit } = Paging::of(query.into_inner(), 50, 200)?;
    let state = state.into_inner();
    let (total, results) =
        web::block(move || users::list(&state, &user, "", page, limit)).await??;
    Ok(HttpResponse::Ok().json(UserList {
        total,
        page,
        limit,
        results,
    }))
}

/// Changes a user's role or disables the account (admins; not their own). Disabling ends the
/// user's sessions.
#[utoipa::path(tag = "users", params(("id" = String, Path)), request_body = UserChange, responses((status = 200, body = AdminUserView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<UserChange>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let change = body.into_inner();
    let view = web::block(move || users::change(&state, &user, &id, &change)).await??;
    Ok(HttpResponse::Ok().json(view))
}
