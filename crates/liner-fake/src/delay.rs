//! Injected latency that lasts what it says.
//!
//! `tokio::time::sleep` rounds up to its 1 ms timer wheel and then waits for
//! the runtime to notice, so a "5 ms" sleep takes a millisecond or more too
//! long, and a fake whose latency overshoots makes every client look slower
//! than the latency bound it is measured against. So delays are timed by one
//! thread per server that waits on a channel with a timeout (a futex wait,
//! precise to tens of microseconds) and wakes each waiting request at its
//! deadline.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::mpsc;
use std::time::Instant;

use tokio::sync::oneshot;

/// Hands out delays; the timing thread ends when this is dropped.
#[derive(Debug)]
pub struct DelayLine {
    requests: mpsc::Sender<(Instant, oneshot::Sender<()>)>,
}

impl DelayLine {
    /// Starts the timing thread.
    pub fn start() -> std::io::Result<Self> {
        let (requests, incoming) = mpsc::channel();
        std::thread::Builder::new()
            .name("liner-fake-delay".to_owned())
            .spawn(move || run(incoming))?;
        Ok(Self { requests })
    }

    /// Waits until `deadline` (at once if it has passed). Falls back to
    /// tokio's timer if the timing thread is gone (it only ends when the line
    /// is dropped).
    pub async fn wait_until(&self, deadline: Instant) {
        if deadline <= Instant::now() {
            return;
        }
        let (wake, woken) = oneshot::channel();
        if self.requests.send((deadline, wake)).is_err() || woken.await.is_err() {
            tokio::time::sleep_until(deadline.into()).await;
        }
    }
}

/// The timing thread: a heap of deadlines, the nearest one waited for.
fn run(incoming: mpsc::Receiver<(Instant, oneshot::Sender<()>)>) {
    // Ordered by deadline, then by arrival, so that equal deadlines wake in
    // the order they were asked for.
    let mut pending: BinaryHeap<Reverse<(Instant, u64)>> = BinaryHeap::new();
    let mut wakers: std::collections::HashMap<u64, oneshot::Sender<()>> =
        std::collections::HashMap::new();
    let mut arrivals = 0u64;
    loop {
        let now = Instant::now();
        while let Some(Reverse((deadline, number))) = pending.peek().copied() {
            if deadline > now {
                break;
            }
            pending.pop();
            if let Some(wake) = wakers.remove(&number) {
                let _ = wake.send(());
            }
        }
        let next = match pending.peek() {
            Some(Reverse((deadline, _))) => {
                incoming.recv_timeout(deadline.saturating_duration_since(now))
            }
            None => incoming
                .recv()
                .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        match next {
            Ok((deadline, wake)) => {
                pending.push(Reverse((deadline, arrivals)));
                wakers.insert(arrivals, wake);
                arrivals += 1;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn delays_last_at_least_what_was_asked_and_wake_in_order() {
        let line = DelayLine::start().unwrap();
        let started = Instant::now();
        let (short, long) = tokio::join!(
            async {
                line.wait_until(started + Duration::from_millis(5)).await;
                started.elapsed()
            },
            async {
                line.wait_until(started + Duration::from_millis(15)).await;
                started.elapsed()
            },
        );
        assert!(short >= Duration::from_millis(5), "{short:?}");
        assert!(long >= Duration::from_millis(15), "{long:?}");
        assert!(short < long);
    }
}
