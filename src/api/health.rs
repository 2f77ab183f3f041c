//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;

use crate::error::AppError;
use crate::http::problem::ApiError;
use crate::infra::readiness;
use crate::state::AppState;

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

/// The process is up.
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers and the reference data is loaded.
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let readiness = web::block(move || readiness(&state)).await?;
    match readiness {
        Ok(r) if r.incident_types > 0 && r.departements > 0 => Ok(HttpResponse::Ok().json(r)),
        Ok(_) => Err(AppError::Unavailable("reference data not loaded".into()).into()),
        Err(e) => Err(AppError::Unavailable(e.to_string()).into()),
    }
}
