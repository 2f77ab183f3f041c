//! Public search and provider profiles.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::domain::audience::Audience;
use crate::domain::provider::{LabelSummary, Provider};
use crate::domain::zone::Zone;
use crate::error::{AppError, Problem};
use crate::geo::location::Location;
use crate::search::{SearchParams, SearchRequest};

/// A provider as the public sees it (the same fields wherever a provider appears).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderView {
    pub id: String,
    pub legal_name: String,
    /// Trade name shown to the public.
    pub name: String,
    pub siret: String,
    pub address_line: String,
    pub postcode: String,
    /// INSEE code of the commune.
    pub commune_code: Option<String>,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    pub phone: String,
    pub email: String,
    pub website: Option<String>,
    pub description: String,
    pub audiences: Vec<Audience>,
    pub incident_types: Vec<String>,
    /// Offers remote assistance.
    pub remote: bool,
    pub zone: Zone,
    /// The ExpertCyber label, or null.
    pub expertcyber: Option<LabelSummary>,
}

impl ProviderView {
    pub fn new(p: &Provider, today: chrono::NaiveDate) -> Self {
        Self {
            id: p.id.clone(),
            legal_name: p.legal_name.clone(),
            name: p.name.clone(),
            siret: p.siret.clone(),
            address_line: p.address_line.clone(),
            postcode: p.postcode.clone(),
            commune_code: p.commune_code.clone(),
            city: p.city.clone(),
            latitude: p.latitude,
            longitude: p.longitude,
            phone: p.phone.clone(),
            email: p.email.clone(),
            website: p.website.clone(),
            description: p.description.clone(),
            audiences: p.audiences.clone(),
            incident_types: p.incident_types.clone(),
            remote: p.remote,
            zone: p.zone.clone(),
            expertcyber: p.label.clone().map(|l| l.as_of(today)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    #[serde(flatten)]
    pub provider: ProviderView,
    /// Great-circle distance from the searched place, km, one decimal.
    pub distance_km: f64,
    /// False for a remote-help provider whose zone does not cover the place.
    pub covers_location: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    pub location: Location,
    pub total: usize,
    pub page: usize,
    pub limit: usize,
    pub results: Vec<SearchResult>,
}

pub fn round_km(km: f64) -> f64 {
    (km * 10.0).round() / 10.0
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
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let request = SearchRequest::parse(&params, &state)?;
    let state = state.into_inner();
    let response = web::block(move || -> Result<SearchResponse, AppError> {
        let outcome = crate::search::run(&state, &request)?;
        let today = state.clock.today();
        let results = outcome
            .matches
            .iter()
            .map(|m| SearchResult {
                provider: ProviderView::new(outcome.snapshot.provider(m), today),
                distance_km: round_km(m.distance_km),
                covers_location: m.covers,
            })
            .collect();
        Ok(SearchResponse {
            location: outcome.location,
            total: outcome.total,
            page: outcome.page,
            limit: outcome.limit,
            results,
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(response))
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
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let state = state.into_inner();
    let view = web::block(move || -> Result<Option<ProviderView>, AppError> {
        let mut conn = state.pool.get()?;
        let snapshot = state.directory.snapshot(&mut conn, &state.taxonomy)?;
        Ok(snapshot
            .get(&id)
            .map(|p| ProviderView::new(p, state.clock.today())))
    })
    .await??;
    view.map(|v| HttpResponse::Ok().json(v))
        .ok_or_else(|| AppError::not_found("Prestataire introuvable."))
}
