//! A partner's figures: calendar months from one protected table per year, a month published
//! once it has ended and frozen as it stood, each later table of the year protected together
//! with the ones already published.

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::observatory::insert;
use crate::common::partners::create;
use crate::partners::figures;
use cyberdir::auth::Role;
use cyberdir::db::observatory::FactValues;
use cyberdir::domain::observatory::suppression::DEFAULT_THRESHOLD;
use cyberdir::domain::observatory::suppression::attacker::{self, Publication};

fn december(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, 9, 0, 0).unwrap()
}

fn fact(id: usize, day: NaiveDate, kind: &str, outcome: &str, partner: Option<&str>) -> FactValues {
    let mut fact = crate::common::observatory::journey(
        &format!("f{id}"),
        day,
        "particulier",
        Some("hameconnage"),
    );
    fact.kind = kind.into();
    fact.outcome = outcome.into();
    fact.channel = if partner.is_some() {
        "module".into()
    } else {
        "site".into()
    };
    fact.partner = partner.map(str::to_owned);
    fact
}

#[tokio::test]
async fn a_partner_reads_its_own_monthly_figures_with_small_counts_suppressed() {
    let app = TestApp::spawn().await;
    // November is published once it has ended.
    app.clock.set(december(2));
    let (staff, key) = partner_with_key(&app).await;

    let october = NaiveDate::from_ymd_opt(2026, 10, 12).unwrap();
    let november = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
    let mut facts = Vec::new();
    let mut add = |n: usize, day, kind: &str, outcome: &str, partner| {
        for _ in 0..n {
            let id = facts.len();
            facts.push(fact(id, day, kind, outcome, partner));
        }
    };
    add(40, october, "journey", "advice", Some("banque-exemple"));
    add(
        25,
        october,
        "journey",
        "redirection",
        Some("banque-exemple"),
    );
    add(3, october, "journey", "request", Some("banque-exemple"));
    add(30, november, "journey", "advice", Some("banque-exemple"));
    add(
        20,
        november,
        "journey",
        "redirection",
        Some("banque-exemple"),
    );
    add(15, november, "journey", "request", Some("banque-exemple"));
    add(15, november, "request", "resolved", Some("banque-exemple"));
    // Another partner's and the site's are not this partner's.
    add(500, november, "journey", "advice", Some("autre"));
    add(500, november, "journey", "advice", None);
    insert(&app, facts).await;

    let (status, body) = figures(
        &app,
        "banque-exemple",
        Some(&key),
        "?from=2026-10&to=2026-11",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["threshold"], 11);
    let rows = body["journeys"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "two months and the year's total");
    assert_eq!(rows[2]["month"], "2026");
    assert_eq!(rows[2]["partial"], true, "the year so far");
    assert_eq!(
        rows[2]["label"],
        "Total 2026 (janvier à novembre, année en cours)"
    );
    assert_eq!(rows[0]["month"], "2026-10");
    assert_eq!(count(&rows[0], "advice"), 40);
    assert_eq!(
        count(&rows[0], "professional"),
        Value::Null,
        "3 is under the threshold"
    );
    // Secondary suppression: no row and no column has exactly one hidden cell, so no total
    // minus the published cells gives the 3 back.
    let codes: Vec<&str> = ["started", "advice", "redirection", "professional"].into();
    for row in rows {
        let hidden = codes.iter().filter(|c| count(row, c).is_null()).count()
            + usize::from(row["total"].is_null());
        assert_ne!(hidden, 1, "{row}");
    }
    for code in &codes {
        let hidden = rows.iter().filter(|r| count(r, code).is_null()).count();
        assert_ne!(hidden, 1, "{code}: {body}");
    }
    assert_eq!(count(&rows[1], "advice"), 30);
    let requests = &body["requests"]["rows"].as_array().unwrap()[1];
    assert_eq!(count(requests, "resolved"), 15);
    assert!(!body.to_string().contains("500"));

    // October alone shows October and the year exactly as October–November does: no window
    // has a total of its own, so "October–November minus October" gives nothing back.
    let (status, october_only) = figures(
        &app,
        "banque-exemple",
        Some(&key),
        "?from=2026-10&to=2026-10",
    )
    .await;
    assert_eq!(status, 200, "{october_only}");
    for table in ["journeys", "requests"] {
        let alone = october_only[table]["rows"].as_array().unwrap();
        let both = body[table]["rows"].as_array().unwrap();
        assert_eq!(alone.len(), 2, "October and the year");
        assert_eq!(alone[0], both[0], "{table}: October");
        assert_eq!(alone[1], both[2], "{table}: the year 2026");
    }

    // Staff read the same on the partner's page.
    let staff_view = staff
        .client
        .get(app.url("/partenaires/banque-exemple"))
        .send()
        .await
        .unwrap();
    assert_eq!(staff_view.status().as_u16(), 200);
    let html = staff_view.text().await.unwrap();
    assert!(html.contains("Chiffres du module"));
    assert!(
        html.contains("Les nombres de 1 à 10, et ceux"),
        "the largest secret count is said as a number"
    );
    assert!(!html.contains("– 1,"));

    // Bad months are named.
    let (status, problem) = figures(
        &app,
        "banque-exemple",
        Some(&key),
        "?from=2026-13&to=2026-11",
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"]["from"].is_array());
    let (status, _) = figures(
        &app,
        "banque-exemple",
        Some(&key),
        "?from=2020-01&to=2026-11",
    )
    .await;
    assert_eq!(status, 422, "more than 36 months");
    let (status, _) = figures(&app, "banque-exemple", Some(&key), "?to=").await;
    assert_eq!(status, 422, "an empty month is not a month");
}

/// A partner with a key, for the figures' tests: the staff who made it, and the key.
async fn partner_with_key(app: &TestApp) -> (crate::common::Session, String) {
    let staff = app.user("equipe@cyberdir.fr", Role::Staff).await;
    create(
        &staff,
        "Banque Exemple",
        &["https://www.banque.fr"],
        "parcours",
    )
    .await;
    let (_, issued) = staff
        .post("/api/v1/partners/banque-exemple/keys", &json!({}))
        .await;
    let key = issued["secret"].as_str().unwrap().to_owned();
    (staff, key)
}

/// `n` facts of the partner's module from `first_id` on.
fn facts(first_id: usize, n: usize, day: NaiveDate, kind: &str, outcome: &str) -> Vec<FactValues> {
    (first_id..first_id + n)
        .map(|id| fact(id, day, kind, outcome, Some("banque-exemple")))
        .collect()
}

#[tokio::test]
async fn a_month_is_published_once_ended_and_frozen_and_the_next_tables_keep_its_secrets() {
    let app = TestApp::spawn().await;
    let (_, key) = partner_with_key(&app).await;
    let october = NaiveDate::from_ymd_opt(2026, 10, 14).unwrap();
    let november = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
    let mut batch = facts(0, 40, october, "journey", "advice");
    batch.extend(facts(100, 3, october, "journey", "request"));
    batch.extend(facts(200, 12, november, "journey", "advice"));
    insert(&app, batch).await;

    // On 23 November, October is the last month ended: November is refused, by name.
    let (status, problem) = figures(&app, "banque-exemple", Some(&key), "?to=2026-11").await;
    assert_eq!(status, 422, "{problem}");
    let message = problem["errors"]["to"][0].as_str().unwrap_or_default();
    assert!(message.contains("octobre 2026 (2026-10)"), "{problem}");
    let (status, first) = figures(&app, "banque-exemple", Some(&key), "").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["to"], "2026-10", "the last month ended by default");
    assert_eq!(first["from"], "2025-11");
    let rows = first["journeys"]["rows"].as_array().unwrap();
    let october_row = rows.iter().find(|r| r["month"] == "2026-10").unwrap();
    assert_eq!(october_row["total"], 43);
    assert!(
        !first.to_string().contains("\"total\":12"),
        "November's journeys are not published while the month runs: {first}"
    );

    // Two late October requests come in the same day: what was published stays as it was.
    insert(&app, facts(300, 2, october, "journey", "request")).await;
    let (_, again) = figures(&app, "banque-exemple", Some(&key), "").await;
    assert_eq!(again, first, "October is frozen as it was published");

    // On 2 December November has ended: a new table of 2026, the late requests in it, read
    // by eight partners' servers at once, is published once.
    app.clock.set(december(2));
    let asks = (0..8).map(|_| figures(&app, "banque-exemple", Some(&key), "?from=2026-10"));
    let answers = futures_util::future::join_all(asks).await;
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body, &answers[0].1, "one table, whoever asked first");
    }
    let december_view = &answers[0].1;
    let rows = december_view["journeys"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "October, November and the year so far");
    assert_eq!(
        rows[0]["total"], 45,
        "the late requests are in the next table"
    );
    assert_eq!(rows[1]["total"], 12);

    // Every table of the year published, read together by the attacker's programme: no
    // hidden count of any can be narrowed under the threshold.
    let stored = app
        .with_conn(|conn| {
            ["journeys", "requests"].map(|subject| {
                cyberdir::db::partners::figures_of_year(conn, "banque-exemple", 2026, subject)
                    .unwrap()
            })
        })
        .await;
    let [journeys, requests] = stored;
    assert_eq!(
        journeys.iter().map(|r| r.through_month).collect::<Vec<_>>(),
        [10, 11],
        "one table per month ended that someone asked for"
    );
    assert_eq!(requests.len(), 2);
    let tables: Vec<Publication> = journeys
        .iter()
        .map(|row| {
            let values: Vec<Option<u64>> = serde_json::from_str(&row.cells).unwrap();
            Publication::new(&[12, 4], values).unwrap()
        })
        .collect();
    assert!(
        tables.iter().any(|t| t.secret_count() > 0),
        "the 3 and then 5 requests of October are secret"
    );
    let exposures = attacker::exposures(&tables, DEFAULT_THRESHOLD).unwrap();
    assert!(exposures.is_empty(), "{exposures:?}");
}

/// A table that would let the partner narrow a secret count is refused before it goes out,
/// the cell named, and nothing is stored; `cyberdir observatory audit` reads the partners'
/// tables too and fails on it. Here the leak is a September table slipped into the database:
/// every figure exact but the 4 journeys ending in advice, which its totals give back.
#[tokio::test]
async fn a_partner_table_that_leaks_is_refused_by_name_and_the_audit_finds_it() {
    let app = TestApp::spawn().await;
    let (_, key) = partner_with_key(&app).await;
    let october = NaiveDate::from_ymd_opt(2026, 10, 14).unwrap();
    let mut batch = facts(0, 40, october, "journey", "advice");
    batch.extend(facts(100, 3, october, "journey", "request"));
    insert(&app, batch).await;
    // 13 rows (the months, then the year) of 5 cells (the outcomes, then the total).
    let mut cells: Vec<Option<u64>> = vec![Some(0); 13 * 5];
    cells[8 * 5 + 1] = None;
    for total in [8 * 5 + 4, 12 * 5 + 1, 12 * 5 + 4] {
        cells[total] = Some(4);
    }
    let crafted = cyberdir::db::partners::FiguresRow {
        partner_id: "banque-exemple".into(),
        year: 2026,
        through_month: 9,
        subject: "journeys".into(),
        cells: serde_json::to_string(&cells).unwrap(),
        published_at: chrono::Utc::now().naive_utc(),
    };
    app.with_conn(move |c| cyberdir::db::partners::insert_figures(c, &crafted).unwrap())
        .await;

    let (status, problem) = figures(&app, "banque-exemple", Some(&key), "").await;
    assert_eq!(status, 409, "{problem}");
    // The partner is the reader the secret protects: refused, but told nothing of the cell.
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("l'audit du secret statistique les a refusés")
            && !detail.contains("septembre")
            && !detail.contains('4'),
        "{problem}"
    );
    // Staff still open the partner's page (to revoke a key, say), told why no figures show.
    let staff = crate::common::pages::Browser::new(&app.address);
    staff.log_in("equipe@cyberdir.fr").await;
    let page = staff.get("/partenaires/banque-exemple").await;
    assert_eq!(page.status, 200);
    assert!(
        page.element("figures-unavailable")
            .unwrap_or_default()
            .contains("l'audit du secret statistique les a refusés"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("Créer une clé"));
    let stored = app
        .with_conn(|c| {
            cyberdir::db::partners::figures_of_year(c, "banque-exemple", 2026, "journeys").unwrap()
        })
        .await;
    assert_eq!(
        stored.iter().map(|r| r.through_month).collect::<Vec<_>>(),
        [9],
        "October's table is not published"
    );

    let (passed, said) = crate::common::observatory::audit_from_the_command_line(&app).await;
    assert!(!passed, "{said}");
    assert!(
        said.contains("partenaire banque-exemple, parcours 2026 : 1 révision")
            && said.contains("parcours × septembre 2026 × Conseils (révision 1), exactement 4"),
        "{said}"
    );
}

/// The cell of a row of the figures' JSON, by column code (which the row must have).
fn count(row: &Value, code: &str) -> Value {
    row["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no column {code} in {row}"))["count"]
        .clone()
}

/// The layout of the stored tables of a year: how many cells each has.
async fn stored_cells(app: &TestApp, year: i32) -> Vec<(i32, usize)> {
    app.with_conn(move |c| {
        cyberdir::db::partners::figures_of_year(c, "banque-exemple", year, "journeys")
            .unwrap()
            .iter()
            .map(|row| {
                let cells: Vec<Option<u64>> = serde_json::from_str(&row.cells).unwrap();
                (row.through_month, cells.len())
            })
            .collect()
    })
    .await
}

/// A journey that went on to a professional counts in one column, whether by a search or a
/// request: no column of journeys counts the requests the other table counts, so no
/// inequality ties the two tables, protected apart (a column of journeys ended in a request
/// is at most the requests around it, which could give a hidden month back).
#[tokio::test]
async fn a_journey_on_to_a_professional_counts_in_one_column_whether_it_searched_or_asked() {
    let app = TestApp::spawn().await;
    let (_, key) = partner_with_key(&app).await;
    let october = NaiveDate::from_ymd_opt(2026, 10, 14).unwrap();
    let mut batch = facts(0, 40, october, "journey", "advice");
    batch.extend(facts(100, 14, october, "journey", "search"));
    batch.extend(facts(200, 3, october, "journey", "request"));
    batch.extend(facts(300, 3, october, "request", "resolved"));
    insert(&app, batch).await;

    let (status, body) = figures(&app, "banque-exemple", Some(&key), "?from=2026-10").await;
    assert_eq!(status, 200, "{body}");
    let codes: Vec<&str> = body["journeys"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(codes, ["started", "advice", "redirection", "professional"]);
    let label = &body["journeys"]["columns"][3]["label"];
    assert_eq!(
        label,
        "Vers un professionnel (recherche ou demande d'assistance)"
    );
    let october_row = &body["journeys"]["rows"][0];
    assert_eq!(october_row["month"], "2026-10");
    assert_eq!(
        count(october_row, "professional"),
        17,
        "14 searches and 3 requests, published together: {body}"
    );
    assert_eq!(count(october_row, "advice"), 40);
    assert_eq!(october_row["total"], 57);
    // The 3 requests stay secret in their own table.
    let requests = &body["requests"]["rows"][0];
    assert_eq!(count(requests, "resolved"), Value::Null, "{body}");
    assert_eq!(stored_cells(&app, 2026).await, [(10, 13 * 5)]);
}

/// A year whose tables were stored with the search and the request apart keeps that layout
/// for its next tables (a year's tables are protected together, in one layout), and every
/// table is shown in today's columns from what it already gives: the two summed when both
/// are published, or the row's total less its other cells.
#[tokio::test]
async fn a_year_stored_with_the_search_and_the_request_apart_is_shown_in_todays_columns() {
    let app = TestApp::spawn().await;
    let (_, key) = partner_with_key(&app).await;
    // 13 rows (the months, then the year) of 6 cells: started, advice, redirection, search,
    // request, total.
    let at = |month: usize, column: usize| month * 6 + column;
    let mut y2025: Vec<Option<u64>> = vec![Some(0); 13 * 6];
    // January: 20 searches and 15 requests; February: 17, its search and request secret.
    y2025[at(0, 3)] = Some(20);
    y2025[at(0, 4)] = Some(15);
    y2025[at(0, 5)] = Some(35);
    y2025[at(1, 3)] = None;
    y2025[at(1, 4)] = None;
    y2025[at(1, 5)] = Some(17);
    y2025[at(12, 3)] = None;
    y2025[at(12, 4)] = None;
    y2025[at(12, 5)] = Some(52);
    // 2026 through September: nothing yet.
    let y2026: Vec<Option<u64>> = vec![Some(0); 13 * 6];
    for (year, through, cells) in [(2025, 12, y2025), (2026, 9, y2026)] {
        let row = cyberdir::db::partners::FiguresRow {
            partner_id: "banque-exemple".into(),
            year,
            through_month: through,
            subject: "journeys".into(),
            cells: serde_json::to_string(&cells).unwrap(),
            published_at: chrono::Utc::now().naive_utc(),
        };
        app.with_conn(move |c| cyberdir::db::partners::insert_figures(c, &row).unwrap())
            .await;
    }
    let october = NaiveDate::from_ymd_opt(2026, 10, 14).unwrap();
    let mut batch = facts(0, 40, october, "journey", "advice");
    batch.extend(facts(100, 30, october, "journey", "search"));
    batch.extend(facts(200, 20, october, "journey", "request"));
    insert(&app, batch).await;

    let (status, body) = figures(
        &app,
        "banque-exemple",
        Some(&key),
        "?from=2025-01&to=2025-02",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let rows = body["journeys"]["rows"].as_array().unwrap();
    assert_eq!(count(&rows[0], "professional"), 35, "20 + 15: {body}");
    assert_eq!(
        count(&rows[1], "professional"),
        17,
        "the total less the rest of the row: {body}"
    );
    assert_eq!(rows[1]["total"], 17);
    assert_eq!(rows[2]["month"], "2025");
    assert_eq!(count(&rows[2], "professional"), 52);
    assert_eq!(rows[2]["total"], 52);
    assert!(!body.to_string().contains("\"search\""), "{body}");

    // October's table of 2026 is protected with September's, in its layout, and shown in
    // today's columns.
    let (status, body) = figures(&app, "banque-exemple", Some(&key), "?from=2026-10").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(stored_cells(&app, 2026).await, [(9, 13 * 6), (10, 13 * 6)]);
    let october_row = &body["journeys"]["rows"][0];
    assert_eq!(count(october_row, "professional"), 50, "{body}");
    assert_eq!(october_row["total"], 90);
}
