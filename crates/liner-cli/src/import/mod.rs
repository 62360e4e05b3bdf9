//! `liner leads import FILE`: a lead created for every row, each exactly
//! once across runs and crashes, as far as the server lets anyone know.
//!
//! The file is read in passes, a row at a time, so that memory does not
//! grow with it (`rows.rs`):
//! 1. Every row is read and checked (`survey.rs`); invalid rows are listed
//!    by line and nothing is sent unless `--skip-invalid`.
//! 2. The journal (`journal.rs`) says where each row stands after earlier
//!    runs. If it has entries, a second read checks them against the file
//!    and gathers the rows of unknown outcome, which are looked up on the
//!    server (`reconcile.rs`) unless `--no-reconcile`.
//! 3. Before the first create into an order, the order is listed once (the
//!    baseline): rows whose lead is already there are not sent
//!    (`--create-existing` sends them), and those leads are never taken for
//!    the lead of another row. If it has any lead of the file's, a read
//!    records those rows.
//! 4. The sending pass reads the file again, a block at a time; created
//!    rows are skipped, refused ones too unless `--retry-refused`, and the
//!    rest are created, a few at a time (`send.rs`), each attempt on disk in
//!    the journal before its request leaves, each outcome after. A block
//!    that differs from the first pass's (the file changed) is not sent.
//! 5. Rows whose create got no usable answer are looked up once every
//!    block is sent (once they have settled: the server may still be
//!    working on them); those the server proved it does not have are sent
//!    again, up to three rounds of sending, each followed by its look-up.
//!
//! A row is never sent twice unless two complete listings of its order
//! showed the server does not have it, or the user said so
//! (`--retry-unknown`).

mod baseline;
mod journal;
mod look_up;
mod outcome;
mod phones;
mod reconcile;
mod resume;
mod rows;
mod send;
mod source;
mod state;
mod stop;
mod summary;
mod survey;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use liner::Liner;

use crate::cli::{Format, ImportArgs};
use crate::exit::Failure;
use crate::warnings::Warnings;
use journal::{Event, Journal, Recorded, State};
use outcome::Outcome;
use rows::{Input, Row};
use state::Import;
use stop::Stop;
use summary::Results;
use survey::Passes;

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
    let input = Input::new(&args.file)?;
    let survey = survey::survey(
        &input,
        format,
        rows::ReadOptions {
            sheet: args.sheet.clone(),
            encoding: args.encoding,
            delimiter: args.delimiter,
            domestic_8_as_7: args.domestic_8_as_7,
            ..rows::ReadOptions::default()
        },
    )?;
    let file = input.name();
    // How the file was read is never a silent guess.
    let tidied = match survey.phones_tidied {
        0 => String::new(),
        n => format!("; {n} row(s) had their phones tidied (spaces, dashes, dots, parentheses)"),
    };
    crate::notes::note!("liner: read {file} as {}{tidied}", survey.read_as);
    if survey.invalid > 0 && !args.skip_invalid {
        return Err(Failure::local(format!(
            "{} invalid row(s) in {file} (listed above); nothing was sent. Fix them, or pass \
             --skip-invalid to send the {} valid rows",
            survey.invalid, survey.valid
        )));
    }
    if !survey.ignored.is_empty() {
        crate::notes::note!(
            "liner: ignoring the columns the server sets: {}",
            survey.ignored.join(", ")
        );
    }
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(&args.file));
    // A dry run writes nothing, not even a new journal.
    let (journal, mut recorded) = if args.dry_run {
        (None, Journal::read_only(&journal_path)?)
    } else {
        let (journal, recorded) = Journal::open(&journal_path)?;
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
    let results = Results::new(if args.dry_run {
        None
    } else {
        args.ids.as_deref()
    })?;
    let mut import = Import {
        client,
        journal,
        args,
        outcomes: BTreeMap::new(),
        results,
        pending: BTreeMap::new(),
        settle_from: started,
        claimed: recorded
            .states
            .values()
            .filter_map(|state| match state {
                State::Created { id } => Some(*id),
                _ => None,
            })
            .collect(),
        existing: recorded.existing.iter().copied().collect(),
        created_in: BTreeMap::new(),
        interrupted: Arc::clone(&interrupted),
        stop: Stop::default(),
        would_send: (0, Vec::new()),
        create_method: None,
    };
    let passes = Passes {
        input: &input,
        format,
        survey: &survey,
        journal: &journal_path,
    };
    let result = import.run(&passes, &mut recorded, started).await;
    watcher.abort();
    result?;
    if args.dry_run {
        import.report_dry_run();
        return Ok(());
    }
    let Import { results, stop, .. } = import;
    let (tally, listed, ids) = results.finish(survey.valid, survey.invalid);
    summary::print(&tally, &listed, &journal_path, started, warnings, args);
    if let Some(ids) = ids {
        ids.write_out()?;
    }
    if let Some(failure) = stop.failure() {
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
        passes: &Passes<'_>,
        recorded: &mut Recorded,
        started: Instant,
    ) -> Result<(), Failure> {
        let resumed = self.resume(passes, recorded)?;
        let unchecked = self.baseline(passes, recorded, &resumed).await?;
        // An earlier run may have been killed moments ago, with creates in
        // flight: its rows settle from this run's start.
        let looked_up: Vec<(&Row, String)> = resumed
            .unknown
            .iter()
            .map(|(row, reason)| (row, reason.clone()))
            .collect();
        let absent = self.look_up_all(looked_up, started, false).await?;
        let bar = crate::progress::bar("rows");
        bar.set_length(passes.survey.valid as u64);
        bar.inc((resumed.unknown.len() - absent.len()) as u64);
        // The rows the server proved it does not have go first.
        self.send_block(&absent, &bar).await?;
        let mut rows = passes.rows()?;
        let mut block_no = 0;
        let mut valid = 0;
        while let Some(block) = survey::next_block(&mut rows)? {
            let expected = passes
                .survey
                .digests
                .get(block_no)
                .map_or(survey::Digest::EMPTY, |digest| survey::Digest(*digest));
            if survey::Digest::of(&block) != expected {
                return Err(passes.changed());
            }
            valid += block.len();
            block_no += 1;
            let (to_send, decided) = self.decide(&block, recorded, &unchecked);
            bar.inc(decided as u64);
            self.send_block(&to_send, &bar).await?;
            self.hand_over(&block)?;
        }
        bar.finish_and_clear();
        if valid != passes.survey.valid {
            return Err(passes.changed());
        }
        if self.args.dry_run {
            return Ok(());
        }
        self.last_rounds().await?;
        let late = std::mem::take(&mut self.outcomes);
        for (index, outcome) in late {
            self.results.settle(index, &outcome);
        }
        Ok(())
    }

    /// What to do with each row of `block`: the outcomes of rows not to
    /// send go to `outcomes`; returns the rows to send, and how many were
    /// decided here (rows looked up before this pass are neither).
    fn decide<'r>(
        &mut self,
        block: &'r [Row],
        recorded: &Recorded,
        unchecked: &BTreeMap<u64, String>,
    ) -> (Vec<&'r Row>, usize) {
        let mut to_send = Vec::new();
        let mut decided = 0;
        for row in block {
            let outcome = match recorded.states.get(&row.index).unwrap_or(&State::New) {
                State::New => match unchecked.get(&row.order) {
                    Some(reason) => Outcome::NotSent(reason.clone()),
                    None => {
                        to_send.push(row);
                        continue;
                    }
                },
                State::Created { id } => Outcome::Created {
                    id: *id,
                    earlier: true,
                },
                State::Refused { message } if !self.args.retry_refused => {
                    Outcome::Refused(message.clone())
                }
                State::Exists { ids } if !self.args.create_existing => Outcome::Exists(ids.clone()),
                State::Refused { .. } | State::Exists { .. } => {
                    to_send.push(row);
                    continue;
                }
                // Looked up before this pass: its outcome is in `outcomes`
                // already, or it was sent again.
                State::Unknown { .. } | State::InFlight { .. } => continue,
            };
            self.outcomes.insert(row.index, outcome);
            decided += 1;
        }
        (to_send, decided)
    }

    /// Sends `rows` (the first round of their creates); a dry run counts
    /// them instead.
    async fn send_block(
        &mut self,
        rows: &[&Row],
        bar: &indicatif::ProgressBar,
    ) -> Result<(), Failure> {
        if rows.is_empty() {
            return Ok(());
        }
        if self.args.dry_run {
            const SHOWN: usize = 50;
            self.would_send.0 += rows.len();
            let room = SHOWN.saturating_sub(self.would_send.1.len());
            self.would_send
                .1
                .extend(rows.iter().take(room).map(|row| row.line));
            bar.inc(rows.len() as u64);
            return Ok(());
        }
        let sent = self.send_all(rows, bar).await?;
        self.settle_from = sent.settle_from;
        for (row, reason) in sent.unanswered {
            self.pending.insert(row.index, (row.clone(), reason));
        }
        Ok(())
    }

    /// Hands the outcomes of `block`'s rows to `results`, in file order;
    /// rows waiting for their look-up are deferred.
    fn hand_over(&mut self, block: &[Row]) -> Result<(), Failure> {
        for row in block {
            if self.pending.contains_key(&row.index) {
                self.outcomes.remove(&row.index);
                self.results.defer(row.index, row.line)?;
            } else if let Some(outcome) = self.outcomes.remove(&row.index) {
                self.results.add(row.index, row.line, &outcome)?;
            } else if !self.args.dry_run {
                // Every row sent or decided has an outcome; none is left
                // out of the count.
                let outcome = Outcome::NotSent("not sent: the import stopped".into());
                self.results.add(row.index, row.line, &outcome)?;
            }
        }
        Ok(())
    }

    /// The look-up of the rows the first round left unanswered, then up to
    /// [`ROUNDS`] - 1 more rounds of sending the absent ones again.
    async fn last_rounds(&mut self) -> Result<(), Failure> {
        let pending: Vec<(Row, String)> = std::mem::take(&mut self.pending).into_values().collect();
        let unanswered = pending
            .iter()
            .map(|(row, reason)| (row, reason.clone()))
            .collect();
        let mut to_send = self
            .look_up_all(unanswered, self.settle_from, ROUNDS == 1)
            .await?;
        for round in 2..=ROUNDS {
            if to_send.is_empty() || self.stopping() {
                break;
            }
            let bar = crate::progress::bar("rows");
            bar.set_length(to_send.len() as u64);
            let sent = self.send_all(&to_send, &bar).await?;
            bar.finish_and_clear();
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

    /// A dry run's report: what a real run would do now.
    fn report_dry_run(&self) {
        let tally = self.results.tally();
        let (count, lines) = &self.would_send;
        eprintln!(
            "dry run: {count} row(s) would be sent now; {} created earlier, {} already on the \
             server, {} refused earlier, {} unknown after looking them up; nothing was sent or \
             recorded",
            tally.created_before, tally.exists, tally.refused, tally.unknown,
        );
        if *count > 0 {
            let shown: Vec<String> = lines.iter().map(u64::to_string).collect();
            let tail = match count - lines.len() {
                0 => String::new(),
                more => format!(" and {more} more"),
            };
            eprintln!("would send the rows of lines {}{tail}", shown.join(", "));
        }
    }
}
