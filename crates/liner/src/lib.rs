#![doc = include_str!("../README.md")]

mod api_key;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod envelope;
mod error;
mod ids;
mod list;
mod model;
mod prefetch;
mod requests;
mod retry;
mod routes;

pub use api_key::ApiKey;
pub use client::{
    API_KEY_VAR, BASE_URL_VAR, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Liner, LinerBuilder,
};
pub use error::{Error, Result, SNIPPET_LIMIT, StatusCode};
pub use list::{
    DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE, LeadQuery, MAX_CONCURRENCY, MAX_PAGE_SIZE, Page,
    TimeBound, UndecodableLead,
};
pub use model::{
    Call, CustomValues, Direction, FinishInitiator, Lead, LeadType, Timestamp, TimestampError,
};
pub use requests::{LeadPatch, NewLead};
pub use retry::RetryPolicy;

/// Re-exported so users can name date-times without adding the dependency.
pub use jiff;

/// Not public API: the decoding path of a lead-list answer, exposed for the
/// benchmarks in `benches/performance.rs`. May change at any time.
#[doc(hidden)]
pub fn __decode_lead_page(body: &[u8]) -> Result<Page> {
    list::decode_page(StatusCode::OK, body, 0)
}
