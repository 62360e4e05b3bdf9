//! [`IdSet`]: the lead ids an iteration has yielded, stored as disjoint
//! ranges. Ids arrive mostly in runs (`1, 2, 3, ...`), so a million of them
//! usually take a few ranges instead of a million entries: memory stays flat
//! however long the export. Whatever order they arrive in, inserting one
//! costs O(log n) in the number of ranges (a `BTreeMap` keyed by each
//! range's start), so a server that sends ids backwards, with gaps, cannot
//! make paging quadratic.

use std::collections::BTreeMap;

/// A set of `u64` ids as disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Default, Clone)]
pub(crate) struct IdSet {
    /// Start of each range to its end (inclusive).
    ranges: BTreeMap<u64, u64>,
}

impl IdSet {
    /// Adds `id`; `false` if it was already there.
    pub(crate) fn insert(&mut self, id: u64) -> bool {
        // The range that starts at or before `id`, if any.
        let before = self
            .ranges
            .range(..=id)
            .next_back()
            .map(|(&start, &end)| (start, end));
        if let Some((_, end)) = before
            && end >= id
        {
            return false;
        }
        // The range that starts right after `id`, if it touches.
        let after = id
            .checked_add(1)
            .and_then(|next| self.ranges.get(&next).map(|&end| (next, end)));
        let joins_before = before.filter(|&(_, end)| end.checked_add(1) == Some(id));
        match (joins_before, after) {
            (Some((start, _)), Some((next, end))) => {
                self.ranges.remove(&next);
                self.ranges.insert(start, end);
            }
            (Some((start, _)), None) => {
                self.ranges.insert(start, id);
            }
            (None, Some((next, end))) => {
                self.ranges.remove(&next);
                self.ranges.insert(id, end);
            }
            (None, None) => {
                self.ranges.insert(id, id);
            }
        }
        true
    }

    /// How many ranges are stored (for tests).
    #[cfg(test)]
    fn ranges(&self) -> usize {
        self.ranges.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_set() {
        let mut set = IdSet::default();
        let mut reference = std::collections::BTreeSet::new();
        // A deterministic mix of runs, repeats and jumps.
        let mut x: u64 = 17;
        for step in 0..20_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let id = if step % 3 == 0 {
                (x >> 33) % 5000
            } else {
                step / 2
            };
            assert_eq!(set.insert(id), reference.insert(id), "id {id}");
        }
        let ranges: Vec<(u64, u64)> = set.ranges.iter().map(|(&s, &e)| (s, e)).collect();
        for pair in ranges.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert!(a.1 + 1 < b.0, "ranges stay disjoint and apart: {a:?} {b:?}");
        }
        let covered: u64 = ranges.iter().map(|(s, e)| e - s + 1).sum();
        assert_eq!(covered, reference.len() as u64);
    }

    #[test]
    fn runs_compress_in_either_direction() {
        let mut set = IdSet::default();
        for id in 1..=1_000_000 {
            assert!(set.insert(id));
        }
        assert_eq!(set.ranges(), 1);
        assert!(!set.insert(500_000));
        assert!(set.insert(0) && set.insert(u64::MAX));
        assert!(!set.insert(u64::MAX));

        let mut backwards = IdSet::default();
        for id in (1..=1000).rev() {
            assert!(backwards.insert(id));
        }
        assert_eq!(backwards.ranges(), 1);
    }

    /// Descending ids with gaps: each insert is at the front, the case that
    /// made a sorted `Vec` quadratic. A million of them must take a moment,
    /// not minutes; the bench compares it with ascending ids.
    #[test]
    fn descending_sparse_ids_stay_cheap() {
        let mut set = IdSet::default();
        for id in (0..200_000u64).rev().map(|n| n * 2) {
            assert!(set.insert(id));
        }
        assert_eq!(set.ranges(), 200_000);
        // Filling the gaps joins everything into one range.
        for id in (0..200_000u64).map(|n| n * 2 + 1) {
            assert!(set.insert(id));
        }
        assert_eq!(set.ranges(), 1);
    }
}
