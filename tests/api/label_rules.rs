//! The label's rules at their edges (issue 11): a renewal holds a label only while staff or the
//! auditor examine it and for a bounded time; one label per provider at a time; a renewal after
//! the end date is a new label; an audit is recorded from its day and corrections until their
//! deadline; two years to the day; staff close a removed provider's application; Paris dates;
//! the auditor and staff are told.

use crate::common;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use common::label::{
    Cast, cast, filled_application, findings, grant, schedule_on, sign_in_again, step, to_decision,
};
use common::{SmtpSink, TestApp, label, provider};
use cyberdir::auth::Role;
use cyberdir::domain::zone::Zone;
use serde_json::json;

fn at(y: i32, m: u32, d: u32, h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// `presta` holding EC-2025-0042 (2025-01-10 to 2027-01-10), with its cast.
async fn labelled(app: &TestApp) -> Cast {
    let mut holder = provider("presta", 48.11, -1.68, Zone::National);
    holder.label = Some(label("EC-2025-0042", (2025, 1, 10), "valid"));
    app.insert(holder).await;
    let member = app.member_of("presta", "gerante@presta.fr").await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let auditor = app.user("auditrice@certif.fr", Role::Auditor).await;
    Cast {
        auditor_id: auditor.user_id.clone(),
        member,
        staff,
        auditor,
    }
}

/// Staff take `action` on EC-2025-0042, then the member's new application is refused; its
/// detail.
async fn act_then_refused_application(cast: &Cast, action: &str, reason: &str) -> String {
    let (status, body) = cast
        .staff
        .post(
            &format!("/api/v1/labels/EC-2025-0042/{action}"),
            &json!({ "reason": reason }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, refused) = cast
        .member
        .post("/api/v1/providers/presta/label-applications", &json!({}))
        .await;
    assert_eq!(status, 409, "{refused}");
    refused["detail"].as_str().unwrap().to_owned()
}

async fn public_status(app: &TestApp, number: &str) -> String {
    let (_, body) = app.get_json(&format!("/api/v1/labels/{number}")).await;
    body["status"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_renewal_holds_the_label_only_while_examined_and_for_a_bounded_time() {
    let sink = SmtpSink::start();
    let db = std::sync::Arc::new(common::TestDb::new());
    let app = TestApp::spawn_with(db, &[("EXPERTCYBER_RENEWAL_GRACE_DAYS", "30")]).await;
    app.clock.set(at(2026, 12, 20, 9));
    let cast = labelled(&app).await;
    let id = filled_application(&app, &cast.member).await;
    assert_eq!(step(&cast.member, &id, "submit", json!({})).await.0, 200);

    // Sent back to the provider: the renewal no longer holds the label past its end date.
    assert_eq!(
        step(&cast.staff, &id, "start-admissibility", json!({}))
            .await
            .0,
        200
    );
    let (status, body) = step(
        &cast.staff,
        &id,
        "mark-incomplete",
        json!({"reason": "L'attestation d'assurance manque."}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    app.clock.set(at(2027, 1, 11, 9));
    assert_eq!(public_status(&app, "EC-2025-0042").await, "expired");
    let report = app.run_jobs().await;
    assert_eq!(report.labels_expired, 1);
    app.deliver_to(&sink).await;
    assert!(
        sink.messages_to("gerante@presta.fr")
            .iter()
            .any(|m| m.subject.contains("EC-2025-0042 a expiré")),
        "the provider is told"
    );
    assert!(
        sink.messages_to("staff@cyberdir.fr")
            .iter()
            .any(|m| m.subject.contains("Label EC-2025-0042") && m.subject.contains("expiré")),
        "staff are told"
    );

    // With staff, a renewal holds the label, but only for the grace period.
    let mut other = provider("autre", 48.11, -1.68, Zone::National);
    other.label = Some(label("EC-2025-0043", (2025, 1, 10), "valid"));
    app.insert(other).await;
    app.clock.set(at(2026, 12, 20, 9));
    let member = app.member_of("autre", "autre@autre.fr").await;
    let staff = app.log_in("staff@cyberdir.fr", common::TEST_PASSWORD).await;
    let (status, created) = member
        .post("/api/v1/providers/autre/label-applications", &json!({}))
        .await;
    assert_eq!(status, 201, "{created}");
    let other_id = created["id"].as_str().unwrap().to_owned();
    member
        .patch(
            &format!("/api/v1/label-applications/{other_id}"),
            &common::label::all_answers(&app),
        )
        .await;
    assert_eq!(step(&member, &other_id, "submit", json!({})).await.0, 200);
    for action in ["start-admissibility", "mark-admissible"] {
        assert_eq!(step(&staff, &other_id, action, json!({})).await.0, 200);
    }
    app.clock.set(at(2027, 2, 9, 9));
    assert_eq!(public_status(&app, "EC-2025-0043").await, "valid");
    assert_eq!(app.run_jobs().await.labels_expired, 0);
    app.clock.set(at(2027, 2, 10, 9));
    assert_eq!(
        public_status(&app, "EC-2025-0043").await,
        "expired",
        "30 days past its end date, the label expires though the renewal is still examined"
    );
    assert_eq!(app.run_jobs().await.labels_expired, 1);
}

#[tokio::test]
async fn no_second_label_while_one_is_suspended_nor_soon_after_a_withdrawal() {
    let app = TestApp::spawn().await;
    let cast = labelled(&app).await;
    let detail = act_then_refused_application(&cast, "suspend", "Plainte en cours d'examen.").await;
    assert!(detail.contains("suspendu"), "{detail}");
    let detail =
        act_then_refused_application(&cast, "withdraw", "Manquements graves confirmés.").await;
    assert!(detail.contains("à partir du 22/05/2027"), "{detail}");

    app.clock.set(at(2027, 5, 22, 9));
    let cast = sign_in_again(&app, cast).await;
    let (status, created) = cast
        .member
        .post("/api/v1/providers/presta/label-applications", &json!({}))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["kind"], "initial");
}

#[tokio::test]
async fn a_renewal_reaching_staff_after_the_end_date_is_a_new_label_from_the_grant() {
    let app = TestApp::spawn().await;
    app.clock.set(at(2026, 12, 20, 9));
    let cast = labelled(&app).await;
    let id = filled_application(&app, &cast.member).await;
    let (_, draft) = cast
        .member
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert_eq!(draft["kind"], "renewal");

    // Submitted five days after the end date.
    app.clock.set(at(2027, 1, 15, 9));
    let cast = sign_in_again(&app, cast).await;
    let (status, submitted) = step(&cast.member, &id, "submit", json!({})).await;
    assert_eq!(status, 200, "{submitted}");
    assert_eq!(submitted["kind"], "initial");
    assert_eq!(submitted["label_number"], serde_json::Value::Null);
    assert_eq!(public_status(&app, "EC-2025-0042").await, "expired");
    schedule_on(&cast, &id, day(2027, 1, 15)).await;
    let (status, body) = step(&cast.auditor, &id, "record-audit", findings(&app, &[])).await;
    assert_eq!(status, 200, "{body}");
    let granted = grant(&cast, &id).await;
    let number = granted["label_number"].as_str().unwrap();
    assert!(number.starts_with("EC-2027-"), "a new number: {number}");
    let (_, new_label) = app.get_json(&format!("/api/v1/labels/{number}")).await;
    assert_eq!(new_label["valid_from"], "2027-01-15");
    assert_eq!(new_label["valid_until"], "2029-01-14");
    assert_eq!(public_status(&app, "EC-2025-0042").await, "expired");
}

#[tokio::test]
async fn an_audit_is_recorded_from_its_day_and_corrections_only_until_their_deadline() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let id = filled_application(&app, &cast.member).await;
    assert_eq!(step(&cast.member, &id, "submit", json!({})).await.0, 200);
    let audit_day = app.clock.today() + Days::new(10);
    schedule_on(&cast, &id, audit_day).await;

    let code = common::label::criteria(&app)[0].clone();
    let major = findings(&app, &[(code.as_str(), "non_conformite_majeure")]);
    let (status, refused) = step(&cast.auditor, &id, "record-audit", major.clone()).await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("à partir de cette date"),
        "{refused}"
    );

    app.clock.set(at(2026, 12, 3, 9));
    let cast = sign_in_again(&app, cast).await;
    let (status, audited) = step(&cast.auditor, &id, "record-audit", major).await;
    assert_eq!(status, 200, "{audited}");
    assert_eq!(audited["status"], "corrective_actions");
    assert_eq!(audited["corrective_deadline"], "2027-02-01");

    // The scheduled pass has not run: the action itself refuses late corrections.
    app.clock.set(at(2027, 2, 2, 9));
    let cast = sign_in_again(&app, cast).await;
    let (status, refused) = step(&cast.member, &id, "submit-corrections", json!({})).await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["detail"].as_str().unwrap().contains("01/02/2027"),
        "{refused}"
    );
    let (_, unchanged) = cast
        .member
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert_eq!(unchanged["status"], "corrective_actions");
}

#[tokio::test]
async fn a_label_is_valid_two_years_to_the_day_from_its_paris_grant_date() {
    let app = TestApp::spawn().await;
    // 23:30 UTC on 30 November is 00:30 on 1 December in Paris.
    app.clock
        .set(at(2026, 11, 30, 23) + chrono::Duration::minutes(30));
    let cast = cast(&app).await;
    let id = filled_application(&app, &cast.member).await;
    to_decision(&app, &cast, &id).await;
    let granted = grant(&cast, &id).await;
    let number = granted["label_number"].as_str().unwrap();
    let (_, issued) = app.get_json(&format!("/api/v1/labels/{number}")).await;
    assert_eq!(issued["valid_from"], "2026-12-01", "the Paris date");
    assert_eq!(issued["valid_until"], "2028-11-30");

    // New Year's night in Paris numbers the label of the new year; 29 February is handled.
    let second = TestApp::spawn().await;
    second
        .clock
        .set(at(2027, 12, 31, 23) + chrono::Duration::minutes(30));
    let cast = common::label::cast(&second).await;
    let id = filled_application(&second, &cast.member).await;
    to_decision(&second, &cast, &id).await;
    let granted = grant(&cast, &id).await;
    assert!(
        granted["label_number"]
            .as_str()
            .unwrap()
            .starts_with("EC-2028-"),
        "{granted}"
    );
    let third = TestApp::spawn().await;
    third.clock.set(at(2028, 2, 29, 10));
    let cast = common::label::cast(&third).await;
    let id = filled_application(&third, &cast.member).await;
    to_decision(&third, &cast, &id).await;
    let granted = grant(&cast, &id).await;
    let number = granted["label_number"].as_str().unwrap();
    let (_, leap) = third.get_json(&format!("/api/v1/labels/{number}")).await;
    assert_eq!(leap["valid_from"], "2028-02-29");
    assert_eq!(leap["valid_until"], "2030-02-28");
}

#[tokio::test]
async fn staff_close_a_removed_providers_application_and_auditors_and_staff_are_told() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let id = filled_application(&app, &cast.member).await;
    assert_eq!(step(&cast.member, &id, "submit", json!({})).await.0, 200);
    schedule_on(&cast, &id, app.clock.today() + Days::new(7)).await;

    // Rescheduled with another auditor: the first one is told the audit is no longer theirs.
    let other = app.user("second@certif.fr", Role::Auditor).await;
    let (status, body) = step(
        &cast.staff,
        &id,
        "schedule-audit",
        json!({"auditor_id": other.user_id, "audit_date": (app.clock.today() + Days::new(9)).to_string()}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Not removed: staff may not close it; a member may not either.
    let reason = json!({"reason": "Prestataire retiré de l'annuaire."});
    let (status, refused) = step(&cast.staff, &id, "close", reason.clone()).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(
        step(&cast.member, &id, "close", reason.clone()).await.0,
        403
    );

    // Suspended: the auditor is told the audit waits.
    let (status, body) = cast
        .staff
        .post(
            "/api/v1/providers/presta/suspend",
            &json!({"reason": "Plaintes répétées."}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = cast
        .staff
        .post(
            "/api/v1/providers/presta/remove",
            &json!({"reason": "Manquements confirmés."}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, closed) = step(&cast.staff, &id, "close", reason).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "withdrawn");

    app.deliver_to(&sink).await;
    let first: Vec<String> = sink
        .messages_to("auditrice@certif.fr")
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert!(
        first.iter().any(|s| s.contains("annulé")),
        "the auditor who lost the audit is told: {first:?}"
    );
    let second: Vec<String> = sink
        .messages_to("second@certif.fr")
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert!(
        second.iter().any(|s| s.contains("en attente")),
        "the auditor learns of the suspension: {second:?}"
    );
    assert!(
        second.iter().filter(|s| s.contains("annulé")).count() >= 1,
        "and of the removal and closing: {second:?}"
    );
}

#[tokio::test]
async fn a_withdrawn_application_tells_its_auditor_and_staff_and_admins() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    app.user("admin@cyberdir.fr", Role::Admin).await;
    let id = filled_application(&app, &cast.member).await;
    assert_eq!(step(&cast.member, &id, "submit", json!({})).await.0, 200);
    schedule_on(&cast, &id, app.clock.today() + Days::new(7)).await;
    let (status, body) = step(&cast.member, &id, "withdraw", json!({})).await;
    assert_eq!(status, 200, "{body}");
    app.deliver_to(&sink).await;
    assert!(
        sink.messages_to("auditrice@certif.fr")
            .iter()
            .any(|m| m.subject.contains("annulé"))
    );
    for reviewer in ["staff@cyberdir.fr", "admin@cyberdir.fr"] {
        assert!(
            sink.messages_to(reviewer)
                .iter()
                .any(|m| m.subject.contains("retirée")),
            "{reviewer} is told"
        );
    }
}

/// Issue 24, item 16: a renewal may be filed only from six months before the label's end; filed
/// earlier, it is refused with the day it opens (and nothing changes).
#[tokio::test]
async fn a_renewal_filed_before_its_window_is_refused_with_the_day_it_opens() {
    let app = TestApp::spawn().await;
    app.clock.set(at(2026, 6, 1, 9));
    let cast = labelled(&app).await;
    let id = filled_application(&app, &cast.member).await;
    let (status, refused) = step(&cast.member, &id, "submit", json!({})).await;
    assert_eq!(status, 409, "{refused}");
    let detail = refused["detail"].as_str().unwrap();
    assert!(detail.contains("à partir du 10/07/2026"), "{detail}");
    let (_, draft) = cast
        .member
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert_eq!(draft["status"], "draft", "{draft}");
    // The day the window opens, the same file goes.
    app.clock.set(at(2026, 7, 10, 9));
    let cast = sign_in_again(&app, cast).await;
    let (status, submitted) = step(&cast.member, &id, "submit", json!({})).await;
    assert_eq!(status, 200, "{submitted}");
    assert_eq!(submitted["kind"], "renewal", "{submitted}");
}

/// Issue 24, item 21: the wait after a withdrawal counts in Paris days. Withdrawn at 00:30 in
/// Paris on 1 January (23:30 UTC the day before), the label may be applied for again 180 days
/// after 1 January, not after 31 December.
#[tokio::test]
async fn the_wait_after_a_withdrawal_counts_from_the_day_in_paris() {
    let app = TestApp::spawn().await;
    app.clock
        .set(at(2026, 12, 31, 23) + chrono::Duration::minutes(30));
    let cast = labelled(&app).await;
    let detail =
        act_then_refused_application(&cast, "withdraw", "Manquements graves confirmés.").await;
    assert!(detail.contains("à partir du 30/06/2027"), "{detail}");
}
