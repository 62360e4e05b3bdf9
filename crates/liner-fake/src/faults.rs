//! Fault and latency injection, deterministic under a seed.
//!
//! Request number `n` (counted from 0 in arrival order) gets its latency and
//! its fault from a hash of `(seed, n)`: the same seed and the same request
//! order give the same faults, run after run.

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// cut halfway through the response body.
    DropConnection,
    /// The request is handled, then answered `200` with truncated JSON.
    MalformedJson,
    /// `200` with `{"success": false, ...}`. Nothing changes.
    SuccessFalse,
}

impl Fault {
    /// Faults that happen after the request took effect on the server.
    pub fn after_handling(self) -> bool {
        matches!(self, Self::DropConnection | Self::MalformedJson)
    }
}

/// Rates are fractions of requests in `0.0..=1.0`; they add up.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    pub seed: u64,
    pub latency: Latency,
    pub too_many_requests: f64,
    pub internal_error: f64,
    pub bad_gateway: f64,
    pub unavailable: f64,
    pub drop_connection: f64,
    pub malformed_json: f64,
    pub success_false: f64,
    /// The `Retry-After` of a 429, in seconds.
    pub retry_after_seconds: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            seed: 0,
            latency: Latency::None,
            too_many_requests: 0.0,
            internal_error: 0.0,
            bad_gateway: 0.0,
            unavailable: 0.0,
            drop_connection: 0.0,
            malformed_json: 0.0,
            success_false: 0.0,
            retry_after_seconds: 1,
        }
    }
}

impl Faults {
    /// The sum of all fault rates.
    pub fn total_rate(&self) -> f64 {
        self.rates().iter().map(|(rate, _)| rate).sum()
    }

    fn rates(&self) -> [(f64, Fault); 7] {
        [
            (self.too_many_requests, Fault::TooManyRequests),
            (self.internal_error, Fault::InternalError),
            (self.bad_gateway, Fault::BadGateway),
            (self.unavailable, Fault::Unavailable),
            (self.drop_connection, Fault::DropConnection),
            (self.malformed_json, Fault::MalformedJson),
            (self.success_false, Fault::SuccessFalse),
        ]
    }

    /// Checks that the rates are fractions that add up to at most 1.
    pub fn validate(&self) -> Result<(), String> {
        for (rate, fault) in self.rates() {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!(
                    "the rate of {fault:?} is {rate}; rates are between 0 and 1"
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
        for (rate, fault) in self.rates() {
            threshold += rate;
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
        let faults = Faults {
            seed: 9,
            unavailable: 0.2,
            drop_connection: 0.1,
            ..Faults::default()
        };
        let decisions: Vec<_> = (0..10_000).map(|n| faults.decide(n).1).collect();
        let count = |fault| decisions.iter().filter(|d| **d == Some(fault)).count();
        assert!(
            (1800..2200).contains(&count(Fault::Unavailable)),
            "{}",
            count(Fault::Unavailable)
        );
        assert!((800..1200).contains(&count(Fault::DropConnection)));
        assert_eq!(
            decisions,
            (0..10_000).map(|n| faults.decide(n).1).collect::<Vec<_>>()
        );
    }

    #[test]
    fn bad_rates_are_refused() {
        let too_much = Faults {
            unavailable: 0.7,
            bad_gateway: 0.7,
            ..Faults::default()
        };
        assert!(too_much.validate().unwrap_err().contains("add up"));
        assert!(
            Faults {
                internal_error: -0.1,
                ..Faults::default()
            }
            .validate()
            .is_err()
        );
    }
}
