//! What a node tells Prometheus (`GET /metrics`): only to allowed addresses, counters that move
//! as steps happen, an exposition Prometheus's own parser reads, and the dashboard and alert
//! rules of `ops/` written against metrics that exist (`promtool` checks the rules).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use chrono::Duration;
use serde::Deserialize;
use serde_json::json;

use crate::common::assistance::{nearby, request_body, submit};
use crate::common::{SmtpSink, TestApp, TestDb};

#[derive(Debug, Deserialize)]
pub struct Sample {
    name: String,
    labels: std::collections::HashMap<String, String>,
    value: f64,
}

/// The exposition, parsed by Prometheus's Python parser (Debian's python3-prometheus-client,
/// installed by `scripts/install-test-deps`).
fn parse(text: &str) -> Vec<Sample> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/parse_metrics.py");
    let mut child = Command::new("/usr/bin/python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "Prometheus's parser refused the exposition (is python3-prometheus-client installed? \
         scripts/install-test-deps does it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The value of the sample `name` whose labels include `labels`.
pub fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

pub async fn scrape(app: &TestApp) -> (String, Vec<Sample>) {
    let response = app.get("/metrics").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();
    let samples = parse(&text);
    (text, samples)
}

async fn status_of(app: &TestApp, forwarded_for: Option<&str>) -> u16 {
    let mut request = app.client.get(app.url("/metrics"));
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn metrics_are_served_only_to_the_allowed_addresses() {
    // Loopback is allowed by default.
    let app = TestApp::spawn().await;
    assert_eq!(status_of(&app, None).await, 200);
    // A forged forwarding header from a peer that is no trusted proxy changes nothing.
    assert_eq!(status_of(&app, Some("203.0.113.7")).await, 200);

    // An allow list without loopback: as if the page did not exist.
    let elsewhere = TestApp::spawn_with(
        Arc::new(TestDb::new()),
        &[("CYBERDIR_METRICS_ALLOW", "10.0.0.0/8, 2001:db8::/32")],
    )
    .await;
    assert_eq!(status_of(&elsewhere, None).await, 404);

    // Behind the reverse proxy (on loopback), a visitor from the Internet is refused, though the
    // connection comes from an allowed address; the proxy's own request is not.
    let proxied = TestApp::spawn_with(
        Arc::new(TestDb::new()),
        &[("CYBERDIR_TRUSTED_PROXIES", "127.0.0.1/32")],
    )
    .await;
    assert_eq!(status_of(&proxied, Some("203.0.113.7")).await, 404);
    assert_eq!(status_of(&proxied, Some("127.0.0.1")).await, 200);

    // Turned off: no endpoint, and no answer counted.
    let off = TestApp::spawn_with(Arc::new(TestDb::new()), &[("CYBERDIR_METRICS", "off")]).await;
    assert_eq!(status_of(&off, None).await, 404);
    let _ = off.get("/healthz").await;
    assert!(
        off.state
            .metrics
            .encode()
            .lines()
            .all(|l| !l.starts_with("cyberdir_http_requests_total"))
    );

    // A wrong setting stops the start with its name.
    let wrong = cyberdir::config::Config::from_lookup(|k| {
        (k == "CYBERDIR_METRICS_ALLOW").then(|| "partout".to_owned())
    })
    .unwrap_err();
    assert_eq!(wrong.name, "CYBERDIR_METRICS_ALLOW");
}

#[tokio::test]
async fn counters_move_as_a_request_is_created_offered_expired_and_its_emails_sent() {
    let mut sink = SmtpSink::start();
    let app = TestApp::spawn_with(Arc::new(TestDb::new()), &[("ASSIGNMENT_TIMEOUT", "2h")]).await;
    nearby(&app, "a", 1.0).await;
    let bretagne = [("region", "bretagne")];

    let (_, before) = scrape(&app).await;
    assert_eq!(
        value(&before, "cyberdir_assistance_waiting", &bretagne),
        Some(0.0)
    );
    assert_eq!(value(&before, "cyberdir_db_pool_max", &[]), Some(4.0));
    assert_eq!(
        value(
            &before,
            "cyberdir_build_info",
            &[("backend", app.state.backend)]
        ),
        Some(1.0)
    );

    // A victim whose address does not exist (the SMTP server refuses it for good).
    let mut body = request_body();
    body["contact"]["email"] = json!("inconnu@exemple.fr");
    let (status, created) = submit(&app, &body).await;
    assert_eq!(status, 201, "{created}");
    let (text, after) = scrape(&app).await;
    assert_eq!(
        value(&after, "cyberdir_assistance_requests_total", &bretagne),
        Some(1.0)
    );
    assert_eq!(
        value(&after, "cyberdir_assistance_waiting", &bretagne),
        Some(1.0)
    );
    assert_eq!(
        value(
            &after,
            "cyberdir_http_requests_total",
            &[
                ("route", "/api/v1/assistance-requests"),
                ("method", "POST"),
                ("status", "2xx")
            ]
        ),
        Some(1.0)
    );
    let due = value(&after, "cyberdir_outbox_due", &[]).unwrap();
    assert!(due >= 2.0, "the victim's confirmation and the offer: {due}");
    // Nothing of the victim, and never a path.
    for secret in ["inconnu", "Claire", "chiffrés", "06 12"] {
        assert!(!text.contains(secret), "{secret} in the metrics");
    }

    // A path with a token is counted under its route's pattern, never itself.
    let _ = app.get("/suivi/0123456789abcdef0123456789abcdef").await;
    let _ = app.get("/nulle-part/jeton-secret").await;
    let (text, samples) = scrape(&app).await;
    assert!(!text.contains("0123456789abcdef") && !text.contains("jeton-secret"));
    assert_eq!(
        value(
            &samples,
            "cyberdir_http_requests_total",
            &[("route", "unmatched"), ("status", "4xx")]
        ),
        Some(1.0)
    );
    assert!(
        value(
            &samples,
            "cyberdir_http_requests_total",
            &[("route", "/suivi/{token}")]
        )
        .is_some()
    );

    // The emails: the offer is sent, the victim's confirmation refused for good.
    app.deliver_to(&sink).await;
    let (_, samples) = scrape(&app).await;
    let sent: f64 = samples
        .iter()
        .filter(|s| {
            s.name == "cyberdir_outbox_deliveries_total"
                && s.labels.get("outcome").map(String::as_str) == Some("sent")
        })
        .map(|s| s.value)
        .sum();
    assert_eq!(sent, due - 1.0);
    let failed: f64 = samples
        .iter()
        .filter(|s| {
            s.name == "cyberdir_outbox_deliveries_total"
                && s.labels.get("outcome").map(String::as_str) == Some("failed")
        })
        .map(|s| s.value)
        .sum();
    assert_eq!(failed, 1.0);
    assert_eq!(value(&samples, "cyberdir_outbox_failed", &[]), Some(1.0));
    assert_eq!(value(&samples, "cyberdir_outbox_due", &[]), Some(0.0));
    assert_eq!(
        value(
            &samples,
            "cyberdir_job_items_claimed_total",
            &[("task", "outbox")]
        ),
        Some(due)
    );

    // Nobody answers for 2 hours: the offer expires, the request goes to staff, and the task's
    // run is recorded.
    app.clock.set(app.clock.now() + Duration::minutes(121));
    assert_eq!(app.run_jobs().await.assignment_timeouts, 1);
    let (_, samples) = scrape(&app).await;
    assert_eq!(
        value(
            &samples,
            "cyberdir_assistance_offers_expired_total",
            &bretagne
        ),
        Some(1.0)
    );
    assert_eq!(
        value(&samples, "cyberdir_assistance_escalations_total", &bretagne),
        Some(1.0)
    );
    assert_eq!(
        value(&samples, "cyberdir_assistance_waiting", &bretagne),
        Some(0.0)
    );
    assert_eq!(
        value(&samples, "cyberdir_assistance_with_staff", &bretagne),
        Some(1.0)
    );
    let task = [("task", "assignment_timeouts")];
    assert_eq!(
        value(&samples, "cyberdir_job_items_done_total", &task),
        Some(1.0)
    );
    assert_eq!(
        value(
            &samples,
            "cyberdir_job_last_success_timestamp_seconds",
            &task
        ),
        Some(app.clock.now().timestamp() as f64)
    );
    assert_eq!(
        value(&samples, "cyberdir_job_duration_seconds_count", &task),
        Some(1.0)
    );
    assert_eq!(value(&samples, "cyberdir_job_failures_total", &task), None);
    // Every cache this node serves is the version committed, and says when it was built.
    assert_eq!(app.get("/hsds/services").await.status().as_u16(), 200);
    let (_, samples) = scrape(&app).await;
    for cache in ["directory", "hsds", "content", "diagnostic", "observatory"] {
        assert_eq!(
            value(
                &samples,
                "cyberdir_cache_versions_behind",
                &[("cache", cache)]
            ),
            Some(0.0),
            "{cache}"
        );
        assert!(
            value(&samples, "cyberdir_cache_age_seconds", &[("cache", cache)]).is_some(),
            "{cache}"
        );
    }
    // A referencing step elsewhere moves the directory's counter: until this node looks, it
    // reports how far behind its directory is.
    app.with_conn(|c| cyberdir::db::counters::bump(c, cyberdir::db::counters::DIRECTORY).unwrap())
        .await;
    let (_, samples) = scrape(&app).await;
    assert_eq!(
        value(
            &samples,
            "cyberdir_cache_versions_behind",
            &[("cache", "directory")]
        ),
        Some(1.0)
    );
    // The database's connections and their waits.
    assert!(value(&samples, "cyberdir_db_pool_wait_seconds_count", &[]).unwrap() > 0.0);
    sink.stop();
}

/// The metric names an expression of the dashboard or the rules uses (`_bucket`, `_sum` and
/// `_count` are a histogram's series).
fn names_in(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("cyberdir_"))
        .map(|w| {
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| w.strip_suffix(s))
                .unwrap_or(w)
                .to_owned()
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[tokio::test]
async fn the_dashboard_and_the_alert_rules_use_the_metrics_the_service_exposes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = root.join("ops/prometheus/alerts.yml");
    let out = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .expect("promtool (Debian's prometheus; scripts/install-test-deps installs it)");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let rules_text = std::fs::read_to_string(&rules).unwrap();

    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("ops/grafana/cyberdir.json")).unwrap(),
    )
    .expect("the dashboard is JSON");
    assert_eq!(dashboard["uid"], "cyberdir-ops");
    let panels = dashboard["panels"].as_array().unwrap();
    let exprs: Vec<&str> = panels
        .iter()
        .flat_map(|p| p["targets"].as_array().into_iter().flatten())
        .map(|t| t["expr"].as_str().unwrap())
        .collect();
    assert!(exprs.len() >= 20, "{} queries", exprs.len());

    let app = TestApp::spawn().await;
    let known = app.state.metrics.names();
    let used = names_in(&format!("{rules_text}\n{}", exprs.join("\n")));
    assert!(used.len() >= 15, "{used:?}");
    for name in &used {
        assert!(
            known.contains(name),
            "{name} is used but the service has no such metric"
        );
    }

    // Every alert has its runbook.
    let runbooks = std::fs::read_to_string(root.join("docs/operations.md")).unwrap();
    for alert in rules_text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- alert: "))
    {
        assert!(
            runbooks.contains(&format!("### {alert}\n")),
            "no runbook for {alert}"
        );
    }
}
