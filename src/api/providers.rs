//! Public search and provider profiles.

use std::sync::Arc;

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::directory::index::Published;
use crate::directory::render::{ProviderView, SearchResponse};
use crate::directory::search::{SearchParams, SearchRequest};
use crate::directory::{self};
use crate::error::{AppError, Problem};
use crate::http::problem::ApiError;
use crate::state::AppState;

/// The directory and geography in memory: at once when fresh, else after reading the change
/// counters on the blocking pool.
pub async fn published(state: &web::Data<AppState>) -> Result<Arc<Published>, AppError> {
    if let Some(published) = directory::fresh(&state.directory) {
        return Ok(published);
    }
    let state = state.clone().into_inner();
    web::block(move || directory::published(&state, &state.directory))
        .await
        .map_err(crate::http::problem::blocking_failed)?
}

/// Providers whose zone covers the place and who handle the incident and audience, nearest first.
#[utoipa::path(
    tag = "providers",
    params(SearchParams),
    responses(
        (status = 200, body = SearchResponse),
        (status = 404, description = "Unknown postcode or commune", body = Problem),
        (status = 422, description = "Invalid or missing parameter", body = Problem),
    )
)]
#[get("/providers")]
pub async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let request = SearchRequest::parse(&params, &state)?;
    let published = published(&state).await?;
    // In memory only: a few microseconds for the real directory, fine on the worker.
    let body = directory::search_answer(&state, &published, &request, req.query_string())?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}

/// A published provider's public profile.
#[utoipa::path(
    tag = "providers",
    params(("id" = String, Path, description = "Provider id")),
    responses((status = 200, body = ProviderView), (status = 404, body = Problem))
)]
#[get("/providers/{id}")]
pub async fn profile(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let published = published(&state).await?;
    let view = directory::profile(&state, &published, &path)?;
    Ok(HttpResponse::Ok().json(view))
}
