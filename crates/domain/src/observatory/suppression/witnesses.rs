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

use microlp::{ComparisonOp, Error as LpError, OptimizationDirection, Solution, Variable};

use super::attacker::{self, AuditError, Cell, EPS, Reader, Vars};

pub(super) struct Witnesses {
    /// A feasible point giving every complement to try its value, with those published
    /// back fixed there: each probe starts from it.
    base: Solution,
    /// A solution near `base` left by the last probe, cheaper to start from than a copy.
    current: Option<Solution>,
    vars: Vars,
    counts: Vec<u64>,
    now: usize,
    threshold: u64,
    keep: Vec<Cell>,
    /// The complements to try: the points are sought with them at their values.
    to_try: Vec<usize>,
    /// Each point found: the complements to try it gives another value than theirs, or
    /// `None` once a complement published back ruled it out.
    points: Vec<Option<Vec<usize>>>,
    /// Per cell kept in doubt: the points giving it the threshold.
    carried_by: Vec<Vec<usize>>,
    /// Per cell kept in doubt: whether its least value is the threshold or more, so that no
    /// publication can bound it under (an earlier secret the reader knows is large).
    above: Vec<bool>,
}

/// What a try leaves to undo when it is refused.
struct Undo {
    base: Solution,
    points: usize,
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
        let now = vars.len().saturating_sub(1);
        let mine = vars.get(now).ok_or(AuditError::Inconsistent)?;
        for &idx in to_try {
            let (Some(Some(var)), Some(&count)) = (mine.get(idx), counts.get(idx)) else {
                continue;
            };
            let over = problem.add_var(1.0, (0.0, f64::INFINITY));
            let under = problem.add_var(1.0, (0.0, f64::INFINITY));
            let row = [(*var, 1.0), (over, -1.0), (under, 1.0)];
            problem.add_constraint(row.as_slice(), ComparisonOp::Eq, count as f64);
        }
        let base = match problem.solve() {
            Ok(outcome) => outcome.into_solution().map_err(|e| attacker::solver(&e))?,
            Err(LpError::Infeasible) => return Err(AuditError::Inconsistent),
            Err(e) => return Err(attacker::solver(&e)),
        };
        let mut witnesses = Self {
            base,
            current: None,
            vars,
            counts: counts.to_vec(),
            now,
            threshold,
            keep: keep.to_vec(),
            to_try: to_try.to_vec(),
            points: Vec::new(),
            carried_by: vec![Vec::new(); keep.len()],
            above: vec![false; keep.len()],
        };
        for k in 0..keep.len() {
            if !witnesses.stands(k)? {
                return Ok(None);
            }
        }
        Ok(Some(witnesses))
    }

    /// Publishes `cell` of this revision at its count if every cell kept in doubt keeps a
    /// witness, the cells of `first` examined first; otherwise changes nothing.
    pub(super) fn publish(&mut self, cell: usize, first: &[usize]) -> Result<bool, AuditError> {
        let (var, value) = (self.var((self.now, cell))?, self.counts[cell]);
        let fixed = match self.base.clone().fix_var(var, value as f64) {
            Ok(outcome) => outcome.into_solution().map_err(|e| attacker::solver(&e))?,
            Err(LpError::Infeasible) => return Ok(false),
            Err(e) => return Err(attacker::solver(&e)),
        };
        let mut undo = Undo {
            base: std::mem::replace(&mut self.base, fixed),
            points: self.points.len(),
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
            match self.stands(k) {
                Ok(true) => {}
                Ok(false) => {
                    self.undo(undo);
                    return Ok(false);
                }
                Err(e) => {
                    self.undo(undo);
                    return Err(e);
                }
            }
        }
        Ok(true)
    }

    /// The cells kept in doubt (indices into `keep`) in an equation through `cells`.
    pub(super) fn kept_among(&self, cells: &std::collections::BTreeSet<usize>) -> Vec<usize> {
        (0..self.keep.len())
            .filter(|&k| cells.contains(&self.keep[k].1))
            .collect()
    }

    fn undo(&mut self, undo: Undo) {
        self.base = undo.base;
        self.current = None;
        self.points.truncate(undo.points);
        for (id, moved) in undo.ruled_out {
            self.points[id] = Some(moved);
        }
        for carried in &mut self.carried_by {
            carried.retain(|&id| id < undo.points);
        }
    }

    /// Whether the `k`-th cell kept in doubt has a witness, probing for one if none stands.
    fn stands(&mut self, k: usize) -> Result<bool, AuditError> {
        if self.above[k] {
            return Ok(true);
        }
        let points = &self.points;
        self.carried_by[k].retain(|&id| points[id].is_some());
        if !self.carried_by[k].is_empty() {
            return Ok(true);
        }
        let var = self.var(self.keep[k])?;
        let from = self.current.take().unwrap_or_else(|| self.base.clone());
        // The cell's feasible values form an interval holding its value here: when the
        // threshold is out of it, this value tells on which side.
        let here = from.var_value(var);
        match from.fix_var(var, self.threshold as f64) {
            Ok(outcome) => {
                let point = outcome.into_solution().map_err(|e| attacker::solver(&e))?;
                self.record(&point);
                let (released, _) = point.unfix_var(var).map_err(|e| attacker::solver(&e))?;
                self.current = released.into_solution().ok();
                Ok(true)
            }
            Err(LpError::Infeasible) if here > self.threshold as f64 => {
                self.above[k] = true;
                Ok(true)
            }
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
            .copied()
            .filter(|&idx| {
                self.vars[self.now][idx]
                    .is_some_and(|v| (point.var_value(v) - self.counts[idx] as f64).abs() > EPS)
            })
            .collect();
        moved.sort_unstable();
        self.points.push(Some(moved));
        let goal = self.threshold as f64 - EPS;
        for (k, &(r, idx)) in self.keep.iter().enumerate() {
            if let Some(var) = self.vars[r][idx]
                && point.var_value(var) >= goal
            {
                self.carried_by[k].push(id);
            }
        }
    }

    fn var(&self, (r, idx): Cell) -> Result<Variable, AuditError> {
        self.vars
            .get(r)
            .and_then(|v| v.get(idx))
            .copied()
            .flatten()
            .ok_or(AuditError::Inconsistent)
    }
}
