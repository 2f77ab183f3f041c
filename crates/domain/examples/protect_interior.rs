//! The service's protection of a table given as `type,audience,region,count` lines (the
//! `interior.csv` of `benches/secrecy_side_by_side.sh`), for comparison with
//! `benches/secrecy_optimum.py` on the same table: prints the complements (cells, value).
//! Given a second file (one `0`/`1` per cell of the cube with its margins, in the service's
//! layout, as `secrecy_optimum.py` writes its optimum), it also audits that pattern with the
//! service's attacker, so that the optimum is checked by a programme other than its own.
//!
//! Usage: cargo run --release -p cyberdir-domain --example protect_interior -- FILE [HIDDEN]

// Bench code: an unexpected input fails the run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::time::Instant;

use cyberdir_domain::observatory::suppression::attacker::Publication;
use cyberdir_domain::observatory::suppression::{DEFAULT_THRESHOLD, Protected};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: protect_interior FILE");
    let text = std::fs::read_to_string(&path).expect("the table");
    let rows: Vec<[String; 4]> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            [f[0], f[1], f[2], f[3]].map(|s| s.trim().to_owned())
        })
        .collect();
    // The axes as the optimum's script reads them: the codes present, sorted.
    let axes: Vec<Vec<String>> = (0..3)
        .map(|k| {
            rows.iter()
                .map(|r| r[k].clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        })
        .collect();
    let sizes: Vec<usize> = axes.iter().map(Vec::len).collect();
    let mut interior = vec![0u64; sizes.iter().product()];
    for r in &rows {
        let at = |k: usize| axes[k].iter().position(|c| *c == r[k]).unwrap();
        interior[(at(0) * sizes[1] + at(1)) * sizes[2] + at(2)] = r[3].parse().unwrap();
    }
    let started = Instant::now();
    let protected = Protected::new(&sizes, &interior, DEFAULT_THRESHOLD).expect("protection");
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
    if let Some(hidden) = std::env::args().nth(2) {
        let flags: Vec<bool> = std::fs::read_to_string(&hidden)
            .expect("the hidden cells")
            .split_whitespace()
            .map(|f| f == "1")
            .collect();
        // Every cell's exact count, in the layout (row-major, the total last on each axis).
        let slots = |n: usize| (0..n).map(Some).chain(std::iter::once(None));
        let mut counts = Vec::new();
        for t in slots(sizes[0]) {
            for a in slots(sizes[1]) {
                for r in slots(sizes[2]) {
                    counts.push(protected.exact(&[t, a, r]));
                }
            }
        }
        assert_eq!(counts.len(), flags.len(), "one flag per cell");
        let values: Vec<Option<u64>> = counts
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
        let exposed = Publication::new(&sizes, values)
            .expect("the pattern")
            .exposures(DEFAULT_THRESHOLD)
            .expect("audit")
            .len();
        println!(
            "{hidden}: complements {cells} cells worth {value}, {exposed} exposed by the service's attacker"
        );
    }
}
