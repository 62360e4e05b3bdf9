//! The export's progress bar, seen as a user sees it: stderr is a
//! pseudo-terminal, and what the bar drew there is read back. Piped, stderr
//! carries the summary only.
#![cfg(unix)]

mod support;

use std::io::Read as _;
use std::process::Stdio;
use std::time::Duration;

use liner_fake::{Config, Faults, Latency};
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use support::Fake;

/// 500 leads in 5 pages of 100, one page at a time, each answered 150 ms
/// late: the export lasts long enough for the bar to be drawn after the
/// first page told the total.
fn slow_fake() -> Fake {
    Fake::start(
        Config::default().with_leads(500).with_faults(
            Faults::default().with_latency(Latency::Fixed(Duration::from_millis(150))),
        ),
    )
}

const EXPORT: [&str; 5] = ["leads", "export", "--concurrency", "1", "--output"];

#[test]
fn on_a_terminal_the_export_shows_the_total_the_rate_and_the_eta() {
    let fake = slow_fake();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("leads.jsonl");

    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(ptsname(&master, Vec::new()).unwrap().to_str().unwrap())
        .unwrap();
    let mut export = fake
        .liner_std()
        .args(EXPORT)
        .arg(&output)
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(terminal)
        .spawn()
        .unwrap();
    // The command's stderr is the only open end of the terminal: reading
    // ends (EIO on Linux, EOF elsewhere) once the command has exited.
    let reader = std::thread::spawn(move || {
        let mut master = std::fs::File::from(master);
        let mut drawn = Vec::new();
        let mut buffer = [0u8; 4096];
        while let Ok(read @ 1..) = master.read(&mut buffer) {
            drawn.extend_from_slice(&buffer[..read]);
        }
        String::from_utf8_lossy(&drawn).into_owned()
    });
    let status = export.wait().unwrap();
    let drawn = reader.join().unwrap();

    assert!(status.success(), "{drawn}");
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
