//! Publishing back: once a correction is protected, the complements it hid are tried again,
//! the most valuable first, and each is published if every cell kept in doubt stays within
//! reach of the threshold without it. A correction's rounds hide complements one exposure at
//! a time, and a complement hidden early is often made useless by those hidden after it
//! (on October with late cases on cells published as 0, 5 complements worth 14,743 of the
//! 76,933 hidden: `BENCHMARKS.md`, "The cost of a correction").
//!
//! A try reads the table as the attacker does, with the complement published: the reader's
//! programme, solved once, with the complement's variable fixed at its value. The cells
//! sharing an equation with it are probed first: when publishing it exposes one, it is
//! nearly always one of them, so a refused try costs a few probes; an accepted one costs an
//! audit. The caller says when to stop (`go_on`), so that the tries fit the time it gives.

use std::collections::BTreeSet;

use super::{Progress, Protected, attacker};

/// At most this many complements are tried, the most valuable first.
pub const MAX_TRIES: usize = 60;

/// How long the service lets a correction try its complements back, from the first try
/// (the caller keeps the time: the rules read no clock).
pub const BUDGET: std::time::Duration = std::time::Duration::from_secs(120);

impl Protected {
    /// Tries the complements back (see the module's note); `keep` are the cells to keep in
    /// doubt (this revision's small counts and the earlier revisions' secrets, as
    /// `protect` holds them), `forced` the cells hidden because an earlier revision hid them.
    pub(super) fn publish_back(
        &mut self,
        threshold: u64,
        earlier: &[attacker::Publication],
        (keep, forced): (&[attacker::Cell], &BTreeSet<usize>),
        go_on: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<(), attacker::AuditError> {
        let now = earlier.len();
        let mut complements: Vec<usize> = (0..self.counts.len())
            .filter(|&idx| self.suppressed[idx] && self.counts[idx] >= threshold)
            .filter(|idx| !forced.contains(idx))
            .collect();
        complements.sort_by_key(|&idx| (std::cmp::Reverse(self.counts[idx]), idx));
        complements.truncate(MAX_TRIES);
        let of = complements.len();
        // The reader of the table as protected; each complement published back is read as
        // its variable fixed at its value, warm-started: one programme solved in all.
        let mut revisions = earlier.to_vec();
        revisions.push(self.publication());
        let mut reader = attacker::Reader::of(&revisions)?;
        let (mut tried, mut published) = (0, 0);
        for &complement in &complements {
            if !go_on(Progress::PublishingBack {
                tried,
                of,
                published,
            }) {
                break;
            }
            tried += 1;
            self.suppressed[complement] = false;
            let mut accepted = None;
            if !self.leaves_a_lone_secret(complement)
                && let Some(with) = reader.publishing((now, complement), self.counts[complement])?
                && self.keeps_in_doubt(threshold, &with, now, keep, complement)?
            {
                accepted = Some(with);
            }
            match accepted {
                Some(with) => {
                    reader = with;
                    published += 1;
                }
                None => self.suppressed[complement] = true,
            }
        }
        go_on(Progress::PublishingBack {
            tried,
            of,
            published,
        });
        Ok(())
    }

    /// Whether an equation through `cell` has exactly one secret member: the total gives
    /// it away.
    fn leaves_a_lone_secret(&self, cell: usize) -> bool {
        (0..self.sizes.len()).any(|dim| {
            let base = self.equation_base(cell, dim);
            let members = self
                .values_of(dim, base)
                .chain(std::iter::once(self.total_of(dim, base)));
            members.filter(|&m| self.suppressed[m]).count() == 1
        })
    }

    /// Whether, to `reader`, every cell of `keep` stays within reach of the threshold, the
    /// cells sharing an equation with `near` probed first.
    fn keeps_in_doubt(
        &self,
        threshold: u64,
        reader: &attacker::Reader,
        now: usize,
        keep: &[attacker::Cell],
        near: usize,
    ) -> Result<bool, attacker::AuditError> {
        let neighbours: BTreeSet<usize> = (0..self.sizes.len())
            .flat_map(|dim| {
                let base = self.equation_base(near, dim);
                self.values_of(dim, base)
                    .chain(std::iter::once(self.total_of(dim, base)))
            })
            .collect();
        let (first, rest): (Vec<attacker::Cell>, Vec<attacker::Cell>) =
            keep.iter().partition(|(_, idx)| neighbours.contains(idx));
        for cells in [first, rest] {
            for (cell, _) in reader.out_of_reach(threshold, &cells, &mut |_, _| {})? {
                // An earlier secret's truth is not known here: only its bounds tell.
                if cell.0 == now || reader.bounds(cell)?.1 < threshold {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observatory::suppression::{DEFAULT_THRESHOLD, is_primary};

    /// On the correction of `tests.rs` (two late cases on a cell published as 0), the
    /// complement published back is safe to publish, the table stays protected, and no
    /// complement left hidden could be published alone.
    #[test]
    fn a_correction_publishes_back_what_the_others_already_protect() {
        let (sizes, first, late) = super::super::tests::late_cases_on_a_zero();
        let earlier = [Protected::new(&sizes, &first, DEFAULT_THRESHOLD)
            .unwrap()
            .publication()];
        let revised = Protected::revising(&sizes, &late, DEFAULT_THRESHOLD, &earlier).unwrap();
        let both = [earlier[0].clone(), revised.publication()];
        assert_eq!(
            attacker::exposures(&both, DEFAULT_THRESHOLD).unwrap(),
            vec![]
        );
        let (n, value) = revised.complements(DEFAULT_THRESHOLD);
        assert!(n < 8 && value < 589, "published back: {n} worth {value}");
        // Each complement left hidden, published alone, would expose a secret.
        for idx in 0..revised.counts.len() {
            if !revised.suppressed[idx] || is_primary(revised.counts[idx], DEFAULT_THRESHOLD) {
                continue;
            }
            let mut one_more = revised.clone();
            one_more.suppressed[idx] = false;
            let both = [earlier[0].clone(), one_more.publication()];
            assert!(
                !attacker::exposures(&both, DEFAULT_THRESHOLD)
                    .unwrap()
                    .is_empty(),
                "cell {idx} ({}) could be published",
                revised.counts[idx]
            );
        }
    }
}
