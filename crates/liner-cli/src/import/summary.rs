//! What an import tells at its end: the counts (as text on stderr, or as
//! JSON on stdout with `--summary json`), the rows not created with why,
//! the ids file (`--ids`), and the exit status.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::outcome::Outcome;
use crate::cli::{ImportArgs, SummaryFormat};
use crate::exit::{Failure, Status};
use crate::text::one_line;
use crate::warnings::Warnings;

/// The counts of an import. Every valid row is in exactly one of
/// `created_now`, `created_before`, `exists`, `refused`, `unknown` and
/// `not_sent`.
#[derive(Debug, Serialize)]
pub struct Tally {
    pub rows: usize,
    pub created_now: usize,
    pub created_before: usize,
    /// Leads already on the server before the import (not sent).
    pub exists: usize,
    pub refused: usize,
    pub unknown: usize,
    pub not_sent: usize,
    pub invalid: usize,
    /// Whether running the same command again changes nothing: only
    /// refused or invalid rows are left (or none).
    pub settled: bool,
}

impl Tally {
    /// Every row has its lead.
    fn complete(&self) -> bool {
        self.invalid == 0 && self.created_now + self.created_before + self.exists == self.rows
    }

    /// The end of the command: success when every row has its lead; else 5
    /// if a re-run may make progress, 6 if it would change nothing.
    pub fn exit(&self, journal: &Path) -> Result<(), Failure> {
        if self.complete() {
            return Ok(());
        }
        if self.settled {
            return Err(Failure::new(
                Status::Settled,
                format!(
                    "not every row was created, and running the same command again changes \
                     nothing: only refused or invalid rows are left (--retry-refused sends the \
                     refused ones again); the journal {} has each row's outcome",
                    journal.display()
                ),
            ));
        }
        Err(Failure::new(
            Status::Partial,
            format!(
                "not every row was created; running the same command again goes on (the journal \
                 {} has each row's outcome)",
                journal.display()
            ),
        ))
    }
}

/// Rows listed per section of the summary; the rest are counted.
const LISTED: usize = 20;

/// The kinds of rows the summary lists.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Exists,
    Refused,
    Unknown,
    NotSent,
}

/// The first rows of one kind, by line, and how many there are.
#[derive(Debug, Default)]
struct Section {
    count: usize,
    first: BTreeMap<(u64, usize), String>,
}

impl Section {
    fn add(&mut self, line: u64, index: usize, text: String) {
        self.count += 1;
        self.first.insert((line, index), text);
        if self.first.len() > LISTED {
            self.first.pop_last();
        }
    }
}

/// Where every row of an import ended, gathered as the outcomes come: the
/// counts, the first rows of each kind, and the ids file. Memory stays
/// flat however many rows there are; only rows whose outcome is decided
/// after later rows' (those looked up at the end) are remembered, by their
/// place in the ids file.
#[derive(Debug)]
pub struct Results {
    tally: Tally,
    sections: [Section; 4],
    ids: Option<Ids>,
    /// Rows given their outcome later ([`Results::defer`]): their line,
    /// and their place among the ids file's lines.
    deferred: BTreeMap<usize, (u64, u64)>,
}

/// The ids file as it is written: to a temporary file first, in file
/// order, copied to its path at the end with the deferred rows' outcomes.
#[derive(Debug)]
pub struct Ids {
    path: std::path::PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    written: u64,
    later: BTreeMap<u64, String>,
}

impl Results {
    /// Gathers the outcomes of an import, writing `--ids` to `ids` if set.
    /// The lines are kept in a temporary file beside it (on the same disk:
    /// not in memory, as a temporary directory on tmpfs would be; one
    /// elsewhere if that directory takes none, as `/dev` for
    /// `/dev/stdout`).
    pub fn new(ids: Option<&Path>) -> Result<Self, Failure> {
        let ids = match ids {
            None => None,
            Some(path) => {
                let dir = match path.parent() {
                    Some(dir) if !dir.as_os_str().is_empty() => dir,
                    _ => Path::new("."),
                };
                let file = tempfile::tempfile_in(dir)
                    .or_else(|_| tempfile::tempfile())
                    .map_err(|err| {
                        Failure::local(format!(
                            "cannot make a temporary file for {}: {err}",
                            path.display()
                        ))
                    })?;
                Some(Ids {
                    path: path.to_owned(),
                    out: std::io::BufWriter::new(file),
                    written: 0,
                    later: BTreeMap::new(),
                })
            }
        };
        Ok(Self {
            tally: Tally {
                rows: 0,
                created_now: 0,
                created_before: 0,
                exists: 0,
                refused: 0,
                unknown: 0,
                not_sent: 0,
                invalid: 0,
                settled: false,
            },
            sections: Default::default(),
            ids,
            deferred: BTreeMap::new(),
        })
    }

    /// The outcome of the row at `index` (line `line`), in file order.
    pub fn add(&mut self, index: usize, line: u64, outcome: &Outcome) -> Result<(), Failure> {
        self.count(index, line, outcome);
        if let Some(ids) = &mut self.ids {
            ids.written += 1;
            ids.write(&ids_line(line, outcome))?;
        }
        Ok(())
    }

    /// The row at `index` (line `line`), in file order, whose outcome
    /// comes later ([`settle`](Self::settle)).
    pub fn defer(&mut self, index: usize, line: u64) -> Result<(), Failure> {
        let place = match &mut self.ids {
            Some(ids) => {
                ids.written += 1;
                ids.write(&ids_line(line, &Outcome::NotSent(String::new())))?;
                ids.written
            }
            None => 0,
        };
        self.deferred.insert(index, (line, place));
        Ok(())
    }

    /// The outcome of a deferred row; `false` if `index` was not deferred.
    pub fn settle(&mut self, index: usize, outcome: &Outcome) -> bool {
        let Some((line, place)) = self.deferred.remove(&index) else {
            return false;
        };
        self.count(index, line, outcome);
        if let Some(ids) = &mut self.ids {
            ids.later.insert(place, ids_line(line, outcome));
        }
        true
    }

    /// Created rows so far, in earlier runs and in this one, and rows
    /// already on the server, refused and unknown.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    fn count(&mut self, index: usize, line: u64, outcome: &Outcome) {
        let (kind, text) = match outcome {
            Outcome::Created { earlier: false, .. } => {
                self.tally.created_now += 1;
                return;
            }
            Outcome::Created { earlier: true, .. } => {
                self.tally.created_before += 1;
                return;
            }
            Outcome::Exists(ids) => {
                self.tally.exists += 1;
                (Kind::Exists, format!("lead {}", join(ids)))
            }
            Outcome::Refused(message) => {
                self.tally.refused += 1;
                (Kind::Refused, message.clone())
            }
            Outcome::Unknown(reason) => {
                self.tally.unknown += 1;
                (Kind::Unknown, reason.clone())
            }
            Outcome::NotSent(reason) => (Kind::NotSent, reason.clone()),
        };
        self.sections[kind as usize].add(line, index, text);
    }

    /// The counts of `valid` and `invalid` rows, once every outcome is in
    /// (a row still deferred, with none, is unknown), what to list, and
    /// the ids file to write ([`Ids::write_out`]).
    pub fn finish(mut self, valid: usize, invalid: usize) -> (Tally, Listed, Option<Ids>) {
        for (index, (line, place)) in std::mem::take(&mut self.deferred) {
            let outcome =
                Outcome::Unknown("no outcome: the import ended before its look-up".into());
            self.count(index, line, &outcome);
            if let Some(ids) = &mut self.ids {
                ids.later.insert(place, ids_line(line, &outcome));
            }
        }
        let ids = self.ids.take();
        let mut tally = self.tally;
        tally.rows = valid + invalid;
        tally.invalid = invalid;
        tally.not_sent = valid
            .saturating_sub(tally.created_now)
            .saturating_sub(tally.created_before)
            .saturating_sub(tally.exists)
            .saturating_sub(tally.refused)
            .saturating_sub(tally.unknown);
        tally.settled = tally.unknown == 0 && tally.not_sent == 0;
        (tally, Listed(self.sections), ids)
    }
}

impl Ids {
    fn write(&mut self, line: &str) -> Result<(), Failure> {
        std::io::Write::write_all(&mut self.out, line.as_bytes()).map_err(|err| self.failed(&err))
    }

    fn failed(&self, err: &dyn std::fmt::Display) -> Failure {
        Failure::local(format!("cannot write {}: {err}", self.path.display()))
    }

    /// Writes the ids file: the lines gathered, with the deferred rows'
    /// outcomes in their places.
    pub fn write_out(self) -> Result<(), Failure> {
        use std::io::{BufRead as _, Seek as _, Write as _};
        let failed = |err: &dyn std::fmt::Display| {
            Failure::local(format!("cannot write {}: {err}", self.path.display()))
        };
        let mut file = self.out.into_inner().map_err(|err| failed(&err))?;
        file.rewind().map_err(|err| failed(&err))?;
        let target = std::fs::File::create(&self.path).map_err(|err| failed(&err))?;
        let mut out = std::io::BufWriter::new(target);
        out.write_all(b"line,id,outcome\n")
            .map_err(|err| failed(&err))?;
        for (at, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|err| failed(&err))?;
            let line = match self.later.get(&(at as u64 + 1)) {
                Some(later) => later.trim_end().to_owned(),
                None => line,
            };
            writeln!(out, "{line}").map_err(|err| failed(&err))?;
        }
        out.flush().map_err(|err| failed(&err))
    }
}

/// The first rows of each kind, for [`print()`].
#[derive(Debug)]
pub struct Listed([Section; 4]);

/// Prints the summary: the counts, then the rows not created, with why
/// (the first [`LISTED`] of each kind).
pub fn print(
    tally: &Tally,
    listed: &Listed,
    journal: &Path,
    started: Instant,
    warnings: &Warnings,
    args: &ImportArgs,
) {
    if args.summary == SummaryFormat::Json {
        #[derive(Serialize)]
        struct Json<'a> {
            #[serde(flatten)]
            tally: &'a Tally,
            journal: String,
            seconds: f64,
            warnings: usize,
        }
        let json = Json {
            tally,
            journal: journal.display().to_string(),
            seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
            warnings: warnings.count(),
        };
        println!("{}", serde_json::to_string(&json).unwrap_or_default());
    }
    crate::notes::note!(
        "imported {} rows in {:.1} s: {} created ({} now, {} in earlier runs), {} already on \
         the server, {} refused, {} unknown, {} not sent, {} invalid; journal: {}; warnings: {}",
        tally.rows,
        started.elapsed().as_secs_f64(),
        tally.created_now + tally.created_before,
        tally.created_now,
        tally.created_before,
        tally.exists,
        tally.refused,
        tally.unknown,
        tally.not_sent,
        tally.invalid,
        journal.display(),
        warnings.count(),
    );
    let titles = [
        (
            Kind::Exists,
            "already on the server before this import, not sent (--create-existing sends them)",
        ),
        (
            Kind::Refused,
            "refused (re-run with --retry-refused to send them again)",
        ),
        (
            Kind::Unknown,
            "unknown: the server may have created these (check them, then re-run with \
             --retry-unknown to send them anyway)",
        ),
        (Kind::NotSent, "not sent (a re-run sends them)"),
    ];
    for (kind, title) in titles {
        let section = &listed.0[kind as usize];
        if section.count == 0 {
            continue;
        }
        eprintln!("{title}:");
        for ((line, _), text) in &section.first {
            eprintln!("  line {line}: {}", one_line(text, 600));
        }
        if section.count > section.first.len() {
            eprintln!(
                "  ... and {} more (--ids PATH writes every row's outcome; the journal has them too)",
                section.count - section.first.len()
            );
        }
    }
    let (listed, more) = warnings.listed();
    for line in listed {
        crate::notes::note!("  warning: {line}");
    }
    if more > 0 {
        crate::notes::note!("  ... and {more} more warnings");
    }
}

/// A line of `--ids`: `line,id,outcome`; `id` is empty for a row with no
/// lead (several for `exists` are separated by spaces).
fn ids_line(line: u64, outcome: &Outcome) -> String {
    let (id, outcome) = match outcome {
        Outcome::Created { id, .. } => (id.to_string(), "created"),
        Outcome::Exists(ids) => (join(ids).replace(", ", " "), "exists"),
        Outcome::Refused(_) => (String::new(), "refused"),
        Outcome::Unknown(_) => (String::new(), "unknown"),
        Outcome::NotSent(_) => (String::new(), "not-sent"),
    };
    format!("{line},{id},{outcome}\n")
}

fn join(ids: &[u64]) -> String {
    ids.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
