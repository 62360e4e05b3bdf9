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
//! Words after `--` pick measures: `overhead`, `export`, `decode`, `rss`,
//! `ids`, `hostile`, `tls`.
//! `-- --write-results` also writes the table, dated, into
//! `benches/RESULTS.md` (between its `bench:latest` markers), which is where
//! the project's measured figures live.

use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use liner::{Lead, Liner};
use liner_fake::{Config, FakeServer, Faults, Latency};
use serde::Deserialize;

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
const MEASURES: [&str; 7] = [
    "overhead", "export", "decode", "rss", "ids", "hostile", "tls",
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

/// Mean time per `lead(id)`, liner vs hand-written reqwest + serde_json.
async fn per_request_overhead() -> (Duration, Duration) {
    const REQUESTS: u64 = 2000;
    let fake = FakeServer::start(Config::default().with_leads(REQUESTS))
        .await
        .unwrap();
    let liner = client(&fake);
    let http = reqwest::Client::new();
    #[derive(Deserialize)]
    struct Envelope {
        success: bool,
        data: Lead,
    }
    let raw = |id: u64| {
        let request = http
            .get(format!("{}/v2/lead/detail/{id}/", fake.base_url()))
            .header("X-Api-Key", fake.api_key());
        async move {
            let bytes = request.send().await.unwrap().bytes().await.unwrap();
            let envelope: Envelope = serde_json::from_slice(&bytes).unwrap();
            assert!(envelope.success);
            envelope.data
        }
    };
    for id in 1..=200 {
        liner.lead(id).await.unwrap();
        raw(id).await;
    }
    // Each round alternates the two sides every BATCH requests (and which
    // goes first), so that the shared VM's drift, which moves this
    // sub-millisecond figure by 10-20% within seconds, hits both alike.
    const BATCH: u64 = 50;
    let (mut subject, mut baseline) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (mut liner_time, mut raw_time) = (Duration::ZERO, Duration::ZERO);
        for (batch, first) in (1..=REQUESTS).step_by(BATCH as usize).enumerate() {
            let ids = first..first + BATCH;
            for side in [batch % 2, 1 - batch % 2] {
                let started = Instant::now();
                if side == 0 {
                    for id in ids.clone() {
                        liner.lead(id).await.unwrap();
                    }
                    liner_time += started.elapsed();
                } else {
                    for id in ids.clone() {
                        raw(id).await;
                    }
                    raw_time += started.elapsed();
                }
            }
        }
        subject.push(liner_time / REQUESTS as u32);
        baseline.push(raw_time / REQUESTS as u32);
    }
    (median(subject), median(baseline))
}

/// The export timings, medians of three rounds.
struct Export {
    sequential: Duration,
    concurrent: Duration,
    /// `pages * latency / 8`: what 8 in flight would take if serving and
    /// decoding a page cost nothing.
    bound: Duration,
    /// The same export by hand: reqwest + serde_json, 8 requests in flight
    /// (spawned, in order), no retries or checks. It shows how much of the
    /// gap to the bound any client has on this machine, where the fake
    /// serves from the same two cores.
    hand_written: Duration,
    /// 8 in flight against the same fake without injected latency: the CPU
    /// the client, the fake and HTTP need for the export on this machine.
    no_latency: Duration,
}

/// The leads of the export measure.
const EXPORT_LEADS: u64 = 100_000;
/// The latency the fake injects in the export measure.
const EXPORT_LATENCY: Duration = Duration::from_millis(5);

/// Pages of the default size that hold `leads` leads.
fn pages_of(leads: u64) -> u64 {
    leads.div_ceil(liner::LeadQuery::DEFAULT_PAGE_SIZE)
}

/// Exporting 100,000 leads with 5 ms per request: sequential, 8 in flight,
/// the bound, and a hand-written 8-in-flight export.
async fn export_with_latency() -> Export {
    const LEADS: u64 = EXPORT_LEADS;
    const LATENCY: Duration = EXPORT_LATENCY;
    const IN_FLIGHT: usize = 8;
    let faults = Faults::default().with_latency(Latency::Fixed(LATENCY));
    let fake = FakeServer::start(Config::default().with_leads(LEADS).with_faults(faults))
        .await
        .unwrap();
    let export = |concurrency: usize| export_all(client(&fake), concurrency, LEADS);
    let pages = pages_of(LEADS);
    let http = reqwest::Client::new();
    let by_hand = || {
        let (http, base_url, key) = (
            http.clone(),
            fake.base_url().to_owned(),
            fake.api_key().to_owned(),
        );
        async move {
            #[derive(Deserialize)]
            struct Direct {
                data: DirectPage,
            }
            #[derive(Deserialize)]
            struct DirectPage {
                list: Vec<Lead>,
            }
            let started = Instant::now();
            let count = futures_util::stream::iter(0..pages)
                .map(|page| {
                    let request = http
                        .get(format!(
                            "{base_url}/v2/lead/?limit={}&offset={}",
                            liner::LeadQuery::DEFAULT_PAGE_SIZE,
                            page * liner::LeadQuery::DEFAULT_PAGE_SIZE
                        ))
                        .header("X-Api-Key", key.as_str());
                    tokio::spawn(async move {
                        let bytes = request.send().await.unwrap().bytes().await.unwrap();
                        serde_json::from_slice::<Direct>(&bytes).unwrap().data.list
                    })
                })
                .buffered(IN_FLIGHT)
                .fold(
                    0u64,
                    |n, list| async move { n + list.unwrap().len() as u64 },
                )
                .await;
            assert_eq!(count, LEADS);
            started.elapsed()
        }
    };
    // Fewer rounds: each sequential export takes several seconds.
    let (mut sequential, mut concurrent, mut hand_written) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        sequential.push(export(1).await);
        concurrent.push(export(IN_FLIGHT).await);
        hand_written.push(by_hand().await);
    }
    drop(fake);
    let fake = FakeServer::start(Config::default().with_leads(LEADS))
        .await
        .unwrap();
    let mut no_latency = Vec::new();
    for _ in 0..3 {
        no_latency.push(export_all(client(&fake), IN_FLIGHT, LEADS).await);
    }
    Export {
        sequential: median(sequential),
        concurrent: median(concurrent),
        bound: LATENCY * pages as u32 / IN_FLIGHT as u32,
        hand_written: median(hand_written),
        no_latency: median(no_latency),
    }
}

/// The export of [`export_with_latency`] over HTTPS.
struct TlsExport {
    http1: Duration,
    http2: Duration,
    bound: Duration,
    /// Handshakes per export (the pool reused: at most the concurrency).
    http1_handshakes: u64,
    http2_handshakes: u64,
}

/// Exporting 100,000 leads with 5 ms per request over HTTPS, 8 pages in
/// flight: HTTP/1.1 (8 connections) and HTTP/2 (one connection, ALPN),
/// alternating, each round with a new client.
async fn export_over_tls() -> TlsExport {
    const LEADS: u64 = EXPORT_LEADS;
    const IN_FLIGHT: usize = 8;
    let faults = Faults::default().with_latency(Latency::Fixed(EXPORT_LATENCY));
    let fake = FakeServer::start(
        Config::default()
            .with_leads(LEADS)
            .with_faults(faults)
            .with_tls(liner_fake::Tls::default()),
    )
    .await
    .unwrap();
    let authority = reqwest::Certificate::from_pem(fake.ca_pem().unwrap().as_bytes()).unwrap();
    let client = |http2: bool| {
        let builder = reqwest::Client::builder()
            .tls_certs_merge([authority.clone()])
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        let builder = if http2 { builder } else { builder.http1_only() };
        Liner::builder()
            .base_url(fake.base_url())
            .api_key(fake.api_key())
            .http_client(builder.build().unwrap())
            .build()
            .unwrap()
    };
    let (mut http1, mut http2) = (Vec::new(), Vec::new());
    let (mut http1_handshakes, mut http2_handshakes) = (0, 0);
    for _ in 0..3 {
        let before = fake.tls_handshakes();
        http1.push(export_all(client(false), IN_FLIGHT, LEADS).await);
        http1_handshakes = fake.tls_handshakes() - before;
        let before = fake.tls_handshakes();
        http2.push(export_all(client(true), IN_FLIGHT, LEADS).await);
        http2_handshakes = fake.tls_handshakes() - before;
    }
    TlsExport {
        http1: median(http1),
        http2: median(http2),
        bound: EXPORT_LATENCY * pages_of(LEADS) as u32 / IN_FLIGHT as u32,
        http1_handshakes,
        http2_handshakes,
    }
}

/// Decoding one 100-lead page: liner's envelope path vs serde_json straight
/// into `Vec<Lead>` inside a plain struct.
fn decode_overhead() -> (Duration, Duration) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = runtime.block_on(async {
        let fake = FakeServer::start(Config::default().with_leads(100))
            .await
            .unwrap();
        reqwest::Client::new()
            .get(format!("{}/v2/lead/?limit=100", fake.base_url()))
            .header("X-Api-Key", fake.api_key())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    });
    #[derive(Deserialize)]
    struct Direct {
        #[allow(dead_code)]
        success: bool,
        data: DirectPage,
    }
    #[derive(Deserialize)]
    struct DirectPage {
        list: Vec<Lead>,
        #[allow(dead_code)]
        next: Option<u64>,
        #[allow(dead_code)]
        total: Option<u64>,
    }
    const DECODES: u32 = 2000;
    let (mut subject, mut baseline) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..DECODES {
            let page = liner::bench_hooks::decode_lead_page(std::hint::black_box(&body)).unwrap();
            assert_eq!(page.items.len(), 100);
        }
        subject.push(started.elapsed() / DECODES);
        let started = Instant::now();
        for _ in 0..DECODES {
            let page: Direct = serde_json::from_slice(std::hint::black_box(&body)).unwrap();
            assert_eq!(page.data.list.len(), 100);
        }
        baseline.push(started.elapsed() / DECODES);
    }
    (median(subject), median(baseline))
}

/// Peak RSS (KiB) of a child process exporting 100,000, then 1,000,000 leads.
fn peak_rss() -> (u64, u64) {
    let run = |leads: u64| child_number(&["--rss-child", &leads.to_string()]);
    (run(100_000), run(1_000_000))
}

/// What a child process of this bench, run with `args`, printed.
fn child_number(args: &[&str]) -> u64 {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .trim()
        .parse::<u64>()
        .unwrap()
}

/// The median times to de-duplicate a million ids: descending with gaps
/// (each a new range, at the front), the same ids ascending (each a new
/// range, at the back), and a million ascending without gaps (one range).
fn dedup_orders() -> (Duration, Duration, Duration) {
    let descending: Vec<u64> = (0..1_000_000u64).rev().map(|n| n * 2).collect();
    let ascending: Vec<u64> = descending.iter().rev().copied().collect();
    let run: Vec<u64> = (0..1_000_000u64).collect();
    let time = |ids: &[u64]| {
        let started = Instant::now();
        assert_eq!(
            liner::bench_hooks::dedup(std::hint::black_box(ids)),
            ids.len()
        );
        started.elapsed()
    };
    let (mut down, mut up, mut one) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        down.push(time(&descending));
        up.push(time(&ascending));
        one.push(time(&run));
    }
    (median(down), median(up), median(one))
}

/// In a child process: one `lead(id)` against a server that sends a normal
/// answer, or a 2 GB body announced with its Content-Length, or streamed
/// without one; print the peak resident set size in KiB.
fn hostile_child(kind: &str) {
    use liner_test_support::hostile::{HostileServer, json, script};
    use tokio::io::AsyncWriteExt as _;
    const TWO_GB: u64 = 2 << 30;
    let kind = kind.to_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let server = HostileServer::start(script(move |_, mut stream| {
            let kind = kind.clone();
            async move {
                if kind == "normal" {
                    return json(stream, r#"{"success":true,"message":"","data":{"id":1}}"#).await;
                }
                let head = if kind == "announced" {
                    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {TWO_GB}\r\n\r\n")
                } else {
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned()
                };
                let _ = stream.write_all(head.as_bytes()).await;
                let chunk = vec![b' '; 1 << 20];
                let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                for _ in 0..(TWO_GB >> 20) {
                    let bytes = if kind == "announced" { &chunk } else { &framed };
                    if stream.write_all(bytes).await.is_err() {
                        return;
                    }
                }
            }
        }))
        .await;
        let client = Liner::builder()
            .base_url(server.base_url())
            .api_key("bench-key")
            .build()
            .unwrap();
        let _ = client.lead(1).await;
    });
    println!("{}", peak_rss_kib());
}

/// The time from a `lead(id)` to its error, with the default settings,
/// against a server that accepts the request and never answers.
async fn silent_server_error_after() -> Duration {
    use liner_test_support::hostile::{HostileServer, script};
    let silent = HostileServer::start(script(|_, stream| async move {
        std::future::pending::<()>().await;
        drop(stream);
    }))
    .await;
    let client = Liner::builder()
        .base_url(silent.base_url())
        .api_key("bench-key")
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.lead(1).await.unwrap_err();
    assert!(error.is_timeout(), "{error}");
    started.elapsed()
}

/// The requests the client sends to a server that ignores `offset` and
/// keeps advancing `next`, before it ends the list with an error.
async fn offset_ignoring_requests() -> usize {
    use liner_test_support::hostile::{HostileServer, json, script};
    let server = HostileServer::start(script(|request, stream| {
        let offset: u64 = request
            .query_param("offset")
            .and_then(|value| value.parse().ok())
            .unwrap_or(0);
        let list: Vec<String> = (1..=100).map(|id| format!(r#"{{"id":{id}}}"#)).collect();
        let body = format!(
            r#"{{"success":true,"message":"","data":{{"list":[{}],"next":{}}}}}"#,
            list.join(","),
            offset + 100
        );
        async move { json(stream, &body).await }
    }))
    .await;
    let client = Liner::builder()
        .base_url(server.base_url())
        .api_key("bench-key")
        .build()
        .unwrap();
    let ended = client.leads().collect_all().await;
    assert!(ended.is_err());
    server.requests().len()
}

/// In a child process: export `leads` leads from an in-process fake with 8
/// pages in flight, counting them as an export would write them out, then
/// print the peak resident set size in KiB.
/// De-duplicates 1,000,000 ids as an export's pager does, every third id
/// (a filtered export of a real account: sparse ids, one range each) or
/// consecutive ones (one range in all); prints the peak RSS.
fn ids_rss_child(kind: &str) {
    let step = match kind {
        "sparse" => 3,
        "dense" => 1,
        other => panic!("unknown id layout {other:?}"),
    };
    let ids: Vec<u64> = (0..1_000_000u64).map(|n| 1 + n * step).collect();
    assert_eq!(
        liner::bench_hooks::dedup(std::hint::black_box(&ids)),
        ids.len()
    );
    println!("{}", peak_rss_kib());
}

fn rss_child(leads: u64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let fake = FakeServer::start(Config::default().with_leads(leads))
            .await
            .unwrap();
        export_all(client(&fake), 8, leads).await;
    });
    println!("{}", peak_rss_kib());
}

/// This process's peak resident set size, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("VmHWM in /proc/self/status (Linux)")
}
