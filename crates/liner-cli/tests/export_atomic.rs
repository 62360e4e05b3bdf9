//! `liner leads export --output FILE` writes the whole file or none: an
//! error after some pages, Ctrl-C, SIGTERM or SIGHUP at any moment after it
//! started leave no file and no temporary file, with the documented exit
//! status; a complete file is readable by its owner only.

#![cfg(unix)]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use liner_fake::{Config, Faults, Latency};
use liner_test_support::hostile::{HostileServer, json, script};
use serde_json::json;
use support::Fake;

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The names in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The first page is served, the second fails with a 500 (not retried):
/// exit 4, and the directory is as it was.
#[test]
fn an_export_that_fails_after_a_page_leaves_no_file() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(HostileServer::start(script(|request, stream| async move {
        if request.query_param("offset").unwrap_or("0") == "0" {
            let list: Vec<_> = (1..=100).map(|id| json!({"id": id})).collect();
            let page = json!({"success": true, "message": "",
                "data": {"list": list, "next": 100, "total": 300}});
            json(stream, &page.to_string()).await;
        } else {
            liner_test_support::hostile::answer(
                stream,
                "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json",
                br#"{"success":false,"message":"broken","data":[]}"#,
            )
            .await;
        }
    })));
    let dir = tempfile::tempdir().unwrap();
    let output = support::liner()
        .env("LINER_BASE_URL", server.base_url())
        .env("LINER_API_KEY", "k")
        .args(["leads", "export", "--concurrency", "1", "--output"])
        .arg(dir.path().join("leads.jsonl"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
}

/// An export slow enough to be stopped in the middle: 3,000 leads, 30
/// pages one at a time, 40 ms each.
fn slow_fake() -> Fake {
    let faults = Faults::default().with_latency(Latency::Fixed(Duration::from_millis(40)));
    Fake::start(Config::default().with_leads(3000).with_faults(faults))
}

/// Waits until `dir` holds a file (the export's temporary one).
fn wait_for_a_file(dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while names(dir).is_empty() {
        assert!(Instant::now() < deadline, "the export never started");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Each stop signal, sent as soon as the temporary file exists (before the
/// export may even have started waiting for signals) or in the middle of
/// the pages: its exit status, and nothing left in the directory.
#[test]
fn a_stopped_export_leaves_no_file() {
    let fake = slow_fake();
    for (signal, status) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        for early in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let child = fake
                .liner_std()
                .args(["leads", "export", "--concurrency", "1", "--output"])
                .arg(dir.path().join("leads.csv"))
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            wait_for_a_file(dir.path());
            if !early {
                std::thread::sleep(Duration::from_millis(300));
            }
            let sent = std::process::Command::new("kill")
                .args([&format!("-{signal}"), &child.id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
            let output = child.wait_with_output().unwrap();
            let text = stderr(&output);
            assert_eq!(
                output.status.code(),
                Some(status),
                "{signal} early={early}: {text}"
            );
            assert!(text.contains("nothing was written to"), "{text}");
            assert!(
                names(dir.path()).is_empty(),
                "{signal}: {:?}",
                names(dir.path())
            );
        }
    }
}

/// A complete export is readable and writable by its owner only: leads are
/// personal data.
#[test]
fn a_complete_export_is_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let fake = Fake::start(Config::default().with_leads(150));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leads.csv");
    let output = fake
        .liner()
        .args(["leads", "export", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    assert_eq!(names(dir.path()), ["leads.csv"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 151);
}

/// A stop signal that arrives while the file is being committed (held
/// there by the debug build's test hook) is not swallowed: the commit
/// completes, the whole file is there, and the command exits with the
/// signal's status, saying that the file is complete.
#[test]
fn a_stop_during_the_commit_leaves_the_whole_file_and_is_reported() {
    use std::io::{BufRead as _, BufReader};
    let fake = Fake::start(Config::default().with_leads(150));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leads.csv");
    let mut child = fake
        .liner_std()
        .env("LINER_TEST_HOLD_COMMIT_MS", "1500")
        .args(["leads", "export", "--output"])
        .arg(&file)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("the commit was never held: {seen:?}"))
            .unwrap();
        let held = line.contains("holding the commit");
        seen.push(line);
        if held {
            break;
        }
    }
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let status = child.wait().unwrap();
    let text = rest.join("\n");
    assert_eq!(status.code(), Some(143), "{text}");
    assert!(
        text.contains("interrupted (SIGTERM) as the export ended:") && text.contains("is complete"),
        "{text}"
    );
    assert_eq!(names(dir.path()), ["leads.csv"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 151);
}
