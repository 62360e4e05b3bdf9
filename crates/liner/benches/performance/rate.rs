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
        fixed.push(export_once(None, false, true).await);
        limited.push(export_once(Some(SERVER_RATE), false, true).await);
    }
    (median(limited), median(fixed))
}

/// Adaptive concurrency (at most 8) vs a fixed 8: against a server with no
/// limit (its cost), and against the limited one without a client rate
/// limit (what it finds alone). The medians: (adaptive, fixed) for each.
pub(crate) async fn export_adaptive() -> ((RateRun, RateRun), (RateRun, RateRun)) {
    let (mut free, mut limited) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
    for _ in 0..ROUNDS {
        free.1.push(export_once(None, false, false).await);
        free.0.push(export_once(None, true, false).await);
    }
    // One round each: the fixed side takes about 90 s against this server.
    limited.1.push(export_once(None, false, true).await);
    limited.0.push(export_once(None, true, true).await);
    (
        (median(free.0), median(free.1)),
        (median(limited.0), median(limited.1)),
    )
}

fn median(mut runs: Vec<RateRun>) -> RateRun {
    runs.sort_by_key(|run| run.took);
    runs.swap_remove(runs.len() / 2)
}

/// Exports every lead of a new fake (rate-limited if `server_limited`)
/// through a client with 8 pages in flight (at most, if `adaptive`) and,
/// with `client_rate`, that rate limit.
async fn export_once(client_rate: Option<u32>, adaptive: bool, server_limited: bool) -> RateRun {
    let config = Config::default()
        .with_leads(RATE_PAGES * 100)
        .with_faults(Faults::default().with_latency(Latency::Fixed(Duration::from_millis(5))));
    let config = if server_limited {
        config.with_rate_limit(RateLimit::per_second(SERVER_RATE).with_burst(10))
    } else {
        config
    };
    let fake = FakeServer::start(config).await.unwrap();
    let mut builder = Liner::builder()
        .base_url(fake.base_url())
        .api_key(fake.api_key());
    if let Some(rate) = client_rate {
        builder = builder.rate_limit(rate);
    }
    let liner = builder.build().unwrap();
    let started = Instant::now();
    let mut pages = liner
        .leads()
        .concurrency(8)
        .adaptive_concurrency(adaptive)
        .pages();
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
