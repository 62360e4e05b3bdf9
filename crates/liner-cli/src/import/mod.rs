//! `liner leads import FILE`: a lead created for every row, each exactly
//! once across runs and crashes, as far as the server lets anyone know.
//!
//! 1. Every row is read and checked (`rows.rs`); invalid rows are listed by
//!    line and nothing is sent unless `--skip-invalid`.
//! 2. The journal (`journal.rs`) says where each row stands after earlier
//!    runs: created rows are skipped, refused ones too unless
//!    `--retry-refused`, and rows of unknown outcome are looked up on the
//!    server (`reconcile.rs`) unless `--no-reconcile`.
//! 3. The rows left are created, a few at a time, each attempt on disk in
//!    the journal before its request leaves, each outcome after.
//! 4. Rows whose create got no usable answer in this run are looked up too
//!    (after `--settle`: the server may still be working on them); those
//!    the server does not have are sent again, up to three rounds of
//!    sending, each followed by its look-up.
//!
//! A row is never sent twice unless the server showed it does not have it,
//! or the user said so (`--retry-unknown`).

mod journal;
mod reconcile;
mod rows;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use liner::{Error, Liner, StatusCode};

use crate::cli::{Format, ImportArgs};
use crate::exit::{Failure, Status};
use crate::text::one_line;
use crate::warnings::Warnings;
use journal::{Event, Journal, State};
use reconcile::Verdict;
use rows::Row;

/// Rounds of "send, then look up what got no answer, then send what the
/// server does not have" in one run.
const ROUNDS: usize = 3;

/// The journal beside `file`: `leads.csv` → `leads.csv.journal`.
pub fn default_journal(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// Where a row ended in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Created {
        id: u64,
        earlier: bool,
    },
    Refused(String),
    Unknown(String),
    /// Not sent, or certainly not received: a re-run sends it.
    NotSent(String),
}

pub async fn run(client: &Liner, args: &ImportArgs, warnings: &Warnings) -> Result<(), Failure> {
    let started = Instant::now();
    let format = args
        .format
        .or_else(|| Format::of_path(&args.file))
        .ok_or_else(|| {
            Failure::usage(format!(
                "cannot tell the format of {} from its name: pass --format csv or --format jsonl",
                args.file.display()
            ))
        })?;
    if args.concurrency == 0 {
        return Err(Failure::usage("--concurrency must be at least 1"));
    }
    let rows = rows::read(&args.file, format)?;
    let file = args.file.display().to_string();
    for invalid in &rows.invalid {
        eprintln!(
            "{file}:{}: {}",
            invalid.line,
            one_line(&invalid.problems.join("; "), 1000)
        );
    }
    if !rows.invalid.is_empty() && !args.skip_invalid {
        return Err(Failure::local(format!(
            "{} invalid row(s) in {file} (listed above); nothing was sent. Fix them, or pass \
             --skip-invalid to send the {} valid rows",
            rows.invalid.len(),
            rows.valid.len()
        )));
    }
    if !rows.ignored.is_empty() {
        eprintln!(
            "liner: ignoring the columns the server sets: {}",
            rows.ignored.join(", ")
        );
    }
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(&args.file));
    let (journal, states) = Journal::open(&journal_path, &rows.valid)?;

    let interrupted = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(watch_interrupts(Arc::clone(&interrupted)));
    let mut import = Import {
        client,
        journal,
        args,
        outcomes: BTreeMap::new(),
        claimed: states
            .values()
            .filter_map(|state| match state {
                State::Created { id } => Some(*id),
                _ => None,
            })
            .collect(),
        interrupted: Arc::clone(&interrupted),
        key_refused: AtomicBool::new(false),
    };
    let result = import.run(&rows.valid, &states, started).await;
    watcher.abort();
    result?;
    let was_interrupted = interrupted.load(Ordering::SeqCst);
    let complete = import.summarize(&rows.valid, &rows.invalid, &journal_path, started, warnings);
    if import.key_refused.load(Ordering::SeqCst) {
        return Err(Failure::new(
            Status::Refused,
            "the server refused the API key (HTTP 401 or 403), so the import stopped at once; no \
             row was created by the refused requests. Fix the key and run the same command again",
        ));
    }
    if was_interrupted {
        return Err(Failure::new(
            Status::Interrupted,
            "interrupted: rows in flight were finished and recorded; run the same command again to go on",
        ));
    }
    if !complete {
        return Err(Failure::new(
            Status::Partial,
            format!(
                "not every row was created; the journal {} has each row's outcome",
                journal_path.display()
            ),
        ));
    }
    Ok(())
}

/// The first Ctrl-C (or SIGTERM) stops new creates and look-ups (those in
/// flight finish and are recorded); a second one exits at once, which the
/// journal also survives.
async fn watch_interrupts(flag: Arc<AtomicBool>) {
    if crate::interrupt::requested().await.is_ok() {
        flag.store(true, Ordering::SeqCst);
        eprintln!(
            "liner: stopping after the creates in flight (Ctrl-C or SIGTERM again to quit now)"
        );
        if crate::interrupt::requested().await.is_ok() {
            std::process::exit(Status::Interrupted as i32);
        }
    }
}

struct Import<'a> {
    client: &'a Liner,
    journal: Journal,
    args: &'a ImportArgs,
    outcomes: BTreeMap<usize, Outcome>,
    /// Lead ids the journal gives to a row: never matched to another.
    claimed: BTreeSet<u64>,
    interrupted: Arc<AtomicBool>,
    /// Set by a 401 or 403: every other create would be refused the same
    /// way, and the rows are not at fault.
    key_refused: AtomicBool,
}

impl Import<'_> {
    /// Whether to start no more creates: Ctrl-C, or the key was refused.
    fn stopping(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst) || self.key_refused.load(Ordering::SeqCst)
    }

    async fn run(
        &mut self,
        rows: &[Row],
        states: &journal::States,
        started: Instant,
    ) -> Result<(), Failure> {
        let mut to_send = Vec::new();
        let mut to_look_up = Vec::new();
        for row in rows {
            match states.get(&row.index).cloned().unwrap_or(State::New) {
                State::New => to_send.push(row),
                State::Created { id } => {
                    self.outcomes
                        .insert(row.index, Outcome::Created { id, earlier: true });
                }
                State::Refused { message } if !self.args.retry_refused => {
                    self.outcomes.insert(row.index, Outcome::Refused(message));
                }
                State::Refused { .. } => to_send.push(row),
                State::Unknown { since, reason } => to_look_up.push((row, since, reason)),
            }
        }
        // An earlier run may have been killed moments ago, with creates in
        // flight: its rows settle from this run's start.
        to_send.extend(self.look_up_all(to_look_up, started, false).await?);
        for round in 1..=ROUNDS {
            if to_send.is_empty() || self.stopping() {
                break;
            }
            let unanswered = self.send_all(&to_send).await?;
            to_send = self
                .look_up_all(unanswered, Instant::now(), round == ROUNDS)
                .await?;
        }
        let reason = if self.stopping() {
            "not sent: the import stopped".to_owned()
        } else {
            // Sent in each round, unanswered each time, and looked up after
            // each: the server does not have it (after the last round, only
            // a look-up that found nothing leaves a row to send).
            format!("not created: unanswered in {ROUNDS} rounds, and the server does not have it")
        };
        for row in to_send {
            self.outcomes
                .insert(row.index, Outcome::NotSent(reason.clone()));
        }
        Ok(())
    }

    /// Waits until `settle` has passed since `since` (the moment the
    /// creates to look up could last have been in flight), unless the
    /// import is stopping.
    async fn settle(&self, since: Instant) {
        let until = since + self.args.settle();
        let now = Instant::now();
        if now >= until {
            return;
        }
        eprintln!(
            "liner: waiting {:.0} s before looking up unanswered creates (--settle)",
            (until - now).as_secs_f64().ceil()
        );
        while Instant::now() < until && !self.stopping() {
            tokio::time::sleep((until - Instant::now()).min(Duration::from_millis(100))).await;
        }
    }

    /// Looks up rows of unknown outcome, once they have settled; returns
    /// those the server does not have (to send), and with `--retry-unknown`
    /// those it could not tell about, unless `last_round`; records the rest.
    async fn look_up_all<'r>(
        &mut self,
        rows: Vec<(&'r Row, jiff::Timestamp, String)>,
        unanswered_until: Instant,
        last_round: bool,
    ) -> Result<Vec<&'r Row>, Failure> {
        // `--retry-unknown` sends a row again unless no round is left; it
        // then stays unknown (it may well be on the server).
        let resend_unknown = self.args.retry_unknown && !last_round;
        let mut absent = Vec::new();
        if !rows.is_empty() && !self.args.no_reconcile {
            self.settle(unanswered_until).await;
        }
        let mut fields = None;
        for (row, since, reason) in rows {
            if self.stopping() {
                // Still unknown; the next run looks it up.
                self.outcomes.insert(row.index, Outcome::Unknown(reason));
                continue;
            }
            if self.args.no_reconcile {
                if resend_unknown {
                    absent.push(row);
                } else {
                    self.outcomes.insert(row.index, Outcome::Unknown(reason));
                }
                continue;
            }
            let verdict = reconcile::look_up(
                self.client,
                &row.lead(),
                since,
                self.args.clock_margin(),
                &self.claimed,
                fields.get_or_insert_with(reconcile::compared_fields),
            )
            .await;
            match verdict {
                Ok(Verdict::Created(id)) => {
                    self.journal
                        .record(
                            row,
                            Event::Created {
                                id,
                                reconciled: true,
                            },
                        )
                        .await?;
                    self.claimed.insert(id);
                    self.outcomes
                        .insert(row.index, Outcome::Created { id, earlier: false });
                }
                Ok(Verdict::Absent) => absent.push(row),
                Ok(Verdict::Ambiguous(ids)) if resend_unknown => {
                    eprintln!(
                        "liner: line {}: several leads match ({}); sent again as --retry-unknown asks",
                        row.line,
                        list(&ids)
                    );
                    absent.push(row);
                }
                Ok(Verdict::Ambiguous(ids)) => {
                    self.outcomes.insert(
                        row.index,
                        Outcome::Unknown(format!("several leads match: {}", list(&ids))),
                    );
                }
                Err(err) if resend_unknown => {
                    eprintln!(
                        "liner: line {}: cannot look it up ({err}); sent again as --retry-unknown asks",
                        row.line
                    );
                    absent.push(row);
                }
                Err(err) => {
                    self.outcomes.insert(
                        row.index,
                        Outcome::Unknown(format!("{reason}; and it could not be looked up: {err}")),
                    );
                }
            }
        }
        Ok(absent)
    }

    /// Creates `rows`, a few at a time; returns the rows that got no usable
    /// answer, with the time of their attempt.
    async fn send_all<'r>(
        &mut self,
        rows: &[&'r Row],
    ) -> Result<Vec<(&'r Row, jiff::Timestamp, String)>, Failure> {
        let bar = crate::progress::bar("rows");
        bar.set_length(rows.len() as u64);
        let this = &*self;
        let results: Vec<Result<Sent<'_>, Failure>> =
            futures_util::stream::iter(rows.iter().copied())
                .map(|row| async move {
                    if this.stopping() {
                        return Ok((row, jiff::Timestamp::now(), None));
                    }
                    let at = jiff::Timestamp::now();
                    this.journal.record(row, Event::Attempt { at }).await?;
                    let result = this.client.create_lead(row.lead()).await;
                    if matches!(&result, Err(err) if err.is_unauthorized()) {
                        this.key_refused.store(true, Ordering::SeqCst);
                    }
                    let event = outcome_of(result);
                    this.journal.record(row, event.clone()).await?;
                    Ok((row, at, Some(event)))
                })
                .buffer_unordered(self.args.concurrency)
                .inspect(|_| bar.inc(1))
                .collect()
                .await;
        bar.finish_and_clear();
        let mut unanswered = Vec::new();
        for result in results {
            let (row, at, event) = result?;
            match event {
                None => {
                    self.outcomes.insert(
                        row.index,
                        Outcome::NotSent("not sent: the import stopped".into()),
                    );
                }
                Some(Event::Created { id, .. }) => {
                    self.claimed.insert(id);
                    self.outcomes
                        .insert(row.index, Outcome::Created { id, earlier: false });
                }
                Some(Event::Refused { message }) => {
                    self.outcomes.insert(row.index, Outcome::Refused(message));
                }
                Some(Event::Unsent { reason }) => {
                    self.outcomes.insert(row.index, Outcome::NotSent(reason));
                }
                Some(Event::Unknown { reason }) => {
                    self.outcomes
                        .insert(row.index, Outcome::Unknown(reason.clone()));
                    unanswered.push((row, at, reason));
                }
                Some(Event::Attempt { .. }) => {}
            }
        }
        Ok(unanswered)
    }

    /// Prints the summary; whether every row was created.
    fn summarize(
        &self,
        rows: &[Row],
        invalid: &[rows::Invalid],
        journal: &Path,
        started: Instant,
        warnings: &Warnings,
    ) -> bool {
        let count = |wanted: fn(&Outcome) -> bool| {
            self.outcomes
                .values()
                .filter(|outcome| wanted(outcome))
                .count()
        };
        let created_now = count(|o| matches!(o, Outcome::Created { earlier: false, .. }));
        let created_before = count(|o| matches!(o, Outcome::Created { earlier: true, .. }));
        let refused = count(|o| matches!(o, Outcome::Refused(_)));
        let unknown = count(|o| matches!(o, Outcome::Unknown(_)));
        let not_sent = rows.len() - created_now - created_before - refused - unknown;
        eprintln!(
            "imported {} rows in {:.1} s: {} created ({created_now} now, {created_before} in \
             earlier runs), {refused} refused, {unknown} unknown, {not_sent} not sent, {} invalid; \
             journal: {}; warnings: {}",
            rows.len() + invalid.len(),
            started.elapsed().as_secs_f64(),
            created_now + created_before,
            invalid.len(),
            journal.display(),
            warnings.count(),
        );
        // `rows` is in file order, so sorted by index.
        let line_of = |index: &usize| {
            rows.binary_search_by_key(index, |row| row.index)
                .map_or(0, |at| rows[at].line)
        };
        let section = |title: &str, wanted: fn(&Outcome) -> Option<&String>| {
            let listed: Vec<(u64, &String)> = self
                .outcomes
                .iter()
                .filter_map(|(index, outcome)| wanted(outcome).map(|text| (line_of(index), text)))
                .collect();
            if !listed.is_empty() {
                eprintln!("{title}:");
                for (line, text) in listed {
                    eprintln!("  line {line}: {}", one_line(text, 600));
                }
            }
        };
        section(
            "refused (re-run with --retry-refused to send them again)",
            |o| match o {
                Outcome::Refused(message) => Some(message),
                _ => None,
            },
        );
        section(
            "unknown: the server may have created these (check them, then re-run with \
             --retry-unknown to send them anyway)",
            |o| match o {
                Outcome::Unknown(reason) => Some(reason),
                _ => None,
            },
        );
        section("not sent (a re-run sends them)", |o| match o {
            Outcome::NotSent(reason) => Some(reason),
            _ => None,
        });
        let (listed, more) = warnings.listed();
        for line in listed {
            eprintln!("  warning: {line}");
        }
        if more > 0 {
            eprintln!("  ... and {more} more warnings");
        }
        invalid.is_empty() && created_now + created_before == rows.len()
    }
}

/// A row whose create was attempted (with when), and its outcome; `None`
/// when it was not sent (interrupted first).
type Sent<'r> = (&'r Row, jiff::Timestamp, Option<Event>);

/// The journal's outcome of a create.
fn outcome_of(result: liner::Result<std::num::NonZeroU64>) -> Event {
    let error = match result {
        Ok(id) => {
            return Event::Created {
                id: id.get(),
                reconciled: false,
            };
        }
        Err(error) => error,
    };
    let text = error.to_string();
    // Only a refused connection proves the server never saw the request
    // (liner already retried it); a 429 says the server did not act, and a
    // 401 or 403 that it acted on nothing (the key, not the row, was
    // refused: liner's `is_unauthorized`).
    if error.is_connect()
        || error.is_unauthorized()
        || error.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    {
        return Event::Unsent { reason: text };
    }
    match &error {
        Error::Api { status, .. } | Error::Http { status, .. } if status.is_client_error() => {
            Event::Refused { message: text }
        }
        Error::InvalidInput { .. } | Error::Redirect { .. } => Event::Refused { message: text },
        // A server error, a timeout, a broken connection, an unreadable
        // answer: the create may have happened.
        _ => Event::Unknown { reason: text },
    }
}

fn list(ids: &[u64]) -> String {
    ids.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
