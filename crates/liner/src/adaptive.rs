//! Adaptive concurrency: how many requests may be in flight at once moves
//! between 1 and a maximum, as TCP's congestion window does (additive
//! increase, multiplicative decrease). The prefetch uses it
//! ([`LeadQuery::adaptive_concurrency`](crate::LeadQuery::adaptive_concurrency)),
//! and so can any pool of tasks sending requests ([`AdaptiveConcurrency`]:
//! the CLI's import).
//!
//! - It starts at 2 (or the maximum, if lower).
//! - An answer that came at once (no retry) and not slowly grows it by
//!   `1 / limit`: one more page in flight per round of clean answers.
//! - An answer that needed a retry (a `429`, a `503`, a timeout), or a
//!   failure, halves it.
//! - An answer more than twice as slow as the fastest seen shrinks it by a
//!   tenth: the server is queueing.
//!
//! A prefetch worker takes a permit *before* it claims its page, so permits
//! are held by the earliest pages claimed: the page the consumer waits for
//! always has one, and the gates stay deadlock-free.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

/// The limit, shared by a prefetch's workers.
pub(crate) struct AdaptiveLimit {
    state: Mutex<State>,
    changed: Notify,
    max: usize,
}

struct State {
    limit: f64,
    in_flight: usize,
    fastest: Option<Duration>,
}

/// How a request ended, for the limit.
pub(crate) enum Outcome {
    /// Answered at the first attempt, in this time (waits at the gate not
    /// counted).
    Clean(Duration),
    /// Answered after retries, or failed.
    Congested,
}

impl AdaptiveLimit {
    pub(crate) fn new(max: usize) -> Self {
        let max = max.max(1);
        Self {
            state: Mutex::new(State {
                limit: 2.0_f64.min(max as f64),
                in_flight: 0,
                fastest: None,
            }),
            changed: Notify::new(),
            max,
        }
    }

    /// Waits until one more request may be in flight, and counts it.
    pub(crate) async fn acquire(&self) {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Registered before the check: a release between the check and
            // the wait still wakes this worker.
            notified.as_mut().enable();
            {
                let mut state = self.lock();
                if state.in_flight < (state.limit.floor() as usize).max(1) {
                    state.in_flight += 1;
                    return;
                }
            }
            notified.await;
        }
    }

    /// Counts a request as ended, and moves the limit by how it ended.
    pub(crate) fn release(&self, outcome: Outcome) {
        {
            let mut state = self.lock();
            state.in_flight = state.in_flight.saturating_sub(1);
            let max = self.max as f64;
            state.limit = match outcome {
                Outcome::Congested => (state.limit / 2.0).max(1.0),
                Outcome::Clean(took) => {
                    let fastest = *state.fastest.get_or_insert(took);
                    if took < fastest {
                        state.fastest = Some(took);
                    }
                    if took > fastest.saturating_mul(2) {
                        (state.limit * 0.9).max(1.0)
                    } else {
                        (state.limit + 1.0 / state.limit).min(max)
                    }
                }
            };
        }
        self.changed.notify_waiters();
    }

    /// Counts a permit as unused (its worker found no page left), leaving
    /// the limit as it is.
    pub(crate) fn give_back(&self) {
        {
            let mut state = self.lock();
            state.in_flight = state.in_flight.saturating_sub(1);
        }
        self.changed.notify_waiters();
    }

    /// The limit now.
    #[cfg(test)]
    fn limit(&self) -> f64 {
        self.lock().limit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A limit on requests in flight that adapts to the server, shared by
/// clones: at most `max`, starting at 2, one more per round of clean
/// answers, half as many after an answer that needed a retry or failed, a
/// tenth fewer when answers come twice as slowly as the fastest.
///
/// ```no_run
/// # async fn send_all(client: liner::Liner, leads: Vec<liner::NewLead>) {
/// use futures_util::StreamExt as _;
///
/// let limit = liner::AdaptiveConcurrency::new(8);
/// futures_util::stream::iter(leads)
///     .for_each_concurrent(8, |lead| {
///         let (client, limit) = (client.clone(), limit.clone());
///         async move {
///             let permit = limit.acquire().await;
///             let started = std::time::Instant::now();
///             match client.create_lead(lead).await {
///                 Ok(_) => permit.answered(started.elapsed()),
///                 Err(_) => permit.congested(),
///             }
///         }
///     })
///     .await;
/// # }
/// ```
#[derive(Clone)]
pub struct AdaptiveConcurrency(Arc<AdaptiveLimit>);

impl std::fmt::Debug for AdaptiveConcurrency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdaptiveConcurrency")
            .field("max", &self.0.max)
            .finish_non_exhaustive()
    }
}

impl AdaptiveConcurrency {
    /// A limit of at most `max` requests in flight (at least 1).
    pub fn new(max: usize) -> Self {
        Self(Arc::new(AdaptiveLimit::new(max)))
    }

    /// Waits until one more request may be in flight. Say how it went
    /// through the permit; dropped unused, it leaves the limit as it is.
    pub async fn acquire(&self) -> ConcurrencyPermit {
        self.0.acquire().await;
        ConcurrencyPermit {
            limit: Some(Arc::clone(&self.0)),
        }
    }
}

/// One request's place under an [`AdaptiveConcurrency`].
#[derive(Debug)]
#[must_use = "say how the request went: answered() or congested()"]
pub struct ConcurrencyPermit {
    limit: Option<Arc<AdaptiveLimit>>,
}

impl ConcurrencyPermit {
    /// The request was answered at once (no retry), in `took`.
    pub fn answered(mut self, took: Duration) {
        if let Some(limit) = self.limit.take() {
            limit.release(Outcome::Clean(took));
        }
    }

    /// The request needed a retry (a `429`, a `503`, a timeout) or failed.
    pub fn congested(mut self) {
        if let Some(limit) = self.limit.take() {
            limit.release(Outcome::Congested);
        }
    }
}

impl Drop for ConcurrencyPermit {
    fn drop(&mut self) {
        if let Some(limit) = self.limit.take() {
            limit.give_back();
        }
    }
}

impl std::fmt::Debug for AdaptiveLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdaptiveLimit")
            .field("max", &self.max)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: Duration = Duration::from_millis(5);

    #[tokio::test]
    async fn it_grows_on_clean_answers_up_to_the_maximum() {
        let limit = AdaptiveLimit::new(8);
        assert_eq!(limit.limit(), 2.0);
        for _ in 0..200 {
            limit.acquire().await;
            limit.release(Outcome::Clean(FAST));
        }
        assert_eq!(limit.limit(), 8.0);
    }

    #[tokio::test]
    async fn it_halves_on_congestion_and_shrinks_on_slow_answers() {
        let limit = AdaptiveLimit::new(8);
        for _ in 0..200 {
            limit.acquire().await;
            limit.release(Outcome::Clean(FAST));
        }
        limit.acquire().await;
        limit.release(Outcome::Congested);
        assert_eq!(limit.limit(), 4.0);
        limit.acquire().await;
        limit.release(Outcome::Clean(FAST * 3));
        assert!((limit.limit() - 3.6).abs() < 1e-9, "{}", limit.limit());
        for _ in 0..10 {
            limit.acquire().await;
            limit.release(Outcome::Congested);
        }
        assert_eq!(limit.limit(), 1.0);
    }

    #[tokio::test]
    async fn a_permit_says_how_it_went_or_gives_its_place_back() {
        let limit = AdaptiveConcurrency::new(4);
        let first = limit.acquire().await;
        let second = limit.acquire().await;
        // Two in flight under a limit of 2: a third waits.
        let third = tokio::time::timeout(Duration::from_millis(20), limit.acquire()).await;
        assert!(third.is_err());
        drop(first);
        assert_eq!(limit.0.limit(), 2.0, "an unused permit leaves the limit");
        second.answered(FAST);
        assert_eq!(limit.0.limit(), 2.5);
        limit.acquire().await.congested();
        assert_eq!(limit.0.limit(), 1.25);
    }

    #[tokio::test]
    async fn no_more_than_the_limit_are_in_flight() {
        let limit = std::sync::Arc::new(AdaptiveLimit::new(8));
        limit.acquire().await;
        limit.acquire().await;
        // A third waits until one is released.
        let third = tokio::spawn({
            let limit = std::sync::Arc::clone(&limit);
            async move { limit.acquire().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!third.is_finished());
        // A clean answer frees its slot (and grows the limit to 2.5).
        limit.release(Outcome::Clean(FAST));
        tokio::time::timeout(Duration::from_secs(5), third)
            .await
            .expect("the third gets the freed slot")
            .unwrap();
        // Congestion halves the limit to 1, with two in flight: a fourth
        // waits until both are released.
        limit.release(Outcome::Congested);
        let fourth = tokio::spawn({
            let limit = std::sync::Arc::clone(&limit);
            async move { limit.acquire().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!fourth.is_finished());
        limit.give_back();
        tokio::time::timeout(Duration::from_secs(5), fourth)
            .await
            .expect("the fourth gets a slot once none is in flight")
            .unwrap();
    }
}
