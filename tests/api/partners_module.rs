//! The module over HTTP, as a browser in a partner's frame sees it: framable only by the
//! partner's origins (every other page by none), no cookie ever, forms carried by their own
//! signed token (tampered, foreign or expired tokens change nothing), a journey to a request
//! recorded for the partner, scopes honoured, and a neutral message when the partner is off.

use chrono::Duration;

use crate::common::assistance::RENNES;
use crate::common::pages::Page;
use crate::common::partners::{answer, cookieless, create, post_action, set_state};
use crate::common::{TestApp, provider};
use cyberdir::auth::Role;

/// What a town hall types in the request form.
const TOWN_HALL_REQUEST: &[(&str, &str)] = &[
    ("audience", "collectivite"),
    ("incident_type", "rancongiciel"),
    ("postcode", "35000"),
    (
        "description",
        "Les postes de la mairie affichent une demande de rançon.",
    ),
    ("name", "Mairie de Rennes"),
    ("email", "dsi@mairie.exemple.fr"),
    ("phone", ""),
    ("consent", "oui"),
];

/// The sources of a page's `frame-ancestors`.
fn ancestors(page: &Page) -> Vec<String> {
    let policy = page.header("content-security-policy").unwrap_or_default();
    policy
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors"))
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn no_cookie(page: &Page) {
    assert!(
        page.header("set-cookie").is_none(),
        "a cookie was set: {:?}",
        page.header("set-cookie")
    );
}

#[tokio::test]
async fn only_the_partners_origins_may_frame_the_module_and_it_sets_no_cookie() {
    let app = TestApp::spawn().await;
    let staff = app.user("equipe@cyberdir.fr", Role::Staff).await;
    create(
        &staff,
        "Banque Exemple",
        &["https://www.banque.fr", "https://banque.fr:8443"],
        "parcours",
    )
    .await;
    let browser = cookieless(&app.address);

    let home = browser.get("/module/banque-exemple").await;
    assert_eq!(home.status, 200, "{}", home.text());
    assert_eq!(
        ancestors(&home),
        vec!["https://www.banque.fr", "https://banque.fr:8443"]
    );
    assert!(
        home.header("x-frame-options").is_none(),
        "the old header would overrule the list"
    );
    no_cookie(&home);
    assert!(home.text().contains("Qui est victime ?"), "{}", home.text());
    assert!(
        home.html
            .contains("data-origins=\"https://www.banque.fr https://banque.fr:8443\"")
    );
    // Light: no design-system bundle, the partner's colour from its own style sheet.
    assert!(!home.html.contains("dsfr.min.css"));
    let theme = browser.get("/module/banque-exemple/theme.css").await;
    assert!(theme.html.contains("--accent: #1f5c99"), "{}", theme.html);

    // Every other page keeps refusing frames.
    for path in ["/", "/diagnostic", "/demande-assistance", "/connexion"] {
        let page = browser.get(path).await;
        assert_eq!(ancestors(&page), vec!["'none'"], "{path}");
        assert_eq!(
            page.header("x-frame-options").as_deref(),
            Some("DENY"),
            "{path}"
        );
    }

    // Paused: a neutral message, framable where the module was, with a link to the site.
    set_state(&staff, "banque-exemple", "paused").await;
    let paused = browser.get("/module/banque-exemple").await;
    assert_eq!(paused.status, 200);
    assert!(
        paused
            .text()
            .contains("Ce service n'est pas disponible ici pour le moment"),
        "{}",
        paused.text()
    );
    assert!(
        paused
            .links(&app.state.config.base_url)
            .iter()
            .any(|l| l.ends_with("/diagnostic"))
    );
    assert!(!paused.html.contains("<form"));
    assert_eq!(
        ancestors(&paused),
        vec!["https://www.banque.fr", "https://banque.fr:8443"]
    );
    // And its forms are closed too.
    let posted = browser
        .post(
            "/module/banque-exemple/diagnostic",
            &[("choix", "particulier")],
        )
        .await;
    assert!(
        posted.text().contains("pas disponible"),
        "{}",
        posted.text()
    );

    let unknown = browser.get("/module/inconnu").await;
    assert_eq!(unknown.status, 200);
    assert!(unknown.text().contains("pas disponible"));
    assert_eq!(ancestors(&unknown), vec!["*"]);
    let odd = browser.get("/module/%3Cscript%3E").await;
    assert!(
        odd.status < 500 && odd.text().contains("pas disponible"),
        "{}",
        odd.status
    );
}

#[tokio::test]
async fn a_journey_in_the_module_runs_without_cookies_to_a_request_attributed_to_the_partner() {
    let app = TestApp::spawn().await;
    app.import_bundled_geo().await;
    let mut town = provider(
        "rennes-secours",
        RENNES.0,
        RENNES.1 + 0.05,
        cyberdir::domain::zone::Zone::Radius { radius_km: 60 },
    );
    town.audiences
        .push(cyberdir::domain::audience::Audience::Collectivite);
    app.insert(town).await;
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
    let browser = cookieless(&app.address);

    let first = browser.get("/module/banque-exemple").await;
    let token = first.hidden(&post_action(&first), "jeton");

    // A form without its token, with a changed one, or with another partner's changes nothing.
    let foreign = browser.get("/module/marche-exemple").await;
    let foreign_token = foreign.hidden(&post_action(&foreign), "jeton");
    let mut changed = token.clone();
    changed.replace_range(0..1, if changed.starts_with('m') { "n" } else { "m" });
    for bad in ["", changed.as_str(), foreign_token.as_str()] {
        let refused = browser
            .post(
                "/module/banque-exemple/diagnostic",
                &[("choix", "collectivite"), ("jeton", bad)],
            )
            .await;
        assert_eq!(refused.status, 403, "{}", refused.text());
        assert!(
            refused.text().contains("rechargez la page"),
            "{}",
            refused.text()
        );
        no_cookie(&refused);
    }
    let journeys = app
        .with_conn(|conn| {
            use diesel::prelude::*;
            cyberdir::db::schema::diagnostic_journeys::table
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(journeys, 0, "no journey from a refused form");

    let second = answer(&browser, &first, "collectivite").await;
    assert!(
        second.text().contains("Que se passe-t-il ?"),
        "{}",
        second.text()
    );
    no_cookie(&second);
    let third = answer(&browser, &second, "rancon").await;
    // "Question précédente" stays in the module.
    assert!(
        third
            .link("Question précédente")
            .unwrap()
            .starts_with("/module/banque-exemple/diagnostic")
    );
    let result = answer(&browser, &third, "oui").await;
    assert_eq!(result.status, 200, "{}", result.text());
    assert!(result.text().contains("Ne payez pas la rançon"));
    // Official sites open outside the frame; the journey's links stay in the module.
    assert!(result.html.contains(
        "https://www.cert.ssi.gouv.fr/csirt/csirt-territoriaux/\" rel=\"noopener\" target=\"_blank\""
    ));
    let modify = result.link("Modifier").unwrap();
    assert!(
        modify.starts_with("/module/banque-exemple/diagnostic/"),
        "{modify}"
    );
    let journey = modify.split('/').nth(4).unwrap().to_owned();

    let with_place = browser
        .get(&format!(
            "/module/banque-exemple/diagnostic/{journey}/resultat?lieu=Rennes"
        ))
        .await;
    assert!(
        with_place
            .element("nearby")
            .unwrap()
            .contains("rennes-secours")
            || with_place.text().contains("Professionnels près de Rennes"),
        "{}",
        with_place.text()
    );
    let ask = with_place.attribute("ask-help", "href").unwrap();
    assert!(
        ask.starts_with("/module/banque-exemple/demande?parcours="),
        "{ask}"
    );
    let form = browser.get(&ask).await;
    assert_eq!(form.status, 200, "{}", form.text());
    no_cookie(&form);
    assert!(form.checked("audience-collectivite"));
    assert_eq!(form.value("postcode"), "35000");
    let sent = browser
        .submit(&form, "/module/banque-exemple/demande", TOWN_HALL_REQUEST)
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text());
    assert!(
        sent.text().contains("Votre demande est envoyée"),
        "{}",
        sent.text()
    );
    let tracking = sent.attribute("tracking", "href").unwrap();
    assert!(tracking.contains("/suivi/"));
    assert_eq!(
        sent.attribute("tracking", "target").as_deref(),
        Some("_blank")
    );
    no_cookie(&sent);
    // The same form sent twice (a double click) is one request.
    let again = browser
        .submit(&form, "/module/banque-exemple/demande", TOWN_HALL_REQUEST)
        .await;
    assert_eq!(again.attribute("tracking", "href"), Some(tracking));

    // The partner is recorded on the journey and on both facts.
    let (row, facts) = app
        .with_conn(move |conn| {
            let row = cyberdir::db::diagnostic::journey(conn, &journey)
                .unwrap()
                .unwrap();
            let day = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
            (
                row,
                cyberdir::db::observatory::between(conn, day(2000), day(2100)).unwrap(),
            )
        })
        .await;
    assert_eq!(row.channel, "module");
    assert_eq!(row.partner.as_deref(), Some("banque-exemple"));
    assert_eq!(facts.len(), 2, "{facts:?}");
    for fact in &facts {
        assert_eq!(fact.channel, "module");
        assert_eq!(fact.partner.as_deref(), Some("banque-exemple"));
    }
    assert_eq!(
        facts.iter().find(|f| f.kind == "journey").unwrap().outcome,
        "request"
    );

    // A form shown more than four hours ago has expired.
    let page = browser.get("/module/banque-exemple").await;
    app.clock.set(app.clock.now() + Duration::hours(5));
    let late = browser
        .submit(&page, &post_action(&page), &[("choix", "particulier")])
        .await;
    assert_eq!(late.status, 403);
    assert!(late.text().contains("expiré"), "{}", late.text());
}

#[tokio::test]
async fn the_scope_decides_what_the_module_offers() {
    let app = TestApp::spawn().await;
    let staff = app.user("equipe@cyberdir.fr", Role::Staff).await;
    create(
        &staff,
        "Mairie Exemple",
        &["https://www.mairie.fr"],
        "public:collectivite",
    )
    .await;
    create(
        &staff,
        "Site Rencontre",
        &["https://www.rencontre.fr"],
        "diagnostic",
    )
    .await;
    create(
        &staff,
        "Marché Exemple",
        &["https://www.marche.fr"],
        "recherche",
    )
    .await;
    let browser = cookieless(&app.address);

    // One audience: only its choice is offered, and only it is taken.
    let town = browser.get("/module/mairie-exemple").await;
    assert!(town.has("choix-collectivite"));
    assert!(!town.has("choix-particulier"));
    let refused = browser
        .submit(&town, &post_action(&town), &[("choix", "particulier")])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(
        refused
            .text()
            .contains("Choisissez une des réponses proposées")
    );

    // The diagnostic only: the result sends to the site, in a new tab, for a professional.
    let dating = browser.get("/module/site-rencontre").await;
    let mut page = answer(&browser, &dating, "collectivite").await;
    page = answer(&browser, &page, "rancon").await;
    let result = answer(&browser, &page, "oui").await;
    let ask = result.attribute("ask-help", "href").unwrap();
    assert!(
        ask.starts_with(&app.state.config.base_url) && ask.contains("/diagnostic/"),
        "{ask}"
    );
    assert_eq!(
        result.attribute("ask-help", "target").as_deref(),
        Some("_blank")
    );
    assert!(result.links("/module/site-rencontre/demande").is_empty());
    let form = browser.get("/module/site-rencontre/demande").await;
    assert_eq!(form.status, 404);
    assert!(!form.html.contains("request-form"));

    // The search only: its first page is the search, and asks what happens.
    let market = browser.get("/module/marche-exemple").await;
    assert_eq!(market.status, 200);
    assert!(
        market
            .text()
            .contains("Trouver un professionnel près de chez vous"),
        "{}",
        market.text()
    );
    assert!(!market.has("choix-particulier"));
    let missing = browser
        .get("/module/marche-exemple/recherche?lieu=Rennes")
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.text().contains("Choisissez ce qui vous arrive"));
}

/// Issue 24, item 11: a module form serves one journey. The same form posted 20 times (a
/// script replaying it) opens one journey, counted once in the statistics; a fresh form opens
/// another.
#[tokio::test]
async fn a_module_form_posted_again_and_again_serves_one_journey() {
    let app = TestApp::spawn().await;
    let staff = app.user("equipe@cyberdir.fr", Role::Staff).await;
    create(
        &staff,
        "Banque Exemple",
        &["https://www.banque.fr"],
        "parcours",
    )
    .await;
    let browser = cookieless(&app.address);
    let first = browser.get("/module/banque-exemple").await;
    let token = first.hidden(&post_action(&first), "jeton");
    let mut landed = Vec::new();
    for _ in 0..20 {
        let page = browser
            .post(
                "/module/banque-exemple/diagnostic",
                &[("choix", "particulier"), ("jeton", token.as_str())],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.text());
        landed.push(page.location.expect("a Location header"));
    }
    assert!(landed.iter().all(|l| *l == landed[0]), "{landed:?}");
    use crate::common::observatory::journeys_and_facts as counts;
    assert_eq!(counts(&app).await, (1, 1));
    // A page shown anew carries a new form: a new journey.
    let again = browser.get("/module/banque-exemple").await;
    let answered = answer(&browser, &again, "particulier").await;
    assert_eq!(answered.status, 200, "{}", answered.text());
    assert_eq!(counts(&app).await, (2, 2));
}
