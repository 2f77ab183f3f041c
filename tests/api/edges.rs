//! Trust at the edges, round two: each test failed on the code before its fix.

use crate::common;

use common::{TEST_PASSWORD, TestApp};
use cyberdir::auth::Role;
use serde_json::{Value, json};

/// Every operation of the API document that reads a JSON body, with its path's parameters
/// filled in.
async fn json_operations(app: &TestApp) -> Vec<(reqwest::Method, String)> {
    let (status, document) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, 200);
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if operation["requestBody"]["content"]["application/json"].is_null() {
                continue;
            }
            let Ok(method) = method.to_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            let path: String = path
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "x"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            operations.push((method, path));
        }
    }
    operations
}

/// Item 8: a NUL byte is refused in every body the JSON reader takes, whatever its `+json` type,
/// before anything reads it (a 500 on PostgreSQL, a stored NUL on SQLite before).
#[tokio::test]
async fn a_control_character_is_refused_in_every_json_body_whatever_its_json_type() {
    let app = TestApp::spawn().await;
    let staff = app.user("equipe@cyberdir.fr", Role::Admin).await;
    let operations = json_operations(&app).await;
    assert!(operations.len() >= 20, "{operations:?}");
    for (method, path) in &operations {
        for content_type in [
            "application/json",
            "application/vnd.x+json",
            "application/merge-patch+json; charset=utf-8",
        ] {
            let response = staff
                .client
                .request(method.clone(), app.url(path))
                .header("content-type", content_type)
                .header("x-csrf-token", &staff.csrf_token)
                .body(r#"{"description": "Camille\u0000Martin"}"#)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_eq!(status, 422, "{method} {path} as {content_type}: {body}");
            assert!(
                body["errors"]["description"].is_array(),
                "{method} {path} as {content_type}: {body}"
            );
        }
    }
    // The whole path of a victim's request, sent as a vendor type: refused, nothing stored.
    let response = app
        .client
        .post(app.url("/api/v1/assistance-requests"))
        .header("content-type", "application/vnd.x+json")
        .body(
            r#"{"audience": "particulier", "incident_type": "rancongiciel", "postcode": "35000",
                "description": "ok", "contact": {"name": "A\u0000B", "email": "a@b.fr"},
                "consent": true}"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let stored = app
        .with_conn(|conn| {
            use diesel::prelude::*;
            cyberdir::db::schema::assistance_requests::table
                .count()
                .get_result::<i64>(conn)
        })
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

/// Serde reads a struct from an array (its fields in order, `[]` as every default): the API
/// took `[]` as a request to issue a partner key, and a body it could not read as no body at
/// all on the actions whose body is optional. Every JSON body must be an object.
#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused_by_every_operation() {
    let app = TestApp::spawn().await;
    let staff = app.user("equipe@cyberdir.fr", Role::Admin).await;
    let operations = json_operations(&app).await;
    assert!(operations.len() >= 20, "{operations:?}");
    for (method, path) in &operations {
        for body in ["[]", r#"["x", "y"]"#, "[null]", "\"x\""] {
            let response = staff
                .client
                .request(method.clone(), app.url(path))
                .header("content-type", "application/json")
                .header("x-csrf-token", &staff.csrf_token)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let answer: Value = response.json().await.unwrap_or(Value::Null);
            assert_eq!(status, 422, "{method} {path} with {body}: {answer}");
            assert_eq!(
                answer["errors"]["body"][0], "Le corps de la requête doit être un objet JSON.",
                "{method} {path} with {body}: {answer}"
            );
        }
    }
    // Nothing was issued; an action whose body is optional still works without one.
    let partner = common::partners::create(
        &staff,
        "Banque Exemple",
        &["https://www.banque.fr"],
        "parcours",
    )
    .await;
    let id = partner["id"].as_str().expect("a partner").to_owned();
    let response = staff
        .client
        .post(app.url(&format!("/api/v1/partners/{id}/keys")))
        .header("content-type", "application/json")
        .header("x-csrf-token", &staff.csrf_token)
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let (_, keys) = staff.get(&format!("/api/v1/partners/{id}/keys")).await;
    assert_eq!(keys["results"].as_array().map(Vec::len), Some(0), "{keys}");
    let (status, _) = staff
        .post(&format!("/api/v1/partners/{id}/keys"), &json!({}))
        .await;
    assert_eq!(status, 201);
}

/// A wrong password from `header` = `value` (the rest of the chain as the client wrote it).
async fn wrong_password(app: &TestApp, headers: &[(&str, String)]) -> u16 {
    let mut request = app.client.post(app.url("/api/v1/session"));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request
        .json(&json!({"email": "cible@exemple.fr", "password": "pas le bon"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Eight wrong passwords on one account, each with the address the proxy appended in
/// `appended` and another one the client wrote in `forged`: the statuses.
async fn wrong_passwords_with_forged(app: &TestApp, appended: &str, forged: &str) -> Vec<u16> {
    let proxy_value = |family: &str| {
        if family == "forwarded" {
            "for=198.51.100.66".to_owned()
        } else {
            "198.51.100.66".to_owned()
        }
    };
    let mut statuses = Vec::new();
    for n in 0..8 {
        let client_value = if forged == "forwarded" {
            format!("for=203.0.113.{n}")
        } else {
            format!("203.0.113.{n}")
        };
        let headers = [(appended, proxy_value(appended)), (forged, client_value)];
        statuses.push(wrong_password(app, &headers).await);
    }
    statuses
}

/// Item 9: behind a trusted proxy, the client's address comes from the header family that
/// proxy appends; the other one, written by the client, cannot move it out of its limits.
#[tokio::test]
async fn a_client_cannot_escape_its_limits_with_the_other_forwarding_header() {
    for (setting, appended, forged) in [
        ("x-forwarded-for", "x-forwarded-for", "forwarded"),
        ("forwarded", "forwarded", "x-forwarded-for"),
    ] {
        let db = std::sync::Arc::new(common::TestDb::new());
        let app = TestApp::spawn_with(
            db,
            &[
                ("CYBERDIR_TRUSTED_PROXIES", "127.0.0.1/32"),
                ("CYBERDIR_PROXY_HEADER", setting),
            ],
        )
        .await;
        app.user("cible@exemple.fr", Role::Provider).await;
        assert_eq!(
            wrong_passwords_with_forged(&app, appended, forged).await,
            [401, 401, 401, 401, 401, 429, 429, 429],
            "the proxy appends {appended}"
        );
        // Another client behind the same proxy is still let in.
        let other = if appended == "forwarded" {
            "for=192.0.2.7"
        } else {
            "192.0.2.7"
        };
        let response = app
            .client
            .post(app.url("/api/v1/session"))
            .header(appended, other)
            .json(&json!({"email": "cible@exemple.fr", "password": TEST_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{appended}");
    }
}

/// Item 12: an origin is a scheme, a host and a port: nothing can be slipped into the module's
/// `Content-Security-Policy` through it.
#[tokio::test]
async fn partner_origins_that_would_inject_into_the_policy_are_refused() {
    let app = TestApp::spawn().await;
    let staff = app.user("equipe@cyberdir.fr", Role::Staff).await;
    for origin in [
        "https://b.example;script-src",
        "https://b.example'",
        "https://\"b.example\"",
    ] {
        let (status, problem) = staff
            .post(
                "/api/v1/partners",
                &json!({
                    "name": "Banque",
                    "contact_name": "Claire Web",
                    "contact_email": "web@banque.fr",
                    "origins": [origin],
                    "scope": "tout",
                }),
            )
            .await;
        assert_eq!(status, 422, "{origin}: {problem}");
        assert!(
            problem["errors"]["origins"][0]
                .as_str()
                .is_some_and(|m| m.contains("lettres")),
            "{origin}: {problem}"
        );
    }
    let (_, all) = staff.get("/api/v1/partners").await;
    assert_eq!(all["total"], 0, "nothing created");
}

/// Item 4: the penalty after many failures on one address, and the password check, hold no
/// database connection: a crowd of wrong passwords (50 at once, the pool holds 4) leaves the
/// public search answering while they wait. Before, each attempt held a connection through
/// its second of penalty, and the searches queued behind them.
#[tokio::test]
async fn wrong_passwords_in_a_crowd_do_not_starve_the_search() {
    let db = std::sync::Arc::new(common::TestDb::new());
    let app = TestApp::spawn_with(db, &[("CYBERDIR_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    app.user("cible@exemple.fr", Role::Provider).await;
    app.insert(common::provider(
        "p1",
        48.1173,
        -1.6778,
        cyberdir::domain::zone::Zone::Radius { radius_km: 50 },
    ))
    .await;
    // Five failures on the address: every later attempt waits a second before its check.
    for n in 0..5 {
        let from = [("x-forwarded-for", format!("192.0.2.{n}"))];
        assert_eq!(wrong_password(&app, &from).await, 401);
    }
    let finished = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let attack: Vec<_> = (0..50)
        .map(|n| {
            let finished = finished.clone();
            let request = app
                .client
                .post(app.url("/api/v1/session"))
                .header("x-forwarded-for", format!("198.51.100.{n}"))
                .json(&json!({"email": "cible@exemple.fr", "password": "pas le bon"}));
            tokio::spawn(async move {
                let status = request.send().await.unwrap().status().as_u16();
                finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                status
            })
        })
        .collect();
    // Let the attempts reach their penalty, then search while they wait.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for n in 0..10 {
        let (status, found) = app
            .get_json(&format!(
                "/api/v1/providers?lat=48.1{n}&lon=-1.6{n}&limit=10"
            ))
            .await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(found["total"], 1, "{found}");
    }
    assert_eq!(
        finished.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "every search answered while the wrong passwords were still waiting"
    );
    for attempt in attack {
        assert_eq!(attempt.await.unwrap(), 401);
    }
}

/// The ids a public search around Rennes finds.
async fn found_near_rennes(app: &TestApp) -> Vec<String> {
    let (status, body) = app
        .get_json("/api/v1/providers?lat=48.1173&lon=-1.6778&limit=50")
        .await;
    assert_eq!(status, 200, "{body}");
    let mut ids: Vec<String> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

async fn two_providers_near_rennes(app: &TestApp) {
    for id in ["p1", "p2"] {
        app.insert(common::provider(
            id,
            48.1173,
            -1.6778,
            cyberdir::domain::zone::Zone::Radius { radius_km: 50 },
        ))
        .await;
    }
}

/// Item 1: a step that needs the directory inside its transaction works on a view of its own:
/// the public search never shows what the transaction wrote before it commits, nor after it
/// rolls back — even once a later committed change reuses the rolled-back counter's value.
#[tokio::test]
async fn the_search_never_shows_a_directory_change_that_did_not_commit() {
    use cyberdir::domain::provider::ReferencingStatus;
    let app = TestApp::spawn().await;
    two_providers_near_rennes(&app).await;
    assert_eq!(found_near_rennes(&app).await, ["p1", "p2"]);

    let state = app.state.clone();
    let pool = app.pool.clone();
    let address = app.address.clone();
    let seen_inside = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Handle::current();
        let mut conn = pool.get().unwrap();
        let outcome: Result<(), cyberdir::error::AppError> =
            cyberdir::db::write_transaction(&mut conn, |conn| {
                let now = state.clock.now_naive();
                cyberdir::db::providers::set_status(conn, "p1", ReferencingStatus::Suspended, now)?;
                // The step sees its own change...
                let own = cyberdir::directory::published_on(&state, &state.directory, conn)?;
                assert!(own.directory.get("p1").is_none());
                assert!(own.directory.get("p2").is_some());
                // ...while everyone else still sees the committed directory.
                let client = common::client().build().unwrap();
                let outside: serde_json::Value = runtime.block_on(async {
                    client
                        .get(format!(
                            "{address}/api/v1/providers?lat=48.1173&lon=-1.6778&limit=50"
                        ))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap()
                });
                Err(cyberdir::error::AppError::Conflict(outside.to_string()))
            });
        match outcome {
            Err(cyberdir::error::AppError::Conflict(outside)) => outside,
            other => panic!("{other:?}"),
        }
    })
    .await
    .unwrap();
    let seen_inside: serde_json::Value = serde_json::from_str(&seen_inside).unwrap();
    assert_eq!(
        seen_inside["total"], 2,
        "an uncommitted suspension showed in the search: {seen_inside}"
    );
    assert_eq!(found_near_rennes(&app).await, ["p1", "p2"], "rolled back");

    // A committed change now takes the counter to the value the rollback undid.
    let now = app.clock.now_naive();
    app.with_conn(move |c| {
        cyberdir::db::providers::set_status(c, "p2", ReferencingStatus::Suspended, now)
    })
    .await
    .unwrap();
    assert_eq!(found_near_rennes(&app).await, ["p1"]);
}

/// Item 2: one lock order (a cache's rebuild lock, then a connection; never the reverse). With
/// every connection of the pool taken by writers that need the directory inside their
/// transaction, and searches rebuilding it at the same time, all finish: before, a rebuild
/// held its lock waiting for a connection while the writers held theirs waiting for the lock,
/// until the pool's timeout failed the search.
#[tokio::test]
async fn writers_and_rebuilds_sharing_a_full_pool_never_wait_on_each_other() {
    use cyberdir::domain::provider::ReferencingStatus;
    let app = TestApp::spawn().await;
    two_providers_near_rennes(&app).await;
    let mut tasks = Vec::new();
    for n in 0..24 {
        let state = app.state.clone();
        let pool = app.pool.clone();
        tasks.push(tokio::task::spawn_blocking(move || {
            if n % 2 == 0 {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                cyberdir::db::write_transaction(&mut conn, |conn| {
                    let now = state.clock.now_naive();
                    let status = if n % 4 == 0 {
                        ReferencingStatus::Suspended
                    } else {
                        ReferencingStatus::Approved
                    };
                    cyberdir::db::providers::set_status(conn, "p1", status, now)?;
                    cyberdir::directory::published_on(&state, &state.directory, conn)?;
                    Ok::<_, cyberdir::error::AppError>(())
                })
                .map_err(|e| e.to_string())
            } else {
                cyberdir::directory::published(&state, &state.directory)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        }));
    }
    for task in tasks {
        task.await
            .unwrap()
            .expect("no step and no search timed out");
    }
}

/// Item 3: the HSDS records are built once per directory version, however many requests miss
/// at once.
#[tokio::test]
async fn concurrent_open_data_requests_build_the_records_once() {
    let app = TestApp::spawn().await;
    two_providers_near_rennes(&app).await;
    let requests = (0..16).map(|_| app.get_json("/hsds/services"));
    for (status, body) in futures_util::future::join_all(requests).await {
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["total_items"], 2, "{body}");
    }
    assert_eq!(app.state.hsds.builds(), 1);
    // A change: built once more.
    let now = app.clock.now_naive();
    app.with_conn(move |c| {
        cyberdir::db::providers::set_status(
            c,
            "p2",
            cyberdir::domain::provider::ReferencingStatus::Removed,
            now,
        )
    })
    .await
    .unwrap();
    let requests = (0..16).map(|_| app.get_json("/hsds/services"));
    for (status, _) in futures_util::future::join_all(requests).await {
        assert_eq!(status, 200);
    }
    assert_eq!(app.state.hsds.builds(), 2);
}

/// Item 13: the memory uploads in flight may hold is capped for the whole process: an upload
/// that would go past it is refused with a 503 and `Retry-After`, and what an upload held is
/// given back when it ends.
#[tokio::test]
async fn uploads_in_flight_share_one_memory_cap() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = std::sync::Arc::new(common::TestDb::new());
    let app = TestApp::spawn_with(db, &[("CYBERDIR_UPLOAD_MEMORY_MB", "12")]).await;
    let owner = app.user("gerant@breizh-cyber.fr", Role::Provider).await;
    let (status, created) = owner
        .post("/api/v1/providers", &json!({"name": "Breizh Cyber"}))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/providers/{id}/documents");
    // The session cookie, to write a request by hand.
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "gerant@breizh-cyber.fr", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = response.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // One upload sends 8 MB of its file, then waits.
    let boundary = "----cyberdir-test";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nkbis\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"kbis.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    );
    let tail = format!("\n%%EOF\n\r\n--{boundary}--\r\n");
    let file_bytes = 8 * 1024 * 1024;
    let length = head.len() + file_bytes + tail.len();
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{head}"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(&vec![b'a'; file_bytes]).await.unwrap();
    stream.flush().await.unwrap();
    let budget = app.state.uploads.clone();
    for _ in 0..200 {
        if budget.used() >= file_bytes {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(budget.used() >= file_bytes, "{}", budget.used());

    // A second one of the same size does not fit beside it.
    let (status, body) = owner
        .upload(&path, &[("kind", "kbis")], "kbis.pdf", {
            let mut pdf = b"%PDF-1.4\n".to_vec();
            pdf.resize(file_bytes, b'a');
            pdf.extend_from_slice(b"\n%%EOF\n");
            pdf
        })
        .await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("indisponible"),
        "{body}"
    );

    // The first one ends; its memory is given back, and a small upload goes through.
    stream.write_all(tail.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    assert!(!answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert_eq!(budget.used(), 0);
    let (status, body) = owner
        .upload(
            &path,
            &common::referencing::document_fields("kbis"),
            "kbis.pdf",
            b"%PDF-1.4\n%%EOF\n".to_vec(),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// A 503 and a 429 tell the client when to come back.
async fn retry_after(response: &reqwest::Response) -> Option<u32> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// Items 5 and 6: password resets and sign-ups are limited per client (as well as per address),
/// and the queue of work done after the answer is bounded: full, a reset is refused with a 503,
/// never queued without end.
#[tokio::test]
async fn resets_and_sign_ups_are_limited_per_client_and_the_background_queue_is_bounded() {
    let db = std::sync::Arc::new(common::TestDb::new());
    let app = TestApp::spawn_with(db, &[("CYBERDIR_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let reset = |client: &'static str, n: usize| {
        app.client
            .post(app.url("/api/v1/password-resets"))
            .header("x-forwarded-for", client)
            .json(&json!({"email": format!("personne{n}@exemple.fr")}))
            .send()
    };
    // Ten resets for ten addresses from one client; the eleventh is refused.
    for n in 0..10 {
        assert_eq!(
            reset("198.51.100.1", n).await.unwrap().status().as_u16(),
            202
        );
    }
    let refused = reset("198.51.100.1", 10).await.unwrap();
    assert_eq!(refused.status().as_u16(), 429);
    assert!(retry_after(&refused).await.is_some_and(|s| s > 0));
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("réessayez"),
        "{problem}"
    );
    // Another client is not concerned.
    assert_eq!(
        reset("198.51.100.2", 0).await.unwrap().status().as_u16(),
        202
    );

    // Sign-ups: the same, per client.
    for n in 0..11 {
        let status = app
            .client
            .post(app.url("/api/v1/accounts"))
            .header("x-forwarded-for", "198.51.100.3")
            .json(&json!({"email": format!("nouveau{n}@exemple.fr"), "password": TEST_PASSWORD, "display_name": "Nouveau"}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(status, if n < 10 { 202 } else { 429 }, "sign-up {n}");
    }

    // The background queue, filled to its capacity by work that waits.
    assert!(
        app.state
            .background
            .wait_idle(std::time::Duration::from_secs(10))
    );
    let (release, hold) = std::sync::mpsc::channel::<()>();
    let hold = std::sync::Arc::new(std::sync::Mutex::new(hold));
    for _ in 0..cyberdir::background::CAPACITY {
        let hold = hold.clone();
        app.state
            .background
            .spawn(move || {
                let _ = hold.lock().unwrap().recv();
            })
            .unwrap();
    }
    let full = reset("198.51.100.4", 0).await.unwrap();
    assert_eq!(full.status().as_u16(), 503);
    assert!(retry_after(&full).await.is_some());
    drop(release);
    assert!(
        app.state
            .background
            .wait_idle(std::time::Duration::from_secs(10))
    );
    assert_eq!(
        reset("198.51.100.4", 1).await.unwrap().status().as_u16(),
        202
    );
}

/// Items 5 and 11: journeys are limited per client; a journey over the limit is refused with a
/// French page and a 429, and is neither written nor counted in any statistic.
#[tokio::test]
async fn journeys_over_a_clients_limit_are_refused_and_never_counted() {
    let db = std::sync::Arc::new(common::TestDb::new());
    let app = TestApp::spawn_with(db, &[("JOURNEY_RATE_LIMIT", "3")]).await;
    let browser = common::pages::Browser::new(&app.address);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let first = browser.get("/diagnostic").await;
        assert_eq!(first.status, 200);
        let answered = browser
            .submit(&first, "/diagnostic", &[("choix", "particulier")])
            .await;
        statuses.push(answered.status);
        if answered.status == 429 {
            assert!(
                answered.text().contains("Trop de diagnostics"),
                "{}",
                answered.text()
            );
            assert!(answered.text().contains("17"), "{}", answered.text());
        }
    }
    assert_eq!(statuses[3..], [429, 429], "{statuses:?}");
    assert!(statuses[..3].iter().all(|s| *s < 400), "{statuses:?}");
    assert_eq!(common::observatory::journeys_and_facts(&app).await, (3, 3));
}

/// Item 10: editing a draft changes nothing the public reads, so it moves neither the
/// published directory's version nor the open data (before, every edit rebuilt them).
#[tokio::test]
async fn editing_a_draft_does_not_move_the_published_directory() {
    let app = TestApp::spawn().await;
    two_providers_near_rennes(&app).await;
    let owner = app.user("gerant@breizh-cyber.fr", Role::Provider).await;
    let (status, created) = owner
        .post("/api/v1/providers", &json!({"name": "Breizh Cyber"}))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, _) = app.get_json("/hsds/services").await;
    assert_eq!(status, 200);
    let version =
        || app.with_conn(|c| cyberdir::db::counters::read(c, cyberdir::db::counters::DIRECTORY));
    let before = version().await.unwrap();
    for n in 0..5 {
        let (status, body) = owner
            .patch(
                &format!("/api/v1/providers/{id}"),
                &json!({"description": format!("Version {n} de notre présentation.")}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(version().await.unwrap(), before);
    let (status, _) = app.get_json("/hsds/services").await;
    assert_eq!(status, 200);
    assert_eq!(app.state.hsds.builds(), 1, "the open data was not rebuilt");
    // A published provider's change does move it.
    let now = app.clock.now_naive();
    app.with_conn(move |c| {
        cyberdir::db::providers::set_status(
            c,
            "p2",
            cyberdir::domain::provider::ReferencingStatus::Suspended,
            now,
        )
    })
    .await
    .unwrap();
    assert_ne!(version().await.unwrap(), before);
}

/// Item 7: the trees in memory are bounded: however many published versions journeys ask for,
/// at most `MAX_KEPT` stay, the one in force among them; a version never published is refused
/// without being read.
#[tokio::test]
async fn the_diagnostic_keeps_a_bounded_number_of_versions_in_memory() {
    use cyberdir::diagnostic::trees::{self, MAX_KEPT};
    let app = TestApp::spawn().await;
    let state = app.state.clone();
    let versions: Vec<String> = (0..MAX_KEPT + 4)
        .map(|n| format!("2026-12-05-essai-{n:02}"))
        .collect();
    let published = versions.clone();
    let kept = app
        .with_conn(move |conn| {
            let shipped = cyberdir::domain::diagnostic::SHIPPED;
            let now = state.clock.now_naive();
            for version in &published {
                let text = shipped.replacen(
                    "version = \"2026-12-05\"",
                    &format!("version = \"{version}\""),
                    1,
                );
                let (_, new) = trees::publish(
                    conn,
                    &state.taxonomy,
                    &state.content().library,
                    &text,
                    None,
                    now,
                )
                .unwrap();
                assert!(new, "{version}");
            }
            let in_force = state
                .diagnostic
                .trees
                .refresh(conn, &state.taxonomy)
                .unwrap();
            for version in &published {
                let tree = state
                    .diagnostic
                    .trees
                    .version(conn, &state.taxonomy, version)
                    .unwrap();
                assert_eq!(tree.unwrap().tree.version, *version);
            }
            let unknown = state
                .diagnostic
                .trees
                .version(conn, &state.taxonomy, "jamais-publiee")
                .unwrap();
            assert!(unknown.is_none());
            let still = state
                .diagnostic
                .trees
                .in_memory(&in_force.tree.version)
                .is_some();
            (state.diagnostic.trees.kept(), still)
        })
        .await;
    assert!(kept.0 <= MAX_KEPT, "{} versions in memory", kept.0);
    assert!(kept.1, "the version in force stays in memory");
    // Every version still answers its journeys (read again when needed).
    let (status, body) = app
        .post_json(
            "/api/v1/diagnostic/evaluate",
            &json!({"version": versions[0], "answers": {}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], versions[0].as_str(), "{body}");
}

/// Item 14: the API document says what the API does: the communes' `limit` is a whole number,
/// and a finding's object is closed (an unknown field is refused, as the document says).
#[tokio::test]
async fn the_document_and_the_api_agree_on_limits_and_findings() {
    let app = TestApp::spawn().await;
    let (_, document) = app.get_json("/api/openapi.json").await;
    let params = document["paths"]["/api/v1/geo/communes"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    let limit = params.iter().find(|p| p["name"] == "limit").expect("limit");
    assert_eq!(
        limit["schema"]["type"],
        json!(["integer", "null"]),
        "{limit}"
    );
    let finding = &document["components"]["schemas"]["FindingInput"];
    assert_eq!(finding["additionalProperties"], false, "{finding}");
    for limit in ["abc", "", "0", "-1", "2.5", "55227653783909113856"] {
        let (status, body) = app
            .get_json(&format!("/api/v1/geo/communes?q=00&limit={limit}"))
            .await;
        assert_eq!(status, 422, "limit={limit}: {body}");
        assert!(body["errors"]["limit"].is_array(), "{body}");
    }
    for limit in ["1", "20", "9223372036854775807"] {
        let (status, body) = app
            .get_json(&format!("/api/v1/geo/communes?q=Ren&limit={limit}"))
            .await;
        assert_eq!(status, 200, "limit={limit}: {body}");
    }
}

/// Item 17: the open data gives a label's own end date, and says "renouvellement en cours"
/// while a renewal holds it past that date, never the grace limit as if it were the end.
#[tokio::test]
async fn the_open_data_gives_a_labels_own_end_date_and_says_when_a_renewal_holds_it() {
    let app = TestApp::spawn().await;
    let mut holder = common::provider(
        "presta",
        48.11,
        -1.68,
        cyberdir::domain::zone::Zone::National,
    );
    let mut label = common::label("EC-2024-0007", (2024, 12, 1), "valid");
    label.renewal_until = Some(label.valid_until + chrono::Days::new(90));
    let (end, grace) = (label.valid_until, label.renewal_until.unwrap());
    holder.label = Some(label);
    app.insert(holder).await;
    let id = cyberdir::domain::hsds::id("organization", "presta");
    let (status, organization) = app.get_json(&format!("/hsds/organizations/{id}")).await;
    assert_eq!(status, 200, "{organization}");
    let text = organization["attributes"].to_string();
    assert!(
        text.contains(&format!("au {end} ; renouvellement en cours")),
        "{text}"
    );
    assert!(!text.contains(&grace.to_string()), "{text}");
}

/// Item 21: a request counts in the observatory on its day in Paris: made at 00:30 in Paris on
/// 1 December (23:30 UTC on 30 November), it is a fact of 1 December.
#[tokio::test]
async fn a_request_counts_in_the_observatory_on_its_day_in_paris() {
    use chrono::TimeZone;
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    app.clock.set(
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 30, 23, 30, 0)
            .unwrap(),
    );
    two_providers_near_rennes(&app).await;
    let (status, created) = app
        .post_json(
            "/api/v1/assistance-requests",
            &json!({
                "audience": "particulier", "incident_type": "rancongiciel", "postcode": "35000",
                "description": "Mes fichiers sont chiffrés.",
                "contact": {"name": "Camille", "email": "camille@exemple.fr"}, "consent": true
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let days = app
        .with_conn(|conn| {
            use cyberdir::db::schema::observatory_facts::dsl::*;
            observatory_facts
                .select(occurred_on)
                .load::<chrono::NaiveDate>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(
        days,
        [chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()]
    );
}

/// Item 7: anonymous journeys are kept `JOURNEY_RETENTION_DAYS` (90), then deleted by the
/// scheduled pass; the facts they gave the observatory stay.
#[tokio::test]
async fn journeys_past_their_retention_are_deleted_and_their_facts_stay() {
    let app = TestApp::spawn().await;
    let browser = common::pages::Browser::new(&app.address);
    let first = browser.get("/diagnostic").await;
    let answered = browser
        .submit(&first, "/diagnostic", &[("choix", "particulier")])
        .await;
    assert!(answered.status < 400, "{}", answered.status);
    use common::observatory::journeys_and_facts as count;
    assert_eq!(count(&app).await, (1, 1));
    app.clock.set(app.clock.now() + chrono::Duration::days(90));
    assert_eq!(app.run_jobs().await.journeys_purged, 0, "90 days: kept");
    app.clock.set(app.clock.now() + chrono::Duration::days(1));
    assert_eq!(app.run_jobs().await.journeys_purged, 1);
    assert_eq!(count(&app).await, (0, 1), "the fact stays");
}

/// Item 10: profile edits are limited per account (120 an hour): a loop of edits is refused
/// with a 429 and changes nothing more.
#[tokio::test]
async fn profile_edits_are_limited_per_account() {
    let app = TestApp::spawn().await;
    let owner = app.user("gerant@breizh-cyber.fr", Role::Provider).await;
    let (status, created) = owner
        .post("/api/v1/providers", &json!({"name": "Breizh Cyber"}))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    for n in 0..120 {
        let (status, body) = owner
            .patch(
                &format!("/api/v1/providers/{id}"),
                &json!({"description": format!("Présentation numéro {n}.")}),
            )
            .await;
        assert_eq!(status, 200, "edit {n}: {body}");
    }
    let (status, refused) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"description": "Une de trop."}),
        )
        .await;
    assert_eq!(status, 429, "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("Trop de modifications")
    );
    let (_, application) = owner
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    let text = application.to_string();
    assert!(text.contains("Présentation numéro 119."), "{text}");
    assert!(!text.contains("Une de trop."), "{text}");
}
