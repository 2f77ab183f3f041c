//! `GET /api/v1/incident-types`: the taxonomy.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::taxonomy::IncidentType;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct IncidentTypeList<'a> {
    pub total: usize,
    pub results: &'a [IncidentType],
}

/// The incident types victims choose from, most frequent first.
#[utoipa::path(tag = "taxonomy", responses((status = 200, body = IncidentTypeList)))]
#[get("/incident-types")]
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    // Each type's advice is its fiche's in force: an editor's publication shows here at once.
    let content = state.content();
    HttpResponse::Ok().json(IncidentTypeList {
        total: content.incident_types.len(),
        results: &content.incident_types,
    })
}
