//! The public search over HTTP: coverage, order, filters, validation, freshness.

use crate::common;

use std::sync::Arc;

use common::{TestApp, label, provider};
use cyberdir::directory::FRESH_FOR;
use cyberdir::domain::audience::Audience;
use cyberdir::domain::matching::distance_km;
use cyberdir::domain::provider::ReferencingStatus;
use cyberdir::domain::zone::Zone;
use serde_json::Value;

const RENNES: (f64, f64) = (48.1159, -1.6884); // the fixture's prefecture point for 35

fn ids(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A deterministic spread of providers around Brittany with every kind of zone.
async fn brittany(app: &TestApp) -> Vec<cyberdir::domain::provider::Provider> {
    let mut all = Vec::new();
    let mut seed: u64 = 42;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as f64 / (1u64 << 31) as f64
    };
    for i in 0..80 {
        let lat = 47.2 + next() * 1.8;
        let lon = -4.6 + next() * 3.6;
        let zone = match i % 5 {
            0..=2 => Zone::Radius {
                radius_km: 10 + (next() * 90.0) as u32,
            },
            3 => Zone::Departements {
                departements: if next() < 0.5 {
                    vec!["35".into()]
                } else {
                    vec!["22".into(), "29".into()]
                },
            },
            _ if i % 10 == 4 => Zone::National,
            _ => Zone::Departements {
                departements: vec!["56".into()],
            },
        };
        let mut p = provider(&format!("p{i:03}"), lat, lon, zone);
        if i % 7 == 0 {
            p.incident_types = vec!["defiguration_site".into()];
        }
        if i % 4 == 0 {
            p.audiences = vec![Audience::Collectivite];
        }
        p.remote = i % 3 == 0;
        app.insert(p.clone()).await;
        all.push(p);
    }
    all
}

#[tokio::test]
async fn results_are_exactly_the_covering_providers_in_distance_order() {
    let app = TestApp::spawn().await;
    let all = brittany(&app).await;
    for (lat, lon, dep) in [
        (RENNES.0, RENNES.1, "35"),
        (47.75, -3.37, "56"),
        (48.45, -4.2, "29"),
    ] {
        let (status, body) = app
            .get_json(&format!("/api/v1/providers?lat={lat}&lon={lon}&limit=50"))
            .await;
        assert_eq!(status, 200, "{body}");
        let mut expected: Vec<(f64, String)> = all
            .iter()
            .filter(|p| match &p.zone {
                Zone::Radius { radius_km } => {
                    distance_km(p.latitude, p.longitude, lat, lon) <= f64::from(*radius_km)
                }
                Zone::Departements { departements } => departements.iter().any(|d| d == dep),
                Zone::National => true,
            })
            .map(|p| (distance_km(p.latitude, p.longitude, lat, lon), p.id.clone()))
            .collect();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        assert!(
            expected.len() > 5,
            "the fixture should give several matches"
        );
        assert_eq!(body["total"].as_u64().unwrap() as usize, expected.len());
        assert_eq!(body["location"]["departement"], dep);
        assert_eq!(
            ids(&body),
            expected.iter().map(|e| e.1.clone()).collect::<Vec<_>>()
        );
        let distances: Vec<f64> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["distance_km"].as_f64().unwrap())
            .collect();
        for (got, (want, _)) in distances.iter().zip(&expected) {
            assert!((got - want).abs() <= 0.051, "distance {got} vs {want}");
        }
    }
}

#[tokio::test]
async fn filters_narrow_the_results() {
    let app = TestApp::spawn().await;
    let all = brittany(&app).await;
    let base = format!(
        "/api/v1/providers?lat={}&lon={}&limit=50",
        RENNES.0, RENNES.1
    );
    let (_, everyone) = app.get_json(&base).await;
    let everyone = ids(&everyone);

    let (_, defacement) = app
        .get_json(&format!("{base}&incident=defiguration_site"))
        .await;
    let defacement = ids(&defacement);
    assert!(!defacement.is_empty() && defacement.len() < everyone.len());
    for id in &defacement {
        let p = all.iter().find(|p| &p.id == id).unwrap();
        assert!(p.incident_types.contains(&"defiguration_site".to_owned()));
    }

    let (_, collectivites) = app.get_json(&format!("{base}&audience=collectivite")).await;
    for id in ids(&collectivites) {
        let p = all.iter().find(|p| p.id == id).unwrap();
        assert!(p.audiences.contains(&Audience::Collectivite));
    }

    let (_, with_remote) = app.get_json(&format!("{base}&remote=true")).await;
    let extra: Vec<&Value> = with_remote["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["covers_location"] == false)
        .collect();
    assert!(
        !extra.is_empty(),
        "remote providers outside their zone should be added"
    );
    assert!(extra.iter().all(|r| r["remote"] == true));
    assert_eq!(
        with_remote["total"].as_u64().unwrap() as usize,
        everyone.len() + extra.len()
    );
}

#[tokio::test]
async fn expertcyber_filter_keeps_only_valid_labels() {
    let app = TestApp::spawn().await;
    let mut valid = provider("valid", RENNES.0, RENNES.1, Zone::National);
    valid.label = Some(label("EC-2026-0001", (2026, 1, 10), "valid"));
    let mut suspended = provider("suspended", RENNES.0, RENNES.1, Zone::National);
    suspended.label = Some(label("EC-2025-0002", (2025, 6, 1), "suspended"));
    let mut lapsed = provider("lapsed", RENNES.0, RENNES.1, Zone::National);
    lapsed.label = Some(label("EC-2024-0003", (2024, 1, 1), "valid")); // ended 2026-01-01
    for p in [
        valid,
        suspended,
        lapsed,
        provider("plain", RENNES.0, RENNES.1, Zone::National),
    ] {
        app.insert(p).await;
    }
    let (_, body) = app
        .get_json("/api/v1/providers?postcode=35000&expertcyber=true")
        .await;
    assert_eq!(ids(&body), vec!["valid"]);
    let label = &body["results"][0]["expertcyber"];
    assert_eq!(label["number"], "EC-2026-0001");
    assert_eq!(label["status"], "valid");
    assert_eq!(label["valid_from"], "2026-01-10");
    assert_eq!(label["valid_until"], "2028-01-10");

    let (_, all) = app.get_json("/api/v1/providers?postcode=35000").await;
    let lapsed = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "lapsed")
        .unwrap();
    assert_eq!(lapsed["expertcyber"]["status"], "expired");
    let plain = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "plain")
        .unwrap();
    assert!(plain["expertcyber"].is_null());
}

#[tokio::test]
async fn pagination_pages_through_all_results() {
    let app = TestApp::spawn().await;
    for i in 0..23 {
        app.insert(provider(
            &format!("n{i:02}"),
            RENNES.0 + f64::from(i) * 0.01,
            RENNES.1,
            Zone::National,
        ))
        .await;
    }
    let (_, first) = app.get_json("/api/v1/providers?postcode=35000").await;
    assert_eq!(
        (
            first["total"].as_u64(),
            first["page"].as_u64(),
            first["limit"].as_u64()
        ),
        (Some(23), Some(1), Some(10))
    );
    let mut seen = ids(&first);
    for page in 2..=3 {
        let (_, body) = app
            .get_json(&format!("/api/v1/providers?postcode=35000&page={page}"))
            .await;
        seen.extend(ids(&body));
    }
    let expected: Vec<String> = (0..23).map(|i| format!("n{i:02}")).collect();
    assert_eq!(seen, expected);
    let (_, capped) = app
        .get_json("/api/v1/providers?postcode=35000&limit=500")
        .await;
    assert_eq!(capped["limit"], 50);
}

#[tokio::test]
async fn invalid_parameters_answer_422_naming_each_field() {
    let app = TestApp::spawn().await;
    let cases: [(&str, &[&str]); 8] = [
        ("", &["postcode"]),
        ("postcode=3500", &["postcode"]),
        (
            "postcode=35000&incident=inconnu&audience=martien",
            &["incident", "audience"],
        ),
        ("lat=48.1", &["lon"]),
        ("lat=abc&lon=500", &["lat", "lon"]),
        ("commune=ABCDE", &["commune"]),
        ("postcode=35000&page=0&limit=-1", &["page", "limit"]),
        ("postcode=35000&expertcyber=peut-etre", &["expertcyber"]),
    ];
    for (query, fields) in cases {
        let response = app.get(&format!("/api/v1/providers?{query}")).await;
        assert_eq!(response.status().as_u16(), 422, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body: Value = response.json().await.unwrap();
        let errors = body["errors"].as_object().unwrap();
        for field in fields {
            assert!(
                errors.contains_key(*field),
                "{query}: {field} not named in {body}"
            );
            assert!(errors[*field][0].as_str().unwrap().len() > 10);
        }
    }
}

#[tokio::test]
async fn unknown_places_are_404_and_unimported_postcodes_fall_back_to_the_prefecture() {
    let app = TestApp::spawn().await;
    app.insert(provider(
        "rennes",
        RENNES.0,
        RENNES.1,
        Zone::Radius { radius_km: 20 },
    ))
    .await;
    for query in ["postcode=99999", "postcode=00100", "commune=99001"] {
        let (status, body) = app.get_json(&format!("/api/v1/providers?{query}")).await;
        assert_eq!(status, 404, "{query}: {body}");
        assert_eq!(body["type"], "/problems/not-found");
    }
    // No geography imported: 35700 is placed at Rennes' prefecture, flagged approximate.
    let (status, body) = app.get_json("/api/v1/providers?postcode=35700").await;
    assert_eq!(status, 200);
    assert_eq!(body["location"]["approximate"], true);
    assert_eq!(body["location"]["departement"], "35");
    assert_eq!(ids(&body), vec!["rennes"]);
    // Corsica and overseas postcodes resolve to their own départements.
    let (_, corsica) = app.get_json("/api/v1/providers?postcode=20200").await;
    assert_eq!(corsica["location"]["departement"], "2B");
    let (_, reunion) = app.get_json("/api/v1/providers?postcode=97400").await;
    assert_eq!(reunion["location"]["departement"], "974");
}

#[tokio::test]
async fn profile_shows_published_providers_only() {
    let app = TestApp::spawn().await;
    let mut p = provider(
        "profil",
        RENNES.0,
        RENNES.1,
        Zone::Departements {
            departements: vec!["35".into(), "22".into()],
        },
    );
    p.website = Some("https://www.profil.fr".into());
    app.insert(p).await;
    let mut draft = provider("brouillon", RENNES.0, RENNES.1, Zone::National);
    draft.status = ReferencingStatus::Draft;
    app.insert(draft).await;

    let (status, body) = app.get_json("/api/v1/providers/profil").await;
    assert_eq!(status, 200);
    for field in [
        "id",
        "legal_name",
        "name",
        "siret",
        "address_line",
        "postcode",
        "commune_code",
        "city",
        "latitude",
        "longitude",
        "phone",
        "email",
        "website",
        "description",
        "audiences",
        "incident_types",
        "remote",
        "zone",
        "expertcyber",
    ] {
        assert!(body.get(field).is_some(), "{field} missing");
    }
    assert_eq!(
        body["zone"],
        serde_json::json!({"kind": "departements", "departements": ["22", "35"]})
    );
    assert!(body.get("distance_km").is_none());

    let (status, _) = app.get_json("/api/v1/providers/brouillon").await;
    assert_eq!(status, 404);
    let (_, search) = app.get_json("/api/v1/providers?postcode=35000").await;
    assert_eq!(ids(&search), vec!["profil"]);
}

/// Searches until the result ids are `expected`, for at most a few times the freshness
/// window; returns how long it took.
async fn until_ids(app: &TestApp, path: &str, expected: &[&str]) -> std::time::Duration {
    let started = std::time::Instant::now();
    loop {
        let (_, body) = app.get_json(path).await;
        if ids(&body) == expected {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < FRESH_FOR * 8,
            "still {:?} after {:?}, expected {expected:?}",
            ids(&body),
            started.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_second_process_sees_changes_made_through_the_first() {
    let first = TestApp::spawn().await;
    let second = TestApp::spawn_on(Arc::clone(&first.db)).await;
    let search = "/api/v1/providers?postcode=35000";
    first
        .insert(provider("un", RENNES.0, RENNES.1, Zone::National))
        .await;
    let (_, body) = second.get_json(search).await;
    assert_eq!(ids(&body), vec!["un"]);
    let (_, body) = first.get_json(search).await;
    assert_eq!(ids(&body), vec!["un"]);
    // Suspended through the first process, while the second has it in memory: the first sees
    // it at once (its own write), the second within the freshness window.
    let now = first.clock.now_naive();
    first
        .with_conn(move |c| {
            cyberdir::db::providers::set_status(c, "un", ReferencingStatus::Suspended, now)
        })
        .await
        .unwrap();
    let (_, body) = first.get_json(search).await;
    assert!(ids(&body).is_empty(), "{body}");
    until_ids(&second, search, &[]).await;
    // And the other way round, through the profile too.
    second
        .insert(provider("deux", RENNES.0, RENNES.1, Zone::National))
        .await;
    let (_, body) = second.get_json(search).await;
    assert_eq!(ids(&body), vec!["deux"]);
    until_ids(&first, search, &["deux"]).await;
    let (status, _) = first.get_json("/api/v1/providers/deux").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_search_reads_the_counters_again_after_the_freshness_window() {
    let first = TestApp::spawn().await;
    let second = TestApp::spawn_on(Arc::clone(&first.db)).await;
    let search = "/api/v1/providers?postcode=35000";
    let (_, body) = second.get_json(search).await;
    assert!(ids(&body).is_empty());
    first
        .insert(provider("un", RENNES.0, RENNES.1, Zone::National))
        .await;
    // Another process's write is seen after at most the window (plus scheduling slack).
    let waited = until_ids(&second, search, &["un"]).await;
    assert!(waited < FRESH_FOR * 4, "seen after {waited:?}");
}

#[tokio::test]
async fn pages_are_slices_of_the_full_order() {
    let app = TestApp::spawn().await;
    brittany(&app).await;
    // Several providers at the very same place: ties broken the same way on every page.
    for i in 0..6 {
        app.insert(provider(
            &format!("same{i}"),
            RENNES.0,
            RENNES.1,
            Zone::National,
        ))
        .await;
    }
    for query in ["", "&remote=true", "&incident=rancongiciel&remote=true"] {
        let base = format!("/api/v1/providers?lat={}&lon={}{query}", RENNES.0, RENNES.1);
        let (_, full) = app.get_json(&format!("{base}&limit=50")).await;
        let full_ids = ids(&full);
        let total = full["total"].as_u64().unwrap() as usize;
        assert!(total > 7 && total <= 50, "{total}");
        for limit in [1usize, 3, 7] {
            let mut paged = Vec::new();
            for page in 1..=total.div_ceil(limit) + 1 {
                let (status, body) = app
                    .get_json(&format!("{base}&limit={limit}&page={page}"))
                    .await;
                assert_eq!(status, 200);
                assert_eq!(body["total"].as_u64().unwrap() as usize, total);
                let start = (page - 1) * limit;
                for (k, result) in body["results"].as_array().unwrap().iter().enumerate() {
                    assert_eq!(
                        result,
                        &full["results"][start + k],
                        "{query} {limit} {page}"
                    );
                }
                paged.extend(ids(&body));
            }
            assert_eq!(paged, full_ids, "{query}, pages of {limit}");
        }
    }
}
