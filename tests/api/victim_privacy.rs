//! The victim's data: what an offered provider sees before and after answering, what a used link
//! shows, caching, erasure by the victim, and tokens that act only on their own request.

use crate::common;

use common::assistance::{answer, link_token, nearby, request_body, submit, tracking_token};
use common::pages::Browser;
use common::{SmtpSink, TestApp};
use cyberdir::auth::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn an_offered_provider_sees_the_place_to_a_kilometre_and_nothing_after_declining() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    nearby(&app, "proche", 3.0).await;
    let member = app.member_of("proche", "gerant@proche.fr").await;
    let (status, created) = submit(&app, &request_body()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/assistance-requests/{id}");

    let (_, offered) = member.get(&path).await;
    let (_, exact) = app
        .user("staff@cyberdir.fr", Role::Staff)
        .await
        .get(&path)
        .await;
    for axis in ["latitude", "longitude"] {
        let shown = offered[axis].as_f64().unwrap();
        assert_eq!(shown, (shown * 100.0).round() / 100.0, "rounded: {offered}");
        assert!((shown - exact[axis].as_f64().unwrap()).abs() < 0.006);
    }
    assert!(
        offered["description"].is_string(),
        "the description helps decide"
    );
    assert_eq!(offered["contact"], Value::Null);

    let (status, declined) = member
        .post(
            &format!("{path}/decline"),
            &json!({"reason": "indisponible"}),
        )
        .await;
    assert_eq!(status, 200, "{declined}");
    let (status, after) = member.get(&path).await;
    assert_eq!(status, 404, "{after}");

    // The emailed link, once used, says the answer was recorded and nothing more.
    app.deliver_to(&sink).await;
    let decline = link_token(&sink, "contact@proche.fr", "decline");
    let page = app.get(&format!("/affectations/{decline}")).await;
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("claire@exemple.fr") && !html.contains("chiffrés"),
        "{html}"
    );
}

#[tokio::test]
async fn pages_with_personal_data_are_never_cached_and_https_hardens_cookies() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let (status, _) = submit(&app, &request_body()).await;
    assert_eq!(status, 201);
    app.deliver_to(&sink).await;
    let token = tracking_token(&sink);
    for path in [
        format!("/suivi/{token}"),
        format!("/api/v1/tracking/{token}"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    assert!(
        app.get("/suivi/x")
            .await
            .headers()
            .get("strict-transport-security")
            .is_none()
    );

    let db = std::sync::Arc::new(common::TestDb::new());
    let secure =
        TestApp::spawn_with(db, &[("CYBERDIR_BASE_URL", "https://cyberdir.example")]).await;
    let response = secure.get("/connexion").await;
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-cyberdir_csrf="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_token_acts_only_on_its_own_request() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let (_, first) = submit(&app, &request_body()).await;
    app.deliver_to(&sink).await;
    let token = tracking_token(&sink);
    let mut other = request_body();
    other["contact"]["email"] = json!("autre@exemple.fr");
    let (_, second) = submit(&app, &other).await;
    let second_id = second["id"].as_str().unwrap();
    let (status, _) = answer(&app, second_id, "cancel", json!({"token": token})).await;
    assert_eq!(status, 404);
    let (status, _) = answer(&app, second_id, "erase", json!({"token": token})).await;
    assert_eq!(status, 404);
    let (_, tracked) = app.get_json(&format!("/api/v1/tracking/{token}")).await;
    assert_eq!(tracked["id"], first["id"]);
    assert_eq!(
        tracked["can_cancel"], true,
        "the token's own request is untouched"
    );
}

#[tokio::test]
async fn the_victim_erases_the_request_and_the_provider_is_told() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    nearby(&app, "proche", 3.0).await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let (_, created) = submit(&app, &request_body()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    app.deliver_to(&sink).await;
    let token = tracking_token(&sink);
    let (status, erased) = answer(&app, &id, "erase", json!({"token": token})).await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["status"], "cancelled");
    assert_eq!(erased["erased"], true);
    let (_, seen) = staff
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert_eq!(seen["contact"], Value::Null);
    assert_eq!(seen["description"], Value::Null);
    assert_eq!(seen["incident_type"], "rancongiciel", "statistics stay");
    app.deliver_to(&sink).await;
    assert!(
        sink.messages_to("contact@proche.fr")
            .iter()
            .any(|m| m.subject.contains("annulée")),
        "the provider offered the request is told"
    );
    let (status, _) = answer(&app, &id, "erase", json!({"token": token})).await;
    assert_eq!(status, 200, "erasing twice changes nothing");
}

#[tokio::test]
async fn a_double_submitted_form_lands_on_the_tracking_page() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app.address);
    let csrf = browser.get("/demande-assistance").await.csrf();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("audience", "particulier"),
        ("incident_type", "rancongiciel"),
        ("postcode", "35000"),
        ("description", "Mes fichiers sont chiffrés."),
        ("name", "Claire Martin"),
        ("email", "claire@exemple.fr"),
        ("phone", ""),
        ("consent", "on"),
        ("provider_id", ""),
    ];
    let mut landed = Vec::new();
    for _ in 0..2 {
        let answer = browser.post("/demande-assistance", &fields).await;
        assert_eq!(answer.status, 303);
        landed.push(answer.location.expect("a Location header"));
    }
    assert_eq!(landed[0], landed[1]);
    assert!(
        landed[1].starts_with("/suivi/") && landed[1].len() > 70,
        "{landed:?}"
    );
    let page = browser.get(&landed[1]).await;
    assert_eq!(page.status, 200);
}

#[tokio::test]
async fn no_address_of_the_victim_is_kept_not_even_as_a_plain_digest() {
    let app = TestApp::spawn().await;
    nearby(&app, "proche", 3.0).await;
    let (status, created) = submit(&app, &request_body()).await;
    assert_eq!(status, 201, "{created}");
    let request = created["id"].as_str().unwrap().to_owned();
    let kept = app
        .with_conn(move |conn| {
            use cyberdir::db::schema::assistance_requests::dsl::*;
            use diesel::prelude::*;
            assistance_requests
                .filter(id.eq(&request))
                .select((client_hash, idempotency_key))
                .first::<(String, Option<String>)>(conn)
                .unwrap()
        })
        .await;
    let stored = format!("{kept:?}");
    // A SHA-256 of an IPv4 address is undone by trying them all: the limit keeps a keyed digest.
    for plain in ["127.0.0.1", &cyberdir::auth::tokens::digest("127.0.0.1")] {
        assert!(!stored.contains(plain), "{plain} in {stored}");
    }
    assert_eq!(kept.0.len(), 64);
}

/// How many values of every text column of every table hold `needle`.
fn rows_holding(conn: &mut cyberdir::db::DbConnection, needle: &str) -> Vec<String> {
    use diesel::prelude::*;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut found = Vec::new();
    for column in cyberdir::db::introspect::columns(conn).unwrap() {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM \"{}\" WHERE CAST(\"{}\" AS TEXT) LIKE '%' || $1 || '%'",
            column.table_name, column.column_name
        );
        let sql = if common::backend() == common::Backend::Sqlite {
            sql.replace("$1", "?")
        } else {
            sql
        };
        let count = diesel::sql_query(sql)
            .bind::<diesel::sql_types::Text, _>(needle)
            .get_result::<Count>(conn)
            .unwrap();
        if count.n > 0 {
            found.push(format!("{}.{}", column.table_name, column.column_name));
        }
    }
    found
}

/// Issue 24, item 19: erasure erases everything about the victim. Their name, email and phone,
/// written into every free text of the workflow (the request, a decline, the report, the
/// survey's comment), are found nowhere in the database once the request is past retention.
#[tokio::test]
async fn erasure_leaves_the_victims_name_email_and_phone_nowhere() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    nearby(&app, "a", 2.0).await;
    nearby(&app, "b", 5.0).await;
    let member_a = app.member_of("a", "m@a.fr").await;
    let member_b = app.member_of("b", "m@b.fr").await;
    let said = "Claire Martin (claire@exemple.fr, 06 12 34 56 78)";
    let mut body = request_body();
    body["description"] = json!(format!("Je suis {said}, mes fichiers sont chiffrés."));
    let (status, created) = submit(&app, &body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, declined) = member_a
        .post(
            &format!("/api/v1/assistance-requests/{id}/decline"),
            &json!({"reason": "autre", "text": format!("Je connais {said}.")}),
        )
        .await;
    assert_eq!(status, 200, "{declined}");
    let (status, accepted) = member_b
        .post(
            &format!("/api/v1/assistance-requests/{id}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{accepted}");
    let (status, closed) = member_b
        .post(
            &format!("/api/v1/assistance-requests/{id}/close"),
            &json!({"resolved": true, "report": {
                "confirmed_incident_type": "rancongiciel",
                "attack_vector": format!("Le poste de {said}"),
                "actions_taken": format!("Restauration chez {said}."),
                "minutes_spent": 90
            }}),
        )
        .await;
    assert_eq!(status, 200, "{closed}");
    app.deliver_to(&sink).await;
    let survey = sink
        .messages_to("claire@exemple.fr")
        .into_iter()
        .find(|m| m.subject.contains("avis"))
        .expect("the survey")
        .text
        .split_whitespace()
        .filter_map(|w| w.split("/avis/").nth(1).map(str::to_owned))
        .next()
        .unwrap();
    let (status, answered) = app
        .post_json(
            &format!("/api/v1/surveys/{survey}"),
            &json!({"rating": 5, "comment": format!("Merci, signé {said}.")}),
        )
        .await;
    assert_eq!(status, 200, "{answered}");
    let needles = ["Claire Martin", "claire@exemple.fr", "06 12 34 56 78"];
    let before = app
        .with_conn(move |conn| rows_holding(conn, "Claire Martin"))
        .await;
    assert!(before.len() >= 4, "the texts were written: {before:?}");

    // Past retention, the request is erased.
    app.clock.set(app.clock.now() + chrono::Duration::days(400));
    app.run_jobs().await;
    app.deliver_to(&sink).await;
    for needle in needles {
        let found = app.with_conn(move |conn| rows_holding(conn, needle)).await;
        assert!(found.is_empty(), "{needle} is still in {found:?}");
    }
}
