//! Waves and alerts: the daily pass signals a synthetic wave once (one email per wave), never a
//! flat or seasonal series; staff publish an alert from the signal; a live alert shows where it
//! concerns the victim, in the Atom feed and the API, and disappears at the end of its window.

use chrono::{Datelike, Days, Duration, NaiveDate};
use serde_json::json;

use crate::common::observatory::{Rng, insert, journey};
use crate::common::pages::Browser;
use crate::common::{SmtpSink, TestApp, start_of_tests};
use cyberdir::auth::Role;
use cyberdir::db::observatory::FactValues;

/// Daily journeys over the 90 days before `today`: steady threats with a weekly rhythm, and,
/// when `wave` is set, sextortion jumping to half of the journeys over its last days.
fn series(today: NaiveDate, wave: bool, seed: u64) -> Vec<FactValues> {
    let mut rng = Rng(seed);
    let steady = [
        ("hameconnage", 60u64),
        ("piratage_compte", 30),
        ("sextorsion", 12),
    ];
    let mut facts = Vec::new();
    for back in (1..=90u64).rev() {
        let day = today - Days::new(back);
        let weekend = day.weekday().number_from_monday() > 5;
        for (incident, mean) in steady {
            let mut n = if weekend { mean * 6 / 10 } else { mean };
            n = n * (90 + rng.below(21) as u64) / 100;
            if wave && incident == "sextorsion" && back <= 4 {
                // From 12 a day to half of all the journeys within days.
                n = [0, 90, 100, 110, 80][back as usize];
            }
            for i in 0..n {
                facts.push(journey(
                    &format!("{seed}-{day}-{incident}-{i}"),
                    day,
                    "particulier",
                    Some(incident),
                ));
            }
        }
    }
    facts
}

#[tokio::test]
async fn a_wave_is_signalled_once_and_staff_publish_an_alert_from_it() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let today = start_of_tests().date_naive();
    insert(&app, series(today, true, 3)).await;
    app.user("equipe@cyberdir.fr", Role::Staff).await;

    let report = app.run_jobs().await;
    assert_eq!(report.waves_detected, 1, "{report:?}");
    assert_eq!(app.run_jobs().await.waves_detected, 0, "the same day again");
    app.deliver_to(&sink).await;
    let mails = sink.messages_to("equipe@cyberdir.fr");
    let about_wave: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Vague détectée"))
        .collect();
    assert_eq!(about_wave.len(), 1, "one email per wave");
    assert!(
        about_wave[0].subject.contains("Sextorsion"),
        "{}",
        about_wave[0].subject
    );

    // The next day the wave goes on: the same wave, no second email.
    app.clock.set(start_of_tests() + Duration::days(1));
    let mut next_day = Vec::new();
    for i in 0..120 {
        next_day.push(journey(
            &format!("next-{i}"),
            today,
            "particulier",
            Some("sextorsion"),
        ));
    }
    insert(&app, next_day).await;
    assert_eq!(app.run_jobs().await.waves_detected, 0);
    app.deliver_to(&sink).await;
    assert_eq!(
        sink.messages_to("equipe@cyberdir.fr")
            .iter()
            .filter(|m| m.subject.starts_with("Vague détectée"))
            .count(),
        1
    );

    // Staff see the wave and publish an alert from it in one click: the form is filled in.
    let staff = Browser::new(&app.address);
    staff.log_in("equipe@cyberdir.fr").await;
    let list = staff.get("/observatoire/alertes").await;
    let signals = list.element("signals").unwrap();
    assert!(signals.contains("Sextorsion"), "{signals}");
    // Which method raised it and why: a day's count, its expectation and the threshold.
    assert!(signals.contains("EARS C"), "{signals}");
    assert!(!signals.contains('—'), "a threshold on record: {signals}");
    let told = sink.messages_to("equipe@cyberdir.fr");
    let about = told
        .iter()
        .find(|m| m.subject.starts_with("Vague détectée"))
        .unwrap();
    assert!(about.text.contains("Méthode : EARS C"), "{}", about.text);
    let draft_link = list
        .links("/observatoire/alertes/nouvelle?signal=")
        .into_iter()
        .next()
        .expect("a link to publish an alert from the signal");
    let form = staff.get(&draft_link).await;
    assert_eq!(form.status, 200);
    assert!(
        form.value("title").contains("Sextorsion"),
        "{}",
        form.tag("title")
    );
    assert!(form.checked("type-sextorsion"));
    assert!(form.checked("audience-particulier"));
    assert!(form.checked("scope-national"));
    let body = form.element("body").unwrap();
    let until = form.value("valid_until");
    let from = form.value("valid_from");
    let title = form.value("title");
    let published = staff
        .submit(
            &form,
            "/observatoire/alertes",
            &[
                ("title", &title),
                ("body", &body),
                ("incident_types", "sextorsion"),
                ("audiences", "particulier"),
                ("scope", "national"),
                ("valid_from", &from),
                ("valid_until", &until),
            ],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.text());

    // Live: on the home page, in the feed, in the API.
    let home = Browser::new(&app.address).get("/").await;
    assert!(home.text().contains(&title), "{}", home.text());
    // An alert about one threat links its fiche réflexe.
    assert_eq!(
        home.link("Les bons réflexes").as_deref(),
        Some("/fiches/sextorsion")
    );
    let (_, alerts) = app.get_json("/api/v1/alerts").await;
    assert_eq!(alerts["total"], 1);
    assert_eq!(alerts["results"][0]["incident_types"][0], "sextorsion");
    assert_eq!(alerts["results"][0]["fiche"], "sextorsion");
    let (_, for_business) = app
        .get_json("/api/v1/alerts?incident_type=sextorsion&audience=entreprise")
        .await;
    assert_eq!(for_business["total"], 0, "not for businesses");
    let feed = app.get("/alertes.atom").await;
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let xml = feed.text().await.unwrap();
    assert_valid_atom(&xml, &[&title]);
    assert!(xml.contains("/fiches/sextorsion\""), "{xml}");

    // Past its last day it is gone, by itself.
    let last: NaiveDate = until.parse().unwrap();
    app.clock.set(
        (last + Days::new(1))
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc(),
    );
    let home = Browser::new(&app.address).get("/").await;
    assert!(!home.text().contains(&title));
    let (_, alerts) = app.get_json("/api/v1/alerts").await;
    assert_eq!(alerts["total"], 0);
    assert_valid_atom(&app.get("/alertes.atom").await.text().await.unwrap(), &[]);
}

/// The feed is well-formed Atom: a `feed` in the Atom namespace with its id, title, updated
/// and self link, and one complete entry per alert.
fn assert_valid_atom(xml: &str, titles: &[&str]) {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let atom = "http://www.w3.org/2005/Atom";
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(feed.tag_name().namespace(), Some(atom));
    fn child<'a, 'input>(
        node: roxmltree::Node<'a, 'input>,
        name: &str,
    ) -> Option<roxmltree::Node<'a, 'input>> {
        node.children().find(|c| {
            c.tag_name().name() == name
                && c.tag_name().namespace() == Some("http://www.w3.org/2005/Atom")
        })
    }
    for required in ["id", "title", "updated", "author"] {
        assert!(child(feed, required).is_some(), "feed without {required}");
    }
    let updated = child(feed, "updated").unwrap().text().unwrap();
    chrono::DateTime::parse_from_rfc3339(updated).expect("RFC 3339 date");
    assert!(
        feed.children()
            .any(|c| c.tag_name().name() == "link" && c.attribute("rel") == Some("self"))
    );
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.tag_name().name() == "entry")
        .collect();
    assert_eq!(entries.len(), titles.len());
    for (entry, title) in entries.iter().zip(titles) {
        for required in ["id", "title", "updated", "summary"] {
            assert!(
                child(*entry, required).is_some(),
                "entry without {required}"
            );
        }
        assert_eq!(child(*entry, "title").unwrap().text(), Some(*title));
        assert!(
            child(*entry, "id")
                .unwrap()
                .text()
                .unwrap()
                .starts_with("urn:uuid:")
        );
    }
}

#[tokio::test]
async fn flat_and_seasonal_series_raise_no_signal() {
    let app = TestApp::spawn().await;
    let today = start_of_tests().date_naive();
    insert(&app, series(today, false, 11)).await;
    assert_eq!(app.run_jobs().await.waves_detected, 0);
    for day in 1..=7 {
        app.clock.set(start_of_tests() + Duration::days(day));
        assert_eq!(app.run_jobs().await.waves_detected, 0, "day {day}");
    }
}

#[tokio::test]
async fn local_alerts_show_only_where_they_apply_and_bad_alerts_are_refused_in_french() {
    let app = TestApp::spawn().await;
    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;
    let form = staff.get("/observatoire/alertes/nouvelle").await;
    assert_eq!(form.status, 200);

    // Refused, with each reason beside its field; nothing published.
    let refused = staff
        .submit(
            &form,
            "/observatoire/alertes",
            &[
                ("title", "Ah"),
                ("body", "Trop court"),
                ("scope", "departement"),
                ("valid_from", "2026-11-23"),
                ("valid_until", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let text = refused.text();
    assert!(
        text.contains("Donnez un titre de 5 à 120 caractères."),
        "{text}"
    );
    assert!(
        text.contains("Choisissez le département concerné."),
        "{text}"
    );
    assert!(
        text.contains("Le dernier jour doit suivre le premier."),
        "{text}"
    );
    let (_, none) = app.get_json("/api/v1/alerts").await;
    assert_eq!(none["total"], 0);

    // An alert for Ille-et-Vilaine, about ransomware, for local authorities.
    let published = staff
        .submit(
            &form,
            "/observatoire/alertes",
            &[
                ("title", "Rançongiciel dans les mairies d'Ille-et-Vilaine"),
                (
                    "body",
                    "Plusieurs mairies du département sont touchées par un rançongiciel : coupez le réseau et appelez le CSIRT régional.",
                ),
                ("incident_types", "rancongiciel"),
                ("audiences", "collectivite"),
                ("scope", "departement"),
                ("scope_code_departement", "35"),
                ("valid_from", "2026-11-23"),
                ("valid_until", "2026-12-06"),
            ],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.text());
    for (query, shown) in [
        (
            "incident_type=rancongiciel&audience=collectivite&departement=35",
            1,
        ),
        (
            "incident_type=rancongiciel&audience=collectivite&departement=13",
            0,
        ),
        ("incident_type=rancongiciel&audience=collectivite", 0),
        (
            "incident_type=hameconnage&audience=collectivite&departement=35",
            0,
        ),
        (
            "incident_type=rancongiciel&audience=particulier&departement=35",
            0,
        ),
    ] {
        let (status, alerts) = app.get_json(&format!("/api/v1/alerts?{query}")).await;
        assert_eq!(status, 200);
        assert_eq!(alerts["total"], shown, "{query}");
    }
    // A local alert is not on the national home page.
    let home = Browser::new(&app.address).get("/").await;
    assert!(!home.text().contains("Rançongiciel dans les mairies"));

    // Withdrawn before its end: gone.
    let list = staff.get("/observatoire/alertes").await;
    let action = list
        .html
        .split("action=\"")
        .filter_map(|s| s.split('"').next())
        .find(|a| a.ends_with("/retrait"))
        .unwrap()
        .to_owned();
    // Asked first: nothing changes until staff confirm.
    let asked = staff.submit(&list, &action, &[]).await;
    assert_eq!(asked.status, 200);
    assert!(
        asked.text().contains("Retirer cette alerte ?"),
        "{}",
        asked.text()
    );
    let (_, still) = app
        .get_json("/api/v1/alerts?incident_type=rancongiciel&audience=collectivite&departement=35")
        .await;
    assert_eq!(still["total"], 1, "{still}");
    let withdrawn = staff.submit(&asked, &action, &[]).await;
    assert_eq!(withdrawn.status, 303, "{}", withdrawn.text());
    let (_, after) = app
        .get_json("/api/v1/alerts?incident_type=rancongiciel&audience=collectivite&departement=35")
        .await;
    assert_eq!(after["total"], 0);
    let again = staff.submit(&list, &action, &[]).await;
    assert_eq!(again.status, 409, "nothing left to withdraw");
}

#[tokio::test]
async fn the_feed_stays_well_formed_whatever_the_public_address() {
    let db = std::sync::Arc::new(crate::common::TestDb::new());
    let base = "https://exemple.fr/cyber&dir";
    let app = TestApp::spawn_with(db, &[("CYBERDIR_BASE_URL", base)]).await;
    let xml = app.get("/alertes.atom").await.text().await.unwrap();
    assert_valid_atom(&xml, &[]);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let own = doc
        .root_element()
        .children()
        .find(|c| c.tag_name().name() == "link" && c.attribute("rel") == Some("self"))
        .and_then(|l| l.attribute("href"));
    assert_eq!(own, Some("https://exemple.fr/cyber&dir/alertes.atom"));
}

/// Issue 25, typed forms: the alert form's checkboxes repeat their names, and every value
/// checked is kept (the form is read into its struct, not as pairs).
#[tokio::test]
async fn an_alert_keeps_every_type_and_audience_checked_on_its_form() {
    let app = TestApp::spawn().await;
    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;
    let form = staff.get("/observatoire/alertes/nouvelle").await;
    let published = staff
        .submit(
            &form,
            "/observatoire/alertes",
            &[
                ("title", "Faux conseillers bancaires et faux supports"),
                (
                    "body",
                    "Des appels se font passer pour votre banque ou un support technique : raccrochez et rappelez le numéro habituel.",
                ),
                ("incident_types", "hameconnage"),
                ("incident_types", "faux_support_technique"),
                ("audiences", "particulier"),
                ("audiences", "entreprise"),
                ("scope", "national"),
                // Another scope's list, left filled: ignored for a national alert.
                ("scope_code_departement", "35"),
                ("valid_from", "2026-11-23"),
                ("valid_until", "2026-12-06"),
            ],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.text());
    let (_, alerts) = app.get_json("/api/v1/alerts").await;
    assert_eq!(alerts["total"], 1, "{alerts}");
    let alert = &alerts["results"][0];
    assert_eq!(
        alert["incident_types"],
        json!(["hameconnage", "faux_support_technique"]),
        "{alert}"
    );
    assert_eq!(
        alert["audiences"],
        json!(["particulier", "entreprise"]),
        "{alert}"
    );
    assert_eq!(alert["scope"], "national", "{alert}");
}

/// A Poisson draw of mean `mean` (Knuth's method: small means only).
fn poisson(rng: &mut Rng, mean: f64) -> u64 {
    let limit = (-mean).exp();
    let (mut k, mut p) = (0, 1.0);
    loop {
        p *= (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
        if p <= limit {
            return k;
        }
        k += 1;
    }
}

/// Ransomware at local authorities over the `weeks` weeks before `today`: about 10 a week,
/// twice as many in the high season and fewer in the low; the last week, in the low season,
/// 26 cases spread over the days, so that no single day stands out (the Sunday has one).
fn seasonal_ransomware(today: NaiveDate, weeks: u64) -> Vec<FactValues> {
    let mut rng = Rng(7);
    let mut facts = Vec::new();
    for back in (1..=weeks * 7).rev() {
        let day = today - Days::new(back);
        let week = (weeks * 7 - back) / 7;
        let season = 1.0 + 0.6 * (2.0 * std::f64::consts::PI * (week as f64 + 13.0) / 52.0).sin();
        let n = if back <= 7 {
            [0, 1, 4, 4, 5, 4, 4, 4][back as usize]
        } else {
            poisson(&mut rng, 10.0 * season / 7.0)
        };
        for i in 0..n {
            facts.push(journey(
                &format!("r-{day}-{i}"),
                day,
                "collectivite",
                Some("rancongiciel"),
            ));
        }
    }
    facts
}

#[tokio::test]
async fn a_weekly_wave_in_a_seasonal_series_is_raised_by_the_farrington_method_with_its_figures() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    // A Monday: the pass reads the week that ended yesterday.
    let today = start_of_tests().date_naive();
    assert_eq!(today.weekday(), chrono::Weekday::Mon);
    app.user("equipe@cyberdir.fr", Role::Staff).await;
    // Three years and a half.
    insert(&app, seasonal_ransomware(today, 182)).await;

    assert_eq!(app.run_jobs().await.waves_detected, 1);
    let staff = Browser::new(&app.address);
    staff.log_in("equipe@cyberdir.fr").await;
    let list = staff.get("/observatoire/alertes").await;
    assert!(
        list.element("weekly-method").is_none(),
        "the weekly method runs: nothing to say"
    );
    let signals = list.element("signals").unwrap();
    assert!(signals.contains("Rançongiciel"), "{signals}");
    assert!(
        signals.contains("Farrington flexible (semaine)"),
        "the weekly method raised it: {signals}"
    );
    let monday = crate::common::observatory::day_fr(today - Days::new(7));
    let sunday = crate::common::observatory::day_fr(today - Days::new(1));
    assert!(
        signals.contains(&format!("la semaine du {monday} au {sunday}")),
        "{signals}"
    );
    assert!(signals.contains("26"), "the week's count: {signals}");
    app.deliver_to(&sink).await;
    let mail = sink
        .messages_to("equipe@cyberdir.fr")
        .into_iter()
        .find(|m| m.subject.starts_with("Vague détectée"))
        .expect("staff told");
    assert!(
        mail.text.contains("26 signalements la semaine du")
            && mail
                .text
                .contains("Méthode : Farrington flexible (semaine)"),
        "{}",
        mail.text
    );
}

/// The weekly method reads more than three years: a short window of the views
/// (`OBSERVATORY_WINDOW_YEARS`) does not switch it off, the node keeps what it reads.
#[tokio::test]
async fn a_short_window_of_the_views_still_lets_the_farrington_method_find_a_weekly_wave() {
    let db = std::sync::Arc::new(crate::common::TestDb::new());
    let app = TestApp::spawn_with(db, &[("OBSERVATORY_WINDOW_YEARS", "2")]).await;
    let today = start_of_tests().date_naive();
    app.user("equipe@cyberdir.fr", Role::Staff).await;
    // A quiet fortnight about 168 weeks ago, where the facts a node keeps begin: the
    // observatory is older than the first fact the node holds, and the method still runs.
    let mut facts = seasonal_ransomware(today, 182);
    let quiet = (today - Days::new(1190))..=(today - Days::new(1170));
    facts.retain(|f| !quiet.contains(&f.occurred_on));
    insert(&app, facts).await;

    assert_eq!(app.run_jobs().await.waves_detected, 1);
    let staff = Browser::new(&app.address);
    staff.log_in("equipe@cyberdir.fr").await;
    let list = staff.get("/observatoire/alertes").await;
    assert!(list.element("weekly-method").is_none());
    let signals = list.element("signals").unwrap();
    assert!(
        signals.contains("Farrington flexible (semaine)"),
        "the weekly method raised it: {signals}"
    );
}

/// A young observatory: the weekly method cannot run before three years of weeks, and staff
/// are told from which day it will, not left to believe it looks.
#[tokio::test]
async fn staff_are_told_from_when_the_farrington_method_will_look_for_waves() {
    let app = TestApp::spawn().await;
    let today = start_of_tests().date_naive();
    app.user("equipe@cyberdir.fr", Role::Staff).await;
    let staff = Browser::new(&app.address);
    staff.log_in("equipe@cyberdir.fr").await;
    let empty = staff.get("/observatoire/alertes").await;
    let notice = empty.element("weekly-method").expect("told");
    assert!(
        notice.contains("168 semaines après le premier parcours ou la première demande")
            && notice.contains("n'en a encore enregistré aucun"),
        "{notice}"
    );

    // A year and a half of the same ransomware series, with its wave in the last week.
    insert(&app, seasonal_ransomware(today, 78)).await;
    app.run_jobs().await;
    let list = staff.get("/observatoire/alertes").await;
    let notice = list.element("weekly-method").expect("told");
    let first = today - Days::new(78 * 7);
    // 3 years of weeks and the windows read around them, 168 weeks from the first fact (a
    // Monday): the pass of the Monday after them reads them whole.
    let from = first + Days::new(168 * 7);
    assert_eq!(from.weekday(), chrono::Weekday::Mon, "{from}");
    let day = crate::common::observatory::day_fr;
    assert!(
        notice.contains(&format!(
            "cherchera les vagues à partir du {} : elle lit 168 semaines d'historique",
            day(from)
        )) && notice.contains(&format!(
            "première demande de l'observatoire date du {}",
            day(first)
        )) && notice.contains("seules les méthodes EARS C1, C2 et C3"),
        "{notice}"
    );
    let signals = list
        .element("signals")
        .map(|s| s.to_owned())
        .unwrap_or_default();
    assert!(
        !signals.contains("Farrington"),
        "a year and a half read as three years would raise it: {signals}"
    );

    // The day it says, the method runs: the notice is gone; the day before, it still waits.
    for (days, waits) in [(0, false), (-1, true)] {
        let offset = (from - today).num_days() + days;
        app.clock.set(start_of_tests() + Duration::days(offset));
        let staff = Browser::new(&app.address);
        staff.log_in("equipe@cyberdir.fr").await;
        let page = staff.get("/observatoire/alertes").await;
        assert_eq!(page.status, 200, "{}", page.text());
        assert_eq!(
            page.element("weekly-method").is_some(),
            waits,
            "{offset} days on: {}",
            page.text()
        );
    }
}

#[tokio::test]
async fn the_waves_of_one_day_come_to_staff_in_one_email() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let today = start_of_tests().date_naive();
    let mut facts = series(today, true, 5);
    // Ransomware at businesses, about 5 a day, then 60 a day over the last 3 days.
    let mut rng = Rng(9);
    for back in (1..=90u64).rev() {
        let day = today - Days::new(back);
        let n = if back <= 3 { 60 } else { 4 + rng.below(3) };
        for i in 0..n {
            facts.push(journey(
                &format!("r-{day}-{i}"),
                day,
                "entreprise",
                Some("rancongiciel"),
            ));
        }
    }
    insert(&app, facts).await;
    app.user("equipe@cyberdir.fr", Role::Staff).await;
    assert_eq!(app.run_jobs().await.waves_detected, 2);
    app.deliver_to(&sink).await;
    let about: Vec<_> = sink
        .messages_to("equipe@cyberdir.fr")
        .into_iter()
        .filter(|m| m.subject.contains("vague") || m.subject.contains("Vague"))
        .collect();
    assert_eq!(about.len(), 1, "one email for the day's waves");
    assert_eq!(about[0].subject, "2 vagues détectées par l'observatoire");
    for wave in ["« Sextorsion", "« Rançongiciel"] {
        assert!(about[0].text.contains(wave), "{wave}: {}", about[0].text);
    }
    assert_eq!(about[0].text.matches("Méthode : EARS C").count(), 2);
    assert_eq!(
        about[0]
            .text
            .matches("/observatoire/alertes/nouvelle?signal=")
            .count(),
        2
    );
}

#[tokio::test]
async fn staff_find_alerts_by_state_and_words_sorted_paged_and_exported() {
    let app = TestApp::spawn().await;
    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;
    let form = staff.get("/observatoire/alertes/nouvelle").await;
    let publish = |title: String, from: &'static str, until: &'static str| {
        let (staff, form) = (&staff, &form);
        async move {
            let fields = [
                ("title", title.as_str()),
                (
                    "body",
                    "Ne payez pas : prévenez votre banque et signalez les faits.",
                ),
                ("scope", "national"),
                ("valid_from", from),
                ("valid_until", until),
            ];
            let done = staff.submit(form, "/observatoire/alertes", &fields).await;
            assert_eq!(done.status, 303, "{}", done.text());
        }
    };
    // Ten that end on 30 November, twelve that run to January, one for Christmas.
    for i in 1..=22 {
        let until = if i <= 10 { "2026-11-30" } else { "2027-01-31" };
        publish(format!("Alerte numéro {i:02}"), "2026-11-23", until).await;
    }
    publish("Faux colis de Noël".into(), "2026-12-20", "2026-12-31").await;
    // One withdrawn, asked first.
    let list = staff.get("/observatoire/alertes?q=numero+22").await;
    let action = list
        .html
        .split("action=\"")
        .filter_map(|s| s.split('"').next())
        .find(|a| a.ends_with("/retrait"))
        .unwrap()
        .to_owned();
    let asked = staff.submit(&list, &action, &[]).await;
    assert_eq!(staff.submit(&asked, &action, &[]).await.status, 303);
    app.clock.set(start_of_tests() + Duration::days(12));
    staff.log_in("equipe@cyberdir.fr").await;
    let titles = |page: &crate::common::pages::Page| -> Vec<String> {
        let table = page.html.split("id=\"alerts\"").nth(1).unwrap_or_default();
        table
            .split("<th scope=\"row\">")
            .skip(1)
            .filter_map(|rest| rest.split('<').next())
            .map(str::to_owned)
            .collect()
    };

    // Every state, the latest start first, 20 a page; the tabs count each state.
    let first = staff.get("/observatoire/alertes").await;
    assert_eq!(first.status, 200);
    let shown = titles(&first);
    assert_eq!((shown.len(), shown[0].as_str()), (20, "Faux colis de Noël"));
    let said = first.text();
    for tab in [
        "Toutes 23",
        "En ligne 11",
        "À venir 1",
        "Terminée 10",
        "Retirée 1",
    ] {
        assert!(said.contains(tab), "{tab}: {said}");
    }
    assert_eq!(
        titles(&staff.get("/observatoire/alertes?page=2").await).len(),
        3
    );

    // By state, by words of the text, by title.
    let ended = staff
        .get("/observatoire/alertes?etat=terminee&tri=titre")
        .await;
    let ended = titles(&ended);
    assert_eq!(ended.len(), 10);
    assert_eq!(
        (ended[0].as_str(), ended[9].as_str()),
        ("Alerte numéro 01", "Alerte numéro 10")
    );
    let noel = staff.get("/observatoire/alertes?q=colis+noel").await;
    assert_eq!(titles(&noel), ["Faux colis de Noël"]);
    assert!(noel.text().contains("À venir"));
    let withdrawn = staff.get("/observatoire/alertes?etat=retiree").await;
    assert_eq!(titles(&withdrawn), ["Alerte numéro 22"]);
    let wrong = staff.get("/observatoire/alertes?etat=oubliee").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text().contains("État d'alerte inconnu."));

    // The export, as shown: the ended ones by title.
    let export = staff
        .get("/observatoire/alertes?etat=terminee&tri=titre")
        .await
        .links("/observatoire/alertes.csv");
    let csv = staff.get(&export[0]).await.html;
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 11, "{csv}");
    assert!(
        lines[1].starts_with("Alerte numéro 01,France entière,2026-11-23T00:00:00,"),
        "{csv}"
    );
    assert!(lines[1].contains(",Terminée,"), "{csv}");
}
