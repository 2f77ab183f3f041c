//! The infrastructure the feature services share, opened once at start-up by [`open`]. It
//! imports no feature's state: what a service reads beyond it is in its signature.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, DbTarget, Pool};
use crate::domain::departements::Departements;
use crate::domain::taxonomy::{self, Taxonomy};
use crate::{auth, mail};

/// The infrastructure every feature service may use: the pool, the clock, the settings, the
/// reference data read by all (incident types, départements), the mailer and the signing key.
/// A feature's own state (the directory index, the diagnostic trees, the observatory cube, the
/// HSDS cache, the partner registry, the charter, the label's framework) is not here: it is
/// owned by its feature and passed, by the web crate, to the functions that read it.
pub struct Infra {
    pub pool: Pool,
    pub config: Config,
    pub clock: Clock,
    pub backend: &'static str,
    pub taxonomy: Arc<Taxonomy>,
    pub departements: Arc<Departements>,
    /// The reviewed advice and contacts in force (fiches, registry, quizzes): read it with
    /// [`Infra::content`].
    pub content_store: crate::content::store::ContentStore,
    pub mailer: Arc<mail::Mailer>,
    /// Signs the accept/decline links sent to providers (shared by every process through the
    /// database).
    pub link_key: Vec<u8>,
    /// Work done after the answer (see `background`).
    pub background: crate::background::Background,
    /// What this node tells Prometheus (`GET /metrics`).
    pub metrics: crate::metrics::Metrics,
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
    #[error("fixtures/content (fiches et contacts) :\n{0}")]
    Content(String),
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    #[error("templates: {0}")]
    Templates(#[from] handlebars::TemplateError),
    #[error("cannot start a background thread: {0}")]
    Thread(std::io::Error),
}

/// Opens the database, applies migrations and loads the reference data (idempotent). Also
/// returns the pool's check-in counter, which the directory index reads to know when the
/// directory may have moved.
pub fn open(config: Config, clock: Clock) -> Result<(Infra, db::PoolCheckins), StartupError> {
    let target = DbTarget::parse(&config.database_url)?;
    let (pool, checkins) = db::connect_counting_checkins(&target, config.db_pool_size)?;
    let mut conn = pool.get().map_err(db::DbSetupError::Pool)?;
    let applied = db::run_migrations(&mut conn)?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    let filled = db::providers::fill_staff_keys(&mut conn)?;
    if filled > 0 {
        tracing::info!(filled, "staff search keys filled");
    }
    let filled = db::assistance::fill_search_words(&mut conn)?;
    if filled > 0 {
        tracing::info!(filled, "assistance requests' search words filled");
    }
    let mut taxonomy = Taxonomy::from_fixture()?;
    db::incident_types::sync(&mut conn, &taxonomy)?;
    let departements = Departements::from_fixture().map_err(StartupError::Departements)?;
    let content = crate::content::shipped(&taxonomy).map_err(StartupError::Content)?;
    crate::content::advise(&mut taxonomy, &content.library);
    let content_store = crate::content::store::ContentStore::new(content);
    content_store
        .open(&mut conn, &taxonomy, clock.now_naive())
        .map_err(|e| StartupError::Content(e.to_string()))?;
    let fresh_key =
        auth::tokens::random_token().map_err(|e| StartupError::Secret(e.to_string()))?;
    let link_key =
        db::assistance::secret(&mut conn, "link_signing", &fresh_key, clock.now_naive())?
            .into_bytes();
    drop(conn);
    let mut metrics = crate::metrics::Metrics::new(target.backend_name())?;
    if let Some(waits) = checkins.waits() {
        metrics.register("db_pool_wait_seconds", Box::new(waits.wait_seconds.clone()))?;
        metrics.register("db_pool_timeouts_total", Box::new(waits.timeouts.clone()))?;
    }
    metrics.pool_max.set(i64::from(config.db_pool_size));
    let infra = Infra {
        pool,
        backend: target.backend_name(),
        clock,
        taxonomy: Arc::new(taxonomy),
        departements: Arc::new(departements),
        content_store,
        mailer: Arc::new(mail::Mailer::new(&config.base_url, &config.service_name)?),
        link_key,
        background: crate::background::Background::default(),
        metrics,
        config,
    };
    Ok((infra, checkins))
}

impl Infra {
    /// The content in force (fiches, contacts, quizzes), from memory.
    pub fn content(&self) -> Arc<crate::content::Content> {
        self.content_store.get()
    }

    /// Looks for content published by another process (the scheduler's tick).
    pub fn refresh_content(&self) -> Result<(), crate::error::AppError> {
        let mut conn = self.pool.get()?;
        self.content_store.refresh(&mut conn, &self.taxonomy)
    }
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
pub fn readiness(state: &Infra) -> Result<Readiness, crate::error::AppError> {
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
