//! The module in real Chromium, embedded by a page served from another loopback origin with the
//! snippet from the staff's integration page: the journey runs inside the frame to a request
//! attributed to the partner, the frame resizes, the same embed from an origin not on the list
//! is blocked by the browser, and a paused partner shows the neutral message.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use serde_json::json;

use crate::common::assistance::RENNES;
use crate::common::browser::Browser;
use crate::common::html::decode_entities;
use crate::common::partners::{create, set_state};
use crate::common::{TestApp, provider};
use cyberdir::auth::Role;

/// A partner's website: one page, served on its own loopback port (its own origin).
fn serve(listener: TcpListener, html: String) {
    serve_site(listener, html, None, String::new());
}

/// A partner's website with its own Content-Security-Policy (on the page) and a copy of the
/// module's script at `/js/cyberdir-module.js`.
fn serve_site(listener: TcpListener, html: String, csp: Option<String>, script: String) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let read = stream.read(&mut request).unwrap_or(0);
            let head = String::from_utf8_lossy(&request[..read]);
            let (content_type, body, policy) = if head.starts_with("GET /js/cyberdir-module.js") {
                ("text/javascript; charset=utf-8", script.as_str(), None)
            } else {
                ("text/html; charset=utf-8", html.as_str(), csp.as_deref())
            };
            let policy = policy
                .map(|p| format!("Content-Security-Policy: {p}\r\n"))
                .unwrap_or_default();
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{policy}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
}

fn origin_of(listener: &TcpListener) -> String {
    format!("http://{}", listener.local_addr().unwrap())
}

fn page_with(snippet: &str) -> String {
    format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Banque Exemple</title></head><body><h1>Banque Exemple : victime d'une arnaque ?</h1>{snippet}<p id=\"after\">Bas de page</p></body></html>"
    )
}

/// The staff's integration page of `banque-exemple`, and the snippet it gives.
async fn integration(app: &TestApp, staff: &crate::common::Session) -> (String, String) {
    let page = staff
        .client
        .get(app.url("/partenaires/banque-exemple"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("<textarea id=\"snippet\"").unwrap();
    let inner = &page[start..];
    let snippet =
        decode_entities(&inner[inner.find('>').unwrap() + 1..inner.find("</textarea>").unwrap()]);
    (page, snippet)
}

/// The frame's height as the snippet set it, in pixels (0 before any message).
async fn frame_height(browser: &Browser) -> u64 {
    let height = browser
        .js(
            "return document.getElementById('cyberdir-module').style.height;",
            vec![],
        )
        .await;
    height
        .as_str()
        .and_then(|h| h.strip_suffix("px"))
        .and_then(|h| h.parse::<f64>().ok())
        .map_or(0, |h| h as u64)
}

async fn wait_for_height(browser: &Browser, not: u64) -> u64 {
    browser
        .wait_for(
            "the frame to be resized",
            "const h = document.getElementById('cyberdir-module').style.height; return h && h !== arguments[0] + 'px' ? h : null;",
            vec![json!(not)],
        )
        .await;
    frame_height(browser).await
}

#[tokio::test]
async fn a_partner_site_embeds_the_module_and_the_journey_runs_inside_it() {
    let app = TestApp::spawn_addressed().await;
    app.import_bundled_geo().await;
    let mut town = provider(
        "rennes-secours",
        RENNES.0,
        RENNES.1 + 0.05,
        cyberdir::domain::zone::Zone::Radius { radius_km: 60 },
    );
    town.name = "Rennes Cyber Secours".into();
    town.audiences
        .push(cyberdir::domain::audience::Audience::Collectivite);
    app.insert(town).await;
    let staff = app.user("equipe@cyberdir.fr", Role::Staff).await;

    // The partner's site must exist first: its origin goes on the list.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let allowed = origin_of(&listener);
    let partner = create(&staff, "Banque Exemple", &[&allowed], "parcours").await;
    assert_eq!(partner["id"], "banque-exemple");
    // The snippet as the staff's integration page gives it.
    let (_, snippet) = integration(&app, &staff).await;
    assert!(
        snippet.contains(&format!("src=\"{}/module/banque-exemple\"", app.address)),
        "{snippet}"
    );
    assert!(
        !snippet.contains("'*'") && !snippet.contains("\"*\""),
        "no wildcard target: {snippet}"
    );
    serve(listener, page_with(&snippet));
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    let elsewhere = origin_of(&other);
    serve(other, page_with(&snippet));

    let browser = Browser::start().await;
    browser.goto(&format!("{allowed}/")).await;
    browser.wait_for_text("Banque Exemple").await;
    let first_height = wait_for_height(&browser, 0).await;
    assert!(first_height > 300, "{first_height}");

    // Inside the frame: the diagnostic, one question per page.
    browser.client.enter_frame(0).await.unwrap();
    browser.wait_for_text("Qui est victime ?").await;
    browser
        .assert_accessible("the module's first question")
        .await;
    let cookies = browser.js("return document.cookie;", vec![]).await;
    assert_eq!(cookies, json!(""));
    for (choice, next) in [
        ("collectivite", "Que se passe-t-il ?"),
        ("rancon", "L'attaque est-elle encore en cours ?"),
        ("oui", "Ne payez pas la rançon"),
    ] {
        browser.click(&format!("label[for=choix-{choice}]")).await;
        browser.click("form.diagnostic button[type=submit]").await;
        browser.wait_for_text(next).await;
    }
    browser.type_into("#lieu", "Rennes").await;
    browser.click("form.place button[type=submit]").await;
    browser.wait_for_text("Rennes Cyber Secours").await;
    // Leaving the journey opens a new tab; the journey's own links stay in the frame.
    let targets = browser
        .js("return [document.querySelector('#nearby .card-title a').target, document.getElementById('ask-help').target];", vec![])
        .await;
    assert_eq!(targets, json!(["_blank", ""]));
    browser.click("#ask-help").await;
    browser
        .wait_for_text("Demander l'aide d'un professionnel")
        .await;
    browser
        .type_into(
            "#description",
            "Les postes de la mairie affichent une demande de rançon.",
        )
        .await;
    browser.type_into("#name", "Mairie de Rennes").await;
    browser.type_into("#email", "dsi@mairie.exemple.fr").await;
    browser.click("label[for=consent]").await;
    browser.click("#request-form button[type=submit]").await;
    browser.wait_for_text("Votre demande est envoyée").await;
    browser.assert_accessible("the module's confirmation").await;

    // The frame followed the pages' heights.
    browser.client.enter_parent_frame().await.unwrap();
    let last_height = frame_height(&browser).await;
    assert!(
        last_height > 200 && last_height != first_height,
        "{first_height} then {last_height}"
    );

    let facts = app
        .with_conn(|conn| {
            let day = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
            cyberdir::db::observatory::between(conn, day(2000), day(2100)).unwrap()
        })
        .await;
    let request = facts
        .iter()
        .find(|f| f.kind == "request")
        .expect("a request was created");
    assert_eq!(request.partner.as_deref(), Some("banque-exemple"));
    assert_eq!(request.channel, "module");

    // The same embed on a site not on the list: the browser refuses to show the module.
    browser.goto(&format!("{elsewhere}/")).await;
    browser.wait_for_text("Bas de page").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        frame_height(&browser).await,
        0,
        "a blocked frame sends nothing"
    );
    browser.client.enter_frame(0).await.unwrap();
    let shown = browser
        .js(
            "return document.body ? document.body.innerText : '';",
            vec![],
        )
        .await;
    assert!(
        !shown
            .as_str()
            .unwrap_or_default()
            .contains("Qui est victime"),
        "{shown}"
    );
    browser.client.enter_parent_frame().await.unwrap();

    // Paused: the partner's site shows the neutral message, with a way to the service.
    set_state(&staff, "banque-exemple", "paused").await;
    browser.goto(&format!("{allowed}/")).await;
    browser.wait_for_text("Banque Exemple").await;
    browser.client.enter_frame(0).await.unwrap();
    browser
        .wait_for_text("Ce service n'est pas disponible ici pour le moment")
        .await;
    browser.client.enter_parent_frame().await.unwrap();

    // The staff's pages: the integration page with its preview passes axe.
    browser.sign_in(&app, "equipe@cyberdir.fr").await;
    browser.wait_for_text("File d'instruction").await;
    browser.goto(&app.url("/partenaires/banque-exemple")).await;
    browser.wait_for_text("Code d'intégration").await;
    browser.assert_accessible("the partner's page").await;
    browser.close().await;
}

#[tokio::test]
async fn the_module_fits_its_frame_under_the_partners_strict_content_security_policy() {
    let app = TestApp::spawn_addressed().await;
    let staff = app.user("equipe@cyberdir.fr", Role::Staff).await;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let site = origin_of(&listener);
    create(&staff, "Banque Exemple", &[&site], "parcours").await;
    // The snippet has nothing inline: no script body, no style attribute.
    let (integration, snippet) = integration(&app, &staff).await;
    assert!(!snippet.contains("style="), "{snippet}");
    assert!(!snippet.contains("<script>"), "{snippet}");
    assert!(
        integration.contains(&format!("frame-src {0}; script-src {0}", app.address)),
        "the directives to add are given"
    );
    // The partner serves its own copy of the script, under a policy without 'unsafe-inline'.
    let script = reqwest::get(app.url("/static/module-embed.js"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let self_hosted = snippet.replace(
        &format!("{}/static/module-embed.js", app.address),
        "/js/cyberdir-module.js",
    );
    assert!(
        self_hosted.contains("src=\"/js/cyberdir-module.js\""),
        "{self_hosted}"
    );
    let policy = format!(
        "default-src 'none'; frame-src {}; script-src 'self'; style-src 'none'",
        app.address
    );
    serve_site(listener, page_with(&self_hosted), Some(policy), script);

    let browser = Browser::start().await;
    browser.goto(&format!("{site}/")).await;
    browser.wait_for_text("Banque Exemple").await;
    let height = wait_for_height(&browser, 0).await;
    assert!(height > 300, "the frame fits the module: {height}");
    browser.client.enter_frame(0).await.unwrap();
    browser.wait_for_text("Qui est victime ?").await;
}
