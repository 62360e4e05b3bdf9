//! What every clone of a client shares to slow down together: the retry
//! budget, and the pause a server asked for.

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

/// The retry budget's tokens and the pause, behind one client's `Arc`.
pub(super) struct Throttle {
    /// Until when the server asked every request to wait.
    paused_until: Mutex<Option<Instant>>,
    /// The retry budget's tokens (see [`RETRY_BUDGET`]).
    retry_tokens: Mutex<u32>,
}

impl Throttle {
    pub(super) fn new() -> Self {
        Self {
            paused_until: Mutex::new(None),
            retry_tokens: Mutex::new(RETRY_BUDGET),
        }
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
