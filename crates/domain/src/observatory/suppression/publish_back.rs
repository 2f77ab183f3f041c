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
        // Without witnesses (the solver's trouble), the protection stands as it is; the audit
        // before release still reads it whole.
        let Ok(Some(mut witnesses)) =
            Witnesses::of(&reader, &self.counts, (keep, &complements), threshold)
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
            let publish = if self.leaves_a_lone_secret(complement) {
                Ok(false)
            } else {
                witnesses.publish(complement, &first)
            };
            match publish {
                Ok(true) => published += 1,
                Ok(false) => self.suppressed[complement] = true,
                // The solver's trouble on one try leaves the protection as it stands (the
                // witnesses undid the try): the complements not tried stay hidden.
                Err(_) => {
                    self.suppressed[complement] = true;
                    break;
                }
            }
        }
        progress(tried, published);
        Ok(())
    }

    /// Whether an equation through `cell` has exactly one secret member: the total gives
    /// it away.
    fn leaves_a_lone_secret(&self, cell: usize) -> bool {
        (0..self.sizes.len())
            .any(|dim| self.suppressed_members(dim, self.equation_base(cell, dim)) == 1)
    }

    /// The cells sharing an equation with `cell`: when publishing it exposes one, it is
    /// nearly always one of them.
    fn neighbours(&self, cell: usize) -> BTreeSet<usize> {
        (0..self.sizes.len())
            .flat_map(|dim| self.members_of(dim, self.equation_base(cell, dim)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observatory::suppression::DEFAULT_THRESHOLD;

    const T: u64 = DEFAULT_THRESHOLD;

    /// `late` protected as a correction of `first`: the publication of `first`, the
    /// correction before any try back, and the correction as published.
    fn correction(
        sizes: &[usize],
        first: &[u64],
        late: &[u64],
    ) -> (attacker::Publication, Protected, Protected) {
        let earlier = [Protected::new(sizes, first, T).unwrap().publication()];
        let mut no_try = |p| !matches!(p, Progress::PublishingBack { .. });
        let alone = Protected::revising_watched(sizes, late, T, &earlier, &mut no_try).unwrap();
        let revised = Protected::revising(sizes, late, T, &earlier).unwrap();
        let [earlier] = earlier;
        (earlier, alone, revised)
    }

    /// What a whole audit per try publishes back from `alone`: each complement in
    /// `publish_back`'s order (an earlier secret hidden again is not one), published if no
    /// equation is left with a lone secret and the attacker, reading both revisions, bounds
    /// nothing under the threshold.
    fn audited_back(earlier: &attacker::Publication, alone: &Protected) -> Protected {
        let mut cube = alone.clone();
        let hidden_before = |idx: usize| earlier.values()[idx].is_none() && cube.counts[idx] > 0;
        let mut complements: Vec<usize> = (0..cube.counts.len())
            .filter(|&idx| cube.suppressed[idx] && cube.counts[idx] >= T && !hidden_before(idx))
            .collect();
        complements.sort_by_key(|&idx| (std::cmp::Reverse(cube.counts[idx]), idx));
        complements.truncate(MAX_TRIES);
        for complement in complements {
            cube.suppressed[complement] = false;
            let both = [earlier.clone(), cube.publication()];
            if cube.leaves_a_lone_secret(complement)
                || !attacker::exposures(&both, T).unwrap().is_empty()
            {
                cube.suppressed[complement] = true;
            }
        }
        cube
    }

    /// On the correction of `tests.rs` (two late cases on a cell published as 0), one
    /// complement is published back, as a whole audit per try would.
    #[test]
    fn a_correction_publishes_back_what_the_others_already_protect() {
        let (sizes, first, late) = super::super::tests::late_cases_on_a_zero();
        let (earlier, alone, revised) = correction(&sizes, &first, &late);
        assert_eq!(alone.complements(T), (8, 589));
        assert_eq!(revised.complements(T), (7, 564));
        assert_eq!(
            revised.suppressed,
            audited_back(&earlier, &alone).suppressed
        );
        let both = [earlier, revised.publication()];
        assert_eq!(attacker::exposures(&both, T).unwrap(), vec![]);
    }

    /// Corrections of small three-way tables (zeros, small counts and large ones; late
    /// cases on cells published as 0 and on counted ones; in some, a case moved to another
    /// cell): the witnesses kept between tries publish back exactly what a whole audit per
    /// try does, some complements published and some refused.
    #[test]
    fn witnesses_publish_back_what_a_whole_audit_allows() {
        let mut next = super::super::tests::draws(0x9E37_79B9_7F4A_7C15u64);
        let sizes = [3, 3, 4];
        let (mut published, mut refused) = (0, 0);
        for table in 0..8 {
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
            if table % 3 == 2
                && let Some(from) = (0..36).find(|&i| late[i] > 1)
            {
                late[from] -= 1;
                late[(from + 1 + next(35) as usize) % 36] += 1;
            }
            let (earlier, alone, revised) = correction(&sizes, &first, &late);
            let reference = audited_back(&earlier, &alone);
            assert_eq!(
                revised.suppressed, reference.suppressed,
                "{first:?} corrected as {late:?}"
            );
            let both = [earlier, revised.publication()];
            assert_eq!(attacker::exposures(&both, T).unwrap(), vec![]);
            let cells = 0..revised.counts.len();
            published += cells
                .clone()
                .filter(|&idx| alone.suppressed[idx] && !revised.suppressed[idx])
                .count();
            refused += cells
                .filter(|&idx| revised.suppressed[idx] && revised.counts[idx] >= T)
                .filter(|&idx| both[0].values()[idx].is_some())
                .count();
        }
        assert!(
            published > 0 && refused > 0,
            "{published} published, {refused} refused"
        );
    }
}
