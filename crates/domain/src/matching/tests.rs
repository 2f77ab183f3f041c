use super::*;

fn candidate(lat: f64, lon: f64, zone: Zone) -> Candidate {
    let mut incidents = IncidentSet::default();
    incidents.insert(0);
    Candidate {
        latitude: lat,
        longitude: lon,
        zone,
        audiences: vec![Audience::Particulier],
        incidents,
        remote: false,
        label_valid_until: None,
        insured_until: None,
    }
}

fn query(lat: f64, lon: f64, dep: &str) -> Query {
    Query {
        latitude: lat,
        longitude: lon,
        departement: Some(dep.to_owned()),
        incident: None,
        audience: None,
        labelled_on: None,
        insured_on: None,
        include_remote: false,
    }
}

const RENNES: (f64, f64) = (48.1147, -1.6794);
const SAINT_BRIEUC: (f64, f64) = (48.5136, -2.7653);
const NANTES: (f64, f64) = (47.2184, -1.5536);

#[test]
fn distance_rennes_nantes_is_about_99_km() {
    let d = distance_km(RENNES.0, RENNES.1, NANTES.0, NANTES.1);
    assert!((d - 99.7).abs() < 1.5, "{d}");
}

#[test]
fn radius_zone_covers_only_within_radius() {
    let index = MatchingIndex::build(vec![
        candidate(
            SAINT_BRIEUC.0,
            SAINT_BRIEUC.1,
            Zone::Radius { radius_km: 50 },
        ),
        candidate(
            SAINT_BRIEUC.0,
            SAINT_BRIEUC.1,
            Zone::Radius { radius_km: 100 },
        ),
    ]);
    // Rennes is ~90 km from Saint-Brieuc.
    let hits = index.search(&query(RENNES.0, RENNES.1, "35"));
    assert_eq!(hits.iter().map(|m| m.entry).collect::<Vec<_>>(), vec![1]);
}

#[test]
fn departement_and_national_zones() {
    let index = MatchingIndex::build(vec![
        candidate(
            NANTES.0,
            NANTES.1,
            Zone::Departements {
                departements: vec!["44".into(), "35".into()],
            },
        ),
        candidate(43.3, 5.4, Zone::National),
        candidate(
            NANTES.0,
            NANTES.1,
            Zone::Departements {
                departements: vec!["44".into()],
            },
        ),
    ]);
    let hits = index.search(&query(RENNES.0, RENNES.1, "35"));
    assert_eq!(hits.iter().map(|m| m.entry).collect::<Vec<_>>(), vec![0, 1]);
    assert!(hits[0].distance_km < hits[1].distance_km);
}

#[test]
fn filters_and_remote() {
    let mut labelled = candidate(RENNES.0, RENNES.1, Zone::Radius { radius_km: 10 });
    labelled.label_valid_until = NaiveDate::from_ymd_opt(2027, 1, 1);
    let mut far_remote = candidate(43.3, 5.4, Zone::Radius { radius_km: 10 });
    far_remote.remote = true;
    let index = MatchingIndex::build(vec![
        candidate(RENNES.0, RENNES.1, Zone::Radius { radius_km: 10 }),
        labelled,
        far_remote,
    ]);
    let mut q = query(RENNES.0, RENNES.1, "35");
    assert_eq!(index.search(&q).len(), 2);
    q.include_remote = true;
    let hits = index.search(&q);
    assert_eq!(hits.len(), 3);
    assert!(!hits[2].covers && hits[2].entry == 2);
    q.labelled_on = NaiveDate::from_ymd_opt(2026, 12, 1);
    assert_eq!(
        index.search(&q).iter().map(|m| m.entry).collect::<Vec<_>>(),
        vec![1]
    );
    q.labelled_on = NaiveDate::from_ymd_opt(2027, 1, 2);
    assert!(index.search(&q).is_empty());
    q.labelled_on = None;
    q.incident = Some(5);
    assert!(index.search(&q).is_empty());
    q.incident = Some(0);
    q.audience = Some(Audience::Collectivite);
    assert!(index.search(&q).is_empty());
}

#[test]
fn index_agrees_with_brute_force_on_a_grid() {
    // Providers on a grid over Brittany with radii 5..95 km; every query point must get
    // exactly the providers within their radius, in distance order.
    let mut candidates = Vec::new();
    for i in 0..30 {
        for j in 0..20 {
            let lat = 47.0 + f64::from(i) * 0.07;
            let lon = -4.5 + f64::from(j) * 0.15;
            let radius_km = 5 + ((i * 7 + j * 13) % 10) * 10;
            candidates.push(candidate(lat, lon, Zone::Radius { radius_km }));
        }
    }
    let index = MatchingIndex::build(candidates.clone());
    for (lat, lon) in [(48.11, -1.68), (47.5, -3.9), (48.9, -2.2), (46.5, -1.0)] {
        let q = query(lat, lon, "35");
        let got: Vec<usize> = index.search(&q).iter().map(|m| m.entry).collect();
        let mut expected: Vec<(f64, usize)> = candidates
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let d = distance_km(c.latitude, c.longitude, lat, lon);
                let Zone::Radius { radius_km } = c.zone else {
                    return None;
                };
                (d <= f64::from(radius_km)).then_some((d, i))
            })
            .collect();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        assert_eq!(
            got,
            expected.into_iter().map(|(_, i)| i).collect::<Vec<_>>()
        );
    }
}

/// The order before the engine used dot products and pages: every match measured with
/// haversine, covering first, nearest first, then entry order.
fn brute_force(candidates: &[Candidate], q: &Query) -> Vec<Match> {
    let mut found: Vec<Match> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            q.incident.is_none_or(|bit| c.incidents.contains(bit))
                && q.audience.is_none_or(|a| c.audiences.contains(&a))
                && q.labelled_on
                    .is_none_or(|day| c.label_valid_until.is_some_and(|end| end >= day))
        })
        .filter_map(|(entry, c)| {
            let distance_km = distance_km(c.latitude, c.longitude, q.latitude, q.longitude);
            let covers = match &c.zone {
                Zone::Radius { radius_km } => distance_km <= f64::from(*radius_km),
                Zone::Departements { departements } => q
                    .departement
                    .as_ref()
                    .is_some_and(|d| departements.contains(d)),
                Zone::National => true,
            };
            (covers || (q.include_remote && c.remote)).then_some(Match {
                entry,
                distance_km,
                covers,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.covers
            .cmp(&a.covers)
            .then(a.distance_km.total_cmp(&b.distance_km))
            .then(a.entry.cmp(&b.entry))
    });
    found
}

/// A mixed directory with many exact ties (providers sharing a position), near-ties
/// (a few millimetres apart) and every kind of zone, from a fixed-seed generator.
fn mixed_directory() -> Vec<Candidate> {
    let mut seed: u64 = 7;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut all = Vec::new();
    for i in 0..1500 {
        let (lat, lon) = if i % 10 == 0 {
            RENNES // exact ties at distance 0
        } else if i % 10 == 1 {
            (NANTES.0, NANTES.1 + 1e-8 * next()) // near-ties, under a millimetre apart
        } else {
            (47.0 + 2.0 * next(), -4.5 + 4.0 * next())
        };
        let roll = next();
        let zone = if roll < 0.6 {
            Zone::Radius {
                radius_km: 5 + (next() * 120.0) as u32,
            }
        } else if roll < 0.85 {
            Zone::Departements {
                departements: if next() < 0.5 {
                    vec!["35".into(), "35".into()]
                } else {
                    vec!["44".into(), "56".into()]
                },
            }
        } else {
            Zone::National
        };
        let mut c = candidate(lat, lon, zone);
        if next() < 0.5 {
            c.incidents.insert(3);
        }
        if next() < 0.3 {
            c.audiences.push(Audience::Entreprise);
        }
        c.remote = next() < 0.5;
        c.label_valid_until = (next() < 0.3)
            .then(|| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(i % 700));
        all.push(c);
    }
    all
}

fn mixed_queries() -> Vec<Query> {
    let mut queries = Vec::new();
    for (lat, lon, dep) in [
        (RENNES.0, RENNES.1, "35"),
        (NANTES.0, NANTES.1, "44"),
        (47.75, -3.37, "56"),
    ] {
        for include_remote in [false, true] {
            let mut q = query(lat, lon, dep);
            q.include_remote = include_remote;
            queries.push(q.clone());
            q.incident = Some(3);
            q.audience = Some(Audience::Entreprise);
            queries.push(q.clone());
            q.labelled_on = NaiveDate::from_ymd_opt(2026, 6, 1);
            queries.push(q);
        }
    }
    queries
}

#[test]
fn search_agrees_with_brute_force_including_ties() {
    let candidates = mixed_directory();
    let index = MatchingIndex::build(candidates.clone());
    for q in mixed_queries() {
        let expected = brute_force(&candidates, &q);
        assert!(!expected.is_empty());
        assert_eq!(index.search(&q), expected, "{q:?}");
    }
}

#[test]
fn every_page_is_the_same_slice_of_the_full_order() {
    let candidates = mixed_directory();
    let index = MatchingIndex::build(candidates.clone());
    for q in mixed_queries() {
        let full = brute_force(&candidates, &q);
        for limit in [1, 7, 10, 50] {
            for offset in (0..full.len() + limit).step_by(limit) {
                let page = index.search_page(&q, offset, limit);
                assert_eq!(page.total, full.len());
                let end = (offset + limit).min(full.len());
                let expected = full.get(offset..end).unwrap_or(&[]);
                assert_eq!(page.matches, expected, "offset {offset}, limit {limit}");
            }
        }
    }
}

#[test]
fn unknown_incident_bit_matches_nothing() {
    let index = MatchingIndex::build(vec![candidate(RENNES.0, RENNES.1, Zone::National)]);
    let mut q = query(RENNES.0, RENNES.1, "35");
    q.incident = Some(IncidentSet::CAPACITY);
    assert!(index.search(&q).is_empty());
}
