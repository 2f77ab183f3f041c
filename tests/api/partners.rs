//! Partners over HTTP: staff manage them (French messages for every bad field), their API keys
//! (shown once, stored as a digest, 18 months, rotation with two valid keys, revocation, never
//! more than two valid even when issued concurrently), and each partner reads only its own
//! figures, small counts suppressed.

use chrono::Duration;
use serde_json::{Value, json};

use crate::common::partners::create;
use crate::common::{TEST_PASSWORD, TestApp, cookie_client, start_of_tests};
use cyberdir::auth::Role;

pub(crate) async fn figures(
    app: &TestApp,
    partner: &str,
    key: Option<&str>,
    query: &str,
) -> (u16, Value) {
    let mut request =
        cookie_client().get(app.url(&format!("/api/v1/partners/{partner}/statistics{query}")));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn staff_manage_partners_and_every_bad_field_is_named_in_french() {
    let app = TestApp::spawn().await;
    let staff = app.user("equipe@cyberdir.fr", Role::Staff).await;
    let provider = app.user("presta@exemple.fr", Role::Provider).await;

    let (status, problem) = staff
        .post(
            "/api/v1/partners",
            &json!({
                "name": "B",
                "contact_name": "",
                "contact_email": "pas-une-adresse",
                "origins": ["http://www.banque.fr", "https://www.banque.fr/aide"],
                "scope": "tout",
                "accent": "#ffcc00",
            }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let errors = &problem["errors"];
    for field in [
        "name",
        "contact_name",
        "contact_email",
        "origins",
        "scope",
        "accent",
    ] {
        assert!(errors[field].is_array(), "{field} not reported: {problem}");
    }
    assert!(errors["origins"][0].as_str().unwrap().contains("https://"));
    assert!(errors["accent"][0].as_str().unwrap().contains("contraste"));
    let (_, all) = staff.get("/api/v1/partners").await;
    assert_eq!(all["total"], 0, "nothing created");

    let bank = create(
        &staff,
        "Banque Exemple",
        &["https://www.banque.fr", "https://WWW.banque.fr/"],
        "parcours",
    )
    .await;
    assert_eq!(bank["id"], "banque-exemple");
    assert_eq!(bank["origins"], json!(["https://www.banque.fr"]));
    assert_eq!(bank["state"], "active");
    assert!(
        bank["module_url"]
            .as_str()
            .unwrap()
            .ends_with("/module/banque-exemple")
    );
    // The same name again gets its own id.
    let second = create(
        &staff,
        "Banque Exemple",
        &["https://autre.fr"],
        "diagnostic",
    )
    .await;
    assert_eq!(second["id"], "banque-exemple-2");

    // A change needs the version read; a stale one is refused, nothing lost.
    let change = json!({
        "name": "Banque Exemple", "contact_name": "Camille Martin",
        "contact_email": "web@partenaire.exemple.fr", "origins": ["https://www.banque.fr"],
        "scope": "public:particulier", "state": "paused", "version": bank["version"],
    });
    let (status, changed) = staff.put("/api/v1/partners/banque-exemple", &change).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["state"], "paused");
    assert_eq!(changed["scope"], "public:particulier");
    let (status, stale) = staff.put("/api/v1/partners/banque-exemple", &change).await;
    assert_eq!(status, 409, "{stale}");

    // Only staff.
    let (status, _) = provider.get("/api/v1/partners").await;
    assert_eq!(status, 403);
    let anonymous = cookie_client()
        .get(app.url("/api/v1/partners"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let (status, _) = staff.get("/api/v1/partners/inconnu").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn keys_are_shown_once_stored_as_digests_rotated_revoked_and_expire() {
    let app = TestApp::spawn().await;
    let staff = app.user("equipe@cyberdir.fr", Role::Staff).await;
    create(
        &staff,
        "Banque Exemple",
        &["https://www.banque.fr"],
        "parcours",
    )
    .await;
    create(
        &staff,
        "Marché Exemple",
        &["https://www.marche.fr"],
        "parcours",
    )
    .await;

    let (status, issued) = staff
        .post("/api/v1/partners/banque-exemple/keys", &json!({}))
        .await;
    assert_eq!(status, 201, "{issued}");
    let first = issued["secret"].as_str().unwrap().to_owned();
    assert!(first.starts_with("cyberdir_") && first.len() > 60);
    let first_id = issued["key"]["id"].as_str().unwrap().to_owned();
    // 18 months.
    let expires: chrono::NaiveDateTime = issued["key"]["expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let months = (expires - start_of_tests().naive_utc()).num_days();
    assert!((545..=549).contains(&months), "{months} days");

    // Never shown again, never stored.
    let (_, listed) = staff.get("/api/v1/partners/banque-exemple/keys").await;
    assert!(!listed.to_string().contains(&first));
    let secret = first.clone();
    let stored = app
        .with_conn(move |conn| {
            use cyberdir::db::schema::partner_keys::dsl::*;
            use diesel::prelude::*;
            partner_keys
                .select((prefix, digest))
                .load::<(String, String)>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].1.contains(&secret[9..]) && stored[0].1.len() == 64);
    assert!(secret.starts_with(&stored[0].0));

    // The key reads its own partner's figures, and only those.
    assert_eq!(
        figures(&app, "banque-exemple", Some(&first), "").await.0,
        200
    );
    assert_eq!(
        figures(&app, "marche-exemple", Some(&first), "").await.0,
        403
    );
    assert_eq!(figures(&app, "banque-exemple", None, "").await.0, 401);
    // One hex digit changed (the last one, to another digit: a '0' stays a '0' otherwise).
    let last = if first.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &first[..first.len() - 1]);
    assert_eq!(
        figures(&app, "banque-exemple", Some(&forged), "").await.0,
        401
    );
    assert_eq!(
        figures(&app, "banque-exemple", Some("n'importe quoi"), "")
            .await
            .0,
        401
    );

    // A rotation: the new key works at once, the old one 30 more days.
    let (status, rotated) = staff
        .post(
            "/api/v1/partners/banque-exemple/keys",
            &json!({"replaces": first_id}),
        )
        .await;
    assert_eq!(status, 201, "{rotated}");
    let second = rotated["secret"].as_str().unwrap().to_owned();
    assert_eq!(
        figures(&app, "banque-exemple", Some(&second), "").await.0,
        200
    );
    assert_eq!(
        figures(&app, "banque-exemple", Some(&first), "").await.0,
        200
    );
    let (_, listed) = staff.get("/api/v1/partners/banque-exemple/keys").await;
    let old = listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == first_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(old["expires_soon"], true, "{old}");
    // Never a third valid key.
    let (status, refused) = staff
        .post("/api/v1/partners/banque-exemple/keys", &json!({}))
        .await;
    assert_eq!(status, 409, "{refused}");

    // 31 days later the old key is refused, the new one still works.
    app.clock.set(app.clock.now() + Duration::days(31));
    assert_eq!(
        figures(&app, "banque-exemple", Some(&first), "").await.0,
        401
    );
    assert_eq!(
        figures(&app, "banque-exemple", Some(&second), "").await.0,
        200
    );

    // Revocation is immediate, and said once (staff sign in again: a session lasts a day).
    let staff = app.log_in("equipe@cyberdir.fr", TEST_PASSWORD).await;
    let second_id = rotated["key"]["id"].as_str().unwrap();
    let path = format!("/api/v1/partners/banque-exemple/keys/{second_id}/revocation");
    assert_eq!(staff.post(&path, &json!({})).await.0, 204);
    assert_eq!(
        figures(&app, "banque-exemple", Some(&second), "").await.0,
        401
    );
    assert_eq!(staff.post(&path, &json!({})).await.0, 409);

    // A key expires after 18 months.
    let (_, third) = staff
        .post("/api/v1/partners/banque-exemple/keys", &json!({}))
        .await;
    let third = third["secret"].as_str().unwrap().to_owned();
    app.clock
        .set(app.clock.now() + Duration::days(30 * 18 + 10));
    assert_eq!(
        figures(&app, "banque-exemple", Some(&third), "").await.0,
        401
    );
}

#[tokio::test]
async fn two_valid_keys_at_most_even_when_issued_at_once() {
    let app = TestApp::spawn().await;
    let staff = std::sync::Arc::new(app.user("equipe@cyberdir.fr", Role::Staff).await);
    create(
        &staff,
        "Banque Exemple",
        &["https://www.banque.fr"],
        "parcours",
    )
    .await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let staff = staff.clone();
        tasks.push(tokio::spawn(async move {
            staff
                .post("/api/v1/partners/banque-exemple/keys", &json!({}))
                .await
                .0
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, vec![201, 201, 409, 409, 409, 409]);
    let (_, listed) = staff.get("/api/v1/partners/banque-exemple/keys").await;
    assert_eq!(listed["results"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn staff_pages_create_a_partner_show_a_key_once_and_list_keys_about_to_expire() {
    use crate::common::pages::Browser;
    let app = TestApp::spawn().await;
    app.user("equipe@cyberdir.fr", Role::Staff).await;
    let browser = Browser::new(&app.address);
    browser.log_in("equipe@cyberdir.fr").await;

    let form = browser.get("/partenaires/nouveau").await;
    assert_eq!(form.status, 200);
    let refused = browser
        .submit(
            &form,
            "/partenaires",
            &[
                ("name", "Mairie de Saint-Étienne"),
                ("contact_name", "Service numérique"),
                ("contact_email", "numerique@mairie.exemple.fr"),
                ("origins", "www.saint-etienne.fr"),
                ("scope", "public:collectivite"),
                ("accent", "#ffee00"),
                ("state", "active"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let summary = refused.element("error-summary").unwrap();
    assert!(summary.contains("https://"), "{summary}");
    assert!(summary.contains("trop claire"), "{summary}");
    // What was typed is kept.
    assert_eq!(refused.value("name"), "Mairie de Saint-Étienne");

    let created = browser
        .submit(
            &refused,
            "/partenaires",
            &[
                ("name", "Mairie de Saint-Étienne"),
                ("contact_name", "Service numérique"),
                ("contact_email", "numerique@mairie.exemple.fr"),
                (
                    "origins",
                    "https://www.saint-etienne.fr\nhttps://saint-etienne.fr",
                ),
                ("scope", "public:collectivite"),
                ("accent", "#1f5c99"),
                ("state", "active"),
            ],
        )
        .await;
    assert_eq!(
        created.location.as_deref(),
        Some("/partenaires/mairie-de-saint-etienne?info=cree")
    );
    let page = browser.follow(&created).await;
    assert!(page.text().contains("Le partenaire est créé"));
    assert!(
        page.text()
            .contains("pour le public « Collectivité ou administration »"),
        "{}",
        page.text()
    );
    let snippet = page.element("snippet").unwrap();
    assert!(
        snippet.contains("/module/mairie-de-saint-etienne"),
        "{snippet}"
    );

    // A key, shown on the answer to the post and never again.
    let issued = browser
        .submit(&page, "/partenaires/mairie-de-saint-etienne/cles", &[])
        .await;
    assert_eq!(issued.status, 200, "{}", issued.text());
    let secret = issued.element("issued-secret").unwrap();
    assert!(secret.starts_with("cyberdir_"), "{secret}");
    let again = browser.get("/partenaires/mairie-de-saint-etienne").await;
    assert!(!again.html.contains(&secret));
    assert!(again.row_with("cyberdir_").contains("valable"));

    // Seventeen months on, the list warns of the key about to expire.
    app.clock
        .set(app.clock.now() + Duration::days(30 * 17 + 10));
    browser.log_in("equipe@cyberdir.fr").await;
    let list = browser.get("/partenaires").await;
    let expiring = list.element("expiring").unwrap_or_default();
    assert!(
        expiring.contains("Mairie de Saint-Étienne"),
        "{}",
        list.text()
    );

    // Revocation from the page.
    let page = browser.get("/partenaires/mairie-de-saint-etienne").await;
    let revoke = page.links("/partenaires/mairie-de-saint-etienne/cles/");
    assert!(revoke.is_empty(), "revocation is a form, not a link");
    let key_form = page
        .html
        .split("action=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|a| a.ends_with("/revocation"))
        .unwrap()
        .to_owned();
    // Asked first: the partner's site stops working with the key.
    let asked = browser.submit(&page, &key_form, &[]).await;
    assert_eq!(asked.status, 200);
    assert!(asked.text().contains("Révoquer cette clé d'API ?"));
    let revoked = browser.submit(&asked, &key_form, &[]).await;
    assert_eq!(revoked.status, 303);
    let page = browser.follow(&revoked).await;
    assert!(page.row_with("cyberdir_").contains("révoquée"));
}
