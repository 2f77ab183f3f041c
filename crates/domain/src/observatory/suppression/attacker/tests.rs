//! The reader's programme on small tables whose answer is known by hand.

use super::*;
use crate::observatory::suppression::{DEFAULT_THRESHOLD, Protected};

/// A one-dimension table: its values then its total.
fn line(values: &[Option<u64>]) -> Publication {
    Publication::new(&[values.len() - 1], values.to_vec()).unwrap()
}

#[test]
fn two_secret_cells_that_must_add_up_to_two_are_both_one() {
    // October 2026, minage_cryptomonnaie × Occitanie: 60 − 58 = 2, zeros shown.
    let exposures = line(&[Some(58), None, None, Some(0), Some(60)])
        .exposures(DEFAULT_THRESHOLD)
        .unwrap();
    let found: Vec<(Vec<Coord>, u64, u64)> = exposures
        .into_iter()
        .map(|e| (e.cell, e.lower, e.upper))
        .collect();
    assert_eq!(
        found,
        vec![(vec![Some(1)], 1, 1), (vec![Some(2)], 1, 1)],
        "the reader pins both at 1"
    );
    // With a third secret cell worth 20, each small one may be up to 20.
    let safe = line(&[Some(38), None, None, None, Some(60)]);
    assert_eq!(safe.exposures(DEFAULT_THRESHOLD).unwrap(), vec![]);
}

#[test]
fn the_engine_protects_the_two_cell_line() {
    let cube = Protected::new(&[4], &[58, 1, 1, 0], DEFAULT_THRESHOLD).unwrap();
    assert_eq!(
        cube.publication().exposures(DEFAULT_THRESHOLD).unwrap(),
        vec![]
    );
    assert_eq!(cube.published(&[Some(3)]), Some(0), "zeros stay shown");
    assert!(cube.is_suppressed(&[Some(1)]) && cube.is_suppressed(&[Some(2)]));
}

#[test]
fn figures_that_do_not_add_up_are_refused() {
    let wrong = line(&[Some(5), Some(7), Some(13)]);
    assert_eq!(
        wrong.exposures(DEFAULT_THRESHOLD),
        Err(AuditError::Inconsistent)
    );
    let impossible = line(&[None, None, Some(1)]);
    assert_eq!(
        impossible.exposures(DEFAULT_THRESHOLD),
        Err(AuditError::Inconsistent),
        "two secret cells of at least 1 cannot add up to 1"
    );
    assert!(matches!(
        Publication::new(&[2, 2], vec![None; 8]),
        Err(AuditError::Shape { .. })
    ));
}

/// Every integer filling of a 2-D table's secret interior cells (each at least 1) that
/// gives the published margins; the most `target` is worth in any. Margins are published.
fn brute_force_upper(rows: usize, cols: usize, p: &Publication, target: usize) -> u64 {
    let at = |r: usize, c: usize| r * (cols + 1) + c;
    let secret: Vec<usize> = (0..rows)
        .flat_map(|r| (0..cols).map(move |c| at(r, c)))
        .filter(|&i| p.values()[i].is_none())
        .collect();
    let mut grid: Vec<u64> = p.values().iter().map(|v| v.unwrap_or(0)).collect();
    let mut best = 0;
    fn fill(
        k: usize,
        secret: &[usize],
        grid: &mut Vec<u64>,
        check: &dyn Fn(&[u64]) -> bool,
        target: usize,
        best: &mut u64,
    ) {
        if k == secret.len() {
            if check(grid) {
                *best = (*best).max(grid[target]);
            }
            return;
        }
        for value in 1..=30 {
            grid[secret[k]] = value;
            fill(k + 1, secret, grid, check, target, best);
        }
    }
    let values = p.values().to_vec();
    let check = move |g: &[u64]| {
        let rows_ok = (0..rows).all(|r| {
            values[at(r, cols)].is_none_or(|t| (0..cols).map(|c| g[at(r, c)]).sum::<u64>() == t)
        });
        let cols_ok = (0..cols).all(|c| {
            values[at(rows, c)].is_none_or(|t| (0..rows).map(|r| g[at(r, c)]).sum::<u64>() == t)
        });
        rows_ok && cols_ok
    };
    fill(0, &secret, &mut grid, &check, target, &mut best);
    best
}

#[test]
fn the_programme_bounds_cells_as_an_exhaustive_integer_attacker_does() {
    // 2-D tables with margins are transportation problems: the linear programme's bounds
    // are the integer ones, so they must agree with trying every filling.
    let mut next = super::super::tests::draws(0x2545_F491_4F6C_DD1Du64);
    let (rows, cols) = (3, 3);
    let mut compared = 0;
    while compared < 40 {
        let interior: Vec<u64> = (0..rows * cols).map(|_| 1 + next(12)).collect();
        let mut values = Vec::new();
        for r in 0..=rows {
            for c in 0..=cols {
                let v = match (r < rows, c < cols) {
                    (true, true) => interior[r * cols + c],
                    (true, false) => (0..cols).map(|c| interior[r * cols + c]).sum(),
                    (false, true) => (0..rows).map(|r| interior[r * cols + c]).sum(),
                    (false, false) => interior.iter().sum(),
                };
                let hide = r < rows && c < cols && next(3) == 0;
                values.push((!hide).then_some(v));
            }
        }
        let p = Publication::new(&[rows, cols], values).unwrap();
        let secret: Vec<usize> = (0..p.values().len())
            .filter(|&i| p.values()[i].is_none())
            .collect();
        if secret.len() > 4 {
            continue;
        }
        let exposed: Vec<Vec<Coord>> = p
            .exposures(DEFAULT_THRESHOLD)
            .unwrap()
            .into_iter()
            .map(|e| e.cell)
            .collect();
        for &cell in &secret {
            let upper = brute_force_upper(rows, cols, &p, cell);
            let (_, lp_upper) = Reader::of(std::slice::from_ref(&p))
                .unwrap()
                .bounds((0, cell))
                .unwrap();
            assert_eq!(lp_upper.min(30), upper, "cell {cell} of {:?}", p.values());
            assert_eq!(
                exposed.contains(&p.coords(cell)),
                upper < DEFAULT_THRESHOLD,
                "cell {cell} of {:?}",
                p.values()
            );
        }
        compared += 1;
    }
}

/// With nothing exposed, the audit still gives the narrowest interval it found: bounding
/// every secret cell (`closest` as many as there are) finds the narrowest of all, which no
/// secret cell's own bounds beat; with an exposure, it is the exposure's.
#[test]
fn the_audit_gives_the_narrowest_interval_found() {
    let counts = [3, 40, 0, 25, 60, 7, 90, 14, 35, 12, 4, 80];
    let table = Protected::new(&[3, 4], &counts, DEFAULT_THRESHOLD)
        .unwrap()
        .publication();
    let secret: Vec<usize> = (0..table.values().len())
        .filter(|&idx| table.values()[idx].is_none())
        .collect();
    let found = super::audit(
        std::slice::from_ref(&table),
        DEFAULT_THRESHOLD,
        secret.len(),
    )
    .unwrap();
    assert_eq!(found.exposures, vec![]);
    let narrowest = found.narrowest.expect("an interval");
    let reader = Reader::of(std::slice::from_ref(&table)).unwrap();
    let widths: Vec<u64> = secret
        .iter()
        .map(|&idx| {
            let (lower, upper) = reader.bounds((0, idx)).unwrap();
            upper - lower
        })
        .collect();
    assert!(
        widths.iter().any(|&w| w != widths[0]),
        "a table whose cells are bounded unequally: {widths:?}"
    );
    assert_eq!(
        narrowest.upper - narrowest.lower,
        *widths.iter().min().unwrap(),
        "{narrowest:?} among {widths:?}"
    );
    assert!(narrowest.upper >= DEFAULT_THRESHOLD, "{narrowest:?}");
    // The line of two cells adding up to 2: the exposure's interval, [1, 1].
    let leaking = line(&[Some(58), None, None, Some(0), Some(60)]);
    let found = super::audit(&[leaking], DEFAULT_THRESHOLD, 4).unwrap();
    assert_eq!(found.exposures.len(), 2);
    let narrowest = found.narrowest.unwrap();
    assert_eq!((narrowest.lower, narrowest.upper), (1, 1));
}
