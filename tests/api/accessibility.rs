//! Every page a victim reads, checked by axe-core in a phone-sized Chromium (390×844): the
//! search and its results, a provider's profile, the request form refused, the tracking page,
//! the confirmation before cancelling, and the satisfaction survey. (The diagnostic's pages are
//! checked along its journey in `diagnostic_browser`.)

use serde_json::json;

use crate::common::assistance::{nearby, request_body, submit};
use crate::common::browser::Browser;
use crate::common::{SmtpSink, TestApp};

#[tokio::test]
async fn every_victim_page_passes_axe_on_a_phone() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    app.import_bundled_geo().await;
    nearby(&app, "proche", 3.0).await;
    let member = app.member_of("proche", "gerant@proche.fr").await;
    let browser = Browser::start_phone().await;

    browser
        .goto(&app.url("/?lieu=Rennes&incident=rancongiciel"))
        .await;
    browser.wait_for_text("Prestataires près de Rennes").await;
    browser.assert_accessible("the search results").await;
    // On a phone, the results come first, the form to search again after them.
    let order = browser
        .js(
            "return document.getElementById('results-title').getBoundingClientRect().top
                  < document.querySelector('form.search').getBoundingClientRect().top;",
            vec![],
        )
        .await;
    assert_eq!(order, json!(true), "results before the form on a phone");
    browser.goto(&app.url("/?lieu=Saint-Denis")).await;
    browser
        .wait_for_text("Plusieurs communes correspondent")
        .await;
    browser
        .assert_accessible("the communes to choose from")
        .await;
    browser
        .goto(&app.url("/?lieu=Rennes&incident=sextorsion"))
        .await;
    browser
        .wait_for_text("ce que vous pouvez faire dès maintenant")
        .await;
    browser
        .assert_accessible("the search with advice only")
        .await;
    browser.goto(&app.url("/prestataires/proche")).await;
    browser.wait_for_text("Prestataire proche").await;
    browser.assert_accessible("a provider's profile").await;

    browser.goto(&app.url("/demande-assistance")).await;
    browser.click("#request-form button[type=submit]").await;
    browser
        .wait_for_text("Votre demande n'a pas pu être envoyée")
        .await;
    browser.assert_accessible("the request form refused").await;
    // Every field a thumb must hit is at least 44 px tall: text, email, tel, textarea, select,
    // and the labels of radios and checkboxes.
    let small = browser
        .js(
            "return [...document.querySelectorAll('#request-form input:not([type=hidden]):not([type=radio]):not([type=checkbox]), #request-form textarea, #request-form select, #request-form .checkbox label, #request-form button')]
               .filter(e => e.getBoundingClientRect().height < 44)
               .map(e => (e.id || e.htmlFor || e.tagName) + ': ' + e.getBoundingClientRect().height);",
            vec![],
        )
        .await;
    assert_eq!(small, json!([]), "targets under 44 px");

    let (status, created) = submit(&app, &request_body()).await;
    assert_eq!(status, 201, "{created}");
    let tracking = created["tracking_url"].as_str().unwrap();
    let path = &tracking[tracking.find("/suivi/").unwrap()..];
    browser.goto(&app.url(path)).await;
    browser.wait_for_text("Suivi de votre demande").await;
    browser.assert_accessible("the tracking page").await;
    browser.click("#cancel").await;
    browser.wait_for_text("Voulez-vous vraiment annuler").await;
    browser
        .assert_accessible("the confirmation before cancelling")
        .await;

    // The provider accepts and closes; the victim rates the intervention.
    let id = created["id"].as_str().unwrap();
    let (status, _) = member
        .post(
            &format!("/api/v1/assistance-requests/{id}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, closed) = member
        .post(
            &format!("/api/v1/assistance-requests/{id}/close"),
            &json!({"resolved": true, "report": {
                "confirmed_incident_type": "rancongiciel",
                "attack_vector": "Bureau à distance exposé",
                "actions_taken": "Isolement du poste et restauration des sauvegardes.",
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
        .expect("the survey");
    let link = survey
        .text
        .split_whitespace()
        .find(|w| w.contains("/avis/"))
        .unwrap();
    browser
        .goto(&app.url(&link[link.find("/avis/").unwrap()..]))
        .await;
    browser.wait_for_text("Votre avis").await;
    browser.assert_accessible("the survey").await;
    browser.close().await;
}
