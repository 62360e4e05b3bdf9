//! [`Import`]: what one run of an import knows as it goes. Its steps are
//! `impl` blocks in the modules of the same names: the run in `mod.rs`,
//! sending in `send.rs`, look-ups in `look_up.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use liner::Liner;

use super::journal::Journal;
use super::outcome::Outcome;
use super::stop::Stop;
use crate::cli::ImportArgs;

/// One run of an import.
pub(super) struct Import<'a> {
    pub(super) client: &'a Liner,
    /// `None` in a dry run, which records nothing.
    pub(super) journal: Option<Journal>,
    pub(super) args: &'a ImportArgs,
    pub(super) outcomes: BTreeMap<usize, Outcome>,
    /// Lead ids the journal gives to a row: never matched to another.
    pub(super) claimed: BTreeSet<u64>,
    /// Leads that were on the server before the import: never a row's.
    pub(super) existing: BTreeSet<u64>,
    /// Each row's order.
    pub(super) orders: BTreeMap<usize, u64>,
    /// The stop signal received, if any.
    pub(super) interrupted: Arc<std::sync::Mutex<Option<crate::interrupt::Stop>>>,
    /// Why the import stops sending, besides Ctrl-C.
    pub(super) stop: Stop,
    /// A dry run's rows that a real run would send now.
    pub(super) would_send: Vec<usize>,
    /// How this import's creates are marked (`createMethod`), read from
    /// one of its leads once a look-up needs it (`Some(None)`: unknown).
    pub(super) create_method: Option<Option<String>>,
}
