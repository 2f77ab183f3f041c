//! The service's protection of a table given as `type,audience,region,count` lines (the
//! `interior.csv` of `benches/secrecy_side_by_side.sh`), for comparison with
//! `benches/secrecy_optimum.py` on the same table: prints the complements (cells, value).
//!
//! - Given a second file (one `0`/`1` per cell of the cube with its margins, in the service's
//!   layout, as `secrecy_optimum.py` writes its optimum), it also audits that pattern with the
//!   service's attacker, so that the optimum is checked by a programme other than its own.
//! - Given `--revised FILE2` (the same table with late cases added), it protects FILE2 as a
//!   correction of FILE's publication, as the service protects a month's correction, and
//!   compares its complements with a first publication of FILE2. It writes both revisions'
//!   patterns beside FILE2 (`earlier-hidden.txt`, `correction-hidden.txt`) for
//!   `secrecy_optimum.py --earlier`; given HIDDEN2 (that script's optimum for the
//!   correction), it audits that pattern reading both revisions.
//!
//! Usage: cargo run --release -p cyberdir-domain --example protect_interior -- FILE
//! [HIDDEN | --revised FILE2]

// Bench code: an unexpected input fails the run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::time::Instant;

use cyberdir_domain::observatory::suppression::attacker::{self, Publication};
use cyberdir_domain::observatory::suppression::{
    DEFAULT_THRESHOLD, Progress, Protected, publish_back,
};

type Row = [String; 4];

fn read_rows(path: &str) -> Vec<Row> {
    let text = std::fs::read_to_string(path).expect("the table");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            [f[0], f[1], f[2], f[3]].map(|s| s.trim().to_owned())
        })
        .collect()
}

/// The axes as the optimum's script reads them: the codes present, sorted.
fn axes_of(rows: &[Row]) -> Vec<Vec<String>> {
    (0..3)
        .map(|k| {
            rows.iter()
                .map(|r| r[k].clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        })
        .collect()
}

fn interior_of(rows: &[Row], axes: &[Vec<String>]) -> Vec<u64> {
    let sizes: Vec<usize> = axes.iter().map(Vec::len).collect();
    let mut interior = vec![0u64; sizes.iter().product()];
    for r in rows {
        let at = |k: usize| axes[k].iter().position(|c| *c == r[k]).unwrap();
        interior[(at(0) * sizes[1] + at(1)) * sizes[2] + at(2)] = r[3].parse().unwrap();
    }
    interior
}

/// Every cell's exact count, in the layout (row-major, the total last on each axis).
fn exact_counts(protected: &Protected, sizes: &[usize]) -> Vec<u64> {
    let slots = |n: usize| (0..n).map(Some).chain(std::iter::once(None));
    let mut counts = Vec::new();
    for t in slots(sizes[0]) {
        for a in slots(sizes[1]) {
            for r in slots(sizes[2]) {
                counts.push(protected.exact(&[t, a, r]));
            }
        }
    }
    counts
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: protect_interior FILE [HIDDEN | --revised FILE2 [HIDDEN2]]");
    let rows = read_rows(path);
    match (args.get(2).map(String::as_str), args.get(3)) {
        (Some("--revised"), Some(revised)) => protect_correction(&rows, revised, args.get(4)),
        (Some(hidden), None) => audit_pattern(&rows, hidden),
        (None, _) => {
            let axes = axes_of(&rows);
            protect(&axes, &interior_of(&rows, &axes));
        }
        _ => panic!("usage: protect_interior FILE [HIDDEN | --revised FILE2 [HIDDEN2]]"),
    }
}

fn sizes_of(axes: &[Vec<String>]) -> Vec<usize> {
    axes.iter().map(Vec::len).collect()
}

/// The service's protection of a first publication, printed and returned.
fn protect(axes: &[Vec<String>], interior: &[u64]) -> Protected {
    let sizes = sizes_of(axes);
    let started = Instant::now();
    let protected = Protected::new(&sizes, interior, DEFAULT_THRESHOLD).expect("protection");
    let seconds = started.elapsed().as_secs_f64();
    let (cells, value) = protected.complements(DEFAULT_THRESHOLD);
    let exposed = protected
        .publication()
        .exposures(DEFAULT_THRESHOLD)
        .expect("audit")
        .len();
    println!(
        "{} x {} x {}: complements {cells} cells worth {value}, {exposed} exposed, {seconds:.1} s",
        sizes[0], sizes[1], sizes[2]
    );
    protected
}

/// The table published first, then protected again with its late cases as the service
/// protects a month's correction.
fn protect_correction(rows: &[Row], revised_path: &str, other: Option<&String>) {
    let revised = &read_rows(revised_path);
    // A correction only adds cases: its codes hold the first table's.
    let axes = axes_of(revised);
    let sizes = sizes_of(&axes);
    let interior = interior_of(rows, &axes);
    let interior2 = interior_of(revised, &axes);
    let earlier = protect(&axes, &interior).publication();
    let started = Instant::now();
    // As the service does: complements tried back for at most `publish_back::BUDGET`.
    let mut back: Option<(Instant, Progress)> = None;
    let correction = Protected::revising_watched(
        &sizes,
        &interior2,
        DEFAULT_THRESHOLD,
        std::slice::from_ref(&earlier),
        &mut |p| match p {
            Progress::PublishingBack { .. } => {
                let from = back.get_or_insert((Instant::now(), p)).0;
                back = Some((from, p));
                from.elapsed() < publish_back::BUDGET
            }
            _ => true,
        },
    )
    .expect("the correction");
    let seconds = started.elapsed().as_secs_f64();
    if let Some((
        from,
        Progress::PublishingBack {
            tried, published, ..
        },
    )) = back
    {
        println!(
            "published back: {published} of {tried} complements tried, {:.1} s (protection before them: {:.1} s)",
            from.elapsed().as_secs_f64(),
            seconds - from.elapsed().as_secs_f64()
        );
    }
    let (cells, value) = correction.complements(DEFAULT_THRESHOLD);
    let exposed = attacker::exposures(
        &[earlier.clone(), correction.publication()],
        DEFAULT_THRESHOLD,
    )
    .expect("audit")
    .len();
    // The patterns, for `secrecy_optimum.py --earlier` (one 0/1 per cell, in the layout).
    let dir = std::path::Path::new(revised_path)
        .parent()
        .expect("the revised table's directory");
    write_pattern(&dir.join("earlier-hidden.txt"), &earlier);
    write_pattern(
        &dir.join("correction-hidden.txt"),
        &correction.publication(),
    );
    if let Some(other) = other {
        audit_correction(&sizes, &earlier, &exact_counts(&correction, &sizes), other);
    }
    let fresh = Protected::new(&sizes, &interior2, DEFAULT_THRESHOLD).expect("protection");
    let (fresh_cells, fresh_value) = fresh.complements(DEFAULT_THRESHOLD);
    println!(
        "correction ({} cases added): complements {cells} cells worth {value}, {exposed} \
         exposed reading both revisions, {seconds:.1} s; the same table published first: \
         {fresh_cells} cells worth {fresh_value}",
        interior2.iter().sum::<u64>() - interior.iter().sum::<u64>()
    );
}

/// Another method's pattern of hidden cells, audited by the service's attacker.
fn audit_pattern(rows: &[Row], hidden: &str) {
    let axes = axes_of(rows);
    let sizes = sizes_of(&axes);
    // Only the exact counts are read from this cube; its own (cheap) suppression is unused.
    let cube = Protected::per_equation_only(&sizes, &interior_of(rows, &axes), DEFAULT_THRESHOLD)
        .expect("the cube");
    let (values, cells, value) = apply_pattern(&exact_counts(&cube, &sizes), hidden);
    let exposed = Publication::new(&sizes, values)
        .expect("the pattern")
        .exposures(DEFAULT_THRESHOLD)
        .expect("audit")
        .len();
    println!(
        "{hidden}: complements {cells} cells worth {value}, {exposed} exposed by the service's attacker"
    );
}

fn write_pattern(path: &std::path::Path, publication: &Publication) {
    let flags: Vec<&str> = publication
        .values()
        .iter()
        .map(|v| if v.is_none() { "1" } else { "0" })
        .collect();
    std::fs::write(path, flags.join("\n") + "\n").expect("the pattern file");
}

/// A pattern file (one 0/1 per cell, in the layout) applied to the exact counts: the
/// publication's values, and the complements it hides (cells, value).
fn apply_pattern(counts: &[u64], hidden: &str) -> (Vec<Option<u64>>, usize, u64) {
    let flags: Vec<bool> = std::fs::read_to_string(hidden)
        .expect("the hidden cells")
        .split_whitespace()
        .map(|f| f == "1")
        .collect();
    assert_eq!(counts.len(), flags.len(), "one flag per cell");
    let values = counts
        .iter()
        .zip(&flags)
        .map(|(&v, &h)| if h { None } else { Some(v) })
        .collect();
    let (mut cells, mut value) = (0, 0);
    for (&count, &h) in counts.iter().zip(&flags) {
        if h && count >= DEFAULT_THRESHOLD {
            cells += 1;
            value += count;
        }
    }
    (values, cells, value)
}

/// Another method's pattern for the correction, audited reading both revisions.
fn audit_correction(sizes: &[usize], earlier: &Publication, counts: &[u64], hidden: &str) {
    let (values, cells, value) = apply_pattern(counts, hidden);
    let correction = Publication::new(sizes, values).expect("the pattern");
    let started = Instant::now();
    let exposed = attacker::exposures(&[earlier.clone(), correction.clone()], DEFAULT_THRESHOLD)
        .expect("audit")
        .len();
    let audit_seconds = started.elapsed().as_secs_f64();
    // As `cyberdir observatory audit` reads it: also the narrowest interval, bounding the 3
    // cells nearest the threshold (`secrecy::NARROWEST_PROBES`).
    let started = Instant::now();
    let narrowest = attacker::audit(&[earlier.clone(), correction], DEFAULT_THRESHOLD, 3)
        .expect("audit")
        .narrowest;
    println!(
        "{hidden}: complements {cells} cells worth {value}, {exposed} exposed reading both \
         revisions (the audit: {audit_seconds:.1} s; with the narrowest interval, {narrowest:?}: \
         {:.1} s)",
        started.elapsed().as_secs_f64()
    );
}
