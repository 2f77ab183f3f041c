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

#[tokio::test]
async fn staff_read_why_an_email_failed_correct_the_address_and_send_several_again() {
    use crate::common::assistance::{nearby, request_body, submit};
    use crate::common::pages::Browser;
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    nearby(&app, "a", 1.0).await;
    // Three victims typed an address that does not exist.
    let mut requests = Vec::new();
    for who in ["inconnu1", "inconnu2", "inconnu3"] {
        let mut body = request_body();
        body["contact"]["email"] = json!(format!("{who}@exemple.fr"));
        let (status, created) = submit(&app, &body).await;
        assert_eq!(status, 201, "{created}");
        requests.push(created["id"].as_str().unwrap().to_owned());
    }
    app.deliver_to(&sink).await;
    let staff = Browser::sign_in(&app, "staff@cyberdir.fr", Role::Staff).await;
    let page = staff.get("/instruction/courriels").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("3 courriels en échec"),
        "{}",
        page.text()
    );
    let row = page.row_with("inconnu1@exemple.fr");
    assert!(
        row.contains("Cette adresse n'existe pas"),
        "in French: {row}"
    );
    assert!(row.contains("Voir la demande"), "{row}");
    // Searched by address; the export leaves the victims' addresses out.
    let searched = staff.get("/instruction/courriels?q=INCONNU2").await;
    assert!(
        searched
            .text()
            .contains("1 courriel en échec pour « INCONNU2 »"),
        "{}",
        searched.text()
    );
    assert!(searched.html.contains("inconnu2@exemple.fr"));
    assert!(!searched.html.contains("inconnu1@exemple.fr"));
    assert_eq!(
        searched.hidden("/instruction/courriels/renvoyer", "q"),
        "INCONNU2"
    );
    let export = searched.links("/instruction/courriels.csv");
    let csv = staff.get(&export[0]).await.html;
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].contains("(victime : adresse non exportée)"),
        "{csv}"
    );
    assert!(lines[1].contains("Cette adresse n'existe pas"), "{csv}");
    assert!(!csv.contains("@exemple.fr"), "{csv}");
    let first = app
        .with_conn(cyberdir::db::outbox::all)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.recipient == "inconnu1@exemple.fr")
        .unwrap();
    assert_eq!(first.request_id.as_deref(), Some(requests[0].as_str()));
    assert!(
        page.links("/instruction/demandes/")
            .iter()
            .any(|l| l.ends_with(&requests[0])),
        "the link goes to the request"
    );
    // Sorted by recipient, the last first, 50 a page: the order holds through the heading's
    // link, the export and a resend; a size not offered is said and the list shown as usual.
    let sorted = staff
        .get("/instruction/courriels?tri=-destinataire&par=50")
        .await;
    assert_eq!(sorted.status, 200);
    let at = |who: &str| {
        sorted
            .html
            .find(&format!("value=\"{who}@exemple.fr\""))
            .unwrap()
    };
    assert!(at("inconnu3") < at("inconnu2") && at("inconnu2") < at("inconnu1"));
    assert!(sorted.html.contains("aria-sort=\"descending\""));
    assert_eq!(
        sorted.links("/instruction/courriels?tri=destinataire"),
        ["/instruction/courriels?tri=destinataire&par=50"],
        "the heading sorts the other way, the size kept"
    );
    let csv = staff
        .get(&sorted.links("/instruction/courriels.csv")[0])
        .await
        .html;
    let cases: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    let expected: Vec<String> = requests
        .iter()
        .rev()
        .map(|id| format!("/instruction/demandes/{id}"))
        .collect();
    assert_eq!(cases, expected, "the export in the order shown: {csv}");
    let wrong = staff.get("/instruction/courriels?par=7").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text().contains("Nombre de lignes par page invalide"));
    assert!(wrong.text().contains("3 courriels en échec"));

    let resend = format!("/instruction/courriels/{}/renvoyer", first.id);
    {
        // The page as staff use it, in Chromium at desktop size: axe finds nothing.
        use crate::common::browser::Browser as Chromium;
        let chromium = Chromium::start().await;
        chromium.sign_in(&app, "staff@cyberdir.fr").await;
        chromium.wait_for_text("File d'instruction").await;
        chromium.goto(&app.url("/instruction/courriels")).await;
        chromium.wait_for_text("3 courriels en échec").await;
        chromium.assert_accessible("the failed emails").await;
        chromium.close().await;
    }

    // A wrong correction is refused in French and changes nothing.
    let refused = staff
        .submit(&page, &resend, &[("recipient", "claire-at-exemple")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .alert()
            .unwrap()
            .contains("Adresse électronique invalide"),
        "{:?}",
        refused.alert()
    );
    let unchanged = app
        .with_conn(move |c| cyberdir::db::outbox::find(c, &first.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (unchanged.status.as_str(), unchanged.recipient.as_str()),
        ("failed", "inconnu1@exemple.fr")
    );

    // The right address: the email goes there.
    let corrected = staff
        .submit(&sorted, &resend, &[("recipient", " claire@exemple.fr ")])
        .await;
    assert!(
        corrected
            .location
            .as_deref()
            .unwrap()
            .contains("tri=-destinataire&par=50"),
        "back to the list as it was sorted: {:?}",
        corrected.location
    );
    let after = staff.follow(&corrected).await;
    assert!(
        after
            .text()
            .contains("L'adresse est corrigée pour ce courriel")
    );
    assert!(after.text().contains("2 courriels en échec"));
    app.deliver_to(&sink).await;
    assert_eq!(sink.messages_to("claire@exemple.fr").len(), 1);

    // The two others, ticked together: back in the queue (they fail again, nothing lost).
    let nothing = staff
        .submit(&after, "/instruction/courriels/renvoyer", &[])
        .await;
    assert_eq!(nothing.status, 422);
    assert!(
        nothing
            .alert()
            .unwrap()
            .contains("Cochez au moins un courriel")
    );
    let ids: Vec<String> = app
        .with_conn(cyberdir::db::outbox::all)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.status.as_str() == "failed")
        .map(|m| m.id)
        .collect();
    assert_eq!(ids.len(), 2);
    let ticked: Vec<(&str, &str)> = ids.iter().map(|id| ("ids", id.as_str())).collect();
    let sent = staff
        .submit(&after, "/instruction/courriels/renvoyer", &ticked)
        .await;
    let after = staff.follow(&sent).await;
    assert!(
        after
            .text()
            .contains("Les courriels cochés sont remis dans la file d'envoi")
    );
    assert!(after.text().contains("Aucun courriel en échec."));
    let pending = app
        .with_conn(cyberdir::db::outbox::all)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| ids.contains(&m.id) && m.status.as_str() == "pending")
        .count();
    assert_eq!(pending, 2);
}
