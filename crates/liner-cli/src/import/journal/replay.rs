//! Reading a journal back: its header checked, each line replayed into the
//! rows' states; a torn last line (a crash mid-write) is ignored.

use std::collections::BTreeSet;
use std::path::Path;

use super::format::{
    Entered, Entry, Event, FORMAT, Header, INTERRUPTED, OrderEntry, OrderEvent, Recorded, State,
    VERSION,
};
use crate::exit::Failure;

/// What `text`, whole lines of a journal, records.
pub(super) fn read(text: &str, path: &Path) -> Result<Recorded, Failure> {
    let mut lines = text.lines().enumerate();
    let not_a_journal = || {
        Failure::local(format!(
            "{} is not an import journal (its first line should name `{FORMAT}`)",
            path.display()
        ))
    };
    let (_, first) = lines.next().ok_or_else(not_a_journal)?;
    let header: Header = serde_json::from_str(first).map_err(|_| not_a_journal())?;
    if header.journal != FORMAT {
        return Err(not_a_journal());
    }
    if !(1..=VERSION).contains(&header.version) {
        return Err(Failure::local(format!(
            "{} is a version {} journal; this liner reads versions 1 to {VERSION}",
            path.display(),
            header.version
        )));
    }
    let mut recorded = Recorded {
        baselined: (header.version > 1).then(BTreeSet::new),
        ..Recorded::default()
    };
    for (at, line) in lines {
        if line.contains('\0') {
            recorded.damaged_lines += 1;
            continue;
        }
        if let Ok(entry) = serde_json::from_str::<OrderEntry>(line) {
            match entry.event {
                OrderEvent::Baseline => {
                    if let Some(orders) = &mut recorded.baselined {
                        orders.insert(entry.order);
                    }
                }
            }
            continue;
        }
        let entry: Entry = serde_json::from_str(line).map_err(|err| {
            Failure::local(format!(
                "{}:{}: not a journal entry: {err}",
                path.display(),
                at + 1
            ))
        })?;
        // Checked against the file's rows as they are read
        // (`Recorded::check`): a row is its fingerprint; its line may move
        // (a blank line added above it), and the latest is kept.
        match recorded.rows.get_mut(&entry.row) {
            Some(first) if *first.key != *entry.key => {
                return Err(Failure::local(format!(
                    "{}:{}: row {} is recorded as two different rows (lines {} and {}): the \
                     journal was edited, or written for two files",
                    path.display(),
                    at + 1,
                    entry.row + 1,
                    first.line,
                    entry.line
                )));
            }
            Some(first) => first.line = entry.line,
            None => {
                recorded.rows.insert(
                    entry.row,
                    Entered {
                        line: entry.line,
                        key: entry.key.as_str().into(),
                    },
                );
            }
        }
        if let Event::Exists { ids } = &entry.event {
            recorded.existing.extend(ids);
        }
        let state = recorded.states.remove(&entry.row).unwrap_or(State::New);
        recorded.states.insert(entry.row, state.then(&entry.event));
    }
    for state in recorded.states.values_mut() {
        if let State::InFlight { .. } = state {
            *state = State::Unknown {
                reason: INTERRUPTED.into(),
            };
        }
    }
    Ok(recorded)
}
