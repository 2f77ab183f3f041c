//! Secondary suppression by boxes: the cheapest way found to keep each small count in doubt.
//!
//! A reader of every published figure can move secret cells together only in ways that keep
//! every total right. The smallest such moves are boxes: choose, in each dimension, a second
//! slot besides the cell's own (another value, or the total); the 2ⁿ cells at the corners move
//! by ±δ together. Along a dimension, two values move in opposite directions and a value moves
//! with its total, so a corner's direction is the product over the dimensions where it takes
//! the second slot. When every corner is secret and each corner going down holds at least
//! `1 + δ` (a secret cell is at least 1, since zeros are shown), the reader cannot rule out
//! that the cell is δ more than it is: with δ = threshold − count, that it is the threshold.
//!
//! So a small count is safe once a box of secret corners with that room holds it, whatever
//! else the reader combines. For each small count the cheapest box (least value of corners
//! still published; a box already secret costs nothing) is hidden; then every complement is
//! offered back, largest first, and published again when each count its box protected finds
//! another box already secret. Counts no box can hold are left to the per-equation rules and
//! the audit's repair, and the attacker's programme checks the whole table in any case.

use std::collections::VecDeque;

use super::{Protected, is_primary};

/// Boxes examined for one cell at most: beyond, the cell is left to the audit's repair.
const MAX_BOXES: usize = 1 << 20;

impl Protected {
    /// Hides the corners of the cheapest box of every small count, then publishes again the
    /// complements no count needs (see the module's note). Each cell hidden is queued in
    /// `work`, as `suppress` does.
    pub(super) fn hide_boxes(&mut self, threshold: u64, work: &mut VecDeque<(usize, usize)>) {
        let mut small: Vec<usize> = (0..self.counts.len())
            .filter(|&idx| self.suppressed[idx] && is_primary(self.counts[idx], threshold))
            .collect();
        // The smallest counts need the most room, and have the fewest boxes: first.
        small.sort_by_key(|&idx| (self.counts[idx], idx));
        let mut witness: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut added: Vec<usize> = Vec::new();
        for &cell in &small {
            let Some((_, corners)) = self.cheapest_box(cell, threshold) else {
                continue;
            };
            for &corner in &corners {
                if !self.suppressed[corner] {
                    self.suppress(corner, work);
                    added.push(corner);
                }
            }
            witness.push((cell, corners));
        }
        // Offered back, the most valuable first.
        added.sort_by_key(|&idx| std::cmp::Reverse((self.counts[idx], idx)));
        for complement in added {
            self.suppressed[complement] = false;
            let mut others = Vec::new();
            let mut kept = true;
            for (cell, corners) in &witness {
                if !corners.contains(&complement) {
                    continue;
                }
                match self.cheapest_box(*cell, threshold) {
                    Some((0, corners)) => others.push((*cell, corners)),
                    _ => {
                        kept = false;
                        break;
                    }
                }
            }
            if !kept {
                self.suppressed[complement] = true;
                continue;
            }
            for (cell, corners) in others {
                if let Some(entry) = witness.iter_mut().find(|(c, _)| *c == cell) {
                    entry.1 = corners;
                }
            }
        }
    }

    /// The box around `cell` that gives it room to reach `threshold` at the least value newly
    /// hidden (then the fewest cells), as that value and its corners other than `cell`;
    /// None when no box can (a zero or a count too small where a corner must go down).
    fn cheapest_box(&self, cell: usize, threshold: u64) -> Option<(u64, Vec<usize>)> {
        let room = threshold.checked_sub(self.counts[cell]).filter(|&r| r > 0)?;
        let dims = self.sizes.len();
        if dims == 0 {
            return None;
        }
        // Each dimension's second slots, as (offset in the layout, whether the corner moves
        // against `cell`), kept only when the corner one step away can take the move.
        let mut partners: Vec<Vec<(isize, bool)>> = Vec::with_capacity(dims);
        for dim in 0..dims {
            let own = self.slot(cell, dim);
            let total = self.sizes[dim];
            let stride = isize::try_from(self.strides[dim]).ok()?;
            let mut choices = Vec::new();
            for slot in (0..=total).filter(|&s| s != own) {
                let against = own != total && slot != total;
                let offset = (isize::try_from(slot).ok()? - isize::try_from(own).ok()?) * stride;
                let corner = cell.checked_add_signed(offset)?;
                if self.can_move(corner, against, room) {
                    choices.push((offset, against));
                }
            }
            if choices.is_empty() {
                return None;
            }
            partners.push(choices);
        }
        let boxes = partners
            .iter()
            .try_fold(1usize, |n, p| n.checked_mul(p.len()))?;
        if boxes > MAX_BOXES {
            return None;
        }
        let mut best: Option<(u64, usize, Vec<usize>)> = None;
        let mut choice = vec![0usize; dims];
        let mut corners = Vec::with_capacity((1 << dims) - 1);
        'boxes: loop {
            corners.clear();
            let (mut value, mut new) = (0u64, 0usize);
            for mask in 1usize..(1 << dims) {
                let (mut offset, mut against) = (0isize, false);
                for (dim, options) in partners.iter().enumerate() {
                    if mask & (1 << dim) != 0 {
                        let (o, a) = options[choice[dim]];
                        offset += o;
                        against ^= a;
                    }
                }
                let Some(corner) = cell.checked_add_signed(offset) else {
                    break;
                };
                if !self.can_move(corner, against, room) {
                    value = u64::MAX;
                    break;
                }
                if !self.suppressed[corner] {
                    value = value.saturating_add(self.counts[corner]);
                    new += 1;
                }
                if best
                    .as_ref()
                    .is_some_and(|(v, n, _)| (value, new) >= (*v, *n))
                {
                    value = u64::MAX;
                    break;
                }
                corners.push(corner);
            }
            if value != u64::MAX && corners.len() + 1 == 1 << dims {
                best = Some((value, new, corners.clone()));
                if value == 0 {
                    break 'boxes;
                }
            }
            // The next choice, the last dimension fastest.
            let mut dim = dims;
            loop {
                if dim == 0 {
                    break 'boxes;
                }
                dim -= 1;
                choice[dim] += 1;
                if choice[dim] < partners[dim].len() {
                    break;
                }
                choice[dim] = 0;
            }
        }
        best.map(|(value, _, corners)| (value, corners))
    }

    /// Whether a corner can be secret and move by `room`: never a zero (zeros are shown), and
    /// at least `1 + room` when it goes down (a secret cell is at least 1).
    fn can_move(&self, corner: usize, down: bool, room: u64) -> bool {
        match self.counts.get(corner) {
            Some(&count) if count > 0 => !down || count > room,
            _ => false,
        }
    }
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
    fn a_small_count_is_kept_in_doubt_by_the_cheapest_rectangle() {
        // 2 in the corner: the rectangle through 60, 30 and 20 gives it room to be 11 (60 and
        // 30 going down keep at least 1 + 9, 20 goes up) at the least value hidden, 110; the
        // one through 40, 50 and 45 would hide 135, a row or a column with its total more.
        let counts = [2, 50, 60, 40, 45, 300, 30, 200, 20];
        let cube = Protected::new(&[3, 3], &counts, DEFAULT_THRESHOLD).unwrap();
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
    }

    #[test]
    fn a_corner_going_down_must_keep_room_above_one() {
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
