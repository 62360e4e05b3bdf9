//! What an import tells at its end: the counts (as text on stderr, or as
//! JSON on stdout with `--summary json`), the rows not created with why,
//! the ids file (`--ids`), and the exit status.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::outcome::Outcome;
use super::rows::Row;
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
    pub fn of(outcomes: &BTreeMap<usize, Outcome>, rows: &[Row], invalid: usize) -> Self {
        let count = |wanted: fn(&Outcome) -> bool| outcomes.values().filter(|o| wanted(o)).count();
        let created_now = count(|o| matches!(o, Outcome::Created { earlier: false, .. }));
        let created_before = count(|o| matches!(o, Outcome::Created { earlier: true, .. }));
        let exists = count(|o| matches!(o, Outcome::Exists(_)));
        let refused = count(|o| matches!(o, Outcome::Refused(_)));
        let unknown = count(|o| matches!(o, Outcome::Unknown(_)));
        let not_sent = rows.len() - created_now - created_before - exists - refused - unknown;
        Self {
            rows: rows.len() + invalid,
            created_now,
            created_before,
            exists,
            refused,
            unknown,
            not_sent,
            invalid,
            settled: unknown == 0 && not_sent == 0,
        }
    }

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

/// The line of the row with index `index` (0 if none).
pub fn line_of(rows: &[Row]) -> impl Fn(&usize) -> u64 + '_ {
    // `rows` is in file order, so sorted by index.
    move |index| {
        rows.binary_search_by_key(index, |row| row.index)
            .map_or(0, |at| rows[at].line)
    }
}

/// Rows listed per section of the summary; the rest are counted.
const LISTED: usize = 20;

/// Prints the summary: the counts, then the rows not created, with why
/// (the first [`LISTED`] of each kind).
pub fn print(
    tally: &Tally,
    outcomes: &BTreeMap<usize, Outcome>,
    rows: &[Row],
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
    let line_of = line_of(rows);
    let section = |title: &str, wanted: &dyn Fn(&Outcome) -> Option<String>| {
        let listed: Vec<(u64, String)> = outcomes
            .iter()
            .filter_map(|(index, outcome)| wanted(outcome).map(|text| (line_of(index), text)))
            .collect();
        if !listed.is_empty() {
            eprintln!("{title}:");
            for (line, text) in listed.iter().take(LISTED) {
                eprintln!("  line {line}: {}", one_line(text, 600));
            }
            if listed.len() > LISTED {
                eprintln!(
                    "  ... and {} more (--ids PATH writes every row's outcome; the journal has them too)",
                    listed.len() - LISTED
                );
            }
        }
    };
    section(
        "already on the server before this import, not sent (--create-existing sends them)",
        &|o| match o {
            Outcome::Exists(ids) => Some(format!("lead {}", join(ids))),
            _ => None,
        },
    );
    section(
        "refused (re-run with --retry-refused to send them again)",
        &|o| match o {
            Outcome::Refused(message) => Some(message.clone()),
            _ => None,
        },
    );
    section(
        "unknown: the server may have created these (check them, then re-run with \
         --retry-unknown to send them anyway)",
        &|o| match o {
            Outcome::Unknown(reason) => Some(reason.clone()),
            _ => None,
        },
    );
    section("not sent (a re-run sends them)", &|o| match o {
        Outcome::NotSent(reason) => Some(reason.clone()),
        _ => None,
    });
    let (listed, more) = warnings.listed();
    for line in listed {
        crate::notes::note!("  warning: {line}");
    }
    if more > 0 {
        crate::notes::note!("  ... and {more} more warnings");
    }
}

/// Writes `--ids`: one CSV line per valid row, `line,id,outcome`, in file
/// order; `id` is empty for a row with no lead (several for `exists` are
/// separated by spaces).
pub fn write_ids(
    path: &Path,
    outcomes: &BTreeMap<usize, Outcome>,
    rows: &[Row],
) -> Result<(), Failure> {
    let mut text = String::from("line,id,outcome\n");
    for row in rows {
        let (id, outcome) = match outcomes.get(&row.index) {
            Some(Outcome::Created { id, .. }) => (id.to_string(), "created"),
            Some(Outcome::Exists(ids)) => (join(ids).replace(", ", " "), "exists"),
            Some(Outcome::Refused(_)) => (String::new(), "refused"),
            Some(Outcome::Unknown(_)) => (String::new(), "unknown"),
            Some(Outcome::NotSent(_)) | None => (String::new(), "not-sent"),
        };
        text.push_str(&format!("{},{id},{outcome}\n", row.line));
    }
    std::fs::write(path, text)
        .map_err(|err| Failure::local(format!("cannot write {}: {err}", path.display())))
}

fn join(ids: &[u64]) -> String {
    ids.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
