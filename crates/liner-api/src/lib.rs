#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

// The generated client is included as it is and re-exported at the crate root,
// as Oxide's SDKs do. Lints are relaxed for it alone: it is progenitor's code,
// not ours, and changing it means changing the spec or the generator settings.
// `unreachable_patterns`: progenitor matches the `4XX` range before the `401`
// and `404` arms the spec also declares (for their documentation).
#[allow(
    clippy::all,
    clippy::pedantic,
    missing_docs,
    unreachable_patterns,
    rustdoc::all
)]
mod generated;

mod auth;
mod draft;
mod failure;
mod fields;
mod hooks;
pub mod text;
pub mod values;

pub use auth::{API_KEY_HEADER, DEFAULT_TIMEOUT, InvalidApiKey, api_key_headers};
pub use draft::{Draft, RequestBody};
pub use fields::{IntoField, InvalidField};
pub use generated::*;
/// Re-exported: the `createdAt` filters of `list_leads` are `jiff::Timestamp`s.
pub use jiff;
