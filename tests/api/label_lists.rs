//! The label's staff lists as a back office uses them all day: the applications (staff's and
//! the auditor's) and the register of labels, searched by the organisation's words, filtered
//! by state, sorted by column, paged by the database and exported as filtered, over HTTP on
//! both databases.

use crate::common;
use crate::staff_lists::organisation;

use common::TestApp;
use common::pages::Browser;
use cyberdir::auth::Role;
use cyberdir::domain::label_application::ApplicationStatus::{self, *};
use cyberdir::domain::provider::ReferencingStatus;

/// The applications a staff page lists, by the end of their id (`a01`), in its order.
fn applications_listed(page: &common::pages::Page) -> Vec<String> {
    page.links("/instruction/label/app-")
        .iter()
        .map(|href| {
            href.trim_start_matches("/instruction/label/app-")
                .to_owned()
        })
        .collect()
}

/// A submitted label application of `provider_id`, opened by `staff_id`.
async fn label_application(app: &TestApp, provider_id: &str, staff_id: &str) {
    label_application_at(app, provider_id, staff_id, 0, None, Submitted).await;
}

/// An application in `status`, changed `minutes_ago`, with its audit on `audit_date`.
async fn label_application_at(
    app: &TestApp,
    provider_id: &str,
    staff_id: &str,
    minutes_ago: i64,
    audit_date: Option<chrono::NaiveDate>,
    status: ApplicationStatus,
) {
    use cyberdir::domain::label_application::{ApplicationKind, FeeStatus};
    let now = app.clock.now_naive() - chrono::Duration::minutes(minutes_ago);
    let row = cyberdir::db::labels::ApplicationRow {
        id: format!("app-{provider_id}"),
        provider_id: provider_id.to_owned(),
        kind: ApplicationKind::Initial,
        status,
        label_number: None,
        criteria_version: "2026".into(),
        fee_cents: 0,
        fee_status: FeeStatus::Waived,
        auditor_id: None,
        audit_date,
        audit_round: 0,
        recommendation: None,
        corrective_deadline: None,
        decision_reason: None,
        version: 1,
        created_by: staff_id.to_owned(),
        created_at: now,
        submitted_at: Some(now),
        updated_at: now,
    };
    let inserted = app
        .with_conn(move |c| cyberdir::db::labels::insert_application(c, &row).unwrap())
        .await;
    assert!(inserted);
}

#[tokio::test]
async fn label_applications_are_searched_by_their_organisation_and_exported_as_filtered() {
    let app = TestApp::spawn().await;
    for (id, name, city, postcode, siret) in [
        ("l1", "Breizh Cyber", "Rennes", "35000", "73282932000074"),
        (
            "l2",
            "Alsace Sécurité",
            "Strasbourg",
            "67000",
            "55208131766522",
        ),
        (
            "l3",
            "Corse Numérique",
            "Ajaccio",
            "20000",
            "44306184100047",
        ),
    ] {
        let mut p = organisation(id, name, city, postcode, siret);
        p.status = ReferencingStatus::Approved;
        app.insert(p).await;
    }
    let staff_api = app.user("staff@cyberdir.fr", Role::Staff).await;
    for id in ["l1", "l2", "l3"] {
        label_application(&app, id, &staff_api.user_id).await;
    }
    let staff = Browser::sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;

    // By name, accents and case ignored; by commune; by SIRET typed with spaces.
    for (search, expected) in [
        ("securite", "/instruction/label/app-l2"),
        ("AJACCIO", "/instruction/label/app-l3"),
        ("732 829 320 00074", "/instruction/label/app-l1"),
    ] {
        let page = staff
            .get(&format!(
                "/instruction/label?q={}",
                search.replace(' ', "+")
            ))
            .await;
        assert_eq!(page.status, 200);
        assert_eq!(
            page.links("/instruction/label/app-"),
            [expected],
            "{search}"
        );
    }

    // A single letter is refused beside the field, and the list shown whole.
    let refused = staff.get("/instruction/label?q=b").await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text()
            .contains("Tapez au moins deux lettres ou chiffres pour rechercher."),
        "{}",
        refused.text()
    );
    assert_eq!(refused.links("/instruction/label/app-").len(), 3);

    // The export holds the list as filtered.
    let searched = staff.get("/instruction/label?q=breizh").await;
    let export = searched.links("/instruction/label.csv");
    assert_eq!(export.len(), 1, "the export link keeps the search");
    let response = staff.client.get(app.url(&export[0])).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("Prestataire,Type,État"), "{csv}");
    assert!(
        lines[1].starts_with("Breizh Cyber,Première demande,"),
        "{csv}"
    );
}

#[tokio::test]
async fn label_applications_are_sorted_by_column_paged_and_exported_in_that_order() {
    let app = TestApp::spawn().await;
    let staff_api = app.user("staff@cyberdir.fr", Role::Staff).await;
    // 25 applications: changed one minute apart (a01 last), names in another order (by
    // i × 7 mod 25), an audit date for one in three.
    for i in 1..=25_i64 {
        let id = format!("a{i:02}");
        let name = format!("Organisation {:02}", (i * 7) % 25);
        let mut p = organisation(&id, &name, "Rennes", "35000", "73282932000074");
        p.status = ReferencingStatus::Approved;
        app.insert(p).await;
        let audit = (i % 3 == 0).then(|| {
            chrono::NaiveDate::from_ymd_opt(2026, 12, u32::try_from(30 - i).unwrap()).unwrap()
        });
        label_application_at(&app, &id, &staff_api.user_id, i, audit, Submitted).await;
    }
    let staff = Browser::sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;
    let listed = applications_listed;

    // By default the most recently changed first, 20 a page, with the pages' numbers.
    let first = staff.get("/instruction/label").await;
    assert_eq!(first.status, 200);
    let ids = listed(&first);
    assert_eq!(ids.len(), 20);
    assert_eq!((ids[0].as_str(), ids[19].as_str()), ("a01", "a20"));
    assert!(first.text().contains("25 demandes"), "{}", first.text());
    assert!(
        first.links("/instruction/label?page=2").len() >= 2,
        "number 2 and « suivante »"
    );
    let second = staff.get("/instruction/label?page=2").await;
    assert_eq!(listed(&second), ["a21", "a22", "a23", "a24", "a25"]);
    assert_eq!(
        listed(&staff.get("/instruction/label?page=9").await).len(),
        5,
        "the last page"
    );

    // By organisation, A to Z then Z to A from the column's heading.
    let by_name = staff.get("/instruction/label?tri=prestataire&par=50").await;
    let names: Vec<String> = listed(&by_name)
        .iter()
        .map(|id| {
            format!(
                "Organisation {:02}",
                (id[1..].parse::<i64>().unwrap() * 7) % 25
            )
        })
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names.len(), 25);
    assert_eq!(names, sorted);
    assert!(by_name.html.contains("aria-sort=\"ascending\""));
    let reverse = by_name.links("/instruction/label?tri=-prestataire");
    assert_eq!(
        reverse.len(),
        1,
        "the heading reverses the order, the page size kept"
    );
    assert!(reverse[0].contains("par=50"));
    let names_down = listed(&staff.get(&reverse[0]).await);
    assert_eq!(names_down.first(), listed(&by_name).last());

    // By audit date: the dated ones first, earliest first; the others after.
    let by_audit = listed(&staff.get("/instruction/label?tri=audit").await);
    assert_eq!(&by_audit[..3], ["a24", "a21", "a18"]);
    assert!(
        by_audit[8..]
            .iter()
            .all(|id| id[1..].parse::<i64>().unwrap() % 3 != 0)
    );

    // A wrong order or page size is said, and the list shown as by default.
    let wrong = staff.get("/instruction/label?tri=prix&par=7").await;
    assert_eq!(wrong.status, 422);
    let said = wrong.text();
    assert!(said.contains("Ordre de tri inconnu"), "{said}");
    assert!(said.contains("choisissez 20, 50 ou 100"), "{said}");
    assert_eq!(listed(&wrong)[0], "a01");

    // The export holds the whole list in the order shown.
    let export = by_name.links("/instruction/label.csv");
    let csv = staff.get(&export[0]).await.html;
    let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().skip(1).collect();
    assert_eq!(rows.len(), 25, "{csv}");
    let exported: Vec<String> = rows
        .iter()
        .map(|r| r.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(exported, sorted);
}

#[tokio::test]
async fn the_watch_lists_show_their_first_labels_and_lead_to_the_rest_in_the_register() {
    let app = TestApp::spawn().await;
    // 12 suspended labels, and a valid one past its last day that the nightly job has not
    // recorded yet (granted on 1 November 2024: it ended on 1 November 2026).
    for i in 1..=13_u32 {
        let mut p = organisation(
            &format!("w{i:02}"),
            &format!("Veille {i:02}"),
            "Rennes",
            "35000",
            "73282932000074",
        );
        p.status = ReferencingStatus::Approved;
        p.label = Some(if i == 13 {
            common::label("EC-2024-0013", (2024, 11, 1), "valid")
        } else {
            common::label(&format!("EC-2026-{i:04}"), (2026, 1, i), "suspended")
        });
        app.insert(p).await;
    }
    let staff = Browser::sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;
    let page = staff.get("/instruction/labels").await;
    assert_eq!(page.status, 200);
    let suspended = page
        .html
        .split("id=\"labels-suspended\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap_or_default();
    assert_eq!(
        suspended.matches("href=\"/instruction/labels/EC-").count(),
        10
    );
    assert!(page.text().contains("Voir les 12 labels dans le registre"));
    let all = staff
        .get(&page.links("/instruction/labels?etat=suspended")[0])
        .await;
    assert!(all.text().contains("12 labels"), "{}", all.text());
    // The label past its last day reads as expired, not valid.
    let said = page.text();
    assert!(
        said.contains("Valides 0") && said.contains("Expirés 1"),
        "{said}"
    );
    let expired = staff.get("/instruction/labels?etat=expired").await;
    assert!(expired.html.contains("EC-2024-0013"));
}

#[tokio::test]
async fn the_labels_register_is_searched_by_number_or_provider_sorted_paged_and_exported() {
    let app = TestApp::spawn().await;
    // 24 valid labels granted a month apart (EC-2025-0001 first), two suspended, one
    // withdrawn; "Sécurité Île-de-France" holds EC-2025-0007.
    for i in 1..=27_u32 {
        let id = format!("l{i:02}");
        let name = if i == 7 {
            "Sécurité Île-de-France".to_owned()
        } else {
            format!("Prestataire {:02}", 28 - i)
        };
        let status = match i {
            25 | 26 => "suspended",
            27 => "withdrawn",
            _ => "valid",
        };
        let mut p = organisation(&id, &name, "Rennes", "35000", "73282932000074");
        p.status = ReferencingStatus::Approved;
        let from = (
            2025 + i32::try_from((i - 1) / 12).unwrap(),
            (i - 1) % 12 + 1,
            1,
        );
        p.label = Some(common::label(&format!("EC-2025-{i:04}"), from, status));
        app.insert(p).await;
    }
    let staff = Browser::sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;
    let numbers = |page: &common::pages::Page| -> Vec<String> {
        page.links("/instruction/labels/EC-")
            .iter()
            .map(|href| href.trim_start_matches("/instruction/labels/").to_owned())
            .collect()
    };
    // The labels of the register's table (after the watch lists).
    let register = |page: &common::pages::Page| -> Vec<String> {
        let table = page
            .html
            .split("id=\"labels-register\"")
            .nth(1)
            .unwrap_or_default();
        table
            .split("href=\"/instruction/labels/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect()
    };

    // Valid labels by number, 20 a page; the tabs count each state.
    let first = staff.get("/instruction/labels").await;
    assert_eq!(first.status, 200);
    let shown = register(&first);
    assert_eq!(shown.len(), 20);
    assert!(shown[0].ends_with("EC-2025-0001") && shown[19].ends_with("EC-2025-0020"));
    let said = first.text();
    assert!(said.contains("24 labels"), "{said}");
    assert!(
        said.contains("Suspendus 2") && said.contains("Retirés 1") && said.contains("Tous 27"),
        "{said}"
    );
    let second = staff.get("/instruction/labels?page=2").await;
    assert_eq!(register(&second).len(), 4);

    // By number typed with spaces or dashes, by the provider's words without accents.
    for (search, expected) in [
        ("2025 0007", "EC-2025-0007"),
        ("ec-2025-0007", "EC-2025-0007"),
        ("ile de france", "EC-2025-0007"),
    ] {
        let page = staff
            .get(&format!(
                "/instruction/labels?q={}",
                search.replace(' ', "+")
            ))
            .await;
        assert_eq!(page.status, 200, "{search}");
        let found = register(&page);
        assert_eq!(found.len(), 1, "{search}: {found:?}");
        assert!(found[0].ends_with(expected));
    }

    // The ending soonest last when sorted by end of validity, descending; every state.
    let by_end = staff
        .get("/instruction/labels?etat=tous&tri=-fin&par=50")
        .await;
    let all = register(&by_end);
    assert_eq!(all.len(), 27);
    assert!(all[0].ends_with("EC-2025-0027") && all[26].ends_with("EC-2025-0001"));
    assert!(numbers(&by_end).len() >= 27);

    // A state that does not exist, or a single letter, is said; the register shown.
    let wrong = staff.get("/instruction/labels?etat=perdu&q=x").await;
    assert_eq!(wrong.status, 422);
    let said = wrong.text();
    assert!(said.contains("État de label inconnu."), "{said}");
    assert!(
        said.contains("Tapez au moins deux lettres ou chiffres"),
        "{said}"
    );
    assert_eq!(register(&wrong).len(), 20);

    // The export: the suspended ones, by provider, whole.
    let suspended = staff
        .get("/instruction/labels?etat=suspended&tri=prestataire")
        .await;
    let export = suspended.links("/instruction/labels.csv");
    assert_eq!(export.len(), 1);
    assert!(export[0].contains("etat=suspended") && export[0].contains("tri=prestataire"));
    let csv = staff.get(&export[0]).await.html;
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "Numéro,Prestataire,État,Valable du,Valable jusqu'au"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].starts_with("EC-2025-0026,Prestataire 02,Suspendu"),
        "{csv}"
    );
    assert!(
        lines[2].starts_with("EC-2025-0025,Prestataire 03,Suspendu"),
        "{csv}"
    );
}

#[tokio::test]
async fn an_auditor_finds_the_audits_to_do_soonest_first_and_searches_the_other_files() {
    use cyberdir::domain::label_application::{ApplicationKind, FeeStatus};
    let app = TestApp::spawn().await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let auditor = app.user("auditrice@certif.fr", Role::Auditor).await;
    let other = app.user("autre@certif.fr", Role::Auditor).await;
    let day = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(2026, m, d);
    for (id, name, status, audit, by) in [
        (
            "a1",
            "Alpha Sécurité",
            ApplicationStatus::AuditScheduled,
            day(12, 10),
            &auditor,
        ),
        (
            "a2",
            "Bravo Cyber",
            ApplicationStatus::AuditScheduled,
            day(12, 2),
            &auditor,
        ),
        (
            "a3",
            "Charlie Info",
            ApplicationStatus::Decision,
            day(11, 10),
            &auditor,
        ),
        (
            "a4",
            "Delta Réseaux",
            ApplicationStatus::Granted,
            day(10, 1),
            &auditor,
        ),
        (
            "a5",
            "Echo Numérique",
            ApplicationStatus::AuditScheduled,
            day(12, 1),
            &other,
        ),
    ] {
        let mut p = organisation(id, name, "Rennes", "35000", "73282932000074");
        p.status = ReferencingStatus::Approved;
        app.insert(p).await;
        let now = app.clock.now_naive();
        let row = cyberdir::db::labels::ApplicationRow {
            id: format!("app-{id}"),
            provider_id: id.to_owned(),
            kind: ApplicationKind::Initial,
            status,
            label_number: None,
            criteria_version: "2026".into(),
            fee_cents: 0,
            fee_status: FeeStatus::Paid,
            auditor_id: Some(by.user_id.clone()),
            audit_date: audit,
            audit_round: 1,
            recommendation: None,
            corrective_deadline: None,
            decision_reason: None,
            version: 1,
            created_by: staff.user_id.clone(),
            created_at: now,
            submitted_at: Some(now),
            updated_at: now,
        };
        app.with_conn(move |c| cyberdir::db::labels::insert_application(c, &row).unwrap())
            .await;
    }
    let browser = Browser::new(&app.address);
    browser.log_in("auditrice@certif.fr").await;
    let listed = |page: &common::pages::Page, table: &str| -> Vec<String> {
        let html = page
            .html
            .split(&format!("id=\"{table}\""))
            .nth(1)
            .unwrap_or_default();
        let html = html.split("</table>").next().unwrap_or_default();
        html.split("href=\"/audit/app-")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect()
    };

    // The audits to do, soonest first; the other files, latest audit first; never another
    // auditor's.
    let page = browser.get("/audit").await;
    assert_eq!(page.status, 200);
    assert_eq!(listed(&page, "audits-to-do"), ["a2", "a1"]);
    assert_eq!(listed(&page, "audits-done"), ["a3", "a4"]);
    assert!(!page.html.contains("Echo Numérique"));
    let by_name = browser.get("/audit?tri=-prestataire").await;
    assert_eq!(listed(&by_name, "audits-done"), ["a4", "a3"]);
    let searched = browser.get("/audit?q=reseaux").await;
    assert_eq!(listed(&searched, "audits-done"), ["a4"]);
    let refused = browser.get("/audit?q=d").await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text()
            .contains("Tapez au moins deux lettres ou chiffres")
    );
    assert_eq!(
        listed(&refused, "audits-done"),
        ["a3", "a4"],
        "the list shown whole"
    );
}

#[tokio::test]
async fn label_applications_are_read_a_page_at_a_time_by_state_in_the_order_of_work() {
    let app = TestApp::spawn().await;
    let staff_api = app.user("staff@cyberdir.fr", Role::Staff).await;
    // 24 applications changed one minute apart (a01 last), the states in a cycle of 12;
    // the odd ones' organisations are "Impaire".
    let cycle = [
        Granted,
        Submitted,
        Decision,
        Draft,
        Admissible,
        Submitted,
        Refused,
        AuditScheduled,
        Incomplete,
        Submitted,
        Withdrawn,
        CorrectiveActions,
    ];
    for i in 1..=24_i64 {
        let id = format!("a{i:02}");
        let parity = if i % 2 == 0 { "Paire" } else { "Impaire" };
        let name = format!("Organisation {parity} {i:02}");
        let mut p = organisation(&id, &name, "Rennes", "35000", "73282932000074");
        p.status = ReferencingStatus::Approved;
        app.insert(p).await;
        let status = cycle[usize::try_from(i - 1).unwrap() % cycle.len()];
        label_application_at(&app, &id, &staff_api.user_id, i, None, status).await;
    }
    let staff = Browser::new(&app.address);
    staff.log_in("staff@cyberdir.fr").await;
    let listed = applications_listed;

    // By state, in the order staff work through them: the submitted first, then the
    // incomplete, the admissible... the drafts last; the most recently changed first within
    // a state. The second page goes on where the first stopped.
    let first = staff.get("/instruction/label?tri=etat").await;
    assert_eq!(first.status, 200);
    let ids = listed(&first);
    assert_eq!(ids.len(), 20);
    assert_eq!(
        &ids[..10],
        [
            "a02", "a06", "a10", "a14", "a18", "a22", "a09", "a21", "a05", "a17"
        ]
    );
    assert_eq!(&ids[18..], ["a07", "a19"], "the refused end the first page");
    let second = staff.get("/instruction/label?tri=etat&page=2").await;
    assert_eq!(listed(&second), ["a11", "a23", "a04", "a16"]);
    let reverse = listed(&staff.get("/instruction/label?tri=-etat").await);
    assert_eq!(
        &reverse[..4],
        ["a04", "a16", "a11", "a23"],
        "the drafts first"
    );

    // The tabs count the states within the search, and keep it.
    let odd = staff.get("/instruction/label?q=impaire").await;
    assert_eq!(odd.status, 200);
    assert_eq!(listed(&odd).len(), 12);
    let said = odd.text();
    assert!(said.contains("Toutes 12"), "{said}");
    assert!(said.contains("incomplète 2"), "{said}");
    assert!(!said.contains("déposée"), "no odd one is submitted: {said}");
    let incomplete = odd.links("/instruction/label?etat=incomplete&q=impaire");
    assert_eq!(
        incomplete.len(),
        1,
        "{:?}",
        odd.links("/instruction/label?")
    );
    assert_eq!(listed(&staff.get(&incomplete[0]).await), ["a09", "a21"]);

    // "Mes dossiers": the two this staff member follows, in the order asked.
    for id in ["app-a03", "app-a05"] {
        let (user, now) = (staff_api.user_id.clone(), app.clock.now_naive());
        app.with_conn(move |c| {
            cyberdir::db::cases::set_follower(c, "label", id, None, Some(&user), now).unwrap()
        })
        .await;
    }
    let mine = staff.get("/instruction/label?suivi=moi&tri=etat").await;
    assert_eq!(listed(&mine), ["a05", "a03"], "admissible before decision");

    // A state that does not exist is said, and every application listed.
    let wrong = staff.get("/instruction/label?etat=perdue").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text().contains("État de demande inconnu."));
    assert_eq!(listed(&wrong).len(), 20);
    assert!(wrong.links("/instruction/label?etat=perdue").is_empty());

    // The API reads pages too: the most recently changed first, and an empty page past the
    // end (a program reading pages until one is empty stops).
    let (status, body) = staff_api
        .get("/api/v1/label-applications?limit=10&page=3")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["total"].as_i64(), body["page"].as_i64()),
        (Some(24), Some(3))
    );
    let ids: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["app-a21", "app-a22", "app-a23", "app-a24"]);
    let (_, past) = staff_api
        .get("/api/v1/label-applications?limit=10&page=4")
        .await;
    assert_eq!(past["results"].as_array().map(Vec::len), Some(0));
    assert_eq!(past["total"].as_i64(), Some(24));
    let (_, submitted) = staff_api
        .get("/api/v1/label-applications?status=submitted")
        .await;
    assert_eq!(submitted["total"].as_i64(), Some(6));
    assert_eq!(submitted["counts"]["granted"].as_i64(), Some(2));
    let (status, refused) = staff_api.get("/api/v1/label-applications?limit=101").await;
    assert_eq!(status, 422, "{refused}");
}
