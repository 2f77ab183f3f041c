//! Staff view of the email outbox: failed messages and sending them again.

use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Problem;
use crate::http::extract::CurrentUser;
use crate::http::paging::{PageQuery, Paging};
use crate::http::problem::ApiError;
use crate::mail::outbox;
use crate::mail::outbox::{OutboxRow, OutboxStatus};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessageView {
    pub id: String,
    pub template: String,
    pub recipient: String,
    pub subject: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub next_attempt_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

impl From<OutboxRow> for OutboxMessageView {
    fn from(r: OutboxRow) -> Self {
        Self {
            id: r.id,
            template: r.template,
            recipient: r.recipient,
            subject: r.subject,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: r.created_at,
            next_attempt_at: r.next_attempt_at,
            sent_at: r.sent_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxList {
    pub total: i64,
    pub page: i64,
    pub limit: i64,
    pub results: Vec<OutboxMessageView>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OutboxQuery {
    /// `failed` (default), `pending` or `sent`.
    pub status: Option<String>,
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

/// Emails by delivery status (staff).
#[utoipa::path(tag = "outbox", params(OutboxQuery), responses((status = 200, body = OutboxList), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/outbox")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let status = query.status.clone();
    let paging = PageQuery {
        page: query.page,
        limit: query.limit,
    };
    let Paging { page, limit } = Paging::of(paging, 20, 100)?;
    let state = state.into_inner();
    let (total, rows) =
        web::block(move || outbox::list_named(&state, &user, status.as_deref(), page, limit))
            .await??;
    Ok(HttpResponse::Ok().json(OutboxList {
        total,
        page,
        limit,
        results: rows.into_iter().map(Into::into).collect(),
    }))
}

/// Sends a failed email again (staff).
#[utoipa::path(
    tag = "outbox",
    params(("id" = String, Path, description = "Outbox message id")),
    responses((status = 200, body = OutboxMessageView), (status = 404, body = Problem), (status = 409, body = Problem))
)]
#[post("/outbox/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let state = state.into_inner();
    let row = web::block(move || outbox::retry(&state, &user, &id, None)).await??;
    Ok(HttpResponse::Ok().json(OutboxMessageView::from(row)))
}
