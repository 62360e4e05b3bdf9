//! The import's journal: an append-only JSON Lines file of what happened to
//! each row, each entry on disk (fsynced) before the import goes on.
//!
//! The first line names the format. Then one entry per event:
//! `{"row":3,"line":5,"key":"…","event":"attempt","at":"…"}` before a create
//! is sent, then its outcome: `created` (with the lead's `id`; `reconciled`
//! when found on the server rather than answered), `refused` (with the
//! API's `message`: it said no), `unknown` (the request may have reached the
//! server and no usable answer came), or `unsent` (it certainly did not
//! reach the server, or the server said it did not act, with a 429, a 401
//! or a 403: safe to send again).
//! An `attempt` with no outcome after it (the process was killed) counts as
//! `unknown`. The entry for the attempt is on disk before the request is
//! sent, so no create the server saw is ever missing from the journal.
//!
//! Appends go through one writer thread, which writes every entry waiting
//! and syncs once for all of them (group commit); each caller waits for its
//! entry to be on disk.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::rows::Row;
use crate::exit::Failure;

const FORMAT: &str = "liner leads import";
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    journal: String,
    version: u32,
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
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    row: usize,
    line: u64,
    key: String,
    #[serde(flatten)]
    event: Event,
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
    /// Sent, with no usable answer: it may exist on the server. `since` is
    /// the first attempt of this run of unknowns (where a reconciliation
    /// starts looking).
    Unknown {
        since: jiff::Timestamp,
        reason: String,
    },
}

impl State {
    /// The state after `event`.
    fn then(self, event: &Event) -> Self {
        match event {
            Event::Attempt { at } => match self {
                Self::Unknown { since, .. } => Self::Unknown {
                    since: since.min(*at),
                    reason: INTERRUPTED.into(),
                },
                _ => Self::Unknown {
                    since: *at,
                    reason: INTERRUPTED.into(),
                },
            },
            Event::Created { id, .. } => Self::Created { id: *id },
            Event::Refused { message } => Self::Refused {
                message: message.clone(),
            },
            Event::Unknown { reason } => match self {
                Self::Unknown { since, .. } => Self::Unknown {
                    since,
                    reason: reason.clone(),
                },
                // An outcome without its attempt: not written by this
                // program; the time is unknown, so look from the start.
                _ => Self::Unknown {
                    since: jiff::Timestamp::UNIX_EPOCH,
                    reason: reason.clone(),
                },
            },
            Event::Unsent { .. } => Self::New,
        }
    }
}

const INTERRUPTED: &str = "sent, and no outcome recorded (the import was interrupted)";

/// The journal's rows, by index, after reading it.
pub type States = BTreeMap<usize, State>;

/// Appends entries through its writer thread. It holds an exclusive lock
/// on the file (Unix) from [`open`](Self::open) until dropped, so that two
/// imports never use one journal at once (each would send every row).
pub struct Journal {
    /// `None` once dropping: the writer thread ends when it is gone.
    sender: Option<std::sync::mpsc::Sender<Pending>>,
    writer: Option<std::thread::JoinHandle<()>>,
    path: PathBuf,
}

impl Drop for Journal {
    /// Waits for the writer thread to end, so that the file (and its lock)
    /// is closed when this returns.
    fn drop(&mut self) {
        self.sender = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

type Pending = (String, tokio::sync::oneshot::Sender<std::io::Result<()>>);

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

impl Journal {
    /// Opens the journal at `path` for the rows `rows` of the file, creating
    /// it if need be, and reads where every row stands. Refuses a journal of
    /// another file (or of this one, since edited).
    pub fn open(path: &Path, rows: &[Row]) -> Result<(Self, States), Failure> {
        let failed = |what: &str, err: std::io::Error| {
            Failure::local(format!(
                "cannot {what} the journal {}: {err}",
                path.display()
            ))
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|err| failed("open", err))?;
        lock(&file, path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|err| failed("read", err))?;
        let states = if bytes.is_empty() {
            let header = serde_json::to_string(&Header {
                journal: FORMAT.into(),
                version: VERSION,
            })
            .unwrap_or_default();
            file.write_all(format!("{header}\n").as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|err| failed("write", err))?;
            sync_directory(path);
            States::new()
        } else {
            // Whole lines only: a kill mid-write can cut the last one
            // anywhere, even inside a character.
            let complete = bytes
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |at| at + 1);
            let text = std::str::from_utf8(&bytes[..complete]).map_err(|err| {
                Failure::local(format!(
                    "{} is not an import journal (not UTF-8 text: {err})",
                    path.display()
                ))
            })?;
            let states = read(text, rows, path)?;
            if complete < bytes.len() {
                // A line cut by a kill mid-write: never acted on (its entry
                // was not on disk), so it is dropped.
                eprintln!(
                    "liner: the journal's last line was cut short (an interrupted write); it is dropped"
                );
                file.set_len(complete as u64)
                    .and_then(|()| file.seek(std::io::SeekFrom::End(0)).map(|_| ()))
                    .and_then(|()| file.sync_all())
                    .map_err(|err| failed("repair", err))?;
            }
            states
        };
        let (sender, receiver) = std::sync::mpsc::channel::<Pending>();
        let writer = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || write_loop(file, receiver))
            .map_err(|err| failed("start the writer of", err))?;
        Ok((
            Self {
                sender: Some(sender),
                writer: Some(writer),
                path: path.to_owned(),
            },
            states,
        ))
    }

    /// Appends `event` for `row`, and returns once it is on disk.
    pub async fn record(&self, row: &Row, event: Event) -> Result<(), Failure> {
        let entry = Entry {
            row: row.index,
            line: row.line,
            key: row.key.clone(),
            event,
        };
        let failed = |reason: String| {
            Failure::local(format!(
                "cannot write the journal {}: {reason}; stopped, so that no create goes unrecorded",
                self.path.display()
            ))
        };
        let mut line = serde_json::to_string(&entry).map_err(|err| failed(err.to_string()))?;
        line.push('\n');
        let (done, written) = tokio::sync::oneshot::channel();
        self.sender
            .as_ref()
            .ok_or_else(|| failed("its writer stopped".into()))?
            .send((line, done))
            .map_err(|_| failed("its writer stopped".into()))?;
        match written.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(failed(err.to_string())),
            Err(_) => Err(failed("its writer stopped".into())),
        }
    }
}

/// The writer thread: takes every entry waiting, writes them, syncs once,
/// then tells each caller.
fn write_loop(mut file: File, receiver: std::sync::mpsc::Receiver<Pending>) {
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        batch.extend(receiver.try_iter());
        let text: String = batch.iter().map(|(line, _)| line.as_str()).collect();
        let outcome = file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_data());
        for (_, done) in batch {
            let _ = done.send(match &outcome {
                Ok(()) => Ok(()),
                Err(err) => Err(std::io::Error::new(err.kind(), err.to_string())),
            });
        }
        if outcome.is_err() {
            return;
        }
    }
}

/// Makes a new file's directory entry durable (Unix; elsewhere a no-op).
fn sync_directory(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
}

/// Takes the journal's lock, or says which import holds it.
fn lock(file: &File, path: &Path) -> Result<(), Failure> {
    #[cfg(unix)]
    {
        use rustix::fs::{FlockOperation, flock};
        match flock(file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(()),
            Err(rustix::io::Errno::WOULDBLOCK) => Err(Failure::local(format!(
                "another import is using the journal {}: wait for it to end (two imports of \
                 one file at once would each create every row)",
                path.display()
            ))),
            Err(err) => Err(Failure::local(format!(
                "cannot lock the journal {}: {err}",
                path.display()
            ))),
        }
    }
    #[cfg(not(unix))]
    {
        // No lock here: running one import of a file at a time is the
        // user's to ensure (said in the README).
        let _ = (file, path);
        Ok(())
    }
}

/// The states in `text`, whole lines of a journal.
fn read(text: &str, rows: &[Row], path: &Path) -> Result<States, Failure> {
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
    if header.version != VERSION {
        return Err(Failure::local(format!(
            "{} is a version {} journal; this liner writes version {VERSION}",
            path.display(),
            header.version
        )));
    }
    let mut states = States::new();
    for (at, line) in lines {
        let entry: Entry = serde_json::from_str(line).map_err(|err| {
            Failure::local(format!(
                "{}:{}: not a journal entry: {err}",
                path.display(),
                at + 1
            ))
        })?;
        // `rows` is in file order, so sorted by index.
        let matches = rows
            .binary_search_by_key(&entry.row, |row| row.index)
            .is_ok_and(|at| rows[at].key == entry.key);
        if !matches {
            return Err(Failure::local(format!(
                "the import file changed since {} was written: its row {} (line {}) is not the \
                 one the journal recorded. Restore the file, or import it with another --journal \
                 (rows created already would be created again)",
                path.display(),
                entry.row + 1,
                entry.line
            )));
        }
        let state = states.remove(&entry.row).unwrap_or(State::New);
        states.insert(entry.row, state.then(&entry.event));
    }
    Ok(states)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Row> {
        (0..3)
            .map(|index| {
                let lead = liner::NewLead::new(
                    liner::LeadType::Straight,
                    "79001234567",
                    202,
                    format!("A-{index}"),
                )
                .build()
                .unwrap();
                Row::new(index, index as u64 + 2, &lead)
            })
            .collect()
    }

    fn at(seconds: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(seconds).unwrap()
    }

    fn created(id: u64) -> Event {
        Event::Created {
            id,
            reconciled: false,
        }
    }

    /// Opens the journal at `path`, records `events` (row, event) and
    /// closes it.
    async fn write(path: &Path, rows: &[Row], events: Vec<(usize, Event)>) {
        let (journal, _) = Journal::open(path, rows).unwrap();
        for (row, event) in events {
            journal.record(&rows[row], event).await.unwrap();
        }
    }

    #[tokio::test]
    async fn entries_survive_a_reopen_and_fold_into_states() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("leads.csv.journal");
        let rows = rows();
        assert!(
            Journal::open(&path, &rows).unwrap().1.is_empty(),
            "a new journal"
        );
        write(
            &path,
            &rows,
            vec![
                (0, Event::Attempt { at: at(10) }),
                (0, created(7)),
                (1, Event::Attempt { at: at(20) }),
                (2, Event::Attempt { at: at(30) }),
                (
                    2,
                    Event::Unknown {
                        reason: "timed out".into(),
                    },
                ),
                (2, Event::Attempt { at: at(40) }),
            ],
        )
        .await;

        let (_, states) = Journal::open(&path, &rows).unwrap();
        assert_eq!(states[&0], State::Created { id: 7 });
        assert_eq!(
            states[&1],
            State::Unknown {
                since: at(20),
                reason: INTERRUPTED.into()
            }
        );
        assert_eq!(
            states[&2],
            State::Unknown {
                since: at(30),
                reason: INTERRUPTED.into()
            },
            "a second unanswered attempt keeps the first one's time"
        );
    }

    #[tokio::test]
    async fn a_cut_last_line_is_dropped_and_the_journal_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let rows = rows();
        write(&path, &rows, vec![(0, created(1))]).await;
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"row":1,"line":3,"key":"#).unwrap();
        drop(file);

        let (journal, states) = Journal::open(&path, &rows).unwrap();
        assert_eq!(states.len(), 1);
        journal
            .record(
                &rows[1],
                Event::Refused {
                    message: "no".into(),
                },
            )
            .await
            .unwrap();
        drop(journal);
        let (_, states) = Journal::open(&path, &rows).unwrap();
        assert_eq!(
            states[&1],
            State::Refused {
                message: "no".into()
            }
        );
    }

    #[tokio::test]
    async fn a_line_cut_inside_a_character_is_dropped_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let rows = rows();
        let refused = Event::Refused {
            message: "Лид уже существует".into(),
        };
        write(&path, &rows, vec![(0, refused)]).await;
        let whole = std::fs::read(&path).unwrap();
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        let cut = "{\"row\":1,\"event\":\"refused\",\"message\":\"Лид".as_bytes();
        file.write_all(&cut[..cut.len() - 1]).unwrap();
        drop(file);

        let (_, states) = Journal::open(&path, &rows).unwrap();
        assert_eq!(
            states[&0],
            State::Refused {
                message: "Лид уже существует".into()
            }
        );
        assert_eq!(std::fs::read(&path).unwrap(), whole, "repaired");
    }

    #[cfg(unix)]
    #[test]
    fn one_journal_serves_one_import_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let rows = rows();
        let (first, _) = Journal::open(&path, &rows).unwrap();
        let err = Journal::open(&path, &rows).unwrap_err();
        assert!(
            err.to_string()
                .contains("another import is using the journal"),
            "{err}"
        );
        drop(first);
        Journal::open(&path, &rows).expect("free once the first import ends");
    }

    #[tokio::test]
    async fn a_journal_of_another_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let rows = rows();
        write(&path, &rows, vec![(1, created(1))]).await;
        let mut edited = rows.clone();
        edited[1].key = "0000000000000000".into();
        let err = Journal::open(&path, &edited).unwrap_err();
        assert!(
            err.to_string().contains("the import file changed since"),
            "{err}"
        );
        std::fs::write(&path, "hello\n").unwrap();
        let err = Journal::open(&path, &rows).unwrap_err();
        assert!(
            err.to_string().contains("is not an import journal"),
            "{err}"
        );
    }
}
