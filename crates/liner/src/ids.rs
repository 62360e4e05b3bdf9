//! [`IdSet`]: the lead ids an iteration has yielded, stored as sorted,
//! disjoint ranges. Ids arrive mostly in runs (`1, 2, 3, ...`), so a million
//! of them usually take a few ranges instead of a million hash-set entries:
//! memory stays flat however long the export.

/// A set of `u64` ids as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Default, Clone)]
pub(crate) struct IdSet {
    ranges: Vec<(u64, u64)>,
}

impl IdSet {
    /// Adds `id`; `false` if it was already there.
    pub(crate) fn insert(&mut self, id: u64) -> bool {
        // The first range that ends at or after id - 1 (could absorb id).
        let index = self
            .ranges
            .partition_point(|&(_, end)| end.saturating_add(1) < id);
        if let Some(&(start, end)) = self.ranges.get(index) {
            if (start..=end).contains(&id) {
                return false;
            }
            if end.checked_add(1) == Some(id) {
                self.ranges[index].1 = id;
                // Joins the next range if they now touch.
                if let Some(&(next_start, next_end)) = self.ranges.get(index + 1)
                    && next_start == id + 1
                {
                    self.ranges[index].1 = next_end;
                    self.ranges.remove(index + 1);
                }
                return true;
            }
            if start.checked_sub(1) == Some(id) {
                self.ranges[index].0 = id;
                return true;
            }
        }
        self.ranges.insert(index, (id, id));
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
        for (a, b) in set.ranges.windows(2).map(|w| (w[0], w[1])) {
            assert!(a.1 + 1 < b.0, "ranges stay disjoint and apart: {a:?} {b:?}");
        }
    }

    #[test]
    fn runs_compress() {
        let mut set = IdSet::default();
        for id in 1..=1_000_000 {
            assert!(set.insert(id));
        }
        assert_eq!(set.ranges(), 1);
        assert!(!set.insert(500_000));
        assert!(set.insert(0) && set.insert(u64::MAX));
    }
}
