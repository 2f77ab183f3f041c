//! Secondary suppression by the cheapest move: what keeps each small count in doubt at the
//! least value hidden.
//!
//! A reader of every published figure can change secret cells only together, in moves that
//! keep every total right, and no secret cell below 1 (zeros are shown). A small count is
//! safe exactly when some such move takes it up to the threshold. So for each small count the
//! cells to hide are those of the cheapest move that does it, found by a linear programme:
//! every cell that is not a zero may go up, or down to 1; the count goes up by what it lacks;
//! every equation (a total and its values) stays balanced; a cell already secret moves for
//! next to nothing, a published one costs its value per unit moved (hiding it costs its
//! value, whatever the move takes of it). The cells the move uses are hidden, and the next small
//! count, seeing them secret, often needs nothing more. This is the heuristic of Fischetti
//! and Salazar (1999, 2000) for cell suppression, with the reader's stronger knowledge: a
//! hidden cell is at least 1, not 0, as τ-ARGUS assumes.
//!
//! The moves are sought only for the small counts the reader can still bound once the
//! cheap rules have run (no lone secret in an equation, room in each): on a month of the
//! synthetic year that is a few hundred of 1,169, and a count kept in doubt by the moves
//! before it costs nothing more. Neither the order of the counts nor repricing a move
//! (reweighted ℓ1) nor offering complements back changed the value hidden by more than 1 %
//! there (`BENCHMARKS.md`, "Statistical secrecy"). The attacker's programme checks the whole
//! table after each round of moves.

use std::collections::VecDeque;

use microlp::{ComparisonOp, OptimizationDirection, Problem, Solution, Variable};

use super::Protected;
use super::attacker::{self, Expr};

/// What moving a cell already secret costs: next to nothing, so that a move through secret
/// cells is always preferred, yet without wandering through them for no reason.
const SECRET_COST: f64 = 1e-6;

/// Over this, a cell moved by a solution is moved (the solver's rounding is far below).
const MOVED: f64 = 1e-7;

impl Protected {
    /// Hides the cells of the cheapest move of each of `small` in turn (a count kept in
    /// doubt by the moves before it needs nothing more); whether it hid any. Each cell hidden
    /// is queued in `work`. For a correction, the moves read the `earlier` publications too.
    ///
    /// The programme is solved once at rest (nothing moves) and each count's move found from
    /// there by fixing its rise (about 9 ms a count on a month's 4,000 cells). It is built
    /// again only when cells are hidden, which changes their price.
    pub(super) fn hide_cheapest_moves(
        &mut self,
        threshold: u64,
        small: &[usize],
        earlier: &[attacker::Publication],
        work: &mut VecDeque<(usize, usize)>,
    ) -> Result<bool, attacker::AuditError> {
        // A correction's later rounds often have no count left to move: no programme then.
        if small.is_empty() {
            return Ok(false);
        }
        let mut hid = false;
        let mut programme = Programme::of(self, earlier)?;
        // Whether the revisions read together holds at rest does not depend on what is
        // hidden (the move starts from this revision's exact counts): decided once.
        let earlier = if programme.reads_earlier {
            earlier
        } else {
            &[]
        };
        for &cell in small {
            let published: Vec<usize> = programme
                .moved(cell, threshold.saturating_sub(self.counts[cell]))?
                .into_iter()
                .filter(|&idx| !self.suppressed[idx])
                .collect();
            if published.is_empty() {
                continue;
            }
            for idx in published {
                self.suppress(idx, work);
            }
            hid = true;
            programme = Programme::of(self, earlier)?;
        }
        Ok(hid)
    }
}

/// The programme of the moves of one table: every cell that is not a zero may go up, or down
/// to 1; every equation (a total and its values) stays balanced; a secret cell moves for next
/// to nothing, a published one costs its value per unit moved. Solved at rest.
///
/// For a correction the reader also knows the earlier revisions and that cases only come
/// late: each cell is at least what it was. A move must keep that true, so a cell whose
/// earlier value is published cannot go below it, and an earlier secret may move with it
/// within its own revision's equations. Without that, a move would let a late count rise by
/// taking cases from cells the reader knows did not lose any, and fail the audit.
struct Programme {
    rest: Solution,
    /// Each cell's (up, down) variables; None for a zero, which cannot move.
    moves: Vec<Option<(Variable, Option<Variable>)>>,
    /// Whether the earlier revisions are part of it.
    reads_earlier: bool,
}

impl Programme {
    /// The moves reading the revisions together, or this table alone when the published
    /// figures refute growth (a case moved to another type): the reader reads them apart then.
    fn of(
        cube: &Protected,
        earlier: &[attacker::Publication],
    ) -> Result<Self, attacker::AuditError> {
        if !earlier.is_empty()
            && let Some(programme) = Self::build(cube, earlier)?
        {
            return Ok(programme);
        }
        Self::build(cube, &[])?.ok_or_else(|| {
            attacker::AuditError::Solver("a table's moves have no point at rest".into())
        })
    }

    /// The programme solved at rest; None when the revisions cannot be read together.
    fn build(
        cube: &Protected,
        earlier: &[attacker::Publication],
    ) -> Result<Option<Self>, attacker::AuditError> {
        let mut problem = Problem::new(OptimizationDirection::Minimize);
        let moves = Self::table(&mut problem, cube);
        // The earlier revisions as the reader holds them, and each cell at least what it was.
        let mut before = Vec::with_capacity(earlier.len());
        for publication in earlier {
            before.push(attacker::read_revision(&mut problem, publication, |_| 0.0)?);
        }
        let now = earlier.len();
        let term = |r: usize, idx: usize| -> Expr {
            if r < now {
                return earlier[r].term(&before[r], idx);
            }
            // This revision's value of a cell, as the move leaves it.
            let mut terms = Vec::new();
            if let Some((up, down)) = moves[idx] {
                terms.push((up, 1.0));
                terms.extend(down.map(|down| (down, -1.0)));
            }
            (terms, cube.counts[idx] as f64)
        };
        let growing = attacker::require_growth(&mut problem, now + 1, cube.counts.len(), term);
        if growing == Err(attacker::AuditError::Inconsistent) {
            return Ok(None);
        }
        growing?;
        let rest = match problem.solve() {
            Ok(outcome) => outcome.into_solution().map_err(|e| failed(&e))?,
            Err(microlp::Error::Infeasible) if now > 0 => return Ok(None),
            Err(e) => return Err(failed(&e)),
        };
        Ok(Some(Self {
            rest,
            moves,
            reads_earlier: now > 0,
        }))
    }

    /// Each cell's (up, down) variables, priced, and the table's equations balanced.
    fn table(problem: &mut Problem, cube: &Protected) -> Vec<Option<(Variable, Option<Variable>)>> {
        let mut moves = Vec::with_capacity(cube.counts.len());
        for idx in 0..cube.counts.len() {
            let count = cube.counts[idx];
            if count == 0 {
                moves.push(None);
                continue;
            }
            let price = if cube.suppressed[idx] {
                SECRET_COST
            } else {
                count as f64
            };
            let up = problem.add_var(price, (0.0, f64::INFINITY));
            let down = (count > 1).then(|| problem.add_var(price, (0.0, (count - 1) as f64)));
            moves.push(Some((up, down)));
        }
        for dim in 0..cube.sizes.len() {
            for base in (0..cube.counts.len()).filter(|&idx| cube.slot(idx, dim) == 0) {
                let total = cube.total_of(dim, base);
                let members = cube.values_of(dim, base).map(|m| (m, 1.0));
                let mut row = Vec::new();
                for (member, sign) in members.chain(std::iter::once((total, -1.0))) {
                    if let Some((up, down)) = moves[member] {
                        row.push((up, sign));
                        if let Some(down) = down {
                            row.push((down, -sign));
                        }
                    }
                }
                if !row.is_empty() {
                    problem.add_constraint(row.as_slice(), ComparisonOp::Eq, 0.0);
                }
            }
        }
        moves
    }

    /// The cells the cheapest move taking `cell` up by `room` moves besides it.
    fn moved(&self, cell: usize, room: u64) -> Result<Vec<usize>, attacker::AuditError> {
        let Some(Some((up, down))) = self.moves.get(cell).copied() else {
            return Ok(Vec::new());
        };
        if room == 0 {
            return Ok(Vec::new());
        }
        let mut point = self.rest.clone();
        if let Some(down) = down {
            point = point
                .fix_var(down, 0.0)
                .map_err(|e| failed(&e))?
                .into_solution()
                .map_err(|e| failed(&e))?;
        }
        let point = point
            .fix_var(up, room as f64)
            .map_err(|e| failed(&e))?
            .into_solution()
            .map_err(|e| failed(&e))?;
        Ok(self
            .moves
            .iter()
            .enumerate()
            .filter(|&(idx, _)| idx != cell)
            .filter_map(|(idx, pair)| {
                let (up, down) = (*pair)?;
                let moved = point.var_value(up) + down.map_or(0.0, |d| point.var_value(d));
                (moved > MOVED).then_some(idx)
            })
            .collect())
    }
}

fn failed(e: &dyn std::fmt::Debug) -> attacker::AuditError {
    attacker::AuditError::Solver(format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use crate::observatory::suppression::{Coord, DEFAULT_THRESHOLD, Protected};

    fn hidden(cube: &Protected) -> Vec<[Coord; 2]> {
        let slots = |n: usize| (0..n).map(Some).chain([None]).collect::<Vec<_>>();
        let mut out = Vec::new();
        for r in slots(3) {
            for c in slots(3) {
                if cube.published(&[r, c]).is_none() {
                    out.push([r, c]);
                }
            }
        }
        out
    }

    #[test]
    fn a_small_count_is_kept_in_doubt_by_the_cheapest_move() {
        // 2 in the corner, alone secret: the rectangle through 60, 30 and 20 gives it room to
        // be 11 (60 and 30 going down keep at least 1 + 9, 20 goes up) at the least value
        // hidden, 110; the one through 40, 50 and 45 would hide 135, a row or a column with
        // its total more.
        let counts = [2, 50, 60, 40, 45, 300, 30, 200, 20];
        let mut cube = Protected::shaped(&[3, 3], &counts).unwrap();
        let mut work = std::collections::VecDeque::new();
        cube.suppress(0, &mut work);
        assert!(
            cube.publication()
                .exposures(DEFAULT_THRESHOLD)
                .unwrap()
                .len()
                == 1
        );
        assert!(
            cube.hide_cheapest_moves(DEFAULT_THRESHOLD, &[0], &[], &mut work)
                .unwrap()
        );
        assert_eq!(
            hidden(&cube),
            [
                [Some(0), Some(0)],
                [Some(0), Some(2)],
                [Some(2), Some(0)],
                [Some(2), Some(2)]
            ]
        );
        assert_eq!(cube.complements(DEFAULT_THRESHOLD), (3, 110));
        assert!(
            cube.publication()
                .exposures(DEFAULT_THRESHOLD)
                .unwrap()
                .is_empty()
        );
        // Kept in doubt, it needs nothing more.
        assert!(
            !cube
                .hide_cheapest_moves(DEFAULT_THRESHOLD, &[0], &[], &mut work)
                .unwrap()
        );
    }

    #[test]
    fn a_cell_going_down_keeps_at_least_one() {
        // 20 would be the cheapest corner, but it goes down by 9 in the box through 60 and
        // 30 when 60 is a 5: the box goes elsewhere, and no 300 is needed.
        let counts = [2, 50, 5, 40, 45, 300, 30, 200, 20];
        let cube = Protected::new(&[3, 3], &counts, DEFAULT_THRESHOLD).unwrap();
        assert!(
            cube.publication()
                .exposures(DEFAULT_THRESHOLD)
                .unwrap()
                .is_empty()
        );
        assert_eq!(cube.published(&[Some(1), Some(2)]), Some(300));
    }
}
