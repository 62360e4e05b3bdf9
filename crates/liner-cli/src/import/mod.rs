//! `liner leads import FILE`: a lead created for every row, each exactly
//! once across runs and crashes, as far as the server lets anyone know.
//!
//! 1. Every row is read and checked (`rows.rs`); invalid rows are listed by
//!    line and nothing is sent unless `--skip-invalid`.
//! 2. The journal (`journal.rs`) says where each row stands after earlier
//!    runs: created rows are skipped, refused ones too unless
//!    `--retry-refused`, and rows of unknown outcome are looked up on the
//!    server (`reconcile.rs`) unless `--no-reconcile`.
//! 3. Before the first create into an order, the order is listed once (the
//!    baseline): rows whose lead is already there are not sent
//!    (`--create-existing` sends them), and those leads are never taken for
//!    the lead of another row.
//! 4. The rows left are created, a few at a time (`send.rs`), each attempt
//!    on disk in the journal before its request leaves, each outcome after.
//! 5. Rows whose create got no usable answer in this run are looked up too
//!    (once they have settled: the server may still be working on them);
//!    those the server proved it does not have are sent again, up to three
//!    rounds of sending, each followed by its look-up.
//!
//! A row is never sent twice unless two complete listings of its order
//! showed the server does not have it, or the user said so
//! (`--retry-unknown`).

mod journal;
mod look_up;
mod outcome;
mod phones;
mod reconcile;
mod rows;
mod send;
mod source;
mod state;
mod stop;
mod summary;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use liner::Liner;

use crate::cli::{Format, ImportArgs};
use crate::exit::Failure;
use crate::text::one_line;
use crate::warnings::Warnings;
use journal::{Event, Journal, Recorded, State};
use outcome::Outcome;
use reconcile::Identity;
use rows::Row;
use state::Import;
use stop::Stop;

/// Rounds of "send, then look up what got no answer, then send what the
/// server does not have" in one run.
const ROUNDS: usize = 3;

/// The journal beside `file`: `leads.csv` → `leads.csv.journal`.
pub fn default_journal(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

pub async fn run(client: &Liner, args: &ImportArgs, warnings: &Warnings) -> Result<(), Failure> {
    let started = Instant::now();
    let format = args
        .format
        .or_else(|| Format::of_path(&args.file))
        .ok_or_else(|| {
            Failure::usage(format!(
                "cannot tell the format of {} from its name: pass --format (csv, xlsx, jsonl or json)",
                args.file.display()
            ))
        })?;
    if args.concurrency == 0 {
        return Err(Failure::usage("--concurrency must be at least 1"));
    }
    // Decision: stdin has no name to put a journal beside, and a journal
    // named after nothing would be shared by every piped import; so reading
    // stdin takes --journal, which the operator then keeps with the data.
    if rows::is_stdin(&args.file) && args.journal.is_none() {
        return Err(Failure::usage(
            "reading the rows from stdin (-), the journal cannot be named after the file: pass \
             --journal PATH (and the same PATH to resume)",
        ));
    }
    let rows = rows::read(
        &args.file,
        format,
        rows::ReadOptions {
            sheet: args.sheet.clone(),
            encoding: args.encoding,
            delimiter: args.delimiter,
            domestic_8_as_7: args.domestic_8_as_7,
        },
    )?;
    let file = args.file.display().to_string();
    // How the file was read is never a silent guess.
    let tidied = match rows.phones_tidied {
        0 => String::new(),
        n => format!("; {n} row(s) had their phones tidied (spaces, dashes, dots, parentheses)"),
    };
    crate::notes::note!("liner: read {file} as {}{tidied}", rows.read_as);
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
        crate::notes::note!(
            "liner: ignoring the columns the server sets: {}",
            rows.ignored.join(", ")
        );
    }
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(&args.file));
    // A dry run writes nothing, not even a new journal.
    let (journal, recorded) = if args.dry_run {
        (None, Journal::read_only(&journal_path, &rows.valid)?)
    } else {
        let (journal, recorded) = Journal::open(&journal_path, &rows.valid)?;
        (Some(journal), recorded)
    };
    if recorded.damaged_lines > 0 {
        crate::notes::note!(
            "liner: skipped {} line(s) of the journal holding zeros (left by a power cut; no \
             create was sent for them)",
            recorded.damaged_lines
        );
    }

    let interrupted = Arc::new(std::sync::Mutex::new(None));
    let watcher = tokio::spawn(watch_interrupts(Arc::clone(&interrupted)));
    let mut import = Import {
        client,
        journal,
        args,
        outcomes: BTreeMap::new(),
        claimed: recorded
            .states
            .values()
            .filter_map(|state| match state {
                State::Created { id } => Some(*id),
                _ => None,
            })
            .collect(),
        existing: recorded.existing.clone(),
        orders: rows
            .valid
            .iter()
            .map(|row| (row.index, row.lead().order_id.get()))
            .collect(),
        interrupted: Arc::clone(&interrupted),
        stop: Stop::default(),
        would_send: Vec::new(),
        create_method: None,
    };
    let result = import.run(&rows.valid, &recorded, started).await;
    watcher.abort();
    result?;
    if args.dry_run {
        return import.report_dry_run(&rows.valid);
    }
    let tally = summary::Tally::of(&import.outcomes, &rows.valid, rows.invalid.len());
    summary::print(
        &tally,
        &import.outcomes,
        &rows.valid,
        &journal_path,
        started,
        warnings,
        args,
    );
    if let Some(path) = &args.ids {
        summary::write_ids(path, &import.outcomes, &rows.valid)?;
    }
    if let Some(failure) = import.stop.failure() {
        return Err(failure);
    }
    let stopped = *interrupted.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(stop) = stopped {
        return Err(Failure::new(
            stop.status(),
            format!(
                "interrupted ({}): rows in flight were finished and recorded; run the same command \
                 again to go on",
                stop.name()
            ),
        ));
    }
    tally.exit(&journal_path)
}

/// The first stop signal (Ctrl-C, SIGTERM, SIGHUP) stops new creates and
/// look-ups (those in flight finish and are recorded); a second one exits
/// at once, which the journal also survives.
async fn watch_interrupts(flag: Arc<std::sync::Mutex<Option<crate::interrupt::Stop>>>) {
    if let Ok((count, stop)) = crate::interrupt::requested_after(0).await {
        *flag.lock().unwrap_or_else(|e| e.into_inner()) = Some(stop);
        crate::notes::note!(
            "liner: stopping after the creates in flight ({} again to quit now)",
            stop.name()
        );
        if let Ok((_, again)) = crate::interrupt::requested_after(count).await {
            std::process::exit(again.status() as i32);
        }
    }
}

impl Import<'_> {
    /// Whether to start no more creates or look-ups.
    fn stopping(&self) -> bool {
        self.interrupted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
            || self.stop.is_set()
    }

    /// Appends `event` for `row` to the journal (nothing in a dry run).
    async fn record(&self, row: &Row, event: Event) -> Result<(), Failure> {
        match &self.journal {
            Some(journal) => journal.record(row, event).await,
            None => Ok(()),
        }
    }

    async fn run(
        &mut self,
        rows: &[Row],
        recorded: &Recorded,
        started: Instant,
    ) -> Result<(), Failure> {
        let mut to_send = Vec::new();
        let mut to_look_up = Vec::new();
        for row in rows {
            match recorded
                .states
                .get(&row.index)
                .cloned()
                .unwrap_or(State::New)
            {
                State::New => to_send.push(row),
                State::Created { id } => {
                    self.outcomes
                        .insert(row.index, Outcome::Created { id, earlier: true });
                }
                State::Refused { message } if !self.args.retry_refused => {
                    self.outcomes.insert(row.index, Outcome::Refused(message));
                }
                State::Refused { .. } => to_send.push(row),
                State::Exists { ids } if !self.args.create_existing => {
                    self.outcomes.insert(row.index, Outcome::Exists(ids));
                }
                State::Exists { .. } => to_send.push(row),
                State::Unknown { reason } => to_look_up.push((row, reason)),
                // Never left by `Journal::open`, which reads to the end.
                State::InFlight { .. } => to_look_up.push((row, "sent, no outcome".into())),
            }
        }
        let to_send = self.baseline(to_send, recorded).await?;
        // An earlier run may have been killed moments ago, with creates in
        // flight: its rows settle from this run's start.
        let mut to_send = [to_send, self.look_up_all(to_look_up, started, false).await?].concat();
        if self.args.dry_run {
            self.would_send = to_send.iter().map(|row| row.index).collect();
            return Ok(());
        }
        for round in 1..=ROUNDS {
            if to_send.is_empty() || self.stopping() {
                break;
            }
            let sent = self.send_all(&to_send).await?;
            to_send = self
                .look_up_all(sent.unanswered, sent.settle_from, round == ROUNDS)
                .await?;
        }
        let reason = if self.stopping() {
            "not sent: the import stopped".to_owned()
        } else {
            // Sent in each round, unanswered each time, and looked up after
            // each: the server does not have it.
            format!("not created: unanswered in {ROUNDS} rounds, and the server does not have it")
        };
        for row in to_send {
            self.outcomes
                .insert(row.index, Outcome::NotSent(reason.clone()));
        }
        Ok(())
    }

    /// Takes the baseline of every order of `rows` that has none yet: the
    /// order is listed, and a row whose lead (its identity) is already there
    /// gets an `exists` entry and is dropped from the rows to send, unless
    /// `--create-existing`. Recorded before the first create of the order,
    /// so that leads this import creates are never taken for existing ones.
    async fn baseline<'r>(
        &mut self,
        rows: Vec<&'r Row>,
        recorded: &Recorded,
    ) -> Result<Vec<&'r Row>, Failure> {
        // An order is listed only before any create of this journal went to
        // it; else this import's own leads could be taken for existing ones.
        // That is the case of version 1 journals, and of runs with
        // `--no-reconcile`, which looks nothing up.
        let attempted: BTreeSet<u64> = recorded
            .states
            .iter()
            .filter(|(_, state)| !matches!(state, State::New))
            .map(|(index, _)| self.orders[index])
            .collect();
        let mut by_order: BTreeMap<u64, Vec<&'r Row>> = BTreeMap::new();
        let mut to_send = Vec::new();
        for row in rows {
            let order = self.orders[&row.index];
            if self.args.no_reconcile || recorded.is_baselined(order) || attempted.contains(&order)
            {
                to_send.push(row);
            } else {
                by_order.entry(order).or_default().push(row);
            }
        }
        for (order, rows) in by_order {
            if self.stopping() {
                for row in rows {
                    self.outcomes.insert(
                        row.index,
                        Outcome::NotSent("not sent: the import stopped".into()),
                    );
                }
                continue;
            }
            let leads =
                match reconcile::list_order(self.client, order, &BTreeSet::new(), 0, 1).await {
                    Ok(leads) => leads,
                    Err(reason) => {
                        if let reconcile::Unlisted::Client(err) = &reason {
                            self.stop.note_error(err);
                        }
                        let reason = format!(
                            "not sent: which leads of order {order} exist already could not be \
                         checked: {reason}"
                        );
                        for row in rows {
                            self.outcomes
                                .insert(row.index, Outcome::NotSent(reason.clone()));
                        }
                        continue;
                    }
                };
            let mut found: BTreeMap<Identity, Vec<u64>> = BTreeMap::new();
            for lead in &leads {
                if !self.claimed.contains(&lead.id.get())
                    && let Some(identity) = Identity::of_lead(lead)
                {
                    found.entry(identity).or_default().push(lead.id.get());
                }
            }
            for row in rows {
                match found.get(&Identity::of_row(&row.lead())) {
                    Some(ids) => {
                        self.record(row, Event::Exists { ids: ids.clone() }).await?;
                        self.existing.extend(ids);
                        if self.args.create_existing {
                            to_send.push(row);
                        } else {
                            self.outcomes
                                .insert(row.index, Outcome::Exists(ids.clone()));
                        }
                    }
                    None => to_send.push(row),
                }
            }
            if let Some(journal) = &self.journal {
                journal.record_baseline(order).await?;
            }
        }
        // In file order, as they were.
        to_send.sort_by_key(|row| row.index);
        Ok(to_send)
    }

    /// A dry run's report: what a real run would do now.
    fn report_dry_run(&self, rows: &[Row]) -> Result<(), Failure> {
        let line_of = summary::line_of(rows);
        let lines: Vec<String> = self
            .would_send
            .iter()
            .map(|index| line_of(index).to_string())
            .collect();
        let tally = summary::Tally::of(&self.outcomes, rows, 0);
        eprintln!(
            "dry run: {} row(s) would be sent now; {} created earlier, {} already on the server, \
             {} refused earlier, {} unknown after looking them up; nothing was sent or recorded",
            lines.len(),
            tally.created_before,
            tally.exists,
            tally.refused,
            tally.unknown,
        );
        if !lines.is_empty() {
            const SHOWN: usize = 50;
            let more = lines.len().saturating_sub(SHOWN);
            let shown: Vec<&str> = lines.iter().take(SHOWN).map(String::as_str).collect();
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            eprintln!("would send the rows of lines {}{tail}", shown.join(", "));
        }
        Ok(())
    }
}
