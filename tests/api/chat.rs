//! The chat with a police officer or a gendarme, over HTTP and Server-Sent Events, on a real
//! database: started from a diagnostic result that calls for it, routed by load within each
//! operator's capacity, lines delivered live and resumed with `Last-Event-ID`, priorities,
//! transfer, an operator gone silent, the message left when nobody is on duty, every
//! disposition, the request filled in from the chat, retention.

use std::time::Duration;

use chrono::Duration as Days;
use serde_json::Value;

use crate::common::pages::{Browser, Page};
use crate::common::partners::answer;
use crate::common::sse::Events;
use crate::common::{SmtpSink, TestApp};
use cyberdir::auth::Role;

const WAIT: Duration = Duration::from_secs(5);

/// A diagnostic walked with `choices`; returns its result page.
async fn diagnostic(browser: &Browser, choices: &[&str]) -> Page {
    let mut page = browser.get("/diagnostic").await;
    for choice in choices {
        page = answer(browser, &page, choice).await;
    }
    page
}

/// Ransomware spreading in a company: urgent.
const URGENT: [&str; 3] = ["entreprise", "rancon", "oui"];
/// Ransomware over: not urgent, but its fiche says a person should be talked to.
const PERSON: [&str; 3] = ["entreprise", "rancon", "non"];
/// A phishing link clicked, nothing typed: the advice is enough.
const ADVICE_ONLY: [&str; 4] = ["particulier", "message", "lien", "non"];

/// A victim starts a chat from the result of `choices`; returns their browser and the chat's
/// page.
async fn start_chat(
    app: &TestApp,
    choices: &[&str],
    message: &str,
    email: &str,
) -> (Browser, Page) {
    let victim = Browser::new(&app.address);
    let result = diagnostic(&victim, choices).await;
    let link = result
        .attribute("talk-link", "href")
        .expect("the chat is offered");
    let form = victim.get(&link).await;
    assert_eq!(form.status, 200, "{}", form.text());
    let sent = victim
        .submit(&form, &link, &[("message", message), ("email", email)])
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text());
    let page = victim.follow(&sent).await;
    (victim, page)
}

/// An operator of `force`, signed in, their console opened; returns the browser and their id.
async fn operator(app: &TestApp, email: &str, force: &str, capacity: i32) -> (Browser, String) {
    let browser = Browser::sign_in(app, email, Role::Operator).await;
    assert_eq!(browser.get("/operateur").await.status, 200);
    let (email, force) = (email.to_owned(), force.to_owned());
    let id = app
        .with_conn(move |c| {
            let user = cyberdir::db::accounts::user_by_email(c, &email)
                .unwrap()
                .unwrap();
            cyberdir::db::chat::update_operator(c, &user.id, &force, capacity, false).unwrap();
            user.id
        })
        .await;
    (browser, id)
}

async fn presence(browser: &Browser, presence: &str) {
    let console = browser.get("/operateur").await;
    let set = browser
        .submit(&console, "/operateur/presence", &[("presence", presence)])
        .await;
    assert_eq!(set.status, 303, "{}", set.text());
}

/// The chat's id from the victim's page stream address.
fn token_of(page: &Page) -> String {
    page.url.trim_start_matches("/echange/").to_owned()
}

async fn chat_row(app: &TestApp, token: &str) -> cyberdir::db::chat::ChatRow {
    let hash = cyberdir::auth::tokens::digest(token);
    app.with_conn(move |c| {
        cyberdir::db::chat::chat_by_token(c, &hash)
            .unwrap()
            .unwrap()
    })
    .await
}

async fn events(browser: &Browser, path: &str, last: Option<i32>) -> Events {
    Events::open(&browser.client, &format!("{}{path}", browser.base), last).await
}

fn body(line: &Value) -> &str {
    line["body"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_victim_talks_live_with_the_least_loaded_operator_and_gets_what_to_do_next() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let (police, police_id) = operator(&app, "p1@police.example", "police", 3).await;
    let (gendarme, gendarme_id) = operator(&app, "g1@gendarmerie.example", "gendarmerie", 3).await;
    presence(&police, "disponible").await;
    presence(&gendarme, "disponible").await;

    // The result of an urgent diagnostic offers the chat; the victim writes a first message.
    let (victim, page) = start_chat(
        &app,
        &URGENT,
        "Nos serveurs se chiffrent, que faire ?",
        "dsi@entreprise.example",
    )
    .await;
    let token = token_of(&page);
    let lines = page
        .element("chat-lines")
        .unwrap_or_else(|| panic!("{} {}", page.status, page.text()));
    assert!(lines.contains("Nos serveurs se chiffrent"), "{lines}");
    assert!(
        lines.contains("Vous échangez maintenant avec"),
        "routed at once: {lines}"
    );
    let first = chat_row(&app, &token).await;
    let first_operator = first.operator_id.clone().unwrap();

    // A second victim goes to the other operator: the one with fewer active chats.
    let (_, second_page) = start_chat(&app, &PERSON, "", "").await;
    let second = chat_row(&app, &token_of(&second_page)).await;
    assert_ne!(second.operator_id.as_deref(), Some(first_operator.as_str()));
    assert!(
        [&police_id, &gendarme_id].contains(&second.operator_id.as_ref().unwrap()),
        "{second:?}"
    );
    // Supervisors' numbers in the metrics: both waits counted, each operator's load.
    let (_, samples) = crate::metrics::scrape(&app).await;
    use crate::metrics::value;
    assert_eq!(
        value(&samples, "cyberdir_chat_wait_seconds_count", &[]),
        Some(2.0)
    );
    assert_eq!(
        value(&samples, "cyberdir_chat_queue_length", &[]),
        Some(0.0)
    );
    for id in [&police_id, &gendarme_id] {
        assert_eq!(
            value(&samples, "cyberdir_chat_active", &[("operator", id)]),
            Some(1.0)
        );
    }
    assert_eq!(
        value(
            &samples,
            "cyberdir_chat_operators_available",
            &[("force", "police")]
        ),
        Some(1.0)
    );

    // The operator sees the diagnostic's answers and place without asking.
    let (mine, other) = if first_operator == police_id {
        (&police, &gendarme)
    } else {
        (&gendarme, &police)
    };
    let chat_path = format!("/operateur/echanges/{}", first.id);
    let view = mine.get(&chat_path).await;
    assert_eq!(view.status, 200);
    let summary = view.element("summary").unwrap();
    assert!(
        summary.contains("L'attaque est-elle encore en cours ?"),
        "{summary}"
    );
    assert!(
        summary.contains("Oui, ou je ne peux pas l'exclure"),
        "{summary}"
    );
    // Another operator does not read it.
    assert_eq!(other.get(&chat_path).await.status, 403);

    // Live: the victim's stream has the three lines so far, then the operator's answer.
    let mut victim_stream = events(&victim, &format!("/echange/{token}/flux"), None).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(victim_stream.next_line(WAIT).await.expect("a line"));
    }
    assert_eq!(seen.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 2, 3]);
    let mut operator_stream = events(mine, &format!("{chat_path}/flux"), Some(3)).await;
    let sent = mine
        .submit(
            &view,
            &format!("{chat_path}/messages"),
            &[(
                "message",
                "Débranchez les postes du réseau, sans les éteindre.",
            )],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text());
    let (n, line) = victim_stream
        .next_line(WAIT)
        .await
        .expect("the answer, live");
    assert_eq!(
        (n, body(&line)),
        (4, "Débranchez les postes du réseau, sans les éteindre.")
    );
    assert_eq!(line["author"], "operator");

    // The victim answers from the page's script: stored first, then acknowledged.
    let csrf = page.csrf();
    let answer = victim
        .client
        .post(format!("{}/echange/{token}/messages", victim.base))
        .header("Accept", "application/json")
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("message", "C'est fait. <b>Merci</b>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 201);
    let acknowledged: Value = answer.json().await.unwrap();
    assert_eq!(acknowledged["seq"], 5);
    let (n, line) = operator_stream
        .next_line(WAIT)
        .await
        .expect("the operator's own line");
    assert_eq!(n, 4);
    let (n, line5) = operator_stream
        .next_line(WAIT)
        .await
        .expect("the victim's line, live");
    assert_eq!((n, body(&line5)), (5, "C'est fait. <b>Merci</b>"));
    let _ = line;
    // What the victim typed is text, never markup.
    let reread = victim.get(&format!("/echange/{token}")).await;
    assert!(
        reread
            .html
            .contains("C&#x27;est fait. &lt;b&gt;Merci&lt;/b&gt;")
            || reread.html.contains("C'est fait. &lt;b&gt;Merci&lt;/b&gt;"),
        "escaped"
    );

    // A browser reconnecting with Last-Event-ID gets exactly what it missed.
    let mut resumed = events(&victim, &format!("/echange/{token}/flux"), Some(3)).await;
    assert_eq!(resumed.next_line(WAIT).await.unwrap().0, 4);
    assert_eq!(resumed.next_line(WAIT).await.unwrap().0, 5);

    // Bad input changes nothing: an empty or too long message is refused in French.
    let refused = victim
        .post(
            &format!("/echange/{token}/messages"),
            &[
                ("csrf_token", csrf.as_str()),
                ("message", &"a".repeat(2001)),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.text().contains("2 000 caractères au plus"));

    // The operator closes with a complaint to file online: the victim reads what to do next,
    // with the registry's link, and receives the summary and the transcript.
    let closed = mine
        .submit(
            &view,
            &format!("{chat_path}/terminer"),
            &[
                ("disposition", "online_complaint"),
                ("target", ""),
                ("detail", ""),
            ],
        )
        .await;
    assert_eq!(closed.status, 303, "{}", closed.text());
    let ended = victim.get(&format!("/echange/{token}")).await;
    let next = ended.element("what-next").unwrap();
    assert!(next.contains("Déposez plainte en ligne"), "{next}");
    assert!(
        ended
            .html
            .contains("https://plainte-en-ligne.masecurite.interieur.gouv.fr/")
    );
    assert!(!ended.has("chat-form"), "nothing more to write");
    app.deliver_to(&sink).await;
    let summary = sink
        .messages_to("dsi@entreprise.example")
        .into_iter()
        .find(|m| m.subject.contains("ce qu'il faut faire"))
        .expect("the summary by email");
    assert!(
        summary.text.contains("Débranchez les postes du réseau"),
        "{}",
        summary.text
    );
    assert!(
        summary
            .text
            .contains("plainte-en-ligne.masecurite.interieur.gouv.fr")
    );

    // The observatory counts the chats from anonymous facts: by force, how they ended.
    let staff = Browser::sign_in(&app, "staff@cyberdir.fr", Role::Staff).await;
    let numbers = staff.get("/observatoire/echanges").await;
    assert_eq!(numbers.status, 200, "{}", numbers.text());
    let totals = numbers.element("chat-totals").unwrap();
    assert!(
        totals.contains("Échanges : 2") && totals.contains("dont 2 avec une réponse et 0 quittés"),
        "{totals}"
    );
    assert!(totals.contains("Attente médiane avant la première réponse : moins d'une minute"));
    let first_force = if first_operator == police_id {
        "Police nationale"
    } else {
        "Gendarmerie nationale"
    };
    assert!(
        numbers.row_with(first_force).contains(" 1 "),
        "{}",
        numbers.row_with(first_force)
    );
    assert!(
        numbers
            .element("dispositions")
            .unwrap()
            .contains("Plainte à déposer en ligne 1")
    );
    // Operators do not see the observatory.
    assert_eq!(police.get("/observatoire/echanges").await.status, 403);

    // Retention: 12 months after, the transcript and the email are erased; the numbers stay.
    app.clock.set(app.clock.now() + Days::days(366));
    assert!(app.run_jobs().await.chats_erased >= 1);
    let erased = victim.get(&format!("/echange/{token}")).await;
    assert!(!erased.text().contains("Débranchez"), "{}", erased.text());
    let row = chat_row(&app, &token).await;
    assert!(row.erased_at.is_some() && row.victim_email.is_none());
    assert_eq!(
        row.answered_force.as_deref(),
        Some(if first_operator == police_id {
            "police"
        } else {
            "gendarmerie"
        })
    );
}

#[tokio::test]
async fn priority_capacity_transfer_and_an_operator_gone_silent() {
    let app = TestApp::spawn().await;
    let (police, police_id) = operator(&app, "p1@police.example", "police", 1).await;
    let (gendarme, gendarme_id) = operator(&app, "g1@gendarmerie.example", "gendarmerie", 1).await;

    // Nobody on duty: the victim is told plainly, and the message waits at the queue's head.
    let sink = SmtpSink::start();
    let (_, left) = start_chat(&app, &PERSON, "Je reviendrai plus tard.", "v1@exemple.fr").await;
    let status = left.element("chat-status").unwrap();
    assert!(status.contains("Personne n'est disponible"), "{status}");
    app.deliver_to(&sink).await;
    assert!(
        sink.messages_to("v1@exemple.fr")
            .iter()
            .any(|m| m.subject.contains("Votre message est enregistré"))
    );
    // Capacity 1: going available gives the police officer the message left, first of all.
    presence(&police, "disponible").await;
    let left_row = chat_row(&app, &token_of(&left)).await;
    assert_eq!(left_row.operator_id.as_deref(), Some(police_id.as_str()));

    // Two more while the police officer is full: they wait, the urgent one first, with a
    // place and an estimated wait.
    let (_, person_page) = start_chat(&app, &PERSON, "", "").await;
    let (urgent_victim, urgent_page) = start_chat(&app, &URGENT, "", "").await;
    let console = police.get("/operateur").await;
    let queue = console.element("queue").unwrap();
    let at = |needle: &str| queue.find(needle).unwrap_or(usize::MAX);
    assert!(at("Urgent") < at("À traiter vite"), "{queue}");
    let urgent_status = urgent_victim
        .get(&format!("/echange/{}", token_of(&urgent_page)))
        .await
        .element("chat-status")
        .unwrap();
    assert!(
        urgent_status.contains("Vous êtes le prochain")
            && urgent_status.contains("environ 8 minutes"),
        "{urgent_status}"
    );
    let urgent_row = chat_row(&app, &token_of(&urgent_page)).await;
    assert_eq!(urgent_row.status, "waiting", "capacity respected");

    // Taking from the queue beyond capacity is refused.
    let console = police.get("/operateur").await;
    let taken = police
        .submit(
            &console,
            &format!("/operateur/echanges/{}/prendre", urgent_row.id),
            &[],
        )
        .await;
    assert_eq!(taken.status, 409, "{}", taken.text());
    assert!(taken.text().contains("votre maximum"));

    // The police officer hands the chat to the gendarmerie: back at the queue's head for a
    // gendarme; the police officer's place goes to the urgent chat.
    let chat_path = format!("/operateur/echanges/{}", left_row.id);
    let view = police.get(&chat_path).await;
    let moved = police
        .submit(
            &view,
            &format!("{chat_path}/transferer"),
            &[("to", "force:gendarmerie")],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.text());
    let left_row = chat_row(&app, &token_of(&left)).await;
    assert_eq!(left_row.status, "waiting");
    assert_eq!(left_row.force.as_deref(), Some("gendarmerie"));
    // A chat sent to the gendarmerie is taken by a gendarme, not from the police's console.
    let console = police.get("/operateur").await;
    let refused = police
        .submit(
            &console,
            &format!("/operateur/echanges/{}/prendre", left_row.id),
            &[],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.text().contains("confié à la gendarmerie nationale"),
        "{}",
        refused.text()
    );
    let urgent_row = chat_row(&app, &token_of(&urgent_page)).await;
    assert_eq!(urgent_row.operator_id.as_deref(), Some(police_id.as_str()));
    presence(&gendarme, "disponible").await;
    let left_row = chat_row(&app, &token_of(&left)).await;
    assert_eq!(left_row.operator_id.as_deref(), Some(gendarme_id.as_str()));
    let person_row = chat_row(&app, &token_of(&person_page)).await;
    assert_eq!(person_row.status, "waiting");

    // The police officer's console goes silent: after a minute they are set absent and the
    // urgent chat goes back to the head of the queue, its victim told.
    app.clock.set(app.clock.now() + Days::seconds(61));
    gendarme.get("/operateur").await;
    let report = app.run_jobs().await;
    assert_eq!(report.chats_requeued, 1);
    let urgent_row = chat_row(&app, &token_of(&urgent_page)).await;
    assert_eq!(urgent_row.status, "waiting");
    assert!(urgent_row.requeued);
    let victim_view = Browser::new(&app.address)
        .get(&format!("/echange/{}", token_of(&urgent_page)))
        .await;
    assert!(victim_view.text().contains("repasse en tête de file"));
}

#[tokio::test]
async fn only_outcomes_that_call_for_it_offer_the_chat_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let victim = Browser::new(&app.address);
    let result = diagnostic(&victim, &ADVICE_ONLY).await;
    assert!(!result.has("talk-link"), "advice is enough here");
    let journey = result
        .link("Modifier")
        .unwrap()
        .split('/')
        .nth(2)
        .unwrap()
        .to_owned();
    let form = victim.get(&format!("/diagnostic/{journey}/echange")).await;
    let refused = victim
        .submit(
            &form,
            &format!("/diagnostic/{journey}/echange"),
            &[("message", "")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .text()
            .contains("réservé aux situations qui le demandent")
    );

    let result = diagnostic(&victim, &URGENT).await;
    let link = result.attribute("talk-link", "href").unwrap();
    let form = victim.get(&link).await;
    let bad = victim
        .submit(
            &form,
            &link,
            &[("message", "Bonjour"), ("email", "pas-une-adresse")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text().contains("Adresse électronique invalide"),
        "{}",
        bad.text()
    );
    let count = app
        .with_conn(|c| {
            use diesel::prelude::*;
            cyberdir::db::schema::chats::table
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(count, 0, "nothing stored");
    // An unknown token is simply not found.
    assert_eq!(
        victim
            .get(&format!("/echange/{}", "0".repeat(64)))
            .await
            .status,
        404
    );
    assert_eq!(victim.get("/echange/abc").await.status, 404);
}

#[tokio::test]
async fn in_a_partners_module_the_chat_works_without_a_cookie() {
    use crate::common::partners::{answer as module_answer, cookieless, create};
    let app = TestApp::spawn().await;
    let staff = app.user("equipe@cyberdir.fr", Role::Staff).await;
    create(
        &staff,
        "Banque Exemple",
        &["https://www.banque.fr"],
        "parcours",
    )
    .await;
    let (police, police_id) = operator(&app, "p1@police.example", "police", 3).await;
    presence(&police, "disponible").await;

    let victim = cookieless(&app.address);
    let mut page = victim.get("/module/banque-exemple").await;
    for choice in URGENT {
        page = module_answer(&victim, &page, choice).await;
    }
    let link = page
        .attribute("talk-link", "href")
        .expect("offered in the module");
    assert!(
        link.starts_with("/module/banque-exemple/diagnostic/"),
        "{link}"
    );
    let form = victim.get(&link).await;
    assert_eq!(form.status, 200, "{}", form.text());
    assert!(
        form.header("set-cookie").is_none(),
        "no cookie in a partner's frame"
    );
    let sent = victim
        .submit(&form, &link, &[("message", "Bonjour"), ("email", "")])
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text());
    let chat_url = sent.location.clone().unwrap();
    assert!(
        chat_url.starts_with("/module/banque-exemple/echange/"),
        "{chat_url}"
    );
    let chat = victim.follow(&sent).await;
    assert!(chat.header("set-cookie").is_none());
    assert!(
        chat.header("content-security-policy")
            .unwrap_or_default()
            .contains("https://www.banque.fr"),
        "framed by the partner only"
    );
    assert!(
        chat.element("chat-status")
            .unwrap()
            .contains("Vous échangez avec un policier")
    );
    let token = chat_url.rsplit('/').next().unwrap().to_owned();
    let row = chat_row(&app, &token).await;
    assert_eq!(
        (
            row.channel.as_str(),
            row.partner.as_deref(),
            row.operator_id.as_deref()
        ),
        ("module", Some("banque-exemple"), Some(police_id.as_str()))
    );
    // The victim writes from the frame (no cookie, no token: the address is the secret).
    let wrote = victim
        .post(
            &format!("{chat_url}/messages"),
            &[("message", "On nous demande une rançon.")],
        )
        .await;
    assert_eq!(wrote.status, 303, "{}", wrote.text());
    let view = police.get(&format!("/operateur/echanges/{}", row.id)).await;
    assert!(
        view.element("chat-lines")
            .unwrap()
            .contains("On nous demande une rançon.")
    );
}

#[tokio::test]
async fn every_disposition_tells_the_victim_what_to_do_next() {
    let app = TestApp::spawn().await;
    let (police, _) = operator(&app, "p1@police.example", "police", 10).await;
    presence(&police, "disponible").await;
    let cases: [(&str, &str, &str, &str); 6] = [
        ("advice", "", "Suivez les conseils donnés", ""),
        (
            "online_complaint",
            "",
            "Déposez plainte en ligne",
            "plainte-en-ligne.masecurite.interieur.gouv.fr",
        ),
        (
            "appointment",
            "",
            "Prenez rendez-vous au commissariat ou à la brigade",
            "service-public.fr/particuliers/vosdroits/F1435",
        ),
        ("intervention", "", "Une intervention est déclenchée", ""),
        (
            "redirected",
            "pharos",
            "relève d'un autre service",
            "www.internet-signalement.gouv.fr",
        ),
        (
            "professional",
            "",
            "Un professionnel référencé peut vous aider",
            "",
        ),
    ];
    for (disposition, target, what_next, link) in cases {
        let (victim, page) = start_chat(&app, &PERSON, "Bonjour", "").await;
        let token = token_of(&page);
        let row = chat_row(&app, &token).await;
        let path = format!("/operateur/echanges/{}", row.id);
        let view = police.get(&path).await;
        let closed = police
            .submit(
                &view,
                &format!("{path}/terminer"),
                &[
                    ("disposition", disposition),
                    ("target", target),
                    ("detail", "Courage."),
                ],
            )
            .await;
        assert_eq!(closed.status, 303, "{disposition}: {}", closed.text());
        let ended = victim.get(&format!("/echange/{token}")).await;
        let next = ended.element("what-next").unwrap();
        assert!(next.contains(what_next), "{disposition}: {next}");
        assert!(ended.html.contains(link), "{disposition}: {}", ended.html);
        if disposition == "professional" {
            // The request form, already filled from the diagnostic.
            let ask = ended.attribute("prefilled-request", "href").unwrap();
            let form = victim.get(&ask).await;
            assert_eq!(form.status, 200);
            assert!(form.checked("audience-entreprise"), "{}", form.text());
            assert!(
                form.html
                    .contains("<option value=\"rancongiciel\" selected>")
            );
        }
        if disposition != "redirected" {
            assert!(
                next.contains("Courage."),
                "{disposition}: the operator's word"
            );
        }
    }
    // A redirection names its service; a closing without a disposition changes nothing.
    let (_, page) = start_chat(&app, &PERSON, "", "").await;
    let row = chat_row(&app, &token_of(&page)).await;
    let path = format!("/operateur/echanges/{}", row.id);
    let view = police.get(&path).await;
    for fields in [
        [
            ("disposition", "redirected"),
            ("target", ""),
            ("detail", ""),
        ],
        [("disposition", "n_importe"), ("target", ""), ("detail", "")],
    ] {
        let refused = police
            .submit(&view, &format!("{path}/terminer"), &fields)
            .await;
        assert_eq!(refused.status, 422, "{}", refused.text());
    }
    assert_eq!(chat_row(&app, &token_of(&page)).await.status, "active");
}

#[tokio::test]
async fn a_victim_who_leaves_before_any_answer_abandons_the_chat_and_it_is_counted() {
    let app = TestApp::spawn().await;
    // Nobody on duty: the chat waits.
    let (victim, page) = start_chat(&app, &URGENT, "Quelqu'un peut m'aider ?", "").await;
    let token = token_of(&page);
    assert_eq!(chat_row(&app, &token).await.status, "waiting");
    let (_, samples) = crate::metrics::scrape(&app).await;
    assert_eq!(
        crate::metrics::value(&samples, "cyberdir_chat_queue_length", &[]),
        Some(1.0)
    );

    let left = victim
        .submit(&page, &format!("/echange/{token}/quitter"), &[])
        .await;
    assert_eq!(left.status, 303, "{}", left.text());
    assert_eq!(chat_row(&app, &token).await.status, "abandoned");
    let (_, samples) = crate::metrics::scrape(&app).await;
    assert_eq!(
        crate::metrics::value(&samples, "cyberdir_chat_abandoned_total", &[]),
        Some(1.0)
    );
    assert_eq!(
        crate::metrics::value(&samples, "cyberdir_chat_queue_length", &[]),
        Some(0.0)
    );
    // Leaving twice changes nothing and counts nothing more.
    let again = victim
        .submit(&page, &format!("/echange/{token}/quitter"), &[])
        .await;
    assert_eq!(again.status, 303);
    let (_, samples) = crate::metrics::scrape(&app).await;
    assert_eq!(
        crate::metrics::value(&samples, "cyberdir_chat_abandoned_total", &[]),
        Some(1.0)
    );
}
