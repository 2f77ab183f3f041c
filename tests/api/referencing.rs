//! The referencing workflow over HTTP, with emails received by a real SMTP server.

use crate::common;

use common::referencing::{PDF, complete_profile, ready_draft, upload};

use common::{Session, SmtpSink, TestApp};
use cyberdir::auth::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn an_application_goes_from_draft_to_the_public_search_with_an_email_at_each_step() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let owner = app.user("gerant@breizh-cyber.fr", Role::Provider).await;
    let staff = app.user("instructrice@cyberdir.fr", Role::Staff).await;
    let id = ready_draft(&app, &owner).await;

    let (status, submitted) = owner
        .post(&format!("/api/v1/providers/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, 200, "{submitted}");
    assert_eq!(submitted["status"], "submitted");
    let (status, _) = staff
        .post(&format!("/api/v1/providers/{id}/start-review"), &json!({}))
        .await;
    assert_eq!(status, 200);
    let (status, body) = staff
        .post(
            &format!("/api/v1/providers/{id}/request-changes"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 422, "a reason is required");
    assert!(body["errors"]["reason"].is_array());
    let (status, changes) = staff
        .post(
            &format!("/api/v1/providers/{id}/request-changes"),
            &json!({"reason": "Le Kbis date de plus de trois mois."}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(changes["status"], "changes_requested");
    assert_eq!(
        changes["available_actions"],
        json!([]),
        "staff have nothing to do while the provider edits"
    );

    // The provider sees the reason, uploads a new Kbis and resubmits.
    let (_, trail) = owner.get(&format!("/api/v1/providers/{id}/events")).await;
    let reasons: Vec<&str> = trail["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["reason"].as_str())
        .collect();
    assert!(reasons.contains(&"Le Kbis date de plus de trois mois."));
    assert_eq!(
        upload(&owner, &id, "kbis", "kbis-2026.pdf", PDF.to_vec())
            .await
            .0,
        201
    );
    owner
        .post(&format!("/api/v1/providers/{id}/submit"), &json!({}))
        .await;
    staff
        .post(&format!("/api/v1/providers/{id}/start-review"), &json!({}))
        .await;

    // Not yet public.
    let (_, search) = app.get_json("/api/v1/providers?postcode=35000").await;
    assert_eq!(search["total"], 0);
    let (status, approved) = staff
        .post(&format!("/api/v1/providers/{id}/approve"), &json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(approved["status"], "approved");
    let (_, search) = app
        .get_json("/api/v1/providers?postcode=35000&incident=rancongiciel")
        .await;
    assert_eq!(search["results"][0]["id"], id.as_str());
    assert_eq!(search["results"][0]["name"], "Breizh Cyber");
    assert_eq!(search["results"][0]["siret"], "73282932000074");

    // The full trail, in order, with actors.
    let (_, trail) = staff.get(&format!("/api/v1/providers/{id}/events")).await;
    let actions: Vec<&str> = trail["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "create",
            "upload-kbis",
            "upload-insurance",
            "accept-charter",
            "submit",
            "start-review",
            "request-changes",
            "upload-kbis",
            "submit",
            "start-review",
            "approve"
        ]
    );
    let approve = trail["results"].as_array().unwrap().last().unwrap();
    assert_eq!(
        (approve["from_state"].as_str(), approve["to_state"].as_str()),
        (Some("in_review"), Some("approved"))
    );
    assert_eq!(approve["actor"], "Utilisateur de test");

    app.deliver_to(&sink).await;
    let to_owner: Vec<String> = sink
        .messages_to("gerant@breizh-cyber.fr")
        .iter()
        .map(|m| m.subject.clone())
        .collect();
    assert_eq!(to_owner.len(), 6, "{to_owner:?}");
    assert!(to_owner[0].contains("bien été reçue"));
    assert!(to_owner[2].contains("modifications"));
    assert!(to_owner.last().unwrap().contains("Référencement accepté"));
    let changes_mail = &sink.messages_to("gerant@breizh-cyber.fr")[2];
    assert!(
        changes_mail
            .text
            .contains("Le Kbis date de plus de trois mois.")
    );
    assert!(
        changes_mail
            .html
            .contains("Le Kbis date de plus de trois mois.")
    );
    let to_staff = sink.messages_to("instructrice@cyberdir.fr");
    assert_eq!(to_staff.len(), 2, "new application, then resubmitted");
    assert!(
        to_staff[1].subject.contains("réexaminer") || to_staff[1].text.contains("modifications")
    );
}

#[tokio::test]
async fn submitting_an_incomplete_application_lists_what_is_missing() {
    let app = TestApp::spawn().await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let (status, draft) = owner
        .post("/api/v1/providers", &json!({"name": "Début"}))
        .await;
    assert_eq!(status, 201);
    let id = draft["id"].as_str().unwrap();
    let (status, body) = owner
        .post(&format!("/api/v1/providers/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, 422);
    let errors = body["errors"].as_object().unwrap();
    for field in [
        "siret",
        "legal_name",
        "phone",
        "documents.kbis",
        "documents.insurance",
        "charter",
        "zone",
        "incident_types",
    ] {
        assert!(errors.contains_key(field), "{field} not reported: {body}");
    }
    let (_, after) = owner
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    assert_eq!(after["status"], "draft", "nothing changed");
}

#[tokio::test]
async fn a_new_postcode_moves_the_provider_and_forgets_the_old_commune() {
    let app = TestApp::spawn().await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let mut profile = complete_profile();
    profile["commune_code"] = json!("35238");
    let (status, draft) = owner.post("/api/v1/providers", &profile).await;
    assert_eq!(status, 201, "{draft}");
    let id = draft["id"].as_str().unwrap();
    assert_eq!(draft["commune_code"], "35238");
    assert!(draft["latitude"].as_f64().unwrap() > 47.0, "{draft}");

    let (status, moved) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"postcode": "13001", "city": "Marseille"}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    let (_, after) = owner
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    assert_eq!(after["postcode"], "13001");
    assert_eq!(
        after["commune_code"],
        Value::Null,
        "the Rennes commune code is dropped"
    );
    let latitude = after["latitude"].as_f64().unwrap();
    assert!(
        (43.0..44.0).contains(&latitude),
        "located in Marseille, not Rennes: {after}"
    );
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let (_, draft) = owner
        .post("/api/v1/providers", &json!({"name": "Sécu 35"}))
        .await;
    let id = draft["id"].as_str().unwrap().to_owned();

    let (status, body) = owner
        .patch(&format!("/api/v1/providers/{id}"), &json!({"siret": "73282932000075", "phone": "12", "zone": {"kind": "radius", "radius_km": 0}, "website": "ftp://x"}))
        .await;
    assert_eq!(status, 422);
    for field in ["siret", "phone", "zone", "website"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    assert!(
        body["errors"]["siret"][0]
            .as_str()
            .unwrap()
            .contains("clé de contrôle")
    );
    let (status, body) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"champ_inconnu": 1}),
        )
        .await;
    assert_eq!(status, 422, "{body}");

    // Not a PDF, whatever its name; too big; unknown kind.
    let (status, body) = upload(
        &owner,
        &id,
        "kbis",
        "kbis.pdf",
        b"PK\x03\x04 this is a zip".to_vec(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["file"][0].as_str().unwrap().contains("PDF"));
    let mut big = PDF.to_vec();
    big.resize(11 * 1024 * 1024, b' ');
    big.extend_from_slice(b"%%EOF\n");
    let (status, body) = upload(&owner, &id, "kbis", "gros.pdf", big).await;
    assert_eq!(status, 413, "{body}");
    let (status, _) = upload(&owner, &id, "photo", "x.pdf", PDF.to_vec()).await;
    assert_eq!(status, 422);

    // A forged or missing CSRF token on the upload.
    let form = reqwest::multipart::Form::new().text("kind", "kbis").part(
        "file",
        reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("k.pdf"),
    );
    let response = owner
        .client
        .post(app.url(&format!("/api/v1/providers/{id}/documents")))
        .header("x-csrf-token", "forged")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);

    let (_, after) = owner
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    assert_eq!(after["siret"], "");
    assert_eq!(after["documents"], json!([]));
    let (_, trail) = owner.get(&format!("/api/v1/providers/{id}/events")).await;
    assert_eq!(
        trail["results"].as_array().unwrap().len(),
        1,
        "only the creation"
    );
}

#[tokio::test]
async fn two_staff_approving_at_once_cannot_both_win() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let alice = app.user("alice@cyberdir.fr", Role::Staff).await;
    let bob = app.user("bob@cyberdir.fr", Role::Staff).await;
    let id = ready_draft(&app, &owner).await;
    owner
        .post(&format!("/api/v1/providers/{id}/submit"), &json!({}))
        .await;
    let (_, reviewed) = alice
        .post(&format!("/api/v1/providers/{id}/start-review"), &json!({}))
        .await;
    let seen = reviewed["version"].as_i64().unwrap();

    let approve = format!("/api/v1/providers/{id}/approve");
    let reject = format!("/api/v1/providers/{id}/reject");
    let (approve_body, reject_body) = (
        json!({"version": seen}),
        json!({"version": seen, "reason": "Doublon"}),
    );
    let (a, b) = tokio::join!(
        alice.post(&approve, &approve_body),
        bob.post(&reject, &reject_body)
    );
    let statuses = [a.0, b.0];
    assert!(
        statuses.contains(&200) && statuses.contains(&409),
        "{statuses:?} {a:?} {b:?}"
    );
    let (_, trail) = owner.get(&format!("/api/v1/providers/{id}/events")).await;
    let decisions = trail["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| ["approve", "reject"].contains(&e["action"].as_str().unwrap()))
        .count();
    assert_eq!(decisions, 1);
    // A stale page: the version the user saw is no longer current.
    let (status, body) = alice
        .post(
            &format!("/api/v1/providers/{id}/suspend"),
            &json!({"version": seen, "reason": "x"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    app.deliver_to(&sink).await;
    let decided: Vec<String> = sink
        .messages_to("presta@exemple.fr")
        .iter()
        .map(|m| m.subject.clone())
        .filter(|s| s.contains("accepté") || s.contains("retenue"))
        .collect();
    assert_eq!(decided.len(), 1, "one decision, one email: {decided:?}");
}

#[tokio::test]
async fn a_published_profile_publishes_descriptions_and_sends_legal_changes_to_staff() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let id = ready_draft(&app, &owner).await;
    owner
        .post(&format!("/api/v1/providers/{id}/submit"), &json!({}))
        .await;
    staff
        .post(&format!("/api/v1/providers/{id}/start-review"), &json!({}))
        .await;
    staff
        .post(&format!("/api/v1/providers/{id}/approve"), &json!({}))
        .await;

    let (status, outcome) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"description": "Nouvelle description, publiée tout de suite.", "legal_name": "BREIZH CYBER SASU", "zone": {"kind": "national"}}),
        )
        .await;
    assert_eq!(status, 200, "{outcome}");
    let request_id = outcome["change_request"]["id"].as_str().unwrap().to_owned();
    let (_, public) = app.get_json(&format!("/api/v1/providers/{id}")).await;
    assert_eq!(
        public["description"],
        "Nouvelle description, publiée tout de suite."
    );
    assert_eq!(
        public["legal_name"], "BREIZH CYBER SAS",
        "legal changes wait for staff"
    );
    assert_eq!(public["zone"]["kind"], "radius");
    let (status, _) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"siret": "55210055400021"}),
        )
        .await;
    assert_eq!(status, 409, "one pending request at a time");

    let (_, pending) = staff.get("/api/v1/change-requests").await;
    assert_eq!(pending["results"][0]["id"], request_id.as_str());
    let (status, _) = owner
        .post(
            &format!("/api/v1/change-requests/{request_id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, decided) = staff
        .post(
            &format!("/api/v1/change-requests/{request_id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{decided}");
    let (_, public) = app.get_json(&format!("/api/v1/providers/{id}")).await;
    assert_eq!(public["legal_name"], "BREIZH CYBER SASU");
    assert_eq!(public["zone"], json!({"kind": "national"}));
    let (_, far) = app.get_json("/api/v1/providers?postcode=13001").await;
    assert_eq!(far["total"], 1, "a national zone reaches Marseille");

    app.deliver_to(&sink).await;
    assert!(
        sink.messages_to("staff@cyberdir.fr")
            .iter()
            .any(|m| m.subject.contains("modification") && m.text.contains("Raison sociale"))
    );
    assert!(
        sink.messages_to("presta@exemple.fr")
            .iter()
            .any(|m| m.subject.contains("Modifications acceptées"))
    );
}

#[tokio::test]
async fn suspension_hides_the_provider_and_reinstatement_shows_it_again() {
    let app = TestApp::spawn().await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let id = ready_draft(&app, &owner).await;
    owner
        .post(&format!("/api/v1/providers/{id}/submit"), &json!({}))
        .await;
    staff
        .post(&format!("/api/v1/providers/{id}/start-review"), &json!({}))
        .await;
    staff
        .post(&format!("/api/v1/providers/{id}/approve"), &json!({}))
        .await;
    let (status, _) = staff
        .post(
            &format!("/api/v1/providers/{id}/suspend"),
            &json!({"reason": "Plainte d'une victime"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.get_json(&format!("/api/v1/providers/{id}")).await;
    assert_eq!(status, 404);
    let (status, body) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"description": "Je modifie pendant la suspension."}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    staff
        .post(&format!("/api/v1/providers/{id}/reinstate"), &json!({}))
        .await;
    let (status, _) = app.get_json(&format!("/api/v1/providers/{id}")).await;
    assert_eq!(status, 200);
    let (status, removed) = staff
        .post(
            &format!("/api/v1/providers/{id}/remove"),
            &json!({"reason": "Cessation d'activité"}),
        )
        .await;
    assert_eq!((status, removed["status"].as_str()), (200, Some("removed")));
    let (status, _) = staff
        .post(&format!("/api/v1/providers/{id}/reinstate"), &json!({}))
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn members_invite_colleagues_and_outsiders_see_nothing() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let owner = app.user("gerant@exemple.fr", Role::Provider).await;
    let colleague = app.user("collegue@exemple.fr", Role::Provider).await;
    let outsider = app.user("autre@exemple.fr", Role::Provider).await;
    let (_, draft) = owner
        .post("/api/v1/providers", &json!({"name": "Équipe"}))
        .await;
    let id = draft["id"].as_str().unwrap().to_owned();

    let (status, _) = outsider
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    assert_eq!(status, 404);
    let (status, _) = outsider
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"name": "Piraté"}),
        )
        .await;
    assert_eq!(status, 404);

    let (status, _) = owner
        .post(
            &format!("/api/v1/providers/{id}/invitations"),
            &json!({"email": "collegue@exemple.fr"}),
        )
        .await;
    assert_eq!(status, 202);
    app.deliver_to(&sink).await;
    let invitation = &sink.messages_to("collegue@exemple.fr")[0];
    assert!(invitation.subject.contains("Équipe"));
    let token = common::token_in(&invitation.text);
    let (status, _) = outsider
        .post("/api/v1/invitations/accept", &json!({"token": token}))
        .await;
    assert_eq!(
        status, 403,
        "the invitation is for another address (and stays usable by it)"
    );
    let (status, joined) = colleague
        .post("/api/v1/invitations/accept", &json!({"token": token}))
        .await;
    assert_eq!(status, 200, "{joined}");
    assert_eq!(
        joined["provider_id"],
        json!(id),
        "the answer names the organisation"
    );
    assert_eq!(joined["member"]["email"], "collegue@exemple.fr");
    assert_eq!(joined["member"]["is_owner"], false);
    let (status, _) = colleague
        .post("/api/v1/invitations/accept", &json!({"token": token}))
        .await;
    assert_eq!(status, 422, "single use");
    let (status, _) = colleague
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"description": "Ajouté par la collègue."}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = colleague
        .post(
            &format!("/api/v1/providers/{id}/invitations"),
            &json!({"email": "x@exemple.fr"}),
        )
        .await;
    assert_eq!(status, 403, "only the owner invites");
    let (_, members) = owner.get(&format!("/api/v1/providers/{id}/members")).await;
    assert_eq!(members["results"].as_array().unwrap().len(), 2);
}

/// Every route of the workflow, for every role: allowed or refused as the rules say.
#[tokio::test]
async fn every_route_answers_every_role_as_the_rules_say() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@exemple.fr", Role::Provider).await;
    let sessions = [
        (
            "outsider",
            app.user("outsider@exemple.fr", Role::Provider).await,
        ),
        ("staff", app.user("staff@exemple.fr", Role::Staff).await),
        (
            "auditor",
            app.user("auditor@exemple.fr", Role::Auditor).await,
        ),
        ("admin", app.user("admin@exemple.fr", Role::Admin).await),
    ];
    let id = ready_draft(&app, &owner).await;
    // (method, path, body, expected for: owner, outsider, staff, auditor, admin). Requests that
    // are allowed but invalid in this state answer 409/422: the role check passed.
    let p = |s: &str| s.replace("{id}", &id);
    let table: Vec<(&str, String, Value, [u16; 5])> = vec![
        (
            "GET",
            p("/api/v1/providers/{id}/application"),
            json!(null),
            [200, 404, 200, 404, 200],
        ),
        (
            "GET",
            p("/api/v1/providers/{id}/events"),
            json!(null),
            [200, 404, 200, 404, 200],
        ),
        (
            "GET",
            p("/api/v1/providers/{id}/members"),
            json!(null),
            [200, 404, 200, 404, 200],
        ),
        (
            "PATCH",
            p("/api/v1/providers/{id}"),
            json!({"description": "Une description assez longue."}),
            [200, 404, 403, 404, 403],
        ),
        (
            "POST",
            p("/api/v1/providers/{id}/charter"),
            json!({"version": "0000"}),
            [422, 404, 403, 404, 403],
        ),
        (
            "POST",
            p("/api/v1/providers/{id}/invitations"),
            json!({"email": "x@exemple.fr"}),
            [202, 404, 403, 404, 403],
        ),
        (
            "POST",
            p("/api/v1/providers/{id}/start-review"),
            json!({}),
            [403, 404, 409, 404, 409],
        ),
        (
            "POST",
            p("/api/v1/providers/{id}/approve"),
            json!({}),
            [403, 404, 409, 404, 409],
        ),
        (
            "POST",
            p("/api/v1/providers/{id}/reject"),
            json!({"reason": "x"}),
            [403, 404, 409, 404, 409],
        ),
        (
            "POST",
            p("/api/v1/providers/{id}/request-changes"),
            json!({"reason": "x"}),
            [403, 404, 409, 404, 409],
        ),
        (
            "POST",
            p("/api/v1/providers/{id}/suspend"),
            json!({"reason": "x"}),
            [403, 404, 409, 404, 409],
        ),
        (
            "POST",
            p("/api/v1/providers/{id}/reinstate"),
            json!({}),
            [403, 404, 409, 404, 409],
        ),
        (
            "POST",
            p("/api/v1/providers/{id}/remove"),
            json!({"reason": "x"}),
            [403, 404, 409, 404, 409],
        ),
        (
            "GET",
            "/api/v1/applications".to_owned(),
            json!(null),
            [403, 403, 200, 403, 200],
        ),
        (
            "GET",
            "/api/v1/change-requests".to_owned(),
            json!(null),
            [403, 403, 200, 403, 200],
        ),
        (
            "GET",
            "/api/v1/outbox".to_owned(),
            json!(null),
            [403, 403, 200, 403, 200],
        ),
        (
            "POST",
            "/api/v1/providers".to_owned(),
            json!({}),
            [201, 201, 403, 403, 403],
        ),
    ];
    let everyone: Vec<(&str, &Session)> = std::iter::once(("owner", &owner))
        .chain(sessions.iter().map(|(n, s)| (*n, s)))
        .collect();
    for (method, path, body, expected) in &table {
        for ((who, session), want) in everyone.iter().zip(expected) {
            let (status, answer) = if *method == "GET" {
                session.get(path).await
            } else {
                session.send(method.parse().unwrap(), path, body).await
            };
            assert_eq!(status, *want, "{method} {path} as {who}: {answer}");
        }
    }
    // Anonymous: 401 everywhere but the public reads.
    for (method, path, body, _) in &table {
        let request = app.client.request(method.parse().unwrap(), app.url(path));
        let request = if *method == "GET" {
            request
        } else {
            request.json(body)
        };
        assert_eq!(
            request.send().await.unwrap().status().as_u16(),
            401,
            "{method} {path} anonymously"
        );
    }
    // The submit and withdraw of members, last (they change the state).
    let (status, _) = sessions[1]
        .1
        .post(&p("/api/v1/providers/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, 403, "staff cannot submit for the provider");
    let (status, _) = owner
        .post(&p("/api/v1/providers/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, 200);
    let (status, _) = owner
        .post(&p("/api/v1/providers/{id}/withdraw"), &json!({}))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn staff_queue_counts_and_filters_applications() {
    let app = TestApp::spawn().await;
    let owner = app.user("presta@exemple.fr", Role::Provider).await;
    let staff = app.user("staff@exemple.fr", Role::Staff).await;
    let first = ready_draft(&app, &owner).await;
    owner
        .post(&format!("/api/v1/providers/{first}/submit"), &json!({}))
        .await;
    let (_, other) = owner
        .post(
            "/api/v1/providers",
            &json!({"name": "Marseille Sécurité", "postcode": "13001"}),
        )
        .await;
    let (status, queue) = staff.get("/api/v1/applications").await;
    assert_eq!(status, 200);
    assert_eq!(queue["counts"]["submitted"], 1);
    assert_eq!(queue["counts"]["draft"], 1);
    let (_, submitted) = staff.get("/api/v1/applications?status=submitted").await;
    assert_eq!(submitted["total"], 1);
    assert_eq!(submitted["results"][0]["id"], first.as_str());
    let (_, in_13) = staff.get("/api/v1/applications?departement=13").await;
    assert_eq!(in_13["results"][0]["id"], other["id"]);
    assert_eq!(in_13["total"], 1);
    let (status, _) = staff.get("/api/v1/applications?status=inconnu").await;
    assert_eq!(status, 422);
}
