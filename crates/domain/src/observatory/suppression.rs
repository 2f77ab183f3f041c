//! Statistical disclosure control for published count tables.
//!
//! Small counts never leave the building. A table is a cube with all its
//! margins: every coordinate is a value of its dimension or the total over
//! it. Every cell, margins included, whose count is in `1..threshold` is
//! suppressed (primary suppression). Further cells are then suppressed
//! (secondary suppression) until no marginal equation "total = sum of its
//! values" has exactly one suppressed member, so that no hidden count can be
//! recovered by subtracting published cells from a published total.
//!
//! The guarantee is per equation. It does not by itself defeat an attacker
//! who combines several equations with non-negativity bounds (linear
//! programming); it is the usual, cheap first line of defence.

use std::collections::VecDeque;
use std::fmt;

/// The default threshold: cells with 1..=10 are not published.
pub const DEFAULT_THRESHOLD: u64 = 11;

/// Most cells (margins included) a cube may have, so that a mistaken shape
/// is refused with an error instead of exhausting the server's memory.
pub const MAX_CELLS: usize = 1 << 24;

/// A coordinate: a value of the dimension, or the total over it.
pub type Coord = Option<usize>;

/// Why a cube could not be protected; returned instead of panicking because
/// this runs inside a web server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    kind: ShapeErrorKind,
}

/// The distinct causes, kept private so they can evolve.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ShapeErrorKind {
    /// The interior slice does not hold one count per interior cell.
    LengthMismatch { expected: usize, actual: usize },
    /// The cube, margins included, would exceed `MAX_CELLS`.
    TooManyCells,
    /// A margin does not fit in a `u64`.
    CountOverflow,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ShapeErrorKind::LengthMismatch { expected, actual } => write!(
                f,
                "expected {expected} interior counts for this shape, got {actual}"
            ),
            ShapeErrorKind::TooManyCells => {
                write!(f, "cube has more than {MAX_CELLS} cells with its margins")
            }
            ShapeErrorKind::CountOverflow => write!(f, "a margin total overflows u64"),
        }
    }
}

impl std::error::Error for ShapeError {}

impl ShapeError {
    fn new(kind: ShapeErrorKind) -> ShapeError {
        ShapeError { kind }
    }
}

/// A count cube with exact margins and the cells that must not be published.
///
/// Layout: each dimension of size `n` has `n + 1` slots, slot `n` being the
/// total; cells are stored row-major, dimension 0 slowest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    /// Dimension sizes, without the total slot.
    sizes: Vec<usize>,
    /// Row-major strides over the extended (margin-including) cube.
    strides: Vec<usize>,
    /// Exact count of every cell, margins included.
    counts: Vec<u64>,
    /// Whether each cell is withheld from publication.
    suppressed: Vec<bool>,
}

impl Protected {
    /// Protects a cube given its dimension sizes and interior counts (row-major, dim 0 slowest).
    /// Panics never: if `interior.len()` != product of sizes, returns an error.
    ///
    /// # Errors
    /// A `ShapeError` when the interior length does not match the sizes, when
    /// the cube with margins exceeds `MAX_CELLS`, or when a margin overflows `u64`.
    pub fn new(sizes: &[usize], interior: &[u64], threshold: u64) -> Result<Protected, ShapeError> {
        let expected = checked_product(sizes.iter().map(|&n| Some(n)))
            .ok_or(ShapeError::new(ShapeErrorKind::TooManyCells))?;
        if interior.len() != expected {
            return Err(ShapeError::new(ShapeErrorKind::LengthMismatch {
                expected,
                actual: interior.len(),
            }));
        }
        let cells = checked_product(sizes.iter().map(|&n| n.checked_add(1)))
            .filter(|&cells| cells <= MAX_CELLS)
            .ok_or(ShapeError::new(ShapeErrorKind::TooManyCells))?;
        let mut cube = Protected {
            sizes: sizes.to_vec(),
            strides: row_major_strides(sizes),
            counts: vec![0; cells],
            suppressed: vec![false; cells],
        };
        cube.place_interior(interior);
        cube.fill_margins()?;
        cube.protect(threshold);
        Ok(cube)
    }

    /// The published value: None when suppressed.
    /// Also None for coordinates of the wrong length or out of range.
    pub fn published(&self, coords: &[Coord]) -> Option<u64> {
        let idx = self.index(coords)?;
        match self.suppressed.get(idx) {
            Some(false) => self.counts.get(idx).copied(),
            _ => None,
        }
    }

    /// The exact value (staff only).
    /// 0 for coordinates of the wrong length or out of range.
    pub fn exact(&self, coords: &[Coord]) -> u64 {
        self.index(coords)
            .and_then(|idx| self.counts.get(idx).copied())
            .unwrap_or(0)
    }

    /// Whether the cell is withheld. Coordinates of the wrong length or out of
    /// range answer true: nothing is ever published for them.
    pub fn is_suppressed(&self, coords: &[Coord]) -> bool {
        self.index(coords)
            .and_then(|idx| self.suppressed.get(idx).copied())
            .unwrap_or(true)
    }

    /// How many cells (margins included) are suppressed, primary and secondary.
    pub fn suppressed_count(&self) -> usize {
        self.suppressed.iter().filter(|&&hidden| hidden).count()
    }

    /// The dimension sizes the cube was built with (without total slots).
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// Linear index of a cell, or None when the coordinates do not fit the cube.
    fn index(&self, coords: &[Coord]) -> Option<usize> {
        if coords.len() != self.sizes.len() {
            return None;
        }
        let mut dims = coords.iter().zip(&self.sizes).zip(&self.strides);
        dims.try_fold(0usize, |acc, ((coord, &size), &stride)| {
            let slot = match *coord {
                None => size,
                Some(value) if value < size => value,
                Some(_) => return None,
            };
            Some(acc + slot * stride)
        })
    }

    /// The slot (value index, or `size` for the total) of a cell along `dim`.
    fn slot(&self, idx: usize, dim: usize) -> usize {
        (idx / self.strides[dim]) % (self.sizes[dim] + 1)
    }

    /// Whether a cell is an interior cell (no total in any dimension).
    fn is_interior(&self, idx: usize) -> bool {
        (0..self.sizes.len()).all(|dim| self.slot(idx, dim) < self.sizes[dim])
    }

    /// The first member (slot 0 along `dim`) of the equation `idx` belongs to
    /// along `dim`; it identifies that equation.
    fn equation_base(&self, idx: usize, dim: usize) -> usize {
        idx - self.slot(idx, dim) * self.strides[dim]
    }

    /// The value members of an equation, i.e. its summands.
    fn values_of(&self, dim: usize, base: usize) -> impl Iterator<Item = usize> {
        let stride = self.strides[dim];
        (0..self.sizes[dim]).map(move |value| base + value * stride)
    }

    /// The total member of an equation.
    fn total_of(&self, dim: usize, base: usize) -> usize {
        base + self.sizes[dim] * self.strides[dim]
    }

    /// Copies the interior counts in: the extended row-major order restricted
    /// to interior cells is exactly the caller's row-major order.
    fn place_interior(&mut self, interior: &[u64]) {
        let mut values = interior.iter();
        for idx in 0..self.counts.len() {
            if self.is_interior(idx)
                && let Some(&count) = values.next()
            {
                self.counts[idx] = count;
            }
        }
    }

    /// Computes every margin exactly, one dimension after another. A cell
    /// totalling several dimensions is rewritten at the last of them, by which
    /// time its summands (totals in earlier dimensions only) are exact.
    fn fill_margins(&mut self) -> Result<(), ShapeError> {
        for dim in 0..self.sizes.len() {
            for idx in 0..self.counts.len() {
                if self.slot(idx, dim) != self.sizes[dim] {
                    continue;
                }
                let base = self.equation_base(idx, dim);
                let sum = self
                    .values_of(dim, base)
                    .try_fold(0u64, |acc, member| acc.checked_add(self.counts[member]));
                self.counts[idx] = sum.ok_or(ShapeError::new(ShapeErrorKind::CountOverflow))?;
            }
        }
        Ok(())
    }

    /// Primary then secondary suppression. Only equations that just gained a
    /// suppressed member can need a complement, so a worklist of those
    /// replaces full rescans; each step suppresses one more cell, so it ends.
    fn protect(&mut self, threshold: u64) {
        let mut work = VecDeque::new();
        for idx in 0..self.counts.len() {
            if is_primary(self.counts[idx], threshold) {
                self.suppress(idx, &mut work);
            }
        }
        while let Some((dim, base)) = work.pop_front() {
            if self.suppressed_members(dim, base) != 1 {
                continue;
            }
            if let Some(complement) = self.choose_complement(dim, base) {
                self.suppress(complement, &mut work);
            }
        }
    }

    /// Marks a cell and queues the equations (one per dimension) it belongs to.
    fn suppress(&mut self, idx: usize, work: &mut VecDeque<(usize, usize)>) {
        if self.suppressed[idx] {
            return;
        }
        self.suppressed[idx] = true;
        for dim in 0..self.sizes.len() {
            work.push_back((dim, self.equation_base(idx, dim)));
        }
    }

    /// How many members of an equation, its total included, are suppressed.
    fn suppressed_members(&self, dim: usize, base: usize) -> usize {
        let total = self.total_of(dim, base);
        self.values_of(dim, base)
            .chain(std::iter::once(total))
            .filter(|&member| self.suppressed[member])
            .count()
    }

    /// The cell to hide alongside a lone suppressed member: the smallest
    /// non-zero open value (least information lost; first on ties), else the
    /// total, else an open zero. Zeros come last because a hidden zero is
    /// often guessable (structural zeros), so it protects poorly. None only if
    /// the equation has no open member, which no reachable state produces.
    fn choose_complement(&self, dim: usize, base: usize) -> Option<usize> {
        let open = |member: &usize| !self.suppressed[*member];
        let smallest_nonzero = self
            .values_of(dim, base)
            .filter(open)
            .filter(|&member| self.counts[member] > 0)
            .min_by_key(|&member| self.counts[member]);
        smallest_nonzero
            .or_else(|| Some(self.total_of(dim, base)).filter(open))
            .or_else(|| self.values_of(dim, base).find(open))
    }
}

/// Whether a count is too small to publish on its own; zero is published.
fn is_primary(count: u64, threshold: u64) -> bool {
    (1..threshold).contains(&count)
}

/// Product of sizes, None on overflow (or when a factor is None).
fn checked_product(mut factors: impl Iterator<Item = Option<usize>>) -> Option<usize> {
    factors.try_fold(1usize, |acc, factor| acc.checked_mul(factor?))
}

/// Row-major strides of the extended cube; only called once its cell count
/// is known to fit in `usize`, so the products cannot overflow.
fn row_major_strides(sizes: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; sizes.len()];
    for dim in (0..sizes.len().saturating_sub(1)).rev() {
        strides[dim] = strides[dim + 1] * (sizes[dim + 1] + 1);
    }
    strides
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
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
        let months: Vec<Vec<u64>> = (0..12)
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
            "(49,3,18): one cube {one:?}, twelve cubes {twelve:?}, {} of 3800 cells suppressed",
            first.suppressed_count()
        );
        assert_eq!(year.len(), 12);
        assert_guarantee(&first, DEFAULT_THRESHOLD);
    }
}
