//! [`LeadQuery`]: the filters of a lead list, and the pages and leads it
//! streams.

use std::fmt;

use std::num::NonZeroU64;

use futures_util::stream::{self, StreamExt as _};
use liner_api::IntoField;
use liner_api::types::Lead;

use super::limits::{
    DEFAULT_CONCURRENCY, DEFAULT_MAX_STALE_PAGES, DEFAULT_PAGE_SIZE, MAX_CONCURRENCY, MAX_PAGE_SIZE,
};
use super::page::Page;
use super::pager::Pager;
use super::source::PageSource;
use super::stream::{Items, Pages};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// A point in time for the `createdAt` filters: a [`jiff::Timestamp`], a
/// [`jiff::Zoned`], or an RFC 3339 string such as `2023-01-01T00:00:00Z`
/// (checked before anything is sent).
pub trait TimeBound {
    /// The instant, or why the value is not one.
    ///
    /// # Errors
    ///
    /// Why the value is not an instant, in words (the query names the
    /// filter when it refuses it).
    fn instant(self) -> std::result::Result<jiff::Timestamp, String>;
}

impl TimeBound for jiff::Timestamp {
    fn instant(self) -> std::result::Result<jiff::Timestamp, String> {
        Ok(self)
    }
}

impl TimeBound for &jiff::Zoned {
    fn instant(self) -> std::result::Result<jiff::Timestamp, String> {
        Ok(self.timestamp())
    }
}

impl TimeBound for jiff::Zoned {
    fn instant(self) -> std::result::Result<jiff::Timestamp, String> {
        Ok(self.timestamp())
    }
}

impl TimeBound for &str {
    fn instant(self) -> std::result::Result<jiff::Timestamp, String> {
        self.parse::<jiff::Timestamp>().map_err(|_| {
            format!("{self:?} is not an RFC 3339 date-time such as 2023-01-01T00:00:00Z")
        })
    }
}

impl TimeBound for String {
    fn instant(self) -> std::result::Result<jiff::Timestamp, String> {
        self.as_str().instant()
    }
}

/// A lead list query. Set filters, then fetch one page ([`page`](Self::page)),
/// stream pages ([`pages`](Self::pages)) or leads ([`items`](Self::items)), or
/// collect everything ([`collect_all`](Self::collect_all)).
///
/// Arguments are checked when the query runs; a bad one is an
/// [`Error::InvalidInput`] before any request.
#[must_use]
#[derive(Clone)]
pub struct LeadQuery {
    /// Filters, paging settings and transport, as the pager will use them.
    source: PageSource,
    offset: u64,
    /// The runtime of the blocking client this query came from, if any.
    #[cfg(feature = "blocking")]
    blocking_runtime: Option<std::sync::Arc<tokio::runtime::Runtime>>,
    /// The first argument refused by a setter, reported when the query runs.
    problem: Option<(&'static str, String)>,
}

impl fmt::Debug for LeadQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = &self.source;
        f.debug_struct("LeadQuery")
            .field("created_from", &source.created_from)
            .field("created_to", &source.created_to)
            .field("order_ids", &source.order_ids)
            .field("status_ids", &source.status_ids)
            .field("page_size", &source.page_size)
            .field("offset", &self.offset)
            .field("strict", &source.strict)
            .field("concurrency", &source.concurrency)
            .field("max_stale_pages", &source.max_stale_pages)
            .finish_non_exhaustive()
    }
}

impl LeadQuery {
    /// The largest page the API serves.
    pub const MAX_PAGE_SIZE: u64 = MAX_PAGE_SIZE;
    /// The page size asked for unless [`page_size`](Self::page_size) says
    /// otherwise: the maximum, to save round trips (the API's own default is 50).
    pub const DEFAULT_PAGE_SIZE: u64 = DEFAULT_PAGE_SIZE;
    /// Pages requested at once after the first unless
    /// [`concurrency`](Self::concurrency) says otherwise.
    pub const DEFAULT_CONCURRENCY: usize = DEFAULT_CONCURRENCY;
    /// The most pages [`concurrency`](Self::concurrency) accepts.
    pub const MAX_CONCURRENCY: usize = MAX_CONCURRENCY;
    /// Pages in a row with no new lead before a list ends with an error,
    /// unless [`max_stale_pages`](Self::max_stale_pages) says otherwise.
    pub const DEFAULT_MAX_STALE_PAGES: u32 = DEFAULT_MAX_STALE_PAGES;

    pub(crate) fn new(transport: Transport) -> Self {
        Self {
            source: PageSource {
                transport,
                created_from: None,
                created_to: None,
                order_ids: Vec::new(),
                status_ids: Vec::new(),
                page_size: DEFAULT_PAGE_SIZE,
                strict: false,
                concurrency: DEFAULT_CONCURRENCY,
                adaptive: false,
                max_stale_pages: DEFAULT_MAX_STALE_PAGES,
            },
            offset: 0,
            #[cfg(feature = "blocking")]
            blocking_runtime: None,
            problem: None,
        }
    }

    /// This query, run on a blocking client's runtime when iterated.
    #[cfg(feature = "blocking")]
    pub(crate) fn with_blocking_runtime(
        mut self,
        runtime: std::sync::Arc<tokio::runtime::Runtime>,
    ) -> Self {
        self.blocking_runtime = Some(runtime);
        self
    }

    /// The runtime of the blocking client this query came from, if any.
    #[cfg(feature = "blocking")]
    pub(crate) fn blocking_runtime(&self) -> Option<std::sync::Arc<tokio::runtime::Runtime>> {
        self.blocking_runtime.clone()
    }

    fn note(&mut self, field: &'static str, problem: String) {
        self.problem.get_or_insert((field, problem));
    }

    /// Leads created from `from` to `to`, both inclusive.
    pub fn created_between(self, from: impl TimeBound, to: impl TimeBound) -> Self {
        self.created_from(from).created_to(to)
    }

    /// Leads created at or after `from`.
    pub fn created_from(mut self, from: impl TimeBound) -> Self {
        match from.instant() {
            Ok(instant) => self.source.created_from = Some(instant),
            Err(problem) => self.note("created_from", problem),
        }
        self
    }

    /// Leads created at or before `to`.
    pub fn created_to(mut self, to: impl TimeBound) -> Self {
        match to.instant() {
            Ok(instant) => self.source.created_to = Some(instant),
            Err(problem) => self.note("created_to", problem),
        }
        self
    }

    /// Leads of these orders (ids > 0).
    pub fn order_ids(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.source.order_ids.extend(ids);
        self
    }

    /// Leads with these statuses (ids > 0).
    pub fn status_ids(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.source.status_ids.extend(ids);
        self
    }

    /// Leads per request, 1 to 100 (default 100).
    pub fn page_size(mut self, size: u64) -> Self {
        if (1..=MAX_PAGE_SIZE).contains(&size) {
            self.source.page_size = size;
        } else {
            self.note(
                "page_size",
                format!("must be between 1 and {MAX_PAGE_SIZE}, got {size}"),
            );
        }
        self
    }

    /// Treats every inconsistency of the list as an [`Error::Pagination`]
    /// instead of a warning (see [`pages`](Self::pages)).
    pub fn strict(mut self) -> Self {
        self.source.strict = true;
        self
    }

    /// How many pages may be requested at once, and held read ahead of the
    /// consumer (default [`DEFAULT_CONCURRENCY`](crate::LeadQuery::DEFAULT_CONCURRENCY), at most
    /// [`MAX_CONCURRENCY`](crate::LeadQuery::MAX_CONCURRENCY); 1 pages sequentially). See
    /// [`pages`](Self::pages). Prefetched pages are fetched and decoded in
    /// tasks spawned on the current tokio runtime (which reqwest needs
    /// anyway), and aborted when the stream is dropped.
    pub fn concurrency(mut self, pages: usize) -> Self {
        if (1..=MAX_CONCURRENCY).contains(&pages) {
            self.source.concurrency = pages;
        } else {
            self.note(
                "concurrency",
                format!("must be between 1 and {MAX_CONCURRENCY}, got {pages}"),
            );
        }
        self
    }

    /// Makes [`concurrency`](Self::concurrency) a maximum the prefetch adapts
    /// under (default: off, `n` pages always): it starts at 2, grows by one
    /// page in flight per round of clean answers, halves when an answer
    /// needed a retry (a `429`, a `503`, a timeout), and shrinks when
    /// answers come twice as slowly as the fastest. For a server whose
    /// limit you do not know; when you know it,
    /// [`LinerBuilder::rate_limit`](crate::LinerBuilder::rate_limit) keeps
    /// away from it instead of finding it.
    pub fn adaptive_concurrency(mut self, adaptive: bool) -> Self {
        self.source.adaptive = adaptive;
        self
    }

    /// After how many pages in a row with no lead not already seen the list
    /// ends with [`Error::Pagination`] (default [`DEFAULT_MAX_STALE_PAGES`](crate::LeadQuery::DEFAULT_MAX_STALE_PAGES),
    /// at least 1): a server that ignores `offset` and keeps advancing
    /// `next` would otherwise be paged forever.
    pub fn max_stale_pages(mut self, pages: u32) -> Self {
        if pages >= 1 {
            self.source.max_stale_pages = pages;
        } else {
            self.note("max_stale_pages", "must be at least 1, got 0".to_owned());
        }
        self
    }

    /// The retry policy of this query's requests (default: the client's).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.source.transport = self.source.transport.with_retry_policy(policy);
        self
    }

    /// Where to start: the ordinal number of the first lead (default 0).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// The first argument the API would refuse, as an
    /// [`Error::InvalidInput`] naming it.
    fn check(&self) -> Result<()> {
        if let Some((field, problem)) = &self.problem {
            return Err(Error::invalid(field, problem.clone()));
        }
        let source = &self.source;
        for (field, ids) in [
            ("order_ids", &source.order_ids),
            ("status_ids", &source.status_ids),
        ] {
            for id in ids {
                IntoField::<NonZeroU64>::into_field(*id)
                    .map_err(|reason| Error::invalid(field, reason))?;
            }
        }
        if i64::try_from(self.offset).is_err() {
            return Err(Error::invalid(
                "offset",
                format!("must be between 0 and {}, got {}", i64::MAX, self.offset),
            ));
        }
        if let (Some(from), Some(to)) = (source.created_from, source.created_to)
            && from > to
        {
            return Err(Error::invalid(
                "created_between",
                format!("{from} is after {to}"),
            ));
        }
        Ok(())
    }

    /// Fetches one page at the query's offset.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a refused filter, page size or offset,
    /// before anything is sent; otherwise an error of the request once the
    /// retries give up, or [`Error::Decode`] for a page that does not decode
    /// (a lead that does not is in [`Page::undecodable`] instead).
    pub async fn page(&self) -> Result<Page> {
        self.check()?;
        self.source.fetch(self.offset).await
    }

    /// Streams pages from the offset to the end of the list, lazily: a page
    /// is requested only when the stream is polled for it.
    ///
    /// The stream ends after the first empty page, once `offset + len >=
    /// total`, or when the API gives no `next`. A lead already yielded in
    /// this iteration is left out of later pages (the list can shift while
    /// it is paged). A `next` that does not move forward ends the stream with
    /// [`Error::Pagination`] rather than looping. After an error the stream
    /// ends.
    ///
    /// Other inconsistencies of a list that changes while it is paged are
    /// logged as `tracing` warnings and paging goes on, following `next`
    /// (or [`strict`](Self::strict) makes them errors): `total` changing
    /// between pages, a page shorter than asked for before `total` is
    /// reached, and a `next` other than `offset + len(list)`. Going on is the
    /// useful default: duplicates are dropped by id, and a list that grew
    /// simply has more to read.
    ///
    /// Prefetch: once the first page gives `total`, the following pages are
    /// requested [`concurrency`](Self::concurrency) (`n`) at a time, and
    /// still yielded in order. At most `n` requests are in flight and at most
    /// `n` pages are read and waiting to be consumed: an answer that arrives
    /// further ahead is left unread in its connection (it still counts as in
    /// flight) until the consumer catches up, and that wait counts against
    /// neither the client's timeout nor a retry deadline. Each page has the
    /// same retries and checks as sequential paging.
    /// When `total` is missing, the first page is inconsistent, or any later
    /// page disagrees with the first (the list changed), requests in flight
    /// are dropped and paging goes on sequentially from there.
    ///
    /// After its last item the stream keeps answering `None` (it is fused),
    /// as does the blocking iterator built on it.
    pub fn pages(self) -> Pages {
        let refused = self.check().err();
        let mut pager = Pager::new(self.offset, self.source);
        if let Some(err) = refused {
            pager = pager.refused(err);
        }
        Pages::new(
            stream::unfold(pager, |mut pager| async move {
                let item = pager.advance().await?;
                Some((item, pager))
            })
            // `unfold` panics if polled after its end.
            .fuse(),
        )
    }

    /// Streams leads from the offset to the end of the list (see
    /// [`pages`](Self::pages)). A lead that cannot be decoded is yielded as an
    /// [`Error::Decode`] after the other leads of its page, and the stream
    /// goes on; any other error ends it.
    pub fn items(self) -> Items {
        Items::new(self.pages().flat_map(|page| {
            let leads: Vec<Result<Lead>> = match page {
                Ok(page) => {
                    let mut leads: Vec<Result<Lead>> = page.items.into_iter().map(Ok).collect();
                    leads.extend(
                        page.undecodable
                            .into_iter()
                            .map(|bad| Err(bad.into_error())),
                    );
                    leads
                }
                Err(err) => vec![Err(err)],
            };
            stream::iter(leads)
        }))
    }

    /// Every lead from the offset to the end of the list, or the first error
    /// (`items().try_collect()`).
    ///
    /// # Errors
    ///
    /// The first error of [`items`](Self::items): as [`page`](Self::page)
    /// for each page, [`Error::Decode`] for a lead that does not decode, and
    /// [`Error::Pagination`] for a list that pages inconsistently.
    pub async fn collect_all(self) -> Result<Vec<Lead>> {
        self.items().try_collect().await
    }
}
