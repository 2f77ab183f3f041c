//! Urgent requests do not wait in line: a request from an urgent diagnostic outcome is offered to
//! the three nearest providers at once, the first to accept takes it and the others are told;
//! nobody accepting within the deadline sends it to staff; at night only providers on call are
//! offered it. The victim's tracking page and emails say the deadline and what happens next.

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};

use crate::common::assistance::nearby;
use crate::common::pages::{Browser, Page};
use crate::common::partners::answer;
use crate::common::{SmtpSink, TestApp};
use cyberdir::auth::Role;

/// A company's diagnostic ending in ransomware still spreading (urgent), then the request sent
/// from its result; returns the tracking page.
async fn urgent_request(browser: &Browser, ongoing: &str) -> Page {
    let mut page = browser.get("/diagnostic").await;
    for choice in ["entreprise", "rancon", ongoing] {
        page = answer(browser, &page, choice).await;
    }
    let journey = page
        .link("Modifier")
        .expect("the result page")
        .split('/')
        .nth(2)
        .unwrap()
        .to_owned();
    let form = browser
        .get(&format!("/demande-assistance?parcours={journey}"))
        .await;
    assert_eq!(form.status, 200);
    let sent = browser
        .submit(
            &form,
            "/demande-assistance",
            &[
                ("audience", "entreprise"),
                ("incident_type", "rancongiciel"),
                ("postcode", "35000"),
                (
                    "description",
                    "Nos serveurs se chiffrent les uns après les autres, une rançon est demandée.",
                ),
                ("name", "Claire Martin"),
                ("email", "claire@exemple.fr"),
                ("phone", ""),
                ("consent", "oui"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text());
    browser.follow(&sent).await
}

async fn request_of(app: &TestApp, staff: &crate::common::Session) -> Value {
    let (_, list) = staff.get("/api/v1/assistance-requests").await;
    let id = list["results"][0]["id"]
        .as_str()
        .expect("a request")
        .to_owned();
    let (status, view) = staff
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert_eq!(status, 200, "{view}");
    let _ = app;
    view
}

fn statuses(view: &Value) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = view["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["provider_id"].as_str().unwrap().to_owned(),
                a["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    all.sort();
    all
}

#[tokio::test]
async fn an_urgent_request_goes_to_the_three_nearest_at_once_and_exactly_one_accept_wins() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    for (id, km) in [("a", 1.0), ("b", 3.0), ("c", 5.0), ("d", 8.0)] {
        nearby(&app, id, km).await;
    }
    let members = [
        app.member_of("a", "m@a.fr").await,
        app.member_of("b", "m@b.fr").await,
        app.member_of("c", "m@c.fr").await,
    ];
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let browser = Browser::new(&app.address);

    let tracking = urgent_request(&browser, "oui").await;
    // 09:00 UTC is 10:00 in Paris: the deadline is 30 minutes later.
    let next = tracking.element("next-step").unwrap();
    assert!(
        next.contains("proposée en même temps à 3 professionnels"),
        "{next}"
    );
    assert!(next.contains("avant 10:30"), "{next}");
    assert!(
        !tracking.text().contains("Appelez le 17"),
        "{}",
        tracking.text()
    );
    let view = request_of(&app, &staff).await;
    assert_eq!(view["status"], "assigned");
    assert_eq!(
        statuses(&view),
        [("a", "pending"), ("b", "pending"), ("c", "pending")]
            .map(|(p, s)| (p.to_owned(), s.to_owned()))
    );
    let id = view["id"].as_str().unwrap().to_owned();

    app.deliver_to(&sink).await;
    let offer = sink
        .messages_to("contact@b.fr")
        .into_iter()
        .find(|m| m.subject.starts_with("URGENT"))
        .expect("an urgent offer to b");
    assert!(
        offer.text.contains("2 autre(s) professionnel(s)"),
        "{}",
        offer.text
    );
    assert!(offer.text.contains("30 minutes"), "{}", offer.text);
    assert!(sink.messages_to("contact@d.fr").is_empty(), "d is farther");
    let received = sink.messages_to("claire@exemple.fr");
    assert!(
        received[0].text.contains("avant 10:30"),
        "{}",
        received[0].text
    );

    // The three accept in the same instant: exactly one wins, the others are told it is taken.
    let path = format!("/api/v1/assistance-requests/{id}/accept");
    let empty = json!({});
    let (ra, rb, rc) = tokio::join!(
        members[0].post(&path, &empty),
        members[1].post(&path, &empty),
        members[2].post(&path, &empty),
    );
    let mut codes = [ra.0, rb.0, rc.0];
    codes.sort_unstable();
    assert_eq!(codes, [200, 409, 409], "{ra:?} {rb:?} {rc:?}");
    let winner = [("a", &ra), ("b", &rb), ("c", &rc)]
        .into_iter()
        .find(|(_, r)| r.0 == 200)
        .map(|(p, _)| p)
        .unwrap();
    let view = request_of(&app, &staff).await;
    assert_eq!(view["status"], "accepted");
    assert_eq!(view["provider_id"], winner);
    let taken: Vec<String> = statuses(&view)
        .into_iter()
        .filter(|(_, s)| s == "taken")
        .map(|(p, _)| p)
        .collect();
    assert_eq!(taken.len(), 2, "{view}");
    app.deliver_to(&sink).await;
    for loser in &taken {
        let told = sink
            .messages_to(&format!("contact@{loser}.fr"))
            .iter()
            .filter(|m| m.subject.contains("prise par un autre professionnel"))
            .count();
        assert_eq!(told, 1, "{loser} told once");
        // Its place is given back.
        let member = &members[["a", "b", "c"].iter().position(|p| p == loser).unwrap()];
        let (_, availability) = member
            .get(&format!("/api/v1/providers/{loser}/availability"))
            .await;
        assert_eq!(availability["open_requests"], 0, "{loser}");
    }
    let tracking = browser.get(&tracking.url).await;
    assert!(
        tracking
            .element("provider")
            .unwrap()
            .contains(&format!("Prestataire {winner}")),
        "{}",
        tracking.text()
    );
}

#[tokio::test]
async fn nobody_accepting_within_thirty_minutes_sends_the_urgent_request_to_staff() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    for (id, km) in [("a", 1.0), ("b", 3.0), ("c", 5.0), ("d", 8.0)] {
        nearby(&app, id, km).await;
    }
    let member_a = app.member_of("a", "m@a.fr").await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let browser = Browser::new(&app.address);
    urgent_request(&browser, "ne_sais_pas").await;
    let id = request_of(&app, &staff).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A declines: the two others still have the offer; nobody new is asked.
    let (status, body) = member_a
        .post(
            &format!("/api/v1/assistance-requests/{id}/decline"),
            &json!({"reason": "indisponible"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let view = request_of(&app, &staff).await;
    assert_eq!(view["status"], "assigned");
    assert_eq!(
        statuses(&view),
        [("a", "declined"), ("b", "pending"), ("c", "pending")]
            .map(|(p, s)| (p.to_owned(), s.to_owned()))
    );

    app.clock.set(app.clock.now() + Duration::minutes(29));
    assert_eq!(app.run_jobs().await.assignment_timeouts, 0, "not yet");
    app.clock.set(app.clock.now() + Duration::minutes(2));
    assert_eq!(app.run_jobs().await.assignment_timeouts, 2);
    let view = request_of(&app, &staff).await;
    assert_eq!(view["status"], "escalated", "{view}");
    assert!(
        statuses(&view).iter().all(|(p, _)| p != "d"),
        "no second round: staff take over"
    );
    app.deliver_to(&sink).await;
    assert!(
        sink.messages_to("staff@cyberdir.fr")
            .iter()
            .any(|m| m.subject.contains("à orienter"))
    );
    let tracking_url = sink
        .messages_to("claire@exemple.fr")
        .iter()
        .find_map(|m| {
            m.text
                .split_whitespace()
                .find(|w| w.contains("/suivi/"))
                .map(str::to_owned)
        })
        .unwrap();
    let tracking = browser
        .get(
            tracking_url
                .split_once("/suivi/")
                .map(|(_, t)| format!("/suivi/{t}"))
                .as_deref()
                .unwrap(),
        )
        .await;
    assert!(
        tracking
            .element("next-step")
            .unwrap()
            .contains("nos équipes la reprennent"),
        "{}",
        tracking.text()
    );
}

#[tokio::test]
async fn at_night_only_providers_on_call_are_offered_urgent_requests() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    for (id, km) in [("a", 1.0), ("b", 3.0), ("c", 5.0)] {
        nearby(&app, id, km).await;
    }
    app.user("staff@cyberdir.fr", Role::Staff).await;
    app.member_of("b", "m@b.fr").await;
    let member = Browser::new(&app.address);
    member.log_in("m@b.fr").await;

    // B declares its on-call hours in its space: a half-filled day is refused and changes
    // nothing.
    let page = member.get("/espace/organisations/b/demandes").await;
    assert_eq!(
        page.element("on-call-summary").as_deref(),
        Some("aucune astreinte déclarée")
    );
    let refused = member
        .submit(
            &page,
            "/espace/organisations/b/astreinte",
            &[("start_0", "18:00"), ("end_0", "")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .element("on-call-0")
            .unwrap()
            .contains("Lundi : indiquez le début et la fin"),
        "{}",
        refused.text()
    );
    assert_eq!(
        refused.element("on-call-summary").as_deref(),
        Some("aucune astreinte déclarée")
    );
    let saved = member
        .submit(
            &page,
            "/espace/organisations/b/astreinte",
            &[("start_0", "18:00"), ("end_0", "08:00")],
        )
        .await;
    let saved = member.follow(&saved).await;
    assert_eq!(
        saved.element("on-call-summary").as_deref(),
        Some("lundi 18:00–08:00")
    );

    // Monday 23 November, 23:00 in Paris: only B, on call, is offered the urgent request.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 23, 22, 0, 0).unwrap());
    let browser = Browser::new(&app.address);
    urgent_request(&browser, "oui").await;
    // The morning's session has expired: staff sign in again.
    let staff = app
        .log_in("staff@cyberdir.fr", crate::common::TEST_PASSWORD)
        .await;
    let view = request_of(&app, &staff).await;
    assert_eq!(
        statuses(&view),
        [("b".to_owned(), "pending".to_owned())],
        "{view}"
    );
    assert!(
        view["assignments"][0]["why"]
            .as_str()
            .unwrap()
            .contains("d'astreinte")
    );

    // Tuesday 23:00: nobody is on call, the request goes straight to staff, saying why.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 24, 22, 0, 0).unwrap());
    let other = Browser::new(&app.address);
    urgent_request(&other, "oui").await;
    let staff = app
        .log_in("staff@cyberdir.fr", crate::common::TEST_PASSWORD)
        .await;
    let view = request_of(&app, &staff).await;
    assert_eq!(view["status"], "escalated", "{view}");
    assert_eq!(view["urgent"], true);
    app.deliver_to(&sink).await;
    let told = sink
        .messages_to("staff@cyberdir.fr")
        .into_iter()
        .find(|m| m.subject.contains("à orienter"))
        .expect("staff told");
    assert!(
        told.text.contains("aucun professionnel d'astreinte"),
        "{}",
        told.text
    );

    // At night, an urgent request nobody took goes to the operators on duty too: the victim
    // gets the chat's link, and an available gendarme answers it.
    let gendarme = Browser::new(&app.address);
    app.user("g1@gendarmerie.example", Role::Operator).await;
    gendarme.log_in("g1@gendarmerie.example").await;
    let console = gendarme.get("/operateur").await;
    let set = gendarme
        .submit(
            &console,
            "/operateur/presence",
            &[("presence", "disponible")],
        )
        .await;
    assert_eq!(set.status, 303);
    app.with_conn(|c| {
        use diesel::prelude::*;
        diesel::update(cyberdir::db::schema::operators::table)
            .set(cyberdir::db::schema::operators::force.eq("gendarmerie"))
            .execute(c)
            .unwrap()
    })
    .await;
    // Going available routes the chat the escalation queued.
    app.deliver_to(&sink).await;
    let searching = sink
        .messages_to("claire@exemple.fr")
        .into_iter()
        .find(|m| m.text.contains("/echange/"))
        .expect("the chat's link");
    let link = searching
        .text
        .split_whitespace()
        .find_map(|w| {
            w.split_once("/echange/")
                .map(|(_, t)| format!("/echange/{t}"))
        })
        .unwrap();
    let chat = other.get(&link).await;
    assert!(
        chat.text()
            .contains("un policier ou un gendarme va vous répondre ici"),
        "{}",
        chat.text()
    );
    assert!(
        chat.element("chat-status")
            .unwrap()
            .contains("Vous échangez avec un gendarme")
    );
    let mine = gendarme.get("/operateur").await.element("mine").unwrap();
    assert!(mine.contains("Rançongiciel"), "{mine}");
}

#[tokio::test]
async fn suspending_or_cancelling_during_an_urgent_round_keeps_the_other_offers_right() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    for (id, km) in [("a", 1.0), ("b", 3.0), ("c", 5.0), ("d", 8.0)] {
        nearby(&app, id, km).await;
    }
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let browser = Browser::new(&app.address);
    let tracking = urgent_request(&browser, "oui").await;
    let id = request_of(&app, &staff).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A is suspended while the three offers wait: its offer is withdrawn, the two others stay,
    // and nobody else is asked.
    let (status, body) = staff
        .post(
            "/api/v1/providers/a/suspend",
            &json!({"reason": "Plaintes de victimes."}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let view = request_of(&app, &staff).await;
    assert_eq!(view["status"], "assigned");
    assert_eq!(
        statuses(&view),
        [("a", "withdrawn"), ("b", "pending"), ("c", "pending")]
            .map(|(p, s)| (p.to_owned(), s.to_owned()))
    );

    // The victim cancels: B and C are told, their places given back.
    let page = tracking.url.split('?').next().unwrap();
    let asked = browser
        .submit(&tracking, &format!("{page}/annuler"), &[])
        .await;
    assert!(asked.text().contains("Voulez-vous vraiment annuler"));
    let cancelled = browser
        .submit(&asked, &format!("{page}/annuler"), &[])
        .await;
    assert_eq!(cancelled.status, 303, "{}", cancelled.text());
    app.deliver_to(&sink).await;
    for p in ["b", "c"] {
        assert!(
            sink.messages_to(&format!("contact@{p}.fr"))
                .iter()
                .any(|m| m.subject.to_lowercase().contains("annul")),
            "{p} told"
        );
    }
    assert!(sink.messages_to("contact@d.fr").is_empty());
    let (_, view) = staff
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert_eq!(view["status"], "cancelled");
}

#[tokio::test]
async fn the_chat_an_urgent_request_was_handed_to_at_night_goes_with_its_erasure() {
    let app = TestApp::spawn().await;
    nearby(&app, "a", 1.0).await;
    // Tuesday 23:00 in Paris, nobody on call: staff, and the operators' queue.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 24, 22, 0, 0).unwrap());
    let browser = Browser::new(&app.address);
    let tracking = urgent_request(&browser, "oui").await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let id = request_of(&app, &staff).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let asked = id.clone();
    let chats = app
        .with_conn(move |c| cyberdir::db::chat::open_of_request(c, &asked).unwrap())
        .await;
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0].status, "waiting");
    // What the operator reads: the situation and the victim's words, not their contact.
    assert!(chats[0].summary.contains("Nos serveurs se chiffrent"));
    assert!(!chats[0].summary.contains("claire@exemple.fr"));

    // The victim erases their data from the tracking page: the chat leaves the queue, erased.
    let page = tracking.url.split('?').next().unwrap();
    let asked_erase = browser
        .submit(&tracking, &format!("{page}/effacer"), &[])
        .await;
    let erased = browser
        .submit(&asked_erase, &format!("{page}/effacer"), &[])
        .await;
    assert_eq!(erased.status, 303, "{}", erased.text());
    let asked = id.clone();
    let chats = app
        .with_conn(move |c| cyberdir::db::chat::open_of_request(c, &asked).unwrap())
        .await;
    assert_eq!(chats[0].status, "abandoned");
    assert!(chats[0].erased_at.is_some());
    assert!(!chats[0].summary.contains("Nos serveurs"));
    assert!(chats[0].victim_email.is_none());
}
