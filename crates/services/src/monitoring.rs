//! What a node reports to its operators when Prometheus asks (`GET /metrics`): the gauges
//! read then, of what waits in the database (the same on every node) and of what this node
//! holds in memory (its caches, its pool), with the counters of `metrics`.

use std::collections::BTreeMap;

use crate::db::{self, DbConnection};
use crate::domain::assistance::RequestStatus;
use crate::error::AppError;
use crate::infra::Infra;
use crate::metrics::{Built, Metrics};

/// One of the node's caches as the metrics see it: its name, its last build, and where the
/// version committed in the database is read.
pub struct CacheSeen {
    pub name: &'static str,
    pub built: Option<Built>,
    pub committed: Committed,
}

/// Where a cache's committed version is read.
pub enum Committed {
    /// A change counter (`db::counters`).
    Counter(&'static str),
    /// The observatory's facts' revision.
    ObservatoryRevision,
}

/// Reads every gauge, then the exposition in the text format (blocking).
pub fn exposition(state: &Infra, caches: &[CacheSeen]) -> Result<String, AppError> {
    let m = &state.metrics;
    let pool = state.pool.state();
    m.pool_connections
        .with_label_values(&["in_use"])
        .set(i64::from(pool.connections - pool.idle_connections));
    m.pool_connections
        .with_label_values(&["idle"])
        .set(i64::from(pool.idle_connections));
    let mut conn = state.pool.get()?;
    let now = state.clock.now_naive();
    outbox(m, &mut conn, now)?;
    assistance(m, state, &mut conn)?;
    chat(m, &mut conn, now)?;
    for cache in caches {
        let Some(built) = cache.built else { continue };
        let committed = match cache.committed {
            Committed::Counter(name) => db::counters::read(&mut conn, name)?.value,
            Committed::ObservatoryRevision => db::observatory::revision(&mut conn)?,
        };
        m.cache_version
            .with_label_values(&[cache.name])
            .set(built.version);
        m.cache_behind
            .with_label_values(&[cache.name])
            .set((committed - built.version).max(0));
        m.cache_age
            .with_label_values(&[cache.name])
            .set(built.at.elapsed().as_secs_f64());
        m.cache_rebuild
            .with_label_values(&[cache.name])
            .set(built.took.as_secs_f64());
    }
    drop(conn);
    Ok(m.encode())
}

fn seconds_since(now: chrono::NaiveDateTime, then: Option<chrono::NaiveDateTime>) -> f64 {
    then.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0)
}

fn outbox(
    m: &Metrics,
    conn: &mut DbConnection,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let (pending, oldest, failed) = db::outbox::backlog(conn)?;
    m.outbox_due.set(pending);
    m.outbox_oldest_due_age.set(seconds_since(now, oldest));
    m.outbox_failed.set(failed);
    Ok(())
}

/// The région of a département, as its code (`bretagne`), or `inconnue`.
pub fn region_of(state: &Infra, departement: Option<&str>) -> String {
    departement
        .and_then(|d| state.departements.get(d))
        .map_or_else(|| "inconnue".to_owned(), |d| d.region_code())
}

fn assistance(m: &Metrics, state: &Infra, conn: &mut DbConnection) -> Result<(), AppError> {
    // Every région is reported, at 0 when nothing waits there, so that a line ends at 0
    // instead of stopping at its last value.
    let mut waiting: BTreeMap<String, i64> = BTreeMap::new();
    let mut with_staff: BTreeMap<String, i64> = BTreeMap::new();
    for (code, _) in state.departements.regions() {
        waiting.insert(code.clone(), 0);
        with_staff.insert(code, 0);
    }
    for (departement, status, count) in db::assistance::open_by_departement(conn)? {
        let region = region_of(state, departement.as_deref());
        let into = if status == RequestStatus::Assigned {
            &mut waiting
        } else {
            &mut with_staff
        };
        *into.entry(region).or_default() += count;
    }
    for (region, n) in waiting {
        m.assistance_waiting.with_label_values(&[&region]).set(n);
    }
    for (region, n) in with_staff {
        m.assistance_with_staff.with_label_values(&[&region]).set(n);
    }
    Ok(())
}

fn chat(m: &Metrics, conn: &mut DbConnection, now: chrono::NaiveDateTime) -> Result<(), AppError> {
    use crate::domain::chat::{Force, Presence};
    let waiting = db::chat::waiting(conn)?;
    m.chat_queue_length.set(waiting.len() as i64);
    m.chat_oldest_wait.set(seconds_since(
        now,
        waiting.iter().map(|c| c.queued_at).min(),
    ));
    let on_duty = db::chat::on_duty(conn)?;
    for force in Force::ALL {
        let available = on_duty
            .iter()
            .filter(|o| o.force == force.code() && o.presence == Presence::Disponible.code())
            .count();
        m.chat_operators_available
            .with_label_values(&[force.code()])
            .set(available as i64);
    }
    // Operators on duty are reported, at 0 when they handle nothing; those gone are dropped.
    let active: BTreeMap<String, i64> = db::chat::active_counts(conn)?.into_iter().collect();
    m.chat_active.reset();
    for operator in on_duty.iter().map(|o| &o.user_id) {
        m.chat_active.with_label_values(&[operator]).set(0);
    }
    for (operator, n) in &active {
        m.chat_active.with_label_values(&[operator]).set(*n);
    }
    Ok(())
}
