//! The observatory's protection and τ-ARGUS's side by side on one month's table, each audited
//! by the same attacker (`suppression::attacker`: every figure published, counts non-negative
//! integers, zeros shown). Run by `benches/secrecy_side_by_side.sh`, which seeds a database,
//! runs this bench to write the month's counts (`DIR/interior.csv`), τ-ARGUS (`pytauargus`,
//! `benches/tauargus_side_by_side.py`) on them, then this bench again to audit each of
//! τ-ARGUS's tables (`DIR/tauargus-*.csv`). Settings: `DATABASE_URL`, `SIDE_BY_SIDE_DIR`,
//! `SIDE_BY_SIDE_MONTH` (`YYYY-MM`, the month before last when absent).

// Bench code: an unexpected value fails the run, which is what a benchmark wants.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Datelike, Months};
use cyberdir::clock::Clock;
use cyberdir::config::Config;
use cyberdir::domain::observatory::parse_month;
use cyberdir::domain::observatory::suppression::attacker::Publication;
use cyberdir::domain::observatory::suppression::{
    Coord, DEFAULT_THRESHOLD as THRESHOLD, Protected,
};
use cyberdir::observatory::open_data::{self, Axes};

/// The codes of one axis, its total written `Total` as τ-ARGUS writes it.
fn codes(axes: &Axes) -> [Vec<String>; 3] {
    [
        axes.types.iter().map(|t| t.0.clone()).collect(),
        axes.audiences.iter().map(|a| a.code().to_owned()).collect(),
        axes.regions.iter().map(|r| r.0.clone()).collect(),
    ]
}

/// The index of a cell (with margins) in the cube's layout.
fn index(sizes: [usize; 3], coords: [Coord; 3]) -> usize {
    let slot = |c: Coord, n: usize| c.unwrap_or(n);
    (slot(coords[0], sizes[0]) * (sizes[1] + 1) + slot(coords[1], sizes[1])) * (sizes[2] + 1)
        + slot(coords[2], sizes[2])
}

/// What a table hides and what its reader learns: secret cells, complements (cells, value)
/// and the cells the attacker bounds under the threshold.
fn report(name: &str, publication: &Publication, exact: &[u64], seconds: Option<f64>) {
    let (mut primary, mut cells, mut value) = (0, 0, 0);
    for (v, &count) in publication.values().iter().zip(exact) {
        if v.is_none() {
            if (1..THRESHOLD).contains(&count) {
                primary += 1;
            } else {
                cells += 1;
                value += count;
            }
        }
    }
    let started = Instant::now();
    let exposures = publication.exposures(THRESHOLD).expect("audit");
    let narrowest = exposures.iter().map(|e| e.upper).min();
    println!(
        "{name} | {primary} | {cells}, {value} | {} | {} | {:.1} s",
        exposures.len(),
        narrowest.map_or("-".into(), |u| u.to_string()),
        seconds.unwrap_or(f64::NAN),
    );
    eprintln!("audit of {name}: {:.1} s", started.elapsed().as_secs_f64());
}

fn main() {
    let config = Config::from_env().expect("configuration (DATABASE_URL)");
    let state = cyberdir::state::prepare(config, Clock::System).expect("state");
    let dir = PathBuf::from(std::env::var("SIDE_BY_SIDE_DIR").expect("SIDE_BY_SIDE_DIR"));
    let first = match std::env::var("SIDE_BY_SIDE_MONTH") {
        Ok(text) => parse_month(&text).expect("SIDE_BY_SIDE_MONTH is YYYY-MM"),
        Err(_) => (state.clock.today() - Months::new(2))
            .with_day0(0)
            .expect("a month"),
    };
    let mut conn = state.pool.get().expect("connection");
    let facts = cyberdir::observatory::facts(&state, &state.observatory, &mut conn).expect("facts");
    let axes = Axes::of(&state);
    let sizes = axes.sizes();
    let [types, audiences, regions] = codes(&axes);
    let interior = open_data::month_interior(&axes, &facts, first);

    // The exact cube with its margins, from the service's own protection (nothing hidden).
    let started = Instant::now();
    let ours = open_data::protect_month(&axes, &facts, first, &[]).expect("protection");
    let protect_seconds = started.elapsed().as_secs_f64();
    let mut exact = vec![0; (sizes[0] + 1) * (sizes[1] + 1) * (sizes[2] + 1)];
    let with_total = |n: usize| (0..n).map(Some).chain(std::iter::once(None));
    for t in with_total(sizes[0]) {
        for a in with_total(sizes[1]) {
            for r in with_total(sizes[2]) {
                exact[index(sizes, [t, a, r])] = ours.exact(&[t, a, r]);
            }
        }
    }

    println!(
        "table of {} ({} × {} × {} with every total, {} cells)",
        first.format("%Y-%m"),
        sizes[0],
        sizes[1],
        sizes[2],
        exact.len()
    );
    println!(
        "method | small cells hidden | complements: cells, value | exposed | narrowest upper bound | time to protect"
    );
    report(
        "cyberdir",
        &ours.publication(),
        &exact,
        Some(protect_seconds),
    );
    let tauargus: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("tauargus-") && n.ends_with(".csv"))
                })
                .collect();
            files.sort();
            files
        })
        .unwrap_or_default();
    if tauargus.is_empty() {
        // First pass: the month's interior counts for τ-ARGUS.
        std::fs::create_dir_all(&dir).expect("directory");
        let mut out = csv::Writer::from_path(dir.join("interior.csv")).expect("interior.csv");
        out.write_record(["type", "audience", "region", "count"])
            .unwrap();
        for (t, code_t) in types.iter().enumerate() {
            for (a, code_a) in audiences.iter().enumerate() {
                for (r, code_r) in regions.iter().enumerate() {
                    let count = interior[(t * sizes[1] + a) * sizes[2] + r];
                    if count > 0 {
                        out.write_record([code_t, code_a, code_r, &count.to_string()])
                            .unwrap();
                    }
                }
            }
        }
        out.flush().unwrap();
        println!(
            "{}: {} cases written to {}",
            first.format("%Y-%m"),
            interior.iter().sum::<u64>(),
            dir.join("interior.csv").display()
        );
        return;
    }

    for file in &tauargus {
        let (publication, seconds) =
            read_tauargus(file, sizes, &[&types, &audiences, &regions], &exact);
        let name = file
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or("τ-ARGUS");
        report(name, &publication, &exact, seconds);
        // The same table brought to this reader's protection by the service's repair: both
        // methods compared at the same protection.
        let hidden: Vec<bool> = publication.values().iter().map(Option::is_none).collect();
        let started = Instant::now();
        let repaired =
            Protected::extending(&sizes, &interior, THRESHOLD, &hidden).expect("protection");
        let seconds = started.elapsed().as_secs_f64();
        report(
            &format!("{name}, then the service's moves"),
            &repaired.publication(),
            &exact,
            Some(seconds),
        );
    }
}

/// τ-ARGUS's table as its reader sees it: status `U` (primary) and `M` (secondary) hidden,
/// every other cell published; each value checked against the exact cube.
fn read_tauargus(
    file: &Path,
    sizes: [usize; 3],
    codes: &[&Vec<String>; 3],
    exact: &[u64],
) -> (Publication, Option<f64>) {
    let mut reader = csv::Reader::from_path(file).expect("τ-ARGUS table");
    let mut values: Vec<Option<u64>> = exact.iter().map(|&v| Some(v)).collect();
    let mut seconds = None;
    for record in reader.records() {
        let record = record.expect("a row");
        if &record[0] == "#seconds" {
            seconds = record[1].parse().ok();
            continue;
        }
        let coord = |dim: usize| -> Coord {
            // τ-ARGUS pads its codes to the longest one.
            let code = record[dim].trim();
            if code == "Total" {
                None
            } else {
                Some(
                    codes[dim]
                        .iter()
                        .position(|c| c == code)
                        .expect("a known code"),
                )
            }
        };
        let idx = index(sizes, [coord(0), coord(1), coord(2)]);
        let value: f64 = record[3].parse().expect("a value");
        assert_eq!(value as u64, exact[idx], "τ-ARGUS's count of {:?}", &record);
        if matches!(&record[4], "U" | "M") {
            values[idx] = None;
        }
    }
    (Publication::new(&sizes, values).expect("shape"), seconds)
}
