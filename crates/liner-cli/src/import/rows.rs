//! Reading an import file: every row turned into a checked `NewLead`, or
//! the list of what is wrong with it, before anything is sent.
//!
//! The accepted columns (CSV) and keys (JSON Lines) are the fields of the
//! create body, from its schema; the lead's other fields (`id`, `createdAt`,
//! what `leads export` writes besides) are ignored, so an export imports
//! back as it is. Any other column is refused, so that a misspelt one
//! cannot drop its data silently. An empty cell leaves its field out.

use std::path::Path;

use liner::{Lead, NewLead};
use serde_json::{Map, Value};

use crate::cli::Format;
use crate::exit::Failure;
use crate::schema_fields::{self, Field};

/// A valid row.
///
/// Every row of a file is held until the import ends (all are checked
/// before the first is sent), so a row keeps its create body as compact
/// JSON, not as a `NewLead`: the generated struct reserves room for every
/// optional field, set or not, which made a row of five columns cost more
/// than twice as much.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its place among the file's rows, from 0 (the header aside).
    pub index: usize,
    /// Its line in the file, from 1.
    pub line: u64,
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
}

/// The file, read.
#[derive(Debug, Default)]
pub struct Rows {
    /// How it was read, in words: "UTF-8, delimiter ';'".
    pub read_as: String,
    /// Rows whose phones were rewritten (spaces, dashes, ... dropped).
    pub phones_tidied: usize,
    options: ReadOptions,
    pub valid: Vec<Row>,
    pub invalid: Vec<Invalid>,
    /// Columns of the lead that are not part of a create, left out.
    pub ignored: Vec<String>,
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

/// Reads `path` as `format`.
/// Whether `path` is `-`: the rows come from stdin.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads `path` (`-`: stdin) as `format`.
pub fn read(path: &Path, format: Format, options: ReadOptions) -> Result<Rows, Failure> {
    let bytes = if is_stdin(path) {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
            .map_err(|err| Failure::local(format!("cannot read stdin: {err}")))?;
        bytes
    } else {
        std::fs::read(path)
            .map_err(|err| Failure::local(format!("cannot read {}: {err}", path.display())))?
    };
    let columns = Columns::new();
    if format == Format::Xlsx {
        let sheet = crate::xlsx::read(&bytes, options.sheet.as_deref())
            .map_err(|problem| Failure::local(format!("{}: {problem}", path.display())))?;
        let mut rows = Rows {
            options,
            read_as: format!(
                "an Excel workbook, sheet `{}`",
                crate::text::one_line(&sheet.name, 80)
            ),
            ..Rows::default()
        };
        read_sheet(sheet, &columns, path, &mut rows)?;
        return Ok(rows);
    }
    if options.sheet.is_some() {
        return Err(Failure::usage(format!(
            "--sheet picks a sheet of an Excel workbook, and {} is read as {}",
            path.display(),
            format.describe()
        )));
    }
    let text = super::source::decode(&bytes, options.encoding)
        .map_err(|problem| Failure::local(format!("{}: {problem}", path.display())))?;
    let mut rows = Rows {
        options,
        read_as: text.encoding.to_owned(),
        ..Rows::default()
    };
    match format {
        Format::Csv => read_csv(&text.text, &columns, path, &mut rows)?,
        Format::Jsonl => read_jsonl(&text.text, &columns, &mut rows)?,
        Format::Json => read_json_array(&text.text, &columns, path, &mut rows)?,
        Format::Xlsx => unreachable!("read above"),
    }
    Ok(rows)
}

/// Checks a header: each name once, every one a field of the lead; the
/// lead's fields a create does not take are noted in `rows.ignored`.
fn check_header<'h>(
    header: impl IntoIterator<Item = &'h str>,
    columns: &Columns,
    path: &Path,
    rows: &mut Rows,
) -> Result<(), Failure> {
    let mut seen: Vec<&str> = Vec::new();
    for name in header {
        if seen.contains(&name) {
            return Err(Failure::local(format!(
                "{}: the column `{}` appears twice",
                path.display(),
                crate::text::one_line(name, 80)
            )));
        }
        seen.push(name);
        if columns.is_lead_only(name) {
            rows.ignored.push(name.to_owned());
        } else if !columns.is_create(name) {
            return Err(Failure::local(format!(
                "{}: {}",
                path.display(),
                columns.refused(name)
            )));
        }
    }
    Ok(())
}

/// A workbook's sheet: its first non-empty row is the header; each row's
/// number is its row in the sheet, as Excel shows it.
fn read_sheet(
    sheet: crate::xlsx::Sheet,
    columns: &Columns,
    path: &Path,
    rows: &mut Rows,
) -> Result<(), Failure> {
    // Trailing empty header cells (a sheet formatted wider than its data)
    // name no column.
    let width = sheet
        .header
        .iter()
        .rposition(|name| !name.is_empty())
        .map_or(0, |last| last + 1);
    let header = &sheet.header[..width];
    check_header(header.iter().map(String::as_str), columns, path, rows)?;
    for (index, (number, cells)) in sheet.rows.into_iter().enumerate() {
        let beyond = cells.iter().skip(width).any(|cell| !cell.is_empty());
        let object = if beyond {
            Err(vec![format!(
                "a value right of the last named column ({} columns)",
                width
            )])
        } else {
            let cells = header
                .iter()
                .map(String::as_str)
                .zip(cells.iter().map(String::as_str));
            schema_fields::object_from_text(&columns.create, cells)
        };
        rows.push(index, number, object);
    }
    Ok(())
}

/// A JSON array of objects; each one's line is where it starts.
fn read_json_array(
    text: &str,
    columns: &Columns,
    path: &Path,
    rows: &mut Rows,
) -> Result<(), Failure> {
    let items: Vec<&serde_json::value::RawValue> = serde_json::from_str(text).map_err(|err| {
        Failure::local(format!(
            "{}: not a JSON array of leads: {err} (a file of one object per line is JSON              Lines: name it .jsonl, or pass --format jsonl)",
            path.display()
        ))
    })?;
    for (index, item) in items.into_iter().enumerate() {
        // The item borrows from `text`: where it starts tells its line.
        let start = (item.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        let line = text.as_bytes()[..start.min(text.len())]
            .iter()
            .filter(|&&byte| byte == b'\n')
            .count() as u64
            + 1;
        let object = match serde_json::from_str::<Value>(item.get()) {
            Ok(Value::Object(object)) => object_from_json(object, columns, &mut rows.ignored),
            Ok(_) => Err(vec!["not a JSON object".to_owned()]),
            Err(err) => Err(vec![format!("not JSON: {err}")]),
        };
        rows.push(index, line, object);
    }
    Ok(())
}

fn read_csv(text: &str, columns: &Columns, path: &Path, rows: &mut Rows) -> Result<(), Failure> {
    let delimiter = rows.options.delimiter.unwrap_or_else(|| {
        let header = text.lines().next().unwrap_or_default();
        super::source::detect_delimiter(header, |name| {
            columns.is_create(name) || columns.is_lead_only(name)
        })
    });
    rows.read_as = format!("{}, delimiter {delimiter}", rows.read_as);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter.byte())
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|err| Failure::local(format!("{}: {err}", path.display())))?
        .clone();
    check_header(headers.iter(), columns, path, rows)?;
    for (index, record) in reader.records().enumerate() {
        let (line, object) = match record {
            Ok(record) => {
                let line = record.position().map_or(0, |position| position.line());
                let cells = headers.iter().zip(record.iter());
                (
                    line,
                    schema_fields::object_from_text(&columns.create, cells),
                )
            }
            Err(err) => {
                let line = err.position().map_or(0, |position| position.line());
                (line, Err(vec![err.to_string()]))
            }
        };
        rows.push(index, line, object);
    }
    Ok(())
}

fn read_jsonl(text: &str, columns: &Columns, rows: &mut Rows) -> Result<(), Failure> {
    let mut index = 0;
    for (at, line) in text.lines().enumerate() {
        let line_number = at as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => object_from_json(object, columns, &mut rows.ignored),
            Ok(_) => Err(vec!["not a JSON object".to_owned()]),
            Err(err) => Err(vec![format!("not JSON: {err}")]),
        };
        rows.push(index, line_number, object);
        index += 1;
    }
    Ok(())
}

/// The create fields of a JSON object; its lead-only keys are noted in
/// `ignored`, any other key is a problem.
fn object_from_json(
    object: Map<String, Value>,
    columns: &Columns,
    ignored: &mut Vec<String>,
) -> Result<Map<String, Value>, Vec<String>> {
    let mut kept = Map::new();
    let mut problems = Vec::new();
    for (name, value) in object {
        if columns.is_create(&name) {
            if !value.is_null() {
                kept.insert(name, value);
            }
        } else if columns.is_lead_only(&name) {
            if !ignored.contains(&name) {
                ignored.push(name);
            }
        } else {
            problems.push(columns.refused(&name));
        }
    }
    if problems.is_empty() {
        Ok(kept)
    } else {
        Err(problems)
    }
}

impl Rows {
    fn push(&mut self, index: usize, line: u64, object: Result<Map<String, Value>, Vec<String>>) {
        let object = object.and_then(|mut object| {
            let tidied = super::phones::tidy(&mut object, self.options.domestic_8_as_7);
            if !tidied.problems.is_empty() {
                return Err(tidied.problems);
            }
            self.phones_tidied += usize::from(tidied.changed);
            Ok(object)
        });
        match object.and_then(|object| {
            let phone = object
                .get("phone")
                .and_then(Value::as_str)
                .map(str::to_owned);
            new_lead(object).map_err(|problems| with_phone(problems, phone.as_deref()))
        }) {
            Ok(lead) => self.valid.push(Row::new(index, line, &lead)),
            Err(problems) => self.invalid.push(Invalid { line, problems }),
        }
    }
}

/// `problems`, a phone's with the value that was refused (bounded and
/// escaped: the operator looks for it in the file).
fn with_phone(problems: Vec<String>, phone: Option<&str>) -> Vec<String> {
    problems
        .into_iter()
        .map(|problem| match phone {
            Some(phone)
                if problem.starts_with("invalid phone") || problem.starts_with("phone:") =>
            {
                format!(
                    "{problem} (the phone: {})",
                    crate::text::one_line(phone, 40)
                )
            }
            _ => problem,
        })
        .collect()
}

/// The create body an object stands for, checked as the client checks it
/// before sending.
fn new_lead(object: Map<String, Value>) -> Result<NewLead, Vec<String>> {
    let lead: NewLead = serde_path_to_error::deserialize(Value::Object(object)).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        vec![if path == "." {
            message
        } else {
            format!("{path}: {message}")
        }]
    })?;
    liner::Draft::from(lead)
        .build()
        .map_err(|err| vec![err.to_string()])
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

#[cfg(test)]
mod tests;
