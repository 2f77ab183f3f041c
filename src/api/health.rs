//! Liveness and readiness probes, and the metrics Prometheus reads.

use actix_web::{HttpRequest, HttpResponse, get, web};
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

/// The node's metrics in the Prometheus text format, to the addresses `CYBERDIR_METRICS_ALLOW`
/// lists (the client's address behind the trusted proxies); anyone else is told there is no
/// such page. See `docs/operations.md`.
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let settings = &state.config.metrics;
    let allowed = settings.enabled
        && crate::http::client::client_ip(&req, &state.config.proxies)
            .is_some_and(|ip| settings.allow.iter().any(|block| block.contains(ip)));
    if !allowed {
        return Err(AppError::not_found("Page introuvable.").into());
    }
    let state = state.into_inner();
    let text = web::block(move || state.metrics_exposition()).await??;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
