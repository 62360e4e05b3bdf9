//! When an import stops sending, besides Ctrl-C: a refused key, a server
//! that cannot be reached, a connection that can never work; and how long
//! its creates took.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::exit::{Failure, Status};

/// Creates in a row that could not connect (each after `liner`'s own
/// retries) before the import decides the server cannot be reached.
const UNREACHABLE_AFTER: usize = 3;

/// Why an import stops sending, besides Ctrl-C, and what its creates took.
#[derive(Debug, Default)]
pub struct Stop {
    /// A 401 or 403: every other create would be refused the same way, and
    /// the rows are not at fault.
    key_refused: AtomicBool,
    /// [`UNREACHABLE_AFTER`] creates in a row could not connect.
    unreachable: AtomicBool,
    connect_failures: AtomicUsize,
    /// A connection that can never be set up as configured (TLS, proxy):
    /// the first such error, in words.
    unusable: Mutex<Option<String>>,
    /// The longest a create of this run took to end, answered or not.
    slowest: Mutex<Duration>,
}

impl Stop {
    pub fn is_set(&self) -> bool {
        self.key_refused.load(Ordering::SeqCst)
            || self.unreachable.load(Ordering::SeqCst)
            || self.unusable().is_some()
    }

    fn unusable(&self) -> Option<String> {
        self.unusable
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn slowest(&self) -> Duration {
        *self.slowest.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes the result of a create that took `took`.
    pub(super) fn note(&self, result: &liner::Result<std::num::NonZeroU64>, took: Duration) {
        {
            let mut slowest = self.slowest.lock().unwrap_or_else(|e| e.into_inner());
            *slowest = (*slowest).max(took);
        }
        match result {
            Err(err) => self.note_error(err),
            Ok(_) => self.connect_failures.store(0, Ordering::SeqCst),
        }
    }

    /// Notes a failed request (a create, or a read of a look-up): a refused
    /// key stops the import at once, and so does a server that cannot be
    /// connected to, [`UNREACHABLE_AFTER`] times in a row.
    pub fn note_error(&self, err: &liner::Error) {
        if err.is_unauthorized() {
            self.key_refused.store(true, Ordering::SeqCst);
        } else if err.is_tls() || err.is_proxy() {
            self.unusable
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert_with(|| err.to_string());
        } else if err.is_connect() {
            if self.connect_failures.fetch_add(1, Ordering::SeqCst) + 1 >= UNREACHABLE_AFTER {
                self.unreachable.store(true, Ordering::SeqCst);
            }
        } else {
            self.connect_failures.store(0, Ordering::SeqCst);
        }
    }

    /// The failure the import ends with, if it stopped for a reason of its
    /// own.
    pub fn failure(&self) -> Option<Failure> {
        if self.key_refused.load(Ordering::SeqCst) {
            return Some(Failure::new(
                Status::Refused,
                "the server refused the API key (HTTP 401 or 403), so the import stopped at once; \
                 no row was created by the refused requests. Fix the key and run the same command \
                 again",
            ));
        }
        if let Some(error) = self.unusable() {
            return Some(Failure::new(
                Status::Network,
                format!(
                    "{error}: the import stopped, and no row was created by the failed requests. \
                     Fix the connection (--ca-cert, --proxy) and run the same command again"
                ),
            ));
        }
        if self.unreachable.load(Ordering::SeqCst) {
            return Some(Failure::new(
                Status::Network,
                format!(
                    "the server cannot be reached: {UNREACHABLE_AFTER} creates in a row could not \
                     connect (each after the client's retries), so the import stopped; no row was \
                     created by them. Run the same command again once the server is reachable"
                ),
            ));
        }
        None
    }
}
