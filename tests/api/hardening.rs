//! Regressions of the hardening issue: each test failed before its fix.

use crate::common;

use common::html::hidden;
use common::pages::Browser;
use common::{TEST_PASSWORD, TestApp, token_in};
use cyberdir::auth::Role;
use serde_json::json;

#[tokio::test]
async fn after_log_in_only_a_path_of_this_site_is_followed() {
    let app = TestApp::spawn().await;
    app.user("gerant@breizh-cyber.fr", Role::Provider).await;
    for (suite, expected) in [
        ("/\t/evil.example", "/espace"),
        ("/\n/x", "/espace"),
        ("/\\evil.example", "/espace"),
        ("//evil.example", "/espace"),
        ("https://evil.example/", "/espace"),
        ("/espace/organisations", "/espace/organisations"),
    ] {
        let browser = Browser::new(&app.address);
        let form = browser.get("/connexion").await.html;
        let response = browser
            .client
            .post(app.url("/connexion"))
            .form(&[
                ("email", "gerant@breizh-cyber.fr"),
                ("password", TEST_PASSWORD),
                ("csrf_token", &hidden(&form, "csrf_token")),
                ("suite", suite),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 303, "{suite:?}");
        assert_eq!(
            response.headers()["location"].to_str().unwrap(),
            expected,
            "{suite:?}"
        );
    }
}

#[tokio::test]
async fn account_emails_are_limited_per_address_and_kind() {
    let app = TestApp::spawn().await;
    let sink = common::SmtpSink::start();
    app.user("deja@exemple.fr", Role::Provider).await;
    let mut answers = Vec::new();
    for _ in 0..8 {
        answers.push(
            app.post_json(
                "/api/v1/password-resets",
                &json!({"email": "deja@exemple.fr"}),
            )
            .await,
        );
        answers.push(
            app.post_json(
                "/api/v1/accounts",
                &json!({"email": "deja@exemple.fr", "password": TEST_PASSWORD, "display_name": "X"}),
            )
            .await,
        );
    }
    // The answers never tell whether an email went.
    let unknown = app
        .post_json(
            "/api/v1/password-resets",
            &json!({"email": "personne@exemple.fr"}),
        )
        .await;
    assert!(answers.iter().step_by(2).all(|a| *a == unknown));
    // One reset link and one "account exists" email, however many requests.
    let mails = app.mails_to(&sink, "deja@exemple.fr", 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.deliver_to(&sink).await;
    let mails_after = sink.messages_to("deja@exemple.fr");
    assert_eq!(
        mails_after.len(),
        2,
        "{:?}",
        mails_after.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert_eq!(mails.len(), 2);
    // Once the interval has passed, the owner can have a new link.
    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(16));
    app.post_json(
        "/api/v1/password-resets",
        &json!({"email": "deja@exemple.fr"}),
    )
    .await;
    assert_eq!(app.mails_to(&sink, "deja@exemple.fr", 3).await.len(), 3);
}

#[tokio::test]
async fn a_new_password_voids_every_earlier_reset_link() {
    let app = TestApp::spawn().await;
    let sink = common::SmtpSink::start();
    app.user("paul@exemple.fr", Role::Provider).await;
    let reset = json!({"email": "paul@exemple.fr"});
    app.post_json("/api/v1/password-resets", &reset).await;
    let first = token_in(&app.mails_to(&sink, "paul@exemple.fr", 1).await[0].text);
    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(16));
    app.post_json("/api/v1/password-resets", &reset).await;
    let second = token_in(&app.mails_to(&sink, "paul@exemple.fr", 2).await[1].text);
    let (status, body) = app
        .post_json(
            "/api/v1/password-resets/confirm",
            &json!({"token": second, "password": "un nouveau mot de passe"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .post_json(
            "/api/v1/password-resets/confirm",
            &json!({"token": first, "password": "encore un autre secret"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    app.log_in("paul@exemple.fr", "un nouveau mot de passe")
        .await;
}

/// A log-in from `client` (the address the trusted proxy forwards).
async fn log_in_from(app: &TestApp, client: &str, email: &str, password: &str) -> u16 {
    app.client
        .post(app.url("/api/v1/session"))
        .header("x-forwarded-for", client)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn concurrent_wrong_passwords_are_checked_five_times_and_never_lock_the_owner_out() {
    let db = std::sync::Arc::new(common::TestDb::new());
    let app = TestApp::spawn_with(db, &[("CYBERDIR_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    app.user("cible@exemple.fr", Role::Provider).await;
    let attempts =
        (0..60).map(|_| log_in_from(&app, "198.51.100.66", "cible@exemple.fr", "pas le bon mot"));
    let statuses = futures_util::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (5, 55), "{statuses:?}");
    // The owner, from elsewhere, still gets in with the right password.
    assert_eq!(
        log_in_from(&app, "203.0.113.10", "cible@exemple.fr", TEST_PASSWORD).await,
        200
    );
    // Without a trusted proxy in front, the header is ignored: the peer is the client.
    let direct = TestApp::spawn().await;
    direct.user("cible@exemple.fr", Role::Provider).await;
    for n in 0..5 {
        let who = format!("198.51.100.{n}");
        assert_eq!(
            log_in_from(&direct, &who, "cible@exemple.fr", "faux").await,
            401
        );
    }
    assert_eq!(
        log_in_from(&direct, "198.51.100.99", "cible@exemple.fr", "faux").await,
        429,
        "a forged X-Forwarded-For does not escape the limit"
    );
}

#[tokio::test]
async fn concurrent_victims_from_one_address_create_exactly_the_hourly_limit() {
    let app = TestApp::spawn().await;
    app.insert(common::provider(
        "p1",
        48.1173,
        -1.6778,
        cyberdir::domain::zone::Zone::Radius { radius_km: 50 },
    ))
    .await;
    let bodies: Vec<_> = (0..30)
        .map(|n| {
            json!({
                "audience": "particulier",
                "incident_type": "rancongiciel",
                "postcode": "35000",
                "description": format!("Mes fichiers sont chiffrés ({n})."),
                "contact": {"name": "Camille", "email": format!("victime{n}@exemple.fr")},
                "consent": true
            })
        })
        .collect();
    let requests = bodies
        .iter()
        .map(|body| app.post_json("/api/v1/assistance-requests", body));
    let answers = futures_util::future::join_all(requests).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let refused = answers.iter().filter(|(s, _)| *s == 429).count();
    assert_eq!(
        (created, refused),
        (10, 20),
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn control_characters_are_a_field_error_everywhere_never_a_500() {
    let app = TestApp::spawn().await;
    for (path, body, field) in [
        (
            "/api/v1/assistance-requests",
            json!({"audience": "particulier", "incident_type": "rancongiciel", "postcode": "35000",
                   "description": "ok", "contact": {"name": "A\u{0}B", "email": "a@b.fr"}, "consent": true}),
            "contact.name",
        ),
        (
            "/api/v1/accounts",
            json!({"email": "a\u{0}@b.fr", "password": TEST_PASSWORD, "display_name": "X"}),
            "email",
        ),
        (
            "/api/v1/session",
            json!({"email": "a@b.fr", "password": "x\u{0}y"}),
            "password",
        ),
        (
            "/api/v1/password-resets",
            json!({"email": "\u{0}"}),
            "email",
        ),
    ] {
        let (status, answer) = app.post_json(path, &body).await;
        assert_eq!(status, 422, "{path}: {answer}");
        assert!(answer["errors"][field].is_array(), "{path}: {answer}");
    }
    for path in [
        "/api/v1/labels/EC-2026%00",
        "/labels/%00",
        "/api/v1/providers?postcode=35%000",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), 422, "{path}");
    }
    // A page form: a French page, not a 500.
    let response = app
        .client
        .post(app.url("/connexion"))
        .form(&[("email", "a\u{0}@b.fr"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("caractère de contrôle")
    );
    // Newlines and tabs stay allowed in long texts.
    let (status, body) = app
        .post_json(
            "/api/v1/assistance-requests",
            &json!({"audience": "particulier", "incident_type": "rancongiciel", "postcode": "35000",
                    "description": "Première ligne\n\tseconde ligne", "contact": {"name": "Camille", "email": "a@b.fr"}, "consent": true}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn pages_out_of_range_are_a_422() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin@cyberdir.fr", Role::Admin).await;
    for path in [
        "/api/v1/users?page=9223372036854775807",
        "/api/v1/users?page=0",
        "/api/v1/outbox?page=9223372036854775807",
        "/api/v1/applications?page=9223372036854775807",
        "/api/v1/users?limit=100000",
    ] {
        let (status, body) = admin.get(path).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert!(body["errors"].is_object(), "{path}: {body}");
    }
    let (status, body) = admin.get("/api/v1/users?page=2&limit=1").await;
    assert_eq!((status, body["page"].as_i64()), (200, Some(2)), "{body}");
    // The pages fall back to the first page.
    let response = admin
        .client
        .get(app.url("/admin/utilisateurs?page=99999999999999999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn an_upload_is_refused_before_its_body_is_read_and_its_parts_are_bounded() {
    let app = TestApp::spawn().await;
    let owner = app.user("gerant@breizh-cyber.fr", Role::Provider).await;
    let (status, created) = owner
        .post("/api/v1/providers", &json!({"name": "Breizh Cyber"}))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/providers/{id}/documents");
    let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();
    let many: Vec<(String, String)> = (0..30)
        .map(|n| (format!("note{n}"), "x".repeat(100)))
        .collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    // A stranger: refused on who they are, whatever the body (30 parts would be a 400).
    let stranger = app.user("intrus@exemple.fr", Role::Provider).await;
    let (status, body) = stranger.upload(&path, &many, "kbis.pdf", pdf.clone()).await;
    assert_eq!(status, 404, "{body}");
    // The owner: the parts are counted.
    let (status, body) = owner.upload(&path, &many, "kbis.pdf", pdf.clone()).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("trop de champs"),
        "{body}"
    );
    // A text field is short.
    let long = "k".repeat(5000);
    let (status, body) = owner
        .upload(&path, &[("kind", long.as_str())], "kbis.pdf", pdf.clone())
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = owner
        .upload(
            &path,
            &common::referencing::document_fields("kbis"),
            "kbis.pdf",
            pdf,
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn an_organisation_without_member_accounts_is_written_to_at_its_contact_address() {
    use chrono::Datelike;
    let sink = common::SmtpSink::start();
    let app = TestApp::spawn().await;
    // An imported organisation: no member account, a label ending in five days.
    let ends = common::start_of_tests().date_naive() + chrono::Days::new(5);
    let starts = ends - chrono::Months::new(24);
    let mut imported = common::provider(
        "importe",
        48.11,
        -1.68,
        cyberdir::domain::zone::Zone::National,
    );
    imported.label = Some(common::label(
        "EC-2024-0042",
        (starts.year(), starts.month(), starts.day()),
        "valid",
    ));
    app.insert(imported).await;
    assert_eq!(app.run_jobs().await.label_reminders, 1);
    app.deliver_to(&sink).await;
    let reminders: Vec<_> = sink
        .messages_to("contact@importe.fr")
        .into_iter()
        .filter(|m| m.text.contains("EC-2024-0042"))
        .collect();
    assert_eq!(reminders.len(), 1, "the reminder reaches someone");
}

#[tokio::test]
async fn a_mailbox_that_does_not_exist_is_failed_at_once_not_retried_for_a_day() {
    let sink = common::SmtpSink::start();
    let app = TestApp::spawn().await;
    let (status, _) = app
        .post_json(
            "/api/v1/accounts",
            &json!({"email": "inconnu@exemple.fr", "password": TEST_PASSWORD, "display_name": "X"}),
        )
        .await;
    assert_eq!(status, 202);
    let report = app.deliver_to(&sink).await;
    assert_eq!((report.sent, report.retrying, report.failed), (0, 0, 1));
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let (_, failed) = staff.get("/api/v1/outbox?status=failed").await;
    assert_eq!(failed["total"], 1, "{failed}");
}

#[tokio::test]
async fn an_idempotency_key_must_be_visible_ascii() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/api/v1/assistance-requests"))
        .header(
            "Idempotency-Key",
            reqwest::header::HeaderValue::from_bytes("clé-é".as_bytes()).unwrap(),
        )
        .json(&common::assistance::request_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["errors"]["Idempotency-Key"].is_array(), "{body}");
}

#[tokio::test]
async fn the_openapi_document_states_problems_methods_and_times_as_they_are() {
    let app = TestApp::spawn().await;
    let (_, doc) = app.get_json("/api/openapi.json").await;
    let label = &doc["paths"]["/api/v1/labels/{number}"]["get"]["responses"];
    assert!(
        label["404"]["content"]["application/problem+json"].is_object(),
        "{label}"
    );
    assert!(label["404"]["content"].get("application/json").is_none());
    assert!(label["422"].is_object() && label["400"].is_object());
    let text = doc.to_string();
    assert!(
        !text.contains("\"date-time\""),
        "times carry no offset: no date-time format"
    );
    // A route that exists with other methods: 405 and its methods.
    let response = app
        .client
        .delete(app.url("/api/v1/labels/EC-2026-0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(response.headers()["allow"], "GET");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn the_api_refuses_what_its_document_refuses_and_accepts_what_it_allows() {
    let app = TestApp::spawn().await;
    // An unknown field is named, not silently ignored.
    let (status, body) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "a@exemple.fr", "password": "x", "remember": true}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["errors"]["remember"][0]
            .as_str()
            .unwrap()
            .contains("Champ inconnu")
    );
    // C1 control characters in a query are refused like C0 ones.
    let (status, body) = app.get_json("/api/v1/geo/communes?q=Re%C2%84nnes").await;
    assert_eq!(status, 422, "{body}");
    // Two characters with nothing to search for: an empty list, not an error.
    let (status, body) = app.get_json("/api/v1/geo/communes?q=--").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"], json!([]));
    // A blank address for a password reset is a field error.
    let (status, body) = app
        .post_json("/api/v1/password-resets", &json!({"email": "  "}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["email"].is_array());
    // A whole number written 5.0 is the number 5 (JSON has one number type); 5.5 is not.
    app.insert(common::provider(
        "presta",
        48.11,
        -1.68,
        cyberdir::domain::zone::Zone::National,
    ))
    .await;
    let owner = app.member_of("presta", "m@presta.fr").await;
    let (status, body) = owner
        .put(
            "/api/v1/providers/presta/availability",
            &json!({"capacity": 5.0}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = owner
        .put(
            "/api/v1/providers/presta/availability",
            &json!({"capacity": 5.5}),
        )
        .await;
    assert_eq!(status, 422);

    // The document says so: closed objects, required fields, bounds.
    let (_, doc) = app.get_json("/api/openapi.json").await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["LogIn"]["additionalProperties"], false);
    let required = schemas["SignUp"]["required"].as_array().unwrap();
    assert_eq!(required.len(), 3, "{required:?}");
    assert_eq!(
        schemas["SurveyAnswer"]["properties"]["rating"]["maximum"],
        5
    );
    assert_eq!(
        schemas["CapacityInput"]["properties"]["capacity"]["minimum"],
        1
    );
}
