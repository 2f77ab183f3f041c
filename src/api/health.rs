//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;

use crate::db::{counters, geo, incident_types, providers};
use crate::error::AppError;
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

#[derive(Serialize)]
struct Readiness {
    status: &'static str,
    database: &'static str,
    incident_types: i64,
    departements: usize,
    communes: i64,
    providers: i64,
}

/// The database answers and the reference data is loaded.
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let state = state.into_inner();
    let readiness = web::block(move || -> Result<Readiness, AppError> {
        let mut conn = state.pool.get()?;
        counters::read(&mut conn, counters::DIRECTORY)?;
        Ok(Readiness {
            status: "ready",
            database: state.backend,
            incident_types: incident_types::count(&mut conn)?,
            departements: state.departements.all().len(),
            communes: geo::commune_count(&mut conn)?,
            providers: providers::count(&mut conn)?,
        })
    })
    .await?;
    match readiness {
        Ok(r) if r.incident_types > 0 && r.departements > 0 => Ok(HttpResponse::Ok().json(r)),
        Ok(_) => Err(AppError::Unavailable("reference data not loaded".into())),
        Err(e) => Err(AppError::Unavailable(e.to_string())),
    }
}
