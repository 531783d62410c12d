//! Paging: a stream of items over every page of a list operation.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, Stream, StreamExt};

use crate::error::Error;
use crate::operation::{PagingStyle, Request};

/// Implemented by generated request structs of operations marked `x-cyberark-paging`.
pub trait PagedRequest: Request + Clone + 'static {
    /// One item of the list. Comparable, so that a page the tenant sends twice is noticed.
    type Item: Clone + PartialEq + Send + 'static;
    /// How the operation pages.
    const STYLE: PagingStyle;
    /// Sets the page to fetch: Redrock → `Args.PageNumber` (from 1) and `Args.PageSize`;
    /// Scim → `startIndex` (from 1) and `count`; NextLink → `offset` and `limit`; OffsetLimit →
    /// `Offset` (from 0) and `Limit`.
    fn set_page(&mut self, page: PageCursor);
    /// Splits one page's output into items, the total the tenant reports
    /// (`FullCount`, `totalResults`, `count`, `Total`) and the Vault's `nextLink`.
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
    /// A Vault page (both Vault styles): the 0-based index of the first item and the page size.
    /// For [`PagingStyle::NextLink`] both come from the `nextLink` of the page before.
    Offset {
        /// The 0-based index of the first item.
        offset: u64,
        /// Items per page.
        limit: u64,
    },
}

/// One page of a list.
#[derive(Debug)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The total number of items the tenant reports, if it does.
    pub total: Option<u64>,
    /// The Vault's `nextLink` (a URL relative to the base URL, such as
    /// `api/Accounts?offset=50&limit=50`); `None` on the last page and in the other styles.
    pub next_link: Option<String>,
}

/// Fetches one page; the paging state machine is written against this, so tests can feed it
/// pages without a client.
pub(crate) type FetchPage<T> =
    Box<dyn FnMut(PageCursor) -> BoxFuture<'static, Result<Page<T>, Error>> + Send>;

/// The most pages a stream reads from a list whose tenant reports no total: 100,000 pages of
/// the page size, far beyond any real directory, and a bound on a tenant that never ends a list.
pub const MAX_PAGES_WITHOUT_TOTAL: u32 = 100_000;

/// A stream of items over all pages.
///
/// When the tenant reports a total (`FullCount`, `totalResults`), the stream reads until that
/// many items arrived, and a page that contradicts it is an [`Error::Paging`]: an empty page
/// before the total, more items than the total, or (Redrock, whose pages are numbered) a page
/// shorter or longer than asked while more remain, since the next page number would then skip
/// or repeat items. Without a total it stops at an empty page or (Redrock) a page of a size
/// other than asked. Either way, a page equal to the first or the previous one is an
/// [`Error::Paging`] (a tenant that ignores the paging parameters would otherwise be read
/// forever), and so is a list without a total that runs past [`MAX_PAGES_WITHOUT_TOTAL`].
///
/// Pages are fetched lazily, one at a time; besides the page being read, the stream keeps the
/// first and the previous page to compare with. After an error the stream yields that error and
/// ends.
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
    /// Where the list is and what its pages said: everything but the items, so that the checks
    /// and the cursor arithmetic are compiled once, not once per item type.
    state: PagerState,
    first: Option<Vec<T>>,
    previous: Option<Vec<T>>,
    buffer: std::vec::IntoIter<T>,
}

struct PagerState {
    operation: &'static str,
    style: PagingStyle,
    page_size: u32,
    /// The next Redrock page number, from 1.
    page_number: u32,
    /// The next SCIM start index, from 1.
    start_index: u64,
    /// The next Vault offset, from 0, and page size (a `nextLink` may name another one).
    offset: u64,
    limit: u64,
    seen: u64,
    /// Pages received so far.
    pages: u32,
    done: bool,
    /// An error found after a page was taken (a bad `nextLink`), yielded after its items.
    failed: Option<Error>,
}

impl<T: Clone + PartialEq + Send + 'static> Pager<T> {
    /// Yields the next item, fetching the next page only once the buffer is empty.
    async fn next(mut self) -> Option<(Result<T, Error>, Self)> {
        loop {
            if let Some(item) = self.buffer.next() {
                return Some((Ok(item), self));
            }
            let state = &mut self.state;
            if let Some(error) = state.failed.take() {
                state.done = true;
                return Some((Err(error), self));
            }
            if state.done {
                return None;
            }
            let cursor = state.cursor();
            let page = match (self.fetch)(cursor).await {
                Ok(page) => page,
                Err(error) => {
                    self.state.done = true;
                    return Some((Err(error), self));
                }
            };
            let count = page.items.len() as u64;
            let repeats = count > 0 && {
                let same =
                    |other: &Option<Vec<T>>| other.as_ref().is_some_and(|o| *o == page.items);
                same(&self.first) || same(&self.previous)
            };
            let state = &mut self.state;
            match state.accept(count, page.total, page.next_link.is_some(), repeats) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(error) => {
                    state.done = true;
                    return Some((Err(error), self));
                }
            }
            state.advance(count, page.next_link.as_deref());
            if self.first.is_none() {
                self.first = Some(page.items.clone());
            } else {
                self.previous = Some(page.items.clone());
            }
            self.buffer = page.items.into_iter();
        }
    }
}

impl PagerState {
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
            PagingStyle::NextLink | PagingStyle::OffsetLimit => PageCursor::Offset {
                offset: self.offset,
                limit: self.limit,
            },
        }
    }

    /// Reads where the next page starts from a `nextLink`: its `offset` and `limit` (in any
    /// casing), set on the caller's own request so every other parameter (`savedFilter`, which
    /// servers have been seen to drop from the link, included) stays as the caller gave it.
    fn follow(&mut self, link: &str) -> Result<(), Error> {
        let operation = self.operation;
        let fail = |message: String| Error::Paging { operation, message };
        let base = url::Url::parse("http://vault.invalid/PasswordVault/")
            .map_err(|e| fail(format!("internal: {e}")))?;
        let url = base.join(link).map_err(|e| {
            fail(format!(
                "the nextLink `{}` is not a URL: {e}",
                excerpt(link)
            ))
        })?;
        let number = |name: &str| -> Result<Option<u64>, Error> {
            match url
                .query_pairs()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
            {
                None => Ok(None),
                Some((_, v)) => v.trim().parse::<u64>().map(Some).map_err(|_| {
                    fail(format!(
                        "the nextLink `{}` has a {name} that is not a number",
                        excerpt(link)
                    ))
                }),
            }
        };
        let Some(offset) = number("offset")? else {
            return Err(fail(format!(
                "the nextLink `{}` has no offset, so the next page cannot be asked for",
                excerpt(link)
            )));
        };
        if offset < self.seen {
            return Err(fail(format!(
                "the nextLink `{}` goes back to offset {offset} after {} items arrived, so reading on would repeat items",
                excerpt(link),
                self.seen
            )));
        }
        self.offset = offset;
        if let Some(limit) = number("limit")?.filter(|l| *l > 0) {
            self.limit = limit;
        }
        Ok(())
    }

    /// Checks a page against the total and the pages before it: `Ok(false)` ends the list
    /// before this page, `Ok(true)` takes it (and sets `done` when it is the last).
    ///
    /// `repeats` says whether the page's items equal the first or the previous page's.
    fn accept(
        &mut self,
        count: u64,
        total: Option<u64>,
        has_next_link: bool,
        repeats: bool,
    ) -> Result<bool, Error> {
        self.pages = self.pages.saturating_add(1);
        let number = self.pages;
        let asked = u64::from(self.page_size);
        let total_name = match self.style {
            PagingStyle::Redrock => "FullCount",
            PagingStyle::Scim => "totalResults",
            PagingStyle::NextLink => "count",
            PagingStyle::OffsetLimit => "Total",
        };
        let operation = self.operation;
        let fail = |message: String| Err(Error::Paging { operation, message });
        if count > 0 && repeats {
            return fail(format!(
                "page {number} repeats an earlier page, so the tenant is ignoring the paging parameters"
            ));
        }
        match total {
            Some(total) => {
                let after = self.seen + count;
                if count == 0 {
                    if self.seen < total {
                        return fail(format!(
                            "page {number} was empty, but {total_name} is {total} and only {} items arrived",
                            self.seen
                        ));
                    }
                    return Ok(false);
                }
                if after > total {
                    return fail(format!(
                        "page {number} brought the items to {after}, more than {total_name} ({total})"
                    ));
                }
                if self.style == PagingStyle::Redrock && count != asked && after < total {
                    return fail(format!(
                        "page {number} had {count} items instead of the {asked} asked for while {total_name} ({total}) says more remain; pages are numbered, so the next one would skip or repeat items (try another page size)"
                    ));
                }
                if self.style == PagingStyle::NextLink && !has_next_link && after < total {
                    return fail(format!(
                        "page {number} has no nextLink, but count is {total} and only {after} items arrived"
                    ));
                }
                self.done = after >= total;
            }
            None => {
                if count == 0 {
                    return Ok(false);
                }
                if number >= MAX_PAGES_WITHOUT_TOTAL {
                    return fail(format!(
                        "the list has no {total_name} and did not end within {MAX_PAGES_WITHOUT_TOTAL} pages"
                    ));
                }
                // A shorter Redrock page is the last one; a longer one means the tenant ignored
                // the page size and sent everything.
                self.done = self.style == PagingStyle::Redrock && count != asked;
            }
        }
        Ok(true)
    }

    /// Moves past a page of `count` items that was taken, following its `nextLink` when the
    /// style says so.
    fn advance(&mut self, count: u64, next_link: Option<&str>) {
        self.seen += count;
        self.page_number = self.page_number.saturating_add(1);
        // SCIM servers may return fewer than `count` (a server-side maximum), so the next
        // page starts after what actually arrived.
        self.start_index += count;
        self.offset += count;
        if self.style == PagingStyle::NextLink && !self.done {
            match next_link {
                Some(link) => {
                    if let Err(error) = self.follow(link) {
                        // The items of this page are good; the error comes after them.
                        self.failed = Some(error);
                    }
                }
                None => self.done = true,
            }
        }
    }
}

/// At most 200 characters of a `nextLink`, for messages.
fn excerpt(link: &str) -> String {
    match link.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &link[..cut]),
        None => link.to_owned(),
    }
}

impl<T: Clone + PartialEq + Send + 'static> ItemStream<T> {
    /// A stream over the pages `fetch` returns for the list operation `operation`.
    pub(crate) fn new<F>(
        operation: &'static str,
        style: PagingStyle,
        page_size: u32,
        fetch: F,
    ) -> Self
    where
        F: FnMut(PageCursor) -> BoxFuture<'static, Result<Page<T>, Error>> + Send + 'static,
    {
        let pager = Pager {
            fetch: Box::new(fetch),
            state: PagerState {
                operation,
                style,
                // A page size of zero would fetch empty pages forever.
                page_size: page_size.max(1),
                page_number: 1,
                start_index: 1,
                offset: 0,
                limit: u64::from(page_size.max(1)),
                seen: 0,
                pages: 0,
                done: false,
                failed: None,
            },
            first: None,
            previous: None,
            buffer: Vec::new().into_iter(),
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
                PageCursor::Offset { offset, limit } => (offset, limit),
            };
            let items: Vec<u64> = (start..(start + size).min(len)).collect();
            let total = report_total.then_some(len);
            Box::pin(async move {
                Ok(Page {
                    items,
                    total,
                    next_link: None,
                })
            })
        }
    }

    async fn collect(
        style: PagingStyle,
        len: u64,
        total: bool,
        page_size: u32,
    ) -> (Vec<u64>, usize) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let items: Vec<u64> =
            ItemStream::new("List", style, page_size, source(len, total, log.clone()))
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
        let items: Vec<u64> =
            ItemStream::new("List", PagingStyle::Scim, 4, source(10, true, log.clone()))
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
        let mut stream = ItemStream::new(
            "List",
            PagingStyle::Redrock,
            2,
            source(10, true, log.clone()),
        );
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
        let mut stream = ItemStream::new("List", PagingStyle::Redrock, 1, move |_| {
            calls += 1;
            let result = if calls == 1 {
                Ok(Page {
                    items: vec![1u8],
                    total: None,
                    next_link: None,
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

    /// A list whose pages are given in full, whatever page is asked for next.
    fn pages(
        pages: Vec<(Vec<u64>, Option<u64>)>,
    ) -> impl FnMut(PageCursor) -> BoxFuture<'static, Result<Page<u64>, Error>> + Send + 'static
    {
        let mut pages = pages.into_iter();
        move |_| {
            let (items, total) = pages.next().unwrap_or((Vec::new(), None));
            Box::pin(async move {
                Ok(Page {
                    items,
                    total,
                    next_link: None,
                })
            })
        }
    }

    async fn read(
        style: PagingStyle,
        size: u32,
        list: Vec<(Vec<u64>, Option<u64>)>,
    ) -> Result<Vec<u64>, Error> {
        ItemStream::new("List", style, size, pages(list))
            .try_collect()
            .await
    }

    fn paging_error(result: Result<Vec<u64>, Error>) -> String {
        match result {
            Err(error @ Error::Paging { .. }) => error.to_string(),
            other => panic!("expected a paging error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_redrock_page_shorter_than_asked_is_an_error_when_more_remain() {
        let message = paging_error(
            read(
                PagingStyle::Redrock,
                5,
                vec![(vec![1, 2, 3], Some(10)), (vec![6, 7, 8, 9, 10], Some(10))],
            )
            .await,
        );
        assert_eq!(
            message,
            "List failed: the pages the tenant sent do not add up: page 1 had 3 items instead of the 5 asked for while FullCount (10) says more remain; pages are numbered, so the next one would skip or repeat items (try another page size)"
        );
        // A longer page than asked is the same contradiction.
        paging_error(read(PagingStyle::Redrock, 2, vec![(vec![1, 2, 3], Some(10))]).await);
        // A short page that completes the total is simply the last one.
        let items = read(
            PagingStyle::Redrock,
            5,
            vec![(vec![1, 2, 3, 4, 5], Some(7)), (vec![6, 7], Some(7))],
        )
        .await;
        assert_eq!(items.unwrap().len(), 7);
    }

    #[tokio::test]
    async fn a_total_of_zero_with_items_is_an_error() {
        for style in [PagingStyle::Redrock, PagingStyle::Scim] {
            let message = paging_error(read(style, 3, vec![(vec![1, 2, 3], Some(0))]).await);
            assert!(message.contains("more than"), "{message}");
        }
    }

    #[tokio::test]
    async fn an_empty_page_before_the_total_is_an_error() {
        for style in [PagingStyle::Redrock, PagingStyle::Scim] {
            let message =
                paging_error(read(style, 2, vec![(vec![1, 2], Some(5)), (vec![], Some(5))]).await);
            assert!(message.contains("page 2 was empty"), "{message}");
        }
    }

    #[tokio::test]
    async fn a_tenant_that_repeats_a_page_is_caught() {
        // No total and the same full page every time: without the check this never ends.
        let endless = |_| {
            Box::pin(async {
                Ok(Page {
                    items: vec![1u64, 2, 3],
                    total: None,
                    next_link: None,
                })
            }) as BoxFuture<'static, Result<Page<u64>, Error>>
        };
        for style in [PagingStyle::Redrock, PagingStyle::Scim] {
            let mut stream = ItemStream::new("List", style, 3, endless);
            let mut items = 0;
            let error = loop {
                match stream.next().await.unwrap() {
                    Ok(_) => items += 1,
                    Err(error) => break error,
                }
            };
            assert_eq!(items, 3);
            assert!(
                error.to_string().contains("page 2 repeats an earlier page"),
                "{error}"
            );
            assert!(stream.next().await.is_none());
        }
        // A cycle back to the first page is caught too, with or without a total.
        let message = paging_error(
            read(
                PagingStyle::Scim,
                2,
                vec![
                    (vec![1, 2], Some(6)),
                    (vec![3, 4], Some(6)),
                    (vec![1, 2], Some(6)),
                ],
            )
            .await,
        );
        assert!(message.contains("page 3 repeats"), "{message}");
    }

    /// A Vault list of `len` numbers in the `{value, count, nextLink}` style: the server caps
    /// pages at `cap` items and names the next page in `nextLink` as `link` spells it.
    fn vault_source(
        len: u64,
        cap: u64,
        log: Arc<Mutex<Vec<PageCursor>>>,
        link: fn(u64, u64) -> String,
    ) -> impl FnMut(PageCursor) -> BoxFuture<'static, Result<Page<u64>, Error>> + Send + 'static
    {
        move |cursor| {
            log.lock().unwrap().push(cursor);
            let PageCursor::Offset { offset, limit } = cursor else {
                panic!("a Vault list was asked for {cursor:?}");
            };
            let limit = limit.min(cap);
            let end = (offset + limit).min(len);
            let items: Vec<u64> = (offset..end).collect();
            let next_link = (end < len).then(|| link(end, limit));
            Box::pin(async move {
                Ok(Page {
                    items,
                    total: Some(len),
                    next_link,
                })
            })
        }
    }

    #[tokio::test]
    async fn nextlink_follows_the_offset_and_limit_the_link_names() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let link = |offset, limit| format!("api/Accounts?search=db&offset={offset}&limit={limit}");
        let items: Vec<u64> = ItemStream::new(
            "Accounts_List",
            PagingStyle::NextLink,
            10,
            vault_source(25, 8, log.clone(), link),
        )
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, (0..25).collect::<Vec<_>>());
        // The first page asks for the page size; the server capped it at 8 and its links say so.
        assert_eq!(
            *log.lock().unwrap(),
            [
                PageCursor::Offset {
                    offset: 0,
                    limit: 10
                },
                PageCursor::Offset {
                    offset: 8,
                    limit: 8
                },
                PageCursor::Offset {
                    offset: 16,
                    limit: 8
                },
                PageCursor::Offset {
                    offset: 24,
                    limit: 8
                },
            ]
        );
        // Absolute links and other casings are read the same way.
        let log = Arc::new(Mutex::new(Vec::new()));
        let absolute = |offset, limit| {
            format!(
                "https://pvwa.example.com/PasswordVault/API/Accounts?Limit={limit}&OFFSET={offset}"
            )
        };
        let items: Vec<u64> = ItemStream::new(
            "Accounts_List",
            PagingStyle::NextLink,
            5,
            vault_source(12, 5, log.clone(), absolute),
        )
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items.len(), 12);
        assert_eq!(log.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn a_bad_nextlink_ends_the_stream_with_an_error_after_the_good_items() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let no_offset = |_, limit| format!("api/Accounts?limit={limit}");
        let mut stream = ItemStream::new(
            "Accounts_List",
            PagingStyle::NextLink,
            5,
            vault_source(12, 5, log.clone(), no_offset),
        );
        for expected in 0..5u64 {
            assert_eq!(stream.next().await.unwrap().unwrap(), expected);
        }
        let error = stream.next().await.unwrap().unwrap_err();
        assert!(matches!(error, Error::Paging { .. }), "{error:?}");
        assert!(error.to_string().contains("has no offset"), "{error}");
        assert!(stream.next().await.is_none());
        // A link that goes back would repeat items forever.
        let backwards = |_, limit| format!("api/Accounts?offset=0&limit={limit}");
        let error = ItemStream::new(
            "Accounts_List",
            PagingStyle::NextLink,
            5,
            vault_source(12, 5, Arc::default(), backwards),
        )
        .try_collect::<Vec<u64>>()
        .await
        .unwrap_err();
        assert!(
            error.to_string().contains("goes back to offset 0"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_missing_nextlink_before_the_count_is_an_error() {
        let list = |_: PageCursor| {
            Box::pin(async {
                Ok(Page {
                    items: vec![1u64, 2],
                    total: Some(5),
                    next_link: None,
                })
            }) as BoxFuture<'static, Result<Page<u64>, Error>>
        };
        let error = ItemStream::new("Accounts_List", PagingStyle::NextLink, 2, list)
            .try_collect::<Vec<u64>>()
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Accounts_List failed: the pages the tenant sent do not add up: page 1 has no nextLink, but count is 5 and only 2 items arrived"
        );
        // Without a count, a page without a nextLink is simply the last one.
        let last = |_: PageCursor| {
            Box::pin(async {
                Ok(Page {
                    items: vec![1u64, 2],
                    total: None,
                    next_link: None,
                })
            }) as BoxFuture<'static, Result<Page<u64>, Error>>
        };
        let items: Vec<u64> = ItemStream::new("Accounts_List", PagingStyle::NextLink, 2, last)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items, [1, 2]);
    }

    #[tokio::test]
    async fn offset_limit_advances_by_items_received_and_stops_at_total() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let items: Vec<u64> = ItemStream::new(
            "LiveSessions_List",
            PagingStyle::OffsetLimit,
            4,
            source(10, true, log.clone()),
        )
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, (0..10).collect::<Vec<_>>());
        let offsets: Vec<u64> = log
            .lock()
            .unwrap()
            .iter()
            .map(|c| match c {
                PageCursor::Offset { offset, limit: 4 } => *offset,
                other => panic!("unexpected cursor {other:?}"),
            })
            .collect();
        assert_eq!(offsets, [0, 4, 8]);
        let message = paging_error(
            read(
                PagingStyle::OffsetLimit,
                2,
                vec![(vec![1, 2], Some(5)), (vec![], Some(5))],
            )
            .await,
        );
        assert!(
            message.contains("page 2 was empty, but Total is 5"),
            "{message}"
        );
    }
}
