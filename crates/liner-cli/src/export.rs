//! `liner leads export`: the lead list, filtered, to JSON Lines, a JSON
//! array, CSV or an Excel workbook.
//!
//! Pages stream through `liner`'s pagination (prefetch, retries,
//! de-duplication) straight into the writer: memory stays bounded by the
//! pages in flight, whatever the list's size.
//!
//! CSV: one column per field of the lead type, required fields first, then
//! the others alphabetically, as its schema lists them (no hand-written
//! column list). `customValues` is one column holding the map as JSON:
//! one column per key would need every lead read before the header could be
//! written, which a streaming export cannot do. An Excel workbook has the
//! same columns, written with `rust_xlsxwriter`'s constant-memory sheet
//! (rows go to a temporary file as they come).

use std::io::Write as _;
use std::time::Instant;

use futures_util::StreamExt as _;
use liner::{Lead, Liner};

use crate::cli::{ExportArgs, Format};
use crate::exit::Failure;
use crate::output::Output;
use crate::schema_fields::{self, Field};
use crate::text::for_terminal;
use crate::warnings::Warnings;

/// What an export did.
#[derive(Debug, Default)]
pub struct Report {
    pub leads: u64,
    pub duplicates_dropped: u64,
    /// Leads the server sent that did not decode: skipped, each a warning;
    /// the first [`UNDECODABLE_LISTED`] are described, the rest counted
    /// (memory stays flat whatever the server sends).
    pub undecodable: Vec<String>,
    pub undecodable_count: u64,
}

/// Undecodable leads described in an export's summary.
pub const UNDECODABLE_LISTED: usize = 20;

/// The lead's CSV columns.
pub fn columns() -> Vec<Field> {
    schema_fields::fields_of::<Lead>()
}

/// Writes leads in one format into the output.
enum Sink {
    Jsonl {
        out: Output,
        terminal: bool,
    },
    Json {
        out: Output,
        terminal: bool,
        /// Leads written so far (the next is preceded by a comma).
        written: u64,
    },
    Csv {
        writer: Box<csv::Writer<Output>>,
        columns: Vec<Field>,
        terminal: bool,
    },
    Xlsx(Box<crate::xlsx::SheetWriter<Output>>),
}

impl Sink {
    /// A sink writing `format` into `out`; a CSV's header is written at
    /// once (`excel`: as Excel in a comma-decimal locale reads CSV). On a
    /// terminal, control characters in the data are written escaped
    /// (`\u001b`), so that a lead cannot send terminal sequences.
    fn new(format: Format, mut out: Output, excel: bool) -> std::io::Result<Self> {
        let terminal = out.is_terminal();
        Ok(match format {
            Format::Jsonl => Self::Jsonl { out, terminal },
            Format::Json => {
                out.write_all(b"[")?;
                Self::Json {
                    out,
                    terminal,
                    written: 0,
                }
            }
            Format::Csv => {
                let columns = columns();
                let mut builder = csv::WriterBuilder::new();
                if excel {
                    // Excel reads a CSV as UTF-8 only after a byte-order
                    // mark, and splits it on the locale's list separator:
                    // `;` wherever the decimal separator is a comma, as in
                    // Russian. CRLF is what it writes itself.
                    out.write_all("\u{feff}".as_bytes())?;
                    builder.delimiter(b';').terminator(csv::Terminator::CRLF);
                }
                let mut writer = Box::new(builder.from_writer(out));
                writer.write_record(columns.iter().map(|column| column.name.as_str()))?;
                Self::Csv {
                    writer,
                    columns,
                    terminal,
                }
            }
            Format::Xlsx => Self::Xlsx(Box::new(crate::xlsx::SheetWriter::new(
                out,
                columns().into_iter().map(|column| column.name).collect(),
            )?)),
        })
    }

    fn lead(&mut self, lead: &Lead) -> std::io::Result<()> {
        match self {
            Self::Jsonl {
                out,
                terminal: false,
            } => {
                serde_json::to_writer(&mut *out, lead)?;
                out.write_all(b"\n")
            }
            Self::Jsonl {
                out,
                terminal: true,
            } => {
                let line = serde_json::to_string(lead)?;
                writeln!(out, "{}", for_terminal(&line))
            }
            Self::Json {
                out,
                terminal,
                written,
            } => {
                // One lead a line inside the array: a person can read it,
                // and a line-oriented tool can still split it.
                out.write_all(if *written == 0 { b"\n" } else { b",\n" })?;
                *written += 1;
                if *terminal {
                    let line = serde_json::to_string(lead)?;
                    write!(out, "{}", for_terminal(&line))
                } else {
                    serde_json::to_writer(&mut *out, lead).map_err(Into::into)
                }
            }
            Self::Xlsx(sheet) => sheet.row(&serde_json::to_value(lead)?),
            Self::Csv {
                writer,
                columns,
                terminal,
            } => {
                let value = serde_json::to_value(lead)?;
                writer.write_record(columns.iter().map(|column| {
                    let cell = schema_fields::cell(value.get(&column.name));
                    if *terminal {
                        for_terminal(&cell).into_owned()
                    } else {
                        cell
                    }
                }))?;
                Ok(())
            }
        }
    }

    /// The output, everything written into it.
    fn finish(self) -> std::io::Result<Output> {
        match self {
            Self::Jsonl { out, .. } => Ok(out),
            Self::Json { mut out, .. } => {
                out.write_all(b"\n]\n")?;
                Ok(out)
            }
            Self::Xlsx(sheet) => sheet.finish(),
            Self::Csv { writer, .. } => writer
                .into_inner()
                .map_err(|err| std::io::Error::other(err.to_string())),
        }
    }
}

pub async fn run(client: &Liner, args: &ExportArgs, warnings: &Warnings) -> Result<(), Failure> {
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(Format::of_path))
        .unwrap_or(Format::Jsonl);
    let mut query = client
        .leads()
        .order_ids(args.order_ids.iter().copied())
        .status_ids(args.status_ids.iter().copied())
        .concurrency(args.concurrency)
        .adaptive_concurrency(args.adaptive);
    if let Some(from) = &args.created_from {
        query = query.created_from(from.as_str());
    }
    if let Some(to) = &args.created_to {
        query = query.created_to(to.as_str());
    }
    let out = Output::create(args.output.as_deref()).map_err(|err| {
        Failure::local(format!(
            "cannot create a file beside {}: {err}",
            args.output
                .as_deref()
                .unwrap_or(std::path::Path::new("-"))
                .display()
        ))
    })?;
    let destination = out.describe();
    let to_stdout = args.output.is_none();
    let write_failed = |err: std::io::Error| {
        if to_stdout && err.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::reader_gone()
        } else {
            Failure::local(format!("cannot write to {destination}: {err}"))
        }
    };
    if args.excel && format != Format::Csv {
        return Err(Failure::usage(format!(
            "--excel shapes CSV only, and this export writes {}: drop --excel, or pass --format csv",
            format.describe()
        )));
    }
    if format == Format::Xlsx && out.is_terminal() {
        return Err(Failure::usage(
            "an Excel workbook is binary, and stdout is a terminal: pass --output leads.xlsx",
        ));
    }
    let mut sink = Sink::new(format, out, args.excel).map_err(write_failed)?;
    let started = Instant::now();
    let bar = crate::progress::bar("leads");
    let export = async {
        let mut report = Report::default();
        let mut pages = std::pin::pin!(query.pages());
        while let Some(page) = pages.next().await {
            let page = page.map_err(|err| Failure::client("leads export", &err))?;
            if let Some(total) = page.total {
                bar.set_length(total.max(report.leads + page.items.len() as u64));
            }
            for lead in &page.items {
                sink.lead(lead).map_err(write_failed)?;
            }
            report.leads += page.items.len() as u64;
            report.duplicates_dropped += page.duplicates_dropped as u64;
            for bad in &page.undecodable {
                report.undecodable_count += 1;
                if report.undecodable.len() >= UNDECODABLE_LISTED {
                    continue;
                }
                report.undecodable.push(format!(
                    "the lead at offset {} did not decode and was skipped: {}: {}",
                    page.offset + bad.index as u64,
                    bad.path,
                    bad.message
                ));
            }
            bar.inc(page.items.len() as u64);
        }
        Ok::<_, Failure>(report)
    };
    let report = tokio::select! {
        report = export => report,
        Ok(stop) = crate::interrupt::requested() => {
            bar.finish_and_clear();
            // The sink is dropped unfinished: a file's temporary copy is
            // removed; stdout has had what was exported so far.
            return Err(Failure::new(
                stop.status(),
                if to_stdout {
                    format!("interrupted ({}): what was written to stdout is incomplete", stop.name())
                } else {
                    format!("interrupted ({}): nothing was written to {destination}", stop.name())
                },
            ));
        }
    };
    bar.finish_and_clear();
    let report = report?;
    // The commit (a sync and a rename) is not interrupted: it is short, and
    // either leaves the whole file or none. A stop asked for while it runs
    // is reported after it, with the signal's status, and says that the
    // file is complete.
    hold_before_commit();
    sink.finish()
        .and_then(Output::commit)
        .map_err(write_failed)?;
    summarize(&report, &destination, format, args.excel, started, warnings);
    if let Some(stop) = crate::interrupt::pending() {
        return Err(Failure::new(
            stop.status(),
            format!(
                "interrupted ({}) as the export ended: {destination} is complete",
                stop.name()
            ),
        ));
    }
    Ok(())
}

/// Debug builds only: with `LINER_TEST_HOLD_COMMIT_MS` set, says so on
/// stderr and blocks that long as the commit begins, the way a slow sync
/// would, so that a test can send a signal inside the commit window. A
/// release build has no such hook.
fn hold_before_commit() {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("LINER_TEST_HOLD_COMMIT_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
    {
        eprintln!("liner: (test) holding the commit for {ms} ms");
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

fn summarize(
    report: &Report,
    destination: &str,
    format: Format,
    excel: bool,
    started: Instant,
    warnings: &Warnings,
) {
    let format = match format {
        Format::Csv if excel => "CSV for Excel",
        format => format.describe(),
    };
    let (listed, more) = warnings.listed();
    crate::notes::note!(
        "exported {} leads to {destination} ({format}) in {:.1} s; duplicates dropped: {}; \
         warnings: {}",
        report.leads,
        started.elapsed().as_secs_f64(),
        report.duplicates_dropped,
        warnings.count() as u64 + report.undecodable_count,
    );
    for line in report.undecodable.iter().chain(&listed) {
        crate::notes::note!("  warning: {}", crate::text::one_line(line, 400));
    }
    let unlisted = report.undecodable_count - report.undecodable.len() as u64;
    if unlisted > 0 {
        crate::notes::note!("  ... and {unlisted} more leads that did not decode");
    }
    if more > 0 {
        crate::notes::note!("  ... and {more} more warnings");
    }
}
