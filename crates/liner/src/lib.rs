#![doc = include_str!("../README.md")]
// docs.rs (nightly) badges every feature-gated item; stable rustdoc has no
// badges, so each such item also says its feature in words.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api_key;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
mod builder;
mod client;
mod envelope;
mod error;
mod ids;
mod list;
#[cfg(test)]
mod properties;
mod retry;
mod routes;
mod transport;

pub use api_key::ApiKey;
pub use builder::{
    API_KEY_VAR, BASE_URL_VAR, CA_CERT_VAR, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT, LinerBuilder, PROXY_VAR,
};
pub use client::Liner;
pub use error::{Error, MESSAGE_LIMIT, RequestInfo, Result, SNIPPET_LIMIT, StatusCode};
pub use list::{
    DEFAULT_CONCURRENCY, DEFAULT_MAX_STALE_PAGES, DEFAULT_PAGE_SIZE, LeadQuery, MAX_CONCURRENCY,
    MAX_PAGE_SIZE, Page, TimeBound, UndecodableLead,
};
pub use retry::{DEFAULT_DEADLINE, RetryPolicy};

// The data types are `liner-api`'s, generated from the spec: every field list
// lives in spec/liner.yaml alone, and a field added there reaches these types
// (and the request drafts' setters) with `cargo xtask generate`.
pub use liner_api::types::{Call, Lead, LeadPatch, LeadType, NewLead};
pub use liner_api::values::{
    CustomValues, Direction, FinishInitiator, LeadTypeValue, Timestamp, TimestampError, VkId,
};
pub use liner_api::{Draft, IntoField};

/// Re-exported so users can name date-times without adding the dependency.
pub use jiff;

/// Not public API: the de-duplication of a list's ids, exposed for the
/// benchmarks in `benches/performance.rs`; how many of `ids` were new. May
/// change at any time.
#[doc(hidden)]
pub fn __dedup(ids: &[u64]) -> usize {
    let mut seen = ids::IdSet::default();
    ids.iter().filter(|&&id| seen.insert(id)).count()
}

/// Not public API: the decoding path of a lead-list answer, exposed for the
/// benchmarks in `benches/performance.rs`. May change at any time.
#[doc(hidden)]
pub fn __decode_lead_page(body: &[u8]) -> Result<Page> {
    list::decode_page(StatusCode::OK, body, 0, MAX_PAGE_SIZE)
}
