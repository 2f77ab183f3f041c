//! Accounts over HTTP with emails received by a real SMTP server.

use crate::common;

use common::{SmtpSink, TestApp, cookie_client, token_in};
use serde_json::json;

#[tokio::test]
async fn sign_up_verify_log_in_and_out() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let (status, body) = app
        .post_json("/api/v1/accounts", &json!({"email": "Marie@Exemple.fr", "password": "trois pommes vertes", "display_name": "Marie Durand"}))
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(app.deliver_to(&sink).await.sent, 1);
    let mail = &sink.messages_to("marie@exemple.fr")[0];
    assert_eq!(mail.subject, "Confirmez votre adresse électronique");
    assert!(mail.text.contains("Bonjour Marie Durand"));
    assert!(mail.html.contains("Confirmer mon adresse"));
    let token = token_in(&mail.text);

    // Not verified yet: log-in refused with a hint.
    let (status, body) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "marie@exemple.fr", "password": "trois pommes vertes"}),
        )
        .await;
    assert_eq!(status, 403, "{body}");

    let (status, _) = app
        .post_json("/api/v1/accounts/verify", &json!({"token": token}))
        .await;
    assert_eq!(status, 200);
    // The link works once.
    let (status, body) = app
        .post_json("/api/v1/accounts/verify", &json!({"token": token}))
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["token"].is_array());

    let session = app.log_in("marie@exemple.fr", "trois pommes vertes").await;
    let (status, me) = session.get("/api/v1/session").await;
    assert_eq!(status, 200);
    assert_eq!(me["user"]["role"], "provider");
    assert_eq!(me["user"]["display_name"], "Marie Durand");

    let response = session
        .client
        .delete(app.url("/api/v1/session"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let (status, body) = session.get("/api/v1/session").await;
    assert_eq!(status, 401);
    assert_eq!(body["type"], "/problems/unauthorized");
}

#[tokio::test]
async fn session_cookie_is_http_only_and_lax() {
    let app = TestApp::spawn().await;
    app.user("admin@exemple.fr", cyberdir::auth::Role::Admin)
        .await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "admin@exemple.fr", "password": common::TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("cyberdir_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "http base URL: no Secure flag");
}

#[tokio::test]
async fn nothing_tells_whether_an_address_has_an_account() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    app.user("deja@exemple.fr", cyberdir::auth::Role::Provider)
        .await;
    let (status_known, known) = app
        .post_json("/api/v1/accounts", &json!({"email": "deja@exemple.fr", "password": "trois pommes vertes", "display_name": "X"}))
        .await;
    let (status_new, new) = app
        .post_json("/api/v1/accounts", &json!({"email": "nouveau@exemple.fr", "password": "trois pommes vertes", "display_name": "Y"}))
        .await;
    assert_eq!((status_known, &known), (status_new, &new));
    let (s1, r1) = app
        .post_json(
            "/api/v1/password-resets",
            &json!({"email": "deja@exemple.fr"}),
        )
        .await;
    let (s2, r2) = app
        .post_json(
            "/api/v1/password-resets",
            &json!({"email": "personne@exemple.fr"}),
        )
        .await;
    assert_eq!((s1, &r1), (s2, &r2));
    assert_eq!(s1, 202);
    // Bad password for a known address and any password for an unknown one: same answer.
    let (a, ab) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "deja@exemple.fr", "password": "mauvais mot de passe"}),
        )
        .await;
    let (b, bb) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "personne@exemple.fr", "password": "mauvais mot de passe"}),
        )
        .await;
    assert_eq!((a, &ab["detail"]), (b, &bb["detail"]));
    assert_eq!(a, 401);

    let to_owner = app.mails_to(&sink, "deja@exemple.fr", 2).await;
    assert_eq!(
        to_owner.len(),
        2,
        "the owner learns of the sign-up attempt and gets the reset link"
    );
    assert!(to_owner.iter().any(|m| m.subject.contains("Tentative")));
    assert!(sink.messages_to("personne@exemple.fr").is_empty());
    assert_eq!(sink.messages_to("nouveau@exemple.fr").len(), 1);
}

#[tokio::test]
async fn password_reset_link_works_once_and_closes_sessions() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let old_session = app
        .user("paul@exemple.fr", cyberdir::auth::Role::Provider)
        .await;
    app.post_json(
        "/api/v1/password-resets",
        &json!({"email": "paul@exemple.fr"}),
    )
    .await;
    let mail = &app.mails_to(&sink, "paul@exemple.fr", 1).await[0];
    assert_eq!(mail.subject, "Réinitialisation de votre mot de passe");
    let token = token_in(&mail.text);

    let (status, body) = app
        .post_json(
            "/api/v1/password-resets/confirm",
            &json!({"token": token, "password": "court"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body["errors"]["password"][0]
            .as_str()
            .unwrap()
            .contains("12 caractères")
    );
    // A refused password spends the link? No: it is checked first... the link was consumed in
    // a rolled-back transaction, so it still works.
    let (status, body) = app
        .post_json(
            "/api/v1/password-resets/confirm",
            &json!({"token": token, "password": "un nouveau mot de passe"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app
        .post_json(
            "/api/v1/password-resets/confirm",
            &json!({"token": token, "password": "encore un autre secret"}),
        )
        .await;
    assert_eq!(status, 422, "single use");

    let (status, _) = old_session.get("/api/v1/session").await;
    assert_eq!(status, 401, "sessions end when the password changes");
    app.log_in("paul@exemple.fr", "un nouveau mot de passe")
        .await;

    // Expired: an hour later a fresh link no longer works (asked once the 15 minutes between
    // two reset emails have passed).
    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(16));
    app.post_json(
        "/api/v1/password-resets",
        &json!({"email": "paul@exemple.fr"}),
    )
    .await;
    let token = token_in(&app.mails_to(&sink, "paul@exemple.fr", 2).await[1].text);
    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(61));
    let (status, _) = app
        .post_json(
            "/api/v1/password-resets/confirm",
            &json!({"token": token, "password": "un troisième secret"}),
        )
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn sign_up_validation_names_each_field() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .post_json(
            "/api/v1/accounts",
            &json!({"email": "pas-une-adresse", "password": "azertyuiop123"}),
        )
        .await;
    assert_eq!(status, 422);
    let errors = &body["errors"];
    assert!(
        errors["email"].is_array()
            && errors["password"].is_array()
            && errors["display_name"].is_array(),
        "{body}"
    );
    assert!(errors["password"][0].as_str().unwrap().contains("courant"));
    let response = app
        .client
        .post(app.url("/api/v1/accounts"))
        .header("content-type", "application/json")
        .body("{pas du json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn log_in_attempts_are_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    app.user("cible@exemple.fr", cyberdir::auth::Role::Staff)
        .await;
    for _ in 0..5 {
        let (status, _) = app
            .post_json(
                "/api/v1/session",
                &json!({"email": "cible@exemple.fr", "password": "essai au hasard"}),
            )
            .await;
        assert_eq!(status, 401);
    }
    let (status, body) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "cible@exemple.fr", "password": common::TEST_PASSWORD}),
        )
        .await;
    assert_eq!(status, 429, "even the right password waits: {body}");
    assert_eq!(body["type"], "/problems/too-many-requests");
    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(16));
    app.log_in("cible@exemple.fr", common::TEST_PASSWORD).await;
}

#[tokio::test]
async fn cross_site_requests_with_the_cookie_are_refused() {
    let app = TestApp::spawn().await;
    let session = app
        .user("staff@exemple.fr", cyberdir::auth::Role::Staff)
        .await;
    // A form post from another site: no JSON, no CSRF header.
    let response = session
        .client
        .delete(app.url("/api/v1/session"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    // JSON but from a foreign origin.
    let response = session
        .client
        .delete(app.url("/api/v1/session"))
        .header("content-type", "application/json")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let (status, _) = session.get("/api/v1/session").await;
    assert_eq!(status, 200, "the session survived");
    // With the CSRF header it goes through.
    let response = session
        .client
        .delete(app.url("/api/v1/session"))
        .header("x-csrf-token", &session.csrf_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let _ = cookie_client();
}

#[tokio::test]
async fn admins_manage_roles_and_disable_accounts() {
    let app = TestApp::spawn().await;
    let admin = app
        .user("admin@exemple.fr", cyberdir::auth::Role::Admin)
        .await;
    let staff = app
        .user("staff@exemple.fr", cyberdir::auth::Role::Staff)
        .await;
    let future_auditor = app
        .user("auditrice@exemple.fr", cyberdir::auth::Role::Provider)
        .await;
    let (status, list) = admin.get("/api/v1/users").await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 3);
    let (status, _) = staff.get("/api/v1/users").await;
    assert_eq!(status, 403);

    let id = future_auditor.user_id.clone();
    let (status, changed) = admin
        .patch(&format!("/api/v1/users/{id}"), &json!({"role": "auditor"}))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["role"], "auditor");
    let (status, _) = future_auditor.get("/api/v1/session").await;
    assert_eq!(status, 401, "a role change ends the user's sessions");
    let again = app
        .log_in("auditrice@exemple.fr", common::TEST_PASSWORD)
        .await;
    let (_, me) = again.get("/api/v1/session").await;
    assert_eq!(me["user"]["role"], "auditor");

    let (status, _) = admin
        .patch(
            &format!("/api/v1/users/{}", staff.user_id),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = staff.get("/api/v1/session").await;
    assert_eq!(status, 401);
    let (status, _) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "staff@exemple.fr", "password": common::TEST_PASSWORD}),
        )
        .await;
    assert_eq!(status, 401, "a disabled account cannot log in");

    let (status, _) = admin
        .patch(
            &format!("/api/v1/users/{}", admin.user_id),
            &json!({"role": "provider"}),
        )
        .await;
    assert_eq!(status, 403, "an admin cannot demote themself");
    let (status, _) = admin
        .patch(&format!("/api/v1/users/{id}"), &json!({"role": "roi"}))
        .await;
    assert_eq!(status, 422);
}
