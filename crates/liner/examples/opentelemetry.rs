//! How a service exports the `liner` client's spans to OpenTelemetry: the
//! client writes `tracing` spans (one per operation, one per attempt, named
//! and described as the OpenTelemetry conventions for HTTP clients say),
//! and `tracing-opentelemetry` turns them into OpenTelemetry spans for
//! whatever exporter the service uses. Here the exporter prints them.
//!
//! ```text
//! cargo run -p liner --example opentelemetry
//! ```
//!
//! It reads only: one lead, and the first page of the lead list. Against the
//! in-process fake server (the default), half of the first requests answer
//! `503`, so the output shows an operation with two attempts. With
//! `LINER_BASE_URL` and `LINER_API_KEY` set it reads from that server
//! (`examples/support/mod.rs`).
//!
//! In a service, replace the stdout exporter by the one of your collector
//! (`opentelemetry-otlp`, ...), keep the layer, and the client's spans join
//! the traces of the requests that made them: an operation's span is a child
//! of the span current when the call was made.

mod support;

use liner_fake::{Config, Fault, Faults};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use support::Target;
use tracing::Level;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::exit_status(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // 1. An OpenTelemetry tracer provider with an exporter: stdout here.
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
        .build();
    // 2. The bridge: `tracing` spans become OpenTelemetry spans. The
    //    client's `otel.name` and `otel.kind` fields set their name and kind.
    //    The filter keeps the client's spans and the service's own, and
    //    leaves out the HTTP stack's debug events.
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("my-service"))
        .with_filter(
            Targets::new()
                .with_target("liner", Level::DEBUG)
                .with_default(Level::INFO),
        );
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))?;

    // 3. The client, as usual (the fake, half of whose first requests
    //    answer 503, unless LINER_BASE_URL and LINER_API_KEY are set).
    let faults = Faults::default().with(Fault::Unavailable, 0.5);
    let target = Target::new(Config::default().with_leads(250).with_faults(faults)).await?;
    let liner = target.builder.build()?;

    // A span of the service's own: the client's spans are its children.
    let request = tracing::info_span!("handle_request", otel.name = "GET /report");
    let _entered = request.enter();
    match liner.lead(1).await {
        Ok(lead) => eprintln!("lead 1: order {:?}", lead.order_id),
        Err(error) => eprintln!("lead 1: {error}"),
    }
    if let Some(page) = liner.leads().concurrency(1).pages().next().await {
        eprintln!("first page: {} leads", page?.items.len());
    }
    drop(_entered);
    drop(request);

    // 4. Flush: the exporter prints every span ended so far.
    provider.shutdown()?;
    Ok(())
}
