//! The assistance pages: a victim's request and a provider's accept in headless Chromium; the
//! emailed link's landing page, the provider's closing form and the staff pages over HTTP.

use crate::common;

use common::browser::Browser;
use common::{SmtpSink, TestApp, provider};
use cyberdir::auth::Role;
use cyberdir::domain::zone::Zone;
use serde_json::json;

#[tokio::test]
async fn a_victim_asks_for_help_and_a_provider_accepts_in_the_browser() {
    let app = TestApp::spawn().await;
    app.insert(provider(
        "proche",
        48.1113,
        -1.64,
        Zone::Radius { radius_km: 50 },
    ))
    .await;
    app.member_of("proche", "gerant@proche.fr").await;
    let browser = Browser::start().await;

    // The form refused empty, with a message per field.
    browser.goto(&app.url("/demande-assistance")).await;
    browser.click("#request-form button[type=submit]").await;
    let summary = browser
        .wait_for(
            "the error summary",
            "const e = document.getElementById('error-summary'); return e && e.innerText;",
            vec![],
        )
        .await;
    assert!(summary.as_str().unwrap().contains("accord"), "{summary}");
    assert_eq!(
        browser
            .attr("#description", "aria-invalid")
            .await
            .as_deref(),
        Some("true")
    );

    // Filled in, it is sent and the tracking page opens.
    browser.type_into("#postcode", "35000").await;
    browser.click("#audience-particulier").await;
    browser
        .js(
            "document.getElementById('incident_type').value = 'rancongiciel';",
            vec![],
        )
        .await;
    browser
        .type_into(
            "#description",
            "Un message demande une rançon, mes fichiers ne s'ouvrent plus.",
        )
        .await;
    browser.type_into("#name", "Claire Martin").await;
    browser.type_into("#email", "claire@exemple.fr").await;
    browser.click("#consent").await;
    browser.click("#request-form button[type=submit]").await;
    browser.wait_for_text("Votre demande est enregistrée").await;
    let tracking = browser
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .to_owned();
    assert!(tracking.starts_with("/suivi/"), "{tracking}");
    browser.wait_for_text("transmise à un professionnel").await;

    // The provider signs in and accepts from its portal.
    browser.client.delete_all_cookies().await.unwrap();
    browser.sign_in(&app, "gerant@proche.fr").await;
    browser.wait_for_text("Mes organisations").await;
    browser
        .goto(&app.url("/espace/organisations/proche/demandes"))
        .await;
    browser.click("#offered a").await;
    browser.wait_for_text("Un message demande une rançon").await;
    let contact_before = browser
        .js(
            "return !!document.getElementById('victim-contact');",
            vec![],
        )
        .await;
    assert_eq!(contact_before, json!(false), "no contact before accepting");
    browser.click("#accept-form button[type=submit]").await;
    browser.wait_for_text("Vous avez accepté la demande").await;
    let contact = browser
        .wait_for(
            "the victim's contact",
            "const e = document.getElementById('victim-contact'); return e && e.innerText;",
            vec![],
        )
        .await;
    assert!(
        contact.as_str().unwrap().contains("claire@exemple.fr"),
        "{contact}"
    );

    // The victim's page now names the provider.
    browser.client.delete_all_cookies().await.unwrap();
    browser.goto(&app.url(&tracking)).await;
    browser.wait_for_text("Prestataire proche").await;
    // The state, as a DSFR badge (in capitals on screen).
    browser.wait_for_text("PRISE EN CHARGE").await;
    browser.close().await;
}

/// The page body, following redirects.
async fn page(client: &reqwest::Client, url: &str) -> (u16, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A town hall's ransomware request near Rennes, by the API.
async fn town_hall_request(app: &TestApp) -> serde_json::Value {
    let (status, created) = app
        .post_json(
            "/api/v1/assistance-requests",
            &json!({
                "postcode": "35000", "audience": "entreprise", "incident_type": "rancongiciel",
                "description": "Le serveur de fichiers est chiffré.",
                "contact": {"name": "Mairie de Bruz", "email": "dgs@mairie.fr"}, "consent": true
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created
}

/// Paul's ransomware request in Marseille, by the API.
async fn marseille_request(app: &TestApp) -> serde_json::Value {
    let (status, created) = app
        .post_json(
            "/api/v1/assistance-requests",
            &json!({
                "postcode": "13001", "audience": "particulier", "incident_type": "rancongiciel",
                "description": "Ordinateur bloqué par un message de rançon.",
                "contact": {"name": "Paul", "email": "paul@exemple.fr"}, "consent": true
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created
}

/// The path of an offer email's link for `action` (`accept`, `decline`).
fn offer_link(text: &str, action: &str) -> String {
    text.split_whitespace()
        .find(|w| w.contains("/affectations/") && w.contains(&format!(".{action}.")))
        .map(|w| w[w.find("/affectations/").unwrap()..].to_owned())
        .unwrap()
}

fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a form") + marker.len();
    html[start..].chars().take_while(|c| *c != '"').collect()
}

#[tokio::test]
async fn the_emailed_link_opens_a_page_to_answer_without_signing_in() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    app.insert(provider(
        "p",
        48.1113,
        -1.64,
        Zone::Radius { radius_km: 50 },
    ))
    .await;
    town_hall_request(&app).await;
    app.deliver_to(&sink).await;
    let offer = &sink.messages_to("contact@p.fr")[0];
    let link = |action: &str| offer_link(&offer.text, action);
    let browser = common::cookie_client();
    // The decline link asks for a reason.
    let (status, html) = page(&browser, &app.url(&link("decline"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("Pourquoi déclinez-vous"), "{html}");
    assert!(
        !html.contains("dgs@mairie.fr"),
        "no contact before accepting"
    );
    let response = browser
        .post(app.url(&link("decline")))
        .header("Origin", app.url(""))
        .form(&[("csrf_token", csrf_in(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("id=\"reason-error\"")
    );
    // The accept link: one button, then the contact.
    let (_, html) = page(&browser, &app.url(&link("accept"))).await;
    let response = browser
        .post(app.url(&link("accept")))
        .form(&[("csrf_token", csrf_in(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Demande acceptée") && html.contains("dgs@mairie.fr"),
        "{html}"
    );
    let (_, again) = page(&browser, &app.url(&link("accept"))).await;
    assert!(again.contains("n'est plus proposée"), "single use");
    let forged = format!("{}ff", &link("accept")[..link("accept").len() - 2]);
    let (status, _) = page(&browser, &app.url(&forged)).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn staff_see_the_queue_assign_by_hand_and_providers_close_with_a_report() {
    let app = TestApp::spawn().await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    // Nobody covers Marseille: the request goes to the staff queue.
    app.insert(provider(
        "rennes",
        48.1113,
        -1.64,
        Zone::Radius { radius_km: 30 },
    ))
    .await;
    let member = app.member_of("rennes", "m@rennes.fr").await;
    let created = marseille_request(&app).await;
    assert_eq!(created["status"], "escalated");
    let id = created["id"].as_str().unwrap();
    let (status, list) = page(
        &staff.client,
        &app.url("/instruction/demandes?etat=escalated"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        list.contains(&format!("/instruction/demandes/{id}")),
        "{list}"
    );
    let (_, detail) = page(
        &staff.client,
        &app.url(&format!("/instruction/demandes/{id}")),
    )
    .await;
    assert!(detail.contains("paul@exemple.fr"), "staff see the contact");
    assert!(detail.contains("Aucun professionnel disponible"));
    let csrf = staff.csrf_token.clone();
    let response = staff
        .client
        .post(app.url(&format!("/instruction/demandes/{id}/attribuer")))
        .form(&[("csrf_token", csrf.as_str()), ("provider_id", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("id=\"provider_id-error\"")
    );
    let response = staff
        .client
        .post(app.url(&format!("/instruction/demandes/{id}/attribuer")))
        .form(&[("csrf_token", csrf.as_str()), ("provider_id", "rennes")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.text().await.unwrap().contains("à la main"));

    // The provider accepts and closes with its report from the portal.
    let base = format!("/espace/organisations/rennes/demandes/{id}");
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let client = member.client.clone();
        let url = app.url(&path);
        let mut all = vec![("csrf_token", member.csrf_token.clone())];
        all.extend(fields);
        async move {
            let response = client.post(url).form(&all).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, html) = post(format!("{base}/accept"), vec![]).await;
    assert_eq!(status, 200);
    assert!(html.contains("paul@exemple.fr"));
    let (status, html) = post(format!("{base}/close"), vec![("resolved", "oui".into())]).await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"attack_vector-error\""));
    let (status, html) = post(
        format!("{base}/close"),
        vec![
            ("resolved", "oui".into()),
            ("confirmed_incident_type", "rancongiciel".into()),
            ("attack_vector", "Pièce jointe piégée".into()),
            (
                "actions_taken",
                "Nettoyage, restauration des sauvegardes.".into(),
            ),
            ("minutes_spent", "90".into()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("La demande est close"));
    let (_, view) = staff
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert_eq!(view["status"], "resolved");
    assert_eq!(view["report"]["minutes_spent"], 90);

    // Capacity and absences from the portal page.
    let (status, html) = post(
        "/espace/organisations/rennes/disponibilites".into(),
        vec![("capacity", "0".into())],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"capacity-error\""));
    let (status, html) = post(
        "/espace/organisations/rennes/absences".into(),
        vec![
            ("starts_on", "2026-12-24".into()),
            ("ends_on", "2027-01-02".into()),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Du 24/12/2026 au 02/01/2027"), "{html}");
}

#[tokio::test]
async fn the_tracking_page_says_what_happens_next_and_cancelling_asks_first() {
    let app = TestApp::spawn().await;
    common::assistance::nearby(&app, "proche", 3.0).await;
    let browser = common::pages::Browser::new(&app.address);
    let form = browser.get("/demande-assistance").await;
    let sent = browser
        .submit(
            &form,
            "/demande-assistance",
            &[
                ("audience", "particulier"),
                ("incident_type", "rancongiciel"),
                ("postcode", "35000"),
                ("description", "Mes fichiers sont chiffrés depuis ce matin."),
                ("name", "Claire Martin"),
                ("email", "claire@exemple.fr"),
                ("phone", ""),
                ("consent", "oui"),
            ],
        )
        .await;
    let tracking_path = sent.location.clone().unwrap();
    let tracking_path = tracking_path.split('?').next().unwrap().to_owned();
    let page = browser.follow(&sent).await;
    // What happens next, within what time, and the advice while waiting.
    let next = page.element("next-step").unwrap();
    assert!(next.contains("Il a 2 heures pour l'accepter"), "{next}");
    let advice = page.element("incident-advice").unwrap();
    assert!(advice.contains("Rançongiciel"), "{advice}");

    // Cancelling asks first; "non" changes nothing.
    let asked = browser
        .submit(&page, &format!("{tracking_path}/annuler"), &[])
        .await;
    assert_eq!(asked.status, 200);
    assert!(
        asked
            .text()
            .contains("Voulez-vous vraiment annuler votre demande")
    );
    assert_eq!(
        asked.link("Non, revenir au suivi").as_deref(),
        Some(tracking_path.as_str())
    );
    let unchanged = browser.get(&tracking_path).await;
    assert_eq!(
        unchanged.element("request-status").as_deref(),
        Some("transmise à un professionnel")
    );
    // Confirmed, it is cancelled.
    let confirmed = browser
        .submit(&asked, &format!("{tracking_path}/annuler"), &[])
        .await;
    let page = browser.follow(&confirmed).await;
    assert_eq!(
        page.element("info").as_deref(),
        Some("Votre demande est annulée.")
    );
    assert!(!page.has("next-step") && !page.has("cancel"));
}

#[tokio::test]
async fn the_error_summary_lists_the_fields_in_page_order_as_links() {
    let app = TestApp::spawn().await;
    let browser = common::pages::Browser::new(&app.address);
    let form = browser.get("/demande-assistance").await;
    let refused = browser
        .submit(
            &form,
            "/demande-assistance",
            &[("email", "pas-une-adresse")],
        )
        .await;
    assert_eq!(refused.status, 422);
    let summary = refused.html.split("id=\"error-summary\"").nth(1).unwrap();
    let summary = summary.split("</div>").next().unwrap();
    let anchors: Vec<&str> = summary
        .split("<a href=\"#")
        .skip(1)
        .map(|a| a.split('"').next().unwrap())
        .collect();
    assert_eq!(
        anchors,
        [
            "postcode",
            "audience-particulier",
            "incident_type",
            "description",
            "name",
            "email",
            "consent"
        ],
        "{summary}"
    );
    // Every field in error is marked.
    for id in [
        "postcode",
        "incident_type",
        "description",
        "name",
        "email",
        "consent",
    ] {
        assert_eq!(
            refused.attribute(id, "aria-invalid").as_deref(),
            Some("true"),
            "{id}"
        );
    }
    // Plain French: no code, no API path.
    let text = refused.text();
    assert!(
        !text.contains("/api/") && !text.contains("collectivite"),
        "{text}"
    );
}

#[tokio::test]
async fn a_provider_who_declines_is_told_where_the_request_went() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    for (id, longitude) in [("p", -1.64), ("q", -1.60)] {
        app.insert(provider(
            id,
            48.1113,
            longitude,
            Zone::Radius { radius_km: 50 },
        ))
        .await;
    }
    let created = town_hall_request(&app).await;
    let browser = common::cookie_client();
    let decline = |address: &'static str| {
        let app = &app;
        let sink = &sink;
        let browser = &browser;
        async move {
            app.deliver_to(sink).await;
            let offer = sink
                .messages_to(address)
                .into_iter()
                .last()
                .expect("an offer");
            let link = offer_link(&offer.text, "decline");
            let (_, html) = page(browser, &app.url(&link)).await;
            let response = browser
                .post(app.url(&link))
                .form(&[
                    ("csrf_token", csrf_in(&html).as_str()),
                    ("reason", "indisponible"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200);
            response.text().await.unwrap()
        }
    };
    let first = created["provider_id"].as_str().unwrap().to_owned();
    let (first_address, second_address) = if first == "p" {
        ("contact@p.fr", "contact@q.fr")
    } else {
        ("contact@q.fr", "contact@p.fr")
    };
    // The first declines: the other professional is offered it.
    let html = decline(first_address).await;
    assert!(html.contains("proposée à un autre professionnel"), "{html}");
    // The second declines too: nobody is left, the request goes to staff, and the page says so.
    let html = decline(second_address).await;
    assert!(html.contains("transmise à nos équipes"), "{html}");
    assert!(!html.contains("à un autre professionnel"), "{html}");

    // Staff assigning it by hand see who already declined, marked and listed last.
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let id = created["id"].as_str().unwrap();
    let (_, detail) = page(
        &staff.client,
        &app.url(&format!("/instruction/demandes/{id}")),
    )
    .await;
    let options: Vec<String> = detail
        .split("<option value=\"")
        .skip(2)
        .map(|o| common::html::visible_text(o.split("</option>").next().unwrap_or_default()))
        .collect();
    assert_eq!(options.len(), 2, "{detail}");
    for option in &options {
        assert!(option.contains("a déjà décliné le"), "{option}");
    }
}

#[tokio::test]
async fn the_staff_queue_shows_each_wait_victim_offer_and_a_victim_email_cannot_reach() {
    let app = TestApp::spawn().await;
    app.insert(provider(
        "rennes",
        48.1113,
        -1.64,
        Zone::Radius { radius_km: 30 },
    ))
    .await;
    let offered = town_hall_request(&app).await;
    assert_eq!(offered["status"], "assigned", "{offered}");
    let lost = marseille_request(&app).await;
    let lost_id = lost["id"].as_str().unwrap().to_owned();
    // The victim's address bounced.
    let failed = app
        .with_conn(move |c| {
            diesel::RunQueryDsl::execute(
                diesel::sql_query(
                    "UPDATE outbox SET status = 'failed', last_error = 'permanent error (550)' \
                     WHERE request_id = $1 AND recipient = 'paul@exemple.fr'",
                )
                .bind::<diesel::sql_types::Text, _>(lost_id),
                c,
            )
        })
        .await
        .unwrap();
    assert!(failed >= 1, "the victim was written to");
    app.clock
        .set((app.clock.now_naive() + chrono::Duration::minutes(95)).and_utc());

    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let (status, list) = page(&staff.client, &app.url("/instruction/demandes")).await;
    assert_eq!(status, 200);
    let row_of = |needle: &str| {
        list.split("<tr>")
            .map(common::html::visible_text)
            .find(|row| row.contains(needle))
            .unwrap_or_else(|| panic!("no row with {needle}: {list}"))
            .replace('\u{202f}', " ")
    };
    let town_hall = row_of("Mairie de Bruz");
    assert!(
        town_hall.contains("Prestataire rennes"),
        "the provider offered it: {town_hall}"
    );
    assert!(
        town_hall.contains("1 h 35"),
        "how long it waited: {town_hall}"
    );
    assert!(!town_hall.contains("courriel en échec"), "{town_hall}");
    let paul = row_of("Paul");
    assert!(paul.contains("courriel en échec"), "{paul}");
    assert!(paul.contains("aucun"), "no provider: {paul}");
}
