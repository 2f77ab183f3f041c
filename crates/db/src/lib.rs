//! Database access: one connection type over SQLite and PostgreSQL, an r2d2 pool, and the
//! embedded migrations. Queries live in one module per subject next to this file.

/// Multi-row INSERT, run on the concrete connection: diesel's `MultiConnection` cannot build
/// batch inserts itself. Usable inside a transaction opened on the `DbConnection`.
macro_rules! batch_insert {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            #[cfg(feature = "sqlite")]
            $crate::DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
            #[cfg(feature = "postgres")]
            $crate::DbConnection::Postgresql(c) => {
                diesel::insert_into($table).values($rows).execute(c)
            }
        }
    };
}

/// Text searches, the same on both databases: `lower` of a text (or of a nullable one), and
/// what was typed made literal for a `LIKE … ESCAPE '\'` pattern.
pub(crate) mod search {
    diesel::define_sql_function!(
        /// `lower` of a text, to search with case ignored.
        fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
    );

    diesel::define_sql_function!(
        /// `lower` of a nullable text (a victim's name and address may be erased).
        #[sql_name = "lower"]
        fn lower_nullable(
            x: diesel::sql_types::Nullable<diesel::sql_types::Text>,
        ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>
    );

    /// `text` with its `\`, `%` and `_` taken literally by a pattern escaped with `\`.
    pub(crate) fn literal(text: &str) -> String {
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    }
}

pub mod accounts;
pub mod assistance;
pub mod audit;
pub mod audit_drafts;
pub mod case_messages;
pub mod cases;
pub mod chat;
pub mod content;
pub mod counters;
pub mod diagnostic;
pub mod geo;
pub mod incident_types;
pub mod introspect;
pub mod label_queue;
pub mod label_register;
pub mod labels;
pub mod observatory;
pub mod open_data_corrections;
pub mod outbox;
pub mod partners;
pub mod provider_queue;
pub mod providers;
pub mod referencing;
pub mod schema;
pub mod stored;
pub mod throttle;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, ConnectionError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

#[cfg(feature = "postgres")]
use diesel::pg::PgConnection;
#[cfg(feature = "sqlite")]
use diesel::sqlite::SqliteConnection;

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!("enable at least one of the features `sqlite` and `postgres`");

#[cfg(all(feature = "sqlite", feature = "postgres"))]
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgresql(PgConnection),
}

#[cfg(all(feature = "sqlite", not(feature = "postgres")))]
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
}

#[cfg(all(feature = "postgres", not(feature = "sqlite")))]
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
}

pub type Pool = r2d2::Pool<DbManager>;
pub type PooledConnection = r2d2::PooledConnection<DbManager>;

#[cfg(feature = "sqlite")]
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "postgres")]
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error(
        "DATABASE_URL {0:?} is neither sqlite://PATH nor postgres://…, and no such file exists \
         (use sqlite://{0} to create a new database)"
    )]
    UnknownTarget(String),
    #[error("this build has no {0} support (rebuild with `--features {0}`)")]
    BackendNotCompiled(&'static str),
    #[error("cannot create the directory {0}: {1}")]
    CreateDir(PathBuf, std::io::Error),
    #[error("cannot open the database: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("cannot run the migrations: {0}")]
    Migrations(String),
    #[error("cannot set up the pool's metrics: {0}")]
    Metrics(String),
}

impl DbTarget {
    /// `sqlite://PATH`, `postgres://…`/`postgresql://…`, or a bare path to an existing SQLite file.
    pub fn parse(url: &str) -> Result<Self, DbSetupError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        if !url.contains("://") && Path::new(url).is_file() {
            return Ok(Self::Sqlite(PathBuf::from(url)));
        }
        Err(DbSetupError::UnknownTarget(url.to_owned()))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// Opens connections for the pool; SQLite connections get their pragmas on open.
#[derive(Debug, Clone)]
pub struct DbManager {
    target: DbTarget,
}

impl ManageConnection for DbManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.target {
            #[cfg(feature = "sqlite")]
            DbTarget::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(
                    // busy_timeout first: switching to WAL takes a lock other connections may hold.
                    // optimize=0x10002: the planner's statistics brought up to date (within a
                    // small limit of work) where a table grew or shrank tenfold, as SQLite
                    // advises for long-lived connections; without them, a filter on a state
                    // that most rows share looks selective.
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                     PRAGMA optimize = 0x10002;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
            #[cfg(feature = "postgres")]
            DbTarget::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
            #[allow(unreachable_patterns)]
            other => Err(r2d2::Error::ConnectionError(
                ConnectionError::BadConnection(format!(
                    "no {} support in this build",
                    other.backend_name()
                )),
            )),
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// Counts connections given back to one pool. Every write through the pool ends with its
/// connection given back, after the commit; in-memory caches compare this count with the one
/// they last checked against, to see this process's own writes without asking the database.
/// It also keeps how long each connection took to get, and the requests that gave up, for the
/// node's metrics.
#[derive(Debug, Clone, Default)]
pub struct PoolCheckins {
    count: Arc<AtomicU64>,
    waits: Option<PoolWaits>,
}

/// The time to get a connection and the requests that gave up (unregistered: the service's
/// metrics register them).
#[derive(Debug, Clone)]
pub struct PoolWaits {
    pub wait_seconds: prometheus::Histogram,
    pub timeouts: prometheus::IntCounter,
}

impl PoolWaits {
    fn new() -> Result<Self, prometheus::Error> {
        Ok(Self {
            wait_seconds: prometheus::Histogram::with_opts(
                prometheus::HistogramOpts::new(
                    "db_pool_wait_seconds",
                    "Time to get a database connection from the node's pool.",
                )
                .buckets(vec![
                    0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0,
                ]),
            )?,
            timeouts: prometheus::IntCounter::new(
                "db_pool_timeouts_total",
                "Requests for a database connection that gave up.",
            )?,
        })
    }
}

impl PoolCheckins {
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Acquire)
    }

    /// The pool's wait times, for the metrics.
    pub fn waits(&self) -> Option<&PoolWaits> {
        self.waits.as_ref()
    }
}

impl r2d2::HandleEvent for PoolCheckins {
    fn handle_checkin(&self, _event: r2d2::event::CheckinEvent) {
        if !UNCOUNTED_CHECKIN.with(Cell::get) {
            self.count.fetch_add(1, Ordering::AcqRel);
        }
    }

    fn handle_checkout(&self, event: r2d2::event::CheckoutEvent) {
        if let Some(waits) = &self.waits {
            waits.wait_seconds.observe(event.duration().as_secs_f64());
        }
    }

    fn handle_timeout(&self, _event: r2d2::event::TimeoutEvent) {
        if let Some(waits) = &self.waits {
            waits.timeouts.inc();
        }
    }
}

thread_local! {
    /// Set around a check-in [`check_in_uncounted`] vouches for.
    static UNCOUNTED_CHECKIN: Cell<bool> = const { Cell::new(false) };
}

/// Gives a connection back to the pool without counting it in [`PoolCheckins`], for work that
/// never writes the directory or the geography (an assistance request): a flood of them then
/// leaves the in-memory index fresh instead of making each next one read the change counters.
/// r2d2 runs the check-in handler in the drop, on this thread, so the flag covers this
/// check-in only.
pub fn check_in_uncounted(conn: PooledConnection) {
    UNCOUNTED_CHECKIN.with(|flag| flag.set(true));
    drop(conn);
    UNCOUNTED_CHECKIN.with(|flag| flag.set(false));
}

/// Builds the pool, creating the SQLite file's directory on first run.
pub fn connect(target: &DbTarget, max_size: u32) -> Result<Pool, DbSetupError> {
    connect_counting_checkins(target, max_size).map(|(pool, _)| pool)
}

/// Like [`connect`], with the pool's check-in count (see [`PoolCheckins`]).
pub fn connect_counting_checkins(
    target: &DbTarget,
    max_size: u32,
) -> Result<(Pool, PoolCheckins), DbSetupError> {
    match target {
        DbTarget::Sqlite(path) => {
            if !cfg!(feature = "sqlite") {
                return Err(DbSetupError::BackendNotCompiled("sqlite"));
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| DbSetupError::CreateDir(dir.to_path_buf(), e))?;
            }
        }
        DbTarget::Postgres(_) => {
            if !cfg!(feature = "postgres") {
                return Err(DbSetupError::BackendNotCompiled("postgres"));
            }
        }
    }
    let checkins = PoolCheckins {
        count: Arc::default(),
        waits: Some(PoolWaits::new().map_err(|e| DbSetupError::Metrics(e.to_string()))?),
    };
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        // A SQLite connection is a file handle: it cannot go stale like a network connection,
        // so the `SELECT 1` r2d2 runs on every checkout is pure cost. PostgreSQL keeps it.
        .test_on_check_out(matches!(target, DbTarget::Postgres(_)))
        .event_handler(Box::new(checkins.clone()))
        .build(DbManager {
            target: target.clone(),
        })?;
    Ok((pool, checkins))
}

/// Applies the pending migrations of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, DbSetupError> {
    let applied = match conn {
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        #[cfg(feature = "postgres")]
        DbConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    applied.map_err(|e| DbSetupError::Migrations(e.to_string()))
}

/// True on PostgreSQL, for the few places where SQL must differ.
pub fn is_postgres(conn: &DbConnection) -> bool {
    #[allow(unreachable_patterns)]
    match conn {
        #[cfg(feature = "postgres")]
        DbConnection::Postgresql(_) => true,
        _ => false,
    }
}

/// Runs an insert in a savepoint: `false` when it hit a unique constraint (the row is already
/// there, perhaps put by another process), other errors as they are. The savepoint keeps an
/// enclosing PostgreSQL transaction usable after the violation.
pub fn insert_unless_taken(
    conn: &mut DbConnection,
    insert: impl FnOnce(&mut DbConnection) -> diesel::QueryResult<usize>,
) -> diesel::QueryResult<bool> {
    use diesel::Connection;
    match conn.transaction(insert) {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Runs `f` in a read-only transaction that sees one state of the database throughout, for
/// what is read in chunks (an export): SQLite's deferred transaction (WAL: a snapshot from
/// the first read), PostgreSQL's `REPEATABLE READ`.
#[allow(irrefutable_let_patterns)]
pub fn read_snapshot<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        #[cfg(feature = "postgres")]
        if let DbConnection::Postgresql(_) = conn {
            diesel::RunQueryDsl::execute(
                diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"),
                conn,
            )?;
        }
        f(conn)
    })
}

/// Whether `conn` is inside a transaction: what it reads there may be its own uncommitted
/// writes, which no shared cache may be built from.
pub fn in_transaction(conn: &mut DbConnection) -> bool {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let depth = match conn {
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::transaction_manager_status_mut(inner).transaction_depth()
        }
        #[cfg(feature = "postgres")]
        DbConnection::Postgresql(inner) => {
            AnsiTransactionManager::transaction_manager_status_mut(inner).transaction_depth()
        }
    };
    // A broken transaction state counts as inside: never a reason to share what was read.
    !matches!(depth, Ok(None))
}

thread_local! {
    /// What the outermost transaction of this thread runs once it commits (see [`on_commit`]).
    static ON_COMMIT: std::cell::RefCell<Vec<Box<dyn FnOnce()>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` once the transaction `conn` is in commits (at once outside any), never after a
/// rollback: a step's effects outside the database (its metrics) happen only if it did.
/// Transactions opened by [`write_transaction`] honour it; any other drops it.
pub fn on_commit(conn: &mut DbConnection, f: impl FnOnce() + 'static) {
    if in_transaction(conn) {
        ON_COMMIT.with(|hooks| hooks.borrow_mut().push(Box::new(f)));
    } else {
        f();
    }
}

/// An outermost transaction begins on this thread: what an earlier one left is dropped.
fn outermost_begins() {
    counters::transaction_begins();
    ON_COMMIT.with(|hooks| hooks.borrow_mut().clear());
}

/// The outermost transaction ended: its hooks run if it committed.
fn outermost_ended(committed: bool) {
    let hooks = ON_COMMIT.with(|hooks| std::mem::take(&mut *hooks.borrow_mut()));
    if committed {
        for hook in hooks {
            hook();
        }
    }
}

/// One SQLite write transaction at a time per process (see [`write_transaction`]).
#[cfg(feature = "sqlite")]
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A transaction for a workflow step that reads then writes. On SQLite it starts with
/// `BEGIN IMMEDIATE`, taking the write lock up front: a deferred transaction would fail with
/// SQLITE_BUSY when a concurrent writer commits between its read and its write, instead of
/// waiting and then seeing the new state (and answering 409). PostgreSQL's row locks and
/// conditional updates need no such care.
// With only the `sqlite` feature, `DbConnection` has one variant and the `if let` always matches.
#[allow(irrefutable_let_patterns)]
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    #[cfg(feature = "sqlite")]
    {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        if let DbConnection::Sqlite(inner) = conn {
            let depth = AnsiTransactionManager::transaction_manager_status_mut(inner)
                .transaction_depth()
                .map_err(E::from)?;
            if depth.is_none() {
                outermost_begins();
                // Writers of this process queue here in turn, rather than in SQLite's busy
                // handler, which sleeps in growing steps: a queue keeps the latency tail short.
                // Other processes still meet at the lock, with `busy_timeout`.
                let _writer = SQLITE_WRITER.lock().unwrap_or_else(|e| e.into_inner());
                AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
                    .map_err(E::from)?;
                let result = f(conn);
                #[allow(irrefutable_let_patterns)]
                let DbConnection::Sqlite(inner) = conn else {
                    unreachable!("the connection variant cannot change")
                };
                let ended = match result {
                    Ok(value) => AnsiTransactionManager::commit_transaction(inner)
                        .map(|()| value)
                        .map_err(E::from),
                    Err(e) => {
                        let _ = AnsiTransactionManager::rollback_transaction(inner);
                        Err(e)
                    }
                };
                outermost_ended(ended.is_ok());
                return ended;
            }
        }
    }
    if in_transaction(conn) {
        return conn.transaction(f);
    }
    outermost_begins();
    let ended = conn.transaction(f);
    outermost_ended(ended.is_ok());
    ended
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use diesel::sql_types::Text;
    use diesel::{QueryableByName, RunQueryDsl};

    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = Text)]
        compile_options: String,
    }

    /// Without the planner's stability guarantee, SQLite plans a statement for the value bound
    /// to its LIMIT, so every `.first()` is parsed again at each run (`.cargo/config.toml`).
    #[test]
    fn the_bundled_sqlite_keeps_its_plans_across_bound_limits() {
        let manager = super::DbManager {
            target: super::DbTarget::Sqlite(":memory:".into()),
        };
        let mut conn = super::ManageConnection::connect(&manager).expect("in-memory SQLite");
        let options: Vec<CompileOption> = diesel::sql_query("PRAGMA compile_options")
            .load(&mut conn)
            .expect("compile options");
        assert!(
            options.iter().any(|o| o.compile_options == "ENABLE_QPSG"),
            "SQLite built without SQLITE_ENABLE_QPSG"
        );
    }
}
