//! Fault and latency injection, deterministic under a seed.
//!
//! Request number `n` (counted from 0 in arrival order) gets its latency and
//! its fault from a hash of `(seed, n)`: the same seed and the same request
//! order give the same faults, run after run.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::seed::mix;

/// Per-request latency: the server's response time. The fake does its work
/// when the request arrives and sends the answer once the latency has passed
/// since then, so its own time is part of the latency, not added to it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Latency {
    /// Answer at once.
    #[default]
    None,
    /// Answer this long after the request arrived.
    Fixed(Duration),
    /// Answer a uniformly drawn time between the two bounds after the
    /// request arrived.
    Uniform(Duration, Duration),
}

/// What can go wrong with a request, on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Fault {
    /// `429 Too Many Requests`, failure envelope, `Retry-After` header.
    /// Decided before the request is handled: nothing changes.
    TooManyRequests,
    /// `500` with a failure envelope. Nothing changes.
    InternalError,
    /// `502` with an HTML body, as a proxy in front of the API would send.
    /// Nothing changes.
    BadGateway,
    /// `503` with an HTML body. Nothing changes.
    Unavailable,
    /// The request is handled (a create does create), then the connection is
    /// closed before any of the answer is sent: the client sees no status.
    CutBeforeAnswer,
    /// The request is handled, the status, the headers and the first half of
    /// the body are sent, then the connection is cut.
    CutMidBody,
    /// The request is handled, then answered `200` with truncated JSON.
    MalformedJson,
    /// `200` with `{"success": false, ...}`. Nothing changes.
    SuccessFalse,
}

impl Fault {
    /// Every fault, in the order rates are drawn.
    pub const ALL: [Fault; 8] = [
        Fault::TooManyRequests,
        Fault::InternalError,
        Fault::BadGateway,
        Fault::Unavailable,
        Fault::CutBeforeAnswer,
        Fault::CutMidBody,
        Fault::MalformedJson,
        Fault::SuccessFalse,
    ];

    /// Faults that happen after the request took effect on the server.
    pub fn after_handling(self) -> bool {
        matches!(
            self,
            Self::CutBeforeAnswer | Self::CutMidBody | Self::MalformedJson
        )
    }

    /// The fault's name on the command line (`unavailable`,
    /// `cut-mid-body`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::TooManyRequests => "too-many-requests",
            Self::InternalError => "internal-error",
            Self::BadGateway => "bad-gateway",
            Self::Unavailable => "unavailable",
            Self::CutBeforeAnswer => "cut-before-answer",
            Self::CutMidBody => "cut-mid-body",
            Self::MalformedJson => "malformed-json",
            Self::SuccessFalse => "success-false",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Fault {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|fault| fault.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|fault| fault.name()).collect();
                format!(
                    "no fault is called {name:?}; the faults are {}",
                    names.join(", ")
                )
            })
    }
}

/// Which faults happen, how often, and the latency of every answer. Rates
/// are fractions of requests in `0.0..=1.0`; they add up.
///
/// ```
/// use liner_fake::{Fault, Faults};
///
/// let flaky = Faults::default()
///     .with(Fault::Unavailable, 0.2)
///     .with(Fault::CutMidBody, 0.05);
/// let broken = Faults::always(Fault::BadGateway);
/// # let _ = (flaky, broken);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Seed of the draws.
    pub seed: u64,
    /// The response time of every request.
    pub latency: Latency,
    /// The `Retry-After` of a 429, in seconds.
    pub retry_after_seconds: u64,
    rates: BTreeMap<Fault, f64>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            seed: 0,
            latency: Latency::None,
            retry_after_seconds: 1,
            rates: BTreeMap::new(),
        }
    }
}

impl Faults {
    /// `fault` on every request.
    pub fn always(fault: Fault) -> Self {
        Self::default().with(fault, 1.0)
    }

    /// Sets the rate of `fault`.
    #[must_use]
    pub fn with(mut self, fault: Fault, rate: f64) -> Self {
        self.rates.insert(fault, rate);
        self
    }

    /// Sets the seed of the draws.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the latency.
    #[must_use]
    pub fn with_latency(mut self, latency: Latency) -> Self {
        self.latency = latency;
        self
    }

    /// Sets the `Retry-After` of a 429, in seconds.
    #[must_use]
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = seconds;
        self
    }

    /// The rate of `fault`.
    pub fn rate(&self, fault: Fault) -> f64 {
        self.rates.get(&fault).copied().unwrap_or(0.0)
    }

    /// The sum of all fault rates.
    pub fn total_rate(&self) -> f64 {
        self.rates.values().sum()
    }

    /// Checks that the rates are fractions that add up to at most 1.
    pub fn validate(&self) -> Result<(), String> {
        for (fault, rate) in &self.rates {
            if !(0.0..=1.0).contains(rate) {
                return Err(format!(
                    "the rate of {fault} is {rate}; rates are between 0 and 1"
                ));
            }
        }
        if self.total_rate() > 1.0 + 1e-9 {
            return Err(format!("fault rates add up to {} > 1", self.total_rate()));
        }
        if let Latency::Uniform(min, max) = self.latency
            && min > max
        {
            return Err(format!("latency range {min:?}..{max:?} is empty"));
        }
        Ok(())
    }

    /// The latency and fault of request number `n`.
    pub fn decide(&self, n: u64) -> (Duration, Option<Fault>) {
        let latency = match self.latency {
            Latency::None => Duration::ZERO,
            Latency::Fixed(duration) => duration,
            Latency::Uniform(min, max) => {
                let span = (max - min).as_micros() as u64;
                min + Duration::from_micros(if span == 0 {
                    0
                } else {
                    mix(self.seed, n, 1) % (span + 1)
                })
            }
        };
        let draw = unit(mix(self.seed, n, 2));
        let mut threshold = 0.0;
        for fault in Fault::ALL {
            threshold += self.rate(fault);
            if draw < threshold {
                return (latency, Some(fault));
            }
        }
        (latency, None)
    }
}

/// A hash mapped to `0.0..1.0`.
fn unit(hash: u64) -> f64 {
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_honoured_and_deterministic() {
        let faults = Faults::default()
            .with_seed(9)
            .with(Fault::Unavailable, 0.2)
            .with(Fault::CutMidBody, 0.1);
        let decisions: Vec<_> = (0..10_000).map(|n| faults.decide(n).1).collect();
        let count = |fault| decisions.iter().filter(|d| **d == Some(fault)).count();
        assert!(
            (1800..2200).contains(&count(Fault::Unavailable)),
            "{}",
            count(Fault::Unavailable)
        );
        assert!((800..1200).contains(&count(Fault::CutMidBody)));
        assert_eq!(
            decisions,
            (0..10_000).map(|n| faults.decide(n).1).collect::<Vec<_>>()
        );
        let always = Faults::always(Fault::SuccessFalse);
        assert!((0..100).all(|n| always.decide(n).1 == Some(Fault::SuccessFalse)));
    }

    #[test]
    fn bad_rates_are_refused() {
        let too_much = Faults::default()
            .with(Fault::Unavailable, 0.7)
            .with(Fault::BadGateway, 0.7);
        assert!(too_much.validate().unwrap_err().contains("add up"));
        assert!(
            Faults::default()
                .with(Fault::InternalError, -0.1)
                .validate()
                .is_err()
        );
    }

    #[test]
    fn names_round_trip() {
        for fault in Fault::ALL {
            assert_eq!(fault.name().parse::<Fault>(), Ok(fault));
        }
        assert!(
            "drop"
                .parse::<Fault>()
                .unwrap_err()
                .contains("cut-mid-body")
        );
    }
}
