//! Statistical disclosure control for published count tables.
//!
//! Small counts never leave the building. A table is a cube with all its
//! margins: every coordinate is a value of its dimension or the total over
//! it. Every cell, margins included, whose count is in `1..threshold` is
//! suppressed (primary suppression). Further cells are then suppressed
//! (secondary suppression), never a zero (zeros are shown, so a secret cell
//! is known to be at least 1):
//!
//! 1. until no marginal equation "total = sum of its values" has exactly one
//!    suppressed member — the cheap first line of defence;
//! 2. then until the attacker's linear programme ([`attacker`]), which
//!    combines every equation with what the reader knows (counts are integers,
//!    a secret cell is at least 1), bounds no secret cell under the
//!    threshold. Each exposed cell gets the cheapest complement in one of its
//!    equations that covers what it lacks, and the audit runs again.
//!
//! The criterion is stated in `docs/statistical-secrecy.md`.

pub mod attacker;

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
    /// The attacker's programme could not be solved, so no protection can be vouched for.
    Audit(String),
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ShapeErrorKind::LengthMismatch { expected, actual } => write!(
                f,
                "expected {expected} interior counts for this shape, got {actual}"
            ),
            ShapeErrorKind::TooManyCells => {
                write!(f, "cube has more than {MAX_CELLS} cells with its margins")
            }
            ShapeErrorKind::CountOverflow => write!(f, "a margin total overflows u64"),
            ShapeErrorKind::Audit(e) => write!(f, "cannot audit the protection: {e}"),
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
        Self::revising(sizes, interior, threshold, &[])
    }

    /// The first line of defence alone (primary suppression and no lone secret per equation),
    /// as the observatory protected its files before the attacker's programme: kept so that
    /// benchmarks measure the audited protection against it. Never used to publish.
    ///
    /// # Errors
    /// As [`Protected::new`].
    pub fn per_equation_only(
        sizes: &[usize],
        interior: &[u64],
        threshold: u64,
    ) -> Result<Protected, ShapeError> {
        let mut cube = Self::shaped(sizes, interior)?;
        let mut work = VecDeque::new();
        for idx in 0..cube.counts.len() {
            if is_primary(cube.counts[idx], threshold) {
                cube.suppress(idx, &mut work);
            }
        }
        cube.complete_equations(&mut work);
        Ok(cube)
    }

    /// The cells hidden only to protect others (not small themselves) and what they are
    /// worth together: the information the protection costs.
    pub fn complements(&self, threshold: u64) -> (usize, u64) {
        self.counts
            .iter()
            .zip(&self.suppressed)
            .filter(|&(&count, &hidden)| hidden && !is_primary(count, threshold))
            .fold((0, 0), |(n, sum), (&count, _)| (n + 1, sum + count))
    }

    /// Protects a new revision of a table already published as `earlier` (oldest first): the
    /// attacker's programme reads all the revisions together, so the new one gives away
    /// neither its own small counts nor the earlier ones' (a cell secret before may be
    /// published now only if that keeps its earlier value in doubt). An exposure the earlier
    /// revisions already gave on their own cannot be undone and is not chased.
    ///
    /// # Errors
    /// As [`Protected::new`]; also when `earlier` is not of this shape.
    pub fn revising(
        sizes: &[usize],
        interior: &[u64],
        threshold: u64,
        earlier: &[attacker::Publication],
    ) -> Result<Protected, ShapeError> {
        let mut cube = Self::shaped(sizes, interior)?;
        cube.protect(threshold, earlier)
            .map_err(|e| ShapeError::new(ShapeErrorKind::Audit(e.to_string())))?;
        Ok(cube)
    }

    /// The cube with its exact margins, nothing suppressed yet.
    fn shaped(sizes: &[usize], interior: &[u64]) -> Result<Protected, ShapeError> {
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
        cell_index(&self.sizes, &self.strides, coords)
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

    /// Primary then secondary suppression: the per-equation rule, then rounds of the
    /// attacker's programme and complements until no secret cell is exposed. Each round hides
    /// at least one more cell, so it ends (with everything hidden, nothing is bounded).
    fn protect(
        &mut self,
        threshold: u64,
        earlier: &[attacker::Publication],
    ) -> Result<(), attacker::AuditError> {
        let mut work = VecDeque::new();
        for idx in 0..self.counts.len() {
            let secret_before = earlier.iter().any(|p| p.values().get(idx) == Some(&None));
            if is_primary(self.counts[idx], threshold) || (secret_before && self.counts[idx] > 0) {
                self.suppress(idx, &mut work);
            }
        }
        self.complete_equations(&mut work);
        self.give_each_equation_room(threshold, &mut work);
        // The cells to keep in doubt: this revision's small counts (a complement is worth 11
        // or more anyway) and the earlier revisions' secrets not already given away.
        let now = earlier.len();
        let mut candidates: Vec<(usize, usize)> = (0..self.counts.len())
            .filter(|&idx| is_primary(self.counts[idx], threshold))
            .map(|idx| (now, idx))
            .collect();
        if !earlier.is_empty() {
            let given: Vec<Vec<Coord>> = attacker::exposures(earlier, threshold)?
                .into_iter()
                .map(|e| e.cell)
                .collect();
            for (r, p) in earlier.iter().enumerate() {
                candidates.extend(
                    (0..p.values().len())
                        .filter(|&idx| p.values()[idx].is_none())
                        .filter(|&idx| !given.contains(&p.coords(idx)))
                        .map(|idx| (r, idx)),
                );
            }
        }
        loop {
            let mut revisions = earlier.to_vec();
            revisions.push(self.publication());
            let reader = attacker::Reader::of(&revisions)?;
            let mut exposed = Vec::new();
            for (cell, reached) in reader.out_of_reach(threshold, &candidates)? {
                // An earlier secret's truth is not known here: only its bounds tell.
                if cell.0 == now || reader.bounds(cell)?.1 < threshold {
                    exposed.push((cell, reached));
                }
            }
            if exposed.is_empty() {
                return Ok(());
            }
            // Hiding more only widens what the reader must consider, so a cell found safe
            // stays safe; with one revision, the next round probes only the exposed cells.
            if earlier.is_empty() {
                candidates = exposed.iter().map(|&(cell, _)| cell).collect();
            }
            let mut hid_more = false;
            for ((_, idx), reached) in exposed {
                let lacking = threshold.saturating_sub(reached.floor() as u64);
                if let Some(complement) = self.cover(idx, lacking) {
                    self.suppress(complement, &mut work);
                    hid_more = true;
                }
            }
            if !hid_more {
                return Err(attacker::AuditError::Solver(
                    "an exposed cell has no cell left to hide with it".into(),
                ));
            }
            self.complete_equations(&mut work);
        }
    }

    /// The doubt one equation leaves alone: with its total published, a reader knows its
    /// secret values add up to the total minus the published ones, each at least 1, so none
    /// can exceed that sum minus the others' 1s. Until that bound reaches the threshold for
    /// every equation holding a small secret count, the smallest open value that closes the
    /// gap is hidden too (else the largest, and again). Most exposures end here, cheaply; the
    /// attacker's programme finds those that need several equations at once.
    fn give_each_equation_room(&mut self, threshold: u64, work: &mut VecDeque<(usize, usize)>) {
        let mut pending: VecDeque<(usize, usize)> = (0..self.counts.len())
            .filter(|&idx| self.suppressed[idx] && is_primary(self.counts[idx], threshold))
            .flat_map(|idx| (0..self.sizes.len()).map(move |dim| (dim, idx)))
            .map(|(dim, idx)| (dim, self.equation_base(idx, dim)))
            .collect();
        while let Some((dim, base)) = pending.pop_front() {
            let total = self.total_of(dim, base);
            if self.suppressed[total] {
                continue;
            }
            let secret: Vec<usize> = self
                .values_of(dim, base)
                .filter(|&m| self.suppressed[m])
                .collect();
            let holds_small = secret
                .iter()
                .any(|&m| is_primary(self.counts[m], threshold));
            let sum: u64 = secret.iter().map(|&m| self.counts[m]).sum();
            let room = sum.saturating_sub(secret.len().saturating_sub(1) as u64);
            if !holds_small || room >= threshold {
                continue;
            }
            let lacking = threshold - room;
            let open: Vec<usize> = self
                .values_of(dim, base)
                .filter(|&m| !self.suppressed[m] && self.counts[m] > 0)
                .collect();
            let pick = open
                .iter()
                .filter(|&&m| self.counts[m] > lacking)
                .min_by_key(|&&m| self.counts[m])
                .or_else(|| open.iter().max_by_key(|&&m| self.counts[m]))
                .copied()
                .or_else(|| (self.counts[total] > 0).then_some(total));
            let Some(pick) = pick else { continue };
            self.suppress(pick, work);
            self.complete_equations(work);
            pending.push_back((dim, base));
        }
    }

    /// Hides a complement in every queued equation left with one suppressed member. Only
    /// equations that just gained a suppressed member can need one, so a worklist of those
    /// replaces full rescans; each step suppresses one more cell, so it ends.
    fn complete_equations(&mut self, work: &mut VecDeque<(usize, usize)>) {
        while let Some((dim, base)) = work.pop_front() {
            if self.suppressed_members(dim, base) != 1 {
                continue;
            }
            if let Some(complement) = self.choose_complement(dim, base) {
                self.suppress(complement, work);
            }
        }
    }

    /// The complement for an exposed cell: among the open, non-zero members of its
    /// equations, the smallest that covers what it lacks (`lacking` more units of doubt),
    /// else the largest. When its equations have none, the equations of their secret
    /// members are searched, and so on outwards.
    fn cover(&self, idx: usize, lacking: u64) -> Option<usize> {
        let mut seen = vec![false; self.counts.len()];
        seen[idx] = true;
        let mut frontier = vec![idx];
        while !frontier.is_empty() {
            let mut open = Vec::new();
            let mut next = Vec::new();
            for &cell in &frontier {
                for dim in 0..self.sizes.len() {
                    let base = self.equation_base(cell, dim);
                    let members = self
                        .values_of(dim, base)
                        .chain(std::iter::once(self.total_of(dim, base)));
                    for m in members {
                        if std::mem::replace(&mut seen[m], true) {
                            continue;
                        }
                        if self.suppressed[m] {
                            next.push(m);
                        } else if self.counts[m] > 0 {
                            open.push(m);
                        }
                    }
                }
            }
            let enough = open
                .iter()
                .filter(|&&m| self.counts[m] >= lacking)
                .min_by_key(|&&m| self.counts[m]);
            if let Some(&pick) = enough.or_else(|| open.iter().max_by_key(|&&m| self.counts[m])) {
                return Some(pick);
            }
            frontier = next;
        }
        None
    }

    /// The table as a reader sees it.
    pub fn publication(&self) -> attacker::Publication {
        let values = self
            .counts
            .iter()
            .zip(&self.suppressed)
            .map(|(&count, &hidden)| (!hidden).then_some(count))
            .collect();
        attacker::Publication::from_layout(&self.sizes, &self.strides, values)
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
    /// total. Never a zero: zeros are shown, so hiding one would tell the reader
    /// it is at least 1. The lone member is non-zero, so the equation has a
    /// non-zero open member; None only if the caller's state breaks that.
    fn choose_complement(&self, dim: usize, base: usize) -> Option<usize> {
        let open = |member: &usize| !self.suppressed[*member] && self.counts[*member] > 0;
        self.values_of(dim, base)
            .filter(open)
            .min_by_key(|&member| self.counts[member])
            .or_else(|| Some(self.total_of(dim, base)).filter(open))
    }
}

/// Whether a count is too small to publish on its own; zero is published.
fn is_primary(count: u64, threshold: u64) -> bool {
    (1..threshold).contains(&count)
}

/// Product of sizes, None on overflow (or when a factor is None).
/// Linear index of a cell in the layout with margins, or None when the coordinates do not
/// fit the cube.
fn cell_index(sizes: &[usize], strides: &[usize], coords: &[Coord]) -> Option<usize> {
    if coords.len() != sizes.len() {
        return None;
    }
    let mut dims = coords.iter().zip(sizes).zip(strides);
    dims.try_fold(0usize, |acc, ((coord, &size), &stride)| {
        let slot = match *coord {
            None => size,
            Some(value) if value < size => value,
            Some(_) => return None,
        };
        Some(acc + slot * stride)
    })
}

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

    #[test]
    fn a_correction_does_not_give_away_the_late_cases_it_adds() {
        // Two late ransomware attacks land on a cell published as 0.
        let first = [30, 25, 0, 40, 5, 3, 20, 50, 12, 14, 16, 18, 22, 0, 33, 44];
        let mut late = first;
        late[2] = 2;
        let sizes = [4, 4];
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
}
