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

pub mod assistance;
pub mod browser;
pub mod html;
pub mod label;
pub mod observatory;
pub mod pages;
pub mod partners;
pub mod referencing;
pub mod sse;

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
    if dir.join("base-officielle-codes-postaux.csv").is_file() {
        Some(dir)
    } else {
        shared_absent("../shared/geo (the official geography)");
        None
    }
}

/// A test whose data in `../shared/` is absent: skipped on a developer's machine, with a word,
/// and a failure on CI (`CI=true`), which always has it: a test never passes without running.
pub fn shared_absent(what: &str) {
    assert!(
        !on_ci(),
        "{what} is absent, and CI must run every test: is ../shared beside the repository?"
    );
    eprintln!("skipped: {what} is absent");
}

/// Whether the tests run on CI (`CI` set to anything but `false` or `0`).
pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
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
        Self::spawn_with(db, &[]).await
    }

    /// A server with extra settings (`("ASSIGNMENT_TIMEOUT", "30m")`, ...).
    pub async fn spawn_with(db: std::sync::Arc<TestDb>, settings: &[(&str, &str)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        Self::spawn_on_listener(db, settings, listener).await
    }

    /// A server whose public address (`CYBERDIR_BASE_URL`) is the one it listens on, for pages
    /// that other origins load (the partner module in a frame).
    pub async fn spawn_addressed() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let db = std::sync::Arc::new(TestDb::new());
        Self::spawn_on_listener(db, &[("CYBERDIR_BASE_URL", &address)], listener).await
    }

    async fn spawn_on_listener(
        db: std::sync::Arc<TestDb>,
        settings: &[(&str, &str)],
        listener: TcpListener,
    ) -> Self {
        let clock = Clock::fixed(start_of_tests());
        let url = db.url.clone();
        let prepare_clock = clock.clone();
        let settings: Vec<(String, String)> = settings
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let state = tokio::task::spawn_blocking(move || {
            let extra: Vec<(&str, &str)> = settings
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            prepare(test_config(&url, &extra), prepare_clock)
        })
        .await
        .unwrap()
        .expect("prepare");
        let pool = state.pool.clone();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let data = actix_web::web::Data::new(state);
        let server = serve_data(data.clone(), listener);
        tokio::spawn(server);
        Self {
            address,
            state: data,
            pool,
            clock,
            client: client().build().unwrap(),
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

    /// Imports the geography shipped in the repository (`fixtures/geo`), as a first start does.
    pub async fn import_bundled_geo(&self) {
        let pool = self.pool.clone();
        let now = self.clock.now_naive();
        tokio::task::spawn_blocking(move || cyberdir::geo::bundled::import(&pool, now))
            .await
            .unwrap()
            .expect("bundled geography");
    }

    /// Imports the official files from ../shared/geo; false (with a printed reason) when absent.
    pub async fn import_shared_geo(&self) -> bool {
        let Some(dir) = shared_geo_dir() else {
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
        status: cyberdir::domain::label::LabelStatus::parse(status).expect("a label status"),
        valid_from,
        valid_until: valid_from + chrono::Months::new(24),
        renewal_until: None,
    }
}

/// A real SMTP server on loopback (aiosmtpd), writing each message it receives as JSON.
pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<std::process::Child>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReceivedMail {
    pub rcpt_to: Vec<String>,
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    pub html: String,
}

impl SmtpSink {
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut sink = Self {
            port,
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        sink.resume();
        sink
    }

    /// Starts (again) on the same port, keeping what was received.
    pub fn resume(&mut self) {
        use std::io::BufRead;
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = std::process::Command::new("/usr/bin/python3")
            .arg(&script)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("/usr/bin/python3 with aiosmtpd (apt-get install python3-aiosmtpd; scripts/test does it)");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "SMTP sink did not start (is python3-aiosmtpd installed?)"
        );
        self.child = Some(child);
    }

    /// Stops the server: connections are refused until `resume`.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in order of arrival.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }

    pub fn messages_to(&self, address: &str) -> Vec<ReceivedMail> {
        self.messages()
            .into_iter()
            .filter(|m| m.rcpt_to.iter().any(|r| r == address))
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Drop for TestApp {
    /// Work done after an answer ends before the test's database goes.
    fn drop(&mut self) {
        self.state
            .background
            .wait_idle(std::time::Duration::from_secs(10));
    }
}

impl TestApp {
    /// One delivery pass of the outbox to `sink`, as the worker would do.
    pub async fn deliver_to(&self, sink: &SmtpSink) -> cyberdir::mail::delivery::DeliveryReport {
        self.deliver_with(Some(&sink.url()), std::path::Path::new("unused"))
            .await
    }

    /// One delivery pass writing `.eml` files in `dir`, as the worker does without SMTP.
    pub async fn deliver_to_files(
        &self,
        dir: &std::path::Path,
    ) -> cyberdir::mail::delivery::DeliveryReport {
        self.deliver_with(None, dir).await
    }

    async fn deliver_with(
        &self,
        smtp_url: Option<&str>,
        dir: &std::path::Path,
    ) -> cyberdir::mail::delivery::DeliveryReport {
        let delivery = cyberdir::mail::delivery::Delivery {
            pool: self.pool.clone(),
            clock: self.clock.clone(),
            transport: cyberdir::mail::delivery::Transport::from_settings(smtp_url, dir).unwrap(),
            from: "cyberdir <ne-pas-repondre@cyberdir.localhost>"
                .parse()
                .unwrap(),
            metrics: self.state.metrics.clone(),
        };
        tokio::task::spawn_blocking(move || delivery.deliver_once())
            .await
            .unwrap()
            .expect("delivery pass")
    }

    /// The messages to `address` once there are `count` of them: for emails written off the
    /// request path (the password reset), delivered pass after pass for up to 10 s.
    pub async fn mails_to(
        &self,
        sink: &SmtpSink,
        address: &str,
        count: usize,
    ) -> Vec<ReceivedMail> {
        for _ in 0..100 {
            self.deliver_to(sink).await;
            let mails = sink.messages_to(address);
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("fewer than {count} emails reached {address}");
    }

    /// A JSON POST from our own pages.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }
}

/// Pulls the token out of a link like `.../verification?token=abc` in an email body.
pub fn token_in(text: &str) -> String {
    let start = text.find("token=").expect("a link with a token") + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// A browser-like client that keeps its cookies (one per signed-in user).
pub struct Session {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf_token: String,
    pub user_id: String,
}

impl Session {
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn post(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    pub async fn patch(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::PATCH, path, body).await
    }

    pub async fn put(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }

    /// A multipart upload: text fields plus one `file`, with the session's CSRF header.
    pub async fn upload(
        &self,
        path: &str,
        texts: &[(&str, &str)],
        filename: &str,
        bytes: Vec<u8>,
    ) -> (u16, serde_json::Value) {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in texts {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(filename.to_owned()),
        );
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf_token)
            .multipart(form)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = self
            .client
            .request(method, format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }
}

/// The test clients' common builder. Idle connections are dropped after 2 s,
/// before the server's 5 s keep-alive closes them: reusing one the server is
/// closing at that instant fails the request (`IncompleteMessage`), which a
/// test with a long pause between two requests met on CI.
pub fn client() -> reqwest::ClientBuilder {
    reqwest::Client::builder().pool_idle_timeout(std::time::Duration::from_secs(2))
}

pub fn cookie_client() -> reqwest::Client {
    client().cookie_store(true).build().unwrap()
}

pub const TEST_PASSWORD: &str = "trois pommes vertes";

impl TestApp {
    /// A verified account with `role`, signed in.
    pub async fn user(&self, email: &str, role: cyberdir::auth::Role) -> Session {
        let state = self.state.clone();
        let address = email.to_owned();
        tokio::task::spawn_blocking(move || {
            cyberdir::auth::accounts::create_user(
                &state,
                &address,
                role,
                TEST_PASSWORD,
                "Utilisateur de test",
            )
        })
        .await
        .unwrap()
        .expect("create user");
        self.log_in(email, TEST_PASSWORD).await
    }

    /// A provider account that is a member (owner) of `provider_id`, signed in.
    pub async fn member_of(&self, provider_id: &str, email: &str) -> Session {
        let session = self.user(email, cyberdir::auth::Role::Provider).await;
        let (provider_id, user_id) = (provider_id.to_owned(), session.user_id.clone());
        let now = self.clock.now_naive();
        self.with_conn(move |c| {
            cyberdir::db::accounts::add_member(c, &provider_id, &user_id, true, now).unwrap();
        })
        .await;
        session
    }

    /// One pass of the scheduled jobs, as `cyberdir jobs run` does.
    pub async fn run_jobs(&self) -> cyberdir::jobs::JobReport {
        let state = self.state.clone().into_inner();
        tokio::task::spawn_blocking(move || state.run_jobs())
            .await
            .unwrap()
            .expect("scheduled jobs")
    }

    /// One pass of the open-data corrections' thread: how many corrections it computed.
    pub async fn run_corrections(&self) -> usize {
        let state = self.state.clone().into_inner();
        tokio::task::spawn_blocking(move || state.run_corrections())
            .await
            .unwrap()
            .expect("corrections' pass")
            .open_data_corrections
    }

    pub async fn log_in(&self, email: &str, password: &str) -> Session {
        let client = cookie_client();
        let response = client
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "log-in of {email}");
        let body: serde_json::Value = response.json().await.unwrap();
        Session {
            client,
            base: self.address.clone(),
            csrf_token: body["csrf_token"].as_str().unwrap().to_owned(),
            user_id: body["user"]["id"].as_str().unwrap().to_owned(),
        }
    }
}
