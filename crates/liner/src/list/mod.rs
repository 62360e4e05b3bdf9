//! The lead list: [`LeadQuery`] (filters and paging), the [`Page`]s it
//! streams, and how they are fetched.
//!
//! * `query.rs`: the query, its filters and the streams it returns;
//! * `stream.rs`: those streams' named types, [`Pages`] and [`Items`];
//! * `pager.rs`: the state machine that walks the list page by page;
//! * `prefetch.rs`: pages requested ahead of the consumer, within bounds;
//! * `source.rs`: the checked query that fetches the page at an offset;
//! * `page.rs`: a page, and decoding one (one odd lead never fails a page).
//!
//! Each imports only those below it in this list.

mod limits;
mod page;
mod pager;
mod prefetch;
mod query;
mod source;
mod stream;

pub use page::{Page, UndecodableLead};
pub use query::{LeadQuery, TimeBound};
pub use stream::{Items, Pages};

pub(crate) use page::decode_page;
