//! Probes, error format and the OpenAPI document.

use crate::common;

use common::TestApp;

#[tokio::test]
async fn healthz_and_readyz_report_the_service_state() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");

    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["departements"], 101);
    assert!(body["incident_types"].as_i64().unwrap() >= 40);
    let expected_backend = match common::backend() {
        common::Backend::Sqlite => "sqlite",
        common::Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected_backend);
}

#[tokio::test]
async fn unknown_api_route_is_problem_json_and_unknown_page_is_french_html() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/nope").await;
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], 404);
    assert_eq!(body["type"], "/problems/not-found");
    assert!(body["title"].is_string() && body["detail"].is_string());

    let response = app.get("/nulle-part").await;
    assert_eq!(response.status().as_u16(), 404);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("Page introuvable"), "{html}");
    assert!(html.contains("lang=\"fr\""));
}

#[tokio::test]
async fn openapi_documents_every_api_route() {
    let app = TestApp::spawn().await;
    let (status, spec) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        spec["openapi"]
    );
    let paths: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for expected in [
        "/api/v1/providers",
        "/api/v1/providers/{id}",
        "/api/v1/geo/communes",
        "/api/v1/geo/postcodes/{code}",
        "/api/v1/incident-types",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
    // Every documented route answers its documented methods (none documented but unrouted).
    for path in &paths {
        let concrete = path.replace("{id}", "inconnu").replace("{code}", "35000");
        for method in ["get", "post", "put", "patch", "delete"] {
            if spec["paths"][*path].get(method).is_none() {
                continue;
            }
            let status = app
                .client
                .request(method.to_uppercase().parse().unwrap(), app.url(&concrete))
                .json(&serde_json::json!({}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert_ne!(status, 405, "{method} {path}");
            assert!(status < 500, "{method} {path} answered {status}");
        }
    }
    assert!(spec["components"]["schemas"]["Problem"].is_object());
}

#[tokio::test]
async fn incident_types_list_the_taxonomy() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_json("/api/v1/incident-types").await;
    assert_eq!(status, 200);
    let results = body["results"].as_array().unwrap();
    assert_eq!(body["total"].as_u64().unwrap() as usize, results.len());
    let ransomware = results
        .iter()
        .find(|t| t["code"] == "rancongiciel")
        .unwrap();
    assert_eq!(ransomware["label"], "Rançongiciel");
    assert_eq!(ransomware["provider_can_help"], true);
    let sextortion = results.iter().find(|t| t["code"] == "sextorsion").unwrap();
    assert_eq!(sextortion["provider_can_help"], false);
    assert!(!sextortion["redirections"].as_array().unwrap().is_empty());
}
