//! The referencing rules at their edges (issue 11): a SIRET belongs to one live organisation,
//! a change request dies with suspension or removal, the city follows a move, documents have a
//! validity that submission, approval and reminders respect, and staff learn of a withdrawal.

use crate::common;

use chrono::{TimeZone, Utc};
use common::referencing::{PDF, approved, complete_profile, ready_draft_with};
use common::{Session, SmtpSink, TestApp};
use cyberdir::auth::Role;
use serde_json::{Value, json};

const FREE_SIRET: &str = "44100001500012";

fn profile_with_siret(siret: &str, name: &str) -> Value {
    let mut profile = complete_profile();
    profile["siret"] = json!(siret);
    profile["name"] = json!(name);
    profile
}

async fn pending_requests(staff: &Session) -> Vec<Value> {
    let (status, body) = staff.get("/api/v1/change-requests").await;
    assert_eq!(status, 200, "{body}");
    body["results"].as_array().cloned().unwrap_or_default()
}

/// A referenced provider asks to change its legal name; the change request's id.
async fn file_legal_name_change(owner: &Session, id: &str) -> String {
    let (status, filed) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"legal_name": "BREIZH CYBER HOLDING"}),
        )
        .await;
    assert_eq!(status, 200, "{filed}");
    filed["change_request"]["id"].as_str().unwrap().to_owned()
}

/// Staff `suspend` or `remove` the provider: its pending request `request_id` is ended, and
/// approving it is refused.
async fn end_then_refuse_approval(staff: &Session, id: &str, action: &str, request_id: &str) {
    let (status, body) = staff
        .post(
            &format!("/api/v1/providers/{id}/{action}"),
            &json!({"reason": "Plaintes de victimes confirmées"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(pending_requests(staff).await.is_empty(), "ended");
    let (status, refused) = staff
        .post(
            &format!("/api/v1/change-requests/{request_id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 409, "{refused}");
}

#[tokio::test]
async fn a_siret_belongs_to_one_live_organisation_when_a_change_is_filed_and_decided() {
    let app = TestApp::spawn().await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let first = app.user("a@exemple.fr", Role::Provider).await;
    let second = app.user("b@exemple.fr", Role::Provider).await;
    let a = approved(&app, &first, &staff, complete_profile()).await;
    let b_profile = profile_with_siret("44100000700019", "Second");
    let b = approved(&app, &second, &staff, b_profile).await;

    // Filing a change to another approved provider's SIRET is refused at once.
    let (status, refused) = first
        .patch(
            &format!("/api/v1/providers/{a}"),
            &json!({"siret": "441 000 007 00019"}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["errors"]["siret"].is_array(), "{refused}");
    assert!(pending_requests(&staff).await.is_empty());

    // A free SIRET is filed; meanwhile another organisation is approved with it.
    let (status, filed) = first
        .patch(
            &format!("/api/v1/providers/{a}"),
            &json!({"siret": FREE_SIRET}),
        )
        .await;
    assert_eq!(status, 200, "{filed}");
    let request_id = filed["change_request"]["id"].as_str().unwrap().to_owned();
    let third = app.user("c@exemple.fr", Role::Provider).await;
    approved(
        &app,
        &third,
        &staff,
        profile_with_siret(FREE_SIRET, "Troisième"),
    )
    .await;

    // Deciding it is refused, and nothing changes.
    let (status, refused) = staff
        .post(
            &format!("/api/v1/change-requests/{request_id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["errors"]["siret"].is_array(), "{refused}");
    let (_, public) = app.get_json(&format!("/api/v1/providers/{a}")).await;
    assert_eq!(public["siret"], "73282932000074");
    assert_eq!(pending_requests(&staff).await.len(), 1, "still to decide");
    let (_, other) = app.get_json(&format!("/api/v1/providers/{b}")).await;
    assert_eq!(other["siret"], "44100000700019");
}

#[tokio::test]
async fn a_change_request_ends_with_suspension_and_is_never_published() {
    let app = TestApp::spawn().await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let id = approved(&app, &owner, &staff, complete_profile()).await;
    let request_id = file_legal_name_change(&owner, &id).await;

    end_then_refuse_approval(&staff, &id, "suspend", &request_id).await;
    staff
        .post(&format!("/api/v1/providers/{id}/reinstate"), &json!({}))
        .await;
    let (_, public) = app.get_json(&format!("/api/v1/providers/{id}")).await;
    assert_eq!(public["legal_name"], "BREIZH CYBER SAS", "never published");
    let (_, events) = staff.get(&format!("/api/v1/providers/{id}/events")).await;
    assert!(
        events["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "change-request-rejected"),
        "{events}"
    );
}

#[tokio::test]
async fn the_city_follows_a_move_unless_a_new_one_is_typed() {
    let app = TestApp::spawn().await;
    app.import_bundled_geo().await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let (status, draft) = owner.post("/api/v1/providers", &complete_profile()).await;
    assert_eq!(status, 201, "{draft}");
    let id = draft["id"].as_str().unwrap().to_owned();

    // The form sends the old city back with the new postcode: it follows the move.
    let (status, moved) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"postcode": "69001", "city": "Rennes"}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    let (_, application) = owner
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    let city = application["city"].as_str().unwrap();
    assert!(city.starts_with("Lyon"), "{application}");
    assert!(
        application["latitude"].as_f64().unwrap() < 46.0,
        "{application}"
    );

    // A city typed anew with the move is kept.
    let (status, _) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"postcode": "35000", "city": "Rennes Cedex"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, application) = owner
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    assert_eq!(application["city"], "Rennes Cedex");
}

async fn upload_insurance(owner: &Session, id: &str, valid_until: Option<&str>) -> (u16, Value) {
    let mut fields = vec![("kind", "insurance")];
    if let Some(day) = valid_until {
        fields.push(("valid_until", day));
    }
    owner
        .upload(
            &format!("/api/v1/providers/{id}/documents"),
            &fields,
            "rc-pro.pdf",
            PDF.to_vec(),
        )
        .await
}

async fn upload_kbis(owner: &Session, id: &str, issued_on: Option<&str>) -> (u16, Value) {
    let mut fields = vec![("kind", "kbis")];
    if let Some(day) = issued_on {
        fields.push(("issued_on", day));
    }
    owner
        .upload(
            &format!("/api/v1/providers/{id}/documents"),
            &fields,
            "kbis.pdf",
            PDF.to_vec(),
        )
        .await
}

#[tokio::test]
async fn a_kbis_extract_carries_its_date_and_is_less_than_three_months_old_at_submission() {
    let app = TestApp::spawn().await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let id = ready_draft_with(&app, &owner, complete_profile()).await;

    // Tests start on 23 November 2026: the date is required, a real date, not in the future,
    // and not older than three months.
    for (given, why) in [
        (None, "missing"),
        (Some("23/10/2026"), "not AAAA-MM-JJ"),
        (Some("2026-11-24"), "tomorrow"),
        (Some("2026-08-22"), "three months and a day"),
    ] {
        let (status, refused) = upload_kbis(&owner, &id, given).await;
        assert_eq!(status, 422, "{why}: {refused}");
        assert!(
            refused["errors"]["issued_on"].is_array(),
            "{why}: {refused}"
        );
    }
    let (_, refused) = upload_kbis(&owner, &id, Some("2026-08-22")).await;
    assert!(
        refused["errors"]["issued_on"][0]
            .as_str()
            .unwrap()
            .contains("moins de 3 mois"),
        "{refused}"
    );
    // Exactly three months old: accepted, and it replaces the newer one.
    let (status, uploaded) = upload_kbis(&owner, &id, Some("2026-08-23")).await;
    assert_eq!(status, 201, "{uploaded}");
    assert_eq!(uploaded["issued_on"], "2026-08-23");

    // A day later it is too old to submit: the file stays a draft, told why.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap());
    let owner = app.log_in("presta@exemple.fr", common::TEST_PASSWORD).await;
    let submit = format!("/api/v1/providers/{id}/submit");
    let (status, refused) = owner.post(&submit, &json!({})).await;
    assert_eq!(status, 422, "{refused}");
    let problem = refused["errors"]["documents.kbis"][0].as_str().unwrap();
    assert!(problem.contains("23/08/2026"), "{refused}");
    let (_, application) = owner
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    assert_eq!(application["status"], "draft");

    // A recent extract: submitted.
    let (status, _) = upload_kbis(&owner, &id, Some("2026-11-20")).await;
    assert_eq!(status, 201);
    let (status, body) = owner.post(&submit, &json!({})).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn insurance_certificates_have_an_end_that_submission_approval_and_reminders_respect() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let id = ready_draft_with(&app, &owner, complete_profile()).await;

    // The end date is required, in the future, and a real date.
    for (given, why) in [
        (None, "missing"),
        (Some("2026-11-01"), "past"),
        (Some("31/12/2027"), "not AAAA-MM-JJ"),
    ] {
        let (status, refused) = upload_insurance(&owner, &id, given).await;
        assert_eq!(status, 422, "{why}: {refused}");
        assert!(
            refused["errors"]["valid_until"].is_array(),
            "{why}: {refused}"
        );
    }
    // Ending in a week: accepted, the file is submitted and reviewed.
    let (status, uploaded) = upload_insurance(&owner, &id, Some("2026-11-30")).await;
    assert_eq!(status, 201, "{uploaded}");
    assert_eq!(uploaded["valid_until"], "2026-11-30");
    for (who, action) in [(&owner, "submit"), (&staff, "start-review")] {
        let (status, body) = who
            .post(&format!("/api/v1/providers/{id}/{action}"), &json!({}))
            .await;
        assert_eq!(status, 200, "{action}: {body}");
    }

    // Lapsed during the review: staff see it outdated, and approval is refused.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap());
    let staff = app.log_in("staff@cyberdir.fr", common::TEST_PASSWORD).await;
    let (_, application) = staff
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    let insurance = application["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "insurance")
        .unwrap()
        .clone();
    assert_eq!(insurance["outdated"], true, "{insurance}");
    let (status, refused) = staff
        .post(&format!("/api/v1/providers/{id}/approve"), &json!({}))
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["errors"]["documents.insurance"][0]
            .as_str()
            .unwrap()
            .contains("a expiré le 30/11/2026"),
        "{refused}"
    );

    // Another provider, approved, is asked for the next certificate a month ahead, once.
    let other_owner = app.user("autre@exemple.fr", Role::Provider).await;
    let other = approved(
        &app,
        &other_owner,
        &staff,
        json!({
            "legal_name": "AUTRE SAS", "name": "Autre", "siret": FREE_SIRET,
            "address_line": "2 rue de Brest", "postcode": "35000", "city": "Rennes",
            "phone": "02 99 11 11 11", "email": "contact@autre.fr",
            "description": "Assistance aux victimes de cybermalveillance à Rennes.",
            "audiences": ["particulier"], "incident_types": ["rancongiciel"],
            "remote": false, "zone": {"kind": "radius", "radius_km": 30}
        }),
    )
    .await;
    let (status, _) = upload_insurance(&other_owner, &other, Some("2026-12-20")).await;
    assert_eq!(status, 201);
    // The file under review whose certificate lapsed is asked for a new one too (issue 24,
    // item 22): two requests, each once.
    assert_eq!(app.run_jobs().await.document_renewals, 2);
    assert_eq!(app.run_jobs().await.document_renewals, 0, "once");
    app.deliver_to(&sink).await;
    let told: Vec<_> = sink
        .messages_to("presta@exemple.fr")
        .into_iter()
        .filter(|m| m.subject.contains("Document expiré"))
        .collect();
    assert_eq!(told.len(), 1, "the provider under review is told");
    assert!(told[0].text.contains("30/11/2026"), "{}", told[0].text);
    // It uploads the new certificate while the file is under review; the reviewer sees it
    // (current, and its upload in the trail) and may approve.
    let owner = app.log_in("presta@exemple.fr", common::TEST_PASSWORD).await;
    let (status, uploaded) = upload_insurance(&owner, &id, Some("2027-11-30")).await;
    assert_eq!(status, 201, "{uploaded}");
    let (_, application) = staff
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    assert_eq!(application["status"], "in_review", "{application}");
    let current = application["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "insurance")
        .unwrap()
        .clone();
    assert_eq!(current["valid_until"], "2027-11-30", "{current}");
    assert_eq!(current["outdated"], false, "{current}");
    let (_, trail) = staff.get(&format!("/api/v1/providers/{id}/events")).await;
    assert!(trail.to_string().contains("upload-insurance"), "{trail}");
    let (status, approved_file) = staff
        .post(&format!("/api/v1/providers/{id}/approve"), &json!({}))
        .await;
    assert_eq!(status, 200, "{approved_file}");
    let asked: Vec<_> = sink
        .messages_to("autre@exemple.fr")
        .into_iter()
        .filter(|m| m.subject.contains("Document à renouveler"))
        .collect();
    assert_eq!(asked.len(), 1);
    assert!(asked[0].text.contains("20/12/2026"), "{}", asked[0].text);
}

#[tokio::test]
async fn staff_learn_that_a_submitted_application_was_withdrawn() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    app.user("staff@cyberdir.fr", Role::Staff).await;
    app.user("admin@cyberdir.fr", Role::Admin).await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let id = ready_draft_with(&app, &owner, complete_profile()).await;
    for action in ["submit", "withdraw"] {
        let (status, body) = owner
            .post(&format!("/api/v1/providers/{id}/{action}"), &json!({}))
            .await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    app.deliver_to(&sink).await;
    for reviewer in ["staff@cyberdir.fr", "admin@cyberdir.fr"] {
        assert!(
            sink.messages_to(reviewer)
                .iter()
                .any(|m| m.subject.contains("Demande de référencement retirée")),
            "{reviewer}"
        );
    }
    // A draft withdrawn tells nobody at staff (they never saw it).
    let second = app.user("second@exemple.fr", Role::Provider).await;
    let draft = ready_draft_with(&app, &second, profile_with_siret(FREE_SIRET, "Brouillon")).await;
    second
        .post(&format!("/api/v1/providers/{draft}/withdraw"), &json!({}))
        .await;
    app.deliver_to(&sink).await;
    let withdrawn = sink
        .messages_to("staff@cyberdir.fr")
        .iter()
        .filter(|m| m.subject.contains("retirée"))
        .count();
    assert_eq!(withdrawn, 1);
}

#[tokio::test]
async fn removal_ends_a_change_request_and_approval_wants_the_charter_in_force() {
    let app = TestApp::spawn().await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let id = approved(&app, &owner, &staff, complete_profile()).await;
    let request_id = file_legal_name_change(&owner, &id).await;
    end_then_refuse_approval(&staff, &id, "remove", &request_id).await;

    // A file submitted under an earlier charter is not approved until the one in force is.
    let second = app.user("second@exemple.fr", Role::Provider).await;
    let other = ready_draft_with(&app, &second, profile_with_siret(FREE_SIRET, "Autre")).await;
    for (who, action) in [(&second, "submit"), (&staff, "start-review")] {
        let (status, body) = who
            .post(&format!("/api/v1/providers/{other}/{action}"), &json!({}))
            .await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    app.with_conn(|c| {
        use diesel::RunQueryDsl;
        diesel::sql_query("UPDATE charter_acceptances SET charter_version = '2020-01'")
            .execute(c)
            .unwrap();
    })
    .await;
    let (status, refused) = staff
        .post(&format!("/api/v1/providers/{other}/approve"), &json!({}))
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["errors"]["charter"].is_array(), "{refused}");
}

/// The providers a public search around Rennes finds.
async fn found_in_rennes(app: &TestApp) -> Vec<String> {
    let (status, body) = app
        .get_json("/api/v1/providers?lat=48.1113&lon=-1.68&limit=50")
        .await;
    assert_eq!(status, 200, "{body}");
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Issue 24, item 15: referencing is checked all along. A provider whose insurance lapsed leaves
/// the search the day after its last day (staff still see it), is told, is suspended once the
/// grace period passed without a new certificate, and is reinstated only with a current one.
#[tokio::test]
async fn a_provider_whose_insurance_lapsed_leaves_the_search_then_is_suspended() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let id = approved(&app, &owner, &staff, complete_profile()).await;
    let (status, _) = upload_insurance(&owner, &id, Some("2026-12-20")).await;
    assert_eq!(status, 201);
    assert_eq!(found_in_rennes(&app).await, std::slice::from_ref(&id));

    // Its last day: still found. The day after: no longer, though staff still see it.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 20, 22, 0, 0).unwrap());
    assert_eq!(
        found_in_rennes(&app).await,
        std::slice::from_ref(&id),
        "20/12 in Paris"
    );
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 20, 23, 30, 0).unwrap());
    assert!(found_in_rennes(&app).await.is_empty(), "21/12 in Paris");
    let staff = app.log_in("staff@cyberdir.fr", common::TEST_PASSWORD).await;
    let (_, file) = staff
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    assert_eq!(file["status"], "approved", "{file}");
    assert_eq!(app.run_jobs().await.uninsured_suspended, 0);
    app.deliver_to(&sink).await;
    assert!(
        sink.messages_to("presta@exemple.fr")
            .iter()
            .any(|m| m.subject.contains("Document expiré")),
        "the provider is told"
    );

    // 30 days after the lapse, not before, the provider is suspended.
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 19, 9, 0, 0).unwrap());
    assert_eq!(app.run_jobs().await.uninsured_suspended, 0);
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 20, 9, 0, 0).unwrap());
    assert_eq!(app.run_jobs().await.uninsured_suspended, 1);
    assert_eq!(app.run_jobs().await.uninsured_suspended, 0, "once");
    let staff = app.log_in("staff@cyberdir.fr", common::TEST_PASSWORD).await;
    let (_, events) = staff.get(&format!("/api/v1/providers/{id}/events")).await;
    assert!(
        events.to_string().contains("expirée le 20/12/2026"),
        "{events}"
    );

    // Reinstatement wants what approval wants: a current certificate.
    let (status, refused) = staff
        .post(&format!("/api/v1/providers/{id}/reinstate"), &json!({}))
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["errors"]["documents.insurance"].is_array(),
        "{refused}"
    );
    let owner = app.log_in("presta@exemple.fr", common::TEST_PASSWORD).await;
    let (status, uploaded) = upload_insurance(&owner, &id, Some("2028-01-31")).await;
    assert_eq!(status, 201, "{uploaded}");
    let (status, reinstated) = staff
        .post(&format!("/api/v1/providers/{id}/reinstate"), &json!({}))
        .await;
    assert_eq!(status, 200, "{reinstated}");
    assert_eq!(found_in_rennes(&app).await, [id]);
}
