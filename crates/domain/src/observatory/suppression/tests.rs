//! The rules of `suppression`: primary and secondary suppression, revisions, shapes.

use std::collections::BTreeSet;

use super::*;
use std::time::Instant;

/// Deterministic xorshift64 so property tests need no crates.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    /// Many zeros and small counts, as in real incident tables.
    fn count(&mut self) -> u64 {
        match self.below(10) {
            0..=2 => 0,
            3..=6 => 1 + self.below(10),
            _ => 11 + self.below(60),
        }
    }
}

/// Every cell's coordinates, margins included, independent of the layout.
fn all_coords(sizes: &[usize]) -> Vec<Vec<Coord>> {
    let mut all = vec![Vec::new()];
    for &size in sizes {
        let slots: Vec<Coord> = (0..size).map(Some).chain([None]).collect();
        all = all
            .into_iter()
            .flat_map(|prefix| {
                slots.iter().map(move |&slot| {
                    let mut coords = prefix.clone();
                    coords.push(slot);
                    coords
                })
            })
            .collect();
    }
    all
}

/// Every equation as its member cells (values, then the total).
fn equations(sizes: &[usize]) -> Vec<Vec<Vec<Coord>>> {
    let mut result = Vec::new();
    for coords in all_coords(sizes) {
        for dim in 0..sizes.len() {
            if coords[dim].is_some() {
                continue;
            }
            let mut members: Vec<Vec<Coord>> = (0..sizes[dim])
                .map(|value| {
                    let mut member = coords.clone();
                    member[dim] = Some(value);
                    member
                })
                .collect();
            members.push(coords.clone());
            result.push(members);
        }
    }
    result
}

fn assert_guarantee(cube: &Protected, threshold: u64) {
    for coords in all_coords(cube.sizes()) {
        let exact = cube.exact(&coords);
        if (1..threshold).contains(&exact) {
            assert!(cube.is_suppressed(&coords), "primary {coords:?} published");
        }
        match cube.published(&coords) {
            Some(value) => assert_eq!(value, exact, "{coords:?}"),
            None => assert!(cube.is_suppressed(&coords)),
        }
    }
    for members in equations(cube.sizes()) {
        let exact_sum: u64 = members[..members.len() - 1]
            .iter()
            .map(|m| cube.exact(m))
            .sum();
        assert_eq!(exact_sum, cube.exact(&members[members.len() - 1]));
        let hidden = members.iter().filter(|m| cube.is_suppressed(m)).count();
        assert_ne!(hidden, 1, "lone suppressed member in {members:?}");
    }
    for coords in all_coords(cube.sizes()) {
        if cube.is_suppressed(&coords) {
            assert_ne!(cube.exact(&coords), 0, "a zero is hidden at {coords:?}");
        }
    }
    let exposures = cube.publication().exposures(threshold).unwrap();
    assert!(exposures.is_empty(), "exposed: {exposures:?}");
}

/// A 2-D table as an attacker sees it: known interior cells, the
/// suppressed interior cells to guess, and the published margins.
struct Attack {
    grid: Vec<Vec<u64>>,
    unknowns: Vec<(usize, usize)>,
    bounds: Vec<u64>,
    row_totals: Vec<Option<u64>>,
    col_totals: Vec<Option<u64>>,
    grand_total: Option<u64>,
}

impl Attack {
    fn new(cube: &Protected) -> Attack {
        let (rows, cols) = (cube.sizes()[0], cube.sizes()[1]);
        let grid = (0..rows)
            .map(|r| {
                (0..cols)
                    .map(|c| cube.published(&[Some(r), Some(c)]).unwrap_or(0))
                    .collect()
            })
            .collect();
        let unknowns: Vec<(usize, usize)> = (0..rows)
            .flat_map(|r| (0..cols).map(move |c| (r, c)))
            .filter(|&(r, c)| cube.is_suppressed(&[Some(r), Some(c)]))
            .collect();
        let bounds = unknowns
            .iter()
            .map(|&(r, c)| {
                [[Some(r), None], [None, Some(c)], [None, None]]
                    .iter()
                    .filter_map(|coords| cube.published(coords))
                    .min()
                    .unwrap_or(1_000)
            })
            .collect();
        Attack {
            grid,
            unknowns,
            bounds,
            row_totals: (0..rows)
                .map(|r| cube.published(&[Some(r), None]))
                .collect(),
            col_totals: (0..cols)
                .map(|c| cube.published(&[None, Some(c)]))
                .collect(),
            grand_total: cube.published(&[None, None]),
        }
    }

    /// Every non-negative integer filling of the unknowns that reproduces
    /// every published margin, reduced to the value of `target`.
    fn feasible_values(mut self, target: (usize, usize)) -> BTreeSet<u64> {
        let mut found = BTreeSet::new();
        self.fill(0, target, &mut found);
        found
    }

    fn fill(&mut self, next: usize, target: (usize, usize), found: &mut BTreeSet<u64>) {
        if next == self.unknowns.len() {
            if self.consistent() {
                found.insert(self.grid[target.0][target.1]);
            }
            return;
        }
        let (r, c) = self.unknowns[next];
        for value in 0..=self.bounds[next] {
            self.grid[r][c] = value;
            self.fill(next + 1, target, found);
        }
    }

    fn consistent(&self) -> bool {
        let matches = |shown: &Option<u64>, sum: u64| shown.is_none_or(|shown| shown == sum);
        let rows_ok = self
            .grid
            .iter()
            .zip(&self.row_totals)
            .all(|(row, shown)| matches(shown, row.iter().sum()));
        let cols_ok = self
            .col_totals
            .iter()
            .enumerate()
            .all(|(c, shown)| matches(shown, self.grid.iter().map(|row| row[c]).sum()));
        rows_ok && cols_ok && matches(&self.grand_total, self.grid.iter().flatten().sum())
    }
}

#[test]
fn small_cell_in_2d_table_is_not_recoverable() {
    let interior = [3, 11, 12, 11, 13, 14, 15, 16, 17];
    let cube = Protected::new(&[3, 3], &interior, DEFAULT_THRESHOLD).unwrap();
    assert_eq!(cube.published(&[Some(0), Some(0)]), None);
    let row_hidden = (0..3)
        .map(Some)
        .chain([None])
        .filter(|&c| cube.is_suppressed(&[Some(0), c]));
    let col_hidden = (0..3)
        .map(Some)
        .chain([None])
        .filter(|&r| cube.is_suppressed(&[r, Some(0)]));
    assert!(row_hidden.count() >= 2);
    assert!(col_hidden.count() >= 2);
    assert_guarantee(&cube, DEFAULT_THRESHOLD);
    let values = Attack::new(&cube).feasible_values((0, 0));
    eprintln!("3-cell feasible values: {values:?}");
    assert!(values.contains(&3));
    assert!(values.len() > 1, "the 3 is recoverable: {values:?}");
}

/// A repeatable draw of numbers under a bound (xorshift), for tables made up by tests.
pub(super) fn draws(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |bound: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % bound
    }
}

/// A 4 × 4 table published, then corrected with two late ransomware attacks on a cell
/// published as 0: (sizes, first, late).
pub(super) fn late_cases_on_a_zero() -> ([usize; 2], [u64; 16], [u64; 16]) {
    let first = [30, 25, 0, 40, 5, 3, 20, 50, 12, 14, 16, 18, 22, 0, 33, 44];
    let mut late = first;
    late[2] = 2;
    ([4, 4], first, late)
}

#[test]
fn a_correction_does_not_give_away_the_late_cases_it_adds() {
    // Two late ransomware attacks land on a cell published as 0.
    let (sizes, first, late) = late_cases_on_a_zero();
    let rev1 = Protected::new(&sizes, &first, DEFAULT_THRESHOLD).unwrap();
    assert_eq!(rev1.published(&[Some(0), Some(2)]), Some(0));
    let naive = Protected::new(&sizes, &late, DEFAULT_THRESHOLD).unwrap();
    let both = [rev1.publication(), naive.publication()];
    let leaks = attacker::exposures(&both, DEFAULT_THRESHOLD).unwrap();
    assert!(
        leaks
            .iter()
            .any(|e| e.revision == 1 && e.cell == vec![Some(0), Some(2)] && e.upper <= 2),
        "read with the first file, a correction protected alone pins the late cases: {leaks:?}"
    );
    let revised =
        Protected::revising(&sizes, &late, DEFAULT_THRESHOLD, &[rev1.publication()]).unwrap();
    let both = [rev1.publication(), revised.publication()];
    assert_eq!(
        attacker::exposures(&both, DEFAULT_THRESHOLD).unwrap(),
        vec![]
    );
    for coords in all_coords(&sizes) {
        if let Some(value) = revised.published(&coords) {
            assert_eq!(value, revised.exact(&coords));
        }
    }
    // The late cases only need doubt in their own row and column and the totals they
    // changed: every other figure of the first file is published again. Read as the reader
    // does (each cell only grew), a move within this table alone would take cases from cells
    // known not to have lost any; such moves once hid every non-zero cell of this table.
    for coords in all_coords(&sizes) {
        let apart = coords[0] != Some(0) && coords[1] != Some(2);
        if apart
            && let Some(value) = rev1.published(&coords)
            && value == revised.exact(&coords)
        {
            assert_eq!(
                revised.published(&coords),
                Some(value),
                "{coords:?} is no longer published"
            );
        }
    }
    // 8 complements worth 589 before one of them was published back (`publish_back`).
    assert_eq!(revised.complements(DEFAULT_THRESHOLD), (7, 564));
}

#[test]
fn a_correction_tells_how_far_it_has_gone_and_the_same_pattern_comes_out() {
    let (sizes, first, late) = late_cases_on_a_zero();
    let earlier = [Protected::new(&sizes, &first, DEFAULT_THRESHOLD)
        .unwrap()
        .publication()];
    let mut seen = Vec::new();
    let watched =
        Protected::revising_watched(&sizes, &late, DEFAULT_THRESHOLD, &earlier, &mut |p| {
            seen.push(p);
            true
        })
        .unwrap();
    let plain = Protected::revising(&sizes, &late, DEFAULT_THRESHOLD, &earlier).unwrap();
    assert_eq!(watched.publication(), plain.publication());
    let protecting: Vec<(usize, usize, usize)> = seen
        .iter()
        .filter_map(|p| match *p {
            Progress::Protecting { round, secured, of } => Some((round, secured, of)),
            Progress::Auditing { .. } | Progress::PublishingBack { .. } => None,
        })
        .collect();
    assert!(protecting.len() > 2, "{seen:?}");
    assert!(
        protecting
            .windows(2)
            .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1),
        "rounds and cells secured only go forward: {seen:?}"
    );
    let &(rounds, secured, of) = protecting.last().unwrap();
    assert!(rounds > 1, "this correction needs more than one round");
    assert_eq!(
        secured, of,
        "every cell to keep in doubt is secured at the end"
    );

    let mut audited = Vec::new();
    let both = [earlier[0].clone(), watched.publication()];
    assert_eq!(
        attacker::exposures_watched(&both, DEFAULT_THRESHOLD, &mut |p| audited.push(p)).unwrap(),
        vec![]
    );
    let secret = both.iter().map(attacker::Publication::secret_count).sum();
    assert_eq!(
        audited.last(),
        Some(&Progress::Auditing {
            probed: secret,
            of: secret
        })
    );
}

#[test]
fn zero_and_eleven_are_published_ten_is_not() {
    let cube = Protected::new(&[4], &[0, 11, 10, 5], DEFAULT_THRESHOLD).unwrap();
    assert_eq!(cube.published(&[Some(0)]), Some(0));
    assert_eq!(cube.published(&[Some(1)]), Some(11));
    assert_eq!(cube.published(&[Some(2)]), None);
    assert_eq!(cube.published(&[None]), Some(26));
    assert_eq!(cube.suppressed_count(), 2);
    let clean = Protected::new(&[2], &[0, 11], DEFAULT_THRESHOLD).unwrap();
    assert_eq!(clean.suppressed_count(), 0);
}

#[test]
fn small_margin_is_suppressed_and_grand_total_safe() {
    let interior = [3, 4, 0, 12, 13, 14, 15, 16, 17];
    let cube = Protected::new(&[3, 3], &interior, DEFAULT_THRESHOLD).unwrap();
    assert_eq!(cube.exact(&[Some(0), None]), 7);
    assert!(cube.is_suppressed(&[Some(0), None]));
    let row_totals_hidden = (0..3)
        .map(Some)
        .chain([None])
        .filter(|&r| cube.is_suppressed(&[r, None]))
        .count();
    assert!(row_totals_hidden >= 2);
    assert_guarantee(&cube, DEFAULT_THRESHOLD);
    let firsts = Attack::new(&cube).feasible_values((0, 0));
    let seconds = Attack::new(&cube).feasible_values((0, 1));
    eprintln!("row 0 feasible values: {firsts:?} / {seconds:?}");
    assert!(
        firsts.len() > 1 && seconds.len() > 1,
        "row 0 is recoverable"
    );
}

#[test]
fn random_cubes_keep_the_guarantee() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for round in 0..400 {
        let dims = 2 + (round % 2);
        let sizes: Vec<usize> = (0..dims).map(|_| 1 + rng.below(5) as usize).collect();
        let interior: Vec<u64> = (0..sizes.iter().product()).map(|_| rng.count()).collect();
        let threshold = [DEFAULT_THRESHOLD, 5, 1, 30][round % 4];
        let cube = Protected::new(&sizes, &interior, threshold).unwrap();
        assert_guarantee(&cube, threshold);
        assert!(cube.suppressed_count() <= all_coords(&sizes).len());
    }
}

#[test]
fn zeros_are_not_chosen_as_complements_when_avoidable() {
    let cube = Protected::new(&[4], &[0, 5, 0, 40], DEFAULT_THRESHOLD).unwrap();
    assert!(cube.is_suppressed(&[Some(3)]));
    assert_eq!(cube.published(&[Some(0)]), Some(0));
    let lonely = Protected::new(&[3], &[0, 5, 0], DEFAULT_THRESHOLD).unwrap();
    assert!(lonely.is_suppressed(&[None]));
    assert_eq!(lonely.published(&[Some(2)]), Some(0));
}

#[test]
fn wrong_shapes_are_errors_not_panics() {
    let err = Protected::new(&[2, 3], &[1, 2, 3], DEFAULT_THRESHOLD).unwrap_err();
    assert!(err.to_string().contains("expected 6"));
    assert!(Protected::new(&[usize::MAX, 3], &[], DEFAULT_THRESHOLD).is_err());
    assert!(Protected::new(&[1; 40], &[1], DEFAULT_THRESHOLD).is_err());
    assert!(Protected::new(&[2], &[u64::MAX, 1], DEFAULT_THRESHOLD).is_err());
}

#[test]
fn bad_coordinates_answer_safely() {
    let cube = Protected::new(&[2, 2], &[20, 30, 40, 50], DEFAULT_THRESHOLD).unwrap();
    assert_eq!(cube.published(&[None, None]), Some(140));
    assert_eq!(cube.published(&[Some(2), None]), None);
    assert_eq!(cube.published(&[None]), None);
    assert_eq!(cube.exact(&[Some(0), Some(9)]), 0);
    assert!(cube.is_suppressed(&[]));
}

#[test]
fn degenerate_shapes_work() {
    let scalar = Protected::new(&[], &[4], DEFAULT_THRESHOLD).unwrap();
    assert_eq!(scalar.published(&[]), None);
    let empty = Protected::new(&[0, 3], &[], DEFAULT_THRESHOLD).unwrap();
    assert_eq!(empty.published(&[None, None]), Some(0));
    assert_eq!(empty.suppressed_count(), 0);
}

#[test]
fn realistic_cube_49_3_18_protects() {
    let sizes = [49, 3, 18];
    let mut rng = XorShift(42);
    let months: Vec<Vec<u64>> = (0..2)
        .map(|_| {
            (0..49 * 3 * 18)
                .map(|_| rng.count() * (1 + rng.below(3)))
                .collect()
        })
        .collect();
    let start = Instant::now();
    let first = Protected::new(&sizes, &months[0], DEFAULT_THRESHOLD).unwrap();
    let one = start.elapsed();
    let start = Instant::now();
    let year: Vec<Protected> = months
        .iter()
        .map(|month| Protected::new(&sizes, month, DEFAULT_THRESHOLD).unwrap())
        .collect();
    let twelve = start.elapsed();
    eprintln!(
        "(49,3,18): one cube {one:?}, two cubes {twelve:?}, {} of 3800 cells suppressed",
        first.suppressed_count()
    );
    assert_eq!(year.len(), 2);
    assert_guarantee(&first, DEFAULT_THRESHOLD);
}
