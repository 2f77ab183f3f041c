//! An admin's correction of a month's open-data file, computed in the background: the page
//! follows it in real Chromium until its outcome; two nodes never both compute one; a node
//! that stops leaves it to another once its lease has run out, and can publish nothing after;
//! a correction interrupted again and again ends with a clear message.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use crate::common::browser::Browser as Chromium;
use crate::common::observatory::{insert, journey, placed};
use crate::common::pages::Browser;
use crate::common::{TestApp, TestDb};
use cyberdir::auth::Role;
use cyberdir::db::observatory::FactValues;
use cyberdir::db::open_data_corrections as queries;
use cyberdir::domain::observatory::correction::CorrectionState;
use cyberdir::observatory::corrections;

const NOTE: &str = "Signalements tardifs de fin octobre ajoutés.";

/// October's cases, with a small cell (3) that the file keeps secret.
fn october(tag: &str, counts: &[(usize, &str, &str, (&str, &str))]) -> Vec<FactValues> {
    let mut facts = Vec::new();
    for (k, &(n, incident, audience, (departement, region))) in counts.iter().enumerate() {
        for i in 0..n {
            let day = NaiveDate::from_ymd_opt(2026, 10, 1 + (i % 28) as u32).unwrap();
            let id = format!("{tag}-{k}-{i}");
            facts.push(placed(
                journey(&id, day, audience, Some(incident)),
                departement,
                region,
            ));
        }
    }
    facts
}

/// October published, then late cases that a correction adds: the app and the admin.
async fn october_with_late_cases(app: &TestApp) -> cyberdir::domain::actor::Actor {
    let (bretagne, paris) = (("35", "bretagne"), ("75", "ile-de-france"));
    insert(
        app,
        october(
            "on-time",
            &[
                (40, "hameconnage", "particulier", bretagne),
                (3, "hameconnage", "particulier", paris),
                (25, "hameconnage", "entreprise", bretagne),
                (50, "rancongiciel", "particulier", paris),
            ],
        ),
    )
    .await;
    assert_eq!(app.run_jobs().await.open_data_files, 1);
    insert(
        app,
        october("late", &[(30, "hameconnage", "particulier", paris)]),
    )
    .await;
    admin()
}

fn admin() -> cyberdir::domain::actor::Actor {
    cyberdir::domain::actor::Actor {
        id: "admin".into(),
        email: "admin@cyberdir.fr".into(),
        display_name: "Admin".into(),
        role: Role::Admin,
        memberships: Vec::new(),
    }
}

async fn ask(app: &TestApp) -> String {
    let state = app.state.clone();
    tokio::task::spawn_blocking(move || corrections::ask(&state, &admin(), "2026-10", NOTE))
        .await
        .unwrap()
        .unwrap()
}

async fn row(app: &TestApp, id: &str) -> queries::CorrectionRow {
    let id = id.to_owned();
    app.with_conn(move |conn| queries::find(conn, &id).unwrap().unwrap())
        .await
}

async fn revisions(app: &TestApp) -> usize {
    app.with_conn(|conn| {
        cyberdir::db::observatory::release_history(conn, "2026-10")
            .unwrap()
            .len()
    })
    .await
}

#[tokio::test]
async fn the_correction_page_shows_its_outcome_in_the_browser_without_being_reloaded() {
    let app = TestApp::spawn().await;
    october_with_late_cases(&app).await;
    app.user("admin@cyberdir.fr", Role::Admin).await;
    let chromium = Chromium::start().await;
    chromium.sign_in(&app, "admin@cyberdir.fr").await;
    chromium.goto(&app.url("/observatoire/fichiers")).await;
    chromium.wait_for_text("Publier une correction").await;
    chromium.type_into("#note-2026-10", NOTE).await;
    chromium.click("#correct-2026-10 button[type=submit]").await;
    // The page answers at once, with the computation still to come.
    chromium.wait_for_text("Avancement du calcul").await;
    let text = chromium.body_text().await;
    assert!(text.contains("En attente"), "{text}");
    assert!(text.contains(NOTE), "{text}");
    chromium.assert_accessible("a correction under way").await;
    // A node computes it; the page, open all along, reads the progress and then shows the
    // outcome without anyone reloading it.
    assert_eq!(app.run_corrections().await, 1);
    chromium
        .wait_for_text("Révision 2 du fichier d'octobre 2026 publiée")
        .await;
    // The outcome takes the focus, so that a screen reader reads it out.
    let focused = chromium
        .js(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await;
    assert_eq!(focused, serde_json::json!("correction-outcome"));
    chromium.assert_accessible("a correction published").await;
    chromium.close().await;
    assert_eq!(revisions(&app).await, 2);
}

#[tokio::test]
async fn two_nodes_never_compute_one_correction_twice() {
    let db = Arc::new(TestDb::new());
    let one = TestApp::spawn_on(Arc::clone(&db)).await;
    let other = TestApp::spawn_on(db).await;
    october_with_late_cases(&one).await;
    let id = ask(&one).await;
    let (a, b) = tokio::join!(one.run_corrections(), other.run_corrections());
    assert_eq!(a + b, 1, "one node computed it");
    let done = row(&one, &id).await;
    assert_eq!(done.state, CorrectionState::Published);
    assert_eq!(done.revision, Some(2));
    assert_eq!(done.attempts, 1);
    assert_eq!(revisions(&one).await, 2);
    let audit = one
        .with_conn(|conn| {
            cyberdir::db::audit::events_of(conn, "open_data_file", "2026-10").unwrap()
        })
        .await;
    assert_eq!(audit.len(), 1, "published and audited once");
}

/// Three nodes claim at the same instant (the tests' pool holds four connections): the
/// conditional write lets one take it.
#[tokio::test]
async fn claims_at_the_same_instant_take_a_correction_once() {
    let app = TestApp::spawn().await;
    october_with_late_cases(&app).await;
    ask(&app).await;
    let now = app.clock.now_naive();
    let lease = Duration::seconds(corrections::LEASE_SECONDS);
    let start = Arc::new(std::sync::Barrier::new(3));
    let claims: Vec<_> = (0..3)
        .map(|node| {
            let pool = app.state.pool.clone();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                start.wait();
                let claim = format!("node-{node}");
                queries::claim(&mut conn, None, &claim, now, lease).unwrap()
            })
        })
        .collect();
    let taken: Vec<_> = claims
        .into_iter()
        .filter_map(|claim| claim.join().unwrap())
        .collect();
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert_eq!(taken[0].attempts, 1);
}

#[tokio::test]
async fn a_node_that_stops_leaves_its_correction_to_another_once_the_lease_has_run_out() {
    let app = TestApp::spawn().await;
    october_with_late_cases(&app).await;
    let id = ask(&app).await;
    // A node claims it and stops (no progress, no outcome).
    let now = app.clock.now_naive();
    let lease = Duration::seconds(corrections::LEASE_SECONDS);
    let claimed = app
        .with_conn(move |conn| queries::claim(conn, None, "stopped-node", now, lease).unwrap())
        .await;
    assert_eq!(claimed.map(|c| c.state), Some(CorrectionState::Running));
    let page = Browser::sign_in(&app, "admin@cyberdir.fr", Role::Admin).await;
    let following = page
        .get(&format!("/observatoire/fichiers/corrections/{id}"))
        .await;
    assert!(
        following
            .element("correction-phase")
            .unwrap()
            .contains("Lecture des faits"),
        "{}",
        following.text()
    );
    // While the lease holds, no other node takes it.
    assert_eq!(app.run_corrections().await, 0);
    assert_eq!(revisions(&app).await, 1);
    app.clock
        .set(app.clock.now() + Duration::seconds(corrections::LEASE_SECONDS + 1));
    assert_eq!(app.run_corrections().await, 1, "taken over");
    let done = row(&app, &id).await;
    assert_eq!(done.state, CorrectionState::Published);
    assert_eq!(done.attempts, 2);
    assert_eq!(revisions(&app).await, 2);
    // The stopped node, back, can record nothing: its claim is gone.
    let id2 = id.clone();
    let now = app.clock.now_naive();
    let late = app
        .with_conn(move |conn| {
            let outcome = (CorrectionState::Refused, None, Some("trop tard"));
            queries::finish(conn, &id2, "stopped-node", now, outcome).unwrap()
        })
        .await;
    assert!(!late);
    assert_eq!(row(&app, &id).await.state, CorrectionState::Published);
}

#[tokio::test]
async fn a_correction_interrupted_again_and_again_ends_with_a_clear_message_and_can_be_asked_again()
{
    let app = TestApp::spawn().await;
    october_with_late_cases(&app).await;
    let id = ask(&app).await;
    let lease = Duration::seconds(corrections::LEASE_SECONDS);
    for _ in 0..corrections::MAX_ATTEMPTS {
        let now = app.clock.now_naive();
        let claimed = app
            .with_conn(move |conn| queries::claim(conn, None, "crashing-node", now, lease).unwrap())
            .await;
        assert!(claimed.is_some());
        app.clock
            .set(app.clock.now() + lease + Duration::seconds(1));
    }
    assert_eq!(app.run_corrections().await, 0, "failed, not computed");
    let failed = row(&app, &id).await;
    assert_eq!(failed.state, CorrectionState::Failed);
    assert_eq!(revisions(&app).await, 1, "nothing published");
    let admin = Browser::sign_in(&app, "admin@cyberdir.fr", Role::Admin).await;
    let page = admin
        .get(&format!("/observatoire/fichiers/corrections/{id}"))
        .await;
    assert!(
        page.element("correction-outcome")
            .unwrap()
            .contains("rien n'a été publié"),
        "{}",
        page.text()
    );
    // The month's form is back: the admin asks again, and this time it is published.
    let files = admin.get("/observatoire/fichiers").await;
    let asked = admin
        .submit(
            &files,
            "/observatoire/fichiers/2026-10/correction",
            &[("note", NOTE)],
        )
        .await;
    assert_eq!(asked.status, 303);
    assert_eq!(app.run_corrections().await, 1);
    assert_eq!(revisions(&app).await, 2);
}

#[tokio::test]
async fn a_correction_is_followed_only_by_staff_and_an_unknown_one_is_a_clear_404() {
    let app = TestApp::spawn().await;
    october_with_late_cases(&app).await;
    let id = ask(&app).await;
    let url = format!("/observatoire/fichiers/corrections/{id}");
    let anonymous = Browser::new(&app.address);
    let page = anonymous.get(&url).await;
    assert_ne!(page.status, 200);
    assert!(!page.text().contains(NOTE));
    let provider = Browser::sign_in(&app, "gerant@breizh-cyber.fr", Role::Provider).await;
    assert_eq!(provider.get(&url).await.status, 403);
    assert_eq!(provider.get(&format!("{url}/etat")).await.status, 403);
    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;
    let status = staff.get(&format!("{url}/etat")).await;
    assert_eq!(status.status, 200);
    let status: serde_json::Value = serde_json::from_str(&status.html).unwrap();
    assert_eq!(status["pending"], true);
    assert_eq!(status["percent"], 0);
    assert_eq!(status["phase"], "En attente");
    let unknown = staff
        .get("/observatoire/fichiers/corrections/pas-une-correction")
        .await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.text().contains("Cette correction n'existe pas"));
}

/// A correction is audited with every revision of its month before it goes out: with a
/// revision slipped into the database that gives the 3 away (every other figure exact), and
/// a clean one after it, the correction is refused, the cell named for the admin, and
/// nothing more is published.
#[tokio::test]
async fn a_correction_is_audited_with_every_revision_and_refused_by_name() {
    let app = TestApp::spawn().await;
    october_with_late_cases(&app).await;
    let published = Browser::new(&app.address)
        .get("/statistiques/donnees/2026-10.csv")
        .await
        .html;
    // October as first published: (count, type, audience, région).
    let facts = [
        (40, "hameconnage", "particulier", "bretagne"),
        (3, "hameconnage", "particulier", "ile-de-france"),
        (25, "hameconnage", "entreprise", "bretagne"),
        (50, "rancongiciel", "particulier", "ile-de-france"),
    ];
    let exact = |t: &str, a: &str, r: &str| -> u64 {
        let fits = |code: &str, value: &str| code == "total" || code == value;
        facts
            .iter()
            .filter(|f| fits(t, f.1) && fits(a, f.2) && fits(r, f.3))
            .map(|f| f.0)
            .sum()
    };
    let mut reader = csv::Reader::from_reader(published.as_bytes());
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(reader.headers().unwrap()).unwrap();
    let mut kept_secret = 0;
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        let target = [&row[1], &row[4], &row[5]] == ["hameconnage", "particulier", "ile-de-france"];
        if row[8] == "true" && !target {
            row[7] = exact(&row[1], &row[4], &row[5]).to_string();
            row[8] = "false".into();
        }
        kept_secret += usize::from(row[8] == "true");
        writer.write_record(&row).unwrap();
    }
    assert_eq!(kept_secret, 1, "only the 3 is left secret");
    let crafted = cyberdir::db::observatory::ReleaseRow {
        month: "2026-10".into(),
        revision: 2,
        sha256: "crafted".into(),
        csv: String::from_utf8(writer.into_inner().unwrap()).unwrap(),
        note: None,
        published_at: chrono::Utc::now().naive_utc(),
    };
    // And a clean revision after it (the first file again): the audit reads every
    // revision, not only the latest.
    let clean = cyberdir::db::observatory::ReleaseRow {
        revision: 3,
        sha256: "clean".into(),
        csv: published.clone(),
        ..crafted.clone()
    };
    app.with_conn(move |c| {
        cyberdir::db::observatory::insert_release(c, &crafted).unwrap();
        cyberdir::db::observatory::insert_release(c, &clean).unwrap();
    })
    .await;

    let id = ask(&app).await;
    app.run_corrections().await;
    let asked = row(&app, &id).await;
    assert_eq!(asked.state, CorrectionState::Refused, "{asked:?}");
    let outcome = asked.outcome.unwrap_or_default();
    assert!(
        outcome.contains("hameconnage × particulier × Île-de-France")
            && outcome.contains("vaut exactement 3"),
        "{outcome}"
    );
    assert_eq!(revisions(&app).await, 3, "no fourth revision");
}
