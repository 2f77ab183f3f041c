//! The diagnostic as a victim uses it without JavaScript: one question per page, form posts and
//! redirects, "Je ne sais pas", changing an earlier answer, the result with its advice, the
//! providers near an ambiguous place, and the request already filled in. Journeys are recorded
//! without personal data.

use serde_json::json;

use crate::common::TestApp;
use crate::common::assistance::{RENNES, nearby};
use crate::common::pages::{Browser, Page};

/// Answers the question on `page` (a question page) with `choice`; returns the next page.
async fn answer(browser: &Browser, page: &Page, choice: &str) -> Page {
    let marker = "<form method=\"post\" action=\"";
    let start = page
        .html
        .find(marker)
        .unwrap_or_else(|| panic!("no form on:\n{}", page.text()))
        + marker.len();
    let action = page.html[start..].split('"').next().unwrap().to_owned();
    assert!(
        page.has(&format!("choix-{choice}")),
        "no choice {choice} on:\n{}",
        page.text()
    );
    let answered = browser
        .post(&page.resolve(&action), &[("choix", choice)])
        .await;
    browser.follow(&answered).await
}

fn journey_of(page_path: &str) -> String {
    page_path.split('/').nth(2).unwrap().to_owned()
}

#[tokio::test]
async fn a_town_hall_under_ransomware_goes_from_the_diagnostic_to_a_filled_request() {
    let app = TestApp::spawn().await;
    app.import_bundled_geo().await;
    // A provider near Rennes who serves local authorities, and one who does not.
    let mut serves_towns = crate::common::provider(
        "rennes-secours",
        RENNES.0,
        RENNES.1 + 0.05,
        cyberdir::domain::zone::Zone::Radius { radius_km: 60 },
    );
    serves_towns.name = "Rennes Cyber Secours".into();
    serves_towns
        .audiences
        .push(cyberdir::domain::audience::Audience::Collectivite);
    app.insert(serves_towns).await;
    nearby(&app, "particuliers-seulement", 2.0).await;
    let browser = Browser::new(&app.address);

    let home = browser.get("/").await;
    assert_eq!(
        home.link("Je suis victime : que faire ?").as_deref(),
        Some("/diagnostic")
    );
    let first = browser.get("/diagnostic").await;
    assert_eq!(first.status, 200);
    assert!(
        first.text().contains("Question 1 Qui est victime ?"),
        "{}",
        first.text()
    );

    let second = answer(&browser, &first, "collectivite").await;
    assert!(second.text().contains("Question 2 Que se passe-t-il ?"));
    // A choice for individuals only is not offered to a town hall.
    assert!(!second.has("choix-chantage"));
    let third = answer(&browser, &second, "rancon").await;
    assert!(
        third
            .text()
            .contains("L'attaque est-elle encore en cours ?")
    );
    assert_eq!(
        third.link("Question précédente").as_deref(),
        Some(second.url.as_str()),
        "back one question, on this journey"
    );

    let result = answer(&browser, &third, "oui").await;
    assert_eq!(result.status, 200);
    let text = result.text();
    // The advice comes first: urgency, then what to do now, then whom to call.
    assert_eq!(
        result.element("urgency").as_deref(),
        Some("Urgent : agissez maintenant")
    );
    let now = text.find("À faire maintenant").unwrap();
    let contacts = text.find("Qui contacter").unwrap();
    let professional = text.find("Un professionnel peut vous aider").unwrap();
    assert!(now < contacts && contacts < professional, "{text}");
    assert!(text.contains("Ne payez pas la rançon"));
    assert!(result.html.contains("href=\"tel:17\""));
    assert!(
        result
            .html
            .contains("https://www.cert.ssi.gouv.fr/csirt/csirt-territoriaux/"),
        "a collectivité gets its CSIRT"
    );

    // The place: Rennes, then the nearest providers and the request already filled in.
    let journey = journey_of(&result.link("Modifier").unwrap());
    let with_place = browser
        .get(&format!("/diagnostic/{journey}/resultat?lieu=Rennes"))
        .await;
    assert_eq!(with_place.status, 200, "{}", with_place.text());
    let shown = with_place
        .element("nearby")
        .unwrap_or_else(|| with_place.text());
    assert!(shown.contains("Rennes Cyber Secours"), "{shown}");
    assert!(!shown.contains("particuliers-seulement"), "{shown}");
    assert!(with_place.text().contains("Professionnels près de Rennes"));
    let ask = with_place.attribute("ask-help", "href").unwrap();
    let form = browser.get(&ask).await;
    assert_eq!(form.status, 200);
    assert!(
        form.checked("audience-collectivite"),
        "the audience is filled in"
    );
    assert!(
        form.html
            .contains("<option value=\"rancongiciel\" selected>"),
        "the incident is filled in"
    );
    assert_eq!(form.value("postcode"), "35000");
    let sent = browser
        .submit(
            &form,
            "/demande-assistance",
            &[
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
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text());
    assert!(sent.location.unwrap().starts_with("/suivi/"));

    // The journey is a statistic: choices, outcome, département, how far it went; nothing
    // personal.
    let rows = app
        .with_conn(move |conn| cyberdir::db::diagnostic::journey(conn, &journey))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rows.audience.as_deref(), Some("collectivite"));
    assert_eq!(rows.incident_type.as_deref(), Some("rancongiciel"));
    assert_eq!(rows.urgency.as_deref(), Some("immediate"));
    assert_eq!(rows.departement.as_deref(), Some("35"));
    assert_eq!(rows.ending.as_deref(), Some("request"));
    assert_eq!(rows.channel, "site");
    let stored =
        serde_json::to_string(&json!([rows.answers, rows.outcome, rows.tree_version])).unwrap();
    for personal in ["Mairie", "dsi@", "rançon", "35000", "127.0.0.1"] {
        assert!(!stored.contains(personal), "{personal} in {stored}");
    }

    // The observatory counts the journey once, as it went: the request it led to is its fact
    // too, but counted by the journey.
    let journey_id = rows.id.clone();
    let facts = app
        .with_conn(move |conn| {
            let journey = cyberdir::db::observatory::by_source(conn, &journey_id).unwrap();
            let day = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
            let all = cyberdir::db::observatory::between(conn, day(2000), day(2100)).unwrap();
            (journey, all)
        })
        .await;
    let journey_fact = facts.0.expect("the journey's fact");
    assert_eq!(journey_fact.kind, "journey");
    assert_eq!(journey_fact.outcome, "request");
    assert_eq!(journey_fact.audience.as_deref(), Some("collectivite"));
    assert_eq!(journey_fact.incident_type.as_deref(), Some("rancongiciel"));
    assert_eq!(journey_fact.urgency.as_deref(), Some("immediate"));
    assert_eq!(journey_fact.region.as_deref(), Some("bretagne"));
    assert!(journey_fact.counted);
    let request_fact = facts
        .1
        .iter()
        .find(|f| f.kind == "request")
        .expect("the request's fact");
    assert!(!request_fact.counted, "counted once, by its journey");
    assert_eq!(request_fact.channel, "site");
    assert_eq!(facts.1.iter().filter(|f| f.counted).count(), 1);
}

/// Each victim sees their own answers, though the site renders a question's page once.
#[tokio::test]
async fn two_journeys_at_the_same_question_each_show_their_own_answer() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (Browser::new(&app.address), Browser::new(&app.address));
    let mut seconds = Vec::new();
    for (browser, situation) in [(&alice, "message"), (&bob, "compte")] {
        let first = browser.get("/diagnostic").await;
        let second = answer(browser, &first, "particulier").await;
        answer(browser, &second, situation).await;
        seconds.push(second.url);
    }
    assert_ne!(seconds[0], seconds[1], "two journeys");
    for (browser, url, given, other) in [
        (&alice, &seconds[0], "message", "compte"),
        (&bob, &seconds[1], "compte", "message"),
    ] {
        // Asked twice: the second is the page kept once rendered.
        for _ in 0..2 {
            let again = browser.get(url).await;
            assert_eq!(again.status, 200);
            assert!(again.checked(&format!("choix-{given}")), "{url}");
            assert!(!again.checked(&format!("choix-{other}")), "{url}");
            let back = again.link("Question précédente").unwrap();
            assert_eq!(back, "/diagnostic");
            assert_eq!(
                again.resolve(&crate::common::partners::post_action(&again)),
                *url
            );
        }
    }
}

/// Two processes over one database, a victim's requests going to either: each shows the journey
/// as it stands. A process shows a journey it saw lately from memory, for a page it can place on
/// the path it remembers, and another process's change within `REFRESH_EVERY`.
#[tokio::test]
async fn a_journey_answered_through_two_processes_shows_each_answer() {
    let first = TestApp::spawn().await;
    let second = TestApp::spawn_on(std::sync::Arc::clone(&first.db)).await;
    let (on_first, on_second) = (Browser::new(&first.address), Browser::new(&second.address));
    let start = on_first.get("/diagnostic").await;
    let situation = answer(&on_first, &start, "particulier").await;
    let journey = journey_of(&situation.url);

    // Answered through the second process: the first, which remembers the journey one
    // question earlier, shows the next question all the same.
    let there = on_second.get(&situation.url).await;
    let message = answer(&on_second, &there, "message").await;
    let here = on_first.get(&message.url).await;
    assert_eq!(here.status, 200, "{}", here.text());
    assert!(here.text().contains("Que dit ou demande ce message ?"));

    // An earlier answer changed through the second process is shown by the first within
    // REFRESH_EVERY.
    let changed = on_second.post(&situation.url, &[("choix", "compte")]).await;
    assert_eq!(changed.status, 303);
    // Once REFRESH_EVERY passed on the first process's clock, it reads the journey again.
    first.clock.set(
        first.clock.now()
            + cyberdir::diagnostic::trees::REFRESH_EVERY
            + std::time::Duration::from_millis(1),
    );
    let again = on_first.get(&situation.url).await;
    assert!(again.checked("choix-compte"), "{}", again.text());
    let gone = on_first
        .get(&format!("/diagnostic/{journey}/question/message"))
        .await;
    assert_eq!(gone.status, 303, "no longer on the path");
}

#[tokio::test]
async fn i_do_not_know_is_a_real_answer_and_changing_an_answer_clears_the_next_ones() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app.address);
    let first = browser.get("/diagnostic").await;
    let second = answer(&browser, &first, "particulier").await;
    let third = answer(&browser, &second, "ne_sais_pas").await;
    assert!(third.text().contains("Qu'avez-vous remarqué en premier ?"));
    let result = answer(&browser, &third, "ne_sais_pas").await;
    assert_eq!(result.status, 200);
    let text = result.text();
    assert!(
        text.contains("Nous ne pouvons pas encore nommer ce qui vous arrive"),
        "{text}"
    );
    assert!(text.contains("appelez le 17"), "a safe outcome: {text}");
    assert!(result.has("ask-help"), "a professional can look: {text}");

    // "Modifier" the situation: the later answer is gone and asked again.
    let change = result
        .link("Modifier la réponse à « Que se passe-t-il ? »")
        .unwrap();
    let asked_again = browser.get(&change).await;
    assert!(
        asked_again.checked("choix-ne_sais_pas"),
        "the answer given is shown"
    );
    let message = answer(&browser, &asked_again, "message").await;
    assert!(
        message.text().contains("Que dit ou demande ce message ?"),
        "{}",
        message.text()
    );
    let journey = journey_of(&change);
    // The old third question is no longer on the path: its page sends to the current one.
    let stale = browser
        .get(&format!("/diagnostic/{journey}/question/indices"))
        .await;
    assert_eq!(stale.status, 303);
    assert_eq!(
        stale.location.as_deref(),
        Some(format!("/diagnostic/{journey}/question/message").as_str())
    );
    // And the result waits for the new question to be answered.
    let early = browser
        .get(&format!("/diagnostic/{journey}/resultat"))
        .await;
    assert_eq!(early.status, 303);

    // Sextortion: advice and redirections, and it says kindly that no provider is the answer.
    let result = answer(&browser, &message, "video").await;
    let text = result.text();
    assert!(
        text.contains("Ne répondez pas : cela montre que votre adresse est active."),
        "{text}"
    );
    assert!(
        result
            .html
            .contains("https://www.internet-signalement.gouv.fr")
    );
    assert!(
        result.has("no-provider") && !result.has("ask-help"),
        "{text}"
    );
    assert!(!text.contains("Aucun prestataire ne correspond"));

    // No answer, or one that is not offered: the question again, with a French message.
    let refused = browser
        .post(
            &format!("/diagnostic/{journey}/question/message"),
            &[("choix", "rib")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.title().starts_with("Erreur"));
    assert_eq!(
        refused.element("choix-error").as_deref(),
        Some("Choisissez une des réponses proposées.")
    );
    let unknown = browser.get("/diagnostic/inconnu/resultat").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.text().contains("recommencer"), "{}", unknown.text());
    let empty = browser.post("/diagnostic", &[]).await;
    assert_eq!(empty.status, 422);
}

#[tokio::test]
async fn ambiguous_places_are_asked_not_guessed() {
    let app = TestApp::spawn().await;
    app.import_bundled_geo().await;
    let browser = Browser::new(&app.address);

    let page = browser.get("/?lieu=Saint-Denis").await;
    assert_eq!(page.status, 200);
    let choices = page.element("place-choices").unwrap();
    assert!(
        choices.contains("Saint-Denis (Seine-Saint-Denis, 93)"),
        "{choices}"
    );
    assert!(
        choices.contains("Saint-Denis (La Réunion, 974)"),
        "{choices}"
    );
    assert!(!page.has("results-title"), "no results before the choice");

    // "(93)" is the département: Seine-Saint-Denis, never La Réunion.
    let page = browser.get("/?lieu=Saint-Denis+(93)").await;
    assert_eq!(
        page.element("results-title").as_deref(),
        Some("Prestataires près de Saint-Denis (Seine-Saint-Denis)")
    );
    // Choosing from the list searches there.
    let page = browser.get("/?lieu=Saint-Denis").await;
    let link = page.link("Saint-Denis (La Réunion, 974)").unwrap();
    let chosen = browser.get(&link).await;
    assert_eq!(
        chosen.element("results-title").as_deref(),
        Some("Prestataires près de Saint-Denis (La Réunion)")
    );

    let page = browser.get("/?lieu=Bourg").await;
    let choices = page.element("place-choices").unwrap();
    assert!(choices.matches("Bourg (").count() >= 2, "{choices}");

    // A postcode shared by several communes.
    let page = browser.get("/?lieu=35250").await;
    let choices = page.element("place-choices").unwrap_or_else(|| page.text());
    assert!(
        choices.matches("(Ille-et-Vilaine, 35)").count() >= 2,
        "{choices}"
    );
}

/// Walks the diagnostic from its first page with `choices`; the result page it ends on.
async fn walk(browser: &Browser, choices: &[&str]) -> Page {
    let mut page = browser.get("/diagnostic").await;
    for choice in choices {
        page = answer(browser, &page, choice).await;
    }
    page
}

#[tokio::test]
async fn a_result_page_kept_for_the_same_answers_shows_each_journey_its_own_links_and_new_alerts() {
    let app = TestApp::spawn().await;
    let (first, second) = (Browser::new(&app.address), Browser::new(&app.address));
    let path = ["particulier", "message", "lien", "non"];
    let mine = walk(&first, &path).await;
    let theirs = walk(&second, &path).await;
    assert!(mine.url.ends_with("/resultat"), "{}", mine.url);
    let (my_id, their_id) = (journey_of(&mine.url), journey_of(&theirs.url));
    assert_ne!(my_id, their_id);
    // Read again (from memory now): each page leads to its own journey, never the other's.
    for _ in 0..2 {
        for (browser, page, own, other) in [
            (&first, &mine, &my_id, &their_id),
            (&second, &theirs, &their_id, &my_id),
        ] {
            let again = browser.get(&page.url).await;
            assert_eq!(again.status, 200);
            assert!(
                again.html.contains(&format!("/diagnostic/{own}/question/")),
                "{}",
                again.html
            );
            assert!(!again.html.contains(other.as_str()));
            assert!(!again.html.contains("journeymark"));
        }
    }

    // An alert published for this threat shows on the result within seconds.
    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", cyberdir::auth::Role::Staff).await;
    let form = staff.get("/observatoire/alertes/nouvelle").await;
    let published = staff
        .submit(
            &form,
            "/observatoire/alertes",
            &[
                ("title", "Vague de faux courriels de livraison"),
                (
                    "body",
                    "De faux courriels de livraison demandent de payer des frais : ne cliquez pas sur le lien.",
                ),
                ("incident_types", "hameconnage"),
                ("scope", "national"),
                ("valid_from", "2026-11-23"),
                ("valid_until", "2026-12-06"),
            ],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.text());
    app.clock
        .set(crate::common::start_of_tests() + chrono::Duration::seconds(3));
    let again = first.get(&mine.url).await;
    assert!(
        again
            .text()
            .contains("Vague de faux courriels de livraison"),
        "{}",
        again.text()
    );
}
