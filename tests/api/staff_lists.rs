//! The staff lists as a back office is used all day: the organisations searched by name, SIRET,
//! email or commune, sorted by column, paged by number with a chosen size, and exported as
//! CSV with the same filters (every line, not a page), over HTTP on both databases.

use crate::common;

use common::pages::Browser;
use common::{Session, TestApp};
use cyberdir::auth::Role;
use cyberdir::domain::provider::ReferencingStatus;
use cyberdir::domain::zone::Zone;

/// An organisation with a name, a commune and a SIRET of its own, submitted to staff.
pub(crate) fn organisation(
    id: &str,
    name: &str,
    city: &str,
    postcode: &str,
    siret: &str,
) -> cyberdir::domain::provider::Provider {
    let mut p = common::provider(id, 48.1, -1.7, Zone::National);
    p.name = name.into();
    p.legal_name = format!("{name} SARL");
    p.city = city.into();
    p.postcode = postcode.into();
    p.siret = siret.into();
    p.email = format!("contact@{id}.example.fr");
    p.status = ReferencingStatus::Submitted;
    p
}

/// The organisations' names in the order the page lists them.
fn names_listed(html: &str) -> Vec<String> {
    html.split("<th scope=\"row\"><a href=\"/instruction/dossiers/")
        .skip(1)
        .filter_map(|rest| rest.split('>').nth(1))
        .filter_map(|rest| rest.split('<').next())
        .map(common::html::decode_entities)
        .collect()
}

async fn five_organisations(app: &TestApp) {
    for p in [
        organisation(
            "a1",
            "Éclair Informatique",
            "Saint-Étienne",
            "42000",
            "11111111100011",
        ),
        organisation("a2", "Dupont & Fils", "Rennes", "35000", "22222222200022"),
        organisation(
            "a3",
            "Atelier Numérique",
            "Marseille",
            "13001",
            "33333333300033",
        ),
        organisation(
            "a4",
            "Bastion Sécurité",
            "Rennes",
            "35700",
            "44444444400044",
        ),
        organisation("a5", "Cyber Dupont", "Brest", "29200", "55555555500055"),
    ] {
        app.insert(p).await;
    }
}

#[tokio::test]
async fn staff_find_an_organisation_by_name_siret_email_or_commune() {
    let app = TestApp::spawn().await;
    five_organisations(&app).await;
    let staff = Browser::sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;

    for (search, expected) in [
        // Accents and case do not matter; every word must appear.
        ("dupont", vec!["Cyber Dupont", "Dupont & Fils"]),
        ("DUPONT rennes", vec!["Dupont & Fils"]),
        ("saint etienne", vec!["Éclair Informatique"]),
        ("numerique", vec!["Atelier Numérique"]),
        // A word is found by its start.
        ("bast secu", vec!["Bastion Sécurité"]),
        // The SIRET as typed with spaces, the email, the postcode.
        ("444 444 444 00044", vec!["Bastion Sécurité"]),
        ("contact@a3.example.fr", vec!["Atelier Numérique"]),
        ("35700", vec!["Bastion Sécurité"]),
        ("personne", vec![]),
    ] {
        let page = staff
            .get(&format!("/instruction?q={}&tri=nom", urlencoding(search)))
            .await;
        assert_eq!(page.status, 200, "{search}");
        assert_eq!(names_listed(&page.html), expected, "search {search:?}");
        assert_eq!(page.value("q"), search, "the search stays in its field");
    }
    let none = staff.get("/instruction?q=personne").await;
    assert!(
        none.text()
            .contains("Aucun dossier ne correspond à ces critères.")
    );

    // The same search through the API, for tools.
    let api = app.user("api-staff@cyberdir.fr", Role::Staff).await;
    let (status, body) = api.get("/api/v1/applications?q=dupont&sort=nom").await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Cyber Dupont", "Dupont & Fils"]);
    assert_eq!(body["total"], 2);
    assert_eq!(body["results"][0]["siret"], "55555555500055");
    let (status, body) = api.get("/api/v1/applications?sort=taille").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"]["sort"][0], "Ordre de tri inconnu.");
    let (status, body) = api.get("/api/v1/applications?q=s").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["errors"]["q"][0],
        "Tapez au moins deux lettres ou chiffres pour rechercher."
    );
    let long = "a".repeat(201);
    let (status, body) = api.get(&format!("/api/v1/applications?q={long}")).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["errors"]["q"][0],
        "La recherche est limitée à 200 caractères."
    );
}

#[tokio::test]
async fn the_list_sorts_by_column_and_pages_by_number_with_the_size_chosen() {
    let app = TestApp::spawn().await;
    five_organisations(&app).await;
    let staff = Browser::sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;

    // Clicking "Nom" sorts from A to Z, clicking it again from Z to A.
    let list = staff.get("/instruction").await;
    let by_name = list.links("/instruction?tri=nom");
    assert_eq!(by_name.len(), 1, "{}", list.html);
    let ascending = staff.get(&by_name[0]).await;
    assert_eq!(
        names_listed(&ascending.html),
        [
            "Atelier Numérique",
            "Bastion Sécurité",
            "Cyber Dupont",
            "Dupont & Fils",
            "Éclair Informatique",
        ],
        "the accented name sorts as its letter, on both databases"
    );
    assert!(ascending.html.contains("aria-sort=\"ascending\""));
    let descending = staff
        .get(&ascending.links("/instruction?tri=-nom")[0])
        .await;
    assert_eq!(names_listed(&descending.html)[0], "Éclair Informatique");
    assert!(descending.html.contains("aria-sort=\"descending\""));
    let by_city = staff.get("/instruction?tri=commune").await;
    assert_eq!(
        names_listed(&by_city.html),
        [
            "Cyber Dupont",
            "Atelier Numérique",
            "Dupont & Fils",
            "Bastion Sécurité",
            "Éclair Informatique",
        ],
        "Brest, Marseille, Rennes (twice, then by id), Saint-Étienne"
    );

    // 45 more: 50 in all, three pages of 20 or one of 50; the order and the search stay
    // in every page link.
    for i in 0..45 {
        app.insert(organisation(
            &format!("b{i:02}"),
            &format!("Zeta {i:02}"),
            "Lyon",
            "69001",
            "66666666600066",
        ))
        .await;
    }
    let first = staff.get("/instruction?tri=nom").await;
    assert!(first.text().contains("50 dossiers"), "{}", first.text());
    assert_eq!(first.links("/instruction/dossiers/").len(), 20);
    let third = first.links("/instruction?tri=nom&page=3");
    assert!(!third.is_empty(), "a link to page 3 by its number");
    let third = staff.get(&third[0]).await;
    assert_eq!(third.links("/instruction/dossiers/").len(), 10);
    assert_eq!(names_listed(&third.html)[0], "Zeta 35");
    let current = third
        .html
        .split("<a ")
        .map(common::html::decode_entities)
        .find(|tag| tag.contains("aria-current=\"page\"") && tag.contains("page=3"));
    assert!(current.is_some(), "page 3 is marked current");

    let fifty = staff.get("/instruction?tri=nom&par=50").await;
    assert_eq!(fifty.links("/instruction/dossiers/").len(), 50);
    assert!(!fifty.html.contains("rel=\"next\""), "one page of 50");
    assert!(fifty.html.contains("<option value=\"50\" selected>"));

    // A size not offered is said, with a link to the field, and changes nothing.
    let wrong = staff.get("/instruction?par=1000").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.has("filter-errors"), "an error summary at the top");
    assert!(
        wrong.links("#par").len() == 1,
        "the summary links to the field"
    );
    assert!(
        wrong
            .text()
            .contains("Nombre de lignes par page invalide : choisissez 20, 50 ou 100."),
        "{}",
        wrong.text()
    );
    assert_eq!(wrong.links("/instruction/dossiers/").len(), 0);
}

#[tokio::test]
async fn the_export_holds_every_line_of_the_filtered_list_in_its_order() {
    let app = TestApp::spawn().await;
    // More than one chunk of the export (1,000 lines), in Rennes; a few elsewhere.
    app.with_conn(|c| {
        let now = chrono::Utc::now().naive_utc();
        for i in 0..1_005 {
            let p = organisation(
                &format!("r{i:04}"),
                &format!("Rennes Sécurité {i:04}"),
                "Rennes",
                "35000",
                "77777777700077",
            );
            cyberdir::db::providers::insert(c, &p, now)?;
        }
        for i in 0..7 {
            let p = organisation(
                &format!("m{i}"),
                &format!("Marseille Cyber {i}"),
                "Marseille",
                "13001",
                "88888888800088",
            );
            cyberdir::db::providers::insert(c, &p, now)?;
        }
        diesel::QueryResult::Ok(())
    })
    .await
    .unwrap();
    let staff = Browser::sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;

    let list = staff.get("/instruction?departement=35&tri=-nom").await;
    assert!(
        list.text()
            .replace('\u{202f}', " ")
            .contains("1 005 dossiers"),
        "{}",
        list.text()
    );
    let export = list.links("/instruction/export.csv");
    assert_eq!(export, ["/instruction/export.csv?departement=35&tri=-nom"]);
    let export = &export[0];
    let csv = staff.get(export).await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let disposition = csv.header("content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"dossiers-referencement-"),
        "{disposition}"
    );
    assert!(
        csv.html.starts_with('\u{feff}'),
        "a byte-order mark for spreadsheets"
    );
    let mut reader = csv::Reader::from_reader(csv.html.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[1], "nom");
    assert_eq!(&header[3], "siret");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1_005, "every line of the list, not one page");
    let names: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    assert_eq!(
        names[0], "Rennes Sécurité 1004",
        "the list's order, accents intact"
    );
    assert_eq!(names[1_004], "Rennes Sécurité 0000");
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted, "sorted as on the page, across the chunks");
    assert!(rows.iter().all(|r| &r[8] == "35" && &r[9] == "déposé"));

    // An invalid filter exports nothing; other roles are refused.
    let wrong = staff.get("/instruction/export.csv?departement=999").await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.text().contains("Département inconnu"),
        "{}",
        wrong.text()
    );
    let provider = Browser::sign_in(&app, "membre@exemple.fr", Role::Provider).await;
    let refused = provider.get("/instruction/export.csv").await;
    assert_eq!(refused.status, 403);
    assert!(!refused.html.contains("Rennes Sécurité"));
}

#[tokio::test]
async fn organisations_written_before_the_search_existed_are_found_after_a_start() {
    let app = TestApp::spawn().await;
    five_organisations(&app).await;
    // As the migration leaves them: no keys yet.
    app.with_conn(|c| {
        diesel::RunQueryDsl::execute(
            diesel::sql_query(
                "UPDATE providers SET search_text = NULL, departement = '', sort_name = ''",
            ),
            c,
        )?;
        diesel::RunQueryDsl::execute(diesel::sql_query("DELETE FROM provider_search_words"), c)
    })
    .await
    .unwrap();
    let staff = app.user("instructrice@cyberdir.fr", Role::Staff).await;
    assert_eq!(found(&staff, "dupont").await, 0);
    let filled = app
        .with_conn(cyberdir::db::providers::fill_staff_keys)
        .await
        .unwrap();
    assert_eq!(filled, 5);
    assert_eq!(found(&staff, "dupont").await, 1);
    assert_eq!(
        app.with_conn(cyberdir::db::providers::fill_staff_keys)
            .await
            .unwrap(),
        0,
        "filled once"
    );
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// How many organisations of département 35 the API finds for `q`.
async fn found(staff: &Session, q: &str) -> i64 {
    let (status, body) = staff
        .get(&format!("/api/v1/applications?q={q}&departement=35"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["total"].as_i64().unwrap()
}

#[tokio::test]
async fn partners_are_listed_by_state_searched_sorted_paged_and_exported() {
    let app = TestApp::spawn().await;
    let api = app.user("partenariats@cyberdir.fr", Role::Staff).await;
    // 23 partners; "Mairie de Saint-Étienne" paused, "Région Occitanie" archived.
    for i in 1..=21 {
        let name = format!("Commune {i:02}");
        common::partners::create(&api, &name, &["https://commune.exemple.fr"], "parcours").await;
    }
    let paused = common::partners::create(
        &api,
        "Mairie de Saint-Étienne",
        &["https://saint-etienne.fr"],
        "parcours",
    )
    .await;
    common::partners::set_state(&api, paused["id"].as_str().unwrap(), "paused").await;
    let archived = common::partners::create(
        &api,
        "Région Occitanie",
        &["https://laregion.fr"],
        "diagnostic",
    )
    .await;
    common::partners::set_state(&api, archived["id"].as_str().unwrap(), "archived").await;
    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;
    let names = |page: &common::pages::Page| -> Vec<String> {
        page.html
            .split("<th scope=\"row\"><a href=\"/partenaires/")
            .skip(1)
            .filter_map(|rest| rest.split('>').nth(1)?.split('<').next())
            .map(str::to_owned)
            .collect()
    };

    // Every state, by name, 20 a page; the tabs count each state.
    let first = staff.get("/partenaires").await;
    assert_eq!(first.status, 200);
    let shown = names(&first);
    assert_eq!(shown.len(), 20);
    assert_eq!(shown[0], "Commune 01");
    let said = first.text();
    assert!(said.contains("23 partenaires"), "{said}");
    assert!(
        said.contains("En pause 1") && said.contains("Archivé 1") && said.contains("Actif 21"),
        "{said}"
    );
    assert_eq!(names(&staff.get("/partenaires?page=2").await).len(), 3);

    // Searched by a word of the name, accents ignored; by state; reversed by name.
    let searched = staff.get("/partenaires?q=etienne").await;
    assert_eq!(names(&searched), ["Mairie de Saint-Étienne"]);
    let archived = staff.get("/partenaires?etat=archived").await;
    assert_eq!(names(&archived), ["Région Occitanie"]);
    let reversed = staff.get("/partenaires?tri=-nom&par=50").await;
    assert_eq!(names(&reversed)[0], "Région Occitanie");
    let wrong = staff.get("/partenaires?etat=perdu&par=3").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text().contains("État de partenaire inconnu."));

    // The export, as shown.
    let export = searched.links("/partenaires.csv");
    let csv = staff.get(&export[0]).await.html;
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with("Mairie de Saint-Étienne,"), "{csv}");
    assert!(lines[1].contains("En pause"), "{csv}");
}

#[tokio::test]
async fn admins_list_accounts_by_role_searched_and_exported() {
    let app = TestApp::spawn().await;
    for i in 0..3 {
        app.user(&format!("auditeur{i}@certif.fr"), Role::Auditor)
            .await;
        app.clock
            .set(app.clock.now() + chrono::Duration::minutes(1));
    }
    for i in 0..2 {
        app.user(&format!("instructeur{i}@cyberdir.fr"), Role::Staff)
            .await;
    }
    let admin = Browser::sign_in(&app, "admin@cyberdir.fr", Role::Admin).await;
    let accounts = |page: &common::pages::Page| -> Vec<String> {
        page.html
            .split("<th scope=\"row\" class=\"bo-break\">")
            .skip(1)
            .filter_map(|rest| rest.split([' ', '<']).next())
            .map(str::to_owned)
            .collect()
    };

    // The auditors, by email; the tabs count each role.
    let auditors = admin.get("/admin/utilisateurs?role=auditor").await;
    assert_eq!(auditors.status, 200);
    assert_eq!(
        accounts(&auditors),
        [
            "auditeur0@certif.fr",
            "auditeur1@certif.fr",
            "auditeur2@certif.fr"
        ]
    );
    let said = auditors.text();
    for tab in [
        format!("{} 3", Role::Auditor.label()),
        format!("{} 2", Role::Staff.label()),
        "Tous 6".to_owned(),
    ] {
        assert!(said.contains(&tab), "{tab}: {said}");
    }
    // Searched within the role, the role kept by the search form.
    assert_eq!(auditors.hidden("/admin/utilisateurs", "role"), "auditor");
    let one = admin
        .get("/admin/utilisateurs?role=auditor&q=auditeur1")
        .await;
    assert_eq!(accounts(&one), ["auditeur1@certif.fr"]);
    // Sorted by creation, newest first (auditeur2 was created last of them), 20 a page.
    let newest = admin
        .get("/admin/utilisateurs?role=auditor&tri=-cree")
        .await;
    assert_eq!(accounts(&newest)[0], "auditeur2@certif.fr");
    assert!(newest.html.contains("aria-sort=\"descending\""));
    let by_name_down = admin.get("/admin/utilisateurs?tri=-email&par=50").await;
    assert_eq!(accounts(&by_name_down)[0], "instructeur1@cyberdir.fr");
    assert_eq!(admin.get("/admin/utilisateurs?tri=age").await.status, 422);
    assert_eq!(admin.get("/admin/utilisateurs?par=7").await.status, 422);
    let wrong = admin.get("/admin/utilisateurs?role=pirate").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text().contains("Rôle inconnu"), "{}", wrong.text());

    // The export holds the accounts shown.
    let export = auditors.links("/admin/utilisateurs.csv");
    assert_eq!(export.len(), 1);
    let csv = admin.get(&export[0]).await.html;
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[0].starts_with("Adresse électronique,Nom,Rôle"),
        "{csv}"
    );
    assert!(
        lines[1].starts_with("auditeur0@certif.fr,Utilisateur de test,"),
        "{csv}"
    );
    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", Role::Staff).await;
    assert_eq!(staff.get("/admin/utilisateurs.csv").await.status, 403);
}
