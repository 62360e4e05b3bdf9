//! [`Import`]: what one run of an import knows as it goes. Its steps are
//! `impl` blocks in the modules of the same names: the run in `mod.rs`,
//! sending in `send.rs`, look-ups in `look_up.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use liner::Liner;

use super::journal::Journal;
use super::outcome::Outcome;
use super::reconcile::LeadIds;
use super::rows::Row;
use super::stop::Stop;
use super::summary::Results;
use crate::cli::ImportArgs;

/// One run of an import.
pub(super) struct Import<'a> {
    pub(super) client: &'a Liner,
    /// `None` in a dry run, which records nothing.
    pub(super) journal: Option<Journal>,
    pub(super) args: &'a ImportArgs,
    /// Outcomes not yet handed to `results`: those of the block being
    /// sent, of rows looked up ahead of it, and of the last rounds.
    pub(super) outcomes: BTreeMap<usize, Outcome>,
    /// Where every row ended, gathered in file order.
    pub(super) results: Results,
    /// Rows whose create got no usable answer in the first round, to look
    /// up once every block is sent.
    pub(super) pending: BTreeMap<usize, (Row, String)>,
    /// When the last of `pending` could still have been in flight.
    pub(super) settle_from: Instant,
    /// Lead ids the journal gives to a row: never matched to another.
    pub(super) claimed: LeadIds,
    /// Leads that were on the server before the import: never a row's.
    pub(super) existing: LeadIds,
    /// The leads an earlier run's entries give to rows of each order (read
    /// while resuming); this run's are read back from the journal when a
    /// look-up needs them, so that they are not all held.
    pub(super) created_in: BTreeMap<u64, LeadIds>,
    /// The stop signal received, if any.
    pub(super) interrupted: Arc<std::sync::Mutex<Option<crate::interrupt::Stop>>>,
    /// Why the import stops sending, besides Ctrl-C.
    pub(super) stop: Stop,
    /// A dry run's rows that a real run would send now: how many, and the
    /// first lines.
    pub(super) would_send: (usize, Vec<u64>),
    /// How this import's creates are marked (`createMethod`), read from
    /// one of its leads once a look-up needs it (`Some(None)`: unknown).
    pub(super) create_method: Option<Option<String>>,
}
