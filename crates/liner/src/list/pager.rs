//! [`Pager`]: the state machine behind [`LeadQuery::pages`]. It asks for the
//! next page (sequentially, or from the prefetch once the list's size is
//! known), drops leads already yielded, judges whether the list is
//! consistent, and decides where the next page starts, or that the list
//! has ended.

use futures_util::stream::{Stream, StreamExt as _};

use super::page::Page;
use super::prefetch;
use super::query::LeadQuery;
use crate::error::{Error, Result};
use crate::ids::IdSet;

/// The iteration state behind [`LeadQuery::pages`].
pub(super) struct Pager {
    query: LeadQuery,
    offset: u64,
    seen: IdSet,
    /// `total` as the previous page said.
    total: Option<u64>,
    /// Pages being prefetched, in offset order.
    ahead: Option<Prefetch>,
    state: PagerState,
}

/// Pages requested ahead of the consumer, yielded in offset order.
type Prefetch = std::pin::Pin<Box<dyn Stream<Item = Result<Page>> + Send>>;

enum PagerState {
    Start,
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
    pub(super) fn new(offset: u64, query: LeadQuery) -> Self {
        Self {
            query,
            offset,
            seen: IdSet::default(),
            total: None,
            ahead: None,
            state: PagerState::Start,
        }
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
            PagerState::Start => {
                if let Err(err) = self.query.check() {
                    return Some(Err(self.stop(err)));
                }
            }
            PagerState::Running => {}
        }
        let prefetched = self.ahead.is_some();
        let page = match self.fetch().await {
            Ok(page) => page,
            Err(err) => return Some(Err(self.stop(err))),
        };
        Some(Ok(self.take(page, prefetched)))
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
            None => self.query.fetch(self.offset).await,
        }
    }

    /// Takes in a fetched page: drops leads already yielded, judges the
    /// list, and decides what comes next.
    fn take(&mut self, mut page: Page, prefetched: bool) -> Page {
        let served = page.items.len() + page.undecodable.len();
        let before = page.items.len();
        page.items.retain(|lead| self.seen.insert(lead.id.get()));
        if page.items.len() < before {
            tracing::debug!(
                offset = self.offset,
                dropped = before - page.items.len(),
                "dropped leads already yielded (the list shifted)"
            );
        }
        let end = self.offset + served as u64;
        let position = Position {
            served,
            end,
            at_end: served == 0 || page.total.is_some_and(|total| end >= total),
        };
        if self.judge(&page, &position, prefetched) {
            return page;
        }
        self.total = page.total;
        self.state = self.next_state(&page, &position);
        page
    }

    /// Reacts to an inconsistency of the list, if `page` shows one: an error
    /// after this page in strict mode (then `true`), else a warning, and
    /// sequential paging from here. A consistent first page with a `total`
    /// starts the prefetch.
    fn judge(&mut self, page: &Page, position: &Position, prefetched: bool) -> bool {
        if let Some(problem) = self.inconsistency(page, position) {
            if self.query.strict {
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
            && self.query.concurrency > 1
            && let (Some(total), Some(next)) = (page.total, page.next)
            && next == position.end
        {
            self.ahead = Some(Box::pin(prefetch::pages(
                self.query.clone(),
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
        if !position.at_end && (position.served as u64) < self.query.page_size {
            return Some(format!(
                "the page at offset {} has {} leads, fewer than the {} asked for, before the end",
                self.offset, position.served, self.query.page_size
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
