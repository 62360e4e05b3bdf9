//! `liner-fake`: run the fake Liner server from the command line.
//!
//! ```text
//! cargo run -p liner-fake --features cli -- --port 8080 --leads 10000 --api-key test-key
//! ```

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use liner_fake::{Clock, Config, Edit, FakeServer, Fault, Faults, Latency, RateLimit, Tls};

/// A stateful, in-memory stand-in for the Liner API. Prints its base URL and
/// serves until Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "liner-fake", version)]
struct Args {
    /// Address to listen on. Keep the default (loopback) unless you mean it.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The key clients must send as X-Api-Key.
    #[arg(long, default_value = "test-key")]
    api_key: String,
    /// Number of seeded leads (ids 1..=N), built on demand: millions are fine.
    #[arg(long, default_value_t = 1000)]
    leads: u64,
    /// Number of seeded calls (ids 1..=N); defaults to the number of leads.
    #[arg(long)]
    calls: Option<u64>,
    /// Seed of the generated data and of the injected faults.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Response time of every request, in milliseconds, the fake's own work included.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// With --latency-ms, draw each request's latency uniformly up to this.
    #[arg(long)]
    latency_max_ms: Option<u64>,
    /// A fault and the fraction of requests it happens to, as NAME=RATE;
    /// repeat for several (rates add up to at most 1). NAME is one of
    /// too-many-requests (429 with Retry-After), internal-error (500
    /// envelope), bad-gateway (502 HTML page), unavailable (503 HTML page),
    /// cut-before-answer (handled, then the connection closed with no
    /// answer), cut-mid-body (handled, then the connection cut halfway
    /// through the body), malformed-json (handled, then 200 with truncated
    /// JSON), success-false (200 with "success": false).
    #[arg(long = "fault", value_name = "NAME=RATE", value_parser = parse_fault)]
    faults: Vec<(Fault, f64)>,
    /// Seconds announced by Retry-After on a 429.
    #[arg(long, default_value_t = 1)]
    retry_after: u64,
    /// Shifting mode: insert this many leads at the head of the list before
    /// every list request with offset > 0.
    #[arg(long, default_value_t = 0)]
    shift: u32,
    /// Where creation and update times come from: `logical` (one seeded
    /// step after the last, the same in every run), `system` (now, as a
    /// real server), or a server's clock a client must not rely on:
    /// `offset:SECONDS` (now plus SECONDS, e.g. offset:-900),
    /// `local:HOURS` (local time HOURS east of UTC, written with no
    /// offset, e.g. local:+3), `unrelated` (dates unrelated to the request).
    #[arg(long, value_name = "CLOCK", default_value = "logical", value_parser = parse_clock)]
    clock: Clock,
    /// Store a create whose answer is lost (cut-before-answer, cut-mid-body,
    /// malformed-json) this many milliseconds after it arrived, as a server
    /// that queues work: no read sees it before.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    late_store_ms: u64,
    /// Serve at most N requests a second (a token bucket of N, refilled N a
    /// second); past it answer 429 with Retry-After, as a rate-limited
    /// server does.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    rate_limit: Option<u32>,
    /// Edit every created lead right after storing it, as a server that
    /// normalises and a person who tidies up: phone as +7 (900) 123-45-67,
    /// the name in capitals, utcOffset 3 when unset, the order code trimmed.
    #[arg(long)]
    edit_created: bool,
    /// Churn: before each list request with offset > 0, delete this many
    /// leads made by someone else from the head of the filtered list and add
    /// as many at its end (the total stays, the leads move up); a list
    /// request at offset 0 first adds as many at the head.
    #[arg(long, value_name = "N", default_value_t = 0)]
    churn: u32,
    /// Serve HTTPS (HTTP/1.1 and HTTP/2) with a certificate signed by a test
    /// authority made at start; its PEM is written to --tls-ca-out.
    #[arg(long)]
    tls: bool,
    /// Where --tls writes the authority's PEM [default: liner-fake-ca.pem in
    /// the temporary directory].
    #[arg(long, value_name = "PATH", requires = "tls")]
    tls_ca_out: Option<std::path::PathBuf>,
}

fn parse_clock(text: &str) -> Result<Clock, String> {
    text.parse()
}

impl Args {
    fn config(&self) -> Config {
        let latency = match (self.latency_ms, self.latency_max_ms) {
            (0, None) => Latency::None,
            (fixed, None) => Latency::Fixed(Duration::from_millis(fixed)),
            (min, Some(max)) => {
                Latency::Uniform(Duration::from_millis(min), Duration::from_millis(max))
            }
        };
        let config = Config::default()
            .with_bind(SocketAddr::new(self.host, self.port))
            .with_api_key(self.api_key.clone())
            .with_leads(self.leads)
            .with_calls(self.calls.unwrap_or(self.leads))
            .with_seed(self.seed)
            .with_shift_per_page(self.shift)
            .with_clock(self.clock)
            .with_late_store(Duration::from_millis(self.late_store_ms))
            .with_edit_created(if self.edit_created {
                Edit::Normalize
            } else {
                Edit::None
            })
            .with_churn_per_page(self.churn);
        let config = match self.rate_limit {
            Some(per_second) => config.with_rate_limit(RateLimit::per_second(per_second)),
            None => config,
        };
        let config = if self.tls {
            config.with_tls(Tls::default())
        } else {
            config
        };
        config.with_faults(
            self.faults
                .iter()
                .fold(Faults::default(), |faults, (fault, rate)| {
                    faults.with(*fault, *rate)
                })
                .with_seed(self.seed)
                .with_latency(latency)
                .with_retry_after(self.retry_after),
        )
    }
}

/// `NAME=RATE`, as `--fault` takes it.
fn parse_fault(argument: &str) -> Result<(Fault, f64), String> {
    let (name, rate) = argument
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=RATE, e.g. unavailable=0.1, got {argument:?}"))?;
    let rate: f64 = rate.parse().map_err(|_| {
        format!("the rate of {name} must be a number between 0 and 1, got {rate:?}")
    })?;
    Ok((name.parse()?, rate))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let config = args.config();
    let server = match FakeServer::start(config).await {
        Ok(server) => server,
        Err(err) => {
            // The error describes its own layer; the cause follows it.
            let mut line = format!("liner-fake: {err}");
            let mut cause = std::error::Error::source(&err);
            while let Some(inner) = cause {
                line.push_str(&format!(": {inner}"));
                cause = inner.source();
            }
            eprintln!("{line}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(pem) = server.ca_pem() {
        let path = args
            .tls_ca_out
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("liner-fake-ca.pem"));
        if let Err(err) = std::fs::write(&path, pem) {
            eprintln!(
                "liner-fake: cannot write the authority to {}: {err}",
                path.display()
            );
            return ExitCode::FAILURE;
        }
        eprintln!(
            "liner-fake: HTTPS, certificate signed by a test authority written to {} (trust it \
             with liner --ca-cert {0}, or LINER_CA_CERT)",
            path.display()
        );
    }
    println!("{}", server.base_url());
    // The key is echoed only when it is the well-known default, so that a
    // real-looking key passed with --api-key never lands in a terminal log.
    let key = if args.api_key == Config::default().api_key {
        format!("X-Api-Key: {}", args.api_key)
    } else {
        "X-Api-Key: the --api-key value".to_owned()
    };
    eprintln!(
        "liner-fake: serving {} leads and {} calls at {} ({key}); Ctrl-C stops it",
        args.leads,
        args.calls.unwrap_or(args.leads),
        server.base_url(),
    );
    if let Err(err) = tokio::signal::ctrl_c().await {
        eprintln!("liner-fake: cannot wait for Ctrl-C: {err}");
    }
    eprintln!("liner-fake: stopping");
    server.shutdown().await;
    ExitCode::SUCCESS
}
