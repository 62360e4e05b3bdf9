//! The files operators have: a CSV saved by Excel in a Russian locale (`;`
//! between fields, Windows-1251, CRLF), UTF-8 with a byte-order mark, phones
//! as people type them, and the Russian domestic `8…` form.

mod support;

use liner_fake::Config;
use support::Fake;

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `liner leads import FILE ARGS...` against `fake`.
fn import(fake: &Fake, file: &std::path::Path, args: &[&str]) -> std::process::Output {
    fake.liner()
        .args(["leads", "import"])
        .args(args)
        .arg(file)
        .output()
        .unwrap()
}

#[test]
fn a_csv_from_excel_in_a_russian_locale_imports() {
    let fake = Fake::start(Config::default().with_leads(0));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("лиды.csv");
    let text = "leadType;phone;orderId;orderCode;name\r\n\
                straight;+7 (900) 111-22-33;202;З-1;Анна Петрова\r\n\
                selection;+7 900 111 22 34;202;З-2;Иван Иванов\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    std::fs::write(&file, &bytes).unwrap();
    let output = import(&fake, &file, &[]);
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("as Windows-1251 (it is not UTF-8; --encoding utf-8 refuses such a file instead), delimiter ';'; 2 row(s) had their phones tidied"),
        "{text}"
    );
    let mut leads: Vec<(String, String, String)> = fake
        .server
        .created_leads()
        .iter()
        .map(|lead| {
            let text = |key: &str| lead[key].as_str().unwrap().to_owned();
            (text("orderCode"), text("name"), text("phone"))
        })
        .collect();
    leads.sort();
    assert_eq!(
        leads,
        [
            ("З-1".into(), "Анна Петрова".into(), "+79001112233".into()),
            ("З-2".into(), "Иван Иванов".into(), "+79001112234".into()),
        ]
    );
    // Said to be UTF-8, the file is refused, and told what to do.
    let output = import(&fake, &file, &["--encoding", "utf-8"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("pass --encoding windows-1251"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_utf8_csv_with_a_byte_order_mark_imports() {
    let fake = Fake::start(Config::default().with_leads(0));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bom.csv");
    std::fs::write(
        &file,
        "\u{feff}leadType,phone,orderId,orderCode,name\nstraight,79001112233,202,B-1,Ольга\n",
    )
    .unwrap();
    let output = import(&fake, &file, &[]);
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("as UTF-8 with a byte-order mark, delimiter ','"),
        "{text}"
    );
    assert_eq!(fake.server.created_leads()[0]["name"], "Ольга");
}

/// `89001112233` is refused, naming the option; with it, it is sent as
/// `79001112233`. A phone still invalid after tidying is reported with its
/// line and its value.
#[test]
fn domestic_and_invalid_phones() {
    let fake = Fake::start(Config::default().with_leads(0));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tabs.csv");
    std::fs::write(
        &file,
        "leadType\tphone\torderId\torderCode\n\
         straight\t8 (900) 111-22-33\t202\tD-1\n",
    )
    .unwrap();
    let output = import(&fake, &file, &[]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("tabs.csv:2: phone: 89001112233 looks like a Russian domestic number"),
        "{text}"
    );
    assert!(text.contains("--domestic-8-as-7"), "{text}");
    let output = import(&fake, &file, &["--domestic-8-as-7"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(fake.server.created_leads()[0]["phone"], "79001112233");

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "leadType,phone,orderId,orderCode\nstraight,+7 900 CALL ME,202,X\n",
    )
    .unwrap();
    let output = import(&fake, &bad, &[]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("bad.csv:2:") && text.contains("+7900CALLME"),
        "{text}"
    );
}

/// `-` reads the rows from stdin; the journal must then be named, since it
/// cannot be put beside a file.
#[test]
fn rows_from_stdin_take_a_named_journal() {
    let fake = Fake::start(Config::default().with_leads(0));
    let dir = tempfile::tempdir().unwrap();
    let csv = "leadType;phone;orderId;orderCode\nstraight;79001112233;202;S-1\n";
    let output = fake
        .liner()
        .args(["leads", "import", "-", "--format", "csv"])
        .write_stdin(csv)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("pass --journal PATH"),
        "{}",
        stderr(&output)
    );
    let journal = dir.path().join("stdin.journal");
    for _ in 0..2 {
        let output = fake
            .liner()
            .args(["leads", "import", "-", "--format", "csv", "--journal"])
            .arg(&journal)
            .write_stdin(csv)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert_eq!(
        fake.server.created_leads().len(),
        1,
        "the second run resumed"
    );
}
