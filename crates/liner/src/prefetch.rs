//! Concurrent page prefetch behind [`LeadQuery::pages`]: `n` requests in
//! flight, at most `n` fetched pages held, yielded in order.
//!
//! Two limits, because they bound different things. `n` requests in flight is
//! what `.concurrency(n)` promises the API and what hides the latency: with
//! `pages * latency / n` as the goal, a request slot must be free again as
//! soon as its response is read, not once the consumer has taken the page
//! (a slot held through decoding and the wait for the pages before it sat
//! idle about a fifth of the time in the export benchmark). At most `n`
//! pages held is the memory bound: a page's body is read only while the page
//! is among the next `n` the consumer will take ([`PageGate`]); a response
//! that arrives earlier waits, unread, in the connection (and so still
//! counts as in flight, keeping further requests back). So a consumer that
//! stops taking pages stops the prefetch after `n` held and `n` answered.
//!
//! Pages are launched in order by one task, which takes a request slot for
//! each before spawning its fetch. In-order launching is what makes the two
//! limits deadlock-free: the page the consumer waits for was launched before
//! any page holding a slot at its gate, so it has its slot and its gate is
//! open.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{self, Stream};
use tokio::sync::{Semaphore, mpsc, watch};
use tracing::Instrument as _;

use crate::error::{Error, Result};
use crate::list::{LeadQuery, Page, decode_page};

/// The pages from `start` to `total`, fetched `query.concurrency` at a time
/// and yielded in order. Dropping the stream aborts every fetch.
pub(crate) fn pages(
    query: LeadQuery,
    start: u64,
    total: u64,
) -> impl Stream<Item = Result<Page>> + Send + 'static {
    let window = query.concurrency as u64;
    let (taken_tx, taken) = watch::channel(0u64);
    // Never more than 2n launched and not yet taken (the launcher checks),
    // so sends into a channel of 2n never wait.
    let (launched_tx, launched) = mpsc::channel(2 * query.concurrency);
    let launcher = AbortOnDrop(tokio::spawn(
        launch(query, start, total, taken, launched_tx).instrument(tracing::Span::current()),
    ));
    let state = Consumer {
        launched,
        taken_tx,
        taken: 0,
        _launcher: launcher,
    };
    debug_assert!(window > 0, "LeadQuery::check keeps concurrency >= 1");
    stream::unfold(state, |mut state| async move {
        let fetch = state.launched.recv().await?;
        let page = fetch.await;
        state.taken += 1;
        // Receivers gone means every fetch has finished: nothing to tell.
        let _ = state.taken_tx.send(state.taken);
        Some((page, state))
    })
}

/// The consumer's side of a prefetch.
struct Consumer {
    launched: mpsc::Receiver<AbortOnDrop<Result<Page>>>,
    /// How many pages the consumer has taken, for the gates and the launcher.
    taken_tx: watch::Sender<u64>,
    taken: u64,
    /// Aborted with the stream.
    _launcher: AbortOnDrop<()>,
}

/// Launches the fetch of every page in order, each once it has a request
/// slot and is within `2n` pages of the consumer.
async fn launch(
    query: LeadQuery,
    start: u64,
    total: u64,
    mut taken: watch::Receiver<u64>,
    launched: mpsc::Sender<AbortOnDrop<Result<Page>>>,
) {
    let window = query.concurrency as u64;
    let slots = Arc::new(Semaphore::new(query.concurrency));
    let offsets = (start..total).step_by(query.page_size as usize);
    for (index, offset) in (0u64..).zip(offsets) {
        // `Err`: the consumer is gone, and this task is being aborted.
        if taken
            .wait_for(|taken| index < taken + 2 * window)
            .await
            .is_err()
        {
            return;
        }
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let gate = PageGate::new(taken.clone(), index, window);
        let query = query.clone();
        let fetch = async move {
            let answer = query.request_page(offset, Some(gate)).await;
            // The slot is free once the body is read: decoding it is ours.
            drop(slot);
            let (status, body) = answer?;
            tracing::trace!(offset, index, "prefetched page read");
            decode_page(status, &body, offset)
        };
        let fetch = AbortOnDrop(tokio::spawn(fetch.instrument(tracing::Span::current())));
        if launched.send(fetch).await.is_err() {
            return;
        }
    }
}

/// Holds a prefetched page's body back until the page is among the next
/// `window` pages the consumer will take, so that at most `window` pages
/// are held.
#[derive(Debug)]
pub(crate) struct PageGate {
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

    /// Waits until the page may be read. Returns at once on later calls (the
    /// consumer only moves forward) and if the prefetch is gone.
    pub(crate) async fn open(&mut self) {
        let (index, window) = (self.index, self.window);
        let started = Instant::now();
        let _ = self.taken.wait_for(|taken| index < taken + window).await;
        self.waited += started.elapsed();
    }

    /// How long [`open`](Self::open) has waited for the consumer.
    pub(crate) fn waited(&self) -> Duration {
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
