//! [`PageSource`]: where a lead list's pages come from. It holds a checked
//! query's filters, paging settings and transport, and fetches the page at
//! an offset. The pager and the prefetch take it, so that neither knows the
//! query builder (and `query.rs`, which starts the pager, is imported by
//! nothing below it).

use super::page::{Page, decode_page};
use crate::error::Result;
use crate::routes;
use crate::transport::{Answer, BodyGate, NoGate, Transport};

/// A lead list's filters and paging settings, checked, with the transport
/// that fetches its pages.
#[derive(Clone)]
pub(super) struct PageSource {
    pub(super) transport: Transport,
    pub(super) created_from: Option<jiff::Timestamp>,
    pub(super) created_to: Option<jiff::Timestamp>,
    pub(super) order_ids: Vec<u64>,
    pub(super) status_ids: Vec<u64>,
    pub(super) page_size: u64,
    pub(super) strict: bool,
    pub(super) concurrency: usize,
    /// Whether `concurrency` is a maximum that the prefetch adapts under.
    pub(super) adaptive: bool,
    pub(super) max_stale_pages: u32,
}

impl PageSource {
    /// The query string of the page at `offset`, with the documented keys.
    fn query(&self, offset: u64) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        let wire_time = |t: jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        if let Some(from) = self.created_from {
            query.push(("createdAt[0]", wire_time(from)));
        }
        if let Some(to) = self.created_to {
            query.push(("createdAt[1]", wire_time(to)));
        }
        query.extend(
            self.order_ids
                .iter()
                .map(|id| ("orderIds[]", id.to_string())),
        );
        query.extend(
            self.status_ids
                .iter()
                .map(|id| ("statusIds[]", id.to_string())),
        );
        query.push(("offset", offset.to_string()));
        query.push(("limit", self.page_size.to_string()));
        query
    }

    /// The page at `offset`, read and decoded.
    pub(super) async fn fetch(&self, offset: u64) -> Result<Page> {
        let answer = self.request_page(offset, &mut NoGate).await?;
        self.decode(&answer, offset)
    }

    /// The page in a list answer (see [`decode_page`]), its errors about the
    /// request.
    pub(super) fn decode(&self, answer: &Answer, offset: u64) -> Result<Page> {
        decode_page(answer.status, &answer.body, offset, self.page_size)
            .map_err(|error| error.about(answer.request.clone()))
    }

    /// The list answer at `offset`, undecoded; its body is read once `gate`
    /// opens.
    pub(super) async fn request_page<G: BodyGate>(
        &self,
        offset: u64,
        gate: &mut G,
    ) -> Result<Answer> {
        self.transport
            .send_raw(&routes::list_leads(), &self.query(offset), None, gate)
            .await
    }
}
