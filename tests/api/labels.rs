//! The ExpertCyber label over HTTP: the whole lifecycle with emails on a real SMTP server, time
//! travel for reminders, expiry, deadlines and renewal, label actions and public verification,
//! roles, and concurrent grants.

use crate::common;

use common::referencing::PDF;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use common::label::{Cast, all_answers, cast, filled_application, findings, step, to_decision};
use common::{Session, SmtpSink, TestApp, label, provider};
use cyberdir::auth::Role;
use cyberdir::domain::zone::Zone;
use serde_json::{Value, json};

#[tokio::test]
async fn a_provider_applies_is_audited_corrects_and_is_granted_with_an_email_at_each_step() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let (member, staff, auditor) = (&cast.member, &cast.staff, &cast.auditor);

    let (status, created) = member
        .post("/api/v1/providers/presta/label-applications", &json!({}))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["kind"], "initial");
    assert_eq!(created["status"], "draft");
    assert_eq!(created["fee"]["amount_cents"], 80_000);
    assert_eq!(created["fee"]["status"], "pending");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, again) = member
        .post("/api/v1/providers/presta/label-applications", &json!({}))
        .await;
    assert_eq!(status, 409, "one open application at a time: {again}");

    // Submitting with nothing answered names each criterion.
    let (status, body) = step(member, &id, "submit", json!({})).await;
    assert_eq!(status, 422);
    assert!(
        body["errors"]["answers.ADM-01"][0]
            .as_str()
            .unwrap()
            .contains("ADM-01")
    );
    // Every criterion but one answered in text, the last one by a piece of evidence.
    let mut answers = all_answers(&app);
    answers["answers"]
        .as_object_mut()
        .unwrap()
        .remove("QUAL-03");
    let (status, _) = member
        .patch(&format!("/api/v1/label-applications/{id}"), &answers)
        .await;
    assert_eq!(status, 200);
    let path = format!("/api/v1/label-applications/{id}/evidence");
    let (status, bad) = member
        .upload(
            &path,
            &[("criterion", "QUAL-03")],
            "registre.pdf",
            b"MZ\x90\x00 renamed".to_vec(),
        )
        .await;
    assert_eq!(status, 422, "not a PDF, PNG or JPEG: {bad}");
    let (status, evidence) = member
        .upload(
            &path,
            &[("criterion", "QUAL-03")],
            "registre.pdf",
            PDF.to_vec(),
        )
        .await;
    assert_eq!(status, 201, "{evidence}");
    assert_eq!(evidence["content_type"], "application/pdf");
    let (status, submitted) = step(member, &id, "submit", json!({})).await;
    assert_eq!(status, 200, "{submitted}");
    assert_eq!(submitted["status"], "submitted");

    // Admissibility: incomplete once, with what is missing.
    assert_eq!(step(member, &id, "mark-admissible", json!({})).await.0, 403);
    // One step at a time: examined first, then declared incomplete or admissible.
    assert_eq!(step(staff, &id, "mark-admissible", json!({})).await.0, 409);
    assert_eq!(
        step(staff, &id, "start-admissibility", json!({})).await.0,
        200
    );
    let (status, body) = step(staff, &id, "mark-incomplete", json!({})).await;
    assert_eq!(status, 422, "what is missing is required: {body}");
    let (status, _) = step(
        staff,
        &id,
        "mark-incomplete",
        json!({"reason": "Joignez les attestations URSSAF (ADM-04)."}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(step(member, &id, "submit", json!({})).await.0, 200);
    assert_eq!(
        step(staff, &id, "start-admissibility", json!({})).await.0,
        200
    );
    let (_, admissible) = step(staff, &id, "mark-admissible", json!({})).await;
    assert_eq!(admissible["status"], "admissible");

    // Scheduling needs a real auditor and a date not in the past.
    let (status, body) = step(
        staff,
        &id,
        "schedule-audit",
        json!({"auditor_id": staff.user_id, "audit_date": "2026-11-01"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["auditor_id"].is_array() && body["errors"]["audit_date"].is_array());
    let (status, scheduled) = step(
        staff,
        &id,
        "schedule-audit",
        json!({"auditor_id": cast.auditor_id, "audit_date": "2026-11-23"}),
    )
    .await;
    assert_eq!(status, 200, "{scheduled}");
    assert_eq!(scheduled["auditor"]["id"], json!(cast.auditor_id));

    // Another auditor does not even see it; staff cannot record the audit.
    let other_auditor = app.user("autre@certif.fr", Role::Auditor).await;
    let (status, _) = other_auditor
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        step(staff, &id, "record-audit", findings(&app, &[]))
            .await
            .0,
        403
    );
    let (status, body) = step(
        auditor,
        &id,
        "record-audit",
        json!({"findings": [{"criterion": "ADM-01", "finding": "conforme"}], "recommendation": "ok"}),
    )
    .await;
    assert_eq!(status, 422, "every criterion must be evaluated: {body}");
    assert!(body["errors"]["findings.COMP-01"].is_array());

    // A major non-conformity: corrective actions within 60 days.
    let (status, audited) = step(
        auditor,
        &id,
        "record-audit",
        findings(
            &app,
            &[
                ("ENG-02", "non_conformite_majeure"),
                ("QUAL-01", "non_conformite_mineure"),
            ],
        ),
    )
    .await;
    assert_eq!(status, 200, "{audited}");
    assert_eq!(audited["status"], "corrective_actions");
    assert_eq!(audited["corrective_deadline"], "2027-01-22");
    let eng02 = audited["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "ENG-02")
        .unwrap();
    assert_eq!(eng02["finding"]["finding"], "non_conformite_majeure");
    let (status, corrected) = step(
        member,
        &id,
        "submit-corrections",
        json!({"answers": {"ENG-02": "Procédure de préservation des preuves rédigée et diffusée."}}),
    )
    .await;
    assert_eq!(status, 200, "{corrected}");
    assert_eq!(corrected["status"], "audit_scheduled");
    let (_, decision) = step(auditor, &id, "record-audit", findings(&app, &[])).await;
    assert_eq!(decision["status"], "decision");
    assert_eq!(decision["audit_round"], 2);

    // The fee must be settled before granting.
    let (status, body) = step(staff, &id, "grant", json!({})).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("frais"));
    let (status, _) = member
        .put(
            &format!("/api/v1/label-applications/{id}/fee"),
            &json!({"status": "paid"}),
        )
        .await;
    assert_eq!(status, 403, "fee status is kept by staff");
    let (status, _) = staff
        .put(
            &format!("/api/v1/label-applications/{id}/fee"),
            &json!({"status": "paid"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, granted) = step(staff, &id, "grant", json!({})).await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["status"], "granted");
    assert_eq!(granted["label_number"], "EC-2026-0001");

    // Anyone can verify it, and the directory shows it.
    let (status, verified) = app.get_json("/api/v1/labels/EC-2026-0001").await;
    assert_eq!(status, 200);
    assert_eq!(
        verified,
        json!({
            "number": "EC-2026-0001", "provider_name": "Prestataire presta",
            "siret": "73282932000074", "status": "valid", "status_label": "valide",
            "valid_from": "2026-11-23", "valid_until": "2028-11-22"
        })
    );
    let (_, profile) = app.get_json("/api/v1/providers/presta").await;
    assert_eq!(profile["expertcyber"]["number"], "EC-2026-0001");
    let (_, found) = app
        .get_json("/api/v1/providers?postcode=35000&expertcyber=true")
        .await;
    assert_eq!(found["total"], 1);

    // The trail has every step, with the reason given.
    let (_, trail) = member
        .get(&format!("/api/v1/label-applications/{id}/events"))
        .await;
    let actions: Vec<&str> = trail["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "create",
        "submit",
        "start-admissibility",
        "mark-incomplete",
        "mark-admissible",
        "schedule-audit",
        "record-audit",
        "audit-outcome",
        "submit-corrections",
        "fee-paid",
        "grant",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }

    // Emails: the provider at each step, the auditor, staff.
    app.deliver_to(&sink).await;
    let to_member: Vec<String> = sink
        .messages_to("gerante@presta.fr")
        .into_iter()
        .map(|m| m.subject)
        .collect();
    for expected in [
        "reçue",
        "incomplète",
        "recevable",
        "Audit ExpertCyber planifié le 23/11/2026",
        "Actions correctives requises avant le 22/01/2027",
        "attribué : EC-2026-0001",
    ] {
        assert!(
            to_member.iter().any(|s| s.contains(expected)),
            "{expected:?} not in {to_member:?}"
        );
    }
    let incomplete = sink
        .messages_to("gerante@presta.fr")
        .into_iter()
        .find(|m| m.subject.contains("incomplète"))
        .unwrap();
    assert!(incomplete.text.contains("URSSAF"), "{}", incomplete.text);
    let to_auditor: Vec<String> = sink
        .messages_to("auditrice@certif.fr")
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert!(
        to_auditor
            .iter()
            .any(|s| s.contains("Audit ExpertCyber à réaliser"))
    );
    assert!(to_auditor.iter().any(|s| s.contains("à vérifier")));
    let to_staff: Vec<String> = sink
        .messages_to("staff@cyberdir.fr")
        .into_iter()
        .map(|m| m.subject)
        .collect();
    for expected in [
        "Nouvelle demande",
        "Audit ExpertCyber enregistré",
        "Actions correctives transmises",
    ] {
        assert!(
            to_staff.iter().any(|s| s.contains(expected)),
            "{expected:?} not in {to_staff:?}"
        );
    }
}

#[tokio::test]
async fn only_an_approved_provider_applies_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut draft = provider("brouillon", 48.11, -1.68, Zone::National);
    draft.status = cyberdir::domain::provider::ReferencingStatus::Draft;
    app.insert(draft).await;
    let member = app.member_of("brouillon", "x@brouillon.fr").await;
    let (status, body) = member
        .post("/api/v1/providers/brouillon/label-applications", &json!({}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("référencé"));

    let cast = cast(&app).await;
    let (status, _) = cast
        .member
        .post(
            "/api/v1/providers/presta/label-applications",
            &json!({"kind": "renewal"}),
        )
        .await;
    assert_eq!(status, 422, "nothing to renew");
    let id = filled_application(&app, &cast.member).await;
    let (status, body) = cast
        .member
        .patch(
            &format!("/api/v1/label-applications/{id}"),
            &json!({"answers": {"XYZ-99": "?", "ADM-01": "x".repeat(5001)}}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["answers.XYZ-99"].is_array());
    assert!(body["errors"]["answers.ADM-01"].is_array());
    let (_, view) = cast
        .member
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert!(
        view["criteria"][0]["answer"]
            .as_str()
            .unwrap()
            .starts_with("Notre réponse")
    );
    let big = vec![b'%'; 11 * 1024 * 1024];
    let (status, _) = cast
        .member
        .upload(
            &format!("/api/v1/label-applications/{id}/evidence"),
            &[("criterion", "ADM-01")],
            "gros.pdf",
            big,
        )
        .await;
    assert_eq!(status, 413);
    let (status, _) = step(&cast.member, &id, "fly", json!({})).await;
    assert_eq!(status, 404);
    let (status, _) = step(&cast.staff, &id, "grant", json!({})).await;
    assert_eq!(status, 409, "not in decision");
    let (status, _) = app.get_json("/api/v1/labels/EC-1999-0001").await;
    assert_eq!(status, 404);
    let response = app.get("/api/v1/labels/EC-1999-0001").await;
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let (_, view) = cast
        .member
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert_eq!(view["status"], "draft", "nothing changed");
}

#[tokio::test]
async fn reminders_go_once_each_and_a_renewal_keeps_the_label_valid_until_granted() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let second = TestApp::spawn_on(Arc::clone(&app.db)).await;
    // Valid from 2025-01-10 to 2027-01-10: 48 days left on 2026-11-23.
    let mut holder = provider("presta", 48.11, -1.68, Zone::National);
    holder.label = Some(label("EC-2025-0042", (2025, 1, 10), "valid"));
    app.insert(holder).await;
    let mut other = provider("autre", 48.11, -1.68, Zone::National);
    other.label = Some(label("EC-2025-0043", (2025, 1, 10), "valid"));
    app.insert(other).await;
    app.member_of("autre", "autre@autre.fr").await;
    app.member_of("presta", "gerante@presta.fr").await;

    // Two processes at once: the 90-day reminder goes once per label.
    let (a, b) = tokio::join!(app.run_jobs(), second.run_jobs());
    assert_eq!(a.label_reminders + b.label_reminders, 2);
    assert_eq!(app.run_jobs().await.label_reminders, 0, "once");
    let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 8, 0, 0).unwrap();
    for (day, expected) in [
        (at(2026, 12, 15), 2),
        (at(2026, 12, 20), 0),
        (at(2027, 1, 4), 2),
    ] {
        app.clock.set(day);
        second.clock.set(day);
        let (a, b) = tokio::join!(app.run_jobs(), second.run_jobs());
        assert_eq!(a.label_reminders + b.label_reminders, expected, "on {day}");
    }
    app.deliver_to(&sink).await;
    let reminders: Vec<String> = sink
        .messages_to("gerante@presta.fr")
        .into_iter()
        .map(|m| m.subject)
        .filter(|s| s.contains("expire dans"))
        .collect();
    assert_eq!(reminders.len(), 3, "{reminders:?}");
    assert!(
        reminders[0].contains("expire dans 48 jours"),
        "{reminders:?}"
    );
    assert!(
        reminders[1].contains("expire dans 26 jours"),
        "{reminders:?}"
    );
    assert!(
        reminders[2].contains("expire dans 6 jours"),
        "{reminders:?}"
    );

    // A renewal submitted before expiry.
    let member = app.log_in("gerante@presta.fr", common::TEST_PASSWORD).await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let auditor = app.user("auditrice@certif.fr", Role::Auditor).await;
    let cast = Cast {
        auditor_id: auditor.user_id.clone(),
        member,
        staff,
        auditor,
    };
    let id = filled_application(&app, &cast.member).await;
    let (_, view) = cast
        .member
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert_eq!(view["kind"], "renewal");
    assert_eq!(view["label_number"], "EC-2025-0042");
    assert_eq!(step(&cast.member, &id, "submit", json!({})).await.0, 200);

    // Past the end date: the renewed label stays valid, the other one expires (once).
    app.clock.set(at(2027, 1, 12));
    second.clock.set(at(2027, 1, 12));
    let (a, b) = tokio::join!(app.run_jobs(), second.run_jobs());
    assert_eq!(a.labels_expired + b.labels_expired, 1);
    let (_, renewed) = app.get_json("/api/v1/labels/EC-2025-0042").await;
    assert_eq!(renewed["status"], "valid", "{renewed}");
    let (_, expired) = app.get_json("/api/v1/labels/EC-2025-0043").await;
    assert_eq!(expired["status"], "expired");
    let (_, found) = app
        .get_json("/api/v1/providers?postcode=35000&expertcyber=true")
        .await;
    assert_eq!(
        found["total"], 1,
        "only the label under renewal counts as valid"
    );

    // Granted: the same number, two more years from the old end date.
    let member = app.log_in("gerante@presta.fr", common::TEST_PASSWORD).await;
    let staff = app.log_in("staff@cyberdir.fr", common::TEST_PASSWORD).await;
    let auditor = app
        .log_in("auditrice@certif.fr", common::TEST_PASSWORD)
        .await;
    let cast = Cast {
        member,
        staff,
        auditor,
        auditor_id: cast.auditor_id,
    };
    common::label::admissible(&cast, &id).await;
    let (status, body) = step(
        &cast.staff,
        &id,
        "schedule-audit",
        json!({"auditor_id": cast.auditor_id, "audit_date": "2027-01-20"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // The audit is recorded once it took place.
    app.clock.set(at(2027, 1, 20));
    let cast = common::label::sign_in_again(&app, cast).await;
    assert_eq!(
        step(&cast.auditor, &id, "record-audit", findings(&app, &[]))
            .await
            .0,
        200
    );
    cast.staff
        .put(
            &format!("/api/v1/label-applications/{id}/fee"),
            &json!({"status": "waived"}),
        )
        .await;
    let (status, granted) = step(&cast.staff, &id, "grant", json!({})).await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["label_number"], "EC-2025-0042");
    let (_, renewed) = app.get_json("/api/v1/labels/EC-2025-0042").await;
    assert_eq!(renewed["valid_until"], "2029-01-10");
    assert_eq!(renewed["status"], "valid");
    app.deliver_to(&sink).await;
    assert!(
        sink.messages_to("autre@autre.fr")
            .iter()
            .any(|m| m.subject.contains("a expiré"))
    );
    assert!(
        sink.messages_to("gerante@presta.fr")
            .iter()
            .any(|m| m.subject.contains("renouvelé : EC-2025-0042"))
    );
}

#[tokio::test]
async fn an_application_past_its_corrective_deadline_is_refused_once() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let second = TestApp::spawn_on(Arc::clone(&app.db)).await;
    let cast = cast(&app).await;
    let id = filled_application(&app, &cast.member).await;
    assert_eq!(step(&cast.member, &id, "submit", json!({})).await.0, 200);
    common::label::admissible(&cast, &id).await;
    step(
        &cast.staff,
        &id,
        "schedule-audit",
        json!({"auditor_id": cast.auditor_id, "audit_date": "2026-11-23"}),
    )
    .await;
    let (_, audited) = step(
        &cast.auditor,
        &id,
        "record-audit",
        findings(&app, &[("COMP-04", "non_conformite_majeure")]),
    )
    .await;
    assert_eq!(audited["corrective_deadline"], "2027-01-22");
    app.clock.set(app.clock.now() + Duration::days(60));
    assert_eq!(
        app.run_jobs().await.label_applications_refused,
        0,
        "deadline day"
    );
    app.clock.set(app.clock.now() + Duration::days(1));
    second.clock.set(app.clock.now());
    let (a, b) = tokio::join!(app.run_jobs(), second.run_jobs());
    assert_eq!(
        a.label_applications_refused + b.label_applications_refused,
        1
    );
    let member = app.log_in("gerante@presta.fr", common::TEST_PASSWORD).await;
    let (_, view) = member
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert_eq!(view["status"], "refused");
    assert!(
        view["decision_reason"]
            .as_str()
            .unwrap()
            .contains("22/01/2027")
    );
    app.deliver_to(&sink).await;
    assert_eq!(
        sink.messages_to("staff@cyberdir.fr")
            .iter()
            .filter(|m| m.subject.contains("Délai dépassé"))
            .count(),
        1
    );
    assert!(
        sink.messages_to("gerante@presta.fr")
            .iter()
            .any(|m| m.subject.contains("refusée") && m.text.contains("22/01/2027"))
    );
    // A new application may be opened once this one is closed.
    let (status, _) = member
        .post("/api/v1/providers/presta/label-applications", &json!({}))
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn labels_are_suspended_reinstated_and_withdrawn_with_the_referencing() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let mut holder = provider("presta", 48.11, -1.68, Zone::National);
    holder.label = Some(label("EC-2026-0007", (2026, 3, 1), "valid"));
    app.insert(holder).await;
    let member = app.member_of("presta", "gerante@presta.fr").await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let verify = |app: &TestApp| {
        let url = "/api/v1/labels/ec-2026-0007";
        let app_url = app.url(url);
        let client = app.client.clone();
        async move {
            let body: Value = client
                .get(app_url)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["status"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(verify(&app).await, "valid", "case-insensitive number");

    let (status, _) = member
        .post(
            "/api/v1/labels/EC-2026-0007/suspend",
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, body) = staff
        .post("/api/v1/labels/EC-2026-0007/suspend", &json!({}))
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, suspended) = staff
        .post(
            "/api/v1/labels/EC-2026-0007/suspend",
            &json!({"reason": "Réclamation en cours d'instruction."}),
        )
        .await;
    assert_eq!(status, 200, "{suspended}");
    assert_eq!(verify(&app).await, "suspended");
    let (_, found) = app
        .get_json("/api/v1/providers?postcode=35000&expertcyber=true")
        .await;
    assert_eq!(found["total"], 0, "a suspended label does not count");
    let (status, _) = staff
        .post(
            "/api/v1/labels/EC-2026-0007/suspend",
            &json!({"reason": "encore"}),
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = staff
        .post("/api/v1/labels/EC-2026-0007/reinstate", &json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(verify(&app).await, "valid");

    // Suspending the provider's referencing suspends the label; reinstating lifts both.
    let (status, _) = staff
        .post(
            "/api/v1/providers/presta/suspend",
            &json!({"reason": "Plainte d'une victime."}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(verify(&app).await, "suspended");
    // Reinstatement wants what approval wants: current documents and the charter accepted.
    let (status, refused) = staff
        .post("/api/v1/providers/presta/reinstate", &json!({}))
        .await;
    assert_eq!(status, 422, "{refused}");
    for (kind, file) in [("kbis", "kbis.pdf"), ("insurance", "rc-pro.pdf")] {
        let (status, body) = common::referencing::upload(
            &member,
            "presta",
            kind,
            file,
            common::referencing::PDF.to_vec(),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let version = app.state.charter.version.clone();
    let (status, body) = member
        .post(
            "/api/v1/providers/presta/charter",
            &json!({"version": version}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = staff
        .post("/api/v1/providers/presta/reinstate", &json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(verify(&app).await, "valid");
    let (status, _) = staff
        .post(
            "/api/v1/providers/presta/remove",
            &json!({"reason": "Cessation d'activité."}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(verify(&app).await, "withdrawn");
    let (_, trail) = staff.get("/api/v1/labels/EC-2026-0007/events").await;
    let actions: Vec<&str> = trail["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "suspend",
            "reinstate",
            "referencing-suspend",
            "referencing-reinstate",
            "referencing-remove"
        ]
    );
    app.deliver_to(&sink).await;
    let subjects: Vec<String> = sink
        .messages_to("gerante@presta.fr")
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(
        subjects
            .iter()
            .filter(|s| s.contains("Label ExpertCyber EC-2026-0007 suspendu"))
            .count(),
        2,
        "{subjects:?}"
    );
    assert!(subjects.iter().any(|s| s.contains("EC-2026-0007 retiré")));
}

#[tokio::test]
async fn every_label_route_answers_every_role_as_the_rules_say() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let id = filled_application(&app, &cast.member).await;
    assert_eq!(step(&cast.member, &id, "submit", json!({})).await.0, 200);
    let outsider = app.user("intrus@exemple.fr", Role::Provider).await;
    let admin = app.user("admin@cyberdir.fr", Role::Admin).await;
    let other_auditor = app.user("autre@certif.fr", Role::Auditor).await;
    let roles: [(&str, &Session); 6] = [
        ("member", &cast.member),
        ("outsider", &outsider),
        ("staff", &cast.staff),
        ("admin", &admin),
        ("auditor", &cast.auditor),
        ("other_auditor", &other_auditor),
    ];
    let read = format!("/api/v1/label-applications/{id}");
    // GET the application: members, staff and admins; the auditor once assigned.
    let expected_read = [200, 404, 200, 200, 404, 404];
    for ((name, session), expected) in roles.iter().zip(expected_read) {
        assert_eq!(session.get(&read).await.0, expected, "GET as {name}");
    }
    // Actions from `submitted`, tried by each role (each refusal changes nothing).
    let cases: [(&str, [u16; 6]); 4] = [
        ("mark-admissible", [403, 404, 0, 0, 404, 404]),
        ("submit", [409, 404, 403, 403, 404, 404]),
        ("record-audit", [403, 404, 403, 403, 404, 404]),
        ("grant", [403, 404, 409, 409, 404, 404]),
    ];
    for (action, expected) in cases {
        for ((name, session), code) in roles.iter().zip(expected) {
            if code == 0 {
                continue;
            }
            let (status, body) = step(session, &id, action, json!({})).await;
            assert_eq!(status, code, "{action} as {name}: {body}");
        }
    }
    let (_, view) = cast.member.get(&read).await;
    assert_eq!(view["status"], "submitted", "nothing changed");
    let (status, _) = admin
        .post(
            &format!("/api/v1/label-applications/{id}/start-admissibility"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "admins act as staff");
    // Lists: staff see all, an auditor only its own, providers nothing.
    assert_eq!(cast.staff.get("/api/v1/label-applications").await.0, 200);
    let (status, mine) = cast.auditor.get("/api/v1/label-applications").await;
    assert_eq!(status, 200);
    assert_eq!(mine["results"], json!([]));
    assert_eq!(cast.member.get("/api/v1/label-applications").await.0, 403);
    assert_eq!(cast.member.get("/api/v1/labels").await.0, 403);
    assert_eq!(cast.staff.get("/api/v1/labels").await.0, 200);
    let anonymous = app.client.get(app.url(&read)).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    assert_eq!(
        app.get("/api/v1/label-criteria").await.status().as_u16(),
        200
    );
}

#[tokio::test]
async fn two_staff_granting_at_once_issue_one_label() {
    let app = TestApp::spawn().await;
    let second = TestApp::spawn_on(Arc::clone(&app.db)).await;
    let cast = cast(&app).await;
    let id = filled_application(&app, &cast.member).await;
    to_decision(&app, &cast, &id).await;
    cast.staff
        .put(
            &format!("/api/v1/label-applications/{id}/fee"),
            &json!({"status": "paid"}),
        )
        .await;
    let colleague = second.user("collegue@cyberdir.fr", Role::Staff).await;
    let (a, b) = tokio::join!(
        step(&cast.staff, &id, "grant", json!({})),
        step(&colleague, &id, "grant", json!({}))
    );
    let mut codes = [a.0, b.0];
    codes.sort_unstable();
    assert_eq!(codes, [200, 409], "{a:?} {b:?}");
    let count = app
        .with_conn(|c| {
            use diesel::prelude::*;
            cyberdir::db::schema::labels::table
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(count, 1);
}
