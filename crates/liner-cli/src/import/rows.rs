//! Reading an import file, a row at a time: every row turned into a
//! checked `NewLead`, or the list of what is wrong with it.
//!
//! A file is read once per pass of the import (`mod.rs`), as it streams:
//! CSV and JSON Lines hold one row at a time, whatever the file's size.
//! A JSON array and a workbook are parsed whole (their parsers need the
//! whole file), so a file too large for memory is imported as CSV or JSON
//! Lines; stdin, which cannot be read twice, is held in memory.
//!
//! The accepted columns (CSV) and keys (JSON Lines) are the fields of the
//! create body, from its schema; the lead's other fields (`id`, `createdAt`,
//! what `leads export` writes besides) are ignored, so an export imports
//! back as it is. Any other column is refused, so that a misspelt one
//! cannot drop its data silently. An empty cell leaves its field out.

use std::io::{BufRead as _, BufReader, Read};
use std::path::Path;

use liner::{Lead, NewLead};

pub use super::source::Input;
use crate::cli::Format;
use crate::exit::Failure;
use crate::schema_fields::{self, Field};
use check::object_from_json;

/// A valid row.
///
/// A block of rows is held while it is sent, and rows of unknown outcome
/// until they are looked up, so a row keeps its create body as compact
/// JSON, not as a `NewLead`: the generated struct reserves room for every
/// optional field, set or not, which made a row of five columns cost more
/// than twice as much.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its place among the file's rows, from 0 (the header aside).
    pub index: usize,
    /// Its line in the file, from 1.
    pub line: u64,
    /// Its lead's order.
    pub order: u64,
    /// The checked create body, as JSON.
    body: Box<str>,
    /// A fingerprint of the lead, which the journal keeps to notice a file
    /// edited between runs.
    pub key: String,
}

impl Row {
    /// A row of a checked create body.
    pub fn new(index: usize, line: u64, lead: &NewLead) -> Self {
        // A `NewLead` holds strings, integers and JSON values only: it
        // always serializes.
        let body = serde_json::to_string(lead).unwrap_or_default();
        Self {
            index,
            line,
            order: lead.order_id.get(),
            key: fingerprint(body.as_bytes()),
            body: body.into_boxed_str(),
        }
    }

    /// The create body.
    pub fn lead(&self) -> NewLead {
        // The JSON was written from a `NewLead` by `new`, so it reads back:
        // a failure here is a bug in the generated (de)serializers, not
        // bad input.
        serde_json::from_str(&self.body).expect("a row's create body reads back")
    }
}

/// An invalid row: its line and every problem found in it.
#[derive(Debug, Clone)]
pub struct Invalid {
    pub line: u64,
    pub problems: Vec<String>,
}

/// How a file is read (`leads import`'s flags).
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The sheet of a workbook to read, if not the first.
    pub sheet: Option<String>,
    /// The text encoding, if given; else detected.
    pub encoding: Option<super::source::Encoding>,
    /// A CSV's delimiter, if given; else detected from the header.
    pub delimiter: Option<super::source::Delimiter>,
    /// Read an 11-digit phone starting with 8 as 7 and the ten digits.
    pub domestic_8_as_7: bool,
    /// How a text file's bytes are read, once detected by a first pass:
    /// later passes read it the same way without detecting again.
    pub(super) decoding: Option<super::source::Decoding>,
}

/// A row of the file: valid, or what is wrong with it.
#[derive(Debug)]
pub enum Item {
    Valid(Row),
    Invalid(Invalid),
}

/// One pass over the rows of a file, in file order.
pub struct Rows {
    /// How it is read, in words: "UTF-8, delimiter ';'".
    pub read_as: String,
    /// Rows so far whose phones were rewritten (spaces, dashes, ... dropped).
    pub phones_tidied: usize,
    /// Columns of the lead that are not part of a create, left out (so far).
    pub ignored: Vec<String>,
    options: ReadOptions,
    columns: Columns,
    name: String,
    source: Source,
    /// The index of the next row.
    index: usize,
}

/// Where a pass takes its next row from.
enum Source {
    Csv {
        records: csv::StringRecordsIntoIter<Box<dyn Read + Send>>,
        header: csv::StringRecord,
    },
    Jsonl {
        lines: std::io::Lines<BufReader<Box<dyn Read + Send>>>,
        /// The line last read, from 1.
        at: u64,
    },
    /// A JSON array's items, each with the line it starts on.
    JsonArray(std::vec::IntoIter<(u64, Box<serde_json::value::RawValue>)>),
    Sheet {
        header: Vec<String>,
        /// The named columns; a value right of them is a problem.
        width: usize,
        rows: std::vec::IntoIter<(u64, Vec<String>)>,
    },
}

/// The columns a file may have: the create body's, and the lead's others.
struct Columns {
    create: Vec<Field>,
    lead_only: Vec<String>,
}

impl Columns {
    fn new() -> Self {
        let create = schema_fields::fields_of::<NewLead>();
        let lead_only = schema_fields::fields_of::<Lead>()
            .into_iter()
            .map(|field| field.name)
            .filter(|name| !create.iter().any(|field| &field.name == name))
            .collect();
        Self { create, lead_only }
    }

    fn is_create(&self, name: &str) -> bool {
        self.create.iter().any(|field| field.name == name)
    }

    fn is_lead_only(&self, name: &str) -> bool {
        self.lead_only.iter().any(|other| other == name)
    }

    fn refused(&self, name: &str) -> String {
        let names: Vec<&str> = self
            .create
            .iter()
            .map(|field| field.name.as_str())
            .collect();
        format!(
            "unknown column `{}`: a lead is created from {}",
            crate::text::one_line(name, 80),
            names.join(", ")
        )
    }
}

/// Whether `path` is `-`: the rows come from stdin.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Starts a pass over the rows of `input`, read as `format`. The header is
/// checked here: a file with an unknown column is refused before any row.
pub fn read(input: &Input, format: Format, options: ReadOptions) -> Result<Rows, Failure> {
    let name = input.name();
    let columns = Columns::new();
    let mut rows = Rows {
        read_as: String::new(),
        phones_tidied: 0,
        ignored: Vec::new(),
        options,
        columns,
        name,
        source: Source::JsonArray(Vec::new().into_iter()),
        index: 0,
    };
    if format == Format::Xlsx {
        let sheet = crate::xlsx::read(&input.read_all()?, rows.options.sheet.as_deref())
            .map_err(|problem| Failure::local(format!("{}: {problem}", rows.name)))?;
        rows.read_as = format!(
            "an Excel workbook, sheet `{}`",
            crate::text::one_line(&sheet.name, 80)
        );
        // Trailing empty header cells (a sheet formatted wider than its data)
        // name no column.
        let width = sheet
            .header
            .iter()
            .rposition(|name| !name.is_empty())
            .map_or(0, |last| last + 1);
        let mut header = sheet.header;
        header.truncate(width);
        rows.check_header(header.iter().map(String::as_str))?;
        rows.source = Source::Sheet {
            header,
            width,
            rows: sheet.rows.into_iter(),
        };
        return Ok(rows);
    }
    if rows.options.sheet.is_some() {
        return Err(Failure::usage(format!(
            "--sheet picks a sheet of an Excel workbook, and {} is read as {}",
            rows.name,
            format.describe()
        )));
    }
    let decoding = match rows.options.decoding {
        Some(decoding) => decoding,
        None => super::source::detect(input.open()?, rows.options.encoding)
            .map_err(|problem| Failure::local(format!("{}: {problem}", rows.name)))?,
    };
    rows.options.decoding = Some(decoding);
    rows.read_as = decoding.describe().to_owned();
    let text =
        super::source::decoded(input.open()?, decoding).map_err(|err| input.unreadable(&err))?;
    match format {
        Format::Csv => rows.start_csv(text, input)?,
        Format::Jsonl => {
            rows.source = Source::Jsonl {
                lines: BufReader::with_capacity(64 * 1024, text).lines(),
                at: 0,
            };
        }
        Format::Json => rows.start_json_array(text, input)?,
        Format::Xlsx => unreachable!("read above"),
    }
    Ok(rows)
}

impl Rows {
    /// The options a later pass reads the file with: the same encoding and
    /// delimiter, without detecting them again.
    pub fn options(&self) -> ReadOptions {
        self.options.clone()
    }

    fn start_csv(&mut self, text: Box<dyn Read + Send>, input: &Input) -> Result<(), Failure> {
        let mut text = BufReader::with_capacity(64 * 1024, text);
        let mut first = String::new();
        text.read_line(&mut first)
            .map_err(|err| input.unreadable(&err))?;
        let columns = &self.columns;
        let delimiter = *self.options.delimiter.get_or_insert_with(|| {
            let header = first.lines().next().unwrap_or_default();
            super::source::detect_delimiter(header, |name| {
                columns.is_create(name) || columns.is_lead_only(name)
            })
        });
        self.read_as = format!("{}, delimiter {delimiter}", self.read_as);
        let text: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(first).chain(text));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter.byte())
            .flexible(false)
            .from_reader(text);
        let header = reader
            .headers()
            .map_err(|err| Failure::local(format!("{}: {err}", self.name)))?
            .clone();
        self.check_header(header.iter())?;
        self.source = Source::Csv {
            records: reader.into_records(),
            header,
        };
        Ok(())
    }

    /// A JSON array of objects, parsed whole; each one's line is where it
    /// starts.
    fn start_json_array(
        &mut self,
        mut text: Box<dyn Read + Send>,
        input: &Input,
    ) -> Result<(), Failure> {
        let mut whole = String::new();
        text.read_to_string(&mut whole)
            .map_err(|err| input.unreadable(&err))?;
        let items: Vec<&serde_json::value::RawValue> =
            serde_json::from_str(&whole).map_err(|err| {
                Failure::local(format!(
                    "{}: not a JSON array of leads: {err} (a file of one object per line is \
                     JSON Lines: name it .jsonl, or pass --format jsonl)",
                    self.name
                ))
            })?;
        // Lines are counted from one item to the next, once over the text.
        let (mut line, mut counted) = (1u64, 0usize);
        let mut owned = Vec::with_capacity(items.len());
        for item in items {
            // The item borrows from `whole`: where it starts tells its line.
            let start = (item.get().as_ptr() as usize)
                .saturating_sub(whole.as_ptr() as usize)
                .min(whole.len());
            line += whole.as_bytes()[counted.min(start)..start]
                .iter()
                .filter(|&&byte| byte == b'\n')
                .count() as u64;
            counted = counted.max(start);
            owned.push((line, item.to_owned()));
        }
        self.source = Source::JsonArray(owned.into_iter());
        Ok(())
    }

    /// Checks a header: each name once, every one a field of the lead; the
    /// lead's fields a create does not take are noted in `ignored`.
    fn check_header<'h>(
        &mut self,
        header: impl IntoIterator<Item = &'h str>,
    ) -> Result<(), Failure> {
        let mut seen: Vec<&str> = Vec::new();
        for name in header {
            if seen.contains(&name) {
                return Err(Failure::local(format!(
                    "{}: the column `{}` appears twice",
                    self.name,
                    crate::text::one_line(name, 80)
                )));
            }
            seen.push(name);
            if self.columns.is_lead_only(name) {
                self.ignored.push(name.to_owned());
            } else if !self.columns.is_create(name) {
                return Err(Failure::local(format!(
                    "{}: {}",
                    self.name,
                    self.columns.refused(name)
                )));
            }
        }
        Ok(())
    }
}

impl Iterator for Rows {
    type Item = Result<Item, Failure>;

    /// The next row, checked; an error only when the file cannot be read
    /// on (a row's own problems are an [`Item::Invalid`]).
    fn next(&mut self) -> Option<Self::Item> {
        let (line, object) = match &mut self.source {
            Source::Csv { records, header } => match records.next()? {
                Ok(record) => {
                    let line = record.position().map_or(0, |position| position.line());
                    let cells = header.iter().zip(record.iter());
                    (
                        line,
                        schema_fields::object_from_text(&self.columns.create, cells),
                    )
                }
                Err(err) => {
                    if let csv::ErrorKind::Io(err) = err.kind() {
                        return Some(Err(Failure::local(format!(
                            "cannot read {}: {err}",
                            self.name
                        ))));
                    }
                    let line = err.position().map_or(0, |position| position.line());
                    (line, Err(vec![err.to_string()]))
                }
            },
            Source::Jsonl { lines, at } => loop {
                let text = match lines.next()? {
                    Ok(text) => text,
                    Err(err) => {
                        return Some(Err(Failure::local(format!(
                            "cannot read {}: {err}",
                            self.name
                        ))));
                    }
                };
                *at += 1;
                if !text.trim().is_empty() {
                    break (
                        *at,
                        object_from_json(&text, &self.columns, &mut self.ignored),
                    );
                }
            },
            Source::JsonArray(items) => {
                let (line, item) = items.next()?;
                (
                    line,
                    object_from_json(item.get(), &self.columns, &mut self.ignored),
                )
            }
            Source::Sheet {
                header,
                width,
                rows,
            } => {
                let (number, cells) = rows.next()?;
                let beyond = cells.iter().skip(*width).any(|cell| !cell.is_empty());
                let object = if beyond {
                    Err(vec![format!(
                        "a value right of the last named column ({width} columns)"
                    )])
                } else {
                    let cells = header
                        .iter()
                        .map(String::as_str)
                        .zip(cells.iter().map(String::as_str));
                    schema_fields::object_from_text(&self.columns.create, cells)
                };
                (number, object)
            }
        };
        let index = self.index;
        self.index += 1;
        Some(Ok(self.check(index, line, object)))
    }
}

/// A stable fingerprint of a create body: 64-bit FNV-1a of its JSON, in hex.
/// (Not `std`'s hasher, whose output may change between Rust releases: a
/// journal outlives a toolchain.)
fn fingerprint(json: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in json {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

mod check;
#[cfg(test)]
mod tests;
