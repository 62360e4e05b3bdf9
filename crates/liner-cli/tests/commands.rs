//! Every command of `liner` against the fake server, and the exit status of
//! each kind of failure.

mod support;

use liner_fake::Config;
use serde_json::Value;
use support::{Fake, liner};

fn json(output: &[u8]) -> Value {
    serde_json::from_slice(output).unwrap_or_else(|err| {
        panic!("{err}: {}", String::from_utf8_lossy(output));
    })
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn lead_get_update_and_call_get() {
    let fake = Fake::start(Config::default().with_leads(20).with_calls(5));
    let output = fake.liner().args(["lead", "get", "7"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let lead = json(&output.stdout);
    assert_eq!(lead["id"], 7);
    // Not a terminal: one line of JSON.
    assert_eq!(output.stdout.iter().filter(|&&b| b == b'\n').count(), 1);

    let output = fake
        .liner()
        .args([
            "lead",
            "update",
            "7",
            "--status-id",
            "12",
            "--name",
            "Ada Lovelace",
            "--custom-values",
            r#"{"10":"hot"}"#,
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let updated = json(&output.stdout);
    assert_eq!(updated["id"], 7);
    assert_eq!(updated["statusId"], 12);
    assert_eq!(updated["name"], "Ada Lovelace");
    assert_eq!(updated["customValues"]["10"], "hot");
    assert_eq!(updated["phone"], lead["phone"], "the rest unchanged");

    let output = fake.liner().args(["call", "get", "3"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json(&output.stdout)["id"], 3);
}

#[test]
fn each_failure_has_its_exit_status_and_one_line() {
    let fake = Fake::start(Config::default().with_leads(3).with_calls(1));
    let cases: [(&str, Vec<&str>, i32, &str); 7] = [
        (
            "an id the API refuses, caught before sending",
            vec!["lead", "get", "0"],
            2,
            "invalid lead_id: must be between 1 and",
        ),
        (
            "a lead that does not exist",
            vec!["lead", "get", "99"],
            3,
            "(HTTP 404)",
        ),
        (
            "an update with no field",
            vec!["lead", "update", "1"],
            2,
            "nothing to update: give at least one field flag",
        ),
        (
            "a flag value of the wrong kind",
            vec!["lead", "update", "1", "--status-id", "twelve"],
            2,
            "--status-id: not an integer",
        ),
        (
            "a value the spec refuses",
            vec!["lead", "update", "1", "--phone", "12"],
            2,
            "--phone: ",
        ),
        (
            "a bad date filter",
            vec!["leads", "export", "--created-from", "yesterday"],
            2,
            "is not an RFC 3339 date-time",
        ),
        (
            "a call that does not exist",
            vec!["call", "get", "2"],
            3,
            "(HTTP 404)",
        ),
    ];
    for (name, args, status, says) in cases {
        let output = fake.liner().args(&args).output().unwrap();
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(status), "{name}: {text}");
        assert!(text.contains(says), "{name}: {text}");
        assert_eq!(text.lines().count(), 1, "{name}: one line: {text}");
        assert!(output.stdout.is_empty(), "{name}");
    }

    let wrong_key = fake
        .liner()
        .env("LINER_API_KEY", "not-the-key")
        .args(["lead", "get", "1"])
        .output()
        .unwrap();
    assert_eq!(wrong_key.status.code(), Some(3), "{}", stderr(&wrong_key));
    assert!(!stderr(&wrong_key).contains("not-the-key"));

    // Nothing listens there: a port that was just free.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let unreachable = liner()
        .env("LINER_BASE_URL", format!("http://{closed}"))
        .env("LINER_API_KEY", "k")
        .args(["lead", "get", "1"])
        .output()
        .unwrap();
    assert_eq!(
        unreachable.status.code(),
        Some(4),
        "{}",
        stderr(&unreachable)
    );
    assert!(
        stderr(&unreachable).contains("cannot connect"),
        "{}",
        stderr(&unreachable)
    );
}

#[test]
fn configuration_comes_from_the_environment_or_a_key_file() {
    let missing = liner().args(["lead", "get", "1"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no base URL: set LINER_BASE_URL or pass --base-url"));

    let fake = Fake::start(Config::default().with_leads(3));
    let no_key = liner()
        .env("LINER_BASE_URL", fake.server.base_url())
        .args(["lead", "get", "1"])
        .output()
        .unwrap();
    assert_eq!(no_key.status.code(), Some(2));
    assert!(
        stderr(&no_key).contains(
            "no API key: set LINER_API_KEY or LINER_API_KEY_FILE, or pass --api-key-file PATH"
        ),
        "{}",
        stderr(&no_key)
    );

    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, format!("{}\n", fake.server.api_key())).unwrap();
    let from_file = liner()
        .args(["--base-url", fake.server.base_url(), "--api-key-file"])
        .arg(&key_file)
        .args(["lead", "get", "2"])
        .output()
        .unwrap();
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    assert_eq!(json(&from_file.stdout)["id"], 2);

    // There is no flag that takes the key itself.
    let flag = liner()
        .args(["--api-key", "secret", "lead", "get", "1"])
        .output()
        .unwrap();
    assert_eq!(flag.status.code(), Some(2));
    assert!(stderr(&flag).contains("unexpected argument '--api-key'"));
}

#[test]
fn fake_mode_needs_no_account() {
    let output = liner()
        .args(["--fake", "lead", "get", "1"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json(&output.stdout)["id"], 1);
}

/// `--adaptive` exports every lead once, as the fixed concurrency does.
#[test]
fn an_adaptive_export_has_every_lead() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("leads.jsonl");
    let output = liner()
        .args(["--fake", "-q", "leads", "export", "--adaptive", "--output"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let ids: Vec<u64> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|line| json(line.as_bytes())["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, (1..=1000).collect::<Vec<_>>());
}

/// `--rate` reaches the client: the fake's 1,000 leads are 10 pages, which
/// at 4 requests a second leave over at least 2.25 s; and a rate of 0 is a
/// usage error before anything is sent.
#[test]
fn the_rate_flag_spaces_the_requests() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("leads.csv");
    let started = std::time::Instant::now();
    let output = liner()
        .args([
            "--fake", "--rate", "4/s", "-q", "leads", "export", "--output",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(2250),
        "{:?}",
        started.elapsed()
    );
    let refused = liner()
        .args(["--fake", "--rate", "0", "lead", "get", "1"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("a rate is at least 1 request a second"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn demo_prints_its_settings_and_serves_until_stopped() {
    use std::io::BufRead as _;

    let mut demo = std::process::Command::new(assert_cmd::cargo::cargo_bin("liner"))
        .args(["demo", "--leads", "5"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(demo.stdout.take().unwrap()).lines();
    let url_line = lines.next().unwrap().unwrap();
    let key_line = lines.next().unwrap().unwrap();
    let url = url_line
        .strip_prefix("export LINER_BASE_URL=")
        .unwrap()
        .to_owned();
    let key = key_line
        .strip_prefix("export LINER_API_KEY=")
        .unwrap()
        .to_owned();
    let output = liner()
        .env("LINER_BASE_URL", &url)
        .env("LINER_API_KEY", &key)
        .args(["leads", "export"])
        .output()
        .unwrap();
    demo.kill().unwrap();
    demo.wait().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 5);
}
