//! The application's state: the pool, the clock, the reference data and the caches every
//! handler and service may need. Built once at start-up by [`prepare`]; imports no `web` or `api`.

use std::sync::Arc;

use handlebars::Handlebars;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, DbTarget, Pool};
use crate::directory::index::DirectoryIndex;
use crate::domain::taxonomy::{self, Taxonomy};
use crate::geo::departements::Departements;
use crate::{auth, label, mail, referencing};

/// Everything a request handler may need; cheap to share between workers.
pub struct AppState {
    pub pool: Pool,
    pub config: Config,
    pub clock: Clock,
    pub backend: &'static str,
    pub taxonomy: Arc<Taxonomy>,
    pub departements: Arc<Departements>,
    pub directory: Arc<DirectoryIndex>,
    /// The diagnostic's published trees, the version in force in memory.
    pub diagnostic: Arc<crate::diagnostic::trees::Trees>,
    /// The diagnostic's journeys this process saw lately.
    pub journeys: Arc<crate::diagnostic::journeys::Recent>,
    /// The directory as HSDS open data, in memory until the directory changes.
    pub hsds: Arc<crate::hsds::Cache>,
    /// The partners, in memory for the module's pages.
    pub partners: Arc<crate::partners::registry::Registry>,
    /// The observatory's facts in memory, caught up on each read.
    pub observatory: Arc<crate::observatory::cube::Cube>,
    pub templates: Arc<Handlebars<'static>>,
    pub mailer: Arc<mail::Mailer>,
    /// The charter version providers must accept now.
    pub charter: Arc<referencing::charter::Charter>,
    /// The ExpertCyber reference framework in force.
    pub criteria: Arc<label::criteria::Framework>,
    /// Signs the accept/decline links sent to providers (shared by every process through the
    /// database).
    pub link_key: Vec<u8>,
    /// Work done after the answer (see `background`).
    pub background: crate::background::Background,
    /// The memory uploads in flight may hold (`http::multipart`).
    pub uploads: Arc<crate::uploads::UploadBudget>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] db::DbSetupError),
    #[error(transparent)]
    Taxonomy(#[from] taxonomy::TaxonomyError),
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
    #[error("diagnostic: {0}")]
    Diagnostic(String),
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
    let diagnostic = crate::diagnostic::trees::Trees::new(clock.clone());
    crate::diagnostic::trees::install_shipped(&mut conn, &taxonomy, clock.now_naive())?;
    diagnostic
        .refresh(&mut conn, &taxonomy)
        .map_err(|e| StartupError::Diagnostic(e.to_string()))?;
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
        clock: clock.clone(),
        taxonomy: Arc::new(taxonomy),
        departements: Arc::new(departements),
        directory: Arc::new(DirectoryIndex::new(Some(checkins))),
        diagnostic: Arc::new(diagnostic),
        journeys: Arc::new(crate::diagnostic::journeys::Recent::new(clock.clone())),
        partners: Arc::new(crate::partners::registry::Registry::new(clock.clone())),
        hsds: Arc::default(),
        observatory: Arc::default(),
        templates: Arc::new(crate::templates::registry(
            "pages/",
            true,
            &config.service_name,
        )?),
        mailer: Arc::new(mail::Mailer::new(&config.base_url, &config.service_name)?),
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
        background: crate::background::Background::default(),
        uploads: Arc::new(crate::uploads::UploadBudget::new(
            config.upload_memory_mb as usize * 1024 * 1024,
        )),
        config,
    })
}

/// What `/readyz` reports: the database answers and the reference data is loaded.
#[derive(Debug, serde::Serialize)]
pub struct Readiness {
    pub status: &'static str,
    pub database: &'static str,
    pub incident_types: i64,
    pub departements: usize,
    pub communes: i64,
    pub providers: i64,
}

/// Reads the counts `/readyz` reports (blocking).
pub fn readiness(state: &AppState) -> Result<Readiness, crate::error::AppError> {
    let mut conn = state.pool.get()?;
    db::counters::read(&mut conn, db::counters::DIRECTORY)?;
    Ok(Readiness {
        status: "ready",
        database: state.backend,
        incident_types: db::incident_types::count(&mut conn)?,
        departements: state.departements.all().len(),
        communes: db::geo::commune_count(&mut conn)?,
        providers: db::providers::count(&mut conn)?,
    })
}
