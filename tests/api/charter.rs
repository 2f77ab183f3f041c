//! A new charter version: referenced providers are asked once to accept it; those who have not
//! within 30 days are listed for staff.

use crate::common;

use std::sync::Arc;

use chrono::Duration;
use common::{SmtpSink, TestApp, provider};
use cyberdir::auth::Role;
use cyberdir::domain::zone::Zone;
use serde_json::json;

#[tokio::test]
async fn providers_are_asked_once_and_late_ones_are_listed_for_staff() {
    let app = TestApp::spawn().await;
    let second = TestApp::spawn_on(Arc::clone(&app.db)).await;
    let sink = SmtpSink::start();
    let member = app.user("gerant@exemple.fr", Role::Provider).await;
    let staff = app.user("staff@exemple.fr", Role::Staff).await;
    // Referenced under an earlier version: accepted "2025-01" only.
    app.insert(provider("ancien", 48.11, -1.68, Zone::National))
        .await;
    let now = app.clock.now_naive();
    let member_id = member.user_id.clone();
    app.with_conn(move |c| {
        cyberdir::db::accounts::add_member(c, "ancien", &member_id, true, now).unwrap();
        cyberdir::db::referencing::accept_charter(c, "ancien", "2025-01", &member_id, now).unwrap();
    })
    .await;
    // Up to date: not asked.
    let current = app.state.charter.version.clone();
    app.insert(provider("a-jour", 48.11, -1.68, Zone::National))
        .await;
    let version = current.clone();
    app.with_conn(move |c| {
        cyberdir::db::referencing::accept_charter(c, "a-jour", &version, "x", now).unwrap()
    })
    .await;

    // Two processes run the job at once: one request, one email.
    let (a, b) = (
        app.state.clone().into_inner(),
        second.state.clone().into_inner(),
    );
    let (ra, rb) = tokio::join!(
        tokio::task::spawn_blocking(move || a.run_jobs()),
        tokio::task::spawn_blocking(move || b.run_jobs())
    );
    let total =
        ra.unwrap().unwrap().charter_notifications + rb.unwrap().unwrap().charter_notifications;
    assert_eq!(total, 1);
    let state = app.state.clone().into_inner();
    let again = tokio::task::spawn_blocking(move || state.run_jobs())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.charter_notifications, 0, "asked once");
    app.deliver_to(&sink).await;
    let mails = sink.messages_to("gerant@exemple.fr");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].subject.contains("charte"));
    assert!(
        mails[0].text.contains("23/12/2026"),
        "deadline 30 days later: {}",
        mails[0].text
    );

    let (_, overdue) = staff.get("/api/v1/charter/overdue").await;
    assert_eq!(overdue["results"], json!([]), "not late yet");
    app.clock.set(app.clock.now() + Duration::days(31));
    let staff = app.log_in("staff@exemple.fr", common::TEST_PASSWORD).await;
    let (status, overdue) = staff.get("/api/v1/charter/overdue").await;
    assert_eq!(status, 200);
    assert_eq!(overdue["results"][0]["provider_id"], "ancien");
    assert_eq!(overdue["results"].as_array().unwrap().len(), 1);

    let member = app.log_in("gerant@exemple.fr", common::TEST_PASSWORD).await;
    let (status, _) = member
        .post(
            "/api/v1/providers/ancien/charter",
            &json!({"version": current}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, overdue) = staff.get("/api/v1/charter/overdue").await;
    assert_eq!(overdue["results"], json!([]));
}
