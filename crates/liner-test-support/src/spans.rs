//! `tracing` spans captured as text a snapshot can hold: each span when it
//! closes, with its parent and its fields (as recorded by then), and each
//! event with the span it happened in. Values that change from run to run
//! (a port, a duration) are written `_`.
//!
//! Only the `liner` client's spans (`liner.*`) and events (target `liner`
//! or `liner::*`) are kept: a fake server in the same runtime has its own.
//!
//! Like [`logs`](crate::logs), give each capturing test a binary of its own.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

/// Fields whose values differ between runs.
const VARYING: [&str; 3] = ["server.port", "took_ms", "wait_ms"];

/// The spans and events seen while the guard of [`SpanLog::install`] lives.
#[derive(Clone, Default)]
pub struct SpanLog(Arc<Mutex<Vec<String>>>);

#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let name = field.name().to_owned();
        let value = if VARYING.contains(&field.name()) {
            "_".to_owned()
        } else {
            format!("{value:?}")
        };
        match self.0.iter_mut().find(|(known, _)| *known == name) {
            Some((_, slot)) => *slot = value,
            None => self.0.push((name, value)),
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        // Text as it is, not quoted twice.
        self.record_debug(field, &format_args!("{value}"));
    }
}

impl Fields {
    fn joined(&self) -> String {
        let mut text = String::new();
        for (name, value) in &self.0 {
            let _ = write!(text, " {name}={value}");
        }
        text
    }
}

impl SpanLog {
    /// Makes this log the current thread's subscriber (and so of a
    /// current-thread runtime's tasks) until the guard is dropped.
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let subscriber = tracing_subscriber::registry().with(self.clone());
        tracing::subscriber::set_default(subscriber)
    }

    /// The lines so far, and forgets them.
    pub fn take(&self) -> String {
        let mut lines = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let text = lines.join("\n");
        lines.clear();
        text
    }

    fn push(&self, line: String) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for SpanLog {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if !attrs.metadata().name().starts_with("liner.") {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let target = event.metadata().target();
        if target != "liner" && !target.starts_with("liner::") {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let within = ctx
            .event_span(event)
            .map_or_else(|| "-".to_owned(), |span| span.name().to_owned());
        self.push(format!(
            "event {} {} in {within}:{}",
            event.metadata().level(),
            event.metadata().target(),
            fields.joined()
        ));
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else {
            return;
        };
        if !span.name().starts_with("liner.") {
            return;
        }
        let parent = span
            .parent()
            .map_or_else(|| "-".to_owned(), |parent| parent.name().to_owned());
        let fields = span
            .extensions()
            .get::<Fields>()
            .map(Fields::joined)
            .unwrap_or_default();
        self.push(format!("span {} (in {parent}):{fields}", span.name()));
    }
}
