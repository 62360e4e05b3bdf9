//! A `tracing` event as one line of text: its message, then its other
//! fields as `name=value`. Shared by the warnings a summary lists and the
//! lines `-vv` prints.

use std::fmt::Write as _;

use tracing::field::{Field, Visit};

/// An event's message, then its other fields as `name=value`.
#[derive(Default)]
pub struct Line {
    message: String,
    fields: String,
}

impl Line {
    pub fn text(&self) -> String {
        format!("{}{}", self.message, self.fields)
    }
}

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}
