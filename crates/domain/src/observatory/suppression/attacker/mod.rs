//! The attacker's linear programme, run before anything is published.
//!
//! A reader knows every published figure of a table — every revision of it — that counts
//! are non-negative integers and that zeros are shown, so a secret cell is at least 1. With
//! the table's equations (every total is the sum of its values) that is a linear programme;
//! its maximum of a secret cell is the most the reader can say it is worth. A secret cell is
//! *exposed* when that maximum is under the threshold: the reader knows it is a small count.
//! A correction adds the cases that came late, so the reader also assumes each cell of a
//! later revision is at least what it was in the earlier one; when the published figures
//! refute that (a case moved to another type), the revisions are read apart. See
//! `docs/statistical-secrecy.md`.
//!
//! Checking every secret cell with its own maximisation would cost one solve per cell. A
//! feasible point where a cell reaches the threshold proves that cell safe, and every point
//! found proves many at once: the audit keeps, per cell, the largest value seen in any
//! feasible point, and only asks the solver about a cell no point has carried to the
//! threshold (fixing it there, warm-started from the last solution). Exact bounds are
//! computed for the exposed cells only.

use std::fmt;

use microlp::{ComparisonOp, Error as LpError, OptimizationDirection, Problem, Solution, Variable};

use super::{Coord, cell_index, checked_product, row_major_strides};

/// A table as a reader sees it: every cell of the cube with its margins (the layout of
/// [`super::Protected`]: row-major, dimension 0 slowest, the total last in each dimension),
/// its value, or `None` when secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    sizes: Vec<usize>,
    strides: Vec<usize>,
    values: Vec<Option<u64>>,
}

/// A secret cell the reader can bound under the threshold, with the bounds found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// Which revision of the table (0 for the first), when several are audited together.
    pub revision: usize,
    /// The cell (`None` in a dimension: its total).
    pub cell: Vec<Coord>,
    /// The least value the reader can deduce (at least 1: zeros are shown).
    pub lower: u64,
    /// The most the reader can deduce, under the threshold.
    pub upper: u64,
}

/// Why a publication could not be audited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditError {
    /// The values do not hold one entry per cell of the cube with its margins, or the
    /// revisions are not of one shape.
    Shape {
        expected: Option<usize>,
        actual: usize,
    },
    /// No table of counts gives these figures (a total that is not the sum of its values):
    /// the publication is wrong, whatever its secrecy.
    Inconsistent,
    /// The solver failed (numerical trouble); nothing can be concluded.
    Solver(String),
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shape { expected, actual } => match expected {
                Some(n) => write!(f, "expected {n} cells with the margins, got {actual}"),
                None => write!(f, "the cube is too large ({actual} cells given)"),
            },
            Self::Inconsistent => write!(f, "the published figures do not add up"),
            Self::Solver(e) => write!(f, "the linear programme could not be solved: {e}"),
        }
    }
}

impl std::error::Error for AuditError {}

/// Tolerance of the solver's answers, far below one unit.
pub(super) const EPS: f64 = 1e-6;

impl Publication {
    /// # Errors
    /// [`AuditError::Shape`] when `values` is not one entry per cell, margins included.
    pub fn new(sizes: &[usize], values: Vec<Option<u64>>) -> Result<Self, AuditError> {
        let expected = checked_product(sizes.iter().map(|&n| n.checked_add(1)));
        if expected != Some(values.len()) {
            return Err(AuditError::Shape {
                expected,
                actual: values.len(),
            });
        }
        Ok(Self {
            sizes: sizes.to_vec(),
            strides: row_major_strides(sizes),
            values,
        })
    }

    /// A publication of the cube whose layout (sizes, strides) is already checked.
    pub(super) fn from_layout(
        sizes: &[usize],
        strides: &[usize],
        values: Vec<Option<u64>>,
    ) -> Self {
        Self {
            sizes: sizes.to_vec(),
            strides: strides.to_vec(),
            values,
        }
    }

    /// The published value of every cell, in layout order.
    pub fn values(&self) -> &[Option<u64>] {
        &self.values
    }

    /// The published value of a cell (`None` in a dimension: its total); `None` when it is
    /// secret or not in the table.
    pub fn published(&self, coords: &[Coord]) -> Option<u64> {
        cell_index(&self.sizes, &self.strides, coords).and_then(|idx| self.values[idx])
    }

    /// A cell as the reader's programme holds it: its published value, or its variable
    /// (`vars` from [`read_revision`]).
    pub(super) fn term(&self, vars: &[Option<Variable>], idx: usize) -> Expr {
        match (self.values[idx], vars[idx]) {
            (Some(value), _) => (Vec::new(), value as f64),
            (None, Some(var)) => (vec![(var, 1.0)], 0.0),
            (None, None) => (Vec::new(), 0.0),
        }
    }

    /// How many cells are secret.
    pub fn secret_count(&self) -> usize {
        self.values.iter().filter(|v| v.is_none()).count()
    }

    /// Every secret cell of this table the reader can bound under `threshold`.
    ///
    /// # Errors
    /// See [`exposures`].
    pub fn exposures(&self, threshold: u64) -> Result<Vec<Exposure>, AuditError> {
        exposures(std::slice::from_ref(self), threshold)
    }

    /// The slot (value index, or `size` for the total) of a cell along `dim`.
    fn slot(&self, idx: usize, dim: usize) -> usize {
        (idx / self.strides[dim]) % (self.sizes[dim] + 1)
    }

    /// The coordinates of a cell.
    pub(super) fn coords(&self, idx: usize) -> Vec<Coord> {
        (0..self.sizes.len())
            .map(|dim| Some(self.slot(idx, dim)).filter(|&s| s < self.sizes[dim]))
            .collect()
    }

    /// Every equation: its total's index and its values' indices.
    fn equations(&self) -> impl Iterator<Item = (usize, Vec<usize>)> + '_ {
        (0..self.values.len()).flat_map(move |total| {
            (0..self.sizes.len())
                .filter(move |&dim| self.slot(total, dim) == self.sizes[dim])
                .map(move |dim| {
                    let first = total - self.sizes[dim] * self.strides[dim];
                    let values = (0..self.sizes[dim])
                        .map(|v| first + v * self.strides[dim])
                        .collect();
                    (total, values)
                })
        })
    }
}

/// Every secret cell of every revision (oldest first) that a reader of them all can bound
/// under `threshold`, with its bounds.
///
/// # Errors
/// [`AuditError::Shape`] when the revisions differ in shape, [`AuditError::Inconsistent`]
/// when the published figures do not add up, [`AuditError::Solver`] when the solver fails.
pub fn exposures(revisions: &[Publication], threshold: u64) -> Result<Vec<Exposure>, AuditError> {
    exposures_watched(revisions, threshold, &mut |_| {})
}

/// As [`exposures`], telling `watch` how many secret cells were probed so far.
///
/// # Errors
/// As [`exposures`].
pub fn exposures_watched(
    revisions: &[Publication],
    threshold: u64,
    watch: &mut dyn FnMut(super::Progress),
) -> Result<Vec<Exposure>, AuditError> {
    Ok(audit_watched(revisions, threshold, 0, watch)?.exposures)
}

/// What the audit of a table's revisions found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// The secret cells the reader bounds under the threshold.
    pub exposures: Vec<Exposure>,
    /// The narrowest interval found: an exposure's if any; otherwise the narrowest of the
    /// cells whose witnesses came nearest the threshold, of which the audit bounded
    /// `closest` (bounding a cell takes two programmes, so not every cell is bounded).
    pub narrowest: Option<Exposure>,
}

/// As [`exposures`], with the narrowest interval found (see [`Audit`]): what
/// `cyberdir observatory audit` prints.
///
/// # Errors
/// As [`exposures`].
pub fn audit(
    revisions: &[Publication],
    threshold: u64,
    closest: usize,
) -> Result<Audit, AuditError> {
    audit_watched(revisions, threshold, closest, &mut |_| {})
}

fn audit_watched(
    revisions: &[Publication],
    threshold: u64,
    closest: usize,
    watch: &mut dyn FnMut(super::Progress),
) -> Result<Audit, AuditError> {
    let reader = Reader::of(revisions)?;
    let secret: Vec<(usize, usize)> = revisions
        .iter()
        .enumerate()
        .flat_map(|(r, p)| {
            (0..p.values.len())
                .filter(move |&i| p.values[i].is_none())
                .map(move |i| (r, i))
        })
        .collect();
    let of = secret.len();
    let mut probed = |examined: usize, _| {
        watch(super::Progress::Auditing {
            probed: examined,
            of,
        })
    };
    let (unreached, reached) = reader.probe(threshold, &secret, &mut probed)?;
    let bounded = |(revision, cell): Cell| -> Result<Exposure, AuditError> {
        let (lower, upper) = reader.bounds((revision, cell))?;
        Ok(Exposure {
            revision,
            cell: revisions[revision].coords(cell),
            lower,
            upper,
        })
    };
    let mut exposures = Vec::new();
    for (cell, _) in unreached {
        // The fix at the threshold also fails for a cell known to be above it.
        let exposure = bounded(cell)?;
        if exposure.upper < threshold {
            exposures.push(exposure);
        }
    }
    let width = |e: &Exposure| e.upper.saturating_sub(e.lower);
    let mut narrowest = exposures.iter().min_by_key(|e| width(e)).cloned();
    if narrowest.is_none() {
        let mut nearest: Vec<usize> = (0..secret.len()).collect();
        nearest.sort_by(|&a, &b| reached[a].total_cmp(&reached[b]));
        for &k in nearest.iter().take(closest) {
            let found = bounded(secret[k])?;
            if narrowest.as_ref().is_none_or(|n| width(&found) < width(n)) {
                narrowest = Some(found);
            }
        }
    }
    Ok(Audit {
        exposures,
        narrowest,
    })
}

/// A cell of one revision: (revision, index in the layout).
pub(super) type Cell = (usize, usize);

/// What probing found: the cells out of reach, each with the most a feasible point gave it,
/// and the most the points gave each candidate, in the candidates' order.
type Probed = (Vec<(Cell, f64)>, Vec<f64>);

/// The reader's programme over one table's revisions.
pub(super) struct Reader<'a> {
    revisions: &'a [Publication],
    /// Whether the revisions are read as only adding cases (see the module's note).
    growing: bool,
    /// The programme solved once, when deciding `growing` needed it.
    first: Option<Solved>,
}

/// The variables of every revision's cells (`None` where published), revision by revision.
pub(super) type Vars = Vec<Vec<Option<Variable>>>;

/// A solution and the variables of every revision's cells.
type Solved = (Solution, Vars);

impl<'a> Reader<'a> {
    pub(super) fn of(revisions: &'a [Publication]) -> Result<Self, AuditError> {
        if let Some(first) = revisions.first()
            && let Some(other) = revisions.iter().find(|p| p.sizes != first.sizes)
        {
            return Err(AuditError::Shape {
                expected: Some(first.values.len()),
                actual: other.values.len(),
            });
        }
        let mut reader = Self {
            revisions,
            growing: revisions.len() > 1,
            first: None,
        };
        if reader.growing {
            match reader.solve(None) {
                Ok(solved) => reader.first = Some(solved),
                // The figures show a case that moved: the reader cannot assume growth.
                Err(_) => reader.growing = false,
            }
        }
        Ok(reader)
    }

    /// The cells among `candidates` (revision, cell) that cannot be worth `threshold`, each
    /// with the most a feasible point found gave it.
    ///
    /// A cell's feasible values form an interval holding its true value, so a probe fixes
    /// it at the threshold: for a cell truly under the threshold the fix fails exactly when
    /// the reader can bound it under. A failed probe consumes the solver's state, so the
    /// next starts again from the first solution. `examined` is told, after each candidate,
    /// how many were examined and how many of them were out of reach.
    pub(super) fn out_of_reach(
        &self,
        threshold: u64,
        candidates: &[(usize, usize)],
        examined: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<(Cell, f64)>, AuditError> {
        Ok(self.probe(threshold, candidates, examined)?.0)
    }

    /// As [`Reader::out_of_reach`], with the most the feasible points found gave each
    /// candidate, in the candidates' order.
    fn probe(
        &self,
        threshold: u64,
        candidates: &[(usize, usize)],
        examined: &mut dyn FnMut(usize, usize),
    ) -> Result<Probed, AuditError> {
        let (base, vars) = match &self.first {
            Some(solved) => solved.clone(),
            None => self.solve(None)?,
        };
        if candidates.is_empty() || threshold <= 1 {
            // Nothing to probe: every candidate reaches the threshold (no witness sought).
            return Ok((Vec::new(), vec![f64::INFINITY; candidates.len()]));
        }
        let var = |(r, cell): (usize, usize)| {
            vars.get(r)
                .and_then(|v| v.get(cell))
                .copied()
                .flatten()
                .ok_or(AuditError::Inconsistent)
        };
        let all: Vec<Variable> = vars.iter().flatten().flatten().copied().collect();
        let mut reach: Vec<f64> = all.iter().map(|&v| base.var_value(v)).collect();
        let goal = threshold as f64 - EPS;
        let mut unreached = Vec::new();
        let mut current: Option<Solution> = None;
        for (done, &candidate) in candidates.iter().enumerate() {
            examined(done, unreached.len());
            let cell_var = var(candidate)?;
            if reach[cell_var.idx()] >= goal {
                continue;
            }
            let from = current.take().unwrap_or_else(|| base.clone());
            match from.fix_var(cell_var, threshold as f64) {
                Ok(outcome) => {
                    let point = outcome.into_solution().map_err(|e| solver(&e))?;
                    for (r, &v) in reach.iter_mut().zip(&all) {
                        *r = r.max(point.var_value(v));
                    }
                    let (released, _) = point.unfix_var(cell_var).map_err(|e| solver(&e))?;
                    current = released.into_solution().ok();
                }
                Err(LpError::Infeasible) => unreached.push((candidate, reach[cell_var.idx()])),
                Err(e) => return Err(solver(&e)),
            }
        }
        examined(candidates.len(), unreached.len());
        let reached = candidates
            .iter()
            .map(|&candidate| Ok(reach[var(candidate)?.idx()]))
            .collect::<Result<Vec<f64>, AuditError>>()?;
        Ok((unreached, reached))
    }

    /// The least and the most a secret cell can be, as integers.
    pub(super) fn bounds(&self, cell: (usize, usize)) -> Result<(u64, u64), AuditError> {
        let extreme = |direction| match self.solve(Some((cell, direction))) {
            Ok((solution, _)) => Ok(Some(solution.objective())),
            Err(AuditError::Solver(e)) if e == UNBOUNDED => Ok(None),
            Err(e) => Err(e),
        };
        let lower = extreme(OptimizationDirection::Minimize)?.unwrap_or(1.0);
        let upper = extreme(OptimizationDirection::Maximize)?.unwrap_or(f64::MAX);
        Ok(((lower - EPS).ceil() as u64, (upper + EPS).floor() as u64))
    }

    /// The programme: one variable per secret cell of each revision (at least 1), one
    /// equation per total with a secret member (the published members moved to the
    /// right-hand side), and, when growing, each cell at least its earlier value; `objective`
    /// the cell whose value it seeks, if any.
    pub(super) fn programme(
        &self,
        direction: OptimizationDirection,
        objective: Option<Cell>,
    ) -> Result<(Problem, Vars), AuditError> {
        let mut problem = Problem::new(direction);
        let mut vars = Vec::with_capacity(self.revisions.len());
        for (r, p) in self.revisions.iter().enumerate() {
            let weight = |idx: usize| {
                if objective == Some((r, idx)) {
                    1.0
                } else {
                    0.0
                }
            };
            vars.push(read_revision(&mut problem, p, weight)?);
        }
        if self.growing {
            let term = |r: usize, idx: usize| self.revisions[r].term(&vars[r], idx);
            let cells = self.revisions.first().map_or(0, |p| p.values.len());
            require_growth(&mut problem, self.revisions.len(), cells, term)?;
        }
        Ok((problem, vars))
    }

    /// Solves the programme, seeking `objective`'s extreme if any.
    fn solve(
        &self,
        objective: Option<(Cell, OptimizationDirection)>,
    ) -> Result<Solved, AuditError> {
        let direction = objective.map_or(OptimizationDirection::Maximize, |(_, d)| d);
        let (problem, vars) = self.programme(direction, objective.map(|(cell, _)| cell))?;
        match problem.solve() {
            Ok(outcome) => Ok((outcome.into_solution().map_err(|e| solver(&e))?, vars)),
            Err(LpError::Infeasible) => Err(AuditError::Inconsistent),
            Err(LpError::Unbounded) => Err(AuditError::Solver(UNBOUNDED.into())),
            Err(e) => Err(solver(&e)),
        }
    }
}

/// A linear expression: its terms and its constant.
pub(super) type Expr = (Vec<(Variable, f64)>, f64);

/// A revision as the reader holds it: a variable of at least 1 for each secret cell (zeros
/// are shown), with the objective's `weight`, bound by the revision's equations (the
/// published members moved to the right-hand side).
///
/// # Errors
/// [`AuditError::Inconsistent`] when a total of published figures is not their sum.
pub(super) fn read_revision(
    problem: &mut Problem,
    publication: &Publication,
    weight: impl Fn(usize) -> f64,
) -> Result<Vec<Option<Variable>>, AuditError> {
    let vars: Vec<Option<Variable>> = (0..publication.values.len())
        .map(|idx| {
            publication.values[idx]
                .is_none()
                .then(|| problem.add_var(weight(idx), (1.0, f64::INFINITY)))
        })
        .collect();
    for (total, values) in publication.equations() {
        let mut row: Vec<(Variable, f64)> = Vec::new();
        let mut rhs = 0.0;
        for (idx, sign) in values.into_iter().map(|i| (i, 1.0)).chain([(total, -1.0)]) {
            let (terms, value) = publication.term(&vars, idx);
            row.extend(terms.into_iter().map(|(var, coef)| (var, sign * coef)));
            rhs -= sign * value;
        }
        add(problem, row, ComparisonOp::Eq, rhs)?;
    }
    Ok(vars)
}

/// What the reader assumes of a correction: each cell of a revision (`term(revision, cell)`,
/// oldest first) is at least what it was in the one before.
///
/// # Errors
/// [`AuditError::Inconsistent`] when published figures alone refute it.
pub(super) fn require_growth(
    problem: &mut Problem,
    revisions: usize,
    cells: usize,
    term: impl Fn(usize, usize) -> Expr,
) -> Result<(), AuditError> {
    for r in 1..revisions {
        for idx in 0..cells {
            let (mut row, later) = term(r, idx);
            let (was, then) = term(r - 1, idx);
            row.extend(was.into_iter().map(|(var, coef)| (var, -coef)));
            add(problem, row, ComparisonOp::Ge, then - later)?;
        }
    }
    Ok(())
}

/// How an unbounded extreme is told apart from a failure.
const UNBOUNDED: &str = "unbounded";

pub(super) fn solver(e: &dyn fmt::Debug) -> AuditError {
    AuditError::Solver(format!("{e:?}"))
}

/// Adds a constraint; one with no variable is checked on the spot.
fn add(
    problem: &mut Problem,
    row: Vec<(Variable, f64)>,
    op: ComparisonOp,
    rhs: f64,
) -> Result<(), AuditError> {
    if row.is_empty() {
        let holds = match op {
            ComparisonOp::Eq => rhs == 0.0,
            ComparisonOp::Ge => 0.0 >= rhs,
            ComparisonOp::Le => 0.0 <= rhs,
        };
        return if holds {
            Ok(())
        } else {
            Err(AuditError::Inconsistent)
        };
    }
    problem.add_constraint(row.as_slice(), op, rhs);
    Ok(())
}

#[cfg(test)]
mod tests;
