//! [`Pager`]: the state machine behind
//! [`LeadQuery::pages`](super::LeadQuery::pages). It asks for the
//! next page (sequentially, or from the prefetch once the list's size is
//! known), drops leads already yielded, judges whether the list is
//! consistent, and decides where the next page starts, or that the list
//! has ended.

use futures_util::stream::{Stream, StreamExt as _};

use super::page::Page;
use super::prefetch;
use super::source::PageSource;
use crate::error::{Error, Result};
use crate::ids::IdSet;

/// The iteration state behind [`LeadQuery::pages`](super::LeadQuery::pages).
pub(super) struct Pager {
    source: PageSource,
    offset: u64,
    seen: IdSet,
    /// `total` as the previous page said.
    total: Option<u64>,
    /// Pages being prefetched, in offset order.
    ahead: Option<Prefetch>,
    state: PagerState,
    /// Pages in a row that brought no lead not seen before.
    stale: u32,
}

/// Pages requested ahead of the consumer, yielded in offset order.
type Prefetch = std::pin::Pin<Box<dyn Stream<Item = Result<Page>> + Send>>;

enum PagerState {
    Running,
    /// An error to yield after the page that revealed it.
    Failing(Error),
    Done,
}

/// What a page says about the list, beyond its leads.
struct Position {
    /// How many leads the server served in this page, decodable or not.
    served: usize,
    /// The offset just past this page.
    end: u64,
    /// Whether this page is the last one.
    at_end: bool,
}

impl Pager {
    /// Paging from `offset`.
    pub(super) fn new(offset: u64, source: PageSource) -> Self {
        Self {
            source,
            offset,
            seen: IdSet::default(),
            total: None,
            ahead: None,
            state: PagerState::Running,
            stale: 0,
        }
    }

    /// A pager whose first item is `err` (a refused query), then the end.
    pub(super) fn refused(mut self, err: Error) -> Self {
        self.state = PagerState::Failing(err);
        self
    }

    /// The next page, or the error that ends the stream, or `None` after
    /// the end.
    pub(super) async fn advance(&mut self) -> Option<Result<Page>> {
        match std::mem::replace(&mut self.state, PagerState::Running) {
            PagerState::Done => {
                self.state = PagerState::Done;
                return None;
            }
            PagerState::Failing(err) => return Some(Err(self.stop(err))),
            PagerState::Running => {}
        }
        let prefetched = self.ahead.is_some();
        let taken = match self.fetch().await {
            Ok(page) => self.take(page, prefetched),
            Err(err) => Err(err),
        };
        Some(taken.map_err(|err| self.stop(err)))
    }

    /// Ends the stream with `err`, and stops the prefetch's requests now
    /// rather than when the caller drops the stream.
    fn stop(&mut self, err: Error) -> Error {
        self.state = PagerState::Done;
        self.ahead = None;
        err
    }

    /// The page at the current offset: the prefetch's next, or a request.
    async fn fetch(&mut self) -> Result<Page> {
        match &mut self.ahead {
            Some(ahead) => ahead.next().await.unwrap_or_else(|| {
                // Planned pages ran out before the end: only possible if the
                // list grew, which `judge` would have caught.
                Err(Error::Pagination {
                    reason: "prefetched pages ended early".to_owned(),
                })
            }),
            None => self.source.fetch(self.offset).await,
        }
    }

    /// Takes in a fetched page: drops leads already yielded, judges the
    /// list, and decides what comes next. Offsets and counts come from the
    /// server: every sum is checked, and one that overflows is an error, as
    /// is a run of pages that bring nothing new.
    fn take(&mut self, mut page: Page, prefetched: bool) -> Result<Page> {
        let served = page.items.len() + page.undecodable.len();
        let before = page.items.len() + page.undecodable.len();
        page.items.retain(|lead| self.seen.insert(lead.id.get()));
        // An undecodable lead with an id is one lead like any other: served
        // again, it is dropped again.
        page.undecodable
            .retain(|bad| bad.id.is_none_or(|id| self.seen.insert(id)));
        page.duplicates_dropped = before - page.items.len() - page.undecodable.len();
        crate::meters::page(page.duplicates_dropped, page.undecodable.len());
        if page.duplicates_dropped > 0 {
            tracing::debug!(
                offset = self.offset,
                dropped = page.duplicates_dropped,
                "dropped leads already yielded (the list shifted)"
            );
        }
        self.count_stale(&page, served)?;
        let end = self
            .offset
            .checked_add(served as u64)
            .ok_or_else(|| Error::Pagination {
                reason: format!(
                    "the page at offset {} with {served} leads ends past the largest offset",
                    self.offset
                ),
            })?;
        let position = Position {
            served,
            end,
            at_end: served == 0 || page.total.is_some_and(|total| end >= total),
        };
        if self.judge(&page, &position, prefetched) {
            return Ok(page);
        }
        self.total = page.total;
        self.state = self.next_state(&page, &position);
        Ok(page)
    }

    /// Counts the pages in a row that brought no new lead: a server that
    /// ignores `offset` and keeps advancing `next` would be paged forever.
    /// An undecodable lead is new only if its id is (one without a readable
    /// id cannot be told from one served before, so it proves nothing).
    fn count_stale(&mut self, page: &Page, served: usize) -> Result<()> {
        let brought_new =
            !page.items.is_empty() || page.undecodable.iter().any(|bad| bad.id.is_some());
        if served == 0 || brought_new {
            self.stale = 0;
            return Ok(());
        }
        self.stale += 1;
        if self.stale >= self.source.max_stale_pages {
            return Err(Error::Pagination {
                reason: format!(
                    "{} pages in a row, up to offset {}, brought no lead not already seen: \
                     the server seems to ignore the offset",
                    self.stale, self.offset
                ),
            });
        }
        Ok(())
    }

    /// Reacts to an inconsistency of the list, if `page` shows one: an error
    /// after this page in strict mode (then `true`), else a warning, and
    /// sequential paging from here. A consistent first page with a `total`
    /// starts the prefetch.
    fn judge(&mut self, page: &Page, position: &Position, prefetched: bool) -> bool {
        if let Some(problem) = self.inconsistency(page, position) {
            if self.source.strict {
                self.state = PagerState::Failing(Error::Pagination { reason: problem });
                self.ahead = None;
                return true;
            }
            if prefetched {
                tracing::warn!(offset = self.offset, "{problem}; paging on sequentially");
                self.ahead = None;
            } else {
                tracing::warn!(offset = self.offset, "{problem}; paging on");
            }
        } else if !position.at_end
            && !prefetched
            && self.source.concurrency > 1
            && let (Some(total), Some(next)) = (page.total, page.next)
            && next == position.end
        {
            self.ahead = Some(Box::pin(prefetch::pages(
                self.source.clone(),
                position.end,
                total,
            )));
        }
        false
    }

    /// Where paging goes after `page`.
    fn next_state(&mut self, page: &Page, position: &Position) -> PagerState {
        if position.at_end {
            return PagerState::Done;
        }
        match page.next {
            None => PagerState::Done,
            Some(next) if next <= self.offset => PagerState::Failing(Error::Pagination {
                reason: format!(
                    "the page at offset {} says the next one is at {next}, which does not move forward",
                    self.offset
                ),
            }),
            // Prefetched pages are planned at offset + page size; `next` was
            // checked to agree by `inconsistency`.
            Some(next) => {
                self.offset = next;
                PagerState::Running
            }
        }
    }

    /// What is odd about `page`, if anything (besides duplicates).
    fn inconsistency(&self, page: &Page, position: &Position) -> Option<String> {
        if let (Some(before), Some(now)) = (self.total, page.total)
            && before != now
        {
            return Some(format!(
                "the list's total changed from {before} to {now} while paging"
            ));
        }
        if !position.at_end && (position.served as u64) < self.source.page_size {
            return Some(format!(
                "the page at offset {} has {} leads, fewer than the {} asked for, before the end",
                self.offset, position.served, self.source.page_size
            ));
        }
        match page.next {
            Some(next) if !position.at_end && next != position.end => Some(format!(
                "the page at offset {} ends at {} but says the next one is at {next}",
                self.offset, position.end
            )),
            _ => None,
        }
    }
}

/// Whatever offsets, `next` and `total` a server sends, from the whole
/// `u64` range, the pager never panics, and it either moves strictly
/// forward or ends.
#[cfg(test)]
mod properties {
    use std::time::Duration;

    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    use super::*;
    use crate::retry::RetryPolicy;
    use crate::transport::Transport;

    fn source() -> PageSource {
        // Nothing is sent: `take` only judges pages it is handed. One
        // client for every case (building one loads the TLS roots).
        static SOURCE: std::sync::OnceLock<PageSource> = std::sync::OnceLock::new();
        SOURCE
            .get_or_init(|| {
                let transport = Transport::new(crate::transport::Settings {
                    http: reqwest::Client::new(),
                    base_url: "http://127.0.0.1:9".to_owned(),
                    key: reqwest::header::HeaderValue::from_static("key"),
                    retry: RetryPolicy::none(),
                    timeout: Duration::from_secs(1),
                    connect_timeout: None,
                    max_response_bytes: 1024,
                    rate_limit: None,
                });
                PageSource {
                    transport,
                    created_from: None,
                    created_to: None,
                    order_ids: Vec::new(),
                    status_ids: Vec::new(),
                    page_size: super::super::limits::DEFAULT_PAGE_SIZE,
                    strict: false,
                    concurrency: 1,
                    adaptive: false,
                    max_stale_pages: super::super::limits::DEFAULT_MAX_STALE_PAGES,
                }
            })
            .clone()
    }

    fn page(ids: &[u64], offset: u64, next: Option<u64>, total: Option<u64>) -> Page {
        Page {
            items: ids
                .iter()
                .map(|id| serde_json::from_value(serde_json::json!({ "id": id })).unwrap())
                .collect(),
            offset,
            next,
            total,
            undecodable: Vec::new(),
            duplicates_dropped: 0,
        }
    }

    /// A number from anywhere in `u64`, the edges often.
    fn any_number() -> impl Strategy<Value = u64> {
        prop_oneof![
            Just(0u64),
            Just(u64::MAX),
            Just(u64::MAX - 1),
            Just(i64::MAX as u64),
            any::<u64>(),
            0u64..1000,
        ]
    }

    proptest! {
        #![proptest_config(Config {
            cases: 2048,
            rng_seed: RngSeed::Fixed(0x0FF5E7),
            failure_persistence: None,
            ..Config::default()
        })]

        #[test]
        fn paging_never_panics_and_always_moves_forward(
            start in any_number(),
            pages in vec(
                (vec(1u64..=i64::MAX as u64, 0..5), proptest::option::of(any_number()), proptest::option::of(any_number())),
                1..12,
            ),
        ) {
            let mut pager = Pager::new(start, source());
            for (ids, next, total) in pages {
                let before = pager.offset;
                let taken = pager.take(page(&ids, before, next, total), false);
                match (&taken, &pager.state) {
                    (Err(_), _) | (Ok(_), PagerState::Done | PagerState::Failing(_)) => break,
                    (Ok(_), PagerState::Running) => prop_assert!(pager.offset > before),
                }
            }
        }
    }

    #[test]
    fn an_offset_past_the_largest_is_an_error() {
        let mut pager = Pager::new(u64::MAX - 1, source());
        let error = pager
            .take(page(&[1, 2, 3], u64::MAX - 1, None, None), false)
            .unwrap_err();
        assert!(
            error.to_string().contains("past the largest offset"),
            "{error}"
        );
    }
}
