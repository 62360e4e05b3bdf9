//! The `metrics` feature, through a recorder that keeps what it is given: a
//! duration per attempt labelled like the spans, a retry by its reason, the
//! pages taken in, and the prefetch's requests in flight back at zero.
//!
//! A binary of its own: it installs the process's global recorder.

#![cfg(feature = "metrics")]

mod support;

use std::collections::BTreeMap;

use liner_fake::{Config, Fault, Faults};
use liner_test_support::conformance::CheckedFake;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};

use support::{client_with, many_quick_retries};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_retries_and_pages_are_measured() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().unwrap();

    let fake = CheckedFake::start(
        Config::default()
            .with_leads(250)
            .with_faults(Faults::default().with(Fault::Unavailable, 0.3)),
    )
    .await;
    let liner = client_with(&fake, many_quick_retries());
    let leads = liner.leads().concurrency(4).collect_all().await.unwrap();
    assert_eq!(leads.len(), 250);
    let stats = fake.server.stats();
    let unavailable = stats.faults.get(&Fault::Unavailable).copied().unwrap_or(0);
    assert!(unavailable > 0, "the seed injects some 503s: {stats:?}");

    // name and labels -> value
    let mut seen = BTreeMap::new();
    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let key = key.key();
        let mut labels: Vec<String> = key
            .labels()
            .map(|label| format!("{}={}", label.key(), label.value()))
            .collect();
        labels.sort();
        seen.insert(format!("{} {}", key.name(), labels.join(" ")), value);
    }
    let counter = |name: &str| match seen.get(name) {
        Some(DebugValue::Counter(count)) => *count,
        other => panic!("{name}: {other:?} in {:?}", seen.keys()),
    };
    let durations = |name: &str| match seen.get(name) {
        Some(DebugValue::Histogram(values)) => values.len() as u64,
        other => panic!("{name}: {other:?} in {:?}", seen.keys()),
    };
    let ok = durations(
        "http.client.request.duration http.request.method=GET http.response.status_code=200 url.template=/v2/lead/",
    );
    let refused = durations(
        "http.client.request.duration error.type=503 http.request.method=GET url.template=/v2/lead/",
    );
    assert_eq!(ok + refused, stats.requests);
    assert_eq!(refused, unavailable);
    assert_eq!(counter("liner.retries error.type=503"), unavailable);
    assert_eq!(counter("liner.pages "), 3);
    assert_eq!(counter("liner.duplicates_dropped "), 0);
    assert_eq!(counter("liner.undecodable_leads "), 0);
    match seen.get("liner.prefetch.in_flight ") {
        Some(DebugValue::Gauge(value)) => assert_eq!(value.into_inner(), 0.0),
        other => panic!("in flight: {other:?}"),
    }
}
