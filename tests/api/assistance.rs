//! Assistance requests over HTTP with a real SMTP server: assignment and fairness, declines and
//! timeouts up to the staff queue, capacity and absences, races, idempotent retries, signed
//! links, closing with a report and the survey, cancellation, anonymisation.

use crate::common;

use std::sync::Arc;

use chrono::Duration;
use common::assistance::{answer, link_token, nearby, request_body, submit, tracking_token};
use common::{Session, SmtpSink, TestApp, TestDb};
use cyberdir::auth::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn a_victim_is_helped_by_a_nearby_provider_who_reports_and_is_rated() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    nearby(&app, "proche", 3.0).await;
    nearby(&app, "loin", 55.0).await;
    let member = app.member_of("proche", "gerant@proche.fr").await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;

    let (status, created) = submit(&app, &request_body()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "assigned");
    assert_eq!(
        created["provider_id"], "proche",
        "the nearest within the fair radius"
    );
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(
        created["tracking_url"]
            .as_str()
            .unwrap()
            .contains("/suivi/")
    );

    // The provider sees the request, not the victim's contact, until it accepts.
    let (status, before) = member
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["contact"], Value::Null);
    assert_eq!(before["available_actions"], json!(["accept", "decline"]));
    assert!(
        before["assignments"][0]["why"]
            .as_str()
            .unwrap()
            .contains("km")
    );
    let outsider = app.member_of("loin", "gerant@loin.fr").await;
    assert_eq!(
        outsider
            .get(&format!("/api/v1/assistance-requests/{id}"))
            .await
            .0,
        404
    );

    app.deliver_to(&sink).await;
    let offer = sink.messages_to("contact@proche.fr");
    assert_eq!(offer.len(), 1, "the contact address gets the offer");
    assert_eq!(
        sink.messages_to("gerant@proche.fr").len(),
        1,
        "and each member"
    );
    assert!(!offer[0].text.contains("claire@exemple.fr") && !offer[0].text.contains("06 12"));
    let token = tracking_token(&sink);

    // Accepting from the emailed link: contacts are exchanged.
    let accept = link_token(&sink, "contact@proche.fr", "accept");
    let (status, accepted) = answer(&app, &id, "accept", json!({"token": accept})).await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["contact"]["email"], "claire@exemple.fr");
    let (_, in_portal) = member
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert_eq!(in_portal["contact"]["email"], "claire@exemple.fr");
    let (status, _) = answer(&app, &id, "accept", json!({"token": accept})).await;
    assert_eq!(status, 409, "a link works once");
    app.deliver_to(&sink).await;
    let contact = sink
        .messages_to("gerant@proche.fr")
        .into_iter()
        .find(|m| m.subject.contains("coordonnées"))
        .expect("the victim's contact");
    assert!(contact.text.contains("claire@exemple.fr") && contact.text.contains("06 12 34 56 78"));
    let to_victim = sink
        .messages_to("claire@exemple.fr")
        .into_iter()
        .find(|m| m.subject.contains("a accepté"))
        .expect("the provider's contact");
    assert!(
        to_victim.text.contains("contact@proche.fr"),
        "{}",
        to_victim.text
    );
    let (_, tracked) = app.get_json(&format!("/api/v1/tracking/{token}")).await;
    assert_eq!(tracked["status"], "accepted");
    assert_eq!(tracked["provider"]["name"], "Prestataire proche");

    // Closing needs a complete report; then the victim gets the survey.
    let (status, bad) = member
        .post(
            &format!("/api/v1/assistance-requests/{id}/close"),
            &json!({"resolved": true, "report": {}}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(bad["errors"]["report.attack_vector"].is_array());
    let report = json!({"resolved": true, "report": {
        "confirmed_incident_type": "rancongiciel",
        "attack_vector": "Bureau à distance exposé",
        "actions_taken": "Isolement du poste, restauration des sauvegardes, changement des mots de passe.",
        "minutes_spent": 150
    }});
    let (status, closed) = member
        .post(&format!("/api/v1/assistance-requests/{id}/close"), &report)
        .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "resolved");
    app.deliver_to(&sink).await;
    // Every email to the victim leads back to the tracking page, and none speaks of an
    // « espace » the victim does not have.
    let to_victim = sink.messages_to("claire@exemple.fr");
    assert!(to_victim.len() >= 3, "received, accepted, survey");
    let tracking = &created["tracking_url"].as_str().unwrap().to_owned();
    for mail in &to_victim {
        assert!(
            mail.text.contains(tracking.as_str()),
            "{}: {}",
            mail.subject,
            mail.text
        );
        assert!(mail.html.contains(tracking.as_str()), "{}", mail.subject);
        assert!(
            !mail.text.to_lowercase().contains("espace"),
            "{}: {}",
            mail.subject,
            mail.text
        );
        assert!(
            !mail.html.to_lowercase().contains("espace"),
            "{}",
            mail.subject
        );
    }
    let survey_mail = sink
        .messages_to("claire@exemple.fr")
        .into_iter()
        .find(|m| m.subject.contains("avis"))
        .expect("the survey");
    let survey = survey_mail
        .text
        .split_whitespace()
        .filter_map(|w| w.split("/avis/").nth(1))
        .next()
        .unwrap()
        .to_owned();
    let (status, _) = app
        .post_json(&format!("/api/v1/surveys/{survey}"), &json!({"rating": 6}))
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/surveys/{survey}"),
            &json!({"rating": 5, "comment": "Réactif et pédagogue."}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .post_json(&format!("/api/v1/surveys/{survey}"), &json!({"rating": 1}))
        .await;
    assert_eq!(status, 409, "one answer");
    let (_, rating) = app.get_json("/api/v1/providers/proche/ratings").await;
    assert_eq!(
        rating,
        json!({"average": null, "count": 1, "comments": []}),
        "under 3 ratings, no average; comment not moderated yet"
    );
    let (_, pending) = staff.get("/api/v1/survey-comments").await;
    assert_eq!(pending["results"][0]["comment"], "Réactif et pédagogue.");
    let (status, _) = staff
        .post(&format!("/api/v1/survey-comments/{id}/publish"), &json!({}))
        .await;
    assert_eq!(status, 204);
    let (_, rating) = app.get_json("/api/v1/providers/proche/ratings").await;
    assert_eq!(rating["comments"], json!(["Réactif et pédagogue."]));
    let (_, stats) = staff.get("/api/v1/statistics/interventions").await;
    assert_eq!(stats["reports"], 1);
    assert_eq!(stats["by_incident_type"][0]["key"], "rancongiciel");
    let (_, tracked) = app.get_json(&format!("/api/v1/tracking/{token}")).await;
    let timeline: Vec<&str> = tracked["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        timeline,
        [
            "Demande enregistrée",
            "Demande transmise à un professionnel",
            "Un professionnel a pris en charge votre demande",
            "Intervention terminée"
        ]
    );
}

#[tokio::test]
async fn bad_requests_are_refused_and_advice_only_incidents_get_their_redirections() {
    let app = TestApp::spawn().await;
    nearby(&app, "proche", 3.0).await;
    let (status, body) = submit(&app, &json!({"postcode": "350", "consent": false})).await;
    assert_eq!(status, 422);
    for field in [
        "postcode",
        "audience",
        "incident_type",
        "description",
        "contact.name",
        "contact.email",
        "consent",
    ] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let mut sextortion = request_body();
    sextortion["incident_type"] = json!("sextorsion");
    let (status, body) = submit(&app, &sextortion).await;
    assert_eq!(status, 422);
    let redirections: Vec<&str> = body["errors"]["redirections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        redirections.iter().any(|r| r.starts_with("PHAROS")),
        "{redirections:?}"
    );
    let mut both = request_body();
    both["commune_code"] = json!("35238");
    assert_eq!(submit(&app, &both).await.0, 422, "one place only");
    let (_, list) = app
        .with_conn(|c| {
            use diesel::prelude::*;
            let n: i64 = cyberdir::db::schema::assistance_requests::table
                .count()
                .get_result(c)
                .unwrap();
            (0, n)
        })
        .await;
    assert_eq!(list, 0, "nothing stored");
}

#[tokio::test]
async fn a_retry_with_the_same_key_creates_one_request_and_the_rate_limit_applies() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(Arc::new(TestDb::new()), &[("ASSISTANCE_RATE_LIMIT", "3")]).await;
    nearby(&app, "proche", 3.0).await;
    let send = |key: &'static str| {
        let request = app
            .client
            .post(app.url("/api/v1/assistance-requests"))
            .header("Idempotency-Key", key)
            .json(&request_body());
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let ((s1, first), (s2, second)) = tokio::join!(send("cle-1"), send("cle-1"));
    let mut codes = [s1, s2];
    codes.sort_unstable();
    assert_eq!(codes, [200, 201], "{first} {second}");
    assert_eq!(first["id"], second["id"]);
    let (s3, third) = send("cle-1").await;
    assert_eq!((s3, &third["id"]), (200, &first["id"]));
    app.deliver_to(&sink).await;
    assert_eq!(
        sink.messages_to("claire@exemple.fr").len(),
        1,
        "one confirmation"
    );
    assert_eq!(sink.messages_to("contact@proche.fr").len(), 1, "one offer");
    assert_eq!(send("cle-2").await.0, 201);
    assert_eq!(send("cle-3").await.0, 201);
    let (status, body) = send("cle-4").await;
    assert_eq!(status, 429, "{body}");
    app.clock.set(app.clock.now() + Duration::minutes(61));
    assert_eq!(send("cle-5").await.0, 201, "an hour later");
}

#[tokio::test]
async fn work_spreads_fairly_among_equally_near_providers() {
    let app = TestApp::spawn_with(Arc::new(TestDb::new()), &[("ASSISTANCE_RATE_LIMIT", "0")]).await;
    for (id, km) in [("a", 2.0), ("b", 4.0), ("c", 6.0), ("far", 40.0)] {
        nearby(&app, id, km).await;
        let member = app.member_of(id, &format!("m@{id}.fr")).await;
        let (status, _) = member
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/providers/{id}/availability"),
                &json!({"capacity": 100}),
            )
            .await;
        assert_eq!(status, 200);
    }
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for _ in 0..30 {
        let (status, created) = submit(&app, &request_body()).await;
        assert_eq!(status, 201);
        *counts
            .entry(created["provider_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(counts.get("far"), None, "beyond max(10 km, 1.25 × nearest)");
    let shares: Vec<usize> = counts.values().copied().collect();
    assert_eq!(shares, [10, 10, 10], "{counts:?}");
}

#[tokio::test]
async fn when_the_nearest_is_away_work_spreads_around_the_nearest_available() {
    let app = TestApp::spawn_with(Arc::new(TestDb::new()), &[("ASSISTANCE_RATE_LIMIT", "0")]).await;
    nearby(&app, "absent", 1.0).await;
    let away = app.member_of("absent", "m@absent.fr").await;
    let (status, _) = away
        .post(
            "/api/v1/providers/absent/absences",
            &json!({"starts_on": "2026-11-20", "ends_on": "2026-11-30"}),
        )
        .await;
    assert_eq!(status, 201);
    // Beyond 10 km of the absent one, but within 1.25 × 20 km of the nearest available.
    for (id, km) in [("b", 20.0), ("c", 22.0), ("far", 40.0)] {
        nearby(&app, id, km).await;
        let member = app.member_of(id, &format!("m@{id}.fr")).await;
        let (status, _) = member
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/providers/{id}/availability"),
                &json!({"capacity": 100}),
            )
            .await;
        assert_eq!(status, 200);
    }
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for _ in 0..6 {
        let (status, created) = submit(&app, &request_body()).await;
        assert_eq!(status, 201, "{created}");
        *counts
            .entry(created["provider_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(
        counts,
        [("b".to_owned(), 3), ("c".to_owned(), 3)].into(),
        "the absent provider gets none, the far one none, b and c their share"
    );
}

#[tokio::test]
async fn declines_and_timeouts_move_on_then_staff_take_over() {
    let sink = SmtpSink::start();
    let db = Arc::new(TestDb::new());
    let app = TestApp::spawn_with(Arc::clone(&db), &[("ASSIGNMENT_TIMEOUT", "2h")]).await;
    let second = TestApp::spawn_on(Arc::clone(&db)).await;
    for (id, km) in [("a", 1.0), ("b", 30.0), ("c", 50.0)] {
        nearby(&app, id, km).await;
    }
    let member_a = app.member_of("a", "m@a.fr").await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let (_, created) = submit(&app, &request_body()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["provider_id"], "a");

    // A declines: a reason is required.
    let (status, _) = member_a
        .post(
            &format!("/api/v1/assistance-requests/{id}/decline"),
            &json!({"reason": "autre"}),
        )
        .await;
    assert_eq!(status, 422, "autre needs a text");
    let (status, declined) = member_a
        .post(
            &format!("/api/v1/assistance-requests/{id}/decline"),
            &json!({"reason": "indisponible"}),
        )
        .await;
    assert_eq!(status, 200, "{declined}");
    let (_, view) = staff
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert_eq!(view["provider_id"], "b", "the next one");

    // B does not answer: after 2 hours it goes to C, and B is told (once, with two processes).
    app.clock.set(app.clock.now() + Duration::minutes(119));
    assert_eq!(app.run_jobs().await.assignment_timeouts, 0, "not yet");
    app.clock.set(app.clock.now() + Duration::minutes(2));
    second.clock.set(app.clock.now());
    let (r1, r2) = tokio::join!(app.run_jobs(), second.run_jobs());
    assert_eq!(r1.assignment_timeouts + r2.assignment_timeouts, 1);
    let staff = app.log_in("staff@cyberdir.fr", common::TEST_PASSWORD).await;
    let (_, view) = staff
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert_eq!(view["provider_id"], "c");
    app.deliver_to(&sink).await;
    assert_eq!(
        sink.messages_to("contact@b.fr")
            .iter()
            .filter(|m| m.subject.contains("délai de réponse dépassé"))
            .count(),
        1
    );

    // C declines from its link: three unsuccessful offers, the request goes to staff.
    let decline = link_token(&sink, "contact@c.fr", "decline");
    let (status, body) = answer(
        &app,
        &id,
        "decline",
        json!({"token": decline, "reason": "trop_loin"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, view) = staff
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert_eq!(view["status"], "escalated");
    let reasons: Vec<&str> = view["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["declined", "timed_out", "declined"]);
    let (_, queue) = staff
        .get("/api/v1/assistance-requests?status=escalated")
        .await;
    assert_eq!(queue["results"][0]["id"], json!(id));
    app.deliver_to(&sink).await;
    assert!(
        sink.messages_to("staff@cyberdir.fr")
            .iter()
            .any(|m| m.subject.contains("à orienter"))
    );

    // Staff assign it by hand; A accepts this time.
    let (status, _) = member_a
        .post(
            &format!("/api/v1/assistance-requests/{id}/assign"),
            &json!({"provider_id": "a"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, assigned) = staff
        .post(
            &format!("/api/v1/assistance-requests/{id}/assign"),
            &json!({"provider_id": "a"}),
        )
        .await;
    assert_eq!(status, 200, "{assigned}");
    assert!(
        assigned["assignments"][3]["why"]
            .as_str()
            .unwrap()
            .contains("à la main")
    );
    let member_a = app.log_in("m@a.fr", common::TEST_PASSWORD).await;
    let (status, accepted) = member_a
        .post(
            &format!("/api/v1/assistance-requests/{id}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["contact"]["name"], "Claire Martin");
}

#[tokio::test]
async fn nobody_eligible_goes_to_staff_who_close_it_with_a_message() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    nearby(&app, "absent", 2.0).await;
    let member = app.member_of("absent", "m@absent.fr").await;
    let (status, _) = member
        .post(
            "/api/v1/providers/absent/absences",
            &json!({"starts_on": "2026-11-20", "ends_on": "2026-11-30"}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, created) = submit(&app, &request_body()).await;
    assert_eq!(
        created["status"], "escalated",
        "the only provider is absent"
    );
    let id = created["id"].as_str().unwrap();
    let (status, _) = staff
        .post(
            &format!("/api/v1/assistance-requests/{id}/close"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 422, "a message is required");
    let (status, closed) = staff
        .post(
            &format!("/api/v1/assistance-requests/{id}/close"),
            &json!({"message": "Appelez le 17 : la gendarmerie peut vous aider dès maintenant."}),
        )
        .await;
    assert_eq!(status, 200, "{closed}");
    app.deliver_to(&sink).await;
    assert!(
        sink.messages_to("claire@exemple.fr")
            .iter()
            .any(|m| m.subject.contains("close") && m.text.contains("gendarmerie"))
    );
}

#[tokio::test]
async fn capacity_is_respected_and_two_answers_at_once_cannot_both_win() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    nearby(&app, "petit", 1.0).await;
    nearby(&app, "autre", 3.0).await;
    let member = app.member_of("petit", "m@petit.fr").await;
    let (status, _) = member
        .send(
            reqwest::Method::PUT,
            "/api/v1/providers/petit/availability",
            &json!({"capacity": 1}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, first) = submit(&app, &request_body()).await;
    let (_, second) = submit(&app, &request_body()).await;
    let firsts = [first["provider_id"].clone(), second["provider_id"].clone()];
    assert!(
        firsts.contains(&json!("petit")) && firsts.contains(&json!("autre")),
        "{firsts:?}"
    );
    let (_, availability) = member.get("/api/v1/providers/petit/availability").await;
    assert_eq!(availability["open_requests"], 1);

    // The member (session) and the emailed link answer at the same time: one wins.
    let id = if first["provider_id"] == "petit" {
        &first["id"]
    } else {
        &second["id"]
    };
    let id = id.as_str().unwrap().to_owned();
    app.deliver_to(&sink).await;
    let token = link_token(&sink, "contact@petit.fr", "decline");
    let accept_path = format!("/api/v1/assistance-requests/{id}/accept");
    let empty = json!({});
    let (a, b) = tokio::join!(
        member.post(&accept_path, &empty),
        answer(
            &app,
            &id,
            "decline",
            json!({"token": token, "reason": "indisponible"})
        )
    );
    let mut codes = [a.0, b.0];
    codes.sort_unstable();
    assert_eq!(codes, [200, 409], "{a:?} {b:?}");
}

#[tokio::test]
async fn tampered_or_expired_links_are_refused() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    nearby(&app, "p", 1.0).await;
    let (_, created) = submit(&app, &request_body()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    app.deliver_to(&sink).await;
    let accept = link_token(&sink, "contact@p.fr", "accept");
    // Flip the last signature digit to a different one: always a real tampering.
    let last = if accept.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{last}", &accept[..accept.len() - 1]);
    assert_eq!(
        answer(&app, &id, "accept", json!({"token": tampered}))
            .await
            .0,
        403
    );
    let as_decline = accept.replacen(".accept.", ".decline.", 1);
    assert_eq!(
        answer(
            &app,
            &id,
            "decline",
            json!({"token": as_decline, "reason": "indisponible"})
        )
        .await
        .0,
        403
    );
    assert_eq!(answer(&app, &id, "accept", json!({})).await.0, 401);
    app.clock.set(app.clock.now() + Duration::hours(3));
    let (status, body) = answer(&app, &id, "accept", json!({"token": accept})).await;
    assert_eq!(status, 409, "expired: {body}");
}

#[tokio::test]
async fn the_victim_cancels_and_old_requests_are_anonymised() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    nearby(&app, "p", 1.0).await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let (_, created) = submit(&app, &request_body()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    app.deliver_to(&sink).await;
    let token = tracking_token(&sink);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/assistance-requests/{id}/cancel"),
            &json!({"token": "0".repeat(64)}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, cancelled) = app
        .post_json(
            &format!("/api/v1/assistance-requests/{id}/cancel"),
            &json!({"token": token}),
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["can_cancel"], false);
    app.deliver_to(&sink).await;
    assert!(
        sink.messages_to("contact@p.fr")
            .iter()
            .any(|m| m.subject.contains("annulée"))
    );
    let (_, availability) = staff.get("/api/v1/providers/p/availability").await;
    assert_eq!(availability["open_requests"], 0, "the place is given back");

    let (_, view) = staff
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert_eq!(view["contact"]["email"], "claire@exemple.fr");
    // Staff find it by the victim's address; once anonymised, its search words are gone too.
    let lists =
        crate::common::pages::Browser::sign_in(&app, "liste@cyberdir.fr", Role::Staff).await;
    let found = |page: &crate::common::pages::Page| {
        page.links("/instruction/demandes/")
            .iter()
            .any(|l| l.ends_with(id.as_str()))
    };
    assert!(found(
        &lists.get("/instruction/demandes?q=claire%40exemple").await
    ));
    app.clock.set(app.clock.now() + Duration::days(370));
    assert_eq!(app.run_jobs().await.requests_anonymised, 1);
    assert_eq!(app.run_jobs().await.requests_anonymised, 0);
    // (The first session expired during the year.)
    let lists =
        crate::common::pages::Browser::sign_in(&app, "liste2@cyberdir.fr", Role::Staff).await;
    let after = lists.get("/instruction/demandes?q=claire").await;
    assert_eq!(after.status, 200);
    assert!(!found(&after), "{}", after.text());
    assert!(
        found(&lists.get("/instruction/demandes").await),
        "still listed"
    );
    let staff = app.log_in("staff@cyberdir.fr", common::TEST_PASSWORD).await;
    let (_, view) = staff
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert_eq!(view["contact"], Value::Null);
    assert_eq!(view["description"], Value::Null);
    assert_eq!(view["incident_type"], "rancongiciel", "statistics stay");
}

#[tokio::test]
async fn the_victims_chosen_provider_gets_it_when_eligible() {
    let app = TestApp::spawn().await;
    nearby(&app, "proche", 1.0).await;
    nearby(&app, "choisi", 45.0).await;
    let mut body = request_body();
    body["provider_id"] = json!("choisi");
    let (_, created) = submit(&app, &body).await;
    assert_eq!(created["provider_id"], "choisi");
    let staff: Session = app.user("staff@cyberdir.fr", Role::Staff).await;
    let id = created["id"].as_str().unwrap();
    let (_, view) = staff
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert!(
        view["assignments"][0]["why"]
            .as_str()
            .unwrap()
            .contains("victime")
    );
}
