//! The client's warnings (`tracing` events at WARN and above: retries, a
//! list that changed while paging), collected for a command's summary
//! rather than printed through its progress bar.

use std::sync::{Arc, Mutex};

use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::{Context, SubscriberExt as _};

/// How many warnings a summary lists; the rest are counted.
const KEPT: usize = 20;

/// The warnings seen so far.
#[derive(Clone, Default)]
pub struct Warnings(Arc<Mutex<Seen>>);

#[derive(Default)]
struct Seen {
    count: usize,
    kept: Vec<String>,
}

impl Warnings {
    /// Collects warnings from now on, process-wide; with `log`, also prints
    /// what it lets through on stderr (`LINER_LOG`).
    pub fn install(log: Option<tracing_subscriber::filter::Targets>) -> Self {
        let warnings = Self::default();
        let subscriber = tracing_subscriber::registry()
            .with(Collector(warnings.clone()))
            .with(crate::request_log::RequestLog::from_flags())
            .with(log.map(|filter| {
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_filter(filter)
            }));
        // Fails only if a subscriber is set already (a test calling twice):
        // the first one keeps collecting.
        let _ = tracing::subscriber::set_global_default(subscriber);
        warnings
    }

    /// How many there were.
    pub fn count(&self) -> usize {
        self.lock().count
    }

    /// The first ones, each one line (server text inside is bounded and
    /// escaped), and how many more there were.
    pub fn listed(&self) -> (Vec<String>, usize) {
        let seen = self.lock();
        (seen.kept.clone(), seen.count - seen.kept.len())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

struct Collector(Warnings);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Collector {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() > tracing::Level::WARN {
            return;
        }
        let mut line = crate::event_text::Line::default();
        event.record(&mut line);
        let mut seen = self.0.lock();
        seen.count += 1;
        if seen.kept.len() < KEPT {
            seen.kept.push(crate::text::one_line(&line.text(), 400));
        }
    }
}
