//! The look-ups of an import: after a wait for the server to settle, rows
//! of unknown outcome are searched for in their order's full listing, and
//! proved there or absent.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::journal::Event;
use super::outcome::Outcome;
use super::reconcile::{self, Verdict, Wanted};
use super::rows::Row;
use super::state::Import;
use crate::exit::Failure;
use crate::text::one_line;

impl Import<'_> {
    /// Waits until the creates to look up have settled: `--settle`, or
    /// twice as long as the slowest create of this run took to end if that
    /// is longer (a server that slow to answer may take as long again to
    /// finish work it queued), after `since`, the moment they could last
    /// have been in flight; unless the import is stopping.
    pub(super) async fn settle(&self, since: Instant) {
        let wait = settle_wait(self.args.settle(), self.stop.slowest());
        // An `Instant` far in the future can overflow: wait for as long as
        // the platform can count instead.
        let until = since
            .checked_add(wait)
            .unwrap_or_else(|| since + Duration::from_secs(86_400 * 365));
        let now = Instant::now();
        if now >= until {
            return;
        }
        crate::notes::note!(
            "liner: waiting {:.0} s before looking up unanswered creates (--settle, or the \
             slowest answer)",
            (until - now).as_secs_f64().ceil()
        );
        while Instant::now() < until && !self.stopping() {
            tokio::time::sleep((until - Instant::now()).min(Duration::from_millis(100))).await;
        }
    }

    /// Looks up rows of unknown outcome, once they have settled, one
    /// listing per order for all its rows; returns those the server proved
    /// it does not have (to send), and with `--retry-unknown` those it
    /// could not tell about, unless `last_round`; records the rest.
    pub(super) async fn look_up_all<'r>(
        &mut self,
        rows: Vec<(&'r Row, String)>,
        unanswered_until: Instant,
        last_round: bool,
    ) -> Result<Vec<&'r Row>, Failure> {
        // `--retry-unknown` sends a row again unless no round is left; it
        // then stays unknown (it may well be on the server).
        let resend_unknown = self.args.retry_unknown && !last_round;
        let mut absent = Vec::new();
        if rows.is_empty() {
            return Ok(absent);
        }
        if self.args.no_reconcile {
            for (row, reason) in rows {
                if resend_unknown {
                    absent.push(row);
                } else {
                    self.outcomes.insert(row.index, Outcome::Unknown(reason));
                }
            }
            return Ok(absent);
        }
        self.settle(unanswered_until).await;
        if self.create_method.is_none() {
            self.create_method = Some(self.read_create_method().await);
        }
        let mut by_order: BTreeMap<u64, Vec<(&'r Row, String)>> = BTreeMap::new();
        for (row, reason) in rows {
            by_order.entry(row.order).or_default().push((row, reason));
        }
        // This run's leads of each order, read back from the journal; an
        // earlier run's were read while resuming.
        let mut created = match &self.journal {
            Some(journal) => journal.created_in(&by_order.keys().copied().collect())?,
            None => BTreeMap::new(),
        };
        for (order, ids) in &mut created {
            if let Some(earlier) = self.created_in.get(order) {
                *ids |= earlier;
            }
        }
        for (order, group) in by_order {
            if self.stopping() {
                // Still unknown; the next run looks them up.
                for (row, reason) in group {
                    self.outcomes.insert(row.index, Outcome::Unknown(reason));
                }
                continue;
            }
            let none = reconcile::LeadIds::new();
            let known = created
                .get(&order)
                .or_else(|| self.created_in.get(&order))
                .unwrap_or(&none);
            let verdicts = self.look_up_order(order, &group, known).await;
            for (row, reason) in group {
                match verdicts.get(&row.index) {
                    Some(Verdict::Created(id)) => {
                        let id = *id;
                        self.record(
                            row,
                            Event::Created {
                                id,
                                reconciled: true,
                            },
                        )
                        .await?;
                        self.claimed.insert(id);
                        self.outcomes
                            .insert(row.index, Outcome::Created { id, earlier: false });
                    }
                    Some(Verdict::Absent) => absent.push(row),
                    Some(Verdict::Unproven(why)) if resend_unknown => {
                        crate::notes::note!(
                            "liner: line {}: {}; sent again as --retry-unknown asks",
                            row.line,
                            one_line(why, 300)
                        );
                        absent.push(row);
                    }
                    Some(Verdict::Unproven(why)) => {
                        self.outcomes
                            .insert(row.index, Outcome::Unknown(format!("{reason}; {why}")));
                    }
                    None => {
                        self.outcomes.insert(row.index, Outcome::Unknown(reason));
                    }
                }
            }
        }
        Ok(absent)
    }

    /// How this import's creates are marked, from one of the leads the
    /// journal gives to its rows (`None` if it has none, or it cannot be
    /// read: then no lead is ruled out by how it was made).
    async fn read_create_method(&self) -> Option<String> {
        let id = self
            .claimed
            .iter()
            .find(|id| !self.existing.contains(*id))?;
        self.client.lead(id).await.ok()?.create_method
    }

    /// The verdicts on `group`, the unknown rows of order `order`, whose
    /// leads this import created are `known` (see [`reconcile::look_up`]).
    async fn look_up_order(
        &self,
        order: u64,
        group: &[(&Row, String)],
        known: &reconcile::LeadIds,
    ) -> BTreeMap<usize, Verdict> {
        let owned = &self.claimed | &self.existing;
        let wanted: Vec<Wanted> = group
            .iter()
            .map(|(row, _)| Wanted {
                index: row.index,
                lead: row.lead(),
            })
            .collect();
        let (verdicts, failure) = reconcile::look_up(
            self.client,
            order,
            &wanted,
            &reconcile::Known {
                created: known,
                owned: &owned,
                create_method: self.create_method.clone().flatten(),
            },
        )
        .await;
        if let Some(reconcile::Unlisted::Client(err)) = &failure {
            self.stop.note_error(err);
        }
        verdicts
    }
}

/// How long unanswered creates settle before they are looked up:
/// `--settle`, or twice the slowest create of the run if that is longer.
pub(super) fn settle_wait(settle: Duration, slowest: Duration) -> Duration {
    settle.max(slowest.saturating_mul(2))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::settle_wait;

    /// Item 8 of the import issue: a create that took 15 s to time out
    /// waits 30 s before its look-up, not the 10 s of `--settle`: a server
    /// that slow to answer may be as slow again to store what it queued.
    #[test]
    fn a_slow_server_settles_longer() {
        let secs = Duration::from_secs;
        assert_eq!(settle_wait(secs(10), secs(15)), secs(30));
        assert_eq!(settle_wait(secs(10), Duration::from_millis(20)), secs(10));
        assert_eq!(settle_wait(secs(0), Duration::MAX), Duration::MAX);
    }
}
