//! The journal's format on disk: its header, and one JSON line per event
//! of a row or an order; and the states the events lead to.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub(super) const FORMAT: &str = "liner leads import";
/// 2 added the baseline and `exists`; a version 1 journal is read as one
/// whose orders need no baseline (its imports began before there was one).
pub(super) const VERSION: u32 = 2;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Header {
    pub(super) journal: String,
    pub(super) version: u32,
}

/// What happened to a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Event {
    Attempt {
        at: jiff::Timestamp,
    },
    Created {
        id: u64,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        reconciled: bool,
    },
    Refused {
        message: String,
    },
    Unknown {
        reason: String,
    },
    Unsent {
        reason: String,
    },
    /// The row's lead was on the server before the import (the baseline).
    Exists {
        ids: Vec<u64>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Entry {
    pub(super) row: usize,
    pub(super) line: u64,
    pub(super) key: String,
    /// The row's order, on `created` entries: a look-up reads back which
    /// leads this import created in an order from these, instead of the
    /// import keeping them all in memory (absent from journals written
    /// before; those entries are read while resuming, with the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) order: Option<u64>,
    #[serde(flatten)]
    pub(super) event: Event,
}

/// An entry about a whole order.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct OrderEntry {
    pub(super) order: u64,
    pub(super) event: OrderEvent,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum OrderEvent {
    Baseline,
}

/// Where a row stands after the events so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Never sent, or certainly not received: send it.
    New,
    Created {
        id: u64,
    },
    Refused {
        message: String,
    },
    /// Sent, with no usable answer: it may exist on the server.
    Unknown {
        reason: String,
    },
    /// Its lead was on the server before the import.
    Exists {
        ids: Vec<u64>,
    },
    /// While reading: an attempt with no outcome yet, and why an earlier
    /// attempt's outcome is unknown, if one's is. Read to the end, it is
    /// [`State::Unknown`].
    InFlight {
        earlier: Option<String>,
    },
}

impl State {
    /// The state after `event`.
    pub(super) fn then(self, event: &Event) -> Self {
        match event {
            Event::Attempt { .. } => Self::InFlight {
                earlier: match self {
                    Self::Unknown { reason } => Some(reason),
                    // The attempt before had no outcome: it was cut off.
                    Self::InFlight { earlier } => Some(earlier.unwrap_or(INTERRUPTED.into())),
                    _ => None,
                },
            },
            Event::Created { id, .. } => Self::Created { id: *id },
            Event::Refused { message } => Self::Refused {
                message: message.clone(),
            },
            Event::Unknown { reason } => Self::Unknown {
                reason: reason.clone(),
            },
            // This attempt did not reach the server, but an earlier one may
            // have: the row stays unknown until a look-up settles it.
            Event::Unsent { .. } => match self {
                unknown @ Self::Unknown { .. } => unknown,
                Self::InFlight {
                    earlier: Some(reason),
                } => Self::Unknown { reason },
                _ => Self::New,
            },
            Event::Exists { ids } => Self::Exists { ids: ids.clone() },
        }
    }
}

pub(super) const INTERRUPTED: &str = "sent, and no outcome recorded (the import was interrupted)";

/// The journal's rows, by index, after reading it.
pub type States = BTreeMap<usize, State>;

/// What a journal says, read.
#[derive(Debug, Default)]
pub struct Recorded {
    pub states: States,
    /// The line and fingerprint of every row with an entry, to check the
    /// file against.
    pub rows: BTreeMap<usize, Entered>,
    /// Orders whose baseline is taken; `None`: every order (a version 1
    /// journal).
    pub baselined: Option<BTreeSet<u64>>,
    /// Leads that were on the server before the import (every `exists`).
    pub existing: BTreeSet<u64>,
    /// Lines skipped because a power cut left zeros in them.
    pub damaged_lines: usize,
}

/// A row as the journal recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entered {
    pub line: u64,
    pub key: Box<str>,
}

impl Recorded {
    /// Refuses `row` if the journal recorded another row at its place: the
    /// file changed since (or the journal is another file's).
    pub fn check(
        &self,
        row: &super::super::rows::Row,
        journal: &std::path::Path,
    ) -> Result<(), crate::exit::Failure> {
        match self.rows.get(&row.index) {
            Some(entered) if *entered.key != *row.key => {
                Err(changed(journal, row.index, entered.line))
            }
            _ => Ok(()),
        }
    }

    /// Refuses a journal with entries for rows past the file's `valid`
    /// checked rows (`seen`: the indexes of the valid rows read).
    pub fn check_all_seen(
        &self,
        seen: impl Fn(usize) -> bool,
        journal: &std::path::Path,
    ) -> Result<(), crate::exit::Failure> {
        match self.rows.iter().find(|(index, _)| !seen(**index)) {
            Some((index, entered)) => Err(changed(journal, *index, entered.line)),
            None => Ok(()),
        }
    }

    pub fn is_baselined(&self, order: u64) -> bool {
        self.baselined
            .as_ref()
            .is_none_or(|orders| orders.contains(&order))
    }
}

/// The file does not hold the row the journal recorded at `index`.
fn changed(journal: &std::path::Path, index: usize, line: u64) -> crate::exit::Failure {
    crate::exit::Failure::local(format!(
        "the import file changed since {} was written: its row {} (line {}) is not the one the \
         journal recorded. Restore the file, or import it with another --journal (rows created \
         already would be created again)",
        journal.display(),
        index + 1,
        line
    ))
}
