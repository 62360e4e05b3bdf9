use super::*;

/// A file's rows, read whole.
#[derive(Debug)]
struct Read {
    ignored: Vec<String>,
    valid: Vec<Row>,
    invalid: Vec<Invalid>,
}

fn read_text(name: &str, text: &str, format: Format) -> Result<Read, Failure> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let mut rows = read(&Input::File(path), format, ReadOptions::default())?;
    let (mut valid, mut invalid) = (Vec::new(), Vec::new());
    for item in rows.by_ref() {
        match item? {
            Item::Valid(row) => valid.push(row),
            Item::Invalid(row) => invalid.push(row),
        }
    }
    Ok(Read {
        ignored: rows.ignored,
        valid,
        invalid,
    })
}

#[test]
fn csv_rows_are_checked_and_every_problem_reported() {
    let rows = read_text(
        "leads.csv",
        "id,leadType,phone,orderId,orderCode,name,customValues\n\
         1,straight,79001234567,202,A-1,Ada,\"{\"\"10\"\":\"\"hot\"\"}\"\n\
         2,vip,79001234567,202,A-2,,\n\
         3,straight,12,x,A-3,,\n\
         4,selection,+79001234568,203,A-4,,\n",
        Format::Csv,
    )
    .unwrap();
    assert_eq!(rows.ignored, ["id"]);
    let valid: Vec<(usize, u64, String)> = rows
        .valid
        .iter()
        .map(|row| (row.index, row.line, row.lead().order_code))
        .collect();
    assert_eq!(valid, [(0, 2, "A-1".into()), (3, 5, "A-4".into())]);
    assert_eq!(rows.valid[0].lead().name.as_deref(), Some("Ada"));
    let invalid: Vec<(u64, &[String])> = rows
        .invalid
        .iter()
        .map(|row| (row.line, row.problems.as_slice()))
        .collect();
    assert_eq!(invalid.len(), 2);
    assert_eq!(invalid[0].0, 3);
    assert!(
        invalid[0].1[0].starts_with("leadType: unknown variant"),
        "{:?}",
        invalid[0]
    );
    assert_eq!(invalid[1].0, 4);
    assert_eq!(invalid[1].1, ["orderId: not an integer"]);
}

#[test]
fn an_unknown_column_refuses_the_file() {
    let err = read_text(
        "leads.csv",
        "leadType,phnoe,orderId,orderCode\nstraight,79001234567,1,a\n",
        Format::Csv,
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown column `phnoe`"), "{err}");
}

#[test]
fn jsonl_rows_skip_blank_lines_and_ignore_lead_only_keys() {
    let rows = read_text(
        "leads.jsonl",
        "{\"id\":9,\"leadType\":\"straight\",\"phone\":\"79001234567\",\"orderId\":1,\"orderCode\":\"a\",\"name\":null}\n\
         \n\
         [1]\n\
         {\"leadType\":\"straight\",\"phone\":\"79001234567\",\"orderId\":1,\"orderCode\":\"b\",\"nmae\":\"x\"}\n",
        Format::Jsonl,
    )
    .unwrap();
    assert_eq!(rows.ignored, ["id"]);
    assert_eq!(rows.valid.len(), 1);
    assert_eq!((rows.valid[0].index, rows.valid[0].line), (0, 1));
    let invalid: Vec<u64> = rows.invalid.iter().map(|r| r.line).collect();
    assert_eq!(invalid, [3, 4]);
    assert!(rows.invalid[1].problems[0].contains("unknown column `nmae`"));
}

#[test]
fn fingerprints_are_stable() {
    let lead = liner::NewLead::new(liner::LeadType::Straight, "79001234567", 202, "A-1")
        .build()
        .unwrap();
    // Pinned: a journal written today must match tomorrow's build.
    assert_eq!(
        serde_json::to_string(&lead).unwrap(),
        r#"{"leadType":"straight","orderCode":"A-1","orderId":202,"phone":"79001234567"}"#
    );
    assert_eq!(Row::new(0, 2, &lead).key, "28fe355fe64cae14");
    let other = liner::NewLead::new(liner::LeadType::Straight, "79001234567", 202, "A-2")
        .build()
        .unwrap();
    assert_ne!(Row::new(0, 2, &lead).key, Row::new(0, 2, &other).key);
    // A row gives back the body it was made of.
    assert_eq!(
        serde_json::to_value(Row::new(0, 2, &other).lead()).unwrap(),
        serde_json::to_value(&other).unwrap()
    );
}

/// A JSON array's rows are numbered by the line each starts on, counted
/// once over the text.
#[test]
fn json_array_rows_carry_their_lines() {
    let lead = |code: &str| {
        format!(
            "{{\"leadType\":\"straight\",\"phone\":\"79001234567\",\"orderId\":1,\"orderCode\":\"{code}\"}}"
        )
    };
    let text = format!("[\n{},\n\n{}, {}\n]\n", lead("a"), lead("b"), lead("c"));
    let rows = read_text("leads.json", &text, Format::Json).unwrap();
    let lines: Vec<(usize, u64)> = rows.valid.iter().map(|row| (row.index, row.line)).collect();
    assert_eq!(lines, [(0, 2), (1, 4), (2, 4)]);
}

/// Rows stream: a CSV is read a row at a time from a reader, so a row
/// longer than the reader's buffer, and a Windows-1251 file, read as a
/// whole one would.
#[test]
fn csv_rows_stream_through_small_buffers_and_transcoding() {
    let long = "я".repeat(100_000);
    let text = format!(
        "leadType;phone;orderId;orderCode;name\nstraight;79001234567;1;a;{long}\nstraight;79001234568;1;b;Ада\n"
    );
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leads.csv");
    std::fs::write(&path, &cp1251).unwrap();
    let mut rows = read(&Input::File(path), Format::Csv, ReadOptions::default()).unwrap();
    assert!(rows.read_as.starts_with("Windows-1251"), "{}", rows.read_as);
    let names: Vec<String> = rows
        .by_ref()
        .map(|item| match item.unwrap() {
            Item::Valid(row) => row.lead().name.unwrap(),
            Item::Invalid(invalid) => panic!("{invalid:?}"),
        })
        .collect();
    assert_eq!(names, [long, "Ада".to_owned()]);
    // A second pass reads it the same way, without detecting again.
    let options = rows.options();
    assert_eq!(
        options.delimiter,
        Some(super::super::source::Delimiter::Semicolon)
    );
}
