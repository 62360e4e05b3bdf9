//! `liner leads import` reads its file in passes: every row checked first,
//! then sent a block of 1,000 at a time from a second read. What it sends
//! is what it checked, and what it reports comes out in file order, however
//! late a row's outcome is decided.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use liner_fake::{Config, Fault, Faults};
use liner_test_support::hostile::{self, HostileServer};
use serde_json::Value;
use support::{Fake, csv_of_new_leads};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The file is rewritten after the first pass checked it (while the import
/// lists its orders for the baseline, between the passes): the sending
/// pass notices before it sends any row of the changed block, and says
/// so. Nothing of what was not checked reaches the server.
#[test]
fn a_file_changed_between_the_passes_is_not_sent() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = csv_of_new_leads(dir.path(), 5);
    let creates = Arc::new(AtomicUsize::new(0));
    let (path, seen) = (file.clone(), Arc::clone(&creates));
    let server = runtime.block_on(HostileServer::start(hostile::script(
        move |request, stream| {
            let (path, seen) = (path.clone(), Arc::clone(&seen));
            async move {
                if request.target.starts_with("/v2/lead/create") {
                    let id = seen.fetch_add(1, Ordering::SeqCst) + 1;
                    let body = format!(r#"{{"success":true,"message":"","data":{{"id":{id}}}}}"#);
                    hostile::json(stream, &body).await;
                } else {
                    // The baseline listing: meanwhile, someone edits the
                    // file (a row's order code, still a valid row).
                    let text = std::fs::read_to_string(&path).unwrap();
                    std::fs::write(&path, text.replace("T-0,", "T-edited,")).unwrap();
                    hostile::json(
                        stream,
                        r#"{"success":true,"message":"","data":{"list":[],"total":0}}"#,
                    )
                    .await;
                }
            }
        },
    )));
    let output = support::liner()
        .env("LINER_BASE_URL", server.base_url())
        .env("LINER_API_KEY", "test-key")
        .args(["leads", "import", "--settle", "0"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("changed while it was imported"),
        "{}",
        stderr(&output)
    );
    assert_eq!(creates.load(Ordering::SeqCst), 0, "nothing was sent");
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("T-edited,"),
        "the file did change"
    );
}

/// 2,100 rows (three blocks) into a server that loses a tenth of the
/// create answers after storing the lead: those rows are looked up after
/// every block is sent, and found. The ids file still lists every row in
/// file order, each with the id of the lead made of it, those decided last
/// included.
#[test]
fn outcomes_decided_last_reach_the_ids_file_in_file_order() {
    let rows = 2_100;
    let faults = Faults::default()
        .with_seed(7)
        .with(Fault::CutBeforeAnswer, 0.1);
    let fake = Fake::start(Config::default().with_leads(0).with_faults(faults));
    let dir = tempfile::tempdir().unwrap();
    let file = csv_of_new_leads(dir.path(), rows);
    let ids = dir.path().join("ids.csv");
    let output = fake
        .liner()
        .args([
            "leads",
            "import",
            "--settle",
            "0",
            "--summary",
            "json",
            "--ids",
        ])
        .arg(&ids)
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["created_now"], rows, "{summary}");
    assert_eq!(fake.server.stats().leads_created, rows as u64);

    // Each lead's order code is the row's: `T-<n>` is row n, on line n + 2.
    let code_of: BTreeMap<u64, String> = fake
        .leads()
        .into_iter()
        .map(|lead| (lead.id.get(), lead.order_code.unwrap_or_default()))
        .collect();
    let text = std::fs::read_to_string(&ids).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("line,id,outcome"));
    let mut count = 0;
    for (n, entry) in lines.enumerate() {
        let fields: Vec<&str> = entry.split(',').collect();
        assert_eq!(fields[0], (n + 2).to_string(), "file order: {entry}");
        assert_eq!(fields[2], "created", "{entry}");
        let id: u64 = fields[1].parse().unwrap();
        assert_eq!(code_of[&id], format!("T-{n}"), "{entry}");
        count += 1;
    }
    assert_eq!(count, rows);
    let journal = support::journal(&file.with_extension("csv.journal"));
    let reconciled = journal
        .iter()
        .filter(|entry| entry["reconciled"] == true)
        .count();
    assert!(
        reconciled > 100,
        "a tenth of the rows were found by their look-up, not answered: {reconciled}"
    );
}

/// A file that cannot be read twice (a named pipe, as `<(zcat leads.gz)`
/// gives) is read once and held: every row is imported, and the import
/// does not wait for a second writer.
#[cfg(unix)]
#[test]
fn a_pipe_is_read_once() {
    let fake = Fake::start(Config::default().with_leads(0));
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("leads.pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(status.success());
    let text = liner_test_support::new_leads::csv(30, "P", 2);
    let writer = {
        let pipe = pipe.clone();
        std::thread::spawn(move || std::fs::write(pipe, text))
    };
    let output = fake
        .liner()
        .timeout(std::time::Duration::from_secs(60))
        .args([
            "leads",
            "import",
            "--format",
            "csv",
            "--settle",
            "0",
            "--journal",
        ])
        .arg(dir.path().join("leads.journal"))
        .arg(&pipe)
        .output()
        .unwrap();
    // The writer ends once the command has read the pipe to its end.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !writer.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    if !writer.is_finished() {
        // The command never read the pipe: drain it, so that the writer
        // ends and the test fails on the assertion below, not by hanging.
        let _ = std::fs::read(&pipe);
    }
    writer.join().unwrap().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(fake.server.stats().leads_created, 30);
}
