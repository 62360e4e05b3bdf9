//! Resuming an import: the journal's entries checked against the file,
//! and what the next steps need of them.

use std::collections::BTreeSet;

use super::journal::{Recorded, State};
use super::rows::{self, Row};
use super::state::Import;
use super::survey::Passes;
use crate::exit::Failure;

/// What the journal's entries say of the file, read once more (only when
/// the journal has entries).
#[derive(Debug, Default)]
pub(super) struct Resumed {
    /// Orders with a row the journal has any outcome for.
    pub(super) attempted: BTreeSet<u64>,
    /// Orders with a row the journal has no outcome for.
    pub(super) fresh: BTreeSet<u64>,
    /// Rows of unknown outcome, with why.
    pub(super) unknown: Vec<(Row, String)>,
}

impl Import<'_> {
    /// Checks the journal's entries against the file (read once more, if
    /// it has any), and gathers what the next steps need of them.
    pub(super) fn resume(
        &mut self,
        passes: &Passes<'_>,
        recorded: &Recorded,
    ) -> Result<Resumed, Failure> {
        if recorded.rows.is_empty() {
            return Ok(Resumed {
                fresh: passes.survey.orders.clone(),
                ..Resumed::default()
            });
        }
        let mut resumed = Resumed::default();
        let mut seen = BTreeSet::new();
        for item in passes.rows()? {
            let rows::Item::Valid(row) = item? else {
                continue;
            };
            recorded.check(&row, passes.journal)?;
            if recorded.rows.contains_key(&row.index) {
                seen.insert(row.index);
            }
            match recorded.states.get(&row.index).unwrap_or(&State::New) {
                State::New => {
                    resumed.fresh.insert(row.order);
                }
                state => {
                    resumed.attempted.insert(row.order);
                    match state {
                        State::Created { id } => {
                            self.created_in.entry(row.order).or_default().insert(*id);
                        }
                        State::Unknown { reason } => resumed.unknown.push((row, reason.clone())),
                        // Never left by `Journal::open`, which reads to the end.
                        State::InFlight { .. } => {
                            resumed.unknown.push((row, "sent, no outcome".into()))
                        }
                        _ => {}
                    }
                }
            }
        }
        recorded.check_all_seen(|index| seen.contains(&index), passes.journal)?;
        Ok(resumed)
    }
}
