#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]
// docs.rs (nightly) badges every feature-gated item; stable rustdoc has no
// badges, so each such item also says its feature in words.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod adaptive;
mod api_key;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
mod builder;
mod cause;
mod client;
mod envelope;
mod error;
mod ids;
mod list;
mod meters;
#[cfg(test)]
mod property_tests;
mod retry;
mod routes;
mod server_text;
mod transport;

pub use adaptive::{AdaptiveConcurrency, ConcurrencyPermit};
pub use api_key::ApiKey;
pub use builder::LinerBuilder;
pub use client::Liner;
pub use error::{Error, RequestInfo, Result, StatusCode};
pub use list::{Items, LeadQuery, Page, Pages, TimeBound, UndecodableLead};
pub use retry::RetryPolicy;

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

/// Not public API: hooks for the benchmarks in `benches/performance/`.
/// May change at any time.
#[doc(hidden)]
pub mod bench_hooks {
    use crate::{Page, Result, StatusCode};

    /// The de-duplication of a list's ids: how many of `ids` were new.
    pub fn dedup(ids: &[u64]) -> usize {
        let mut seen = crate::ids::IdSet::default();
        ids.iter().filter(|&&id| seen.insert(id)).count()
    }

    /// The decoding path of a lead-list answer.
    pub fn decode_lead_page(body: &[u8]) -> Result<Page> {
        crate::list::decode_page(StatusCode::OK, body, 0, crate::LeadQuery::MAX_PAGE_SIZE)
    }
}
