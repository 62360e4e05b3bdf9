//! Excel workbooks (`.xlsx`): a sheet of leads written as it streams
//! (`leads export --format xlsx`), and a sheet read into rows of text
//! (`leads import leads.xlsx`).
//!
//! Cells are typed: integers and other numbers are numbers, `true`/`false`
//! are booleans, text is text (never a formula, whatever it starts with),
//! and a list or a map (`customValues`) is its JSON text. Dates stay the
//! text the server sent: an Excel cell has no time zone, and the offset a
//! server writes (or leaves out) is part of the data.

use std::io::{self, Write};

use calamine::{Data, Reader as _};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde_json::Value;

/// The most rows a sheet holds (Excel's limit), its header included.
pub const MAX_ROWS: u32 = 1_048_576;

/// The most characters a cell holds (Excel's limit).
const MAX_CELL_CHARS: usize = 32_767;

/// The largest integer a cell (an `f64`) holds exactly; larger ones are
/// written as text, so that no id or phone is rounded.
const MAX_EXACT_INTEGER: u64 = 1 << 53;

fn io_error(err: XlsxError) -> io::Error {
    io::Error::other(format!("cannot write the workbook: {err}"))
}

/// A workbook of one sheet, `leads`: a bold header row, frozen, then one row
/// per lead, written into a temporary file as they come (constant memory);
/// the workbook goes to the output when finished.
pub struct SheetWriter<W: Write + Send> {
    workbook: Workbook,
    out: W,
    columns: Vec<String>,
    /// The next row to write (0 is the header).
    next_row: u32,
}

impl<W: Write + Send> SheetWriter<W> {
    /// A workbook whose sheet has `columns` as its header.
    pub fn new(out: W, columns: Vec<String>) -> io::Result<Self> {
        let mut workbook = Workbook::new();
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(io_error)?;
        sheet.set_name("leads").map_err(io_error)?;
        let bold = Format::new().set_bold();
        for (at, name) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, column(at)?, name, &bold)
                .map_err(io_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(io_error)?;
        Ok(Self {
            workbook,
            out,
            columns,
            next_row: 1,
        })
    }

    /// Writes `lead` (a JSON object) as the next row.
    pub fn row(&mut self, lead: &Value) -> io::Result<()> {
        if self.next_row >= MAX_ROWS {
            return Err(io::Error::other(format!(
                "an Excel sheet holds at most {} leads below its header: export to CSV or JSON \
                 Lines, or filter the export (--order-id, --created-from)",
                MAX_ROWS - 1
            )));
        }
        let row = self.next_row;
        let sheet = self.workbook.worksheet_from_index(0).map_err(io_error)?;
        for (at, name) in self.columns.iter().enumerate() {
            let Some(value) = lead.get(name) else {
                continue;
            };
            write_cell(sheet, row, column(at)?, value).map_err(|err| {
                io::Error::other(format!(
                    "the lead {}: its field {name}: {err}",
                    lead.get("id").unwrap_or(&Value::Null)
                ))
            })?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// Writes the workbook into the output, and gives the output back.
    pub fn finish(mut self) -> io::Result<W> {
        self.workbook
            .save_to_writer(&mut self.out)
            .map_err(io_error)?;
        Ok(self.out)
    }
}

/// Column `at`, as the writer counts them.
fn column(at: usize) -> io::Result<u16> {
    u16::try_from(at).map_err(|_| io::Error::other("more columns than a sheet holds"))
}

fn write_cell(sheet: &mut Worksheet, row: u32, col: u16, value: &Value) -> io::Result<()> {
    let written = match value {
        Value::Null => return Ok(()),
        Value::Bool(flag) => sheet.write_boolean(row, col, *flag),
        Value::Number(number) => match exact_f64(number) {
            Some(float) => sheet.write_number(row, col, float),
            None => sheet.write_string(row, col, number.to_string()),
        },
        Value::String(text) => {
            if text.chars().count() > MAX_CELL_CHARS {
                return Err(io::Error::other(format!(
                    "more than {MAX_CELL_CHARS} characters, the most an Excel cell holds: export \
                     to CSV or JSON Lines"
                )));
            }
            sheet.write_string(row, col, text)
        }
        other => sheet.write_string(row, col, other.to_string()),
    };
    written.map(|_| ()).map_err(io_error)
}

/// `number` as an `f64` if that loses nothing a person would see: an integer
/// up to 2^53, or a fraction.
fn exact_f64(number: &serde_json::Number) -> Option<f64> {
    if let Some(unsigned) = number.as_u64() {
        return (unsigned <= MAX_EXACT_INTEGER).then_some(unsigned as f64);
    }
    if let Some(signed) = number.as_i64() {
        return (signed.unsigned_abs() <= MAX_EXACT_INTEGER).then_some(signed as f64);
    }
    number.as_f64()
}

/// A sheet read as text: its header and rows, each row with its number in
/// the sheet (from 1, as Excel shows it).
#[derive(Debug)]
pub struct Sheet {
    /// The sheet's name.
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads sheet `name` (default: the first) of the workbook in `bytes`.
///
/// A cell becomes the text a person sees: a whole number without `.0` (a
/// phone typed as a number, 79001112233, stays those digits), `true` or
/// `false`. An error cell (`#N/A`) is a problem of its row. Empty rows are
/// skipped.
pub fn read(bytes: &[u8], name: Option<&str>) -> Result<Sheet, String> {
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(io::Cursor::new(bytes))
            .map_err(|err| format!("not an Excel workbook (.xlsx): {err}"))?;
    let names = workbook.sheet_names();
    let name = match name {
        Some(name) if names.iter().any(|sheet| sheet == name) => name.to_owned(),
        Some(name) => {
            return Err(format!(
                "no sheet named `{}`; the workbook has {}",
                crate::text::one_line(name, 80),
                names
                    .iter()
                    .map(|sheet| format!("`{}`", crate::text::one_line(sheet, 80)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| "the workbook has no sheet".to_owned())?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|err| format!("cannot read the sheet `{name}`: {err}"))?;
    let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
    let first_column = range.start().map_or(0, |(_, column)| column);
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(at, cells)| (first_row + at as u64 + 1, cells))
        .filter(|(_, cells)| cells.iter().any(|cell| !matches!(cell, Data::Empty)));
    let Some((_, header)) = rows.next() else {
        return Err(format!("the sheet `{name}` is empty"));
    };
    // Columns left of the used range are empty: a header must start at A.
    let leading = vec![String::new(); first_column as usize];
    let header: Vec<String> = leading
        .iter()
        .cloned()
        .chain(header.iter().map(text_of))
        .collect();
    let rows = rows
        .map(|(number, cells)| {
            let cells = leading
                .iter()
                .cloned()
                .chain(cells.iter().map(text_of))
                .collect();
            (number, cells)
        })
        .collect();
    Ok(Sheet { name, header, rows })
}

/// A cell as text (an error cell as `#ERROR` text, which no field takes).
fn text_of(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::Float(float) if float.fract() == 0.0 && float.abs() < 1e15 => {
            format!("{}", *float as i64)
        }
        Data::Error(error) => format!("#{error:?}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A workbook written by the sheet writer reads back as the same text,
    /// with its cells typed.
    #[test]
    fn a_written_sheet_reads_back() {
        let columns = vec!["id".to_owned(), "phone".to_owned(), "name".to_owned()];
        let mut writer = SheetWriter::new(Vec::new(), columns).unwrap();
        writer
            .row(&json!({"id": 7, "phone": "+79001112233", "name": "Анна =1+1"}))
            .unwrap();
        writer
            .row(&json!({"id": 9_007_199_254_740_993_u64, "name": null, "phone": "7"}))
            .unwrap();
        let bytes = writer.finish().unwrap();

        let sheet = read(&bytes, None).unwrap();
        assert_eq!(sheet.name, "leads");
        assert_eq!(sheet.header, ["id", "phone", "name"]);
        assert_eq!(
            sheet.rows,
            [
                (
                    2,
                    vec!["7".into(), "+79001112233".into(), "Анна =1+1".into()]
                ),
                (
                    3,
                    vec!["9007199254740993".into(), "7".into(), String::new()]
                ),
            ]
        );
        let mut workbook: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(io::Cursor::new(&bytes)).unwrap();
        let range = workbook.worksheet_range("leads").unwrap();
        assert_eq!(range.get((1, 0)), Some(&Data::Float(7.0)), "a number cell");
        assert!(
            matches!(range.get((2, 0)), Some(Data::String(_))),
            "an id above 2^53 is text, not a rounded number"
        );

        assert!(
            read(&bytes, Some("Лист1"))
                .unwrap_err()
                .contains("no sheet named `Лист1`; the workbook has `leads`")
        );
        assert!(
            read(b"id,phone\n", None)
                .unwrap_err()
                .starts_with("not an Excel workbook")
        );
    }

    #[test]
    fn a_cell_longer_than_excel_holds_is_refused_with_its_lead() {
        let mut writer = SheetWriter::new(Vec::new(), vec!["id".into(), "name".into()]).unwrap();
        let err = writer
            .row(&json!({"id": 5, "name": "x".repeat(MAX_CELL_CHARS + 1)}))
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the lead 5: its field name: more than 32767 characters"),
            "{err}"
        );
    }
}
