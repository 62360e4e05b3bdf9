//! The export's progress bar, seen as a user sees it: stderr is a
//! pseudo-terminal, and what the bar drew there is read back. Piped, stderr
//! carries the summary only.
// Linux only: the pseudo-terminal calls are checked there (rustix's `openpt`
// with `CLOEXEC`, and EIO from the terminal's other end once it is closed).
#![cfg(target_os = "linux")]

mod support;

use std::io::Read as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use liner_fake::{Config, Faults, Latency};
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use support::Fake;

/// A fake whose every answer comes 150 ms late, so that a command lasts
/// long enough for its bar to be drawn after the total is known.
fn slow_fake() -> Fake {
    Fake::start(
        Config::default().with_leads(500).with_faults(
            Faults::default().with_latency(Latency::Fixed(Duration::from_millis(150))),
        ),
    )
}

/// 500 leads in 5 pages of 100, one page at a time.
const EXPORT: [&str; 5] = ["leads", "export", "--concurrency", "1", "--output"];

/// Runs `command` with a pseudo-terminal as its stderr; returns whether it
/// succeeded and everything it drew there.
fn on_a_terminal(mut command: std::process::Command) -> (bool, String) {
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(ptsname(&master, Vec::new()).unwrap().to_str().unwrap())
        .unwrap();
    let mut child = command
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(terminal)
        .spawn()
        .unwrap();
    // `command` holds this process's copy of the terminal's end.
    drop(command);
    // The command's stderr is the only open end of the terminal: reading
    // ends (EIO) once the command has exited.
    let reader = std::thread::spawn(move || {
        let mut master = std::fs::File::from(master);
        let mut drawn = Vec::new();
        let mut buffer = [0u8; 4096];
        while let Ok(read @ 1..) = master.read(&mut buffer) {
            drawn.extend_from_slice(&buffer[..read]);
        }
        String::from_utf8_lossy(&drawn).into_owned()
    });
    // Bounded: a command that hangs is killed and the test fails.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the command did not end within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.success(), reader.join().unwrap())
}

#[test]
fn on_a_terminal_the_export_shows_the_total_the_rate_and_the_eta() {
    let fake = slow_fake();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("leads.jsonl");
    let mut export = fake.liner_std();
    export.args(EXPORT).arg(&output);
    let (success, drawn) = on_a_terminal(export);

    assert!(success, "{drawn}");
    assert!(
        drawn.contains("/500 leads"),
        "no total on the bar: {drawn:?}"
    );
    assert!(drawn.contains("/s, ETA "), "no rate or ETA: {drawn:?}");
    assert!(
        drawn.contains("exported 500 leads to "),
        "no summary: {drawn:?}"
    );
    let exported = std::fs::read_to_string(&output).unwrap();
    assert_eq!(exported.lines().count(), 500);
}

/// 20 rows, 2 at a time: 10 rounds of 150 ms.
#[test]
fn on_a_terminal_the_import_shows_its_rows_the_rate_and_the_eta() {
    let fake = slow_fake();
    let dir = tempfile::tempdir().unwrap();
    let file = support::csv_of_new_leads(dir.path(), 20);
    let mut import = fake.liner_std();
    import
        .args(["leads", "import", "--concurrency", "2"])
        .arg(&file);
    let (success, drawn) = on_a_terminal(import);

    assert!(success, "{drawn}");
    assert!(drawn.contains("/20 rows"), "no total on the bar: {drawn:?}");
    assert!(drawn.contains("/s, ETA "), "no rate or ETA: {drawn:?}");
    assert_eq!(fake.leads().len(), 520);
}
#[test]
fn piped_the_export_prints_its_summary_and_no_bar() {
    let fake = slow_fake();
    let dir = tempfile::tempdir().unwrap();
    let output = fake
        .liner()
        .args(EXPORT)
        .arg(dir.path().join("leads.jsonl"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("exported 500 leads to "), "{stderr}");
    assert!(!stderr.contains("ETA"), "a bar on a pipe: {stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "terminal codes on a pipe: {stderr:?}"
    );
}

/// With `-v` on a terminal, the request lines replace the bar: each line is
/// whole (no bar drawn over it, no cursor movement), one per page, and the
/// summary follows.
#[test]
fn on_a_terminal_verbose_prints_whole_request_lines_and_no_bar() {
    let fake = slow_fake();
    let dir = tempfile::tempdir().unwrap();
    let mut export = fake.liner_std();
    export
        .arg("-v")
        .args(EXPORT)
        .arg(dir.path().join("leads.jsonl"));
    let (success, drawn) = on_a_terminal(export);

    assert!(success, "{drawn}");
    assert!(!drawn.contains("ETA"), "a bar was drawn: {drawn:?}");
    // A bar redraws with a carriage return or an escape sequence; plain
    // lines need neither (the terminal turns "\n" into "\r\n").
    let text = drawn.replace("\r\n", "\n");
    assert!(
        !text.contains('\r') && !text.contains('\u{1b}'),
        "cursor movement: {drawn:?}"
    );
    let requests: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("liner: GET /v2/lead/ 200 (attempt 1, "))
        .collect();
    assert_eq!(requests.len(), 5, "{text}");
    assert!(text.contains("exported 500 leads to "), "{text}");
}

/// Piped, `-v` prints the same lines, and the summary.
#[test]
fn piped_verbose_prints_the_request_lines() {
    let fake = slow_fake();
    let dir = tempfile::tempdir().unwrap();
    let output = fake
        .liner()
        .arg("-v")
        .args(EXPORT)
        .arg(dir.path().join("leads.jsonl"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stderr);
    let requests = text
        .lines()
        .filter(|line| line.starts_with("liner: GET /v2/lead/ 200 (attempt 1, "))
        .count();
    assert_eq!(requests, 5, "{text}");
    assert!(!text.contains('\r') && !text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("exported 500 leads to "), "{text}");
}

/// With `LINER_LOG` on a terminal, the log lines replace the bar too.
#[test]
fn on_a_terminal_liner_log_prints_no_bar() {
    let fake = slow_fake();
    let dir = tempfile::tempdir().unwrap();
    let mut export = fake.liner_std();
    export
        .env("LINER_LOG", "liner=debug")
        .args(EXPORT)
        .arg(dir.path().join("leads.jsonl"));
    let (success, drawn) = on_a_terminal(export);

    assert!(success, "{drawn}");
    assert!(drawn.contains("liner.operation"), "no log lines: {drawn:?}");
    assert!(!drawn.contains("ETA"), "a bar was drawn: {drawn:?}");
}
