//! The assistance rules at their edges (issue 11): a suspended or removed provider keeps no
//! victim; erasure reaches the outbox and its files, the exact place and requests left open;
//! absences turn at midnight in Paris; escalations reach admins too.

use crate::common;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use common::assistance::{answer, link_token, nearby, request_body, submit};
use common::{SmtpSink, TestApp, TestDb};
use cyberdir::auth::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn a_suspended_or_removed_provider_keeps_no_victim() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    nearby(&app, "proche", 3.0).await;
    nearby(&app, "relais", 50.0).await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;

    // One request accepted by `proche`, a second one offered to it.
    let (_, first) = submit(&app, &request_body()).await;
    let first_id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(first["provider_id"], "proche");
    app.deliver_to(&sink).await;
    let accept = link_token(&sink, "contact@proche.fr", "accept");
    let (status, body) = answer(&app, &first_id, "accept", json!({"token": accept})).await;
    assert_eq!(status, 200, "{body}");
    let mut second_body = request_body();
    second_body["contact"]["email"] = json!("paul@exemple.fr");
    second_body["contact"]["name"] = json!("Paul Durand");
    let (_, second) = submit(&app, &second_body).await;
    let second_id = second["id"].as_str().unwrap().to_owned();
    assert_eq!(second["provider_id"], "proche");
    app.deliver_to(&sink).await;
    let late_accept = link_token(&sink, "contact@proche.fr", "accept");

    let (status, body) = staff
        .post(
            "/api/v1/providers/proche/suspend",
            &json!({"reason": "Plaintes de victimes."}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Both requests went on to the next provider at once.
    for id in [&first_id, &second_id] {
        let (_, view) = staff
            .get(&format!("/api/v1/assistance-requests/{id}"))
            .await;
        assert_eq!(view["status"], "assigned", "{view}");
        assert_eq!(view["provider_id"], "relais", "{view}");
    }
    // The suspended provider's answer is refused and shows no contact.
    let (status, refused) = answer(&app, &second_id, "accept", json!({"token": late_accept})).await;
    assert!(status == 409 || status == 410, "{status} {refused}");
    assert!(!refused.to_string().contains("paul@exemple.fr"));
    let (_, availability) = staff.get("/api/v1/providers/proche/availability").await;
    assert_eq!(
        availability["open_requests"], 0,
        "its places are given back"
    );

    // The victim whose provider had accepted is told another one is sought.
    app.deliver_to(&sink).await;
    let told = sink
        .messages_to("claire@exemple.fr")
        .into_iter()
        .find(|m| m.subject.contains("nous cherchons un autre professionnel"))
        .expect("the victim is told");
    // With, while they wait again, the first steps of the fiche of their threat.
    let content = app.state.content();
    let fiche = content.library.reflexe_for("rancongiciel").unwrap();
    assert!(
        told.text.contains(&format!("1. {}", fiche.steps()[0])),
        "{}",
        told.text
    );

    // Removal: nobody is left near, the requests go to staff and the victims are told.
    let (status, body) = staff
        .post(
            "/api/v1/providers/relais/remove",
            &json!({"reason": "Cessation d'activité."}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for id in [&first_id, &second_id] {
        let (_, view) = staff
            .get(&format!("/api/v1/assistance-requests/{id}"))
            .await;
        assert_eq!(view["status"], "escalated", "{view}");
    }
}

fn eml_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[tokio::test]
async fn erasure_reaches_the_outbox_its_files_and_the_exact_place_even_of_open_requests() {
    let outbox = tempfile::tempdir().unwrap();
    let dir = outbox.path().to_str().unwrap().to_owned();
    let app = TestApp::spawn_with(
        Arc::new(TestDb::new()),
        &[("CYBERDIR_OUTBOX_DIR", dir.as_str())],
    )
    .await;
    nearby(&app, "p", 1.0).await;
    let member = app.member_of("p", "m@p.fr").await;
    let mut body = request_body();
    body.as_object_mut().unwrap().remove("postcode");
    body["latitude"] = json!(48.114_567);
    body["longitude"] = json!(-1.681_234);
    let (status, created) = submit(&app, &body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, accepted) = member
        .post(
            &format!("/api/v1/assistance-requests/{id}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{accepted}");
    app.deliver_to_files(outbox.path()).await;
    let victim_data = ["claire@exemple.fr", "Claire Martin", "chiffrés"];
    assert!(
        eml_files(outbox.path())
            .iter()
            .any(|m| victim_data.iter().any(|d| m.contains(d))),
        "the emails carry the victim's data"
    );

    // Never closed, a year and more later: erased all the same.
    app.clock.set(app.clock.now() + Duration::days(370));
    assert_eq!(app.run_jobs().await.requests_anonymised, 1);
    let rows = app
        .with_conn(|c| cyberdir::db::outbox::all(c).unwrap())
        .await;
    for row in &rows {
        for data in victim_data {
            assert!(
                !row.recipient.contains(data)
                    && !row.body_text.contains(data)
                    && !row.body_html.contains(data),
                "{data} is still in the outbox: {}",
                row.subject
            );
        }
    }
    for file in eml_files(outbox.path()) {
        for data in victim_data {
            assert!(!file.contains(data), "{data} is still in a file: {file}");
        }
    }
    let row = {
        let id = id.clone();
        app.with_conn(move |c| cyberdir::db::assistance::request(c, &id).unwrap())
            .await
            .unwrap()
    };
    assert_eq!(
        (row.latitude, row.longitude),
        (48.11, -1.68),
        "about a kilometre"
    );
    assert_eq!(row.status.as_str(), "closed");
    assert!(row.contact_email.is_none() && row.description.is_none());
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let (_, availability) = staff.get("/api/v1/providers/p/availability").await;
    assert_eq!(availability["open_requests"], 0, "the place is given back");
}

#[tokio::test]
async fn an_absence_from_the_first_starts_at_midnight_in_paris() {
    let app = TestApp::spawn().await;
    nearby(&app, "absent", 1.0).await;
    nearby(&app, "relais", 50.0).await;
    let away = app.member_of("absent", "m@absent.fr").await;
    let (status, body) = away
        .post(
            "/api/v1/providers/absent/absences",
            &json!({"starts_on": "2026-12-01", "ends_on": "2026-12-15"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // 23:30 UTC on 30 November: 00:30 on 1 December in Paris.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 30, 23, 30, 0).unwrap());
    let (status, created) = submit(&app, &request_body()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["provider_id"], "relais", "{created}");
}

#[tokio::test]
async fn an_escalated_request_reaches_staff_and_admins() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    app.user("staff@cyberdir.fr", Role::Staff).await;
    app.user("admin@cyberdir.fr", Role::Admin).await;
    let (status, created) = submit(&app, &request_body()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "escalated");
    app.deliver_to(&sink).await;
    for reviewer in ["staff@cyberdir.fr", "admin@cyberdir.fr"] {
        let mails: Vec<Value> = sink
            .messages_to(reviewer)
            .into_iter()
            .map(|m| json!(m.subject))
            .collect();
        assert_eq!(mails.len(), 1, "{reviewer}: {mails:?}");
    }
}
