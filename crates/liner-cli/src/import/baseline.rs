//! The baseline of an import: before its first create into an order, the
//! order is listed once, so that rows whose lead was there before are not
//! sent, and those leads are never taken for another row's.

use std::collections::{BTreeMap, BTreeSet};

use super::journal::{Event, Recorded, State};
use super::reconcile::{self, Identity};
use super::resume::Resumed;
use super::rows;
use super::state::Import;
use super::survey::Passes;
use crate::exit::Failure;

impl Import<'_> {
    /// Takes the baseline of every order with rows the journal has no
    /// outcome for and no baseline yet: the order is listed, and a row
    /// whose lead (its identity) is already there gets an `exists` entry
    /// (in `recorded` too), so that it is not sent unless
    /// `--create-existing`. Recorded before the first create of the order,
    /// so that leads this import creates are never taken for existing ones.
    /// Returns the orders that could not be listed, with why: their rows
    /// are not sent.
    pub(super) async fn baseline(
        &mut self,
        passes: &Passes<'_>,
        recorded: &mut Recorded,
        resumed: &Resumed,
    ) -> Result<BTreeMap<u64, String>, Failure> {
        let mut unchecked = BTreeMap::new();
        // An order is listed only before any create of this journal went to
        // it; else this import's own leads could be taken for existing ones.
        // That is the case of version 1 journals, and of runs with
        // `--no-reconcile`, which looks nothing up.
        if self.args.no_reconcile {
            return Ok(unchecked);
        }
        let orders: Vec<u64> = resumed
            .fresh
            .iter()
            .filter(|order| !recorded.is_baselined(**order) && !resumed.attempted.contains(order))
            .copied()
            .collect();
        let mut found: BTreeMap<u64, BTreeMap<Identity, Vec<u64>>> = BTreeMap::new();
        let mut listed = Vec::new();
        for order in orders {
            if self.stopping() {
                unchecked.insert(order, "not sent: the import stopped".to_owned());
                continue;
            }
            // Each lead's identity is noted as it streams; no lead is held.
            let mut identities: BTreeMap<Identity, BTreeSet<u64>> = BTreeMap::new();
            let claimed = &self.claimed;
            let mut note = |lead: &liner::Lead| {
                if !claimed.contains(lead.id.get())
                    && let Some(identity) = Identity::of_lead(lead)
                {
                    identities
                        .entry(identity)
                        .or_default()
                        .insert(lead.id.get());
                }
                false
            };
            let listed_order = reconcile::list_order(
                self.client,
                order,
                &reconcile::LeadIds::new(),
                0,
                1,
                &mut note,
            )
            .await;
            if let Err(reason) = listed_order {
                if let reconcile::Unlisted::Client(err) = &reason {
                    self.stop.note_error(err);
                }
                unchecked.insert(
                    order,
                    format!(
                        "not sent: which leads of order {order} exist already could not be \
                         checked: {reason}"
                    ),
                );
                continue;
            }
            listed.push(order);
            let identities: BTreeMap<Identity, Vec<u64>> = identities
                .into_iter()
                .map(|(identity, ids)| (identity, ids.into_iter().collect()))
                .collect();
            if !identities.is_empty() {
                found.insert(order, identities);
            }
        }
        if !found.is_empty() {
            for item in passes.rows()? {
                let rows::Item::Valid(row) = item? else {
                    continue;
                };
                let Some(identities) = found.get(&row.order) else {
                    continue;
                };
                if !matches!(recorded.states.get(&row.index), None | Some(State::New)) {
                    continue;
                }
                if let Some(ids) = identities.get(&Identity::of_row(&row.lead())) {
                    self.record(&row, Event::Exists { ids: ids.clone() })
                        .await?;
                    self.existing.extend(ids.iter().copied());
                    recorded
                        .states
                        .insert(row.index, State::Exists { ids: ids.clone() });
                }
            }
        }
        if let Some(journal) = &self.journal {
            for order in listed {
                journal.record_baseline(order).await?;
            }
        }
        Ok(unchecked)
    }
}
