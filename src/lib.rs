//! cyberdir: the back office of a national cyber-assistance platform. This crate root wires the
//! application together; `main.rs` and the tests share it.

pub mod api;
pub mod assistance;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod geo;
pub mod jobs;
pub mod label;
pub mod mail;
pub mod referencing;
pub mod search;
pub mod seed;
pub mod telemetry;
pub mod templates;
pub mod web;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpResponse, HttpServer, web as aweb};
use handlebars::Handlebars;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{DbTarget, Pool};
use crate::domain::taxonomy::Taxonomy;
use crate::geo::departements::Departements;
use crate::geo::provider_index::DirectoryIndex;

/// Everything a request handler may need; cheap to share between workers.
pub struct AppState {
    pub pool: Pool,
    pub config: Config,
    pub clock: Clock,
    pub backend: &'static str,
    pub taxonomy: Arc<Taxonomy>,
    pub departements: Arc<Departements>,
    pub directory: Arc<DirectoryIndex>,
    pub templates: Arc<Handlebars<'static>>,
    pub mailer: Arc<mail::Mailer>,
    /// The charter version providers must accept now.
    pub charter: Arc<referencing::charter::Charter>,
    /// The ExpertCyber reference framework in force.
    pub criteria: Arc<label::criteria::Framework>,
    /// Signs the accept/decline links sent to providers (shared by every process through the
    /// database).
    pub link_key: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] db::DbSetupError),
    #[error(transparent)]
    Taxonomy(#[from] domain::taxonomy::TaxonomyError),
    #[error("fixtures/departements.json is not valid: {0}")]
    Departements(serde_json::Error),
    #[error("cannot load the reference data: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("fixtures/charter.json: {0}")]
    Charter(String),
    #[error("fixtures/expertcyber_criteria.json: {0}")]
    Criteria(serde_json::Error),
    #[error("cannot create the link signing key: {0}")]
    Secret(String),
    #[error("templates: {0}")]
    Templates(#[from] handlebars::TemplateError),
}

/// Opens the database, applies migrations and loads the reference data (idempotent).
pub fn prepare(config: Config, clock: Clock) -> Result<AppState, StartupError> {
    let target = DbTarget::parse(&config.database_url)?;
    let (pool, checkins) = db::connect_counting_checkins(&target, config.db_pool_size)?;
    let mut conn = pool.get().map_err(db::DbSetupError::Pool)?;
    let applied = db::run_migrations(&mut conn)?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    let taxonomy = Taxonomy::from_fixture()?;
    db::incident_types::sync(&mut conn, &taxonomy)?;
    let departements = Departements::from_fixture().map_err(StartupError::Departements)?;
    let fresh_key =
        auth::tokens::random_token().map_err(|e| StartupError::Secret(e.to_string()))?;
    let link_key =
        db::assistance::secret(&mut conn, "link_signing", &fresh_key, clock.now_naive())?
            .into_bytes();
    drop(conn);
    Ok(AppState {
        pool,
        backend: target.backend_name(),
        clock,
        taxonomy: Arc::new(taxonomy),
        departements: Arc::new(departements),
        directory: Arc::new(DirectoryIndex::new(Some(checkins))),
        templates: Arc::new(web::templates()?),
        mailer: Arc::new(mail::Mailer::new(&config.base_url)?),
        charter: Arc::new(
            referencing::charter::versions()
                .map_err(|e| StartupError::Charter(e.to_string()))?
                .pop()
                .ok_or_else(|| StartupError::Charter("no version".into()))?,
        ),
        criteria: Arc::new(
            label::criteria::Framework::from_fixture().map_err(StartupError::Criteria)?,
        ),
        link_key,
        config,
    })
}

/// Starts the HTTP server on an already bound listener (tests bind port 0).
pub fn serve(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    serve_shared(aweb::Data::new(state), listener)
}

/// Like [`serve`], keeping a handle on the state (tests read the pool and clock through it).
pub fn serve_shared(data: aweb::Data<AppState>, listener: TcpListener) -> std::io::Result<Server> {
    let server = HttpServer::new(move || {
        let (app, openapi) = App::new()
            .into_utoipa_app()
            .openapi(api::ApiDoc::openapi())
            .app_data(data.clone())
            .app_data(api::query_config())
            .app_data(api::path_config())
            .app_data(api::json_config())
            .configure(api::configure)
            .split_for_parts();
        let openapi = aweb::Data::new(openapi);
        app.app_data(openapi)
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add(("X-Frame-Options", "DENY")),
            )
            .wrap(TracingLogger::<telemetry::RequestSpan>::new())
            .service(api::health::healthz)
            .service(api::health::readyz)
            .route("/api/openapi.json", aweb::get().to(openapi_json))
            .configure(web::configure)
            .default_service(aweb::to(web::not_found))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

async fn openapi_json(spec: aweb::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(spec.get_ref())
}
