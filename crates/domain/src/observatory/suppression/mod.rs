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
//!    suppressed member, and each leaves a small member room — the cheap
//!    first line of defence;
//! 2. then until the attacker's linear programme ([`attacker`]), which
//!    combines every equation with what the reader knows (counts are integers,
//!    a secret cell is at least 1), bounds no secret cell under the
//!    threshold. Each exposed small count gets the cells of its cheapest move
//!    (`moves.rs`: the least valuable cells that, moving with it while every
//!    total holds, let the reader believe it worth the threshold; for a
//!    correction, while every cell stays at least what the earlier revisions
//!    allow); an earlier revision's secret, the cheapest complement in one of
//!    its equations that covers what it lacks. The audit then runs again.
//!
//! The criterion is stated in `docs/statistical-secrecy.md`.

pub mod attacker;
mod moves;
mod per_equation;
pub mod publish_back;
mod witnesses;

use std::collections::{BTreeSet, VecDeque};
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

/// How far a long protection or audit has gone, for whoever shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Protecting: of the `of` secret cells to keep in doubt, `secured` are known safe so far
    /// (a round probes the cells still exposed, then hides more where they need it).
    Protecting {
        round: usize,
        secured: usize,
        of: usize,
    },
    /// A correction's complements tried back (`publish_back`): `tried` of the `of` to try,
    /// `published` of them published.
    PublishingBack {
        tried: usize,
        of: usize,
        published: usize,
    },
    /// Auditing what is about to be published: `probed` of the `of` secret cells examined.
    Auditing { probed: usize, of: usize },
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
        Self::revising_watched(sizes, interior, threshold, earlier, &mut |_| true)
    }

    /// As [`Protected::revising`], telling `watch` how far the protection has gone; `watch`
    /// answers whether to go on trying complements back (the one stage that may stop early:
    /// what it has not tried stays hidden).
    ///
    /// # Errors
    /// As [`Protected::revising`].
    pub fn revising_watched(
        sizes: &[usize],
        interior: &[u64],
        threshold: u64,
        earlier: &[attacker::Publication],
        watch: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<Protected, ShapeError> {
        let mut cube = Self::shaped(sizes, interior)?;
        cube.protect(threshold, earlier, watch)
            .map_err(|e| ShapeError::new(ShapeErrorKind::Audit(e.to_string())))?;
        Ok(cube)
    }

    /// Protects a table starting from the cells another method hid (`hidden`, one flag per
    /// cell in this layout: row-major with margins; a zero is never hidden), so that methods
    /// can be compared at the same protection (`benches/secrecy_side_by_side.rs`).
    ///
    /// # Errors
    /// As [`Protected::new`]; also when `hidden` is not one flag per cell.
    pub fn extending(
        sizes: &[usize],
        interior: &[u64],
        threshold: u64,
        hidden: &[bool],
    ) -> Result<Protected, ShapeError> {
        let mut cube = Self::shaped(sizes, interior)?;
        if hidden.len() != cube.counts.len() {
            return Err(ShapeError::new(ShapeErrorKind::LengthMismatch {
                expected: cube.counts.len(),
                actual: hidden.len(),
            }));
        }
        for (idx, &secret) in hidden.iter().enumerate() {
            cube.suppressed[idx] = secret && cube.counts[idx] > 0;
        }
        cube.protect(threshold, &[], &mut |_| true)
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

    /// Every member of an equation: its values, then its total.
    fn members_of(&self, dim: usize, base: usize) -> impl Iterator<Item = usize> {
        self.values_of(dim, base)
            .chain(std::iter::once(self.total_of(dim, base)))
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

    /// Primary then secondary suppression: the per-equation rules, then rounds of the
    /// attacker's programme and the exposed counts' cheapest moves (or complements) until no
    /// secret cell is exposed. Each round hides at least one more cell, so it ends (with
    /// everything hidden, nothing is bounded).
    fn protect(
        &mut self,
        threshold: u64,
        earlier: &[attacker::Publication],
        watch: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<(), attacker::AuditError> {
        let mut work = VecDeque::new();
        let mut forced = BTreeSet::new();
        for idx in 0..self.counts.len() {
            let secret_before = earlier.iter().any(|p| p.values().get(idx) == Some(&None));
            if secret_before && self.counts[idx] > 0 {
                forced.insert(idx);
            }
            if is_primary(self.counts[idx], threshold) || forced.contains(&idx) {
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
        let everything = candidates.clone();
        // The small counts whose move was sought already.
        let mut moved: BTreeSet<usize> = BTreeSet::new();
        let of = everything.len();
        // Safe so far: the cells a round did not probe, and those its probes reached. The
        // last round probes every cell again: it only confirms, so the count never goes back.
        let mut secured = 0;
        let mut round = 0;
        loop {
            round += 1;
            let mut revisions = earlier.to_vec();
            revisions.push(self.publication());
            let reader = attacker::Reader::of(&revisions)?;
            let skipped = of - candidates.len();
            let mut examined = |done: usize, unreached: usize| {
                secured = secured.max(skipped + done - unreached);
                watch(Progress::Protecting { round, secured, of });
            };
            let mut exposed = Vec::new();
            for (cell, reached) in reader.out_of_reach(threshold, &candidates, &mut examined)? {
                // An earlier secret's truth is not known here: only its bounds tell.
                if cell.0 == now || reader.bounds(cell)?.1 < threshold {
                    exposed.push((cell, reached));
                }
            }
            if exposed.is_empty() {
                // Hiding more only widens what the reader must consider, so a cell found
                // safe stays safe and later rounds probe only the cells still exposed. With
                // earlier revisions the reader may read them apart or together depending on
                // what is published (`attacker`), so the last round probes every cell again.
                if earlier.is_empty() {
                    return Ok(());
                }
                if candidates.len() == everything.len() {
                    return self.publish_back(threshold, earlier, (&everything, &forced), watch);
                }
                candidates.clone_from(&everything);
                continue;
            }
            candidates = exposed.iter().map(|&(cell, _)| cell).collect();
            // This revision's small counts: their cheapest moves, the smallest counts first,
            // once each. The moves read the earlier revisions too, as the reader does; a
            // count still bounded after its move gets a complement instead, as an earlier
            // revision's secret does: each round then hides more where it is needed.
            let mut fresh: Vec<usize> = exposed
                .iter()
                .filter(|((revision, idx), _)| *revision == now && !moved.contains(idx))
                .map(|&((_, idx), _)| idx)
                .collect();
            fresh.sort_by_key(|&idx| (self.counts[idx], idx));
            moved.extend(&fresh);
            let moves_hid = self.hide_cheapest_moves(threshold, &fresh, earlier, &mut work)?;
            let mut hid_more = moves_hid;
            for ((revision, idx), reached) in exposed {
                if moves_hid && revision == now && fresh.contains(&idx) {
                    continue;
                }
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
}

/// Whether a count is too small to publish on its own; zero is published.
fn is_primary(count: u64, threshold: u64) -> bool {
    (1..threshold).contains(&count)
}

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
mod tests;
