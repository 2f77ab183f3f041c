//! Witnesses of doubt, kept while complements are published back.
//!
//! A cell stays in doubt while some table the reader cannot rule out gives it the threshold:
//! a feasible point of the reader's programme is its *witness*. Publishing a complement at
//! its value adds one equation, so a witness that already gives the complement that value
//! still holds, and only the cells whose every witness departs from it need the solver
//! again. The points are therefore sought with the complements to try as near their values
//! as the programme allows (the least total departure from them): such a point moves only
//! the complements of a cycle through the cell it carries, so publishing one complement
//! leaves most witnesses standing, and a try costs a few probes where a whole audit probed
//! thousands. Pulling every cell of the table to its value would leave even fewer
//! witnesses to replace, but each probe would then cost 50 times more (October: 0.34 s
//! against 7 ms; `BENCHMARKS.md`, "A correction's complements tried back").

use std::collections::BTreeSet;

use microlp::{ComparisonOp, Error as LpError, OptimizationDirection, Solution, Variable};

use super::attacker::{self, AuditError, Cell, EPS, Reader};

pub(super) struct Witnesses {
    /// A feasible point giving every complement to try its value, with those published
    /// back fixed there: each probe starts from it.
    base: Solution,
    /// A solution near `base` left by the last probe, cheaper to start from than a copy.
    current: Option<Solution>,
    threshold: u64,
    /// The cells kept in doubt, with their variables.
    keep: Vec<(Cell, Variable)>,
    /// The complements to try (this revision's cells), with their variables and values:
    /// the points are sought with them at their values.
    to_try: Vec<(usize, Variable, f64)>,
    /// Each point found: the complements to try it gives another value than theirs, or
    /// `None` while a complement published (or being tried) rules it out.
    points: Vec<Option<Vec<usize>>>,
    /// Per cell kept in doubt: the points giving it the threshold.
    carried_by: Vec<Vec<usize>>,
}

/// What a refused try puts back: the points stay, since a point found with the complement
/// fixed is a point of the programme without it too.
struct Undo {
    base: Solution,
    ruled_out: Vec<(usize, Vec<usize>)>,
}

impl Witnesses {
    /// The witnesses of `keep` to the reader of `reader`'s revisions, the last of which holds
    /// `counts`; `None` when a cell of `keep` has none (it is exposed already).
    pub(super) fn of(
        reader: &Reader,
        counts: &[u64],
        (keep, to_try): (&[Cell], &[usize]),
        threshold: u64,
    ) -> Result<Option<Self>, AuditError> {
        let (mut problem, vars) = reader.programme(OptimizationDirection::Minimize, None)?;
        let var = |(r, idx): Cell| {
            vars.get(r)
                .and_then(|v| v.get(idx))
                .copied()
                .flatten()
                .ok_or(AuditError::Inconsistent)
        };
        let now = vars.len().saturating_sub(1);
        let keep = keep
            .iter()
            .map(|&cell| Ok((cell, var(cell)?)))
            .collect::<Result<Vec<_>, AuditError>>()?;
        let to_try = to_try
            .iter()
            .map(|&idx| {
                let count = counts.get(idx).ok_or(AuditError::Inconsistent)?;
                Ok((idx, var((now, idx))?, *count as f64))
            })
            .collect::<Result<Vec<_>, AuditError>>()?;
        for &(_, var, value) in &to_try {
            let over = problem.add_var(1.0, (0.0, f64::INFINITY));
            let under = problem.add_var(1.0, (0.0, f64::INFINITY));
            let row = [(var, 1.0), (over, -1.0), (under, 1.0)];
            problem.add_constraint(row.as_slice(), ComparisonOp::Eq, value);
        }
        let base = match problem.solve() {
            Ok(outcome) => outcome.into_solution().map_err(|e| attacker::solver(&e))?,
            Err(LpError::Infeasible) => return Err(AuditError::Inconsistent),
            Err(e) => return Err(attacker::solver(&e)),
        };
        let mut witnesses = Self {
            current: None,
            threshold,
            carried_by: vec![Vec::new(); keep.len()],
            keep,
            to_try,
            points: Vec::new(),
            base: base.clone(),
        };
        witnesses.record(&base);
        for k in 0..witnesses.keep.len() {
            if !witnesses.stands(k)? {
                return Ok(None);
            }
        }
        Ok(Some(witnesses))
    }

    /// Publishes `cell`, one of the complements to try, at its value if every cell kept in
    /// doubt keeps a witness, the cells of `first` examined first; otherwise changes nothing.
    pub(super) fn publish(&mut self, cell: usize, first: &[usize]) -> Result<bool, AuditError> {
        let &(_, var, value) = self
            .to_try
            .iter()
            .find(|(idx, ..)| *idx == cell)
            .ok_or(AuditError::Inconsistent)?;
        let fixed = match self.base.clone().fix_var(var, value) {
            Ok(outcome) => outcome.into_solution().map_err(|e| attacker::solver(&e))?,
            Err(LpError::Infeasible) => return Ok(false),
            Err(e) => return Err(attacker::solver(&e)),
        };
        let mut undo = Undo {
            base: std::mem::replace(&mut self.base, fixed),
            ruled_out: Vec::new(),
        };
        self.current = None;
        for (id, point) in self.points.iter_mut().enumerate() {
            if point
                .as_ref()
                .is_some_and(|moved| moved.binary_search(&cell).is_ok())
                && let Some(moved) = point.take()
            {
                undo.ruled_out.push((id, moved));
            }
        }
        let order = first
            .iter()
            .copied()
            .chain((0..self.keep.len()).filter(|k| !first.contains(k)));
        for k in order {
            let stands = self.stands(k);
            if !matches!(stands, Ok(true)) {
                self.undo(undo);
                return stands;
            }
        }
        Ok(true)
    }

    /// The cells kept in doubt (indices into `keep`) among `cells` of any revision.
    pub(super) fn kept_among(&self, cells: &BTreeSet<usize>) -> Vec<usize> {
        (0..self.keep.len())
            .filter(|&k| cells.contains(&self.keep[k].0.1))
            .collect()
    }

    fn undo(&mut self, undo: Undo) {
        self.base = undo.base;
        self.current = None;
        for (id, moved) in undo.ruled_out {
            self.points[id] = Some(moved);
        }
    }

    /// Whether the `k`-th cell kept in doubt has a witness, probing for one if none stands.
    fn stands(&mut self, k: usize) -> Result<bool, AuditError> {
        let points = &self.points;
        if self.carried_by[k].iter().any(|&id| points[id].is_some()) {
            return Ok(true);
        }
        let var = self.keep[k].1;
        let from = self.current.take().unwrap_or_else(|| self.base.clone());
        if from.var_value(var) >= self.threshold as f64 - EPS {
            self.record(&from);
            self.current = Some(from);
            return Ok(true);
        }
        match from.fix_var(var, self.threshold as f64) {
            Ok(outcome) => {
                let point = outcome.into_solution().map_err(|e| attacker::solver(&e))?;
                self.record(&point);
                let (released, _) = point.unfix_var(var).map_err(|e| attacker::solver(&e))?;
                self.current = released.into_solution().ok();
                Ok(true)
            }
            // The cell's feasible values form an interval holding its value at `from`, under
            // the threshold: the threshold is out of reach.
            Err(LpError::Infeasible) => Ok(false),
            Err(e) => Err(attacker::solver(&e)),
        }
    }

    /// Keeps a feasible point: the complements to try it moves, and the cells it carries.
    fn record(&mut self, point: &Solution) {
        let id = self.points.len();
        let mut moved: Vec<usize> = self
            .to_try
            .iter()
            .filter(|&&(_, var, value)| (point.var_value(var) - value).abs() > EPS)
            .map(|&(idx, ..)| idx)
            .collect();
        moved.sort_unstable();
        self.points.push(Some(moved));
        let goal = self.threshold as f64 - EPS;
        for (k, &(_, var)) in self.keep.iter().enumerate() {
            if point.var_value(var) >= goal {
                self.carried_by[k].push(id);
            }
        }
    }
}
