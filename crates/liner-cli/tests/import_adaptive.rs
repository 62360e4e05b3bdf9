//! `liner leads import --adaptive`: the creates in flight follow the
//! client's adaptive limit (start at 2, grow on clean answers, shrink on
//! refusals), and the import's promise holds under it.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use liner_fake::{Config, Fault, Faults};
use liner_test_support::hostile::{self, HostileServer};
use support::{Fake, csv_of_new_leads};

/// `--adaptive` under a server that refuses a fifth of the creates with a
/// `429` (not acted on: the rows are sent again by the next run) still
/// ends with every row created once.
#[test]
fn an_adaptive_import_under_refusals_creates_every_row_once() {
    let faults = Faults::default()
        .with_seed(11)
        .with(Fault::TooManyRequests, 0.2)
        .with_retry_after(0);
    let fake = Fake::start(Config::default().with_leads(0).with_faults(faults));
    let dir = tempfile::tempdir().unwrap();
    let file = support::csv_of_new_leads(dir.path(), 40);
    for run in 1.. {
        let output = fake
            .liner()
            .args([
                "leads",
                "import",
                "--adaptive",
                "--concurrency",
                "6",
                "--settle",
                "0",
            ])
            .arg(&file)
            .output()
            .unwrap();
        if output.status.success() {
            break;
        }
        assert!(
            run < 10,
            "still incomplete after {run} runs: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let counts = fake.order_codes();
    assert_eq!(counts.len(), 40, "{counts:?}");
    assert!(
        counts.values().all(|&n| n == 1),
        "a row created twice: {counts:?}"
    );
}

/// The most creates a server saw in flight at once during one import of
/// `rows` rows (each create held 150 ms), with `flags`.
fn most_creates_in_flight(rows: usize, flags: &[&str]) -> usize {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let next_id = Arc::new(AtomicU64::new(1));
    let (now, top, ids) = (
        Arc::clone(&in_flight),
        Arc::clone(&most),
        Arc::clone(&next_id),
    );
    let server = runtime.block_on(HostileServer::start(hostile::script(
        move |request, stream| {
            let (now, top, ids) = (Arc::clone(&now), Arc::clone(&top), Arc::clone(&ids));
            async move {
                if request.target.starts_with("/v2/lead/create") {
                    let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                    top.fetch_max(current, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    let id = ids.fetch_add(1, Ordering::SeqCst);
                    let body = format!(r#"{{"success":true,"message":"","data":{{"id":{id}}}}}"#);
                    hostile::json(stream, &body).await;
                } else {
                    // The baseline listing of each order: nothing there yet.
                    hostile::json(
                        stream,
                        r#"{"success":true,"message":"","data":{"list":[],"total":0}}"#,
                    )
                    .await;
                }
            }
        },
    )));
    let dir = tempfile::tempdir().unwrap();
    let file = csv_of_new_leads(dir.path(), rows);
    let output = support::liner()
        .env("LINER_BASE_URL", server.base_url())
        .env("LINER_API_KEY", "test-key")
        .args(["leads", "import", "--concurrency", "8", "--settle", "0"])
        .args(flags)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        next_id.load(Ordering::SeqCst),
        rows as u64 + 1,
        "one create a row"
    );
    most.load(Ordering::SeqCst)
}

/// Six rows and `--concurrency 8`: a fixed pool sends all six at once; the
/// adaptive limit starts at two and grows by one per round of clean
/// answers, so it never has more than three in flight.
#[test]
fn adaptive_creates_start_at_two_in_flight_and_grow() {
    assert_eq!(most_creates_in_flight(6, &[]), 6);
    let adaptive = most_creates_in_flight(6, &["--adaptive"]);
    assert!(
        (2..=3).contains(&adaptive),
        "{adaptive} creates in flight at once"
    );
}
