//! Email delivery: retries while SMTP is down, exactly once, dead letters for staff.

use crate::common;

use chrono::Duration;
use common::{SmtpSink, TestApp};
use cyberdir::auth::Role;
use serde_json::json;

/// `n` sign-ups, each from its own client behind the trusted proxy (one client may create
/// only so many accounts an hour).
async fn sign_up(app: &TestApp, n: usize) {
    for i in 0..n {
        let status = app
            .client
            .post(app.url("/api/v1/accounts"))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .json(&json!({"email": format!("p{i}@exemple.fr"), "password": "trois pommes vertes", "display_name": format!("P{i}")}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 202);
    }
}

/// A server behind a trusted proxy on loopback.
async fn behind_proxy(db: std::sync::Arc<common::TestDb>) -> TestApp {
    TestApp::spawn_with(db, &[("CYBERDIR_TRUSTED_PROXIES", "127.0.0.1/32")]).await
}

#[tokio::test]
async fn emails_queued_while_smtp_is_down_arrive_exactly_once_when_it_returns() {
    let app = behind_proxy(std::sync::Arc::new(common::TestDb::new())).await;
    let mut sink = SmtpSink::start();
    sink.stop();
    sign_up(&app, 5).await;
    let report = app.deliver_to(&sink).await;
    assert_eq!((report.sent, report.retrying), (0, 5));
    // Not due again before the backoff: nothing is attempted.
    sink.resume();
    assert_eq!(app.deliver_to(&sink).await.sent, 0);
    app.clock.set(app.clock.now() + Duration::seconds(31));
    assert_eq!(app.deliver_to(&sink).await.sent, 5);
    assert_eq!(app.deliver_to(&sink).await.sent, 0, "nothing is sent twice");
    app.clock.set(app.clock.now() + Duration::hours(2));
    assert_eq!(app.deliver_to(&sink).await.sent, 0);
    let received = sink.messages();
    assert_eq!(received.len(), 5);
    for i in 0..5 {
        assert_eq!(sink.messages_to(&format!("p{i}@exemple.fr")).len(), 1);
    }
}

#[tokio::test]
async fn two_delivery_workers_never_send_a_message_twice() {
    let app = behind_proxy(std::sync::Arc::new(common::TestDb::new())).await;
    let second = TestApp::spawn_on(std::sync::Arc::clone(&app.db)).await;
    let sink = SmtpSink::start();
    sign_up(&app, 30).await;
    let (a, b) = tokio::join!(app.deliver_to(&sink), second.deliver_to(&sink));
    let (c, d) = tokio::join!(app.deliver_to(&sink), second.deliver_to(&sink));
    assert_eq!(a.sent + b.sent + c.sent + d.sent, 30);
    let received = sink.messages();
    assert_eq!(received.len(), 30);
    let mut ids: Vec<&str> = received.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30);
}

#[tokio::test]
async fn undeliverable_mail_is_parked_for_staff_who_can_send_it_again() {
    let app = TestApp::spawn().await;
    let mut sink = SmtpSink::start();
    sink.stop();
    sign_up(&app, 1).await;
    // Keep failing for a day: the backoff grows, then the message is parked.
    let mut attempts = 0;
    for _ in 0..40 {
        let report = app.deliver_to(&sink).await;
        attempts += report.retrying + report.failed;
        if report.failed == 1 {
            break;
        }
        app.clock.set(app.clock.now() + Duration::minutes(61));
    }
    assert!(attempts > 5, "retried {attempts} times");
    let staff = app.user("staff@exemple.fr", Role::Staff).await;
    let provider = app.user("presta@exemple.fr", Role::Provider).await;
    let (status, failed) = staff.get("/api/v1/outbox?status=failed").await;
    assert_eq!(status, 200);
    assert_eq!(failed["total"], 1);
    let message = &failed["results"][0];
    assert_eq!(message["recipient"], "p0@exemple.fr");
    assert!(message["last_error"].as_str().unwrap().len() > 3);

    let (status, _) = provider.get("/api/v1/outbox?status=failed").await;
    assert_eq!(status, 403, "providers do not see the outbox");

    let id = message["id"].as_str().unwrap();
    let (status, again) = staff
        .post(&format!("/api/v1/outbox/{id}/retry"), &json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["status"], "pending");
    let (status, _) = staff
        .post(&format!("/api/v1/outbox/{id}/retry"), &json!({}))
        .await;
    assert_eq!(status, 409, "only a failed message can be sent again");
    sink.resume();
    assert_eq!(app.deliver_to(&sink).await.sent, 1);
    assert_eq!(sink.messages_to("p0@exemple.fr").len(), 1);
}

#[test]
fn without_smtp_the_outbox_writes_eml_files() {
    let db = common::TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_cyberdir"))
            .args(args)
            .env("DATABASE_URL", &db.url)
            .env("CYBERDIR_OUTBOX_DIR", &outbox)
            .env_remove("SMTP_URL")
            .stdin(std::process::Stdio::piped())
            .output()
            .unwrap()
    };
    // `users create` works on an existing database only.
    assert!(run(&["migrate"]).status.success());
    let created = run(&[
        "users",
        "create",
        "--email",
        "admin@exemple.fr",
        "--role",
        "admin",
    ]);
    let stdout = String::from_utf8_lossy(&created.stdout);
    assert!(
        created.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(
        stdout.contains("Mot de passe (affiché une seule fois)"),
        "{stdout}"
    );
    let refused = run(&[
        "users",
        "create",
        "--email",
        "admin@exemple.fr",
        "--role",
        "chef",
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown role"));

    // A password reset request enqueues a message; one pass writes it as a .eml file.
    let state = cyberdir::prepare(
        common::test_config(&db.url, &[]),
        cyberdir::clock::Clock::System,
    )
    .unwrap();
    cyberdir::auth::accounts::request_password_reset(&state, "admin@exemple.fr").unwrap();
    let delivered = run(&["outbox", "deliver"]);
    assert!(String::from_utf8_lossy(&delivered.stdout).contains("1 envoyé(s)"));
    let files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(eml.contains("To: admin@exemple.fr"), "{eml}");
    assert!(eml.contains("text/plain") && eml.contains("text/html"));
}
