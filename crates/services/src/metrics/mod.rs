//! What a node tells Prometheus (`GET /metrics`, see `docs/operations.md`). Counters and
//! histograms move as things happen on this node; the gauges that describe shared state (the
//! outbox, the requests waiting, the chat's queue) are read from the database when scraped,
//! so every node reports the same. No metric carries a victim's data, a path or a name.

mod built;

use std::time::{Duration, Instant};

pub use built::{Built, LastBuilt};

use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec,
    IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The answer-time buckets (seconds): from a cached page to a slow export.
const HTTP_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// A victim's wait for an operator (seconds): from a few seconds to an hour.
const WAIT_BUCKETS: &[f64] = &[
    5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0,
];
/// A scheduled task's run (seconds).
const JOB_BUCKETS: &[f64] = &[0.001, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0];

/// The node's metrics, registered in its own registry (a test's servers do not share one).
/// Cloning shares them.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    names: Vec<String>,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub outbox_due: IntGauge,
    pub outbox_oldest_due_age: Gauge,
    pub outbox_failed: IntGauge,
    pub outbox_deliveries: IntCounterVec,
    pub assistance_requests: IntCounterVec,
    pub assistance_waiting: IntGaugeVec,
    pub assistance_with_staff: IntGaugeVec,
    pub assistance_offers_expired: IntCounterVec,
    pub assistance_escalations: IntCounterVec,
    pub chat_queue_length: IntGauge,
    pub chat_oldest_wait: Gauge,
    pub chat_operators_available: IntGaugeVec,
    pub chat_active: IntGaugeVec,
    pub chat_wait: Histogram,
    pub chat_abandoned: IntCounter,
    pub job_last_success: GaugeVec,
    pub job_duration: HistogramVec,
    pub job_items_claimed: IntCounterVec,
    pub job_items_done: IntCounterVec,
    pub job_failures: IntCounterVec,
    pub cache_version: IntGaugeVec,
    pub cache_behind: IntGaugeVec,
    pub cache_age: GaugeVec,
    pub cache_rebuild: GaugeVec,
    pub pool_connections: IntGaugeVec,
    pub pool_max: IntGauge,
    pub build_info: IntGaugeVec,
}

#[derive(Debug, thiserror::Error)]
#[error("metrics: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

/// Registers metrics in a registry, keeping their names (the dashboard's and the alert rules'
/// test checks each name they use against them).
struct Declare {
    registry: Registry,
    names: Vec<String>,
}

impl Declare {
    fn add<M: prometheus::core::Collector + Clone + 'static>(
        &mut self,
        name: &str,
        metric: M,
    ) -> Result<M, MetricsError> {
        self.registry.register(Box::new(metric.clone()))?;
        self.names.push(format!("cyberdir_{name}"));
        Ok(metric)
    }

    fn counter(
        &mut self,
        name: &str,
        help: &str,
        labels: &[&str],
    ) -> Result<IntCounterVec, MetricsError> {
        self.add(name, IntCounterVec::new(Opts::new(name, help), labels)?)
    }

    fn gauge(
        &mut self,
        name: &str,
        help: &str,
        labels: &[&str],
    ) -> Result<IntGaugeVec, MetricsError> {
        self.add(name, IntGaugeVec::new(Opts::new(name, help), labels)?)
    }

    fn float_gauge(
        &mut self,
        name: &str,
        help: &str,
        labels: &[&str],
    ) -> Result<GaugeVec, MetricsError> {
        self.add(name, GaugeVec::new(Opts::new(name, help), labels)?)
    }

    fn histogram(
        &mut self,
        name: &str,
        help: &str,
        buckets: &[f64],
        labels: &[&str],
    ) -> Result<HistogramVec, MetricsError> {
        let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
        self.add(name, HistogramVec::new(opts, labels)?)
    }

    fn scalar(&mut self, name: &str, help: &str) -> Result<IntGauge, MetricsError> {
        self.add(name, IntGauge::new(name, help)?)
    }

    fn float(&mut self, name: &str, help: &str) -> Result<Gauge, MetricsError> {
        self.add(name, Gauge::new(name, help)?)
    }
}

impl Metrics {
    pub fn new(backend: &str) -> Result<Self, MetricsError> {
        let mut d = Declare {
            registry: Registry::new_custom(Some("cyberdir".into()), None)?,
            names: Vec::new(),
        };
        let metrics = Self {
            http_requests: d.counter(
                "http_requests_total",
                "Answers given, by route pattern, method and status class.",
                &["route", "method", "status"],
            )?,
            http_duration: d.histogram(
                "http_request_duration_seconds",
                "Time to answer, by route pattern and method.",
                HTTP_BUCKETS,
                &["route", "method"],
            )?,
            outbox_due: d.scalar(
                "outbox_due",
                "Emails not yet delivered (pending, due now or retrying).",
            )?,
            outbox_oldest_due_age: d.float(
                "outbox_oldest_due_age_seconds",
                "Age of the oldest email not yet delivered (0: none).",
            )?,
            outbox_failed: d.scalar(
                "outbox_failed",
                "Emails parked as failed, waiting for a person.",
            )?,
            outbox_deliveries: d.counter(
                "outbox_deliveries_total",
                "Delivery attempts of this node's worker, by template and outcome.",
                &["template", "outcome"],
            )?,
            assistance_requests: d.counter(
                "assistance_requests_total",
                "Assistance requests created, by région.",
                &["region"],
            )?,
            assistance_waiting: d.gauge(
                "assistance_waiting",
                "Requests offered to a provider, waiting for an answer, by région.",
                &["region"],
            )?,
            assistance_with_staff: d.gauge(
                "assistance_with_staff",
                "Requests in the staff's queue, by région.",
                &["region"],
            )?,
            assistance_offers_expired: d.counter(
                "assistance_offers_expired_total",
                "Offers left unanswered past their deadline, by région.",
                &["region"],
            )?,
            assistance_escalations: d.counter(
                "assistance_escalations_total",
                "Requests sent to the staff's queue, by région.",
                &["region"],
            )?,
            chat_queue_length: d.scalar("chat_queue_length", "Chats waiting for an operator.")?,
            chat_oldest_wait: d.float(
                "chat_oldest_wait_seconds",
                "How long the longest-waiting victim has waited (0: nobody waits).",
            )?,
            chat_operators_available: d.gauge(
                "chat_operators_available",
                "Operators on duty and available, by force.",
                &["force"],
            )?,
            chat_active: d.gauge(
                "chat_active",
                "Chats each operator is handling, by the operator's account id.",
                &["operator"],
            )?,
            chat_wait: {
                let opts = HistogramOpts::new(
                    "chat_wait_seconds",
                    "A victim's wait until an operator took the chat.",
                )
                .buckets(WAIT_BUCKETS.to_vec());
                d.add("chat_wait_seconds", Histogram::with_opts(opts)?)?
            },
            chat_abandoned: d.add(
                "chat_abandoned_total",
                IntCounter::new(
                    "chat_abandoned_total",
                    "Chats left by their victim before any answer.",
                )?,
            )?,
            job_last_success: d.float_gauge(
                "job_last_success_timestamp_seconds",
                "When the task last ran without error (Unix time).",
                &["task"],
            )?,
            job_duration: d.histogram(
                "job_duration_seconds",
                "How long a run of the task took.",
                JOB_BUCKETS,
                &["task"],
            )?,
            job_items_claimed: d.counter(
                "job_items_claimed_total",
                "Items the task took on.",
                &["task"],
            )?,
            job_items_done: d.counter(
                "job_items_done_total",
                "Items the task finished.",
                &["task"],
            )?,
            job_failures: d.counter(
                "job_failures_total",
                "Runs of the task that ended in an error.",
                &["task"],
            )?,
            cache_version: d.gauge(
                "cache_version",
                "The change counter's value the node's cache was built at.",
                &["cache"],
            )?,
            cache_behind: d.gauge(
                "cache_versions_behind",
                "How far the committed change counter is ahead of the cache served.",
                &["cache"],
            )?,
            cache_age: d.float_gauge(
                "cache_age_seconds",
                "Time since the cache was built.",
                &["cache"],
            )?,
            cache_rebuild: d.float_gauge(
                "cache_rebuild_seconds",
                "How long the cache's last build took.",
                &["cache"],
            )?,
            pool_connections: d.gauge(
                "db_pool_connections",
                "The node's database connections, in use or idle.",
                &["state"],
            )?,
            pool_max: d.scalar("db_pool_max", "The size of the node's database pool.")?,
            build_info: d.gauge(
                "build_info",
                "1, with the node's version and database.",
                &["version", "backend"],
            )?,
            registry: d.registry,
            names: d.names,
        };
        metrics
            .build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION"), backend])
            .set(1);
        Ok(metrics)
    }

    /// Every metric's name, `cyberdir_` included (a labelled one is exposed only once it has a
    /// value).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Registers a metric kept elsewhere (the pool's wait times, kept by the pool itself).
    pub fn register(
        &mut self,
        name: &str,
        metric: Box<dyn prometheus::core::Collector>,
    ) -> Result<(), MetricsError> {
        self.registry.register(metric)?;
        self.names.push(format!("cyberdir_{name}"));
        Ok(())
    }

    /// The exposition, in the text format.
    pub fn encode(&self) -> String {
        let mut out = Vec::new();
        // Encoding into memory fails only on a metric that breaks the format's rules, which
        // the registry refused at registration.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Records one run of a scheduled task: its duration, and its success or failure.
    pub fn job_ran(&self, task: &str, took: Duration, done: Option<usize>, now_unix: f64) {
        self.job_duration
            .with_label_values(&[task])
            .observe(took.as_secs_f64());
        match done {
            Some(done) => {
                self.job_items_done
                    .with_label_values(&[task])
                    .inc_by(done as u64);
                self.job_last_success
                    .with_label_values(&[task])
                    .set(now_unix);
            }
            None => self.job_failures.with_label_values(&[task]).inc(),
        }
    }

    /// Runs a scheduled task, recording it (see [`Metrics::job_ran`]): `run` says how many
    /// items it finished beside what it returns.
    pub fn run_job<T, E>(
        &self,
        task: &str,
        now_unix: impl FnOnce() -> f64,
        run: impl FnOnce() -> Result<(usize, T), E>,
    ) -> Result<T, E> {
        let started = Instant::now();
        let result = run();
        self.job_ran(
            task,
            started.elapsed(),
            result.as_ref().ok().map(|(done, _)| *done),
            now_unix(),
        );
        result.map(|(_, value)| value)
    }
}

/// The clock's time as Prometheus reads it (seconds since 1970).
pub fn unix_now(clock: &crate::clock::Clock) -> f64 {
    clock.now().timestamp_millis() as f64 / 1000.0
}

/// Adds one to `counter` with `labels` once the step's transaction commits (never for a step
/// rolled back).
pub fn count_on_commit(
    conn: &mut crate::db::DbConnection,
    counter: &IntCounterVec,
    labels: &[&str],
) {
    let counter = counter.clone();
    let labels: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
    crate::db::on_commit(conn, move || {
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        counter.with_label_values(&labels).inc();
    });
}
