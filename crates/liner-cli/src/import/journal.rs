//! The import's journal: an append-only JSON Lines file of what happened to
//! each row, each entry on disk (fsynced) before the import goes on.
//!
//! The first line names the format and its version. Then one entry per
//! event (the README's "The journal" documents them for users):
//! - `{"order":202,"event":"baseline"}`: the order's leads were listed
//!   before this import sent any create to it, and every row whose lead was
//!   already there has its `exists` entry; written before the first create
//!   of the order.
//! - `{"row":3,"line":5,"key":"…","event":"exists","ids":[9]}`: the row's
//!   lead (same order, order code and phone) was on the server before the
//!   import: it is not sent (unless `--create-existing`), and those leads
//!   are never taken for another row's.
//! - `{"row":3,…,"event":"attempt","at":"…"}` before a create is sent, then
//!   its outcome: `created` (with the lead's `id` and the row's `order`;
//!   `reconciled` when found on the server rather than answered), `refused` (with the API's
//!   `message`: it said no), `unknown` (the request may have reached the
//!   server and no usable answer came), or `unsent` (it certainly did not
//!   reach the server, or the server said it did not act, with a 429, a 401
//!   or a 403).
//!
//! An `attempt` with no outcome after it (the process was killed) counts as
//! `unknown`, and so does an `unsent` after an `unknown` (the earlier
//! attempt may still have created the lead). The entry for the attempt is
//! on disk before the request is sent, so no create the server saw is ever
//! missing from the journal.
//!
//! Appends go through one writer thread, which writes every entry waiting
//! and syncs once for all of them (group commit); each caller waits for its
//! entry to be on disk. A line with a NUL byte in it is skipped when read:
//! after a power cut a file system may show the unsynced end of a file as
//! zeros, and no entry there was acted on (nothing is sent before its
//! entry is synced).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

use super::reconcile::LeadIds;
use super::rows::Row;
use crate::exit::Failure;

mod format;
mod replay;

use format::{Entry, FORMAT, Header, OrderEntry, OrderEvent, VERSION};
pub use format::{Event, Recorded, State};
use replay::read;

/// The file the writer appends to; a trait so that tests can watch the
/// order of writes and syncs.
pub trait Sink: Send + 'static {
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// Makes everything appended durable.
    fn sync(&mut self) -> std::io::Result<()>;
}

impl Sink for File {
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.write_all(bytes)
    }

    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }
}

/// Appends entries through its writer thread. It holds an exclusive lock
/// on the file (Unix) from [`open`](Self::open) until dropped, so that two
/// imports never use one journal at once (each would send every row); the
/// lock is its own handle's, so it holds even after the writer stopped on
/// an error while creates are still in flight.
pub struct Journal {
    /// `None` once dropping: the writer thread ends when it is gone.
    sender: Option<std::sync::mpsc::Sender<Pending>>,
    writer: Option<std::thread::JoinHandle<()>>,
    path: PathBuf,
    /// A second handle of the locked file: the lock lasts while it is open.
    _lock: File,
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
    /// Opens the journal at `path`, creating it if need be, and reads where
    /// every row stands (which the caller checks against the file's rows:
    /// [`Recorded::check`]).
    pub fn open(path: &Path) -> Result<(Self, Recorded), Failure> {
        Self::open_with(path, |file| Box::new(file))
    }

    /// [`open`](Self::open), appending through the sink `sink` makes of
    /// the opened file.
    fn open_with(
        path: &Path,
        sink: impl FnOnce(File) -> Box<dyn Sink>,
    ) -> Result<(Self, Recorded), Failure> {
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
            Recorded {
                baselined: Some(BTreeSet::new()),
                ..Recorded::default()
            }
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
            let states = read(text, path)?;
            if complete < bytes.len() {
                // A line cut by a kill mid-write: never acted on (its entry
                // was not on disk), so it is dropped.
                crate::notes::note!(
                    "liner: the journal's last line was cut short (an interrupted write); it is dropped"
                );
                file.set_len(complete as u64)
                    .and_then(|()| file.seek(std::io::SeekFrom::End(0)).map(|_| ()))
                    .and_then(|()| file.sync_all())
                    .map_err(|err| failed("repair", err))?;
            }
            states
        };
        let lock = file
            .try_clone()
            .map_err(|err| failed("keep the lock of", err))?;
        let sink = sink(file);
        let (sender, receiver) = std::sync::mpsc::channel::<Pending>();
        let writer = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || write_loop(sink, receiver))
            .map_err(|err| failed("start the writer of", err))?;
        Ok((
            Self {
                sender: Some(sender),
                writer: Some(writer),
                path: path.to_owned(),
                _lock: lock,
            },
            states,
        ))
    }

    /// What the journal at `path` records, read without creating, locking
    /// or repairing it (for a dry run); empty if there is none.
    pub fn read_only(path: &Path) -> Result<Recorded, Failure> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Recorded {
                    baselined: Some(BTreeSet::new()),
                    ..Recorded::default()
                });
            }
            Err(err) => {
                return Err(Failure::local(format!(
                    "cannot read the journal {}: {err}",
                    path.display()
                )));
            }
        };
        let complete = bytes
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |at| at + 1);
        let text = String::from_utf8_lossy(&bytes[..complete]);
        read(&text, path)
    }

    /// Records that order `order`'s baseline is taken.
    pub async fn record_baseline(&self, order: u64) -> Result<(), Failure> {
        let entry = OrderEntry {
            order,
            event: OrderEvent::Baseline,
        };
        self.append(serde_json::to_string(&entry)).await
    }

    /// Appends `event` for `row`, and returns once it is on disk.
    pub async fn record(&self, row: &Row, event: Event) -> Result<(), Failure> {
        let entry = Entry {
            row: row.index,
            line: row.line,
            key: row.key.clone(),
            order: matches!(event, Event::Created { .. }).then_some(row.order),
            event,
        };
        self.append(serde_json::to_string(&entry)).await
    }

    /// The leads the `created` entries with an order give to rows of each
    /// of `orders`, read back from the file (whole lines only: the writer
    /// may be appending). Memory holds those ids alone, compressed.
    pub fn created_in(&self, orders: &BTreeSet<u64>) -> Result<BTreeMap<u64, LeadIds>, Failure> {
        use std::io::BufRead as _;
        let failed = |err: std::io::Error| {
            Failure::local(format!(
                "cannot read the journal {}: {err}",
                self.path.display()
            ))
        };
        let mut found: BTreeMap<u64, LeadIds> = BTreeMap::new();
        let mut reader = std::io::BufReader::new(File::open(&self.path).map_err(failed)?);
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(failed)? == 0 || !line.ends_with(b"\n") {
                break;
            }
            // Most entries are not `created` ones: skipped unparsed.
            if !line.windows(9).any(|window| window == b"\"created\"") {
                continue;
            }
            if let Ok(Entry {
                order: Some(order),
                event: Event::Created { id, .. },
                ..
            }) = serde_json::from_slice::<Entry>(&line)
                && orders.contains(&order)
            {
                found.entry(order).or_default().insert(id);
            }
        }
        Ok(found)
    }

    /// Appends one line, and returns once it is on disk.
    async fn append(&self, line: serde_json::Result<String>) -> Result<(), Failure> {
        let failed = |reason: String| {
            Failure::local(format!(
                "cannot write the journal {}: {reason}; stopped, so that no create goes unrecorded",
                self.path.display()
            ))
        };
        let mut line = line.map_err(|err| failed(err.to_string()))?;
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
/// then tells each caller. After a failure it writes nothing more (what
/// follows a failed write could be read as if it were whole) and fails
/// every later entry.
fn write_loop(mut sink: Box<dyn Sink>, receiver: std::sync::mpsc::Receiver<Pending>) {
    let mut broken: Option<std::io::Error> = None;
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        batch.extend(receiver.try_iter());
        if broken.is_none() {
            let text: String = batch.iter().map(|(line, _)| line.as_str()).collect();
            broken = sink
                .append(text.as_bytes())
                .and_then(|()| sink.sync())
                .err();
        }
        for (_, done) in batch {
            let _ = done.send(match &broken {
                None => Ok(()),
                Some(err) => Err(std::io::Error::new(err.kind(), err.to_string())),
            });
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

#[cfg(test)]
mod tests;
