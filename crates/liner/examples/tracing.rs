//! Seeing every request: the client's `tracing` events and spans printed by
//! `tracing-subscriber`, one line per attempt (method, path template,
//! status, attempt, time) and a warning per retry.
//!
//! ```text
//! cargo run -p liner --example tracing
//! ```
//!
//! Against the in-process fake, a fifth of the requests answer `503`, so the
//! output shows retries; against the server `LINER_BASE_URL` and
//! `LINER_API_KEY` name it only reads (`examples/support/mod.rs`). To export
//! the spans to OpenTelemetry instead, see `examples/opentelemetry.rs`.

mod support;

use std::error::Error;
use std::process::ExitCode;

use liner_fake::{Config, Fault, Faults};
use support::Target;
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

#[tokio::main]
async fn main() -> ExitCode {
    support::exit_status(run().await)
}

async fn run() -> Result<(), Box<dyn Error>> {
    // `liner::request` (DEBUG): the end of each attempt. `liner` (WARN): a
    // retry, with its wait. Everything else at INFO: the HTTP stack's own
    // debug events are noise here. The spans' fields (the operation's
    // `otel.name`, ...) prefix each line.
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_target(true))
        .with(
            Targets::new()
                .with_target("liner::request", Level::DEBUG)
                .with_target("liner", Level::INFO)
                .with_default(Level::INFO),
        )
        .init();

    let faults = Faults::default()
        .with(Fault::Unavailable, 0.2)
        .with_retry_after(0)
        .with_seed(3);
    let target = Target::new(Config::default().with_leads(300).with_faults(faults)).await?;
    let client = target.builder.build()?;

    let operation = tracing::info_span!("nightly_report");
    let _entered = operation.enter();
    let page = client.leads().page_size(100).page().await?;
    tracing::info!(leads = page.items.len(), "first page read");
    if let Some(lead) = page.items.first() {
        client.lead(lead.id).await?;
    }
    // Three pages, four in flight at most: the prefetch's requests overlap.
    let mut pages = client.leads().page_size(100).concurrency(4).pages();
    for _ in 0..3 {
        match pages.next().await {
            Some(page) => tracing::info!(offset = page?.offset, "page read"),
            None => break,
        }
    }
    Ok(())
}
