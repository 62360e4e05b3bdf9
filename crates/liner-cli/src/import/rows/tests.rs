use super::*;

fn read_text(name: &str, text: &str, format: Format) -> Result<Rows, Failure> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    read(&path, format, ReadOptions::default())
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
