//! The web crate's state: the services' infrastructure and each feature's own state, side by
//! side. Handlers hand each service what its signature asks for, nothing more; below this
//! crate no function sees the whole.

use std::ops::Deref;
use std::sync::Arc;

use handlebars::Handlebars;

use crate::clock::Clock;
use crate::config::Config;
use crate::diagnostic::Memory as DiagnosticMemory;
use crate::directory::index::DirectoryIndex;
use crate::infra::{self, Infra, StartupError};
use crate::label::criteria::Framework;
use crate::observatory::cube::Cube;
use crate::partners::registry::Registry;
use crate::referencing::charter::Charter;
use crate::uploads::UploadBudget;

pub struct AppState {
    pub infra: Arc<Infra>,
    /// The published directory in memory (the directory feature's).
    pub directory: Arc<DirectoryIndex>,
    /// The diagnostic's trees in force and the journeys this process saw lately.
    pub diagnostic: Arc<DiagnosticMemory>,
    /// The directory as HSDS open data, in memory until the directory changes.
    pub hsds: Arc<crate::hsds::Cache>,
    /// The partners, in memory for the module's pages.
    pub partners: Arc<Registry>,
    /// The observatory's facts in memory, caught up on each read.
    pub observatory: Arc<Cube>,
    /// The charter version providers must accept now.
    pub charter: Arc<Charter>,
    /// The ExpertCyber reference framework in force.
    pub criteria: Arc<Framework>,
    /// The pages' templates.
    pub templates: Arc<Handlebars<'static>>,
    /// The memory uploads in flight may hold (`http::multipart`).
    pub uploads: Arc<UploadBudget>,
    /// Wakes the chat's event streams (on PostgreSQL, from every node through `LISTEN`).
    pub chat: Arc<crate::chat::hub::Hub>,
}

/// The infrastructure is what every handler reaches for first (pool, clock, settings).
impl Deref for AppState {
    type Target = Infra;

    fn deref(&self) -> &Infra {
        &self.infra
    }
}

/// Opens the database, applies migrations and loads the reference data and each feature's
/// state (idempotent).
pub fn prepare(config: Config, clock: Clock) -> Result<AppState, StartupError> {
    let (infra, checkins) = infra::open(config, clock)?;
    let diagnostic = DiagnosticMemory::load(&infra)?;
    let charter = crate::referencing::charter::in_force()?;
    let criteria = Framework::from_fixture().map_err(StartupError::Criteria)?;
    let templates = crate::templates::registry("pages/", true, &infra.config.service_name)?;
    let upload_bytes = infra.config.upload_memory_mb as usize * 1024 * 1024;
    let chat = Arc::new(crate::chat::hub::Hub::default());
    #[cfg(feature = "postgres")]
    if ["postgres://", "postgresql://"]
        .iter()
        .any(|p| infra.config.database_url.starts_with(p))
    {
        crate::chat::hub::listen(infra.config.database_url.clone(), &chat)
            .map_err(StartupError::Thread)?;
    }
    Ok(AppState {
        chat,
        directory: Arc::new(DirectoryIndex::new(Some(checkins))),
        diagnostic: Arc::new(diagnostic),
        hsds: Arc::default(),
        partners: Arc::new(Registry::new(infra.clock.clone())),
        observatory: Arc::default(),
        charter: Arc::new(charter),
        criteria: Arc::new(criteria),
        templates: Arc::new(templates),
        uploads: Arc::new(UploadBudget::new(upload_bytes)),
        infra: Arc::new(infra),
    })
}

impl AppState {
    /// What `/metrics` answers: the gauges read now, with each cache this node holds (blocking).
    pub fn metrics_exposition(&self) -> Result<String, crate::error::AppError> {
        use crate::db::counters;
        use crate::monitoring::{CacheSeen, Committed, exposition};
        exposition(
            &self.infra,
            &[
                CacheSeen {
                    name: "directory",
                    built: self.directory.built.get(),
                    committed: Committed::Counter(counters::DIRECTORY),
                },
                CacheSeen {
                    name: "hsds",
                    built: self.hsds.built.get(),
                    committed: Committed::Counter(counters::DIRECTORY),
                },
                CacheSeen {
                    name: "content",
                    built: self.infra.content_store.built.get(),
                    committed: Committed::Counter(counters::CONTENT),
                },
                CacheSeen {
                    name: "diagnostic",
                    built: self.diagnostic.trees.built.get(),
                    committed: Committed::Counter(counters::DIAGNOSTIC),
                },
                CacheSeen {
                    name: "observatory",
                    built: self.observatory.built.get(),
                    committed: Committed::ObservatoryRevision,
                },
            ],
        )
    }

    /// Every scheduled job once, given what each reads (`cyberdir jobs run`, the serving
    /// process's timer, the tests).
    pub fn run_jobs(&self) -> Result<crate::jobs::JobReport, crate::error::AppError> {
        crate::jobs::run_once(
            &self.infra,
            &self.directory,
            &self.charter,
            &self.observatory,
            &self.chat,
        )
    }

    /// The oldest correction of an open-data file due, computed (`cyberdir jobs run`, the
    /// serving process's corrections thread, the tests).
    pub fn run_corrections(&self) -> Result<crate::jobs::JobReport, crate::error::AppError> {
        crate::jobs::corrections_pass(&self.infra, &self.observatory)
    }
}
