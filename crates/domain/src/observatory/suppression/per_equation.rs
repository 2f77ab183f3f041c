//! The first line of defence, cheap and local: no marginal equation left with one lone
//! secret member, and each equation holding a small secret count leaves it room to reach the
//! threshold. The attacker's programme (`attacker`) then finds what needs several equations
//! at once; `cover` answers an exposure the moves could not.

use std::collections::VecDeque;

use super::{Protected, is_primary};

impl Protected {
    /// The doubt one equation leaves alone: with its total published, a reader knows its
    /// secret values add up to the total minus the published ones, each at least 1, so none
    /// can exceed that sum minus the others' 1s. Until that bound reaches the threshold for
    /// every equation holding a small secret count, the smallest open value that closes the
    /// gap is hidden too (else the largest, and again). Most exposures end here, cheaply; the
    /// attacker's programme finds those that need several equations at once.
    pub(super) fn give_each_equation_room(
        &mut self,
        threshold: u64,
        work: &mut VecDeque<(usize, usize)>,
    ) {
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
    pub(super) fn complete_equations(&mut self, work: &mut VecDeque<(usize, usize)>) {
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
    pub(super) fn cover(&self, idx: usize, lacking: u64) -> Option<usize> {
        let mut seen = vec![false; self.counts.len()];
        seen[idx] = true;
        let mut frontier = vec![idx];
        while !frontier.is_empty() {
            let mut open = Vec::new();
            let mut next = Vec::new();
            for &cell in &frontier {
                for dim in 0..self.sizes.len() {
                    let base = self.equation_base(cell, dim);
                    for m in self.members_of(dim, base) {
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

    /// How many members of an equation, its total included, are suppressed.
    pub(super) fn suppressed_members(&self, dim: usize, base: usize) -> usize {
        self.members_of(dim, base)
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
