//! The diagnostic in headless Chromium at phone size (390×844): from the first question to the
//! request form filled in, every victim page checked by axe-core (no serious or critical
//! violation).

use crate::common::TestApp;
use crate::common::browser::{Browser, PHONE};

async fn choose(browser: &Browser, choice: &str) {
    // The label is what a thumb touches.
    browser.click(&format!("label[for=choix-{choice}]")).await;
    browser.click("form.diagnostic button[type=submit]").await;
}

#[tokio::test]
async fn on_a_phone_a_family_goes_from_the_diagnostic_to_a_filled_request() {
    let app = TestApp::spawn().await;
    app.import_bundled_geo().await;
    let mut near = crate::common::provider(
        "rennes-secours",
        48.1113,
        -1.64,
        cyberdir::domain::zone::Zone::Radius { radius_km: 50 },
    );
    near.name = "Rennes Cyber Secours".into();
    near.incident_types.push("prise_controle_a_distance".into());
    app.insert(near).await;
    let browser = Browser::start_phone().await;

    browser.goto(&app.url("/")).await;
    browser.assert_accessible("the home page").await;
    browser.click("#start-diagnostic").await;
    browser.wait_for_text("Qui est victime ?").await;
    assert_eq!(browser.horizontal_overflow().await, None);
    browser.assert_accessible("the first question").await;
    browser.screenshot("diagnostic-question-390.png").await;

    // Nothing chosen: the question again, the error summary first and focused.
    browser.click("form.diagnostic button[type=submit]").await;
    browser
        .wait_for_text("Votre réponse n'a pas pu être enregistrée")
        .await;
    let focused = browser
        .js(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await;
    assert_eq!(focused, serde_json::json!("error-summary"));
    browser.assert_accessible("a question with its error").await;

    choose(&browser, "particulier").await;
    browser.wait_for_text("Que se passe-t-il ?").await;
    choose(&browser, "appareil").await;
    browser.wait_for_text("Qu'est-ce qui est touché ?").await;
    // The back button shows the previous question with the answer given.
    browser.client.back().await.expect("back");
    browser.wait_for_text("Que se passe-t-il ?").await;
    let checked = browser
        .js(
            "return document.getElementById('choix-appareil').checked;",
            vec![],
        )
        .await;
    assert_eq!(checked, serde_json::json!(true));
    choose(&browser, "appareil").await;
    browser.wait_for_text("Qu'est-ce qui est touché ?").await;
    choose(&browser, "ordinateur").await;
    browser
        .wait_for_text("Que constatez-vous sur l'ordinateur ?")
        .await;
    choose(&browser, "controle").await;

    // The result: urgent, what to do now first.
    browser.wait_for_text("À faire maintenant").await;
    let text = browser.body_text().await;
    assert!(text.contains("Urgent : agissez maintenant"), "{text}");
    assert!(
        text.contains("Débranchez l'ordinateur d'Internet"),
        "{text}"
    );
    assert_eq!(browser.horizontal_overflow().await, None);
    browser.assert_accessible("the result").await;
    browser.screenshot("diagnostic-result-390.png").await;

    browser.type_into("#lieu", "Rennes").await;
    browser.click("form.place button[type=submit]").await;
    browser.wait_for_text("Rennes Cyber Secours").await;
    browser.assert_accessible("the result with providers").await;
    browser.click("#ask-help").await;
    browser.wait_for_text("Décrivez la situation").await;
    let filled = browser
        .js(
            "return [document.getElementById('postcode').value,
                     document.getElementById('audience-particulier').checked,
                     document.getElementById('incident_type').value];",
            vec![],
        )
        .await;
    assert_eq!(
        filled,
        serde_json::json!(["35000", true, "prise_controle_a_distance"])
    );
    // The incident's advice is on the form as information, not as an error.
    let advice = browser.body_text().await;
    assert!(
        advice.contains("ce que vous pouvez faire dès maintenant"),
        "{advice}"
    );
    browser.assert_accessible("the request form").await;
    browser.screenshot("request-form-390.png").await;
    let width = browser.js("return window.innerWidth;", vec![]).await;
    assert_eq!(width, serde_json::json!(PHONE.0));
    browser.close().await;
}
