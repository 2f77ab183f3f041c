//! The diagnostic's API: the tree in force, and answers evaluated to the next question or the
//! outcome, with problem+json for an unknown question or answer. Nothing is recorded.

use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn the_api_walks_the_tree_and_refuses_unknown_questions_and_answers() {
    let app = TestApp::spawn().await;
    let (status, tree) = app.get_json("/api/v1/diagnostic").await;
    assert_eq!(status, 200);
    assert_eq!(tree["version"], "2026-12-05");
    assert_eq!(tree["tree"]["start"], "public");
    assert!(
        tree["tree"]["question"]["situation"]["choices"]
            .as_array()
            .unwrap()
            .len()
            >= 9
    );
    assert!(tree["published_at"].as_str().unwrap().starts_with("20"));

    let evaluate = |answers: serde_json::Value| {
        let app = &app;
        async move {
            app.post_json(
                "/api/v1/diagnostic/evaluate",
                &json!({ "answers": answers }),
            )
            .await
        }
    };
    let (status, first) = evaluate(json!({})).await;
    assert_eq!(status, 200);
    // No answers at all (the field omitted) is the first question too.
    let (status, omitted) = app
        .post_json("/api/v1/diagnostic/evaluate", &json!({}))
        .await;
    assert_eq!(
        (status, &omitted["question"]["id"]),
        (200, &json!("public"))
    );
    assert_eq!(first["status"], "question");
    assert_eq!(first["question"]["id"], "public");
    assert_eq!(first["question"]["number"], 1);

    let (status, next) = evaluate(json!({"public": "entreprise", "situation": "argent"})).await;
    assert_eq!(status, 200);
    assert_eq!(next["question"]["id"], "argent");
    let offered: Vec<&str> = next["question"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        offered.contains(&"rib") && !offered.contains(&"relation"),
        "{offered:?}"
    );

    let (status, outcome) = evaluate(json!({
        "public": "entreprise", "situation": "message", "message": "rib", "virement_parti": "oui"
    }))
    .await;
    assert_eq!(status, 200);
    assert_eq!(outcome["status"], "outcome");
    let o = &outcome["outcome"];
    assert_eq!(o["incident_type"], "faux_ordre_virement");
    assert_eq!(o["urgency"], "immediate");
    assert_eq!(o["audience"], "entreprise");
    assert!(o["now"][0].as_str().unwrap().contains("rappel des fonds"));
    assert!(
        o["redirections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "Votre banque")
    );
    assert_eq!(o["professional"], true);
    assert_eq!(outcome["path"].as_array().unwrap().len(), 4);

    // An answer off the path (after a change further up) is left behind, not an error.
    let (status, changed) = evaluate(json!({
        "public": "entreprise", "situation": "compte", "message": "rib", "virement_parti": "oui"
    }))
    .await;
    assert_eq!(status, 200);
    assert_eq!(changed["question"]["id"], "compte");
    assert_eq!(
        changed["answers"],
        json!({"public": "entreprise", "situation": "compte"})
    );

    // Unknown question, unknown answer, unknown version, unknown field: 422, named.
    let (status, problem) = evaluate(json!({"public": "martien"})).await;
    assert_eq!(status, 422);
    assert!(
        problem["errors"]["answers.public"][0]
            .as_str()
            .unwrap()
            .contains("martien")
    );
    let (status, problem) = evaluate(json!({"qui": "particulier"})).await;
    assert_eq!(status, 422);
    assert!(problem["errors"]["answers.qui"].is_array(), "{problem}");
    let (status, problem) = app
        .post_json(
            "/api/v1/diagnostic/evaluate",
            &json!({"version": "1999", "answers": {}}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(problem["errors"]["version"].is_array(), "{problem}");
    let (status, problem) = app
        .post_json("/api/v1/diagnostic/evaluate", &json!({"answer": {}}))
        .await;
    assert_eq!(status, 422);
    assert!(problem["errors"]["answer"].is_array(), "{problem}");

    // The API is stateless: no journey recorded.
    let recorded = app
        .with_conn(|conn| {
            cyberdir::db::diagnostic::journeys_between(
                conn,
                chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
                chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap(),
            )
        })
        .await
        .unwrap();
    assert!(recorded.is_empty());

    // The document describes both routes.
    let (_, document) = app.get_json("/api/openapi.json").await;
    assert!(document["paths"]["/api/v1/diagnostic/evaluate"]["post"].is_object());
    assert!(document["paths"]["/api/v1/diagnostic"]["get"].is_object());
}

/// A version published by another process is in force within seconds; one that no longer
/// passes the checks (written around them) is skipped and the last valid version stays.
#[tokio::test]
async fn another_process_publication_is_seen_and_an_invalid_version_never_served() {
    let app = TestApp::spawn().await;
    let shipped = cyberdir::domain::diagnostic::SHIPPED;
    let store = |version: &'static str, text: String, minutes: i64| {
        let app = &app;
        async move {
            app.with_conn(move |conn| {
                cyberdir::db::diagnostic::insert(
                    conn,
                    &cyberdir::db::diagnostic::VersionRow {
                        version: version.into(),
                        sha256: format!("{version}-digest"),
                        source: text,
                        published_at: chrono::Utc::now().naive_utc()
                            + chrono::Duration::minutes(minutes),
                        published_by: None,
                    },
                )
                .unwrap();
                cyberdir::db::counters::bump(conn, cyberdir::db::counters::DIAGNOSTIC).unwrap();
            })
            .await
        }
    };
    store(
        "2026-12-10",
        shipped.replace("version = \"2026-12-05\"", "version = \"2026-12-10\""),
        1,
    )
    .await;
    // Broken: an outcome names an incident type that does not exist.
    store(
        "2026-12-20",
        shipped
            .replace("version = \"2026-12-05\"", "version = \"2026-12-20\"")
            .replace("incident = \"spam\"", "incident = \"pourriel\""),
        2,
    )
    .await;
    // The tree in force is checked again once REFRESH_EVERY passed on the app's clock.
    app.clock.set(
        app.clock.now()
            + cyberdir::diagnostic::trees::REFRESH_EVERY
            + std::time::Duration::from_millis(1),
    );
    let (_, tree) = app.get_json("/api/v1/diagnostic").await;
    assert_eq!(tree["version"], "2026-12-10", "the newest valid version");
    let (status, _) = app
        .post_json(
            "/api/v1/diagnostic/evaluate",
            &json!({"version": "2026-12-20", "answers": {}}),
        )
        .await;
    assert_eq!(status, 422, "the broken version is never used");
}

#[tokio::test]
async fn evaluate_takes_an_object_not_an_array() {
    let app = TestApp::spawn().await;
    for body in [json!([]), json!(["public", "particulier"]), json!("x")] {
        let (status, problem) = app.post_json("/api/v1/diagnostic/evaluate", &body).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert!(problem["errors"]["body"].is_array(), "{problem}");
    }
    let (status, _) = app
        .post_json("/api/v1/diagnostic/evaluate", &json!({}))
        .await;
    assert_eq!(status, 200);
}
