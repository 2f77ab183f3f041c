//! The public pages as a victim uses them: headless Chromium driven through WebDriver
//! (chromedriver) over a real server and database.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`scripts/test` installs them). Set
//! `CYBERDIR_SCREENSHOTS=/some/dir` to also save full-page screenshots (PNG) of the results at
//! phone (390 px) and desktop (1280 px) widths, of a profile and of a form error.

use crate::common;

use std::time::Instant;

use cyberdir::domain::provider::Provider;
use cyberdir::domain::zone::Zone;
use fantoccini::Locator;
use serde::Deserialize;
use serde_json::json;

use common::TestApp;
use common::browser::{Browser, PHONE};

/// The colour of errors in the stylesheet (#ce0500).
const ERROR_RED: [u8; 3] = [206, 5, 0];

/// A result card as the victim sees it.
#[derive(Debug, Deserialize)]
struct Card {
    name: String,
    href: String,
    distance: Option<String>,
    badge: Option<String>,
    tel: Option<String>,
    mail: Option<String>,
}

const READ_CARDS: &str = r#"
return Array.from(document.querySelectorAll('.results .card')).map(card => {
  const text = sel => { const e = card.querySelector(sel); return e ? e.innerText.trim() : null; };
  const href = sel => { const e = card.querySelector(sel); return e ? e.getAttribute('href') : null; };
  return {
    name: text('.card-title'),
    href: href('.card-title a'),
    distance: text('.distance'),
    badge: text('.badge'),
    tel: href('a[href^="tel:"]'),
    mail: href('a[href^="mailto:"]'),
  };
});"#;

/// Visible form controls and the text of their labels.
const READ_LABELS: &str = r#"
return Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && el.getClientRects().length > 0)
  .map(el => ({
    control: el.id || el.name || el.outerHTML,
    label: Array.from(el.labels || []).map(l => l.innerText.trim()).join(' '),
  }));"#;

/// "à 7,1 km" -> 7.1, checking the French format.
fn kilometres(text: &str) -> f64 {
    let number = text
        .strip_prefix("à ")
        .and_then(|t| t.strip_suffix(" km"))
        .unwrap_or_else(|| panic!("distance shown as {text:?}, expected « à 7,1 km »"));
    assert!(
        !number.contains('.'),
        "distance {text:?} uses a decimal point, not a French comma"
    );
    number
        .replace(',', ".")
        .parse()
        .unwrap_or_else(|_| panic!("distance {text:?} is not a number"))
}

fn provider(
    id: &str,
    name: &str,
    (latitude, longitude): (f64, f64),
    (postcode, city): (&str, &str),
    radius_km: u32,
    siret: &str,
) -> Provider {
    let mut p = common::provider(id, latitude, longitude, Zone::Radius { radius_km });
    p.name = name.into();
    p.postcode = postcode.into();
    p.city = city.into();
    p.siret = siret.into();
    p
}

#[tokio::test]
async fn a_victim_finds_providers_near_rennes_and_opens_a_profile() {
    let started = Instant::now();
    let app = TestApp::spawn().await;
    let with_geo = app.import_shared_geo().await;
    if !with_geo {
        eprintln!("no shared geography: searching by postcode, without the commune autocomplete");
    }

    // Inserted out of distance order, so the page has to sort them.
    app.insert(provider(
        "ouest-secours",
        "Ouest Cyber Secours",
        (48.1236, -1.2094),
        ("35500", "Vitré"),
        60,
        "82345678900010",
    ))
    .await;
    let mut labelled = provider(
        "cesson-numerique",
        "Cesson Numérique",
        (48.1235, -1.5935),
        ("35510", "Cesson-Sévigné"),
        20,
        "83456789000019",
    );
    labelled.label = Some(common::label("EC-2026-0001", (2026, 1, 10), "valid"));
    app.insert(labelled).await;
    app.insert(provider(
        "breizh-assistance",
        "Breizh Assistance Informatique",
        (48.1147, -1.6794),
        ("35000", "Rennes"),
        10,
        "81234567800013",
    ))
    .await;
    // Its 30 km zone does not reach Rennes (about 60 km away).
    app.insert(provider(
        "emeraude-it",
        "Émeraude IT",
        (48.6493, -2.0257),
        ("35400", "Saint-Malo"),
        30,
        "84567890100016",
    ))
    .await;
    // Near, but does not handle ransomware.
    let mut phishing_only = provider(
        "anti-phishing",
        "Rennes Anti-Phishing",
        (48.1100, -1.6700),
        ("35000", "Rennes"),
        20,
        "85678901200015",
    );
    phishing_only.incident_types = vec!["hameconnage".into()];
    app.insert(phishing_only).await;
    app.insert(provider(
        "massalia-cyber",
        "Massalia Cyber",
        (43.2965, 5.3698),
        ("13001", "Marseille"),
        50,
        "86789012300013",
    ))
    .await;
    let setup = started.elapsed();

    let browser = Browser::start().await;
    let browser_started = started.elapsed();

    // The home page: a form whose every field is labelled.
    browser.goto(&app.url("/")).await;
    let title = browser.client.title().await.expect("page title");
    assert_eq!(
        title,
        "Trouver un prestataire en cybersécurité – Assistance cyber"
    );
    let controls = browser.js(READ_LABELS, vec![]).await;
    let controls = controls.as_array().expect("list of controls");
    let names: Vec<&str> = controls
        .iter()
        .filter_map(|c| c["control"].as_str())
        .collect();
    assert_eq!(
        names,
        ["lieu", "incident", "audience", "expertcyber", "remote"],
        "visible form controls"
    );
    for control in controls {
        assert!(
            control["label"].as_str().is_some_and(|l| !l.is_empty()),
            "form control without a label: {control}"
        );
    }

    // The place, with the commune suggestions when the geography is there.
    let place = if with_geo {
        browser.type_into("#lieu", "Renn").await;
        let suggestion = browser
            .wait_for(
                "a « Rennes » suggestion under the place field",
                "return Array.from(document.querySelectorAll('#lieu-suggestions option'))
                   .map(o => o.value).find(v => v.startsWith('Rennes (')) || null;",
                vec![],
            )
            .await;
        let suggestion = suggestion.as_str().expect("suggestion text").to_owned();
        assert_eq!(suggestion, "Rennes (35000)");
        // Picking a datalist option sets the field and fires `input`, as the browser does.
        browser
            .js(
                "const f = document.getElementById('lieu'); f.value = arguments[0];
                 f.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![json!(suggestion)],
            )
            .await;
        suggestion
    } else {
        browser.type_into("#lieu", "35000").await;
        "35000".to_owned()
    };
    browser
        .client
        .find(Locator::Id("incident"))
        .await
        .expect("incident select")
        .select_by_label("Rançongiciel")
        .await
        .expect("choosing an incident type");
    browser.click("form.search button[type=submit]").await;

    let heading = browser
        .wait_for(
            "the results heading",
            "const h = document.getElementById('results-title');
             return h && document.readyState === 'complete' ? h.innerText : null;",
            vec![],
        )
        .await;
    let heading = heading.as_str().unwrap_or_default();
    if with_geo {
        assert_eq!(heading, "Prestataires près de Rennes (Ille-et-Vilaine)");
    } else {
        assert_eq!(heading, "Prestataires près d'Ille-et-Vilaine");
    }
    let title = browser.client.title().await.expect("page title");
    assert_eq!(title, format!("{heading} – Assistance cyber"));
    // The form still shows what was asked.
    let asked = browser
        .js(
            "const s = document.getElementById('incident');
             return [document.getElementById('lieu').value, s.options[s.selectedIndex].text];",
            vec![],
        )
        .await;
    assert_eq!(asked, json!([place, "Rançongiciel"]));

    let text = browser.body_text().await;
    assert!(text.contains("3 prestataires trouvés."), "{text}");
    // Without the geography a postcode only gives its département's prefecture, and says so.
    assert_eq!(
        text.contains("Localisation approximative"),
        !with_geo,
        "approximate-location notice:\n{text}"
    );
    for absent in ["Massalia Cyber", "Émeraude IT", "Rennes Anti-Phishing"] {
        assert!(
            !text.contains(absent),
            "{absent} should not be listed:\n{text}"
        );
    }

    let cards: Vec<Card> =
        serde_json::from_value(browser.js(READ_CARDS, vec![]).await).expect("result cards");
    let names: Vec<&str> = cards.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Breizh Assistance Informatique",
            "Cesson Numérique",
            "Ouest Cyber Secours"
        ],
        "results, nearest first"
    );
    let distances: Vec<f64> = cards
        .iter()
        .map(|c| kilometres(c.distance.as_deref().unwrap_or("(none)")))
        .collect();
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "distances not increasing: {distances:?}"
    );
    // Rennes to Cesson-Sévigné is about 7 km, to Vitré about 35 km.
    assert!(distances[0] < 2.0, "{distances:?}");
    assert!((5.0..10.0).contains(&distances[1]), "{distances:?}");
    assert!((30.0..40.0).contains(&distances[2]), "{distances:?}");
    for card in &cards {
        let expected = (card.name == "Cesson Numérique").then_some("Labellisé ExpertCyber");
        assert_eq!(card.badge.as_deref(), expected, "badge of {}", card.name);
        assert_eq!(card.tel.as_deref(), Some("tel:0299000000"), "{}", card.name);
        let mail = card.mail.as_deref().unwrap_or_default();
        assert!(
            mail.starts_with("mailto:contact@") && mail.ends_with(".fr"),
            "{}: {mail}",
            card.name
        );
    }

    // Readable at phone and desktop widths, without sideways scrolling.
    for (width, name) in [(PHONE.0, "results-390.png"), (1280, "results-1280.png")] {
        browser.screenshot_at(width, name).await;
        assert_eq!(
            browser.horizontal_overflow().await,
            None,
            "results page at {width} px"
        );
    }
    browser.set_width(PHONE.0, PHONE.1).await;

    // The first provider's profile.
    browser.click(".results .card .card-title a").await;
    let first = &cards[0];
    let h1 = browser
        .wait_for(
            "the provider's profile",
            "return location.pathname === arguments[0] && document.readyState === 'complete'
               ? document.querySelector('h1').innerText : null;",
            vec![json!(first.href)],
        )
        .await;
    assert_eq!(first.href, "/prestataires/breizh-assistance");
    assert_eq!(h1, json!("Breizh Assistance Informatique"));
    let title = browser.client.title().await.expect("page title");
    assert_eq!(title, "Breizh Assistance Informatique – Assistance cyber");
    let profile = browser.body_text().await;
    for expected in [
        "SIRET : 81234567800013",
        "Dans un rayon de 10 km",
        "35000 Rennes",
        "02 99 00 00 00",
        "contact@breizh-assistance.fr",
        "Rançongiciel",
    ] {
        assert!(profile.contains(expected), "{expected} missing:\n{profile}");
    }
    assert!(
        !profile.contains("Labellisé ExpertCyber"),
        "unlabelled provider shown as labelled:\n{profile}"
    );
    browser.screenshot_at(PHONE.0, "profile-390.png").await;
    assert_eq!(
        browser.horizontal_overflow().await,
        None,
        "profile at 390 px"
    );

    browser.close().await;
    eprintln!(
        "timings: setup {setup:?}, browser ready at {browser_started:?}, done at {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_missing_or_unknown_place_is_explained_next_to_the_field() {
    let app = TestApp::spawn().await;
    app.import_shared_geo().await;
    let browser = Browser::start().await;

    browser.goto(&app.url("/")).await;
    assert_eq!(browser.attr("#lieu", "aria-invalid").await, None);
    assert_ne!(browser.border_colour("#lieu").await, ERROR_RED);
    browser.click("form.search button[type=submit]").await;
    let error = browser
        .wait_for(
            "the message for an empty place",
            "const e = document.getElementById('lieu-error');
             return e && document.readyState === 'complete' ? e.innerText : null;",
            vec![],
        )
        .await;
    assert_eq!(error, json!("Indiquez votre commune ou votre code postal."));
    assert_eq!(
        browser.attr("#lieu", "aria-invalid").await.as_deref(),
        Some("true")
    );
    let described_by = browser
        .attr("#lieu", "aria-describedby")
        .await
        .unwrap_or_default();
    assert!(
        described_by.split(' ').any(|id| id == "lieu-error"),
        "the message is not announced with the field: {described_by:?}"
    );
    assert_eq!(
        browser.border_colour("#lieu").await,
        ERROR_RED,
        "the field in error is not outlined in red"
    );
    let text = browser.body_text().await;
    assert!(!text.contains("Prestataires près de"), "{text}");
    let title = browser.client.title().await.expect("page title");
    assert!(
        title.starts_with("Erreur"),
        "the title must announce the error: {title}"
    );

    browser.type_into("#lieu", "Zzzzzz").await;
    browser.click("form.search button[type=submit]").await;
    let error = browser
        .wait_for(
            "the message for an unknown place",
            "const e = document.getElementById('lieu-error');
             return e && e.innerText.includes('Zzzzzz') ? e.innerText : null;",
            vec![],
        )
        .await;
    assert_eq!(
        error,
        json!(
            "Aucune commune ne correspond à « Zzzzzz ». Vérifiez l'orthographe ou saisissez le code postal."
        )
    );
    assert_eq!(
        browser.attr("#lieu", "aria-invalid").await.as_deref(),
        Some("true")
    );
    // What was typed stays in the field, to be corrected.
    let typed = browser
        .js("return document.getElementById('lieu').value;", vec![])
        .await;
    assert_eq!(typed, json!("Zzzzzz"));
    browser.screenshot_at(PHONE.0, "error-390.png").await;
    assert_eq!(
        browser.horizontal_overflow().await,
        None,
        "error page at 390 px"
    );

    browser.close().await;
}

#[tokio::test]
async fn a_page_past_the_last_shows_the_last_page() {
    let app = TestApp::spawn().await;
    for i in 0..12 {
        app.insert(common::provider(
            &format!("p{i}"),
            48.11 + f64::from(i) * 0.001,
            -1.68,
            Zone::Radius { radius_km: 30 },
        ))
        .await;
    }
    let browser = crate::common::pages::Browser::new(&app.address);
    let page = browser.get("/?lieu=35000&page=99").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("Page 2 sur 2"), "{text}");
    assert!(!text.contains("Page 99"), "{text}");
    assert_eq!(page.html.matches("class=\"card\"").count(), 2);
}
