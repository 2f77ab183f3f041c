//! The whole referencing journey in headless Chromium, as its users live it: a provider signs up,
//! confirms the emailed link, fills the organisation form, uploads both documents, accepts the
//! charter and submits; a staff member reviews and approves; the provider then shows in the
//! public search. Emails go through a real SMTP server on loopback.

use crate::common;

use common::referencing::PDF;

use common::browser::Browser;
use common::{SmtpSink, TEST_PASSWORD, TestApp};
use cyberdir::auth::Role;
use serde_json::{Value, json};

const PROVIDER_EMAIL: &str = "gerante@breizh-cyber.fr";
const PROVIDER_PASSWORD: &str = "Une phrase de passe solide 2026";

/// The path and query of the first link in `text` that contains `fragment` (emails carry the
/// configured base URL, not the test server's).
fn link_path(text: &str, fragment: &str) -> String {
    let url = text
        .split_whitespace()
        .find(|word| word.starts_with("http") && word.contains(fragment))
        .unwrap_or_else(|| panic!("no link with {fragment} in:\n{text}"));
    let after_scheme = &url[url.find("://").expect("absolute link") + 3..];
    after_scheme[after_scheme.find('/').unwrap_or(after_scheme.len())..].to_owned()
}

/// Clicks the submit button of the form whose action ends with `action`.
async fn submit_form(browser: &Browser, action: &str) {
    browser
        .click(&format!("form[action$=\"{action}\"] button[type=submit]"))
        .await;
}

async fn log_in(browser: &Browser, app: &TestApp, email: &str, password: &str) {
    browser.goto(&app.url("/connexion")).await;
    browser.type_into("#email", email).await;
    browser.type_into("#password", password).await;
    submit_form(browser, "/connexion").await;
}

#[tokio::test]
async fn a_provider_signs_up_applies_and_shows_in_the_search_once_staff_approve() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    app.import_shared_geo().await;
    app.user("instructrice@cyberdir.fr", Role::Staff).await;
    let browser = Browser::start().await;

    // Sign up, then confirm the address from the emailed link.
    browser.goto(&app.url("/inscription")).await;
    browser.type_into("#display_name", "Gaëlle Le Goff").await;
    browser.type_into("#email", PROVIDER_EMAIL).await;
    browser.type_into("#password", PROVIDER_PASSWORD).await;
    submit_form(&browser, "/inscription").await;
    browser
        .wait_for_text("un courriel vient d'y être envoyé")
        .await;
    app.deliver_to(&sink).await;
    let verification = &sink.messages_to(PROVIDER_EMAIL)[0];
    browser
        .goto(&app.url(&link_path(&verification.text, "/compte/verification")))
        .await;
    submit_form(&browser, "/compte/verification").await;
    browser
        .wait_for(
            "the log-in page after confirmation",
            "return location.pathname === '/connexion';",
            vec![],
        )
        .await;

    // Log in and create the organisation.
    log_in(&browser, &app, PROVIDER_EMAIL, PROVIDER_PASSWORD).await;
    browser
        .wait_for(
            "the portal",
            "return location.pathname === '/espace';",
            vec![],
        )
        .await;
    browser.type_into("#create_name", "Breizh Cyber").await;
    submit_form(&browser, "/espace/organisations").await;
    let organisation = browser
        .wait_for(
            "the organisation page",
            "return location.pathname.startsWith('/espace/organisations/') && location.pathname;",
            vec![],
        )
        .await;
    let organisation = organisation.as_str().unwrap().to_owned();
    let provider_id = organisation.rsplit('/').next().unwrap().to_owned();

    // The profile form: a wrong SIRET first, explained next to the field.
    for (field, value) in [
        ("legal_name", "BREIZH CYBER SAS"),
        ("siret", "732 829 320 00075"),
        ("address_line", "12 rue de la Monnaie"),
        ("postcode", "35000"),
        ("city", "Rennes"),
        ("phone", "02 99 12 34 56"),
        ("email", "contact@breizh-cyber.fr"),
        ("website", "https://www.breizh-cyber.fr"),
        (
            "description",
            "Assistance aux victimes de rançongiciels en Ille-et-Vilaine depuis 2012.",
        ),
    ] {
        browser.type_into(&format!("#{field}"), value).await;
    }
    for checkbox in [
        "audiences_particulier",
        "audiences_entreprise",
        "incident_types_rancongiciel",
        "incident_types_hameconnage",
        "remote",
        "zone_kind_radius",
    ] {
        browser.click(&format!("#{checkbox}")).await;
    }
    browser.type_into("#radius_km", "40").await;
    submit_form(&browser, "/profil").await;
    let siret_error = browser
        .wait_for(
            "the SIRET message",
            "const e = document.getElementById('siret-error'); return e && e.innerText;",
            vec![],
        )
        .await;
    assert!(
        siret_error.as_str().unwrap().contains("SIRET"),
        "{siret_error}"
    );
    assert_eq!(
        browser.attr("#siret", "aria-invalid").await.as_deref(),
        Some("true")
    );
    // What was typed is kept: only the SIRET needs fixing.
    assert_eq!(
        browser.attr("#legal_name", "value").await.as_deref(),
        Some("BREIZH CYBER SAS")
    );
    browser.type_into("#siret", "732 829 320 00074").await;
    submit_form(&browser, "/profil").await;
    browser.wait_for_text("Votre profil est enregistré.").await;

    // Both documents, from files on disk, as a user picks them.
    let files = tempfile::tempdir().unwrap();
    for (kind, name) in [
        ("kbis", "kbis.pdf"),
        ("insurance", "attestation-rc-pro.pdf"),
    ] {
        let path = files.path().join(name);
        std::fs::write(&path, PDF).unwrap();
        let (valid_until, issued_on) = if kind == "insurance" {
            (common::referencing::INSURANCE_END, "")
        } else {
            ("", common::referencing::KBIS_ISSUED)
        };
        browser
            .js(
                "document.getElementById('document_kind').value = arguments[0];
                 document.getElementById('document_valid_until').value = arguments[1];
                 document.getElementById('document_issued_on').value = arguments[2];",
                vec![json!(kind), json!(valid_until), json!(issued_on)],
            )
            .await;
        browser
            .client
            .find(fantoccini::Locator::Css("#document_file"))
            .await
            .unwrap()
            .send_keys(path.to_str().unwrap())
            .await
            .unwrap();
        submit_form(&browser, "/documents").await;
        browser.wait_for_text(name).await;
    }

    // The charter, then the submission.
    submit_form(&browser, "/charte").await;
    browser.wait_for_text("Vous avez accepté la charte").await;
    submit_form(&browser, "/actions/submit").await;
    browser.wait_for_text("Votre demande est déposée.").await;

    // Staff review and approve from the back office.
    browser.client.delete_all_cookies().await.unwrap();
    log_in(&browser, &app, "instructrice@cyberdir.fr", TEST_PASSWORD).await;
    browser
        .wait_for(
            "the back office",
            "return location.pathname === '/instruction';",
            vec![],
        )
        .await;
    browser
        .click(&format!("a[href=\"/instruction/dossiers/{provider_id}\"]"))
        .await;
    browser.wait_for_text("BREIZH CYBER SAS").await;
    submit_form(&browser, "/actions/start-review").await;
    browser
        .wait_for(
            "the approve button",
            "return !!document.querySelector('form[action$=\"/actions/approve\"]');",
            vec![],
        )
        .await;
    submit_form(&browser, "/actions/approve").await;
    browser.wait_for_text("Le dossier est approuvé").await;
    let state = browser
        .js(
            "return document.querySelector('.bo-state').innerText;",
            vec![],
        )
        .await;
    // The state is a DSFR badge (written in capitals).
    assert!(
        state.as_str().unwrap().to_lowercase().contains("référencé"),
        "{state}"
    );

    // A victim near Rennes now finds the provider.
    browser.client.delete_all_cookies().await.unwrap();
    browser
        .goto(&app.url("/?lieu=35000&incident=rancongiciel"))
        .await;
    let href = browser
        .wait_for(
            "the provider in the results",
            "const a = Array.from(document.querySelectorAll('.results .card-title a'))
               .find(a => a.innerText.includes('Breizh Cyber'));
             return a && a.getAttribute('href');",
            vec![],
        )
        .await;
    assert_eq!(href, Value::String(format!("/prestataires/{provider_id}")));

    // And was told at each step.
    app.deliver_to(&sink).await;
    let subjects: Vec<String> = sink
        .messages_to(PROVIDER_EMAIL)
        .into_iter()
        .map(|m| m.subject)
        .collect();
    for expected in ["reçue", "examen", "référencement accepté"] {
        assert!(
            subjects.iter().any(|s| s.to_lowercase().contains(expected)),
            "no email about {expected:?} in {subjects:?}"
        );
    }
    browser.close().await;
}
