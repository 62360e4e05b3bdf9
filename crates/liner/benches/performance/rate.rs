//! The export under a server's rate limit: 100,000 leads (1,000 pages) from
//! a fake that serves 200 requests a second (a burst of 10) at 5 ms of
//! latency, whose ideal is 1,000 / 200 = 5 s. The client's `rate_limit(200)`
//! vs today's default of a fixed 8 pages in flight, each with its time and
//! its `429`s.

use std::time::{Duration, Instant};

use liner::Liner;
use liner_fake::{Config, FakeServer, Faults, Latency, RateLimit};

/// The server's limit, in requests a second.
pub(crate) const SERVER_RATE: u32 = 200;
/// The pages of the export: the ideal is `RATE_PAGES / SERVER_RATE` seconds.
pub(crate) const RATE_PAGES: u64 = 1_000;
const ROUNDS: usize = 3;

/// One export: how long it took, the requests the server refused, all it
/// received, and the error that ended it early, if one did.
pub(crate) struct RateRun {
    pub(crate) took: Duration,
    pub(crate) refused: u64,
    pub(crate) requests: u64,
    pub(crate) failed: Option<String>,
}

/// The medians of each side (by time), baseline and subject alternating.
pub(crate) async fn export_under_rate_limit() -> (RateRun, RateRun) {
    let mut limited = Vec::new();
    let mut fixed = Vec::new();
    for _ in 0..ROUNDS {
        fixed.push(export_once(None).await);
        limited.push(export_once(Some(SERVER_RATE)).await);
    }
    (median(limited), median(fixed))
}

fn median(mut runs: Vec<RateRun>) -> RateRun {
    runs.sort_by_key(|run| run.took);
    runs.swap_remove(runs.len() / 2)
}

/// Exports every lead of a new rate-limited fake through a client with
/// 8 pages in flight and, with `client_rate`, that rate limit.
async fn export_once(client_rate: Option<u32>) -> RateRun {
    let fake = FakeServer::start(
        Config::default()
            .with_leads(RATE_PAGES * 100)
            .with_faults(Faults::default().with_latency(Latency::Fixed(Duration::from_millis(5))))
            .with_rate_limit(RateLimit::per_second(SERVER_RATE).with_burst(10)),
    )
    .await
    .unwrap();
    let mut builder = Liner::builder()
        .base_url(fake.base_url())
        .api_key(fake.api_key());
    if let Some(rate) = client_rate {
        builder = builder.rate_limit(rate);
    }
    let liner = builder.build().unwrap();
    let started = Instant::now();
    let mut pages = liner.leads().concurrency(8).pages();
    let mut failed = None;
    while let Some(page) = pages.next().await {
        if let Err(error) = page {
            failed = Some(error.to_string());
            break;
        }
    }
    let took = started.elapsed();
    let stats = fake.stats();
    RateRun {
        took,
        refused: stats.rate_limited,
        requests: stats.requests,
        failed,
    }
}
