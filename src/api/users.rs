//! Users and roles (admins).

use actix_web::{HttpResponse, get, patch, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Role;
use crate::auth::extract::CurrentUser;
use crate::db::accounts::{self, UserRow};
use crate::error::{AppError, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserView {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub email_verified: bool,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

impl AdminUserView {
    pub fn of(u: UserRow) -> Self {
        Self {
            role: Role::parse(&u.role).unwrap_or(Role::Provider),
            email_verified: u.email_verified_at.is_some(),
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            disabled: u.disabled,
            created_at: u.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub total: i64,
    pub page: i64,
    pub limit: i64,
    pub results: Vec<AdminUserView>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UserQuery {
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

/// Every account (admins).
#[utoipa::path(tag = "users", params(UserQuery), responses((status = 200, body = UserList), (status = 403, body = Problem)))]
#[get("/users")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<UserQuery>,
) -> Result<HttpResponse, AppError> {
    user.require_admin()?;
    let page = query.page.unwrap_or(1).max(1);
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let state = state.into_inner();
    let (total, rows) = web::block(move || -> Result<_, AppError> {
        let mut conn = state.pool.get()?;
        Ok(accounts::list_users(&mut conn, limit, (page - 1) * limit)?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(UserList {
        total,
        page,
        limit,
        results: rows.into_iter().map(AdminUserView::of).collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct UserChange {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// Changes a user's role or disables the account (admins; not their own). Disabling ends the
/// user's sessions.
#[utoipa::path(tag = "users", params(("id" = String, Path)), request_body = UserChange, responses((status = 200, body = AdminUserView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<UserChange>,
) -> Result<HttpResponse, AppError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let change = body.into_inner();
    let view = web::block(move || change_user(&state, &user, &id, &change)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Shared by the API and the admin page.
pub fn change_user(
    state: &AppState,
    admin: &CurrentUser,
    id: &str,
    change: &UserChange,
) -> Result<AdminUserView, AppError> {
    admin.require_admin()?;
    if admin.id == id {
        return Err(AppError::forbidden(
            "Vous ne pouvez pas modifier votre propre compte : demandez à un autre administrateur.",
        ));
    }
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let current = accounts::user_by_id(conn, id)?
            .ok_or_else(|| AppError::not_found("Utilisateur introuvable."))?;
        let role = change
            .role
            .map(Role::as_str)
            .unwrap_or(current.role.as_str())
            .to_owned();
        let disabled = change.disabled.unwrap_or(current.disabled);
        accounts::set_role_and_disabled(conn, id, &role, disabled, now)?;
        if disabled || change.role.is_some() {
            accounts::delete_sessions_of(conn, id)?;
        }
        let updated = accounts::user_by_id(conn, id)?
            .ok_or_else(|| AppError::not_found("Utilisateur introuvable."))?;
        Ok(AdminUserView::of(updated))
    })
}
