//! `/hsds/`: the directory as Open Referral HSDS 3.0 (read-only, public). These routes follow
//! HSDS's own API description, not `/api/openapi.json`.

use actix_web::{HttpResponse, web};

use crate::error::AppError;
use crate::hsds::taxonomies::{TaxonomyQuery, TermQuery};
use crate::hsds::{self, ListQuery};
use crate::http::problem::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/hsds/", web::get().to(about))
        .route("/hsds", web::get().to(about))
        .route("/hsds/profile", web::get().to(profile))
        .route("/hsds/export.zip", web::get().to(export))
        .route("/hsds/services", web::get().to(services))
        .route("/hsds/services/{id}", web::get().to(service))
        .route("/hsds/organizations", web::get().to(organizations))
        .route("/hsds/organizations/{id}", web::get().to(organization))
        .route(
            "/hsds/service_at_locations",
            web::get().to(service_at_locations),
        )
        .route(
            "/hsds/service_at_locations/{id}",
            web::get().to(service_at_location),
        )
        .route("/hsds/taxonomies", web::get().to(taxonomies))
        .route("/hsds/taxonomies/{id}", web::get().to(taxonomy))
        .route("/hsds/taxonomy_terms", web::get().to(taxonomy_terms))
        .route("/hsds/taxonomy_terms/{id}", web::get().to(taxonomy_term))
        // Anything else under /hsds/ answers as the API does, never with a page.
        .route("/hsds/{rest:.*}", web::route().to(elsewhere));
}

/// A JSON body already rendered.
fn json(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}

async fn taxonomies(query: web::Query<TaxonomyQuery>) -> Result<HttpResponse, ApiError> {
    Ok(json(hsds::taxonomies::taxonomies(&query)?))
}

async fn taxonomy(path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    Ok(json(hsds::taxonomies::taxonomy(&path)?))
}

async fn taxonomy_terms(
    state: web::Data<AppState>,
    query: web::Query<TermQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(json(hsds::taxonomies::taxonomy_terms(&state, &query)?))
}

async fn taxonomy_term(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(json(hsds::taxonomies::taxonomy_term(&state, &path)?))
}

/// An address under /hsds/ that serves nothing, or a method other than GET.
async fn elsewhere(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    use actix_web::http::Method;
    if req.method() != Method::GET && req.method() != Method::HEAD {
        Err(AppError::MethodNotAllowed("Les données ouvertes se lisent avec GET.".into()).into())
    } else {
        Err(AppError::not_found(
            "Aucune ressource HSDS à cette adresse : voir /hsds/ pour la liste des points d'accès.",
        )
        .into())
    }
}

type Lister = fn(&crate::infra::Infra, &hsds::View, &ListQuery) -> Result<String, AppError>;
type Finder = fn(&crate::infra::Infra, &hsds::View, &str) -> Result<String, AppError>;

/// The open data in memory: at once when the directory is fresh and its records built, else
/// on the blocking pool (reading the change counters, building the records).
async fn view(state: &web::Data<AppState>) -> Result<hsds::View, AppError> {
    let published = super::providers::published(state).await?;
    if let Some(view) = state.hsds.ready(&published) {
        return Ok(view);
    }
    let state = state.clone().into_inner();
    web::block(move || state.hsds.view(&state, &state.directory))
        .await
        .map_err(crate::http::problem::blocking_failed)?
}

/// A page of a list: a filter and a copy in memory, on the worker.
async fn list(
    state: web::Data<AppState>,
    query: ListQuery,
    lister: Lister,
) -> Result<HttpResponse, ApiError> {
    let view = view(&state).await?;
    let page = lister(&state, &view, &query)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(page))
}

async fn find(
    state: web::Data<AppState>,
    id: String,
    finder: Finder,
) -> Result<HttpResponse, ApiError> {
    let view = view(&state).await?;
    let record = finder(&state, &view, &id)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(record))
}

async fn about(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(hsds::about(&state))
}

async fn services(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    list(state, query.into_inner(), hsds::services).await
}

async fn organizations(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    list(state, query.into_inner(), hsds::organizations).await
}

async fn service_at_locations(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    list(state, query.into_inner(), hsds::service_at_locations).await
}

async fn service(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    find(state, path.into_inner(), hsds::service).await
}

async fn organization(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    find(state, path.into_inner(), hsds::organization).await
}

async fn service_at_location(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    find(state, path.into_inner(), hsds::service_at_location).await
}

/// The profile: how cyberdir maps its directory to HSDS, and what HSDS does not have.
async fn profile() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/markdown; charset=utf-8")
        .body(include_str!("../../docs/hsds.md"))
}

/// The whole directory as a zip of HSDS JSON files, with a README and the licence.
async fn export(
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let file = web::block(move || state.hsds.archive.current(&state, &state.directory)).await??;
    let file = actix_files::NamedFile::from_file(file, "annuaire-hsds.zip")
        .map_err(|e| AppError::Internal(format!("export: {e}")))?;
    Ok(file.into_response(&request))
}
