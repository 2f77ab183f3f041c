//! The observatory: facts written by each step, the staff dashboard's figures against an
//! independent count of the same rows, filters refused in French.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Duration, NaiveDate};
use serde_json::json;

use crate::common::assistance::{nearby, request_body, submit};
use crate::common::observatory::{PLACES, TYPES, csv_rows, insert, varied};
use crate::common::pages::Browser;
use crate::common::{TestApp, start_of_tests};
use cyberdir::auth::Role;
use cyberdir::db::observatory::{self as queries, FactValues};

async fn fact_of(app: &TestApp, id: &str) -> Option<queries::FactRow> {
    let id = id.to_owned();
    app.with_conn(move |conn| queries::by_source(conn, &id))
        .await
        .unwrap()
}

#[tokio::test]
async fn each_step_of_a_request_writes_its_fact_and_the_fact_outlives_the_erasure() {
    let app = TestApp::spawn().await;
    nearby(&app, "proche", 3.0).await;
    let member = app.member_of("proche", "gerant@proche.fr").await;

    let (status, created) = submit(&app, &request_body()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let fact = fact_of(&app, &id)
        .await
        .expect("a fact for the new request");
    assert_eq!(fact.kind, "request");
    assert_eq!(fact.outcome, "assigned");
    assert_eq!(fact.channel, "api");
    assert_eq!(fact.audience.as_deref(), Some("particulier"));
    assert_eq!(fact.incident_type.as_deref(), Some("rancongiciel"));
    assert_eq!(fact.category.as_deref(), Some("logiciel_malveillant"));
    assert_eq!(fact.departement.as_deref(), Some("35"));
    assert_eq!(fact.region.as_deref(), Some("bretagne"));
    assert!(fact.counted, "a request without a diagnostic is a case");
    assert_eq!(fact.minutes_to_acceptance, None);

    // Accepted 25 minutes later: the time to acceptance is kept.
    app.clock.set(start_of_tests() + Duration::minutes(25));
    let (status, accepted) = member
        .post(
            &format!("/api/v1/assistance-requests/{id}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{accepted}");
    let fact = fact_of(&app, &id).await.unwrap();
    assert_eq!(fact.outcome, "accepted");
    assert_eq!(fact.minutes_to_acceptance, Some(25));

    let report = json!({"resolved": true, "report": {
        "confirmed_incident_type": "intrusion_reseau",
        "attack_vector": "Bureau à distance exposé",
        "actions_taken": "Isolement du poste, restauration des sauvegardes.",
        "minutes_spent": 90
    }});
    let (status, closed) = member
        .post(&format!("/api/v1/assistance-requests/{id}/close"), &report)
        .await;
    assert_eq!(status, 200, "{closed}");
    let fact = fact_of(&app, &id).await.unwrap();
    assert_eq!(fact.outcome, "resolved");
    assert_eq!(
        fact.confirmed_incident_type.as_deref(),
        Some("intrusion_reseau")
    );
    assert_eq!(fact.minutes_to_acceptance, Some(25));

    // Past the retention period the request is erased; its fact stays, unchanged, with
    // nothing personal in it.
    app.clock.set(start_of_tests() + Duration::days(13 * 31));
    assert!(app.run_jobs().await.requests_anonymised >= 1);
    let after = fact_of(&app, &id).await.unwrap();
    assert_eq!(after.outcome, fact.outcome);
    assert_eq!(after.occurred_on, fact.occurred_on);
    let stored = format!("{after:?}");
    for personal in ["Claire", "claire@", "06 12", "chiffrés", "35000"] {
        assert!(!stored.contains(personal), "{personal} in {stored}");
    }
}

/// The independent count: the rows the test wrote, filtered and counted here.
struct Expected<'a> {
    facts: &'a [FactValues],
    from: NaiveDate,
    to: NaiveDate,
    filter: &'a [(&'a str, &'a str)],
}

impl Expected<'_> {
    fn keeps(&self, f: &FactValues) -> bool {
        self.filter.iter().all(|(k, v)| {
            let have = match *k {
                "public" => f.audience.as_deref(),
                "type" => f.incident_type.as_deref(),
                "categorie" => f.category.as_deref(),
                "region" => f.region.as_deref(),
                "departement" => f.departement.as_deref(),
                "canal" => Some(f.channel.as_str()),
                _ => panic!("unknown filter {k}"),
            };
            have == Some(*v)
        })
    }

    fn within(&self, f: &FactValues) -> bool {
        self.keeps(f) && f.occurred_on >= self.from && f.occurred_on <= self.to
    }

    /// A signalement, as the open data counts it: counted, naming a threat and a public.
    fn is_case(f: &FactValues) -> bool {
        f.counted && f.incident_type.is_some() && f.audience.is_some()
    }

    fn cases(&self) -> usize {
        self.facts
            .iter()
            .filter(|f| Self::is_case(f) && self.within(f))
            .count()
    }

    fn weeks(&self) -> BTreeMap<NaiveDate, usize> {
        let mut weeks = BTreeMap::new();
        for f in self
            .facts
            .iter()
            .filter(|f| Self::is_case(f) && self.within(f))
        {
            let monday = f.occurred_on
                - Days::new(u64::from(f.occurred_on.weekday().num_days_from_monday()));
            *weeks.entry(monday).or_default() += 1;
        }
        weeks
    }

    fn by_audience_and_type(&self) -> BTreeMap<(String, String), usize> {
        let mut counts = BTreeMap::new();
        for f in self
            .facts
            .iter()
            .filter(|f| Self::is_case(f) && self.within(f))
        {
            if let (Some(a), Some(t)) = (&f.audience, &f.incident_type) {
                *counts.entry((a.clone(), t.clone())).or_default() += 1;
            }
        }
        counts
    }

    fn by_departement(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for f in self
            .facts
            .iter()
            .filter(|f| Self::is_case(f) && self.within(f))
        {
            *counts
                .entry(f.departement.clone().unwrap_or_default())
                .or_default() += 1;
        }
        counts
    }

    fn journeys(&self, outcome: &str) -> usize {
        self.facts
            .iter()
            .filter(|f| f.kind == "journey" && self.within(f))
            .filter(|f| outcome == "total" || f.outcome == outcome)
            .count()
    }

    fn requests(&self) -> Vec<&FactValues> {
        self.facts
            .iter()
            .filter(|f| f.kind == "request" && self.within(f))
            .collect()
    }
}

fn query(from: NaiveDate, to: NaiveDate, filter: &[(&str, &str)], vue: &str) -> String {
    let mut q = format!("periode=personnalisee&du={from}&au={to}&vue={vue}");
    for (k, v) in filter {
        q.push_str(&format!("&{k}={v}"));
    }
    q
}

#[tokio::test]
async fn the_dashboard_figures_equal_an_independent_count_for_every_filter_combination() {
    let app = TestApp::spawn().await;
    let today = start_of_tests().date_naive();
    let first = today - Days::new(119);
    let facts = varied(3_000, first, 120, 7);
    insert(&app, facts.clone()).await;
    let browser = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;

    let (from, to) = (today - Days::new(59), today);
    let combinations: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("public", "particulier")],
        vec![("type", TYPES[0].0), ("region", PLACES[0].1)],
        vec![("categorie", "escroquerie"), ("canal", "site")],
        vec![("departement", PLACES[3].0), ("public", "entreprise")],
        vec![
            ("public", "particulier"),
            ("type", TYPES[1].0),
            ("departement", PLACES[2].0),
            ("canal", "api"),
        ],
    ];
    for filter in &combinations {
        let expected = Expected {
            facts: &facts,
            from,
            to,
            filter,
        };
        let previous = Expected {
            facts: &facts,
            from: from - Days::new(60),
            to: from - Days::new(1),
            filter,
        };

        // The headline figure on the page.
        let page = browser
            .get(&format!("/observatoire?{}", query(from, to, filter, "")))
            .await;
        assert_eq!(page.status, 200, "{filter:?}: {}", page.text());
        assert_eq!(
            page.element("cases")
                .unwrap()
                .replace(['\u{202f}', ' '], ""),
            expected.cases().to_string(),
            "{filter:?}"
        );

        let csv = |vue: &'static str| {
            let browser = &browser;
            let q = query(from, to, filter, vue);
            async move {
                let page = browser.get(&format!("/observatoire/donnees.csv?{q}")).await;
                assert_eq!(page.status, 200, "{vue}: {}", page.text());
                assert!(page.content_type.starts_with("text/csv"));
                csv_rows(&page.html)
            }
        };

        // Weeks: every week of the period, each with its cases.
        let weeks = csv("semaines").await;
        assert_eq!(
            weeks[0],
            [
                "semaine_du",
                "signalements",
                "un_an_avant",
                "jours_dans_la_periode"
            ]
        );
        let shown: BTreeMap<NaiveDate, usize> = weeks[1..]
            .iter()
            .filter(|r| r[1] != "0")
            .map(|r| (r[0].parse().unwrap(), r[1].parse().unwrap()))
            .collect();
        assert_eq!(shown, expected.weeks(), "{filter:?}");

        // Top threats per audience, with the previous period.
        let threats = csv("menaces").await;
        let now = expected.by_audience_and_type();
        let before = previous.by_audience_and_type();
        assert_eq!(threats.len() - 1, now.len(), "{filter:?}");
        for row in &threats[1..] {
            let key = (row[0].clone(), row[1].clone());
            assert_eq!(row[3], now[&key].to_string(), "{filter:?} {key:?}");
            assert_eq!(
                row[4],
                before.get(&key).copied().unwrap_or(0).to_string(),
                "{filter:?} {key:?}"
            );
        }

        // Places: each département, and the cases with none.
        let places = csv("territoires").await;
        let mut counted = expected.by_departement();
        for row in &places[1..] {
            let code = row[1].clone();
            let want = counted.remove(&code).unwrap_or(0);
            assert_eq!(row[3], want.to_string(), "{filter:?} {code}");
        }
        assert!(counted.is_empty(), "{filter:?}: not shown {counted:?}");

        // Journeys by outcome.
        let journeys: BTreeMap<String, String> = csv("parcours").await[1..]
            .iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        for (shown, stored) in [
            ("total", "total"),
            ("interrompu", "started"),
            ("conseils", "advice"),
            ("orientation", "redirection"),
            ("recherche", "search"),
            ("demande", "request"),
        ] {
            assert_eq!(
                journeys[shown],
                expected.journeys(stored).to_string(),
                "{filter:?} {shown}"
            );
        }

        // The funnel and the response times.
        let assistance: BTreeMap<String, String> = csv("assistance").await[1..]
            .iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        let requests = expected.requests();
        let mut minutes: Vec<i32> = requests
            .iter()
            .filter_map(|f| f.minutes_to_acceptance)
            .collect();
        minutes.sort_unstable();
        assert_eq!(assistance["demandes"], requests.len().to_string());
        assert_eq!(assistance["acceptees"], minutes.len().to_string());
        assert_eq!(
            assistance["resolues"],
            requests
                .iter()
                .filter(|f| f.outcome == "resolved")
                .count()
                .to_string()
        );
        assert_eq!(
            assistance["transmises_equipe"],
            requests.iter().filter(|f| f.escalated).count().to_string()
        );
        // Nearest rank: the ⌈n/2⌉-th of the sorted delays.
        let median = minutes
            .get(minutes.len().div_ceil(2).saturating_sub(1))
            .map(i32::to_string)
            .unwrap_or_default();
        assert_eq!(assistance["delai_median_minutes"], median, "{filter:?}");
    }
}

#[tokio::test]
async fn the_dashboard_compares_with_the_same_weeks_a_year_before() {
    let app = TestApp::spawn().await;
    let today = start_of_tests().date_naive();
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let year_before = monday - Days::new(364);
    let mut facts = Vec::new();
    for i in 0..7 {
        facts.push(crate::common::observatory::journey(
            &format!("now-{i}"),
            monday,
            "particulier",
            Some("hameconnage"),
        ));
    }
    // The last 7 days end on this Monday: its week holds one day so far, and a year before
    // counts that same Monday only, not the Tuesday after it.
    for (i, day) in [0, 0, 0, 0, 1, 1, 1].into_iter().enumerate() {
        facts.push(crate::common::observatory::journey(
            &format!("before-{i}"),
            year_before + Days::new(day),
            "particulier",
            Some("hameconnage"),
        ));
    }
    insert(&app, facts).await;
    let browser = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;
    let page = browser
        .get("/observatoire/donnees.csv?periode=semaine&vue=semaines")
        .await;
    let rows = csv_rows(&page.html);
    let this_week = rows
        .iter()
        .find(|r| r[0] == monday.to_string())
        .unwrap_or_else(|| panic!("{rows:?}"));
    // One day of this week is in the period: marked partial.
    assert_eq!(this_week[1..], ["7", "4", "1"]);
    // And that day is today, not over yet: the page says so, for the period and the week.
    let page = browser.get("/observatoire?periode=semaine").await;
    assert!(
        page.text().contains("(journée d'aujourd'hui en cours)"),
        "{}",
        page.text()
    );
    let weeks = page.element("weeks-table").unwrap();
    assert!(
        weeks.contains("partielle : 1 jour sur 7, en cours"),
        "{weeks}"
    );
    // A period that ended before today has no day under way.
    let last_week = monday - Days::new(1);
    let page = browser
        .get(&format!(
            "/observatoire?periode=personnalisee&du={}&au={last_week}",
            monday - Days::new(7)
        ))
        .await;
    assert!(!page.text().contains("en cours"), "{}", page.text());
}

#[tokio::test]
async fn the_dashboard_is_for_staff_and_refuses_bad_filters_in_french() {
    let app = TestApp::spawn().await;
    let anonymous = Browser::new(&app.address);
    let page = anonymous.get("/observatoire").await;
    assert_ne!(page.status, 200);
    assert!(!page.text().contains("Observatoire de la menace"));
    let provider = Browser::sign_in(&app, "gerant@exemple.fr", Role::Provider).await;
    assert_eq!(provider.get("/observatoire").await.status, 403);
    assert_eq!(
        provider
            .get("/observatoire/donnees.csv?vue=semaines")
            .await
            .status,
        403
    );

    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;
    let page = staff
        .get("/observatoire?periode=personnalisee&du=2026-13-01&au=2026-11-01&type=inconnu&region=atlantide")
        .await;
    assert_eq!(page.status, 422);
    let text = page.text();
    assert!(text.contains("Date invalide"), "{text}");
    let page = staff
        .get("/observatoire?periode=personnalisee&du=2026-11-20&au=2026-11-01&type=inconnu&region=atlantide")
        .await;
    assert_eq!(page.status, 422);
    let text = page.text();
    assert!(
        text.contains("La date de début doit précéder la date de fin."),
        "{text}"
    );
    assert!(text.contains("Ce type d'incident n'existe pas."), "{text}");
    assert!(text.contains("Cette région n'existe pas."), "{text}");
    let page = staff
        .get("/observatoire?periode=personnalisee&du=2010-01-01&au=2026-11-01")
        .await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("cinq ans au plus"));
    // The days to come have no figures: a period cannot end after today.
    let tomorrow = start_of_tests().date_naive() + Days::new(1);
    let page = staff
        .get(&format!(
            "/observatoire?periode=personnalisee&du=2026-11-01&au={tomorrow}"
        ))
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.text()
            .contains("La date de fin ne peut pas être postérieure à aujourd'hui"),
        "{}",
        page.text()
    );
    assert_eq!(
        staff
            .get("/observatoire/donnees.csv?vue=autre")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_dashboard_reads_without_script_and_passes_axe() {
    use crate::common::browser::Browser as Chromium;
    let app = TestApp::spawn().await;
    let today = start_of_tests().date_naive();
    insert(&app, varied(1_500, today - Days::new(400), 401, 5)).await;
    // The months over are published, for the files page.
    app.run_jobs().await;
    app.user("equipe@cyberdir.fr", Role::Admin).await;
    let browser = Chromium::start().await;
    browser.sign_in(&app, "equipe@cyberdir.fr").await;
    browser.wait_for_text("File d'instruction").await;
    browser
        .goto(&app.url("/observatoire?periode=annee&public=particulier"))
        .await;
    browser.wait_for_text("Observatoire de la menace").await;
    // Every chart is an image with a name, and its figures are in a table.
    let charts = browser
        .js(
            "return Array.from(document.querySelectorAll('figure svg')).map(s =>
                s.getAttribute('role') === 'img' && !!s.getAttribute('aria-labelledby'));",
            vec![],
        )
        .await;
    let charts = charts.as_array().unwrap();
    assert!(charts.len() >= 3, "{charts:?}");
    assert!(charts.iter().all(|c| c == &json!(true)), "{charts:?}");
    browser.assert_accessible("the observatory dashboard").await;
    browser.goto(&app.url("/statistiques")).await;
    browser
        .wait_for_text("Statistiques de la cybermalveillance")
        .await;
    browser.assert_accessible("the public statistics").await;
    browser
        .goto(&app.url("/observatoire/alertes/nouvelle"))
        .await;
    browser.wait_for_text("Publier une alerte").await;
    browser.assert_accessible("the alert form").await;
    browser.goto(&app.url("/observatoire/fichiers")).await;
    browser.wait_for_text("Publier une correction").await;
    browser.assert_accessible("the open-data files").await;
    browser.close().await;
}

/// The facts a node holds in memory: (how many, how many slots).
async fn kept_facts(app: &TestApp) -> (usize, usize) {
    let state = app.state.clone();
    app.with_conn(move |conn| {
        let facts = cyberdir::observatory::facts(&state, &state.observatory, conn).unwrap();
        let kept = facts.rows.iter().filter(|f| f.kind.is_some()).count();
        (kept, facts.rows.len())
    })
    .await
}

#[tokio::test]
async fn a_node_keeps_a_window_of_facts_and_the_views_say_where_it_starts() {
    let db = std::sync::Arc::new(crate::common::TestDb::new());
    let app = TestApp::spawn_with(db, &[("OBSERVATORY_WINDOW_YEARS", "1")]).await;
    let today = start_of_tests().date_naive();
    let journeys = |prefix: &str, day: NaiveDate, n: usize| -> Vec<FactValues> {
        (0..n)
            .map(|i| {
                crate::common::observatory::journey(
                    &format!("{prefix}-{i}"),
                    day,
                    "particulier",
                    Some("hameconnage"),
                )
            })
            .collect()
    };
    // Four years ago; three years ago (out of the views' window, read by the weekly wave
    // detection, which needs 3 years of whole weeks and the windows around them); thirteen
    // months ago (kept for the comparison with a year before); today.
    let mut facts = journeys("old", today - Days::new(4 * 365), 30);
    facts.extend(journeys("detection", today - Days::new(3 * 365), 5));
    facts.extend(journeys("year-before", today - Days::new(400), 2));
    facts.extend(journeys("now", today, 4));
    insert(&app, facts).await;

    // A node starting now holds the three recent groups only, with no slot for the old facts.
    assert_eq!(kept_facts(&app).await, (11, 11));

    // Views start within the window; before it, the dashboard says from when.
    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;
    let before = today - Days::new(400);
    let page = staff
        .get(&format!(
            "/observatoire?periode=personnalisee&du={before}&au={today}"
        ))
        .await;
    assert_eq!(page.status, 422, "{}", page.text());
    assert!(
        page.text()
            .contains("L'observatoire couvre les 1 dernières années : choisissez une date de début à partir du 23/11/2025."),
        "{}",
        page.text()
    );
    let within = today - Days::new(300);
    let page = staff
        .get(&format!(
            "/observatoire?periode=personnalisee&du={within}&au={today}"
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.text());

    // A year and a month later, the facts of three years before are out of what the
    // detection reads too.
    app.clock.set(start_of_tests() + Duration::days(396));
    insert(&app, journeys("later", today + Days::new(396), 3)).await;
    let (kept, slots) = kept_facts(&app).await;
    assert_eq!(
        kept, 9,
        "the 2 of thirteen months, the 4 of the first day and the 3 new"
    );
    assert_eq!(slots, 9, "no slot left for the facts gone");
}
