//! What `leads export` writes, `leads import` reads back: a JSON array, CSV
//! shaped for Excel (a byte-order mark, `;`, CRLF), and an Excel workbook
//! each carry every field a create takes, unchanged, from one server to
//! another.

mod support;

use std::path::Path;

use liner_fake::Config;
use serde_json::{Map, Value};
use support::Fake;

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The fields a create takes, from the create body's schema.
fn create_fields() -> Vec<String> {
    let schema = serde_json::to_value(schemars::schema_for!(liner::NewLead)).unwrap();
    schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// The create fields whose schema takes a string or an integer.
fn string_or_integer_fields() -> Vec<String> {
    let schema = serde_json::to_value(schemars::schema_for!(liner::NewLead)).unwrap();
    schema["properties"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, property)| {
            // With the definitions it refers to (an optional field's
            // schema is `anyOf` a `$ref` and `null`).
            let own = property.to_string();
            let mut text = own.clone();
            for part in own.split("#/definitions/").skip(1) {
                let name = part.split('"').next().unwrap_or_default();
                text.push_str(&schema["definitions"][name].to_string());
            }
            text.contains("\"string\"") && text.contains("\"integer\"")
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether `value` says nothing: a cell cannot tell an empty text or map
/// from an absent one (an empty cell leaves its field out), and the server
/// writes an empty map as `[]`, as PHP does.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(members) => members.is_empty(),
        _ => false,
    }
}

/// Each lead's create fields that say something, sorted.
fn as_created(leads: impl IntoIterator<Item = Map<String, Value>>) -> Vec<Map<String, Value>> {
    let fields = create_fields();
    let either = string_or_integer_fields();
    let mut leads: Vec<Map<String, Value>> = leads
        .into_iter()
        .map(|lead| {
            lead.into_iter()
                .filter(|(key, value)| fields.contains(key) && !is_empty(value))
                .collect::<Map<String, Value>>()
        })
        .map(|mut lead| {
            // A field whose schema takes a string or an integer (`vkId`)
            // holds the same id either way; a cell of digits is sent as a
            // number.
            for field in &either {
                if let Some(Value::Number(number)) = lead.get(field) {
                    let text = number.to_string();
                    lead.insert(field.clone(), Value::String(text));
                }
            }
            lead
        })
        .collect();
    leads.sort_by_key(|lead| Value::Object(lead.clone()).to_string());
    leads
}

/// Exports 120 seeded leads to `name` with `args`, checks the file with
/// `check`, imports it into an empty server (the rows a create refuses
/// skipped: exit 6, settled), and compares.
fn round_trip(name: &str, args: &[&str], check: impl Fn(&[u8])) {
    let source = Fake::start(Config::default().with_leads(120));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    let output = source
        .liner()
        .args(["leads", "export", "--output"])
        .arg(&file)
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    check(&std::fs::read(&file).unwrap());

    let target = Fake::start(Config::default().with_leads(0));
    let output = target
        .liner()
        .args(["leads", "import", "--skip-invalid"])
        .arg(&file)
        .output()
        .unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(6), "{text}");
    assert!(text.contains(" 3 invalid;"), "{text}");
    let exported =
        source
            .leads()
            .into_iter()
            .map(|lead| match serde_json::to_value(lead).unwrap() {
                Value::Object(lead) => lead,
                _ => unreachable!(),
            });
    // The leads a create takes (the seeded ones include a `leadType` the
    // server reports but a create refuses): what the import must reproduce.
    let mut expected = as_created(exported);
    expected.retain(|lead| {
        serde_json::from_value::<liner::NewLead>(Value::Object(lead.clone())).is_ok()
    });
    assert_eq!(expected.len(), 117);
    assert!(
        expected.iter().any(|lead| lead.len() > 6),
        "the seeded leads set optional fields too"
    );
    let imported = as_created(target.server.created_leads());
    assert_eq!(imported.len(), expected.len());
    for (imported, expected) in imported.iter().zip(&expected) {
        assert_eq!(
            Value::Object(imported.clone()).to_string(),
            Value::Object(expected.clone()).to_string()
        );
    }
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

#[test]
fn a_json_array_round_trips() {
    round_trip("leads.json", &[], |bytes| {
        let leads: Vec<Value> = serde_json::from_slice(bytes).expect("one JSON array");
        assert_eq!(leads.len(), 120);
        assert!(text(bytes).starts_with("[\n{"), "one lead a line");
    });
}

#[test]
fn a_csv_for_excel_round_trips() {
    round_trip("leads.csv", &["--excel"], |bytes| {
        let text = text(bytes);
        assert!(text.starts_with("\u{feff}id;"), "{}", &text[..40]);
        assert_eq!(text.matches("\r\n").count(), 121, "CRLF after every row");
    });
}

#[test]
fn an_excel_workbook_round_trips() {
    round_trip("leads.xlsx", &[], |bytes| {
        assert!(bytes.starts_with(b"PK\x03\x04"), "a zip container");
    });
}

/// A workbook as an operator makes it: the sheet chosen by name, phones
/// typed as numbers (Excel keeps them as numbers), and a row whose cell is
/// wrong named by its row number in the sheet.
#[test]
fn an_operators_workbook_imports_with_its_rows_named() {
    let fake = Fake::start(Config::default().with_leads(0));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("лиды.xlsx");
    write_workbook(&file);
    let output = fake
        .liner()
        .args(["leads", "import", "--sheet", "Лиды"])
        .arg(&file)
        .output()
        .unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("as an Excel workbook, sheet `Лиды`"),
        "{text}"
    );
    assert!(
        text.contains("лиды.xlsx:4: orderId: not an integer"),
        "{text}"
    );
    assert!(fake.server.created_leads().is_empty());

    let output = fake
        .liner()
        .args(["leads", "import", "--sheet", "Лиды", "--skip-invalid"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let phones: Vec<String> = fake
        .server
        .created_leads()
        .iter()
        .map(|lead| lead["phone"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(phones, ["79001112233"]);

    let output = fake
        .liner()
        .args(["leads", "import", "--sheet", "Sheet9"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("no sheet named `Sheet9`; the workbook has `Notes`, `Лиды`"),
        "{}",
        stderr(&output)
    );
}

/// A workbook with a notes sheet first, then the leads: a header, a row
/// whose phone is a number cell, and a row with text in its order id.
fn write_workbook(path: &Path) {
    use rust_xlsxwriter::Workbook;
    let mut workbook = Workbook::new();
    workbook
        .add_worksheet()
        .set_name("Notes")
        .unwrap()
        .write(0, 0, "imported from amoCRM")
        .unwrap();
    let sheet = workbook.add_worksheet().set_name("Лиды").unwrap();
    for (col, name) in ["leadType", "phone", "orderId", "orderCode", "name"]
        .iter()
        .enumerate()
    {
        sheet.write(1, col as u16, *name).unwrap();
    }
    sheet.write(2, 0, "straight").unwrap();
    sheet.write(2, 1, 79_001_112_233_f64).unwrap();
    sheet.write(2, 2, 202).unwrap();
    sheet.write(2, 3, "X-1").unwrap();
    sheet.write(2, 4, "Анна").unwrap();
    sheet.write(3, 0, "straight").unwrap();
    sheet.write(3, 1, "+79001112234").unwrap();
    sheet.write(3, 2, "двести").unwrap();
    sheet.write(3, 3, "X-2").unwrap();
    workbook.save(path).unwrap();
}

#[test]
fn a_plain_csv_round_trips() {
    round_trip("leads.csv", &[], |bytes| {
        assert!(text(bytes).starts_with("id,"));
    });
}

#[test]
fn json_lines_round_trip() {
    round_trip("leads.jsonl", &[], |bytes| {
        assert_eq!(text(bytes).lines().count(), 120);
    });
}

/// The workbook, read back with calamine, holds every lead of the JSON
/// Lines export of the same server, cell by cell, with its type: numbers as
/// numbers, text as text, a map as its JSON, nothing where the lead has
/// nothing.
#[test]
fn every_cell_of_the_workbook_is_the_leads() {
    use calamine::{Data, Reader as _};
    let fake = Fake::start(Config::default().with_leads(120));
    let dir = tempfile::tempdir().unwrap();
    let export = |name: &str| {
        let file = dir.path().join(name);
        let output = fake
            .liner()
            .args(["leads", "export", "--output"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        std::fs::read(&file).unwrap()
    };
    let leads: Vec<Value> = text(&export("leads.jsonl"))
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let workbook = export("leads.xlsx");
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(workbook)).unwrap();
    assert_eq!(workbook.sheet_names(), ["leads"]);
    let range = workbook.worksheet_range("leads").unwrap();
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .unwrap()
        .iter()
        .map(|cell| cell.to_string())
        .collect();
    assert_eq!(header[0], "id");
    let rows: Vec<&[Data]> = rows.collect();
    assert_eq!(rows.len(), leads.len());
    let mut compared = 0;
    for (row, lead) in rows.iter().zip(&leads) {
        for (name, cell) in header.iter().zip(row.iter()) {
            let expected = match lead.get(name) {
                None | Some(Value::Null) => Data::Empty,
                Some(Value::Number(number)) => Data::Float(number.as_f64().unwrap()),
                Some(Value::String(text)) if text.is_empty() => Data::Empty,
                Some(Value::String(text)) => Data::String(text.clone()),
                Some(Value::Bool(flag)) => Data::Bool(*flag),
                Some(other) => Data::String(other.to_string()),
            };
            assert_eq!(cell, &expected, "lead {} column {name}", lead["id"]);
            compared += 1;
        }
    }
    assert_eq!(compared, 120 * header.len());
}
