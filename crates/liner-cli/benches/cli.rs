//! The `liner` command's benchmarks, each a ratio against a baseline
//! measured in the same run (run from the workspace root):
//!
//! ```sh
//! cargo bench -p liner-cli --bench cli                    # every measure
//! cargo bench -p liner-cli --bench cli -- export rss      # some of them
//! cargo bench -p liner-cli --bench cli -- --write-results # and record them
//! ```
//!
//! 1. `export`: `liner leads export` of 100,000 leads from `liner-fake`
//!    with 5 ms of latency per request, against the documentation's loop
//!    (one page of 100 at a time, each lead written as a JSON line to the
//!    same kind of file), and against the latency bound at the command's
//!    default concurrency (the first page alone, then the other 999 pages
//!    8 at a time). Goals: >= 6x the loop, <= 1.3x the bound.
//! 2. `rss`: the peak RSS of the `liner` process exporting 1,000,000 leads
//!    vs 100,000. Goal: <= 1.1x.
//! 3. `throughput`: leads per second exported with no latency, CSV and JSON
//!    Lines; rows per second imported with 5 ms of latency (context).
//! 4. `import-rss`: the peak RSS of `liner leads import` of 1,000,000 rows
//!    vs 100,000 (CSV over 50 orders, every row created, no latency, into
//!    a server that keeps nothing: see `sink_server`), and
//!    of its checking pass alone over 10,000,000 rows vs 100,000 (one
//!    invalid row at the end: nothing is sent). Goal: <= 1.2x each.
//!    `LINER_BENCH_IMPORT_ROWS=10000000` sets the larger count of the
//!    whole import.
//! 5. `rate`: `liner --rate 200 leads import` of 2,000 rows into a fake that
//!    serves 200 requests a second (a burst of 10, 5 ms of latency,
//!    `Retry-After: 1`), vs the same import without `--rate`, vs the ideal
//!    of its requests / 200 a second. Goals: <= 1.1x the ideal, <= 2% of
//!    requests refused.
//!
//! The fake server runs in this process; the command under test is the
//! release build of the `liner` binary, in a child process. Its peak RSS is
//! read from `/proc/<pid>/status` (`VmHWM`, a high-water mark) while it
//! runs (Linux).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use liner_fake::{Clock, Config, FakeServer, Faults, Latency, RateLimit};

const BIN: &str = env!("CARGO_BIN_EXE_liner");
const LATENCY: Duration = Duration::from_millis(5);
/// The command's default export concurrency.
const CONCURRENCY: u32 = 8;
const MEASURES: [&str; 5] = ["export", "rss", "throughput", "import-rss", "rate"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let picked: Vec<&str> = MEASURES
        .iter()
        .copied()
        .filter(|measure| args.iter().any(|arg| arg == measure))
        .collect();
    let run = |measure: &str| picked.is_empty() || picked.contains(&measure);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();

    if run("export") {
        let fake = start(&runtime, 100_000, Some(LATENCY));
        let loop_time = docs_loop(&runtime, &fake, &dir.path().join("loop.jsonl"));
        let (export_time, _) = export(&fake, &dir.path().join("export.jsonl"), "jsonl");
        let pages = 1000;
        let bound = LATENCY + LATENCY * (pages - 1_u32).div_ceil(CONCURRENCY);
        rows.push(format!(
            "| export 100,000 leads, 5 ms latency | `liner leads export` {} | the docs' loop, one page at a time, {} | {:.1}x faster | >= 6x |",
            millis(export_time),
            millis(loop_time),
            ratio(loop_time, export_time)
        ));
        rows.push(format!(
            "| export vs latency bound | `liner leads export` {} | 1 page + 999 pages / {CONCURRENCY} in flight, x 5 ms = {} | {:.2} | <= 1.3 |",
            millis(export_time),
            millis(bound),
            ratio(export_time, bound)
        ));
    }
    if run("rss") {
        let mut peaks = Vec::new();
        for leads in [100_000, 1_000_000] {
            let fake = start(&runtime, leads, None);
            let (_, peak) = export(&fake, &dir.path().join("rss.jsonl"), "jsonl");
            peaks.push(peak);
        }
        rows.push(format!(
            "| peak RSS of `liner leads export` | 1,000,000 leads {} | 100,000 leads {} | {:.2} | <= 1.1 |",
            mib(peaks[1]),
            mib(peaks[0]),
            peaks[1] as f64 / peaks[0] as f64
        ));
    }
    if run("import-rss") {
        let larger: usize = std::env::var("LINER_BENCH_IMPORT_ROWS")
            .ok()
            .and_then(|rows| rows.parse().ok())
            .unwrap_or(1_000_000);
        let mut runs = Vec::new();
        for count in [100_000, larger] {
            let (base_url, created) = runtime.block_on(sink_server());
            let file = dir.path().join(format!("import-{count}.csv"));
            write_new_leads(&file, count);
            let mut command = Command::new(BIN);
            command
                .args(["leads", "import", "--settle", "0"])
                .arg(&file)
                .env("LINER_BASE_URL", &base_url)
                .env("LINER_API_KEY", "bench-key");
            let (time, peak) = measured(command, "the import", true);
            assert_eq!(
                created.load(std::sync::atomic::Ordering::SeqCst),
                count as u64
            );
            runs.push((count, time, peak, std::fs::metadata(&file).unwrap().len()));
            std::fs::remove_file(&file).unwrap();
            let _ = std::fs::remove_file(file.with_extension("csv.journal"));
        }
        let (small, large) = (runs[0], runs[1]);
        rows.push(format!(
            "| peak RSS of `liner leads import` | {} rows ({} MiB file, {:.0} rows/s) {} | {} rows ({} MiB file) {} | {:.2} | <= 1.2 |",
            thousands(large.0),
            large.3 / (1 << 20),
            large.0 as f64 / large.1.as_secs_f64(),
            mib(large.2),
            thousands(small.0),
            small.3 / (1 << 20),
            mib(small.2),
            large.2 as f64 / small.2 as f64
        ));
        let mut peaks = Vec::new();
        for count in [100_000, 10_000_000] {
            let file = dir.path().join(format!("check-{count}.csv"));
            write_new_leads(&file, count);
            std::fs::OpenOptions::new()
                .append(true)
                .open(&file)
                .and_then(|mut out| std::io::Write::write_all(&mut out, b"straight,12,200,bad,\n"))
                .unwrap();
            let mut command = Command::new(BIN);
            command
                .args(["leads", "import"])
                .arg(&file)
                .env("LINER_BASE_URL", "http://127.0.0.1:9")
                .env("LINER_API_KEY", "unused");
            let (_, peak) = measured(command, "the check", false);
            peaks.push((peak, std::fs::metadata(&file).unwrap().len()));
            std::fs::remove_file(&file).unwrap();
        }
        rows.push(format!(
            "| peak RSS of `liner leads import`, checking pass alone | 10,000,000 rows ({} MiB file) {} | 100,000 rows {} | {:.2} | <= 1.2 |",
            peaks[1].1 / (1 << 20),
            mib(peaks[1].0),
            mib(peaks[0].0),
            peaks[1].0 as f64 / peaks[0].0 as f64
        ));
    }
    if run("throughput") {
        let fake = start(&runtime, 100_000, None);
        for format in ["jsonl", "csv"] {
            let file = dir.path().join(format!("all.{format}"));
            let (time, _) = export(&fake, &file, format);
            rows.push(format!(
                "| export throughput, no latency, {format} | 100,000 leads in {} | | {:.0} leads/s | (context) |",
                millis(time),
                100_000.0 / time.as_secs_f64()
            ));
        }
        let fake = start(&runtime, 0, Some(LATENCY));
        let rows_file = dir.path().join("new.csv");
        std::fs::write(
            &rows_file,
            liner_test_support::new_leads::csv(2_000, "B", 5),
        )
        .unwrap();
        let started = Instant::now();
        let status = Command::new(BIN)
            .args(["leads", "import"])
            .arg(&rows_file)
            .env("LINER_BASE_URL", fake.base_url())
            .env("LINER_API_KEY", fake.api_key())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        let time = started.elapsed();
        assert!(status.success());
        assert_eq!(fake.stats().leads_created, 2_000);
        let bound = LATENCY * 2_000 / 4;
        rows.push(format!(
            "| import throughput, 5 ms latency, 4 in flight | 2,000 rows in {} | 2,000 x 5 ms / 4 = {} | {:.0} rows/s ({:.2} of the bound) | (context) |",
            millis(time),
            millis(bound),
            2_000.0 / time.as_secs_f64(),
            ratio(time, bound)
        ));
    }

    if run("rate") {
        let mut runs = Vec::new();
        for rate in [Some(200), None] {
            let fake = runtime
                .block_on(FakeServer::start(
                    Config::default()
                        .with_leads(0)
                        .with_faults(Faults::default().with_latency(Latency::Fixed(LATENCY)))
                        .with_rate_limit(RateLimit::per_second(200).with_burst(10))
                        .with_clock(Clock::System),
                ))
                .unwrap();
            let rows_file = dir.path().join(format!("rate-{rate:?}.csv"));
            std::fs::write(
                &rows_file,
                liner_test_support::new_leads::csv(2_000, "R", 5),
            )
            .unwrap();
            let mut command = Command::new(BIN);
            if let Some(rate) = rate {
                command.args(["--rate", &rate.to_string()]);
            }
            command
                .args(["leads", "import"])
                .arg(&rows_file)
                .env("LINER_BASE_URL", fake.base_url())
                .env("LINER_API_KEY", fake.api_key())
                .stderr(Stdio::null());
            let started = Instant::now();
            let mut child = command.spawn().unwrap();
            // Bounded: a run that has not ended in 5 minutes is stopped
            // and reported as such.
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break Some(status);
                }
                if started.elapsed() > Duration::from_secs(300) {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            let time = started.elapsed();
            let stats = fake.stats();
            runs.push((time, status, stats));
        }
        let describe = |(time, status, stats): &(
            Duration,
            Option<std::process::ExitStatus>,
            liner_fake::Stats,
        )| {
            format!(
                "{}, {} created, {} of {} requests refused ({:.1}%){}",
                millis(*time),
                stats.leads_created,
                stats.rate_limited,
                stats.requests,
                stats.rate_limited as f64 * 100.0 / stats.requests.max(1) as f64,
                match status {
                    Some(status) if status.success() => String::new(),
                    Some(status) => format!(", exit {}", status.code().unwrap_or(-1)),
                    None => ", stopped after 5 min".to_owned(),
                }
            )
        };
        let ideal = Duration::from_secs_f64(runs[0].2.requests as f64 / 200.0);
        rows.push(format!(
            "| import 2,000 rows into a server limited to 200/s (5 ms) | `--rate 200`: {} | no `--rate`: {} | {:.2}x the ideal {} (its requests / 200 a second) | <= 1.1x, <= 2% refused |",
            describe(&runs[0]),
            describe(&runs[1]),
            ratio(runs[0].0, ideal),
            millis(ideal)
        ));
    }

    liner_test_support::bench_results::report(
        &rows,
        &args,
        env!("CARGO_MANIFEST_DIR"),
        "liner-cli",
        "cli",
        &picked,
    );
}

/// A fake server with `leads` seeded leads, serving from `runtime`.
fn start(runtime: &tokio::runtime::Runtime, leads: u64, latency: Option<Duration>) -> FakeServer {
    let mut faults = Faults::default();
    if let Some(latency) = latency {
        faults = faults.with_latency(Latency::Fixed(latency));
    }
    runtime
        .block_on(FakeServer::start(
            Config::default()
                .with_leads(leads)
                .with_faults(faults)
                .with_clock(Clock::System),
        ))
        .unwrap()
}

/// Runs `liner leads export` into `file`: how long it took, and the peak
/// RSS of the process in KiB.
fn export(fake: &FakeServer, file: &Path, format: &str) -> (Duration, u64) {
    let mut command = Command::new(BIN);
    command
        .args(["leads", "export", "--format", format, "--output"])
        .arg(file)
        .env("LINER_BASE_URL", fake.base_url())
        .env("LINER_API_KEY", fake.api_key());
    measured(command, "the export", true)
}

/// A server for the import's memory measure: it answers every create with
/// a new id and every list with an empty page, over kept-alive
/// connections, and holds nothing. (`liner-fake` keeps every lead it is
/// sent, some kilobytes each: ten million of them did not fit in this
/// machine's memory.) Returns its base URL and the count of creates.
async fn sink_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicU64>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let created = Arc::new(AtomicU64::new(0));
    let count = Arc::clone(&created);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let count = Arc::clone(&count);
            tokio::spawn(async move {
                let mut stream = tokio::io::BufReader::new(stream);
                loop {
                    let mut head = String::new();
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        match stream.read_line(&mut line).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(value) =
                            line.to_ascii_lowercase().strip_prefix("content-length:")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                        head.push_str(&line);
                    }
                    let mut body = vec![0; length];
                    if stream.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let answer = if head.starts_with("POST") {
                        let id = count.fetch_add(1, Ordering::SeqCst) + 1;
                        format!(r#"{{"success":true,"message":"","data":{{"id":{id}}}}}"#)
                    } else {
                        r#"{"success":true,"message":"","data":{"list":[],"total":0}}"#.to_owned()
                    };
                    let message = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
                        answer.len()
                    );
                    if stream
                        .get_mut()
                        .write_all(message.as_bytes())
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (base_url, created)
}

/// Writes a CSV of `rows` new leads (over 50 orders) to `path`, a row at a
/// time.
fn write_new_leads(path: &Path, rows: usize) {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(b"leadType,phone,orderId,orderCode,name\n")
        .unwrap();
    for n in 0..rows {
        writeln!(
            out,
            "straight,+79{:09},{},R-{n},Client {n}",
            100_000_000 + n,
            200 + n % 50
        )
        .unwrap();
    }
    out.flush().unwrap();
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Runs `command` (its stderr dropped): how long it took, and the peak RSS
/// of the process in KiB; panics naming `what` unless it succeeds or fails
/// as `succeeds` says.
fn measured(mut command: Command, what: &str, succeeds: bool) -> (Duration, u64) {
    command.stderr(Stdio::null());
    let started = Instant::now();
    let mut child = command.spawn().unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if let Some(kib) = std::fs::read_to_string(&status_path)
            .ok()
            .and_then(|text| vm_hwm(&text))
        {
            peak = peak.max(kib);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let time = started.elapsed();
    assert_eq!(status.success(), succeeds, "{what}: {status}");
    (time, peak)
}

fn vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The documentation's loop: request a page, write its leads, move the
/// offset, until a page comes back empty.
fn docs_loop(runtime: &tokio::runtime::Runtime, fake: &FakeServer, file: &Path) -> Duration {
    use std::io::Write as _;

    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut out = std::io::BufWriter::new(std::fs::File::create(file).unwrap());
    let mut offset = 0;
    loop {
        let body: serde_json::Value = runtime.block_on(async {
            http.get(format!("{}/v2/lead/", fake.base_url()))
                .query(&[("offset", offset), ("limit", 100)])
                .header("X-Api-Key", fake.api_key())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        });
        let list = body["data"]["list"].as_array().cloned().unwrap_or_default();
        if list.is_empty() {
            break;
        }
        for lead in &list {
            serde_json::to_writer(&mut out, lead).unwrap();
            out.write_all(b"\n").unwrap();
        }
        offset += list.len();
    }
    out.flush().unwrap();
    started.elapsed()
}

fn ratio(subject: Duration, baseline: Duration) -> f64 {
    subject.as_secs_f64() / baseline.as_secs_f64()
}

fn millis(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1e3)
}

fn mib(kib: u64) -> String {
    format!("{} MiB", kib.div_ceil(1024))
}
