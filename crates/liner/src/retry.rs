//! [`RetryPolicy`]: which failed requests are tried again, when, and how
//! often.

use std::time::{Duration, SystemTime};

use crate::error::Error;

/// The deadline of every call unless the policy says otherwise: two full
/// attempts at the default per-attempt timeout (15 s), so that one slow
/// attempt can still be retried once, and no call lasts longer.
pub(crate) const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);

/// What a request does to the server, which decides whether retrying it is
/// safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// `lead`, `call`, list pages: retrying changes nothing.
    Read,
    /// `create_lead`: a retry after the server received the request could
    /// create the lead twice.
    Create,
    /// `update_lead`: idempotent in practice (it sets fields), but retried
    /// only when the policy opts in.
    Update,
}

/// When to retry a failed request, and how long a call may take in all.
///
/// The default retries reads (`lead`, `call`, list pages) at most twice on a
/// timeout, a broken connection, or HTTP 429, 502, 503 or 504, with
/// exponential backoff and jitter (200 ms, then 400 ms, each ±50%), honouring
/// `Retry-After` up to 60 s. An answer asking for a longer wait is returned as
/// an error at once. `create_lead` is retried only when the connection could
/// not be made, because any later failure may mean the lead was created.
/// `update_lead` is not retried unless [`RetryPolicy::retry_updates`] says so.
///
/// Every call has a deadline, [`DEFAULT_DEADLINE`](crate::RetryPolicy::DEFAULT_DEADLINE) unless
/// [`deadline`](Self::deadline) says otherwise: attempts and waits together
/// end by then, whatever the server does (a silent server, `Retry-After`
/// values under the cap), with [`Error::Timeout`].
///
/// ```
/// use std::time::Duration;
///
/// let policy = liner::RetryPolicy::default()
///     .max_retries(4)
///     .deadline(Duration::from_secs(30))
///     .retry_updates(true);
/// # let _ = policy;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    retry_after_cap: Duration,
    deadline: Option<Duration>,
    retry_updates: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            retry_after_cap: Duration::from_secs(60),
            deadline: Some(DEFAULT_DEADLINE),
            retry_updates: false,
        }
    }
}

impl RetryPolicy {
    /// The limit on a whole call unless [`deadline`](Self::deadline) says
    /// otherwise.
    pub const DEFAULT_DEADLINE: Duration = DEFAULT_DEADLINE;

    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Retries after the first attempt (default 2).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The first backoff; each later one doubles, up to
    /// [`max_backoff`](Self::max_backoff) (default 200 ms).
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff (default 10 s).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` honoured; a longer one returns the error at
    /// once instead of sleeping (default 60 s).
    pub fn retry_after_cap(mut self, cap: Duration) -> Self {
        self.retry_after_cap = cap;
        self
    }

    /// The longest `Retry-After` this policy waits for.
    pub(crate) fn retry_after_limit(&self) -> Duration {
        self.retry_after_cap
    }

    /// A limit on the whole call, attempts and waits included (default
    /// [`DEFAULT_DEADLINE`](crate::RetryPolicy::DEFAULT_DEADLINE)). No retry starts that could not finish its wait
    /// before the deadline, and each attempt's timeout is cut to the time
    /// left. (A list page's wait for its consumer does not count.)
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Whether `update_lead` is retried like a read (default false).
    pub fn retry_updates(mut self, retry: bool) -> Self {
        self.retry_updates = retry;
        self
    }

    pub(crate) fn deadline_limit(&self) -> Option<Duration> {
        self.deadline
    }

    /// The wait before retry number `retry` (0-based) of a request with
    /// `effect` that failed with `error`, or `None` to give up.
    pub(crate) fn wait_before_retry(
        &self,
        effect: Effect,
        retry: u32,
        error: &Error,
    ) -> Option<Duration> {
        if retry >= self.max_retries || !self.may_retry(effect, error) {
            return None;
        }
        match error.retry_after() {
            Some(wait) if wait > self.retry_after_cap => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(retry)),
        }
    }

    fn may_retry(&self, effect: Effect, error: &Error) -> bool {
        match effect {
            Effect::Read => error.is_retryable(),
            Effect::Update => self.retry_updates && error.is_retryable(),
            // Only a failure to connect proves the server never saw it.
            Effect::Create => error.is_connect(),
        }
    }

    /// Exponential backoff with "equal jitter": half the step is fixed, half
    /// random, so retries from many clients spread out but never hammer.
    fn backoff(&self, retry: u32) -> Duration {
        let step = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.min(30)))
            .min(self.max_backoff);
        let half = step / 2;
        half + half.mul_f64(jitter())
    }
}

/// A number in `0.0..1.0`, different for every call. The standard library's
/// per-instance random hasher keys are enough: this spreads retries out, it
/// is not cryptography.
fn jitter() -> f64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Reads a `Retry-After` header: delay-seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let now = jiff::Timestamp::now();
    Some(if when > now {
        Duration::try_from(when - now).unwrap_or_default()
    } else {
        Duration::ZERO
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    fn api(status: u16, retry_after: Option<Duration>) -> Error {
        Error::Api {
            request: None,
            status: StatusCode::from_u16(status).unwrap(),
            message: String::new(),
            retry_after,
        }
    }

    #[test]
    fn reads_retry_on_the_documented_failures_only() {
        let policy = RetryPolicy::default();
        assert!(
            policy
                .wait_before_retry(Effect::Read, 0, &api(503, None))
                .is_some()
        );
        assert!(
            policy
                .wait_before_retry(Effect::Read, 1, &api(429, None))
                .is_some()
        );
        assert!(
            policy
                .wait_before_retry(Effect::Read, 2, &api(503, None))
                .is_none(),
            "at most 2 retries"
        );
        assert!(
            policy
                .wait_before_retry(Effect::Read, 0, &api(500, None))
                .is_none()
        );
        assert!(
            policy
                .wait_before_retry(Effect::Read, 0, &api(404, None))
                .is_none()
        );
    }

    /// A real refused connection (a port just freed), as reqwest reports it:
    /// the one failure after which a create may be sent again.
    #[tokio::test]
    async fn a_create_is_retried_after_a_refused_connection() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let source = reqwest::Client::new()
            .post(format!("http://{closed}/v2/lead/create/"))
            .send()
            .await
            .unwrap_err();
        assert!(source.is_connect(), "{source:?}");
        let refused = Error::Transport {
            request: Box::new(crate::error::RequestInfo {
                method: "POST".into(),
                path: "/v2/lead/create/".into(),
                attempts: 1,
            }),
            source,
        };
        let policy = RetryPolicy::default();
        assert!(
            policy
                .wait_before_retry(Effect::Create, 0, &refused)
                .is_some()
        );
        assert!(
            policy
                .wait_before_retry(Effect::Create, 2, &refused)
                .is_none(),
            "within max_retries"
        );
    }

    #[test]
    fn creates_and_updates_are_careful() {
        let policy = RetryPolicy::default();
        assert!(
            policy
                .wait_before_retry(Effect::Create, 0, &api(503, None))
                .is_none()
        );
        assert!(
            policy
                .wait_before_retry(Effect::Update, 0, &api(503, None))
                .is_none()
        );
        let opted_in = RetryPolicy::default().retry_updates(true);
        assert!(
            opted_in
                .wait_before_retry(Effect::Update, 0, &api(503, None))
                .is_some()
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let policy = RetryPolicy::default().retry_after_cap(Duration::from_secs(5));
        let wait =
            policy.wait_before_retry(Effect::Read, 0, &api(429, Some(Duration::from_secs(3))));
        assert_eq!(wait, Some(Duration::from_secs(3)));
        assert_eq!(
            policy.wait_before_retry(Effect::Read, 0, &api(429, Some(Duration::from_secs(6)))),
            None
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300));
        for _ in 0..100 {
            let first = policy.backoff(0);
            assert!(
                first >= Duration::from_millis(50) && first <= Duration::from_millis(100),
                "{first:?}"
            );
            let third = policy.backoff(2);
            assert!(
                third >= Duration::from_millis(150) && third <= Duration::from_millis(300),
                "{third:?}"
            );
        }
    }

    /// The settings are the caller's and may be extreme: doubling,
    /// jitter and the cap saturate instead of overflowing `Duration`.
    #[test]
    fn extreme_settings_saturate_instead_of_panicking() {
        let policy = RetryPolicy::default()
            .max_retries(u32::MAX)
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX)
            .retry_after_cap(Duration::MAX)
            .deadline(Duration::MAX);
        for retry in [0, 1, 30, 31, u32::MAX - 1] {
            for _ in 0..100 {
                let wait = policy.backoff(retry);
                assert!(wait >= Duration::MAX / 2, "{retry}: {wait:?}");
            }
        }
        let longest = Some(Duration::from_secs(u64::MAX));
        assert_eq!(
            policy.wait_before_retry(Effect::Read, u32::MAX - 1, &api(503, longest)),
            longest
        );
        assert_eq!(
            policy.wait_before_retry(Effect::Read, u32::MAX, &api(503, longest)),
            None,
            "u32::MAX retries are all used up"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(120);
        let header = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&later)
            .unwrap();
        let wait = parse_retry_after(&header).unwrap();
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
