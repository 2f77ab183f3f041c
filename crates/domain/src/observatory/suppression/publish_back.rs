//! Publishing back: once a correction is protected, the complements it hid are tried again,
//! the most valuable first, and each is published if every cell kept in doubt stays within
//! reach of the threshold without it. A correction's rounds hide complements one exposure at
//! a time, and a complement hidden early is often made useless by those hidden after it
//! (on October with late cases on cells published as 0, 5 complements worth 14,743 of the
//! 76,933 hidden: `BENCHMARKS.md`, "The cost of a correction").
//!
//! A try reads the table as the attacker does, with the complement published, and asks the
//! solver only about the cells whose witnesses of doubt the complement's value rules out
//! (`witnesses`), those sharing an equation with it first: when publishing it exposes one,
//! it is nearly always one of them. The caller says when to stop (`go_on`), so that the
//! tries fit the time it gives.

use std::collections::BTreeSet;

use super::witnesses::Witnesses;
use super::{Progress, Protected, attacker};

/// At most this many complements are tried, the most valuable first. Each is one more
/// departure the witnesses' programme minimises, which makes every probe dearer; October's
/// correction with late cases on zeros had 101 to try, all tried in 74 s.
pub const MAX_TRIES: usize = 120;

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
        let mut complements: Vec<usize> = (0..self.counts.len())
            .filter(|&idx| self.suppressed[idx] && self.counts[idx] >= threshold)
            .filter(|idx| !forced.contains(idx))
            .collect();
        complements.sort_by_key(|&idx| (std::cmp::Reverse(self.counts[idx]), idx));
        complements.truncate(MAX_TRIES);
        let of = complements.len();
        let mut revisions = earlier.to_vec();
        revisions.push(self.publication());
        let reader = attacker::Reader::of(&revisions)?;
        let (mut tried, mut published) = (0, 0);
        let mut progress = |tried, published| {
            go_on(Progress::PublishingBack {
                tried,
                of,
                published,
            })
        };
        if !progress(tried, published) || of == 0 {
            return Ok(());
        }
        let Some(mut witnesses) =
            Witnesses::of(&reader, &self.counts, (keep, &complements), threshold)?
        else {
            return Ok(());
        };
        for &complement in &complements {
            if !progress(tried, published) {
                break;
            }
            tried += 1;
            self.suppressed[complement] = false;
            let first = witnesses.kept_among(&self.neighbours(complement));
            if !self.leaves_a_lone_secret(complement) && witnesses.publish(complement, &first)? {
                published += 1;
            } else {
                self.suppressed[complement] = true;
            }
        }
        progress(tried, published);
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

    /// The cells sharing an equation with `cell`: when publishing it exposes one, it is
    /// nearly always one of them.
    fn neighbours(&self, cell: usize) -> BTreeSet<usize> {
        (0..self.sizes.len())
            .flat_map(|dim| {
                let base = self.equation_base(cell, dim);
                self.values_of(dim, base)
                    .chain(std::iter::once(self.total_of(dim, base)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observatory::suppression::{DEFAULT_THRESHOLD, is_primary};

    /// Protects `late` as a correction of `first` and checks what publishing back must
    /// give: nothing exposed reading both revisions, and no complement left hidden that
    /// could be published alone (an earlier secret hidden again is not a complement).
    /// Returns the correction's complements (cells, value) and how many were published back.
    fn corrected(sizes: &[usize], first: &[u64], late: &[u64]) -> ((usize, u64), usize) {
        let earlier = [Protected::new(sizes, first, DEFAULT_THRESHOLD)
            .unwrap()
            .publication()];
        let mut published_back = 0;
        let mut watch = |progress| {
            if let Progress::PublishingBack { published, .. } = progress {
                published_back = published;
            }
            true
        };
        let revised =
            Protected::revising_watched(sizes, late, DEFAULT_THRESHOLD, &earlier, &mut watch)
                .unwrap();
        let both = [earlier[0].clone(), revised.publication()];
        assert_eq!(
            attacker::exposures(&both, DEFAULT_THRESHOLD).unwrap(),
            vec![],
            "{first:?} corrected as {late:?}"
        );
        for idx in 0..revised.counts.len() {
            let hidden_before = earlier[0].values()[idx].is_none();
            if !revised.suppressed[idx]
                || is_primary(revised.counts[idx], DEFAULT_THRESHOLD)
                || hidden_before
            {
                continue;
            }
            let mut one_more = revised.clone();
            one_more.suppressed[idx] = false;
            let both = [earlier[0].clone(), one_more.publication()];
            assert!(
                one_more.leaves_a_lone_secret(idx)
                    || !attacker::exposures(&both, DEFAULT_THRESHOLD)
                        .unwrap()
                        .is_empty(),
                "cell {idx} ({}) of {late:?} could be published",
                revised.counts[idx]
            );
        }
        (revised.complements(DEFAULT_THRESHOLD), published_back)
    }

    /// On the correction of `tests.rs` (two late cases on a cell published as 0), a
    /// complement is published back.
    #[test]
    fn a_correction_publishes_back_what_the_others_already_protect() {
        let (sizes, first, late) = super::super::tests::late_cases_on_a_zero();
        let ((n, value), published_back) = corrected(&sizes, &first, &late);
        assert_eq!(published_back, 1);
        assert!(n < 8 && value < 589, "published back: {n} worth {value}");
    }

    /// Corrections of small three-way tables (zeros, small counts and large ones, late cases
    /// on cells published as 0 and on counted ones): the witnesses kept between tries
    /// publish back exactly what a whole audit per try would allow.
    #[test]
    fn witnesses_publish_back_what_a_whole_audit_allows() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        let sizes = [3, 3, 4];
        let mut published_back = 0;
        for _ in 0..6 {
            let first: Vec<u64> = (0..36)
                .map(|_| match next(4) {
                    0 => 0,
                    1 => 1 + next(10),
                    _ => 11 + next(50),
                })
                .collect();
            let mut late = first.clone();
            let zeros: Vec<usize> = (0..36).filter(|&i| first[i] == 0).collect();
            for _ in 0..2 {
                if !zeros.is_empty() {
                    late[zeros[next(zeros.len() as u64) as usize]] += 1 + next(2);
                }
                late[next(36) as usize] += 1 + next(3);
            }
            published_back += corrected(&sizes, &first, &late).1;
        }
        assert!(published_back > 0, "nothing was published back");
    }
}
