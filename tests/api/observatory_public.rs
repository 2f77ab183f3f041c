//! The public statistics and the monthly open-data file: small counts suppressed (and not
//! recoverable from the totals), the file frozen once published, a correction as a new revision
//! with its note, the Table Schema agreeing with the file; staff see the exact figures.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use crate::common::TestApp;
use crate::common::observatory::{csv_rows, insert, journey, placed};
use crate::common::pages::Browser;
use cyberdir::auth::Role;
use cyberdir::db::observatory::FactValues;

fn october(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, day).unwrap()
}

/// `n` cases of `incident` for `audience` in `departement` during October.
fn cases(
    tag: &str,
    n: usize,
    incident: &str,
    audience: &str,
    place: (&str, &str),
) -> Vec<FactValues> {
    (0..n)
        .map(|i| {
            placed(
                journey(
                    &format!("{tag}-{i}"),
                    october(1 + (i % 28) as u32),
                    audience,
                    Some(incident),
                ),
                place.0,
                place.1,
            )
        })
        .collect()
}

fn october_facts() -> Vec<FactValues> {
    let bretagne = ("35", "bretagne");
    let paris = ("75", "ile-de-france");
    let mut facts = Vec::new();
    facts.extend(cases("a", 40, "hameconnage", "particulier", bretagne));
    // The small cell: 3 cases of phishing among individuals in Île-de-France.
    facts.extend(cases("b", 3, "hameconnage", "particulier", paris));
    facts.extend(cases("c", 25, "hameconnage", "entreprise", bretagne));
    facts.extend(cases("d", 30, "rancongiciel", "particulier", bretagne));
    facts.extend(cases("e", 50, "rancongiciel", "particulier", paris));
    facts.extend(cases("f", 20, "rancongiciel", "entreprise", paris));
    // A request made from a journey is counted by its journey, not again.
    let mut from_journey = cases("g", 12, "rancongiciel", "particulier", paris);
    for f in &mut from_journey {
        f.kind = "request".into();
        f.counted = false;
    }
    facts.extend(from_journey);
    facts
}

type Key = (String, String, String);

/// The exact counts of every cell and total, counted here from the facts written.
fn exact_counts(facts: &[FactValues]) -> BTreeMap<Key, u64> {
    let mut counts = BTreeMap::new();
    for f in facts.iter().filter(|f| f.counted) {
        let t = f.incident_type.clone().unwrap();
        let a = f.audience.clone().unwrap();
        let r = f.region.clone().unwrap();
        for t in [t.clone(), "total".into()] {
            for a in [a.clone(), "total".into()] {
                for r in [r.clone(), "total".into()] {
                    *counts.entry((t.clone(), a.clone(), r)).or_default() += 1;
                }
            }
        }
    }
    counts
}

/// The published file as cells: (type, audience, région) → count (None when secret).
fn cells(csv: &str) -> BTreeMap<Key, Option<u64>> {
    let rows = csv_rows(csv);
    let header = &rows[0];
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (t, a, r, n, s) = (
        at("type_incident"),
        at("public"),
        at("region"),
        at("nombre"),
        at("secret"),
    );
    rows[1..]
        .iter()
        .map(|row| {
            let count = row[n].parse().ok();
            assert_eq!(count.is_none(), row[s] == "true", "{row:?}");
            ((row[t].clone(), row[a].clone(), row[r].clone()), count)
        })
        .collect()
}

/// No row, column or pile of the published cube has exactly one secret member (with its
/// total): no secret cell follows from the others by subtraction.
fn assert_no_lone_secret(cells: &BTreeMap<Key, Option<u64>>) {
    let values = |i: usize| -> Vec<String> {
        let mut v: Vec<String> = cells
            .keys()
            .map(|k| [&k.0, &k.1, &k.2][i].clone())
            .filter(|v| v != "total")
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        v.sort();
        v
    };
    let dims = [values(0), values(1), values(2)];
    for (dim, members) in dims.iter().enumerate() {
        for key in cells.keys() {
            let fixed = [&key.0, &key.1, &key.2];
            if fixed[dim] != "total" {
                continue;
            }
            let with = |v: &str| {
                let mut k = [key.0.clone(), key.1.clone(), key.2.clone()];
                k[dim] = v.to_owned();
                (k[0].clone(), k[1].clone(), k[2].clone())
            };
            let secrets = members
                .iter()
                .chain(std::iter::once(&"total".to_owned()))
                .filter(|v| cells[&with(v)].is_none())
                .count();
            assert_ne!(secrets, 1, "a lone secret along dimension {dim} at {key:?}");
        }
    }
}

#[tokio::test]
async fn small_counts_never_leave_the_building_and_the_monthly_file_is_frozen() {
    let app = TestApp::spawn().await;
    insert(&app, october_facts()).await;
    let public = Browser::new(&app.address);

    // Nothing is published before the month's file.
    let page = public.get("/statistiques").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text()
            .contains("Les premiers chiffres mensuels seront publiés")
    );
    let (status, months) = app.get_json("/api/v1/statistics/months").await;
    assert_eq!(status, 200);
    assert_eq!(months["results"], serde_json::json!([]));
    let (status, _) = app.get_json("/api/v1/statistics/monthly/2026-10").await;
    assert_eq!(status, 404);

    // The daily pass publishes October (ended), not November (under way).
    assert_eq!(app.run_jobs().await.open_data_files, 1);
    assert_eq!(app.run_jobs().await.open_data_files, 0, "published once");
    let file = public.get("/statistiques/donnees/2026-10.csv").await;
    assert_eq!(file.status, 200);
    assert!(file.content_type.starts_with("text/csv"));
    let published = cells(&file.html);
    let key = |t: &str, a: &str, r: &str| (t.to_owned(), a.to_owned(), r.to_owned());

    // The cell of 3 is secret, and cannot be recovered from its row and column totals.
    assert_eq!(
        published[&key("hameconnage", "particulier", "ile-de-france")],
        None
    );
    assert_no_lone_secret(&published);
    // What is published is exact (the request counted by its journey is not counted twice),
    // and most of the table is published.
    let exact = exact_counts(&october_facts());
    for (k, v) in &published {
        if let Some(n) = v {
            assert_eq!(*n, exact.get(k).copied().unwrap_or(0), "{k:?}");
        }
    }
    assert_eq!(published[&key("total", "total", "total")], Some(168));
    let secrets = published.values().filter(|v| v.is_none()).count();
    assert!(secrets < 30, "{secrets} secret cells");
    // Every cell under the threshold is secret, in the whole file.
    for (k, v) in &published {
        assert!(v.is_none_or(|n| n == 0 || n >= 11), "{k:?} = {v:?}");
    }

    // The API gives the same cells for any filter; the page shows "secret".
    for query in [
        "",
        "?incident_type=hameconnage",
        "?audience=particulier&region=ile-de-france",
        "?incident_type=total&audience=total",
        "?region=total",
    ] {
        let (status, body) = app
            .get_json(&format!("/api/v1/statistics/monthly/2026-10{query}"))
            .await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(body["revision"], 1);
        let got = body["cells"].as_array().unwrap();
        assert!(!got.is_empty(), "{query}");
        for cell in got {
            let dim = |name: &str| cell[name].as_str().unwrap_or("total").to_owned();
            let k = (dim("incident_type"), dim("audience"), dim("region"));
            assert_eq!(cell["count"].as_u64(), published[&k], "{query} {k:?}");
        }
    }
    let page = public
        .get("/statistiques?mois=2026-10&region=ile-de-france")
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let table = page.element("by-type").unwrap();
    assert!(table.contains("secret"), "{table}");
    assert!(page.text().contains("octobre 2026"));

    // Staff see the exact figure on the dashboard.
    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;
    let places = staff
        .get("/observatoire/donnees.csv?periode=personnalisee&du=2026-10-01&au=2026-10-31&type=hameconnage&public=particulier&vue=territoires")
        .await;
    let rows = csv_rows(&places.html);
    assert!(rows.iter().any(|r| r[1] == "75" && r[3] == "3"), "{rows:?}");

    // Late facts do not change the published file.
    insert(
        &app,
        cases(
            "late",
            30,
            "hameconnage",
            "particulier",
            ("75", "ile-de-france"),
        ),
    )
    .await;
    app.run_jobs().await;
    let again = public.get("/statistiques/donnees/2026-10.csv").await;
    assert_eq!(again.html, file.html, "frozen once published");

    // A correction is a new revision with its note, published by an admin from the files'
    // page; the first stays as it was.
    let files = staff.get("/observatoire/fichiers").await;
    assert_eq!(files.status, 200);
    assert!(
        files
            .element("revisions-2026-10")
            .unwrap()
            .contains("Première publication")
    );
    let action = "/observatoire/fichiers/2026-10/correction";
    assert!(
        !files.has("correct-2026-10"),
        "staff see the files, admins correct them"
    );
    let refused = staff
        .post(
            action,
            &[
                ("csrf_token", &files.csrf()),
                ("note", "Ajout des cas tardifs."),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    let admin = Browser::sign_in(&app, "admin@cyberdir.fr", Role::Admin).await;
    let files = admin.get("/observatoire/fichiers").await;
    assert!(
        files
            .element("duration-2026-10")
            .unwrap()
            .contains("quatre ou cinq minutes"),
        "the admin is told a correction takes time before asking for one"
    );
    let short = admin.submit(&files, action, &[("note", "oups")]).await;
    assert_eq!(short.status, 422);
    assert!(
        short.alert().unwrap().contains("10 caractères"),
        "{}",
        short.text()
    );
    assert_eq!(
        short.element("note-2026-10").as_deref(),
        Some("oups"),
        "the note typed is kept"
    );
    let note = "Signalements tardifs de fin octobre ajoutés.";
    let asked = admin.submit(&files, action, &[("note", note)]).await;
    // The page answers at once: the correction is computed in the background, followed on
    // its own page, and the month's form gives way to a link to it.
    let following = admin.follow(&asked).await;
    assert_eq!(following.status, 200);
    assert!(
        following
            .element("correction-phase")
            .unwrap()
            .contains("En attente")
    );
    assert!(following.has("correction-bar"));
    assert_eq!(following.element("correction-note").as_deref(), Some(note));
    let files = admin.get("/observatoire/fichiers").await;
    assert!(!files.has("correct-2026-10"), "one correction at a time");
    assert!(
        files
            .element("pending-2026-10")
            .unwrap()
            .contains("Suivre son calcul")
    );
    let twice = admin
        .post(
            action,
            &[
                ("csrf_token", &files.csrf()),
                ("note", "Une autre en même temps."),
            ],
        )
        .await;
    assert_eq!(twice.status, 409);
    assert!(
        twice.alert().unwrap().contains("déjà en cours"),
        "{}",
        twice.text()
    );
    assert_eq!(app.run_corrections().await, 1);
    assert_eq!(app.run_corrections().await, 0, "nothing left to compute");
    let done = admin.follow(&asked).await;
    assert!(
        done.element("correction-outcome")
            .unwrap()
            .contains("Révision 2 du fichier d'octobre 2026 publiée"),
        "{}",
        done.text()
    );
    let files = admin.get("/observatoire/fichiers").await;
    assert!(files.element("revisions-2026-10").unwrap().contains(note));
    // Nothing changed since: a second correction would publish the same file, and is refused
    // with the reason on its page.
    let again = admin
        .submit(&files, action, &[("note", "Une seconde fois, pour voir.")])
        .await;
    assert_eq!(app.run_corrections().await, 1);
    let refused = admin.follow(&again).await;
    assert!(
        refused
            .element("correction-outcome")
            .unwrap()
            .contains("identique à sa révision 2"),
        "{}",
        refused.text()
    );
    assert!(
        admin
            .get("/observatoire/fichiers")
            .await
            .has("correct-2026-10")
    );
    let audit = app
        .with_conn(|conn| {
            cyberdir::db::audit::events_of(conn, "open_data_file", "2026-10").unwrap()
        })
        .await;
    assert_eq!(audit.len(), 1, "one correction, audited with its author");
    assert!(audit[0].1.is_some());
    let corrected = cells(&public.get("/statistiques/donnees/2026-10.csv").await.html);
    // The 30 late cases are counted; the cell that got them (3, now 33) still protects the
    // small counts beside it, and the two revisions read together give nothing away.
    assert_eq!(corrected[&key("total", "total", "total")], Some(198));
    assert_eq!(
        corrected[&key("hameconnage", "particulier", "total")],
        Some(exact[&key("hameconnage", "particulier", "total")] + 30)
    );
    let state = app.state.clone();
    let audits = tokio::task::spawn_blocking(move || {
        cyberdir::observatory::secrecy::audit_published(&state).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].revisions, 2);
    assert_eq!(
        audits[0].exposures,
        vec![],
        "read together, the revisions leak nothing"
    );
    let first = public
        .get("/statistiques/donnees/2026-10.csv?revision=1")
        .await;
    assert_eq!(first.html, file.html);
    let page = public.get("/statistiques?mois=2026-10").await;
    assert!(
        page.element("revisions")
            .unwrap()
            .contains("Signalements tardifs de fin octobre ajoutés."),
        "{}",
        page.text()
    );
    let (_, months) = app.get_json("/api/v1/statistics/months").await;
    assert_eq!(months["results"][0]["month"], "2026-10");
    assert_eq!(months["results"][0]["revisions"][0]["revision"], 2);
}

#[tokio::test]
async fn the_table_schema_describes_the_file() {
    let app = TestApp::spawn().await;
    insert(&app, october_facts()).await;
    app.run_jobs().await;
    let browser = Browser::new(&app.address);
    let schema: Value =
        serde_json::from_str(&browser.get("/statistiques/donnees/schema.json").await.html).unwrap();
    let fields: Vec<&Value> = schema["fields"].as_array().unwrap().iter().collect();
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    let rows = csv_rows(&browser.get("/statistiques/donnees/2026-10.csv").await.html);
    assert_eq!(
        rows[0], names,
        "the header is the schema's fields, in order"
    );
    let mut keys = HashSet::new();
    for row in &rows[1..] {
        for (field, value) in fields.iter().zip(row) {
            let required = field["constraints"]["required"].as_bool().unwrap_or(false);
            assert!(
                !required || !value.is_empty(),
                "{} empty in {row:?}",
                field["name"]
            );
            if value.is_empty() {
                continue;
            }
            match field["type"].as_str().unwrap() {
                "integer" => assert!(value.parse::<u64>().is_ok(), "{value}"),
                "boolean" => assert!(value == "true" || value == "false", "{value}"),
                "yearmonth" => assert_eq!(value, "2026-10"),
                _ => {}
            }
            if let Some(allowed) = field["constraints"]["enum"].as_array() {
                assert!(allowed.iter().any(|a| a == value), "{value}");
            }
            if let Some(pattern) = field["constraints"]["pattern"].as_str() {
                let re = regex_lite::Regex::new(pattern).unwrap();
                assert!(re.is_match(value), "{value} !~ {pattern}");
            }
        }
        assert!(
            keys.insert((
                row[0].clone(),
                row[1].clone(),
                row[4].clone(),
                row[5].clone()
            )),
            "the primary key is unique: {row:?}"
        );
    }
    assert_eq!(rows.len() - 1, 50 * 4 * 20, "every cell, totals included");
}

#[tokio::test]
async fn statistics_refuse_bad_months_clearly() {
    let app = TestApp::spawn().await;
    for (path, status) in [
        ("/api/v1/statistics/monthly/2026-13", 422),
        ("/api/v1/statistics/monthly/octobre", 422),
        ("/api/v1/statistics/monthly/2026-09", 404),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json")
        );
    }
    let browser = Browser::new(&app.address);
    let page = browser.get("/statistiques/donnees/2026-09.csv").await;
    assert_eq!(page.status, 404);
    assert!(
        page.text().contains("pas (encore) publiés"),
        "{}",
        page.text()
    );
}

/// A file built to leak — every figure exact but the cell of 3 — is refused before it goes
/// out, the cell named; slipped into the database anyway, `cyberdir observatory audit` finds
/// it and fails, while the files the service published pass.
#[tokio::test]
async fn a_file_built_to_leak_is_refused_and_the_audit_names_the_cell() {
    let app = TestApp::spawn().await;
    insert(&app, october_facts()).await;
    assert_eq!(app.run_jobs().await.open_data_files, 1);
    let public = Browser::new(&app.address);
    let published = public.get("/statistiques/donnees/2026-10.csv").await.html;
    let exact = exact_counts(&october_facts());
    let target = (
        "hameconnage".to_owned(),
        "particulier".to_owned(),
        "ile-de-france".to_owned(),
    );
    let mut reader = csv::Reader::from_reader(published.as_bytes());
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(reader.headers().unwrap()).unwrap();
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        let key = (row[1].clone(), row[4].clone(), row[5].clone());
        if row[8] == "true" && key != target {
            row[7] = exact.get(&key).copied().unwrap_or(0).to_string();
            row[8] = "false".into();
        }
        writer.write_record(&row).unwrap();
    }
    let leaking = String::from_utf8(writer.into_inner().unwrap()).unwrap();

    let state = app.state.clone();
    let crafted = leaking.clone();
    let refused = tokio::task::spawn_blocking(move || {
        let axes = cyberdir::observatory::open_data::Axes::of(&state);
        cyberdir::observatory::secrecy::audit_before_release(&axes, &[], &crafted)
    })
    .await
    .unwrap()
    .unwrap_err()
    .said();
    assert!(
        refused.contains("hameconnage × particulier × Île-de-France")
            && refused.contains("vaut exactement 3"),
        "{refused}"
    );

    let row = cyberdir::db::observatory::ReleaseRow {
        month: "2026-09".into(),
        revision: 1,
        sha256: "crafted".into(),
        csv: leaking,
        note: None,
        published_at: chrono::Utc::now().naive_utc(),
    };
    app.with_conn(move |c| cyberdir::db::observatory::insert_release(c, &row).unwrap())
        .await;
    let (passed, said) = crate::common::observatory::audit_from_the_command_line(&app).await;
    assert!(!passed, "{said}");
    assert!(
        said.contains("2026-09 : 1 révision")
            && said
                .contains("hameconnage × particulier × Île-de-France (révision 1), exactement 3"),
        "{said}"
    );
    // The file the service published: nothing bounded under 11, and the narrowest interval
    // found reaches 11 at least.
    let october = said
        .lines()
        .find(|l| l.starts_with("2026-10 : 1 révision"))
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        october.contains("aucune bornée sous 11 ; intervalle le plus étroit trouvé : "),
        "{october}"
    );
    let upper: u64 = october
        .trim_end_matches('.')
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{october}"));
    assert!(upper >= 11, "{october}");
}

/// "Signalement" meant two things: the dashboard counted the journeys left before naming a
/// threat, the open data did not. One definition now, the open data's, on both.
#[tokio::test]
async fn a_signalement_counts_the_same_on_the_dashboard_and_in_the_open_data() {
    let app = TestApp::spawn().await;
    let mut facts = october_facts();
    // Journeys left before naming a threat: counted as journeys, not as signalements.
    for i in 0..23 {
        facts.push(journey(
            &format!("left-{i}"),
            october(1 + i % 28),
            "particulier",
            None,
        ));
    }
    insert(&app, facts).await;
    assert_eq!(app.run_jobs().await.open_data_files, 1);
    let public = Browser::new(&app.address);
    let file = cells(&public.get("/statistiques/donnees/2026-10.csv").await.html);
    let total = file[&("total".to_owned(), "total".to_owned(), "total".to_owned())]
        .expect("the month's total is published");

    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;
    let page = staff
        .get("/observatoire?periode=personnalisee&du=2026-10-01&au=2026-10-31")
        .await;
    assert_eq!(page.status, 200);
    let shown = page
        .element("cases")
        .unwrap()
        .replace(['\u{202f}', ' '], "");
    assert_eq!(shown, total.to_string(), "the dashboard and the open data");
    assert_eq!(page.element("unnamed").unwrap(), "23");
    // One definition, in the same words on the dashboard, the public page and the schema
    // of the open data.
    let definition = cyberdir::observatory::SIGNALEMENT;
    assert!(definition.contains("nommé une menace et un public"));
    assert!(
        page.element("cases-definition")
            .unwrap()
            .contains(definition)
    );
    let statistics = public.get("/statistiques?mois=2026-10").await;
    assert_eq!(
        statistics.element("cases-definition").as_deref(),
        Some(definition)
    );
    let schema: serde_json::Value =
        serde_json::from_str(&public.get("/statistiques/donnees/schema.json").await.html).unwrap();
    assert!(
        schema["description"].as_str().unwrap().contains(definition),
        "{schema}"
    );
    // October cut into weeks: the first (from Thursday the 1st) and the last (to Saturday the
    // 31st) are partial, and say so.
    let weeks = page.element("weeks-table").unwrap();
    assert!(weeks.contains("partielle : 4 jours sur 7"), "{weeks}");
    assert!(weeks.contains("partielle : 6 jours sur 7"), "{weeks}");
}

/// The attacker's linear programme over a year of files with corrections: a year of synthetic
/// facts (one in twenty of the benchmarks' year, so that small cells abound) published month
/// by month, then three months corrected with late cases, among them cases landing on cells
/// published as 0 (the revision attack): every revision read together with the month's
/// earlier ones, no secret cell can be bounded under 11.
#[tokio::test]
async fn a_year_of_files_and_their_corrections_leaves_no_secret_cell_exposed() {
    use cyberdir::observatory::{corrections, secrecy, synthetic};
    let app = TestApp::spawn().await;
    let state = app.state.clone();
    let places: Vec<synthetic::Place> = state
        .departements
        .all()
        .iter()
        .map(|d| synthetic::Place {
            departement: d.code.clone(),
            region: d.region_code(),
            weight: 1.0,
        })
        .collect();
    let end = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
    let mut facts = Vec::new();
    let mut kept = 0u64;
    synthetic::generate(1, end, &state.taxonomy, &places, None, |fact| {
        kept += 1;
        if kept.is_multiple_of(20) {
            facts.push(fact);
        }
        Ok::<_, ()>(())
    })
    .unwrap();
    assert!(facts.len() > 15_000, "{} facts", facts.len());
    insert(&app, facts).await;
    let published = app.run_jobs().await.open_data_files;
    assert!(published >= 12, "{published} months published");

    // Late cases for three months, two of them on cells published as 0.
    let mut late = Vec::new();
    for (month, day) in [("2026-03", 14), ("2026-07", 9), ("2026-10", 21)] {
        let first = cyberdir::domain::observatory::parse_month(month).unwrap();
        let on = first.with_day(day).unwrap();
        let zeros: Vec<Key> = {
            let file = public_file(&app, month).await;
            cells(&file)
                .into_iter()
                .filter(|(k, v)| {
                    *v == Some(0) && k.0 != "total" && k.1 != "total" && k.2 != "total"
                })
                .map(|(k, _)| k)
                .take(2)
                .collect()
        };
        assert_eq!(zeros.len(), 2, "{month} has cells published as 0");
        for (i, (incident, audience, region)) in zeros.iter().enumerate() {
            let departement = state
                .departements
                .all()
                .iter()
                .find(|d| &d.region_code() == region)
                .map(|d| d.code.clone());
            let Some(departement) = departement else {
                continue;
            };
            for n in 0..2 {
                late.push(placed(
                    journey(
                        &format!("late-{month}-{i}-{n}"),
                        on,
                        audience,
                        Some(incident),
                    ),
                    &departement,
                    region,
                ));
            }
        }
        // And a few ordinary late cases.
        for n in 0..5 {
            late.push(placed(
                journey(
                    &format!("late-{month}-h-{n}"),
                    on,
                    "particulier",
                    Some("hameconnage"),
                ),
                "35",
                "bretagne",
            ));
        }
    }
    insert(&app, late).await;
    let admin = cyberdir::domain::actor::Actor {
        id: "admin".into(),
        email: "admin@cyberdir.fr".into(),
        display_name: "Admin".into(),
        role: Role::Admin,
        memberships: Vec::new(),
    };
    let inner = state.clone();
    let revisions = tokio::task::spawn_blocking(move || {
        ["2026-03", "2026-07", "2026-10"].map(|month| {
            let mut seen = Vec::new();
            let revision = corrections::correct_now(
                &inner,
                &inner.observatory,
                &admin,
                (month, "Cas arrivés en retard, ajoutés au mois."),
                &mut |view| seen.push((view.percent, view.phase)),
            );
            (revision, seen)
        })
    })
    .await
    .unwrap();
    for (r, seen) in &revisions {
        assert_eq!(r.as_ref().ok(), Some(&2), "{r:?}");
        // The admin saw the work go forward: protection, then audit, never backwards.
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
        assert!(
            seen.iter().any(|s| s.1 == "Protection du nouveau fichier"),
            "{seen:?}"
        );
        assert!(
            seen.iter().any(|s| s.1 == "Audit avant publication"),
            "{seen:?}"
        );
        assert_eq!(seen.last().map(|s| s.0), Some(100), "{seen:?}");
    }

    // The whole audit: every month, every revision read together.
    let inner = state.clone();
    let audits = tokio::task::spawn_blocking(move || secrecy::audit_published(&inner))
        .await
        .unwrap()
        .unwrap();
    assert!(audits.len() >= 12);
    assert_eq!(audits.iter().filter(|a| a.revisions == 2).count(), 3);
    for audit in &audits {
        assert!(
            audit.secret_cells > 0,
            "{}: small cells are secret",
            audit.table
        );
        assert!(
            audit.exposures.is_empty(),
            "{}: {:?}",
            audit.table,
            audit.exposures
        );
    }
}

async fn public_file(app: &TestApp, month: &str) -> String {
    Browser::new(&app.address)
        .get(&format!("/statistiques/donnees/{month}.csv"))
        .await
        .html
}
