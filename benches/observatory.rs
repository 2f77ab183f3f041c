//! The observatory's scheduled and bulk work on a seeded database (`cyberdir seed --observatory
//! N`, then `DATABASE_URL=… cargo bench --bench observatory`): the first catch-up of the facts
//! into memory, the dashboard's views for 400 random filter combinations (p50/p95/max, as the
//! service computes them, counter read included), the daily detection of waves over every
//! incident type × audience, and the monthly open-data file (protection and CSV). Figures in
//! BENCHMARKS.md; the pages over HTTP are measured by `benches/observatory_load.sh`.

// Test code: an unexpected value fails the run, which is what a test wants.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::{Datelike, Days, Months};
use cyberdir::clock::Clock;
use cyberdir::config::Config;
use cyberdir::domain::audience::Audience;
use cyberdir::domain::observatory::suppression::{DEFAULT_THRESHOLD as THRESHOLD, Protected};
use cyberdir::observatory::dashboard::Filter;
use cyberdir::observatory::{open_data, signals};

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    let rank = ((share * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let config = Config::from_env().expect("configuration (DATABASE_URL)");
    let state = cyberdir::state::prepare(config, Clock::System).expect("state");
    let mut conn = state.pool.get().expect("connection");
    let started = Instant::now();
    let rows = cyberdir::observatory::facts(&state, &state.observatory, &mut conn)
        .expect("facts")
        .rows
        .len();
    println!(
        "catch-up of {rows} facts into memory: {}",
        ms(started.elapsed())
    );

    // Random filter combinations over every dimension and period, from a fixed seed.
    let today = state.clock.today();
    let types: Vec<String> = state
        .taxonomy
        .all()
        .iter()
        .map(|t| t.code.clone())
        .collect();
    let categories: Vec<String> = state
        .taxonomy
        .categories()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let regions: Vec<String> = state
        .departements
        .regions()
        .into_iter()
        .map(|r| r.0)
        .collect();
    let departements: Vec<String> = state
        .departements
        .all()
        .iter()
        .map(|d| d.code.clone())
        .collect();
    let mut seed = 0x5eed_u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let staff = cyberdir::domain::actor::Actor {
        id: "bench".into(),
        email: "bench@cyberdir.localhost".into(),
        display_name: "Benchmark".into(),
        role: cyberdir::auth::Role::Staff,
        memberships: Vec::new(),
    };
    let mut times = Vec::new();
    for _ in 0..400 {
        let days = [7u64, 30, 91, 365, 730][next(5)];
        let to = today - Days::new(next(300) as u64);
        let pick = |k: usize, list: &[String]| (k == 0).then(|| list[k % list.len()].clone());
        let filter = Filter {
            from: Some(to - Days::new(days - 1)),
            to: Some(to),
            audience: (next(3) == 0).then(|| Audience::ALL[next(3)].code().to_owned()),
            incident_type: pick(next(3), &types).map(|_| types[next(types.len())].clone()),
            category: pick(next(5), &categories)
                .map(|_| categories[next(categories.len())].clone()),
            region: pick(next(4), &regions).map(|_| regions[next(regions.len())].clone()),
            departement: pick(next(6), &departements)
                .map(|_| departements[next(departements.len())].clone()),
            channel: (next(5) == 0).then(|| "site".to_owned()),
        };
        let started = Instant::now();
        let d = cyberdir::observatory::dashboard(&state, &state.observatory, &staff, &filter)
            .expect("dashboard");
        times.push(started.elapsed());
        std::hint::black_box(d);
    }
    times.sort();
    println!(
        "dashboard, 400 filter combinations: p50 {}, p95 {}, max {}",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(percentile(&times, 1.0))
    );

    let facts = cyberdir::observatory::facts(&state, &state.observatory, &mut conn).expect("facts");
    let mut waves = 0;
    let started = Instant::now();
    let yesterday = today - Days::new(1);
    for _ in 0..5 {
        waves = signals::find(&facts, yesterday).len();
    }
    println!(
        "daily wave detection, every incident type × audience: {} ({waves} waves)",
        ms(started.elapsed() / 5)
    );

    let axes = open_data::Axes::of(&state);
    let month = (today - Months::new(1)).with_day0(0).expect("a month");
    let started = Instant::now();
    let mut size = 0;
    for _ in 0..5 {
        let cube = open_data::protect_month(&axes, &facts, month, &[]).expect("cube");
        size = open_data::csv_of(&axes, month, &cube).expect("csv").len();
    }
    println!(
        "monthly open-data file ({month}, {size} bytes): {}",
        ms(started.elapsed() / 5)
    );

    // Statistical secrecy, month by month over the last year: what the audited protection
    // hides, and the audit of the file as published; for the last three months, the same
    // against the per-equation protection the service used before (and its exposures).
    println!(
        "month | small cells | hidden to protect them (cells, value) | protect | audit | per-equation only: hidden (cells, value), exposed"
    );
    for back in (1..=12).rev() {
        let first = (today - Months::new(back)).with_day0(0).expect("a month");
        let interior = open_data::month_interior(&axes, &facts, first);
        let started = Instant::now();
        let cube = open_data::protect_month(&axes, &facts, first, &[]).expect("cube");
        let protect = started.elapsed();
        let csv = open_data::csv_of(&axes, first, &cube).expect("csv");
        let started = Instant::now();
        cyberdir::observatory::secrecy::audit_before_release(&axes, &[], &csv)
            .expect("no exposure");
        let audit = started.elapsed();
        let small = cube.suppressed_count() - cube.complements(THRESHOLD).0;
        let (cells, value) = cube.complements(THRESHOLD);
        let before = if back <= 3 {
            let old =
                Protected::per_equation_only(&axes.sizes(), &interior, THRESHOLD).expect("cube");
            let (old_cells, old_value) = old.complements(THRESHOLD);
            let exposed = old.publication().exposures(THRESHOLD).expect("audit").len();
            format!("{old_cells}, {old_value}, {exposed}")
        } else {
            "-".into()
        };
        println!(
            "{} | {small} | {cells}, {value} | {} | {} | {before}",
            first.format("%Y-%m"),
            ms(protect),
            ms(audit)
        );
    }
}
