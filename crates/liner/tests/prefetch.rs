//! The bounds of a concurrent prefetch, seen from the server (requests) and
//! from the client's `tracing` events (page bodies read).
//!
//! This test has a binary of its own: it captures `tracing` events (see
//! `liner_test_support::logs`).

mod support;

use std::time::Duration;

use futures_util::StreamExt as _;

use liner_fake::Config;
use liner_test_support::conformance::CheckedFake;
use liner_test_support::logs::Captured;

/// A consumer that stops taking pages stops the prefetch: `n` pages read and
/// held, `n` more requests answered but left unread (still in flight, so no
/// further request is made), and one more request and one more page read per
/// page taken.
#[tokio::test]
async fn a_stalled_consumer_stops_the_prefetch() {
    const N: u64 = 3;
    let logs = Captured::default();
    let _guard = logs.install();
    let fake = CheckedFake::start(Config::default().with_leads(10_000)).await;
    let liner = support::client(&fake);
    let mut pages = std::pin::pin!(liner.leads().concurrency(N as usize).pages());
    let requests = || fake.server.stats().requests;
    let read = || logs.text().matches("prefetched page read").count() as u64;
    let settled = |expected_requests: u64, expected_read: u64| async move {
        let reached = tokio::time::timeout(Duration::from_secs(10), async {
            while requests() < expected_requests || read() < expected_read {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(
            reached.is_ok(),
            "{} requests and {} pages read, expected {expected_requests} and {expected_read}",
            requests(),
            read()
        );
        // Nothing more happens while the consumer stays stalled.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(requests(), expected_requests, "requests while stalled");
        assert_eq!(read(), expected_read, "prefetched pages read while stalled");
    };
    assert_eq!(pages.next().await.unwrap().unwrap().offset, 0);
    settled(1 + 2 * N, N).await;
    for taken in 1..=2 {
        let page = pages.next().await.unwrap().unwrap();
        assert_eq!(page.offset, taken * 100);
        settled(1 + 2 * N + taken, N + taken).await;
    }
}
