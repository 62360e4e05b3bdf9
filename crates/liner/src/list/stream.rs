//! The streams a [`LeadQuery`](super::LeadQuery) returns, as named types: a
//! caller can store one in a struct, and read it with its own `next()` and
//! `try_collect()`, no `StreamExt` import needed. Each is also a
//! [`Stream`], `Unpin`, `Send` and `'static`, and fused: after its end it
//! keeps answering `None`.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt as _};

use super::page::Page;
use crate::error::Result;
use liner_api::types::Lead;

/// One stream type per item: boxed once, so that the type has a name.
type Boxed<T> = Pin<Box<dyn Stream<Item = Result<T>> + Send>>;

macro_rules! named_stream {
    ($(#[$doc:meta])* $name:ident, $item:ty, $what:literal) => {
        $(#[$doc])*
        pub struct $name {
            inner: Boxed<$item>,
        }

        impl $name {
            pub(crate) fn new(inner: impl Stream<Item = Result<$item>> + Send + 'static) -> Self {
                Self {
                    inner: Box::pin(inner),
                }
            }

            #[doc = concat!("The next ", $what, ", `None` at the end.")]
            pub async fn next(&mut self) -> Option<Result<$item>> {
                self.inner.next().await
            }

            #[doc = concat!("Every ", $what, " left, or the first error.")]
            ///
            /// # Errors
            ///
            /// The first error the stream yields (see
            /// [`LeadQuery::collect_all`](crate::LeadQuery::collect_all)).
            pub async fn try_collect(mut self) -> Result<Vec<$item>> {
                let mut all = Vec::new();
                while let Some(item) = self.next().await {
                    all.push(item?);
                }
                Ok(all)
            }
        }

        impl Stream for $name {
            type Item = Result<$item>;

            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                self.inner.as_mut().poll_next(cx)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}

named_stream!(
    /// The pages of a list, in order (see [`LeadQuery::pages`](super::LeadQuery::pages)).
    Pages,
    Page,
    "page"
);

named_stream!(
    /// The leads of a list, in order (see [`LeadQuery::items`](super::LeadQuery::items)).
    Items,
    Lead,
    "lead"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn is_a_nameable_stream<S: Stream + Unpin + Send + 'static>() {}

    #[test]
    fn the_streams_are_unpin_send_and_static() {
        is_a_nameable_stream::<Pages>();
        is_a_nameable_stream::<Items>();
    }

    #[tokio::test]
    async fn next_and_try_collect_need_no_import_and_stay_ended() {
        let mut pages = Pages::new(futures_util::stream::iter(Vec::<Result<Page>>::new()).fuse());
        assert!(pages.next().await.is_none());
        assert!(pages.next().await.is_none());
        let leads = Items::new(futures_util::stream::iter(Vec::<Result<Lead>>::new()));
        assert!(leads.try_collect().await.unwrap().is_empty());
    }
}
