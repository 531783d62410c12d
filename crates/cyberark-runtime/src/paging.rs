//! Paging: a stream of items over every page of a list operation.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, Stream, StreamExt};

use crate::error::Error;
use crate::operation::{PagingStyle, Request};

/// Implemented by generated request structs of operations marked `x-cyberark-paging`.
pub trait PagedRequest: Request + Clone + 'static {
    /// One item of the list.
    type Item: Send + 'static;
    /// How the operation pages.
    const STYLE: PagingStyle;
    /// Sets the page to fetch: Redrock → `Args.PageNumber` (from 1) and `Args.PageSize`;
    /// Scim → `startIndex` (from 1) and `count`.
    fn set_page(&mut self, page: PageCursor);
    /// Splits one page's output into items and the total the tenant reports
    /// (`FullCount` / `totalResults`).
    fn into_page(output: Self::Output) -> Page<Self::Item>;
}

/// Which page to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageCursor {
    /// A Redrock page: `Args.PageNumber` (from 1) and `Args.PageSize`.
    Redrock {
        /// The page number, from 1.
        page_number: u32,
        /// Items per page.
        page_size: u32,
    },
    /// A SCIM page: `startIndex` (from 1) and `count`.
    Scim {
        /// The 1-based index of the first item.
        start_index: u64,
        /// Items per page.
        count: u64,
    },
}

/// One page of a list.
#[derive(Debug)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The total number of items the tenant reports, if it does.
    pub total: Option<u64>,
}

/// Fetches one page; the paging state machine is written against this, so tests can feed it
/// pages without a client.
pub(crate) type FetchPage<T> =
    Box<dyn FnMut(PageCursor) -> BoxFuture<'static, Result<Page<T>, Error>> + Send>;

/// A stream of items over all pages.
///
/// Stops when a page is empty, when the reported total is reached, or (Redrock) when a page is
/// shorter than the page size. Fetches pages lazily, one at a time, so memory stays bounded by
/// one page. After an error the stream yields that error and ends.
pub struct ItemStream<T> {
    inner: BoxStream<'static, Result<T, Error>>,
}

impl<T> std::fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemStream").finish_non_exhaustive()
    }
}

struct Pager<T> {
    fetch: FetchPage<T>,
    style: PagingStyle,
    page_size: u32,
    /// The next Redrock page number, from 1.
    page_number: u32,
    /// The next SCIM start index, from 1.
    start_index: u64,
    seen: u64,
    buffer: std::vec::IntoIter<T>,
    done: bool,
}

impl<T: Send + 'static> Pager<T> {
    fn cursor(&self) -> PageCursor {
        match self.style {
            PagingStyle::Redrock => PageCursor::Redrock {
                page_number: self.page_number,
                page_size: self.page_size,
            },
            PagingStyle::Scim => PageCursor::Scim {
                start_index: self.start_index,
                count: u64::from(self.page_size),
            },
        }
    }

    /// Yields the next item, fetching the next page only once the buffer is empty.
    async fn next(mut self) -> Option<(Result<T, Error>, Self)> {
        loop {
            if let Some(item) = self.buffer.next() {
                return Some((Ok(item), self));
            }
            if self.done {
                return None;
            }
            let cursor = self.cursor();
            let page = match (self.fetch)(cursor).await {
                Ok(page) => page,
                Err(error) => {
                    self.done = true;
                    return Some((Err(error), self));
                }
            };
            let count = page.items.len() as u64;
            if count == 0 {
                return None;
            }
            self.seen += count;
            self.page_number = self.page_number.saturating_add(1);
            // SCIM servers may return fewer than `count` (a server-side maximum), so the next
            // page starts after what actually arrived.
            self.start_index += count;
            let total_reached = page.total.is_some_and(|total| self.seen >= total);
            // A shorter Redrock page is the last one; a longer one means the tenant ignored the
            // page size and sent everything.
            let last_redrock =
                self.style == PagingStyle::Redrock && count != u64::from(self.page_size);
            self.done = total_reached || last_redrock;
            self.buffer = page.items.into_iter();
        }
    }
}

impl<T: Send + 'static> ItemStream<T> {
    /// A stream over the pages `fetch` returns.
    pub(crate) fn new<F>(style: PagingStyle, page_size: u32, fetch: F) -> Self
    where
        F: FnMut(PageCursor) -> BoxFuture<'static, Result<Page<T>, Error>> + Send + 'static,
    {
        let pager = Pager {
            fetch: Box::new(fetch),
            style,
            // A page size of zero would fetch empty pages forever.
            page_size: page_size.max(1),
            page_number: 1,
            start_index: 1,
            seen: 0,
            buffer: Vec::new().into_iter(),
            done: false,
        };
        ItemStream {
            inner: stream::unfold(pager, Pager::next).boxed(),
        }
    }
}

impl<T> Stream for ItemStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use futures::TryStreamExt;

    use super::*;

    /// A fake list of `len` numbers, paged like the tenant would; records each cursor asked for.
    fn source(
        len: u64,
        report_total: bool,
        log: Arc<Mutex<Vec<PageCursor>>>,
    ) -> impl FnMut(PageCursor) -> BoxFuture<'static, Result<Page<u64>, Error>> + Send + 'static
    {
        move |cursor| {
            log.lock().unwrap().push(cursor);
            let (start, size) = match cursor {
                PageCursor::Redrock {
                    page_number,
                    page_size,
                } => (
                    u64::from(page_number - 1) * u64::from(page_size),
                    u64::from(page_size),
                ),
                PageCursor::Scim { start_index, count } => (start_index - 1, count),
            };
            let items: Vec<u64> = (start..(start + size).min(len)).collect();
            let total = report_total.then_some(len);
            Box::pin(async move { Ok(Page { items, total }) })
        }
    }

    async fn collect(
        style: PagingStyle,
        len: u64,
        total: bool,
        page_size: u32,
    ) -> (Vec<u64>, usize) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let items: Vec<u64> = ItemStream::new(style, page_size, source(len, total, log.clone()))
            .try_collect()
            .await
            .unwrap();
        let fetches = log.lock().unwrap().len();
        (items, fetches)
    }

    #[tokio::test]
    async fn redrock_stops_on_a_short_page() {
        let (items, fetches) = collect(PagingStyle::Redrock, 7, false, 3).await;
        assert_eq!(items, (0..7).collect::<Vec<_>>());
        assert_eq!(fetches, 3);
    }

    #[tokio::test]
    async fn redrock_stops_at_the_total_without_an_extra_request() {
        let (items, fetches) = collect(PagingStyle::Redrock, 6, true, 3).await;
        assert_eq!(items.len(), 6);
        assert_eq!(fetches, 2);
    }

    #[tokio::test]
    async fn redrock_without_total_stops_on_an_empty_page() {
        let (items, fetches) = collect(PagingStyle::Redrock, 6, false, 3).await;
        assert_eq!(items.len(), 6);
        assert_eq!(fetches, 3);
    }

    #[tokio::test]
    async fn scim_advances_by_items_received_and_stops_at_total() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let items: Vec<u64> = ItemStream::new(PagingStyle::Scim, 4, source(10, true, log.clone()))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items, (0..10).collect::<Vec<_>>());
        assert_eq!(
            *log.lock().unwrap(),
            [
                PageCursor::Scim {
                    start_index: 1,
                    count: 4
                },
                PageCursor::Scim {
                    start_index: 5,
                    count: 4
                },
                PageCursor::Scim {
                    start_index: 9,
                    count: 4
                },
            ]
        );
    }

    #[tokio::test]
    async fn scim_without_total_stops_on_an_empty_page() {
        let (items, fetches) = collect(PagingStyle::Scim, 5, false, 4).await;
        assert_eq!(items.len(), 5);
        assert_eq!(fetches, 3);
    }

    #[tokio::test]
    async fn pages_are_fetched_lazily() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut stream = ItemStream::new(PagingStyle::Redrock, 2, source(10, true, log.clone()));
        assert!(log.lock().unwrap().is_empty());
        stream.next().await.unwrap().unwrap();
        stream.next().await.unwrap().unwrap();
        assert_eq!(log.lock().unwrap().len(), 1);
        stream.next().await.unwrap().unwrap();
        assert_eq!(log.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn an_error_ends_the_stream() {
        let mut calls = 0;
        let mut stream = ItemStream::new(PagingStyle::Redrock, 1, move |_| {
            calls += 1;
            let result = if calls == 1 {
                Ok(Page {
                    items: vec![1u8],
                    total: None,
                })
            } else {
                Err(Error::config("boom"))
            };
            Box::pin(async move { result }) as BoxFuture<'static, _>
        });
        assert_eq!(stream.next().await.unwrap().unwrap(), 1u8);
        assert!(stream.next().await.unwrap().is_err());
        assert!(stream.next().await.is_none());
    }
}
