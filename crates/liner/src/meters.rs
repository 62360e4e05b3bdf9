//! The client's metrics, through the `metrics` facade (feature `metrics`):
//! nothing is recorded until the application installs a recorder, and
//! without the feature these functions are empty and compiled away.
//!
//! The metrics and their labels are listed in the crate README's "Metrics".
//!
//! The labels are those of the spans, and as bounded: a template, never a
//! path; no query value, no key.

use std::time::Duration;

use crate::routes::Route;

/// The end of one attempt: its duration, and its status or error type.
pub(crate) fn attempt(route: &Route, outcome: Outcome<'_>, took: Duration) {
    #[cfg(feature = "metrics")]
    {
        // The name is `{method} {template}`, both `'static`: no allocation.
        let method = route.name.split(' ').next().unwrap_or_default();
        let (key, value): (&'static str, metrics::SharedString) = match outcome {
            Outcome::Status(status) => ("http.response.status_code", status_label(status)),
            Outcome::Error(kind) => ("error.type", kind.to_owned().into()),
        };
        metrics::histogram!(
            "http.client.request.duration",
            "http.request.method" => method,
            "url.template" => route.template,
            key => value,
        )
        .record(took.as_secs_f64());
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (route, outcome, took);
}

/// The status as a label: a `'static` string for every status from 100 to
/// 599 (no allocation per attempt), formatted only for one outside them.
#[cfg(feature = "metrics")]
fn status_label(status: u16) -> metrics::SharedString {
    match status {
        100..=599 => {
            let at = usize::from(status - 100) * 3;
            metrics::SharedString::const_str(&STATUS_DIGITS[at..at + 3])
        }
        other => other.to_string().into(),
    }
}

/// "100101102...599": the three digits of every status from 100 to 599.
#[cfg(feature = "metrics")]
const STATUS_DIGITS: &str = {
    const BYTES: [u8; 1500] = {
        let mut bytes = [0u8; 1500];
        let mut status = 100;
        while status < 600 {
            let at = (status - 100) * 3;
            bytes[at] = b'0' + (status / 100) as u8;
            bytes[at + 1] = b'0' + (status / 10 % 10) as u8;
            bytes[at + 2] = b'0' + (status % 10) as u8;
            status += 1;
        }
        bytes
    };
    match std::str::from_utf8(&BYTES) {
        Ok(digits) => digits,
        Err(_) => panic!("ASCII digits are UTF-8"),
    }
};

/// How an attempt ended.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
pub(crate) enum Outcome<'a> {
    Status(u16),
    Error(&'a str),
}

/// A retry, and why (the failed attempt's `error.type`).
pub(crate) fn retry(reason: &str) {
    #[cfg(feature = "metrics")]
    metrics::counter!("liner.retries", "error.type" => reason.to_owned()).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = reason;
}

/// A page of the lead list taken in, with the leads dropped as already
/// yielded and those that did not decode.
pub(crate) fn page(duplicates_dropped: usize, undecodable: usize) {
    #[cfg(feature = "metrics")]
    {
        metrics::counter!("liner.pages").increment(1);
        metrics::counter!("liner.duplicates_dropped").increment(duplicates_dropped as u64);
        metrics::counter!("liner.undecodable_leads").increment(undecodable as u64);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (duplicates_dropped, undecodable);
}

/// One prefetch request in flight, counted in `liner.prefetch.in_flight`
/// until it is dropped: when its body is read, or when the stream is
/// dropped and its task aborted.
pub(crate) struct InFlight(());

impl InFlight {
    pub(crate) fn start() -> Self {
        #[cfg(feature = "metrics")]
        metrics::gauge!("liner.prefetch.in_flight").increment(1.0);
        Self(())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        #[cfg(feature = "metrics")]
        metrics::gauge!("liner.prefetch.in_flight").decrement(1.0);
    }
}

#[cfg(all(test, feature = "metrics"))]
mod tests {
    #[test]
    fn every_status_label_is_its_number() {
        for status in [0, 99, 100, 200, 404, 429, 503, 599, 600, 999, u16::MAX] {
            assert_eq!(super::status_label(status).as_ref(), status.to_string());
        }
    }
}
