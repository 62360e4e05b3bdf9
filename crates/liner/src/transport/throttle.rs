//! What every clone of a client shares to slow down together: the retry
//! budget, the pause a server asked for, and the client's own rate limit.
//!
//! Decision: the rate limit is a few lines here rather than the `governor`
//! crate. It must run on tokio's clock (which tests pause, and which the
//! deadline and the pause use), share one schedule with every clone, and
//! let a call's deadline refuse a slot it would not live to use; governor
//! keeps its own clock (`quanta`) and adds five dependencies for a
//! one-field schedule.

use std::sync::Mutex;
use std::time::Duration;

// Tokio's clock, which tests can pause.
use tokio::time::Instant;

/// The retry budget, shared by every clone: aws-sdk's standard retry mode.
/// A retry spends [`RETRY_COST`] tokens ([`TIMEOUT_RETRY_COST`] after a
/// timeout); a call that succeeds at once adds one, and one that succeeds
/// after retries gives back what it spent. With the bucket empty a due retry
/// is not made (`Error::RetryBudgetSpent`): a server that fails most
/// requests gets each about once, not once per retry.
pub(super) const RETRY_BUDGET: u32 = 500;
pub(super) const RETRY_COST: u32 = 5;
pub(super) const TIMEOUT_RETRY_COST: u32 = 10;

/// The retry budget's tokens, the pause and the rate limit, behind one
/// client's `Arc`.
pub(super) struct Throttle {
    /// Until when the server asked every request to wait.
    paused_until: Mutex<Option<Instant>>,
    /// The retry budget's tokens (see [`RETRY_BUDGET`]).
    retry_tokens: Mutex<u32>,
    /// With a rate limit, the time between two requests leaving.
    interval: Option<Duration>,
    /// The earliest a request may leave next: the slot after the last one
    /// reserved.
    next_slot: Mutex<Option<Instant>>,
}

impl Throttle {
    /// A throttle with a full retry budget and, with `per_second`, a rate
    /// limit of that many requests a second (at least 1).
    pub(super) fn new(per_second: Option<u32>) -> Self {
        Self {
            paused_until: Mutex::new(None),
            retry_tokens: Mutex::new(RETRY_BUDGET),
            interval: per_second.map(|per_second| Duration::from_secs(1) / per_second.max(1)),
            next_slot: Mutex::new(None),
        }
    }

    /// Reserves the next slot of the rate limit: `Ok(wait)`, how long this
    /// request waits before it leaves (zero without a limit). A slot more
    /// than `within` away is not reserved: `Err(wait)`, and the caller's
    /// deadline ends the call instead.
    pub(super) fn reserve_slot(&self, within: Option<Duration>) -> Result<Duration, Duration> {
        let Some(interval) = self.interval else {
            return Ok(Duration::ZERO);
        };
        let now = Instant::now();
        let mut next = lock(&self.next_slot);
        let at = next.map_or(now, |slot| slot.max(now));
        let wait = at - now;
        if within.is_some_and(|left| wait > left) {
            return Err(wait);
        }
        *next = Some(at + interval);
        Ok(wait)
    }

    /// Takes `cost` tokens from the retry budget, if it holds that many.
    pub(super) fn take(&self, cost: u32) -> bool {
        let mut tokens = lock(&self.retry_tokens);
        match tokens.checked_sub(cost) {
            Some(left) => {
                *tokens = left;
                true
            }
            None => false,
        }
    }

    /// After a success: gives back what the call `spent` on retries, or one
    /// token if it spent none; never above [`RETRY_BUDGET`].
    pub(super) fn refill(&self, spent: u32) {
        let mut tokens = lock(&self.retry_tokens);
        *tokens = tokens.saturating_add(spent.max(1)).min(RETRY_BUDGET);
    }

    /// How long requests must still wait, if the server asked them to.
    pub(super) fn pause_left(&self) -> Option<Duration> {
        let until = (*lock(&self.paused_until))?;
        until
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
    }

    /// Pauses every request for `wait` from now. A later pause never
    /// shortens an earlier one.
    pub(super) fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = lock(&self.paused_until);
        if paused.is_none_or(|earlier| earlier < until) {
            *paused = Some(until);
        }
    }
}

/// A lock that a panic elsewhere does not poison: both values stay
/// meaningful whatever a holder was doing.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
