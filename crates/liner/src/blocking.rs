//! A blocking client: the same operations without `async`, and the lead
//! list as a plain [`Iterator`]. Available with the crate feature
//! `blocking`, as is everything in this module.
//!
//! The list is the same [`LeadQuery`] the async client returns, with every
//! option (filters, `strict`, `concurrency`, `retry_policy`, ...); with this
//! feature it can also be iterated without `async` ([`LeadQuery::iter`], or
//! a `for` loop).
//!
//! Each blocking client owns a small single-threaded tokio runtime and runs
//! the async client on it. Do not use it from inside an async runtime (calls
//! would block that runtime's thread, and tokio refuses to nest runtimes);
//! use [`crate::Liner`] there.

use std::fmt;
use std::num::NonZeroU64;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt as _};
use liner_api::types::{Call, Lead, LeadPatch, NewLead};
use liner_api::{Draft, IntoField};

use crate::error::{Error, Result};
use crate::list::{LeadQuery, Page};

/// The blocking Liner client. Cheap to clone; clones share the runtime and
/// the connection pool.
///
/// Available with the crate feature `blocking`.
#[derive(Clone)]
pub struct Liner {
    client: crate::Liner,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl fmt::Debug for Liner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Liner")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// A runtime for blocking calls: one thread, the caller's.
fn runtime() -> Result<Arc<tokio::runtime::Runtime>> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(Arc::new)
        .map_err(|err| Error::Config {
            reason: "cannot start the blocking runtime".to_owned(),
            source: Some(Box::new(err)),
        })
}

impl Liner {
    /// Wraps an async client, configured with [`crate::Liner::builder`].
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the runtime cannot be started.
    pub fn new(client: crate::Liner) -> Result<Self> {
        Ok(Self {
            client,
            runtime: runtime()?,
        })
    }

    /// A blocking client configured from `LINER_BASE_URL` and `LINER_API_KEY`.
    ///
    /// # Errors
    ///
    /// As [`crate::Liner::from_env`], and as [`new`](Self::new).
    pub fn from_env() -> Result<Self> {
        Self::new(crate::Liner::from_env()?)
    }

    /// Lead details (see [`crate::Liner::lead`]).
    ///
    /// # Errors
    ///
    /// As [`crate::Liner::lead`].
    pub fn lead(&self, id: impl IntoField<NonZeroU64>) -> Result<Lead> {
        self.runtime.block_on(self.client.lead(id))
    }

    /// Call details (see [`crate::Liner::call`]).
    ///
    /// # Errors
    ///
    /// As [`crate::Liner::call`].
    pub fn call(&self, id: impl IntoField<NonZeroU64>) -> Result<Call> {
        self.runtime.block_on(self.client.call(id))
    }

    /// Creates a lead and returns its id (see [`crate::Liner::create_lead`]).
    /// Not idempotent.
    ///
    /// # Errors
    ///
    /// As [`crate::Liner::create_lead`].
    pub fn create_lead(&self, lead: impl Into<Draft<NewLead>>) -> Result<NonZeroU64> {
        self.runtime.block_on(self.client.create_lead(lead))
    }

    /// Updates the fields set in `patch` (see [`crate::Liner::update_lead`]).
    ///
    /// # Errors
    ///
    /// As [`crate::Liner::update_lead`].
    pub fn update_lead(
        &self,
        id: impl IntoField<NonZeroU64>,
        patch: impl Into<Draft<LeadPatch>>,
    ) -> Result<()> {
        self.runtime.block_on(self.client.update_lead(id, patch))
    }

    /// The lead list: the same [`LeadQuery`] as the async client's, run on
    /// this client's runtime when iterated.
    pub fn leads(&self) -> LeadQuery {
        self.client
            .leads()
            .with_blocking_runtime(Arc::clone(&self.runtime))
    }
}

/// Blocking use of the lead list, with the crate feature `blocking`. A query
/// from the blocking client runs on that client's runtime; one from the async
/// client starts a single-threaded runtime of its own.
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
impl LeadQuery {
    /// The runtime this query blocks on.
    fn runtime(&self) -> Result<Arc<tokio::runtime::Runtime>> {
        match self.blocking_runtime() {
            Some(runtime) => Ok(runtime),
            None => runtime(),
        }
    }

    /// One page at the query's offset, blocking (see [`LeadQuery::page`]).
    ///
    /// Available with the crate feature `blocking`.
    ///
    /// # Errors
    ///
    /// As [`LeadQuery::page`].
    pub fn page_blocking(&self) -> Result<Page> {
        self.runtime()?.block_on(self.page())
    }

    /// Pages to the end of the list, fetched as the iterator advances (see
    /// [`LeadQuery::pages`]).
    ///
    /// Available with the crate feature `blocking`.
    pub fn pages_iter(self) -> BlockingIter<Page> {
        BlockingIter::new(self.runtime(), || Box::pin(self.pages()))
    }

    /// Leads to the end of the list (see [`LeadQuery::items`]): an undecodable
    /// lead is an `Err` and iteration goes on; any other error is the last
    /// item.
    ///
    /// Available with the crate feature `blocking`.
    pub fn iter(self) -> BlockingIter<Lead> {
        BlockingIter::new(self.runtime(), || Box::pin(self.items()))
    }

    /// Every lead, or the first error (see [`LeadQuery::collect_all`]).
    ///
    /// Available with the crate feature `blocking`.
    ///
    /// # Errors
    ///
    /// As [`LeadQuery::collect_all`].
    pub fn collect_all_blocking(self) -> Result<Vec<Lead>> {
        self.iter().collect()
    }
}

/// With the crate feature `blocking`: a `for` loop over a query.
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
impl IntoIterator for LeadQuery {
    type Item = Result<Lead>;
    type IntoIter = BlockingIter<Lead>;

    /// [`LeadQuery::iter`]: `for lead in client.leads().order_ids([202])`.
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// An iterator over an async stream of the client, driven on a runtime.
/// After its last item it keeps returning `None`.
///
/// Available with the crate feature `blocking`.
pub struct BlockingIter<T> {
    state: IterState<T>,
}

enum IterState<T> {
    Running {
        stream: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
        runtime: Arc<tokio::runtime::Runtime>,
    },
    /// The runtime could not start: that error, once.
    Failed(Option<Error>),
}

impl<T> BlockingIter<T> {
    fn new(
        runtime: Result<Arc<tokio::runtime::Runtime>>,
        stream: impl FnOnce() -> Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
    ) -> Self {
        let state = match runtime {
            Ok(runtime) => IterState::Running {
                stream: stream(),
                runtime,
            },
            Err(err) => IterState::Failed(Some(err)),
        };
        Self { state }
    }
}

impl<T> fmt::Debug for BlockingIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingIter").finish_non_exhaustive()
    }
}

impl<T> Iterator for BlockingIter<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.state {
            IterState::Running { stream, runtime } => runtime.block_on(stream.next()),
            IterState::Failed(err) => err.take().map(Err),
        }
    }
}
