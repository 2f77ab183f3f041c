//! Staff's list of assistance requests at a size where paging matters: every request
//! reachable (the list used to stop at the 200 most recent), searched by the victim's name,
//! email or postcode, filtered, sorted by receipt, "Mes dossiers", and exported as filtered
//! without the victims' contact; over HTTP on both databases.

use crate::common;

use common::TestApp;
use common::pages::{Browser, Page};
use cyberdir::auth::Role;
use cyberdir::db::assistance::RequestRow;
use cyberdir::domain::assistance::RequestStatus;

const REQUESTS: usize = 210;

/// Request `i` (r000 the oldest, received an hour before r001, and so on).
fn request(i: usize, now: chrono::NaiveDateTime) -> RequestRow {
    let received = now - chrono::Duration::hours(i64::try_from(REQUESTS - i).unwrap());
    let status = match i % 10 {
        1 => RequestStatus::Closed,
        2 => RequestStatus::Cancelled,
        _ => RequestStatus::Escalated,
    };
    let (name, email, postcode) = if i == 5 {
        (
            "Hélène Lefèvre".to_owned(),
            "helene.lefevre@exemple.fr".to_owned(),
            "29200",
        )
    } else {
        (
            format!("Victime {i:03}"),
            format!("victime{i:03}@exemple.fr"),
            if i.is_multiple_of(2) {
                "35000"
            } else {
                "29000"
            },
        )
    };
    RequestRow {
        id: format!("r{i:03}"),
        tracking_hash: format!("suivi-{i}"),
        status,
        postcode: Some(postcode.to_owned()),
        commune_code: None,
        departement: Some(postcode[..2].to_owned()),
        latitude: 48.1,
        longitude: -1.7,
        approximate: false,
        audience: "particulier".into(),
        incident_type: if i.is_multiple_of(3) {
            "rancongiciel"
        } else {
            "hameconnage"
        }
        .into(),
        description: Some("Mon ordinateur est bloqué.".into()),
        contact_name: Some(name),
        contact_email: Some(email),
        contact_phone: None,
        consent: true,
        chosen_provider_id: None,
        provider_id: None,
        failed_assignments: 0,
        staff_message: None,
        idempotency_key: None,
        client_hash: "test".into(),
        version: 1,
        created_at: received,
        updated_at: received + chrono::Duration::minutes(1),
        closed_at: (status == RequestStatus::Closed).then_some(received),
        anonymised_at: None,
        urgent: i.is_multiple_of(7),
    }
}

/// The requests a page lists, in its order.
fn listed(page: &Page) -> Vec<String> {
    page.links("/instruction/demandes/r")
        .iter()
        .map(|href| href.trim_start_matches("/instruction/demandes/").to_owned())
        .collect()
}

#[tokio::test]
async fn every_request_is_reachable_searched_filtered_sorted_and_exported_without_contacts() {
    let app = TestApp::spawn().await;
    let now = app.clock.now_naive();
    app.with_conn(move |c| {
        for i in 0..REQUESTS {
            cyberdir::db::assistance::insert_request(c, &request(i, now)).unwrap();
        }
    })
    .await;
    let staff = Browser::sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;

    // The most recently changed first, 20 a page; the oldest on the last page.
    let first = staff.get("/instruction/demandes").await;
    assert_eq!(first.status, 200);
    let ids = listed(&first);
    assert_eq!((ids.len(), ids[0].as_str()), (20, "r209"));
    assert!(first.text().contains("210 demandes"), "{}", first.text());
    let last = staff.get("/instruction/demandes?page=11").await;
    let ids = listed(&last);
    assert_eq!(ids.len(), 10);
    assert_eq!(
        ids.last().map(String::as_str),
        Some("r000"),
        "the oldest is reachable"
    );

    // By receipt, the longest waiting first.
    let oldest = staff.get("/instruction/demandes?tri=recue&par=50").await;
    assert_eq!(listed(&oldest)[..3], ["r000", "r001", "r002"]);
    assert!(oldest.html.contains("aria-sort=\"ascending\""));

    // By the victim's name (accents as typed, case ignored), email or postcode.
    for search in ["lefèvre", "LEFÈVRE", "helene.lefevre@", "292"] {
        let page = staff
            .get(&format!("/instruction/demandes?q={}", urlencode(search)))
            .await;
        assert_eq!(page.status, 200, "{search}");
        assert_eq!(listed(&page), ["r005"], "{search}");
    }

    // Filtered: Finistère, ransomware, urgent only; the tabs count within the filters.
    let expected: Vec<String> = (0..REQUESTS)
        .rev()
        .filter(|i| i % 2 == 1 && i % 3 == 0 && i % 7 == 0)
        .map(|i| format!("r{i:03}"))
        .collect();
    let filtered = staff
        .get("/instruction/demandes?departement=Finist%C3%A8re&incident=rancongiciel&urgentes=oui")
        .await;
    assert_eq!(filtered.status, 200);
    assert_eq!(listed(&filtered), expected);
    assert!(filtered.checked("urgentes"));

    // "Mes dossiers": the one request this staff member follows.
    let followed = staff
        .submit(
            &staff.get("/instruction/demandes/r005").await,
            "/instruction/demandes/r005/suivi",
            &[("choix", "suivre")],
        )
        .await;
    assert_eq!(followed.status, 303);
    let mine = staff.get("/instruction/demandes?suivi=moi").await;
    assert_eq!(listed(&mine), ["r005"]);

    // Wrong filters are said beside their fields, with a 422 and nothing listed wrongly.
    let wrong = staff
        .get("/instruction/demandes?departement=Atlantide&q=x&du=31/02/2026")
        .await;
    assert_eq!(wrong.status, 422);
    let said = wrong.text();
    assert!(
        said.contains("Département inconnu : « Atlantide »"),
        "{said}"
    );
    assert!(said.contains("Tapez au moins deux lettres"), "{said}");
    assert!(said.contains("Date invalide"), "{said}");

    // The export: the filtered list, whole, without the victims' name or email.
    let export = filtered.links("/instruction/demandes.csv");
    assert_eq!(export.len(), 1);
    let csv = staff.get(&export[0]).await.html;
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("reference,recue_le_heure_de_paris,incident"),
        "{csv}"
    );
    let exported: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(exported, expected);
    assert!(
        !csv.contains("Victime") && !csv.contains("@exemple.fr"),
        "{csv}"
    );
    let whole = staff.get("/instruction/demandes.csv").await.html;
    assert_eq!(
        whole.lines().count(),
        REQUESTS + 1,
        "every request, not a page"
    );
    assert!(!whole.contains("Lefèvre"));
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn requests_written_before_their_search_words_are_found_after_a_start() {
    let app = TestApp::spawn().await;
    let now = app.clock.now_naive();
    app.with_conn(move |c| {
        for i in 0..3 {
            cyberdir::db::assistance::insert_request(c, &request(i, now)).unwrap();
        }
        // As the migration leaves them: no words yet.
        diesel::RunQueryDsl::execute(diesel::sql_query("DELETE FROM request_search_words"), c)
    })
    .await
    .unwrap();
    let staff = Browser::sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;
    let searched = "/instruction/demandes?q=victime001";
    assert!(listed(&staff.get(searched).await).is_empty());
    let filled = app
        .with_conn(cyberdir::db::assistance::fill_search_words)
        .await
        .unwrap();
    assert_eq!(filled, 3);
    assert_eq!(listed(&staff.get(searched).await), ["r001"]);
    let again = app
        .with_conn(cyberdir::db::assistance::fill_search_words)
        .await
        .unwrap();
    assert_eq!(again, 0, "filled once");
}
