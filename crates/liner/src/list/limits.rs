//! The list's limits and defaults, one place for each (`LeadQuery`'s
//! associated constants are these).

/// The largest page the API serves.
pub(crate) const MAX_PAGE_SIZE: u64 = 100;
/// The page size `liner` asks for unless told otherwise: the maximum, to
/// save round trips (the API's own default is 50).
pub(crate) const DEFAULT_PAGE_SIZE: u64 = MAX_PAGE_SIZE;
/// Pages requested at once after the first, unless told otherwise: enough to
/// hide most of the round-trip time, few enough to be a polite client.
pub(crate) const DEFAULT_CONCURRENCY: usize = 4;
/// Pages in a row that may bring no lead not already seen before the list
/// ends with an error, unless [`LeadQuery::max_stale_pages`](super::LeadQuery::max_stale_pages) says otherwise.
/// A list that shifts while it is paged re-serves some leads, rarely a whole
/// page of them, never ten pages running.
pub(crate) const DEFAULT_MAX_STALE_PAGES: u32 = 10;
/// The most pages [`LeadQuery::concurrency`](super::LeadQuery::concurrency) accepts.
pub(crate) const MAX_CONCURRENCY: usize = 32;
