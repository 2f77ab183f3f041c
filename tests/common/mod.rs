//! Test harness: a real server on a random port over a fresh database of the backend chosen by
//! `CYBERDIR_TEST_BACKEND` (`sqlite`, the default, or `postgres`).
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use cyberdir::clock::Clock;
use cyberdir::config::Config;
use cyberdir::db::{DbConnection, Pool};
use cyberdir::domain::audience::Audience;
use cyberdir::domain::provider::{LabelSummary, Provider, ReferencingStatus};
use cyberdir::domain::zone::Zone;
use cyberdir::{AppState, prepare};

pub const PG_ADMIN_URL_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    match std::env::var("CYBERDIR_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("CYBERDIR_TEST_BACKEND={other}: expected sqlite or postgres"),
    }
}

/// A database that exists for one test and is dropped after it.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

fn pg_admin_url() -> String {
    std::env::var("CYBERDIR_TEST_PG_URL").unwrap_or_else(|_| PG_ADMIN_URL_DEFAULT.to_owned())
}

impl TestDb {
    pub fn new() -> Self {
        Self::for_backend(backend())
    }

    pub fn for_backend(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("cyberdir.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("cyberdir_test_{}", uuid::Uuid::new_v4().simple());
                pg_admin(&format!("CREATE DATABASE {name}"));
                let admin = pg_admin_url();
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                Self {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }
}

#[cfg(feature = "postgres")]
fn pg_admin(sql: &str) {
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, PgConnection};
    let mut conn = PgConnection::establish(&pg_admin_url())
        .unwrap_or_else(|e| panic!("PostgreSQL at {} is not reachable: {e}", pg_admin_url()));
    conn.batch_execute(sql).expect(sql);
}

#[cfg(not(feature = "postgres"))]
fn pg_admin(_sql: &str) {
    panic!("CYBERDIR_TEST_BACKEND=postgres needs `cargo test --features postgres`");
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            #[cfg(feature = "postgres")]
            {
                use diesel::connection::SimpleConnection;
                use diesel::{Connection, PgConnection};
                if let Ok(mut conn) = PgConnection::establish(&pg_admin_url()) {
                    let _ =
                        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
            let _ = name;
        }
    }
}

/// The official geography files beside the project, if present.
pub fn shared_geo_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/geo");
    dir.join("base-officielle-codes-postaux.csv")
        .is_file()
        .then_some(dir)
}

pub struct TestApp {
    pub address: String,
    pub state: actix_web::web::Data<AppState>,
    pub pool: Pool,
    pub clock: Clock,
    pub client: reqwest::Client,
    pub db: std::sync::Arc<TestDb>,
}

pub fn test_config(database_url: &str, extra: &[(&str, &str)]) -> Config {
    let mut env: HashMap<String, String> = HashMap::new();
    env.insert("DATABASE_URL".into(), database_url.into());
    env.insert("CYBERDIR_DB_POOL_SIZE".into(), "4".into());
    for (k, v) in extra {
        env.insert((*k).into(), (*v).into());
    }
    Config::from_lookup(|k| env.get(k).cloned()).expect("test config")
}

/// The instant tests start at (a fixed clock they can move).
pub fn start_of_tests() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

impl TestApp {
    /// A server over a fresh, empty database (reference data loaded, no provider).
    pub async fn spawn() -> Self {
        Self::spawn_on(std::sync::Arc::new(TestDb::new())).await
    }

    /// Another server over the same database (as a second `cyberdir` process would be).
    pub async fn spawn_on(db: std::sync::Arc<TestDb>) -> Self {
        let clock = Clock::fixed(start_of_tests());
        let url = db.url.clone();
        let prepare_clock = clock.clone();
        let state =
            tokio::task::spawn_blocking(move || prepare(test_config(&url, &[]), prepare_clock))
                .await
                .unwrap()
                .expect("prepare");
        let pool = state.pool.clone();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let data = actix_web::web::Data::new(state);
        let server = serve_data(data.clone(), listener);
        tokio::spawn(server);
        Self {
            address,
            state: data,
            pool,
            clock,
            client: reqwest::Client::new(),
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }

    pub fn conn(&self) -> cyberdir::db::PooledConnection {
        self.pool.get().expect("connection")
    }

    /// Runs blocking database work off the async executor.
    pub async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> T + Send + 'static,
    ) -> T {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().expect("connection");
            f(&mut conn)
        })
        .await
        .unwrap()
    }

    pub async fn insert(&self, provider: Provider) {
        let now = self.clock.now_naive();
        self.with_conn(move |c| cyberdir::db::providers::insert(c, &provider, now))
            .await
            .expect("insert provider");
    }

    /// Imports the official files from ../shared/geo; false (with a printed reason) when absent.
    pub async fn import_shared_geo(&self) -> bool {
        let Some(dir) = shared_geo_dir() else {
            eprintln!("skipped: ../shared/geo is absent");
            return false;
        };
        let pool = self.pool.clone();
        let now = self.clock.now_naive();
        tokio::task::spawn_blocking(move || cyberdir::geo::import::import_folder(&pool, &dir, now))
            .await
            .unwrap()
            .expect("geo import");
        true
    }
}

fn serve_data(
    data: actix_web::web::Data<AppState>,
    listener: TcpListener,
) -> actix_web::dev::Server {
    cyberdir::serve_shared(data, listener).expect("server")
}

/// A provider with sensible defaults, to adjust per test.
pub fn provider(id: &str, latitude: f64, longitude: f64, zone: Zone) -> Provider {
    Provider {
        id: id.to_owned(),
        legal_name: format!("{} SAS", id.to_uppercase()),
        name: format!("Prestataire {id}"),
        siret: "73282932000074".into(),
        address_line: "1 rue de la Paix".into(),
        postcode: "35000".into(),
        commune_code: None,
        city: "Rennes".into(),
        latitude,
        longitude,
        phone: "02 99 00 00 00".into(),
        email: format!("contact@{id}.fr"),
        website: None,
        description: "Assistance informatique.".into(),
        audiences: vec![Audience::Particulier, Audience::Entreprise],
        incident_types: vec!["rancongiciel".into(), "hameconnage".into()],
        remote: false,
        zone,
        status: ReferencingStatus::Approved,
        label: None,
    }
}

pub fn label(number: &str, from: (i32, u32, u32), status: &str) -> LabelSummary {
    let valid_from = chrono::NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap();
    LabelSummary {
        number: number.into(),
        status: status.into(),
        valid_from,
        valid_until: valid_from + chrono::Months::new(24),
    }
}
