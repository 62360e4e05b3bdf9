//! `-v`: a line on stderr per request the client makes (the `liner::request`
//! events the transport writes at the end of each attempt), and with `-vv`
//! each retry and its wait (the client's warnings) as it happens. Never the
//! key, and never a query's values: the events carry neither. Server text
//! in an error is bounded and escaped.

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::Context;

/// Writes the request lines, at the verbosity of `-v`.
pub struct RequestLog {
    level: u8,
}

impl RequestLog {
    /// At the verbosity the command line asked for (`None`: not asked).
    pub fn from_flags() -> Option<Self> {
        let level = crate::notes::verbosity();
        (level > 0).then_some(Self { level })
    }
}

/// The fields of a request event.
#[derive(Default)]
struct Request {
    method: String,
    template: String,
    outcome: String,
    attempt: u64,
    took_ms: u64,
}

impl Visit for Request {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        match field.name() {
            "method" => self.method = text,
            "template" => self.template = text,
            "status" | "error" => self.outcome = text,
            _ => {}
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "attempt" => self.attempt = value,
            "took_ms" => self.took_ms = value,
            "status" => self.outcome = value.to_string(),
            _ => {}
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for RequestLog {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let metadata = event.metadata();
        if metadata.target() == "liner::request" {
            let mut request = Request::default();
            event.record(&mut request);
            eprintln!(
                "liner: {} {} {} (attempt {}, {} ms)",
                request.method,
                request.template,
                crate::text::one_line(&request.outcome, 100),
                request.attempt,
                request.took_ms
            );
        } else if self.level >= 2 && *metadata.level() <= tracing::Level::WARN {
            let mut line = crate::event_text::Line::default();
            event.record(&mut line);
            eprintln!("liner: {}", crate::text::one_line(&line.text(), 400));
        }
    }
}
