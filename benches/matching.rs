//! Criterion benchmark of the matching engine (`cyberdir::domain::matching`).
//!
//! Run with:
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-bench cargo bench --bench matching
//! ```
//!
//! The directory is synthetic but shaped like the real network (and like `cyberdir seed --demo`):
//!
//! - positions around the 101 prefectures of `Departements::from_fixture()`, the 21 big
//!   metropolitan départements weighing 5 times more and with a tighter (urban) spread; within a
//!   département points are denser near the prefecture;
//! - zones: ~60 % radius (10–100 km, the seed's radius mix), ~28 % lists of 1–4 départements
//!   (the provider's own plus the nearest ones), ~12 % national;
//! - ~55 % offer remote help; audiences like the seed (particulier 70 %, entreprise 85 %,
//!   collectivité 40 %); each provider handles a random subset of the 49 incident types
//!   (each type with a per-provider probability between 15 % and 60 %); ~17 % hold a label.
//!
//! Everything comes from a SplitMix64 with a fixed seed, so every run sees the same directory.
//!
//! Groups:
//!
//! - `search/<size>/<query>`: `MatchingIndex::search` (every match, in order) at 1,200 and
//!   100,000 providers, for the target query (a victim in Rennes, ransomware, a company) and a
//!   rural point (Lozère), plus informative variants (with remote help included, which the API
//!   offers with `remote=true`). Targets (issue): median < 50 µs at 1,200 providers, < 500 µs
//!   at 100,000.
//! - `page10/<size>/<query>`: `MatchingIndex::search_page(q, 0, 10)`, what the API runs: the
//!   number of matches and the first page of 10 (plus page 50, deep in the list).
//! - `breakdown_100k/*`: where the time of the Rennes query goes at 100,000 providers: the same
//!   query on an index of the national providers only and on an index without them; sorting a
//!   result list of the same length against selecting only a first page of 10; a haversine
//!   distance to every national provider against a dot product on precomputed unit vectors.
//! - `build/<size>`: `MatchingIndex::build` (what a directory snapshot rebuild costs).

// Test code: an unexpected value fails the run, which is what a test wants.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use cyberdir::domain::audience::Audience;
use cyberdir::domain::departements::{Departement, Departements};
use cyberdir::domain::matching::{
    Candidate, IncidentSet, Match, MatchingIndex, Query, distance_km,
};
use cyberdir::domain::zone::Zone;

/// Number of incident types in `fixtures/incident_types.json`.
const INCIDENT_TYPES: usize = 49;
/// `rancongiciel` (ransomware): its position in the taxonomy, hence its bit.
const RANSOMWARE: usize = 4;

/// Metropolitan départements with a big city (the seed's list): 5 times the weight.
const BIG: [&str; 21] = [
    "75", "13", "69", "59", "33", "31", "92", "93", "94", "06", "44", "67", "34", "35", "38", "76",
    "62", "78", "91", "95", "77",
];

/// SplitMix64: tiny, fast and identical everywhere.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// A synthetic directory of `size` providers (deterministic for a given size).
fn synthetic_directory(size: usize, deps: &Departements) -> Vec<Candidate> {
    let all = deps.all();
    let mut rng = SplitMix64(0x00C7_BE2D_0000 ^ size as u64);

    // Cumulative weights to draw a département.
    let weights: Vec<f64> = all
        .iter()
        .map(|d| {
            if BIG.contains(&d.code.as_str()) {
                5.0
            } else {
                1.0
            }
        })
        .collect();
    let mut cumulative = Vec::with_capacity(all.len());
    let mut sum = 0.0;
    for w in &weights {
        sum += w;
        cumulative.push(sum);
    }

    // For département-list zones: each département's neighbours, nearest prefecture first.
    let nearest: Vec<Vec<String>> = all
        .iter()
        .map(|d| {
            let mut others: Vec<&Departement> = all.iter().filter(|o| o.code != d.code).collect();
            others.sort_by(|a, b| {
                distance_km(d.latitude, d.longitude, a.latitude, a.longitude).total_cmp(
                    &distance_km(d.latitude, d.longitude, b.latitude, b.longitude),
                )
            });
            others.iter().take(3).map(|o| o.code.clone()).collect()
        })
        .collect();

    const RADII: [u32; 8] = [10, 20, 30, 30, 50, 50, 80, 100];
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date");

    (0..size)
        .map(|_| {
            let target = rng.unit() * sum;
            let k = cumulative
                .partition_point(|&c| c <= target)
                .min(all.len() - 1);
            let dep = &all[k];
            let big = weights[k] > 1.0;

            // Denser near the prefecture: distance = spread * u², random bearing.
            let spread = if big { 0.15 } else { 0.35 };
            let r = spread * rng.unit().powi(2);
            let angle = rng.unit() * std::f64::consts::TAU;
            let latitude = dep.latitude + r * angle.sin();
            let longitude = dep.longitude + r * angle.cos() / dep.latitude.to_radians().cos();

            let roll = rng.unit();
            let zone = if roll < 0.60 {
                Zone::Radius {
                    radius_km: RADII[rng.below(RADII.len())],
                }
            } else if roll < 0.88 {
                let extra = rng.below(4); // 0..=3 neighbours: lists of 1 to 4 départements
                let mut departements: Vec<String> = std::iter::once(dep.code.clone())
                    .chain(nearest[k].iter().take(extra).cloned())
                    .collect();
                departements.sort();
                Zone::Departements { departements }
            } else {
                Zone::National
            };

            let mut audiences = Vec::new();
            for (audience, p) in [
                (Audience::Particulier, 0.70),
                (Audience::Entreprise, 0.85),
                (Audience::Collectivite, 0.40),
            ] {
                if rng.chance(p) {
                    audiences.push(audience);
                }
            }
            if audiences.is_empty() {
                audiences.push(Audience::Entreprise);
            }

            let breadth = 0.15 + 0.45 * rng.unit();
            let mut incidents = IncidentSet::default();
            for bit in 0..INCIDENT_TYPES {
                if rng.chance(breadth) {
                    incidents.insert(bit);
                }
            }

            let remote = rng.chance(0.55);
            let label_valid_until = rng
                .chance(0.17)
                .then(|| today + chrono::Days::new(rng.below(730) as u64));

            Candidate {
                latitude,
                longitude,
                zone,
                audiences,
                incidents,
                remote,
                label_valid_until,
                insured_until: None,
            }
        })
        .collect()
}

fn query(latitude: f64, longitude: f64, departement: &str, audience: Audience) -> Query {
    Query {
        latitude,
        longitude,
        departement: Some(departement.to_owned()),
        incident: Some(RANSOMWARE),
        audience: Some(audience),
        labelled_on: None,
        insured_on: None,
        include_remote: false,
    }
}

/// A victim in Rennes (a company hit by ransomware): the issue's target query.
fn rennes() -> Query {
    query(48.1147, -1.6794, "35", Audience::Entreprise)
}

/// An individual in rural Lozère (near Florac), far from any big city.
fn rural() -> Query {
    query(44.3245, 3.5933, "48", Audience::Particulier)
}

fn with_remote(mut q: Query) -> Query {
    q.include_remote = true;
    q
}

fn describe(name: &str, index: &MatchingIndex, q: &Query) {
    let hits = index.search(q);
    let covering = hits.iter().filter(|m| m.covers).count();
    eprintln!(
        "  {name}: {} matches ({covering} covering, {} remote-only)",
        hits.len(),
        hits.len() - covering
    );
}

fn bench_search(c: &mut Criterion) {
    let deps = Departements::from_fixture().expect("departements fixture");
    for size in [1_200usize, 100_000] {
        let candidates = synthetic_directory(size, &deps);
        let national = candidates
            .iter()
            .filter(|c| matches!(c.zone, Zone::National))
            .count();
        let listed = candidates
            .iter()
            .filter(|c| matches!(c.zone, Zone::Departements { .. }))
            .count();
        let remote = candidates.iter().filter(|c| c.remote).count();
        eprintln!(
            "directory of {size}: {} radius, {listed} département lists, {national} national, {remote} remote",
            size - listed - national
        );
        let index = MatchingIndex::build(candidates);
        let queries = [
            ("rennes_ransomware_entreprise", rennes()),
            ("rural_lozere_ransomware_particulier", rural()),
            (
                "rennes_ransomware_entreprise_with_remote",
                with_remote(rennes()),
            ),
        ];
        let mut group = c.benchmark_group(format!("search/{size}"));
        if size > 10_000 {
            group.measurement_time(Duration::from_secs(8));
        }
        for (name, q) in &queries {
            describe(name, &index, q);
            group.bench_function(*name, |b| b.iter(|| black_box(index.search(black_box(q)))));
        }
        group.finish();
        // What the API asks for: the total and the first page of 10.
        let mut group = c.benchmark_group(format!("page10/{size}"));
        if size > 10_000 {
            group.measurement_time(Duration::from_secs(8));
        }
        for (name, q) in &queries {
            group.bench_function(*name, |b| {
                b.iter(|| black_box(index.search_page(black_box(q), 0, 10)))
            });
        }
        // A page deep in the list: everything before it must be ordered too.
        group.bench_function("rennes_ransomware_entreprise_page_50_of_10", |b| {
            b.iter(|| black_box(index.search_page(black_box(&queries[0].1), 490, 10)))
        });
        group.finish();
    }
}

/// The engine's result order: covering first, nearest first, then entry order.
fn order(a: &Match, b: &Match) -> std::cmp::Ordering {
    b.covers
        .cmp(&a.covers)
        .then(a.distance_km.total_cmp(&b.distance_km))
        .then(a.entry.cmp(&b.entry))
}

/// Where the Rennes query's time goes at 100,000 providers.
fn bench_breakdown(c: &mut Criterion) {
    let deps = Departements::from_fixture().expect("departements fixture");
    let candidates = synthetic_directory(100_000, &deps);
    let (national, local): (Vec<Candidate>, Vec<Candidate>) = candidates
        .into_iter()
        .partition(|c| matches!(c.zone, Zone::National));
    let national_points: Vec<(f64, f64)> =
        national.iter().map(|c| (c.latitude, c.longitude)).collect();
    let national_index = MatchingIndex::build(national);
    let local_index = MatchingIndex::build(local);
    let q = rennes();
    eprintln!("breakdown at 100,000 providers, Rennes query:");
    describe("national providers only", &national_index, &q);
    describe(
        "radius and département-list providers only",
        &local_index,
        &q,
    );

    // The engine sorts every match before the API keeps one page of 10: sort a list of the
    // same length and shape.
    let mut all = national_index.search(&q);
    all.extend(local_index.search(&q));
    let shuffled: Vec<Match> = {
        let mut rng = SplitMix64(7);
        let mut v = all.clone();
        for i in (1..v.len()).rev() {
            v.swap(i, rng.below(i + 1));
        }
        v
    };

    let mut group = c.benchmark_group("breakdown_100k");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("rennes_national_only", |b| {
        b.iter(|| black_box(national_index.search(black_box(&q))))
    });
    group.bench_function("rennes_radius_and_lists_only", |b| {
        b.iter(|| black_box(local_index.search(black_box(&q))))
    });
    group.bench_function(format!("sort_{}_matches", shuffled.len()), |b| {
        b.iter_batched(
            || shuffled.clone(),
            |mut v| {
                v.sort_by(order);
                v
            },
            BatchSize::LargeInput,
        )
    });
    // The API shows one page (10 by default) and the total: selecting the first 10 is enough.
    group.bench_function(
        format!("top10_select_nth_of_{}_matches", shuffled.len()),
        |b| {
            b.iter_batched(
                || shuffled.clone(),
                |mut v| {
                    let k = 10.min(v.len());
                    if k < v.len() {
                        v.select_nth_unstable_by(k, order);
                    }
                    v[..k].sort_by(order);
                    v.truncate(k);
                    v
                },
                BatchSize::LargeInput,
            )
        },
    );
    // Distances to every national provider (the engine computes one per national match):
    // haversine as the engine does, against a dot product on unit vectors precomputed at build
    // time (the chord length orders points exactly like the great-circle distance).
    let points: Vec<(f64, f64)> = national_points;
    let unit = |lat: f64, lon: f64| {
        let (lat, lon) = (lat.to_radians(), lon.to_radians());
        [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
    };
    let vectors: Vec<[f64; 3]> = points.iter().map(|&(lat, lon)| unit(lat, lon)).collect();
    group.bench_function(format!("haversine_x{}", points.len()), |b| {
        b.iter(|| {
            let (lat, lon) = black_box((q.latitude, q.longitude));
            points
                .iter()
                .map(|&(a, o)| distance_km(a, o, lat, lon))
                .sum::<f64>()
        })
    });
    group.bench_function(format!("unit_vector_dot_x{}", vectors.len()), |b| {
        b.iter(|| {
            let v = unit(black_box(q.latitude), black_box(q.longitude));
            vectors
                .iter()
                .map(|p| p[0] * v[0] + p[1] * v[1] + p[2] * v[2])
                .sum::<f64>()
        })
    });
    group.finish();
}

fn bench_build(c: &mut Criterion) {
    let deps = Departements::from_fixture().expect("departements fixture");
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    for size in [1_200usize, 100_000] {
        let candidates = synthetic_directory(size, &deps);
        group.bench_function(format!("{size}"), |b| {
            b.iter_batched(
                || candidates.clone(),
                MatchingIndex::build,
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench_search, bench_breakdown, bench_build);
criterion_main!(benches);
