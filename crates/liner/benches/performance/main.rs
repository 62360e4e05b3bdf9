//! Performance of the `liner` client, each figure a ratio against a baseline
//! measured in the same run, against the same in-process fake server:
//!
//! ```text
//! cargo bench -p liner --bench performance
//! ```
//!
//! 1. per-request overhead: `lead(id)` vs a hand-written reqwest + serde_json
//!    call of the same endpoint (goal: within 5%);
//! 2. export of 100,000 leads with 5 ms of latency per request: sequential vs
//!    8 pages in flight vs the latency bound `pages * latency / 8` (goals:
//!    at least 6x faster than sequential, within 1.3x of the bound), and for
//!    context: one page's round trip (the sequential export's time per page)
//!    vs the latency, which no client that holds each of its 8 slots from
//!    request to decoded page can beat in the ratio to the bound, and a
//!    hand-written reqwest + serde_json export with 8 in flight;
//! 3. decoding one 100-lead page through the envelope path vs serde_json
//!    straight into the same types (goal: within 10%);
//! 4. peak RSS of exporting 100,000 vs 1,000,000 leads, each in a child
//!    process of its own (goal: flat);
//! 5. de-duplicating 1,000,000 ids that arrive descending with gaps vs the
//!    same ids ascending (goal: within 2x: the order costs nothing much),
//!    and, for context, vs a million ascending ids without gaps;
//! 6. against hostile servers, for the README's reliability table: the
//!    peak RSS of `lead(id)` when the server sends a 2 GB body, announced
//!    or not, vs a normal answer plus twice the body limit (a buffer that
//!    grows by doubling holds both allocations while it copies; goal: at
//!    most that),
//!    the time to the error against
//!    a server that never answers, with the default settings, vs the default
//!    deadline, and the requests sent to a server that ignores `offset`, vs
//!    the first page and the default run of stale pages.
//!
//! Timings are the median of several rounds, baseline and subject
//! alternating, so that drift on a shared machine hits both.
//!
//! 7. the export of 2. over HTTPS (the fake's TLS, HTTP/1.1, 8 connections)
//!    vs its latency bound (goal: within 1.3x), and HTTP/2 over one
//!    connection vs that HTTP/1.1 export, with the TLS handshakes of each
//!    (the decision on reqwest's `http2` feature).
//!
//! 8. the export of 2. from a server limited to 200 requests a second, with
//!    the client's `rate_limit(200)` vs today's fixed 8 pages in flight, vs
//!    the ideal 1,000 pages / 200 a second (goal: within 1.1x of the ideal,
//!    at most 2% of requests refused).
//!
//! 9. `lead(id)` with a subscriber that keeps the client's spans (and, with
//!    `--features metrics`, a recorder that keeps its metrics) vs with
//!    neither (goal: within 5%).
//!
//! 10. adaptive concurrency (at most 8) vs a fixed 8: the export of 2. from
//!     a server with no limit (goal: within 5%), and from the one limited
//!     to 200 requests a second without a client rate limit (context).
//!
//! Words after `--` pick measures: `overhead`, `export`, `decode`, `rss`,
//! `ids`, `hostile`, `tls`, `rate`, `spans`, `adaptive`.
//! `-- --write-results` also writes the table, dated, into
//! `benches/RESULTS.md` (between its `bench:latest` markers), which is where
//! the project's measured figures live.

use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use liner::{Lead, Liner};
use liner_fake::{Config, FakeServer, Faults, Latency};
use serde::Deserialize;

mod children;
mod export;
mod micro;
mod rate;

use children::*;
use export::*;
use micro::*;
use rate::*;

const ROUNDS: usize = 7;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `--rss-child N`: export N leads, print the peak RSS, exit.
    if let Some(position) = args.iter().position(|arg| arg == "--rss-child") {
        let leads: u64 = args[position + 1].parse().expect("a lead count");
        rss_child(leads);
        return;
    }
    // `--hostile-child KIND`: one `lead(id)` against a server sending a
    // normal answer, or a 2 GB body (announced or streamed); print the peak
    // RSS, exit.
    if let Some(position) = args.iter().position(|arg| arg == "--hostile-child") {
        hostile_child(&args[position + 1]);
        return;
    }
    // `--ids-rss-child sparse|dense`: de-duplicate 1,000,000 ids (every
    // third id, or consecutive ones), print the peak RSS, exit.
    if let Some(position) = args.iter().position(|arg| arg == "--ids-rss-child") {
        ids_rss_child(&args[position + 1]);
        return;
    }
    // `cargo bench` passes `--bench`; other words pick measures by name
    // (`cargo bench -p liner --bench performance -- export decode`).
    let picked: Vec<&str> = args[1..]
        .iter()
        .map(String::as_str)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    for name in &picked {
        assert!(
            MEASURES.contains(name),
            "unknown measure {name:?}; known: {MEASURES:?}"
        );
    }
    let wanted = |name: &str| picked.is_empty() || picked.contains(&name);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("machine: {}", liner_test_support::bench_results::machine());
    let mut rows = Vec::new();
    if wanted("overhead") {
        let (subject, baseline) = runtime.block_on(per_request_overhead());
        rows.push(format!(
            "| per-request overhead | `lead(id)` {} | reqwest + serde_json {} | {:.3} | <= 1.05 |",
            micros(subject),
            micros(baseline),
            ratio(subject, baseline)
        ));
    }
    if wanted("export") {
        let export = runtime.block_on(export_with_latency());
        rows.push(format!(
            "| export 100,000 leads, 5 ms latency | 8 in flight {} | sequential {} | {:.1}x faster | >= 6x |",
            millis(export.concurrent),
            millis(export.sequential),
            ratio(export.sequential, export.concurrent)
        ));
        rows.push(format!(
            "| export vs latency bound | 8 in flight {} | 1000 pages x 5 ms / 8 = {} | {:.2} | <= 1.3 |",
            millis(export.concurrent),
            millis(export.bound),
            ratio(export.concurrent, export.bound)
        ));
        let per_page = export.sequential / pages_of(EXPORT_LEADS) as u32;
        rows.push(format!(
            "| one page's round trip vs latency | sequential export / 1000 pages {} | {} | {:.2} | (context) |",
            micros(per_page),
            millis(EXPORT_LATENCY),
            ratio(per_page, EXPORT_LATENCY)
        ));
        rows.push(format!(
            "| export vs hand-written client | 8 in flight {} | reqwest + serde_json, 8 in flight {} | {:.2} | (context) |",
            millis(export.concurrent),
            millis(export.hand_written),
            ratio(export.concurrent, export.hand_written)
        ));
        rows.push(format!(
            "| export CPU floor vs latency bound | 8 in flight, no latency {} | {} | {:.2} | (context) |",
            millis(export.no_latency),
            millis(export.bound),
            ratio(export.no_latency, export.bound)
        ));
    }
    if wanted("decode") {
        let (subject, baseline) = decode_overhead();
        rows.push(format!(
            "| decode one 100-lead page | envelope path {} | serde_json into the same types {} | {:.3} | <= 1.10 |",
            micros(subject),
            micros(baseline),
            ratio(subject, baseline)
        ));
    }
    if wanted("ids") {
        let (descending, ascending, run) = dedup_orders();
        rows.push(format!(
            "| de-duplicate 1,000,000 ids with gaps | descending {} | ascending {} | {:.2} | <= 2 |",
            millis(descending),
            millis(ascending),
            ratio(descending, ascending)
        ));
        rows.push(format!(
            "| de-duplicate 1,000,000 ids | descending with gaps {} | ascending in one run {} | {:.2} | (context) |",
            millis(descending),
            millis(run),
            ratio(descending, run)
        ));
        let rss = |kind: &str| child_number(&["--ids-rss-child", kind]);
        let (sparse, dense) = (rss("sparse"), rss("dense"));
        rows.push(format!(
            "| peak RSS, the ids of 1,000,000 leads | every third id {} MiB | consecutive ids {} MiB | {:.2} ({:.0} bytes a lead) | documented |",
            sparse / 1024,
            dense / 1024,
            sparse as f64 / dense as f64,
            sparse.saturating_sub(dense) as f64 * 1024.0 / 1e6
        ));
    }
    if wanted("hostile") {
        let rss = |kind: &str| child_number(&["--hostile-child", kind]);
        let normal = rss("normal");
        // A body buffer that grows by doubling holds its old and its new
        // allocation while it copies: up to twice the limit at once.
        let bound = normal + 2 * liner::LinerBuilder::DEFAULT_MAX_RESPONSE_BYTES / 1024;
        for (kind, label) in [
            ("announced", "announced"),
            ("streamed", "streamed, no length"),
        ] {
            let peak = rss(kind);
            rows.push(format!(
                "| peak RSS, server sends 2 GB ({label}) | `lead(id)` {} MiB | a normal answer {} MiB + twice the 16 MiB limit | {:.2} | <= 1.0 |",
                peak / 1024,
                normal / 1024,
                peak as f64 / bound as f64
            ));
        }
        let silent = runtime.block_on(silent_server_error_after());
        rows.push(format!(
            "| a server that never answers, default settings | error after {} | the default deadline {} | {:.2} | ~1.0 |",
            millis(silent),
            millis(liner::RetryPolicy::DEFAULT_DEADLINE),
            ratio(silent, liner::RetryPolicy::DEFAULT_DEADLINE)
        ));
        let requests = runtime.block_on(offset_ignoring_requests());
        rows.push(format!(
            "| a server that ignores `offset` | {requests} requests, then an error | 1 page + {} stale | {:.2} | 1.0 |",
            liner::LeadQuery::DEFAULT_MAX_STALE_PAGES,
            requests as f64 / (1 + liner::LeadQuery::DEFAULT_MAX_STALE_PAGES) as f64
        ));
    }
    if wanted("tls") {
        let tls = runtime.block_on(export_over_tls());
        rows.push(format!(
            "| export over HTTPS vs latency bound | HTTP/1.1, 8 in flight {} | 1000 pages x 5 ms / 8 = {} | {:.2} | <= 1.3 |",
            millis(tls.http1),
            millis(tls.bound),
            ratio(tls.http1, tls.bound)
        ));
        rows.push(format!(
            "| HTTP/2 vs HTTP/1.1 over HTTPS | HTTP/2, 8 streams on {} connection(s) {} | HTTP/1.1, 8 connections ({} handshakes) {} | {:.2} | <= 1.0 enables http2 |",
            tls.http2_handshakes,
            millis(tls.http2),
            tls.http1_handshakes,
            millis(tls.http1),
            ratio(tls.http2, tls.http1)
        ));
    }
    if wanted("rss") {
        let (small, large) = peak_rss();
        rows.push(format!(
            "| peak RSS of an export | 1,000,000 leads {} MiB | 100,000 leads {} MiB | {:.2} | flat (~1.0) |",
            large / 1024,
            small / 1024,
            large as f64 / small as f64
        ));
    }
    if wanted("spans") {
        let (subject, baseline) = span_overhead();
        let with = if cfg!(feature = "metrics") {
            "spans kept by a subscriber, metrics by a recorder"
        } else {
            "spans kept by a subscriber (build with `--features metrics` to add a recorder)"
        };
        rows.push(format!(
            "| span and metrics overhead | `lead(id)`, {with} {} | no subscriber {} | {:.3} | <= 1.05 |",
            micros(subject),
            micros(baseline),
            ratio(subject, baseline)
        ));
    }
    if wanted("rate") {
        let (limited, fixed) = runtime.block_on(export_under_rate_limit());
        let ideal = Duration::from_secs(RATE_PAGES) / SERVER_RATE;
        let describe = |run: &RateRun| match &run.failed {
            None => format!(
                "{}, {} of {} requests refused ({:.1}%)",
                millis(run.took),
                run.refused,
                run.requests,
                run.refused as f64 * 100.0 / run.requests as f64
            ),
            Some(error) => format!(
                "failed after {} ({} of {} requests refused): {}",
                millis(run.took),
                run.refused,
                run.requests,
                liner_api::text::one_line(error, 120)
            ),
        };
        rows.push(format!(
            "| export 100,000 leads from a server limited to 200/s (5 ms) | `rate_limit(200)`, 8 in flight: {} | 8 in flight, no limit: {} | {:.2}x the ideal {} | <= 1.1x, <= 2% refused |",
            describe(&limited),
            describe(&fixed),
            ratio(limited.took, ideal),
            millis(ideal)
        ));
    }
    if wanted("adaptive") {
        let ((free_adaptive, free_fixed), (limited_adaptive, limited_fixed)) =
            runtime.block_on(export_adaptive());
        rows.push(format!(
            "| export 100,000 leads, 5 ms latency, no server limit | adaptive, at most 8: {} | fixed 8: {} | {:.3} | <= 1.05 |",
            millis(free_adaptive.took),
            millis(free_fixed.took),
            ratio(free_adaptive.took, free_fixed.took)
        ));
        rows.push(format!(
            "| the same from a server limited to 200/s, no client limit | adaptive, at most 8: {}, {} of {} refused | fixed 8: {}, {} of {} refused | {:.2} | (context) |",
            millis(limited_adaptive.took),
            limited_adaptive.refused,
            limited_adaptive.requests,
            millis(limited_fixed.took),
            limited_fixed.refused,
            limited_fixed.requests,
            ratio(limited_adaptive.took, limited_fixed.took)
        ));
    }
    liner_test_support::bench_results::report(
        &rows,
        &args,
        env!("CARGO_MANIFEST_DIR"),
        "liner",
        "performance",
        &picked,
    );
}

/// The measures, by the name that picks one on the command line.
const MEASURES: [&str; 10] = [
    "overhead", "export", "decode", "rss", "ids", "hostile", "tls", "rate", "spans", "adaptive",
];

fn ratio(subject: Duration, baseline: Duration) -> f64 {
    subject.as_secs_f64() / baseline.as_secs_f64()
}

fn micros(duration: Duration) -> String {
    format!("{:.1} µs", duration.as_secs_f64() * 1e6)
}

fn millis(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1e3)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn client(fake: &FakeServer) -> Liner {
    Liner::builder()
        .base_url(fake.base_url())
        .api_key(fake.api_key())
        .build()
        .unwrap()
}

/// Exports the whole list with `concurrency` pages in flight, consuming
/// every lead as an export would; checks the count and returns the time.
async fn export_all(liner: Liner, concurrency: usize, leads: u64) -> Duration {
    let started = Instant::now();
    let count = liner
        .leads()
        .concurrency(concurrency)
        .items()
        .fold(0u64, |n, lead| async move {
            lead.unwrap();
            n + 1
        });
    assert_eq!(count.await, leads);
    started.elapsed()
}
