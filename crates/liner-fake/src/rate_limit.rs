//! The fake's own rate limit: a token bucket that answers `429` with
//! `Retry-After` when it is empty, as a rate-limited server does.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many requests a second the fake serves, and how many at once after
/// a quiet time. Build one with [`RateLimit::per_second`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Tokens added each second: the sustained rate.
    pub per_second: u32,
    /// The bucket's size: the most requests served at once.
    pub burst: u32,
}

impl RateLimit {
    /// `per_second` requests a second (at least 1), with a burst of one
    /// second's worth.
    pub fn per_second(per_second: u32) -> Self {
        let per_second = per_second.max(1);
        Self {
            per_second,
            burst: per_second,
        }
    }

    /// Sets the bucket's size (at least 1).
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }
}

/// A token bucket, full at start.
pub(crate) struct Bucket {
    limit: RateLimit,
    /// The tokens, and when they were last counted.
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            state: Mutex::new((f64::from(limit.burst), Instant::now())),
        }
    }

    /// Takes a token. `Err(wait)` when the bucket is empty: how long until
    /// it holds one again.
    pub(crate) fn take(&self) -> Result<(), Duration> {
        let rate = f64::from(self.limit.per_second);
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (tokens, counted) = &mut *state;
        let now = Instant::now();
        let refill = now.saturating_duration_since(*counted).as_secs_f64() * rate;
        *tokens = (*tokens + refill).min(f64::from(self.limit.burst));
        *counted = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / rate))
        }
    }
}

/// A `Retry-After` in whole seconds, as the header carries it: the wait
/// rounded up, at least one.
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_serves_its_burst_then_refuses_with_the_wait() {
        let bucket = Bucket::new(RateLimit::per_second(10).with_burst(3));
        for _ in 0..3 {
            assert_eq!(bucket.take(), Ok(()));
        }
        let wait = bucket.take().unwrap_err();
        assert!(
            wait > Duration::from_millis(50) && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
        std::thread::sleep(wait);
        assert_eq!(bucket.take(), Ok(()));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::from_millis(5)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_seconds(Duration::from_millis(2001)), 3);
    }
}
