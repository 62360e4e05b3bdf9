//! A blocking client (feature `blocking`): the same operations without
//! `async`, and a lead list that is a plain [`Iterator`].
//!
//! Each client owns a small single-threaded tokio runtime and runs the async
//! client on it. Do not use it from inside an async runtime (calls would
//! block that runtime's thread); use [`crate::Liner`] there.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt as _};

use crate::{Call, Error, Lead, LeadPatch, NewLead, Page, Result, TimeBound};

/// The blocking Liner client. Cheap to clone; clones share the runtime and
/// the connection pool.
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

impl Liner {
    /// Wraps an async client, configured with [`crate::Liner::builder`].
    pub fn new(client: crate::Liner) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| Error::Config {
                reason: format!("cannot start the blocking runtime: {err}"),
            })?;
        Ok(Self {
            client,
            runtime: Arc::new(runtime),
        })
    }

    /// A blocking client configured from `LINER_BASE_URL` and `LINER_API_KEY`.
    pub fn from_env() -> Result<Self> {
        Self::new(crate::Liner::from_env()?)
    }

    /// Lead details.
    pub fn lead(&self, id: u64) -> Result<Lead> {
        self.runtime.block_on(self.client.lead(id))
    }

    /// Call details.
    pub fn call(&self, id: u64) -> Result<Call> {
        self.runtime.block_on(self.client.call(id))
    }

    /// Creates a lead and returns its id. Not idempotent.
    pub fn create_lead(&self, lead: NewLead) -> Result<u64> {
        self.runtime.block_on(self.client.create_lead(lead))
    }

    /// Updates the fields set in `patch`.
    pub fn update_lead(&self, id: u64, patch: LeadPatch) -> Result<()> {
        self.runtime.block_on(self.client.update_lead(id, patch))
    }

    /// The lead list: a query to filter, then iterate.
    pub fn leads(&self) -> LeadQuery {
        LeadQuery {
            query: self.client.leads(),
            runtime: Arc::clone(&self.runtime),
        }
    }
}

/// The blocking twin of [`crate::LeadQuery`].
#[must_use]
#[derive(Debug)]
pub struct LeadQuery {
    query: crate::LeadQuery,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl LeadQuery {
    /// See [`crate::LeadQuery::created_between`].
    pub fn created_between(self, from: impl TimeBound, to: impl TimeBound) -> Self {
        self.map(|q| q.created_between(from, to))
    }

    /// See [`crate::LeadQuery::created_from`].
    pub fn created_from(self, from: impl TimeBound) -> Self {
        self.map(|q| q.created_from(from))
    }

    /// See [`crate::LeadQuery::created_to`].
    pub fn created_to(self, to: impl TimeBound) -> Self {
        self.map(|q| q.created_to(to))
    }

    /// See [`crate::LeadQuery::order_ids`].
    pub fn order_ids(self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.map(|q| q.order_ids(ids))
    }

    /// See [`crate::LeadQuery::status_ids`].
    pub fn status_ids(self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.map(|q| q.status_ids(ids))
    }

    /// See [`crate::LeadQuery::page_size`].
    pub fn page_size(self, size: u64) -> Self {
        self.map(|q| q.page_size(size))
    }

    /// See [`crate::LeadQuery::offset`].
    pub fn offset(self, offset: u64) -> Self {
        self.map(|q| q.offset(offset))
    }

    fn map(self, f: impl FnOnce(crate::LeadQuery) -> crate::LeadQuery) -> Self {
        Self {
            query: f(self.query),
            runtime: self.runtime,
        }
    }

    /// One page at the query's offset.
    pub fn page(&self) -> Result<Page> {
        self.runtime.block_on(self.query.page())
    }

    /// Pages to the end of the list, fetched lazily as the iterator advances
    /// (see [`crate::LeadQuery::pages`]).
    pub fn pages(self) -> BlockingIter<Page> {
        BlockingIter {
            stream: Box::pin(self.query.pages()),
            runtime: self.runtime,
        }
    }

    /// Leads to the end of the list (see [`crate::LeadQuery::items`]).
    pub fn iter(self) -> BlockingIter<Lead> {
        BlockingIter {
            stream: Box::pin(self.query.items()),
            runtime: self.runtime,
        }
    }

    /// Every lead, or the first error.
    pub fn collect_all(self) -> Result<Vec<Lead>> {
        self.iter().collect()
    }
}

impl IntoIterator for LeadQuery {
    type Item = Result<Lead>;
    type IntoIter = BlockingIter<Lead>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// An iterator over an async stream of the client, driven on its runtime.
pub struct BlockingIter<T> {
    stream: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl<T> fmt::Debug for BlockingIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingIter").finish_non_exhaustive()
    }
}

impl<T> Iterator for BlockingIter<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        self.runtime.block_on(self.stream.next())
    }
}
