//! Concurrent page prefetch behind
//! [`LeadQuery::pages`](super::LeadQuery::pages): `n` requests in flight, at
//! most `n` fetched pages held, yielded in order.
//!
//! Two limits, because they bound different things. `n` requests in flight is
//! what `.concurrency(n)` promises the API and what hides the latency: with
//! `pages * latency / n` as the goal, a request slot must be free again as
//! soon as its response is read, not once the consumer has taken the page
//! (holding it through decoding and the wait for the pages before it, as
//! `buffered(n)` does, leaves fewer than `n` in flight). At most `n` pages
//! held is the memory bound: a page's body is read only while the page is
//! among the next `n` the consumer will take ([`PageGate`]); a response that
//! arrives earlier waits, unread, in the connection (and so still counts as
//! in flight, keeping further requests back). So a consumer that stops
//! taking pages stops the prefetch after `n` held and `n` answered.
//!
//! The requests are made by `n` worker tasks, each with one request in
//! flight at a time: a worker claims the next page in order, requests it,
//! hands the read body to a task of its own for decoding, and requests the
//! next page at once, with no wake-up of another task between a slot freed
//! and the next request. Claiming in order is what makes the two limits
//! deadlock-free: the page the consumer waits for was claimed before any
//! page waiting at its gate, so its gate is open.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::FutureExt as _;
use futures_util::stream::{self, Stream};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tracing::Instrument as _;

use super::page::Page;
use super::source::PageSource;
use crate::adaptive::{AdaptiveLimit, Outcome};
use crate::error::{Error, Result};
use crate::transport::BodyGate;

/// The pages from `start` to `total`, fetched `source.concurrency` at a time
/// and yielded in order. Dropping the stream aborts every worker and every
/// decoding.
pub(super) fn pages(
    source: PageSource,
    start: u64,
    total: u64,
) -> impl Stream<Item = Result<Page>> + Send + 'static {
    let n = source.concurrency;
    let pages = total.saturating_sub(start).div_ceil(source.page_size);
    let (taken_tx, taken) = watch::channel(0u64);
    // Pages read and not yet taken are at most n (the gate), and each
    // worker delivers one page at a time: sends into 2n never wait long.
    let (delivered_tx, delivered) = mpsc::channel(2 * n);
    let next = Arc::new(AtomicU64::new(0));
    let limit = source.adaptive.then(|| Arc::new(AdaptiveLimit::new(n)));
    let workers = (0..n)
        .map(|_| {
            let work = fetch_pages(
                source.clone(),
                Claim {
                    start,
                    pages,
                    next: Arc::clone(&next),
                    limit: limit.clone(),
                },
                taken.clone(),
                delivered_tx.clone(),
            );
            AbortOnDrop(tokio::spawn(work.instrument(tracing::Span::current())))
        })
        .collect();
    let state = Consumer {
        delivered,
        waiting: BTreeMap::new(),
        taken_tx,
        taken: 0,
        pages,
        _workers: workers,
    };
    stream::unfold(state, |mut state| async move {
        let page = state.next_page().await?;
        state.taken += 1;
        // Receivers gone means every worker has finished: nothing to tell.
        let _ = state.taken_tx.send(state.taken);
        Some((page, state))
    })
}

/// Which pages a worker may claim: from `start`, `pages` of them, the next
/// one counted in `next`; with an adaptive `limit`, only with its permit.
struct Claim {
    start: u64,
    pages: u64,
    next: Arc<AtomicU64>,
    limit: Option<Arc<AdaptiveLimit>>,
}

/// A page being decoded (or an error already known), by its place in the
/// prefetch.
type Delivery = (u64, AbortOnDrop<Result<Page>>);

/// The consumer's side of a prefetch.
struct Consumer {
    delivered: mpsc::Receiver<Delivery>,
    /// Pages delivered ahead of the one the consumer waits for.
    waiting: BTreeMap<u64, AbortOnDrop<Result<Page>>>,
    /// How many pages the consumer has taken, for the gates.
    taken_tx: watch::Sender<u64>,
    taken: u64,
    pages: u64,
    /// Aborted with the stream.
    _workers: Vec<AbortOnDrop<()>>,
}

impl Consumer {
    /// The next page in order; `None` after the last (or if the workers
    /// ended early, which the pager reports).
    async fn next_page(&mut self) -> Option<Result<Page>> {
        if self.taken == self.pages {
            return None;
        }
        loop {
            if let Some(page) = self.waiting.remove(&self.taken) {
                return Some(page.await);
            }
            let (index, page) = self.delivered.recv().await?;
            self.waiting.insert(index, page);
        }
    }
}

/// One of `n` workers: claims the next page in order, requests it, and
/// once its body is read hands it to a task of its own to decode and goes
/// on to the next page at once. Each worker has one request in flight at a
/// time, so there are at most `n`. Claiming in order keeps the gates
/// deadlock-free: the page the consumer waits for was claimed before any page
/// waiting at its gate, so its gate is open.
async fn fetch_pages(
    source: PageSource,
    claim: Claim,
    taken: watch::Receiver<u64>,
    delivered: mpsc::Sender<Delivery>,
) {
    let Claim {
        start,
        pages,
        next,
        limit,
    } = claim;
    let window = source.concurrency as u64;
    loop {
        // With an adaptive limit, the permit comes before the claim (see
        // `adaptive.rs`): the earliest pages claimed hold the permits.
        if let Some(limit) = &limit {
            limit.acquire().await;
        }
        let index = next.fetch_add(1, Ordering::Relaxed);
        if index >= pages {
            if let Some(limit) = &limit {
                limit.give_back();
            }
            return;
        }
        // Below `total`, which is a u64: the sum cannot overflow, but it is
        // server data, so it is checked anyway.
        let Some(offset) = index
            .checked_mul(source.page_size)
            .and_then(|skip| start.checked_add(skip))
        else {
            return;
        };
        let mut gate = PageGate::new(taken.clone(), index, window);
        // A panic here would leave the page undelivered and the consumer
        // waiting for it forever: it is carried to the decoding task, whose
        // panic `AbortOnDrop` resumes in the consumer (a bug surfaces where
        // it would have without the tasks).
        let in_flight = crate::meters::InFlight::start();
        let requested = Instant::now();
        let answer = std::panic::AssertUnwindSafe(source.request_page(offset, &mut gate))
            .catch_unwind()
            .await;
        drop(in_flight);
        if let Some(limit) = &limit {
            limit.release(match &answer {
                Ok(Ok(answer)) if answer.request.attempts == 1 => {
                    Outcome::Clean(requested.elapsed().saturating_sub(gate.waited()))
                }
                _ => Outcome::Congested,
            });
        }
        let decode_source = source.clone();
        let decode = async move {
            let answer = answer.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            tracing::trace!(offset, index, "prefetched page read");
            decode_source.decode(&answer, offset)
        };
        let page = AbortOnDrop(tokio::spawn(decode.instrument(tracing::Span::current())));
        // `Err`: the consumer is gone, and this task is being aborted.
        if delivered.send((index, page)).await.is_err() {
            return;
        }
    }
}

/// Holds a prefetched page's body back until the page is among the next
/// `window` pages the consumer will take, so that at most `window` pages
/// are held.
#[derive(Debug)]
struct PageGate {
    taken: watch::Receiver<u64>,
    /// The page's place in the prefetch, from 0.
    index: u64,
    window: u64,
    /// Time spent waiting in [`open`](Self::open), all calls together.
    waited: Duration,
}

impl PageGate {
    fn new(taken: watch::Receiver<u64>, index: u64, window: u64) -> Self {
        Self {
            taken,
            index,
            window,
            waited: Duration::ZERO,
        }
    }
}

impl BodyGate for PageGate {
    const WAITS: bool = true;

    /// Waits until the page may be read. Returns at once on later calls (the
    /// consumer only moves forward) and if the prefetch is gone.
    async fn open(&mut self) {
        let (index, window) = (self.index, self.window);
        let started = Instant::now();
        let _ = self.taken.wait_for(|taken| index < taken + window).await;
        self.waited += started.elapsed();
    }

    /// How long [`open`](Self::open) has waited for the consumer.
    fn waited(&self) -> Duration {
        self.waited
    }
}

/// A spawned task, aborted if dropped before it finishes.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl Future for AbortOnDrop<Result<Page>> {
    type Output = Result<Page>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(|joined| {
            joined.unwrap_or_else(|err| match err.try_into_panic() {
                // A panic in the fetch is a bug; surface it where it would
                // have surfaced without the task.
                Ok(panic) => std::panic::resume_unwind(panic),
                // Only `Drop` aborts the task, and then nobody polls it.
                Err(err) => Err(Error::Pagination {
                    reason: format!("a page fetch was cancelled: {err}"),
                }),
            })
        })
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A prefetch dropped early (fallback to sequential paging, a consumer
    /// that stops) must not leave its spawned fetches running.
    #[tokio::test]
    async fn dropping_a_spawned_fetch_aborts_it() {
        let (alive, gone) = tokio::sync::oneshot::channel::<()>();
        let fetch = AbortOnDrop(tokio::spawn(async move {
            let _alive = alive;
            std::future::pending::<Result<Page>>().await
        }));
        tokio::task::yield_now().await;
        drop(fetch);
        let ended = tokio::time::timeout(Duration::from_secs(5), gone).await;
        assert!(
            matches!(ended, Ok(Err(_))),
            "the task was not aborted: {ended:?}"
        );
    }

    /// A panic in a spawned fetch is a bug: it surfaces in the consumer
    /// that awaits the page, with its message, instead of leaving the
    /// consumer waiting or turning into an API error.
    #[tokio::test]
    async fn a_panic_in_a_spawned_fetch_resumes_in_the_consumer() {
        async fn buggy_fetch() -> Result<Page> {
            panic!("a bug in the fetch")
        }
        let fetch = AbortOnDrop(tokio::spawn(buggy_fetch()));
        let awaited = tokio::time::timeout(
            Duration::from_secs(5),
            std::panic::AssertUnwindSafe(fetch).catch_unwind(),
        )
        .await
        .expect("the consumer is not left waiting");
        let panic = awaited.expect_err("the panic reaches the consumer");
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"a bug in the fetch"));
    }

    /// Page `index` may be read while the consumer has taken more than
    /// `index - window` pages.
    #[tokio::test]
    async fn a_gate_opens_when_the_page_is_within_the_window() {
        let (taken, receiver) = watch::channel(0u64);
        let mut near = PageGate::new(receiver.clone(), 1, 2);
        near.open().await;
        let mut far = PageGate::new(receiver, 3, 2);
        let waiting = tokio::spawn(async move {
            far.open().await;
            far.waited()
        });
        taken.send(1).unwrap();
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "page 3 is not within 2 of page 1");
        tokio::time::sleep(Duration::from_millis(50)).await;
        taken.send(2).unwrap();
        let waited = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("page 3 is within 2 of page 2")
            .unwrap();
        assert!(waited >= Duration::from_millis(50), "{waited:?}");
    }
}
