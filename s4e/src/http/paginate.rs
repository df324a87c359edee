//! Auto-pagination: a lazy stream of items (or pages) over a paginated endpoint.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher, Hasher, RandomState};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_util::stream::{self, StreamExt};

use crate::endpoint::Paginated;
use crate::http::engine::Engine;
use crate::http::request::{Async, BoxStream, page_request};
use crate::http::transport::{CallOptions, FullAnswer, Prepared};
use crate::{Error, Page, PaginationError, Result};

/// The most pages one walk fetches when nothing tighter bounds it: 10,000
/// (a million items at 100 a page). Set per walk with
/// [`Paginator::max_pages`].
///
/// ```
/// assert_eq!(s4e::DEFAULT_MAX_PAGES, 10_000);
/// ```
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// Every item of a paginated list, fetched page by page as it is consumed.
///
/// Takes the same filter setters as the list call. It is a
/// [`Stream`](https://docs.rs/futures-core/0.3/futures_core/stream/trait.Stream.html)
/// of `Result<Item>` on the async client and an [`Iterator`] on the
/// blocking one. It fetches lazily (taking 5 items fetches one page) and stops
/// after the last page, on an empty page, at [`max_items`](Paginator::max_items),
/// or after an error, which it yields as its last item.
///
/// ```no_run
/// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
/// let mut findings = client
///     .findings()
///     .list_auto()
///     .severity([s4e::Severity::Critical, s4e::Severity::High])
///     .per_page(100)
///     .max_items(500);
/// while let Some(finding) = findings.try_next().await? {
///     println!("{} {}", finding.id, finding.title);
/// }
/// # Ok(()) }
/// ```
///
/// # Every walk ends
///
/// Whatever the server answers, at any [`concurrency`](Paginator::concurrency),
/// each page is checked in order and the walk ends with
/// [`Error::Pagination`] when:
///
/// - the answer's `meta.page` is not the page asked for
///   ([`PaginationError::PageMismatch`]);
/// - a page brings no item that was not yielded already
///   ([`PaginationError::NoProgress`]);
/// - the server still says more pages follow after the most pages the walk
///   may fetch ([`PaginationError::TooManyPages`]): the last page the first
///   answer announced (`total_pages`, or computed from `total`) plus a margin
///   of a tenth of it (at least 2 pages) for data that grows meanwhile, and
///   in any case [`max_pages`](Paginator::max_pages) pages
///   ([`DEFAULT_MAX_PAGES`] by default), which also bounds lists without
///   `meta`. A list announcing a billion pages yields the items of the first
///   `max_pages` pages, then this error.
///
/// Items are told apart by their ID ([`Identified`](crate::Identified)); a
/// page that overlaps earlier ones is normal and only its new items are
/// yielded. The walk remembers a 128-bit keyed hash of each identity (under
/// 40 bytes per item with the set's overhead). For your own endpoints whose
/// item type has no identity, the page-number checks and the bounds still
/// apply.
///
/// # When the list changes while it is walked
///
/// Page numbers count positions, not items. An item inserted where the walk
/// has already been pushes the last item of a page read onto the next page:
/// it is seen twice and yielded once. An item removed where the walk has
/// already been pulls the first item of the next page back onto a page read:
/// that one is missed. So a walk never yields an item twice, and yields every
/// item that stays in the list throughout unless items before it are removed
/// meanwhile (each such removal can hide one);
/// items added or removed during the walk may or may not appear. With
/// `concurrency` above 1 the pages in flight are read at slightly different
/// moments, so an insert can hide an item too. A burst of a whole page of
/// inserts between two page reads looks like a repeated page and ends the walk
/// with `NoProgress`.
///
/// To make a walk stable, narrow it to items that do not move: bound it with
/// `to` at the walk's start time (findings and scans have `from`/`to`), sort
/// by an immutable key in ascending order so that new items go to the end
/// (findings by `discovered_at`, assets by `created_at`), and do not filter on
/// a field that changes during the walk (a finding's `status`): filter the
/// items instead.
///
/// ```no_run
/// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
/// use s4e::SortOrder;
/// use s4e::findings::FindingSortBy;
/// let started = s4e::chrono::Utc::now();
/// let stable: Vec<s4e::Finding> = client
///     .findings()
///     .list_auto()
///     .to(started)
///     .sort_by(FindingSortBy::DiscoveredAt)
///     .sort_order(SortOrder::Asc)
///     .per_page(100)
///     .try_collect()
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a paginator does nothing until it is polled"]
pub struct Paginator<E: Paginated, M = Async> {
    // First: fields drop in order, and the pages in flight are cancelled
    // while the blocking client (`mode`) still drives them.
    pub(crate) items: Option<BoxStream<Result<E::Item>>>,
    pub(crate) engine: Arc<Engine>,
    pub(crate) mode: M,
    pub(crate) endpoint: E,
    pub(crate) options: CallOptions,
    pub(crate) per_page: Option<u32>,
    pub(crate) page: Option<u32>,
    pub(crate) max_items: Option<usize>,
    pub(crate) max_pages: u32,
    pub(crate) concurrency: usize,
    /// Set once polling began; later changes would be silently ignored, so
    /// they turn into an error instead.
    pub(crate) started: bool,
    pub(crate) changed_after_start: bool,
    /// The blocking iterator ended on an error of its own.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) finished: bool,
}

impl<E: Paginated + std::fmt::Debug, M> std::fmt::Debug for Paginator<E, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("endpoint", &self.endpoint)
            .field("options", &self.options)
            .field("per_page", &self.per_page)
            .field("page", &self.page)
            .field("max_items", &self.max_items)
            .field("max_pages", &self.max_pages)
            .field("concurrency", &self.concurrency)
            .field("started", &self.started)
            .finish_non_exhaustive()
    }
}

// No field is ever pinned: the stream state lives behind a `Box`.
impl<E: Paginated, M> Unpin for Paginator<E, M> {}

impl<E: Paginated, M> Paginator<E, M> {
    pub(crate) fn new(engine: impl Into<Arc<Engine>>, mode: M, endpoint: E) -> Self {
        Paginator {
            engine: engine.into(),
            mode,
            endpoint,
            options: CallOptions::default(),
            per_page: None,
            page: None,
            max_items: None,
            max_pages: DEFAULT_MAX_PAGES,
            concurrency: 1,
            started: false,
            changed_after_start: false,
            finished: false,
            items: None,
        }
    }

    fn touch(&mut self) {
        self.changed_after_start |= self.started;
    }

    /// Items per page, 1 to 100. Default: the server's (20).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let first_500 = client.findings().list_auto().per_page(100).max_items(500);
    /// # Ok(()) }
    /// ```
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.touch();
        self.per_page = Some(per_page);
        self
    }

    /// The first page the walk fetches (1-based), instead of page 1: the
    /// same name and numbering as [`Request::page`](crate::Request::page) on
    /// a `list()` call, where it is the one page fetched. 0 is refused with
    /// [`Error::InvalidRequest`] at the first poll.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// // Resume a walk that stopped after page 4.
    /// let rest = client.findings().list_auto().per_page(50).page(5);
    /// # Ok(()) }
    /// ```
    pub fn page(mut self, page: u32) -> Self {
        self.touch();
        self.page = Some(page);
        self
    }

    /// Stops after this many items: no page beyond is fetched, and the
    /// last page is cut so that exactly `max_items` items come out (fewer
    /// when the list is shorter). With [`pages`](Self::pages) the pages are
    /// cut the same way: `.max_items(25).pages()` at 10 a page yields pages
    /// of 10, 10 and 5 items.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let ten: Vec<s4e::Finding> = client.findings().list_auto().max_items(10).try_collect().await?;
    /// assert!(ten.len() <= 10);
    /// # Ok(()) }
    /// ```
    pub fn max_items(mut self, max_items: usize) -> Self {
        self.touch();
        self.max_items = Some(max_items);
        self
    }

    /// The most pages this walk fetches, even when the server says more
    /// follow (then the walk ends with
    /// [`PaginationError::TooManyPages`]). Default [`DEFAULT_MAX_PAGES`]. 0
    /// is refused with [`Error::InvalidRequest`] at the first poll.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// // At most 50 pages of 100 findings.
    /// let findings = client.findings().list_auto().per_page(100).max_pages(50);
    /// # Ok(()) }
    /// ```
    pub fn max_pages(mut self, max_pages: u32) -> Self {
        self.touch();
        self.max_pages = max_pages;
        self
    }

    /// Fetches up to `k` pages at a time; items still come in page order, at
    /// most `k` pages are held (the one being taken decoded, the others as
    /// their bodies until their turn), and dropping the stream (or reaching
    /// [`max_items`](Self::max_items)) cancels what is in flight.
    ///
    /// The first `k` pages are asked for at once, before the first answer
    /// tells how many there are (under `max_items`, only the pages it can
    /// need at the [`per_page`](Self::per_page) set, and page 1 alone without
    /// one). A list shorter than that costs up to `k - 1` requests for pages
    /// past its end: their answers (empty pages, 404s, anything) are
    /// discarded unread, since the walk ends at the last page. Then a new
    /// page is asked for as each one is taken, up to the last page announced.
    /// Default 1: one page at a time, fetched only when needed, which is
    /// kindest to rate limits. 0 is refused with [`Error::InvalidRequest`] at
    /// the first poll.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let all: Vec<s4e::Finding> = client
    ///     .findings()
    ///     .list_auto()
    ///     .per_page(100)
    ///     .concurrency(8)
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn concurrency(mut self, k: usize) -> Self {
        self.touch();
        self.concurrency = k;
        self
    }

    /// Overrides the client's timeout for each page request.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use std::time::Duration;
    /// let findings = client.findings().list_auto().timeout(Duration::from_secs(5));
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.touch();
        self.options.timeout = Some(timeout);
        self
    }

    /// Bounds each page request in all (its attempts and the waits between
    /// them), like [`Request::deadline`](crate::Request::deadline); the walk
    /// as a whole is bounded by its page count ([`max_pages`](Self::max_pages)).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use std::time::Duration;
    /// let findings = client.findings().list_auto().deadline(Duration::from_secs(20));
    /// # Ok(()) }
    /// ```
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.touch();
        self.options.deadline = Some(deadline);
        self
    }

    /// Overrides the client's retry count for each page request.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let findings = client.findings().list_auto().retries(0);
    /// # Ok(()) }
    /// ```
    pub fn retries(mut self, retries: u32) -> Self {
        self.touch();
        self.options.retries = Some(retries);
        self
    }

    /// The endpoint whose pages are fetched.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let findings = client.findings().list_auto().status(s4e::FindingStatus::Open);
    /// assert_eq!(findings.endpoint().status, Some(s4e::FindingStatus::Open));
    /// # Ok(()) }
    /// ```
    pub fn endpoint(&self) -> &E {
        &self.endpoint
    }

    #[doc(hidden)]
    pub fn endpoint_mut(&mut self) -> &mut E {
        self.touch();
        &mut self.endpoint
    }

    /// Yields whole pages instead of items.
    ///
    /// The pages go through the same checks as the items and end the same
    /// way. [`max_items`](Self::max_items) counts the items the item stream
    /// would yield and cuts the last page after the last one allowed. Each
    /// page holds its items as the server sent them: when the list changed
    /// during the walk, an item may be on two pages (the item stream yields
    /// it once).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let mut pages = client.findings().list_auto().per_page(100).pages();
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("page {} of {:?}", page.current_page, page.last_page);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> Pages<E, M>
    where
        E: 'static,
        E::Item: Send + 'static,
    {
        let pages = if self.started {
            stream::iter([Err(started_error())]).boxed()
        } else {
            page_stream::<E>(&self, false)
        };
        Pages {
            pages,
            mode: self.mode,
            concurrency: self.concurrency,
            finished: false,
        }
    }

    /// The item stream, built on first use.
    pub(crate) fn items_mut(&mut self) -> &mut BoxStream<Result<E::Item>>
    where
        E: 'static,
        E::Item: Send + 'static,
    {
        if self.changed_after_start {
            self.changed_after_start = false;
            self.items = Some(stream::iter([Err(started_error())]).boxed());
        }
        let items = match self.items.take() {
            Some(items) => items,
            None => {
                self.started = true;
                let items = page_stream::<E>(self, true).flat_map(|page| match page {
                    Ok(page) => stream::iter(page.items.into_iter().map(Ok)).left_stream(),
                    Err(e) => stream::iter([Err(e)]).right_stream(),
                });
                match self.max_items {
                    Some(n) => items.take(n).fuse().boxed(),
                    None => items.fuse().boxed(),
                }
            }
        };
        self.items.insert(items)
    }
}

fn started_error() -> Error {
    Error::invalid_request(
        "the paginator was changed after it started; set filters and options before the first item is taken",
    )
}

impl<E> Stream for Paginator<E, Async>
where
    E: Paginated + 'static,
    E::Item: Send + 'static,
{
    type Item = Result<E::Item>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.items_mut().as_mut().poll_next(cx)
    }
}

/// `try_next` and `try_collect` without importing `futures_util`. Inherent
/// methods win over trait methods of the same name, so code that imports
/// `futures_util::TryStreamExt` calls these, which do the same thing.
impl<E> Paginator<E, Async>
where
    E: Paginated + 'static,
    E::Item: Send + 'static,
{
    /// The next item, `Ok(None)` after the last one; the same as
    /// [`TryStreamExt::try_next`](https://docs.rs/futures-util/0.3/futures_util/stream/trait.TryStreamExt.html#method.try_next),
    /// without importing it.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let mut findings = client.findings().list_auto();
    /// while let Some(finding) = findings.try_next().await? {
    ///     println!("{}", finding.title);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn try_next(&mut self) -> Result<Option<E::Item>> {
        StreamExt::next(self).await.transpose()
    }

    /// Every item, in order, into any collection (a `Vec`, a `HashMap` of
    /// pairs, ...); the first error ends the walk and is returned. The same
    /// as [`TryStreamExt::try_collect`](https://docs.rs/futures-util/0.3/futures_util/stream/trait.TryStreamExt.html#method.try_collect),
    /// without importing it.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let critical: Vec<s4e::Finding> = client
    ///     .findings()
    ///     .list_auto()
    ///     .severity([s4e::Severity::Critical])
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn try_collect<C>(mut self) -> Result<C>
    where
        C: Default + Extend<E::Item>,
    {
        let mut collection = C::default();
        while let Some(item) = self.try_next().await? {
            collection.extend(Some(item));
        }
        Ok(collection)
    }
}

/// Whole pages of a paginated list; see [`Paginator::pages`].
#[must_use = "a page stream does nothing until it is polled"]
pub struct Pages<E: Paginated, M = Async> {
    // Before `mode`: fields drop in order, and the pages in flight are
    // cancelled while the blocking client still drives them.
    pub(crate) pages: BoxStream<Result<Page<E::Item>>>,
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) mode: M,
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) concurrency: usize,
    /// The blocking iterator ended on an error of its own.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) finished: bool,
}

impl<E: Paginated, M> std::fmt::Debug for Pages<E, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

impl<E: Paginated, M> Unpin for Pages<E, M> {}

impl<E> Stream for Pages<E, Async>
where
    E: Paginated,
{
    type Item = Result<Page<E::Item>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.pages.as_mut().poll_next(cx)
    }
}

/// `try_next` and `try_collect` without importing `futures_util`, as on
/// [`Paginator`].
impl<E> Pages<E, Async>
where
    E: Paginated,
{
    /// The next page, `Ok(None)` after the last one; the same as
    /// [`TryStreamExt::try_next`](https://docs.rs/futures-util/0.3/futures_util/stream/trait.TryStreamExt.html#method.try_next),
    /// without importing it.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let mut pages = client.findings().list_auto().per_page(100).pages();
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("page {}: {} findings", page.current_page, page.items.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn try_next(&mut self) -> Result<Option<Page<E::Item>>> {
        StreamExt::next(self).await.transpose()
    }

    /// Every page, in order, into any collection; the first error ends the
    /// walk and is returned. The same as
    /// [`TryStreamExt::try_collect`](https://docs.rs/futures-util/0.3/futures_util/stream/trait.TryStreamExt.html#method.try_collect),
    /// without importing it.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let pages: Vec<s4e::Page<s4e::Finding>> =
    ///     client.findings().list_auto().max_items(250).pages().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub async fn try_collect<C>(mut self) -> Result<C>
    where
        C: Default + Extend<Page<E::Item>>,
    {
        let mut collection = C::default();
        while let Some(page) = self.try_next().await? {
            collection.extend(Some(page));
        }
        Ok(collection)
    }
}

/// What every page request of one walk shares.
struct PageSource {
    engine: Arc<Engine>,
    template: Prepared,
    options: CallOptions,
    per_page: Option<u32>,
}

impl PageSource {
    /// Page `number`, read to the end but not decoded: the walk decodes a
    /// page when its turn comes, so the pages waiting in flight weigh their
    /// bodies only, not their decoded items (about 1.6 times more).
    async fn fetch(self: Arc<Self>, number: u32) -> Result<FullAnswer> {
        let request = page_request(Some(number), self.per_page)?;
        let prepared = self.template.for_page(request, true);
        self.engine.call(&prepared, &self.options).await
    }
}

/// A page's answer decoded, with the answer's metadata kept on the page.
fn decode_page<E: Paginated>(answer: FullAnswer) -> Result<Page<E::Item>> {
    let mut page = E::decode(answer.raw())?;
    page.meta = Some(Arc::new(answer.meta));
    Ok(page)
}

/// The extra pages a walk may fetch beyond what its first page announced, for
/// data that grows while it is walked: a tenth of the announced count, at
/// least 2.
fn growth_margin(announced: u32) -> u32 {
    (announced / 10).max(2)
}

/// The checks of one walk, applied to its pages in order whatever the
/// concurrency: the page number, progress, and the bound on pages.
struct Walk<E: Paginated> {
    /// The first page asked for.
    start: u32,
    /// The last page number this walk may fetch: `start + max_pages - 1`,
    /// lowered by the first answer to what it announced plus the margin.
    end: u32,
    /// The page the walk asks for next (and checks next).
    next: u32,
    /// The last page the first answer announced, once it has arrived.
    announced: Option<u32>,
    /// The page size the first answer gave.
    page_size: u32,
    /// The items still wanted under `max_items`.
    items_left: Option<usize>,
    /// Take out, from the pages yielded, the items an earlier page yielded.
    dedup: bool,
    seen: Seen,
    _endpoint: PhantomData<fn() -> E>,
}

/// What follows a page that passed the checks.
enum Then {
    /// Ask for the next page.
    Fetch,
    /// The walk is over.
    End,
    /// Yield the page, then end with this error.
    Fail(Error),
}

impl<E: Paginated> Walk<E> {
    fn new(start: u32, max_pages: u32, items_left: Option<usize>, dedup: bool) -> Self {
        Walk {
            start,
            end: start.saturating_add(max_pages - 1),
            next: start,
            announced: None,
            page_size: 1,
            items_left,
            dedup,
            seen: Seen::new(),
            _endpoint: PhantomData,
        }
    }

    /// The number of pages this walk may fetch.
    fn limit(&self) -> u32 {
        self.end.saturating_sub(self.start).saturating_add(1)
    }

    /// Checks the answer to page `self.next`: an error when the page makes no
    /// sense, else the page (without repeated items when deduplicating) and
    /// what comes after it.
    fn accept(&mut self, mut page: Page<E::Item>) -> Result<(Page<E::Item>, Then)> {
        let requested = self.next;
        if page.current_page != requested {
            return Err(Error::Pagination(PaginationError::PageMismatch {
                requested,
                answered: page.current_page,
            }));
        }
        if page.is_empty() {
            return Ok((page, Then::End));
        }
        // Before repeats are taken out: a page made short by them is not the
        // end of the list.
        let next = page.next_page();
        // `max_items` cuts the page after the last item it still allows.
        let wanted = self.items_left.unwrap_or(usize::MAX);
        let seen = &mut self.seen;
        let mut fresh = 0;
        if self.dedup {
            page.items.retain(|item| {
                let keep = fresh < wanted && seen.insert(|state| E::item_identity(item, state));
                fresh += usize::from(keep);
                keep
            });
        } else {
            // The page keeps repeated items; only new ones count.
            let mut cut = page.items.len();
            for (index, item) in page.items.iter().enumerate() {
                if fresh == wanted {
                    cut = index;
                    break;
                }
                fresh += usize::from(seen.insert(|state| E::item_identity(item, state)));
            }
            page.items.truncate(cut);
        }
        if fresh == 0 && self.seen.identified {
            return Err(Error::Pagination(PaginationError::NoProgress {
                page: requested,
            }));
        }
        if requested == self.start {
            self.page_size = page.per_page.max(1);
            if let Some(last) = page.last_page {
                self.announced = Some(last);
                self.end = self.end.min(last.saturating_add(growth_margin(last)));
            }
        }
        if let Some(left) = &mut self.items_left {
            *left = left.saturating_sub(fresh);
        }
        let then = match next {
            None => Then::End,
            Some(_) if self.items_left == Some(0) => Then::End,
            Some(next) if next > self.end => {
                Then::Fail(Error::Pagination(PaginationError::TooManyPages {
                    limit: self.limit(),
                }))
            }
            Some(next) => {
                self.next = next;
                Then::Fetch
            }
        };
        Ok((page, then))
    }

    /// The last page to request ahead of need with `concurrency` > 1: the
    /// announced last page, within the bound and the pages `max_items` still
    /// needs. Beyond it, pages are asked for one at a time, only when a page
    /// says more follow.
    fn prefetch_end(&self) -> u32 {
        let Some(announced) = self.announced else {
            return 0;
        };
        let needed = self.items_left.map_or(u32::MAX, |left| {
            let pages = left.div_ceil(self.page_size as usize);
            self.next
                .saturating_add(u32::try_from(pages).unwrap_or(u32::MAX).saturating_sub(1))
        });
        announced.min(self.end).min(needed)
    }
}

/// The identities a walk has yielded: 128-bit keyed hashes, so that memory
/// per item is small and fixed; the keys are random per walk, so a server
/// cannot make two IDs collide on purpose (and by chance they collide with a
/// probability below 10^-26 in a walk of a million items).
struct Seen {
    keys: (RandomState, RandomState),
    set: HashSet<u128, BuildHasherDefault<KeyIsHash>>,
    /// The items have an identity (known from the first item).
    identified: bool,
}

impl Seen {
    fn new() -> Self {
        Seen {
            keys: (RandomState::new(), RandomState::new()),
            set: HashSet::default(),
            identified: false,
        }
    }

    /// Records the identity that `write` feeds; `true` when it is new or
    /// there is none.
    fn insert(&mut self, write: impl FnOnce(&mut dyn Hasher) -> bool) -> bool {
        let mut state = KeyHasher(self.keys.0.build_hasher(), self.keys.1.build_hasher());
        if !write(&mut state) {
            return true;
        }
        self.identified = true;
        let key = (u128::from(state.0.finish()) << 64) | u128::from(state.1.finish());
        self.set.insert(key)
    }
}

/// The set's own hasher: its keys are already keyed hashes, uniformly
/// spread, so their low 64 bits serve as they are (saves a third SipHash per
/// item).
#[derive(Default)]
struct KeyIsHash(u64);

impl Hasher for KeyIsHash {
    fn write(&mut self, bytes: &[u8]) {
        // Only `u128` keys are hashed here, as one write of 16 bytes; fold
        // anything else in so that the hasher stays correct.
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(word);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Two independently keyed SipHashes of the same bytes.
struct KeyHasher(DefaultHasher, DefaultHasher);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
        self.1.write(bytes);
    }

    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// A page request on its way: spawned when several run at once.
type PageFuture = Pin<Box<dyn Future<Output = Result<FullAnswer>> + Send>>;

/// One walk: the pages in flight, in page order, and the checks.
struct Driver<E: Paginated> {
    source: Arc<PageSource>,
    walk: Walk<E>,
    concurrency: usize,
    /// The requests for pages `walk.next..scheduled`, in that order. Only the
    /// front one is awaited: with `concurrency` above 1 each is a task of its
    /// own that progresses meanwhile, and dropping it cancels it.
    in_flight: VecDeque<PageFuture>,
    /// The next page number to request. Wider than a page number, so that
    /// scheduling page `u32::MAX` cannot overflow it.
    scheduled: u64,
    /// The last page asked for before the first answer tells how many there
    /// are (see [`speculative_end`]).
    speculative_end: u32,
    /// An error to yield after the page before it.
    pending: Option<Error>,
    done: bool,
}

impl<E> Driver<E>
where
    E: Paginated + 'static,
    E::Item: Send + 'static,
{
    async fn step(&mut self) -> Option<Result<Page<E::Item>>> {
        if let Some(error) = self.pending.take() {
            return Some(Err(error));
        }
        if self.done {
            return None;
        }
        self.cancel_beyond_end();
        let ahead = if self.walk.next == self.walk.start {
            self.speculative_end
        } else {
            self.walk.prefetch_end()
        };
        let upto = ahead.max(self.walk.next).min(self.walk.end);
        let mut spawned = false;
        while self.in_flight.len() < self.concurrency && self.scheduled <= u64::from(upto) {
            // At most `upto`, so a page number.
            let number = u32::try_from(self.scheduled).unwrap_or(u32::MAX);
            let fetch = self.source.clone().fetch(number);
            let future: PageFuture = if self.concurrency > 1 {
                // Spawned, so pages in flight progress while the caller works
                // through the items of earlier ones; aborted when dropped.
                spawned = true;
                Box::pin(AbortOnDrop(tokio::spawn(fetch)))
            } else {
                Box::pin(fetch)
            };
            self.in_flight.push_back(future);
            self.scheduled += 1;
        }
        if spawned {
            // Lets the new requests go out now. When the next page has
            // already arrived, awaiting it does not yield, and on a
            // current-thread runtime they would wait until the caller has
            // gone through every page that arrived meanwhile.
            tokio::task::yield_now().await;
        }
        // Not empty: `walk.next` is within `walk.end` (checked in `accept`),
        // so it is in flight or was just scheduled.
        let answer = self.in_flight.pop_front()?.await;
        let checked = answer
            .and_then(decode_page::<E>)
            .and_then(|page| self.walk.accept(page));
        Some(match checked {
            Ok((page, Then::Fetch)) => Ok(page),
            Ok((page, Then::End)) => {
                self.stop();
                Ok(page)
            }
            Ok((page, Then::Fail(error))) => {
                self.stop();
                self.pending = Some(error);
                Ok(page)
            }
            Err(error) => Err(self.finish(error)),
        })
    }

    /// Cancels the requests for pages past `walk.end`: asked for before the
    /// first answer lowered the bound, they can only be discarded.
    fn cancel_beyond_end(&mut self) {
        let within = (u64::from(self.walk.end) + 1).saturating_sub(u64::from(self.walk.next));
        let within = usize::try_from(within).unwrap_or(usize::MAX);
        if self.in_flight.len() > within {
            self.in_flight.truncate(within);
            self.scheduled = u64::from(self.walk.next) + within as u64;
        }
    }

    /// Ends the walk, cancelling the requests in flight.
    fn stop(&mut self) {
        self.done = true;
        self.in_flight.clear();
    }

    fn finish(&mut self, error: Error) -> Error {
        self.stop();
        error
    }
}

/// The last page a walk asks for before its first answer, with
/// `concurrency` above 1: the first `concurrency` pages at once rather than
/// page 1 alone, so that the first round trip is not spent learning the page
/// count. Pages that turn out to lie past the end are discarded unread (the
/// walk ends at the last page, whatever they answer). Under `max_items` only
/// the pages it can need at the page size asked for, and with no page size
/// set (the server's default is unknown) page 1 alone.
fn speculative_end(
    start: u32,
    concurrency: usize,
    per_page: Option<u32>,
    max_items: Option<usize>,
) -> u32 {
    let pages = match (max_items, per_page) {
        (None, _) => concurrency,
        (Some(items), Some(per_page)) => concurrency.min(items.div_ceil(per_page.max(1) as usize)),
        (Some(_), None) => 1,
    };
    let ahead = u32::try_from(pages.saturating_sub(1)).unwrap_or(u32::MAX);
    start.saturating_add(ahead)
}

/// The pages from `page` on, checked in order (see [`Paginator`]),
/// ending after the last page, an empty page, the item cap, or the first
/// error. The endpoint is rendered once; each page only adds its number.
///
/// With `concurrency` 1, one page at a time. Above 1, the first
/// `concurrency` pages are asked for at once ([`speculative_end`]); once the
/// first page has told the last page number, the pages up to it (within the
/// bound) are kept `concurrency` in flight, one more asked for as each one is
/// taken, and yielded in order; any page after those, one at a time. A page
/// is decoded when its turn comes. `dedup` takes repeated items out of the
/// pages.
fn page_stream<E>(
    paginator: &Paginator<E, impl Sized>,
    dedup: bool,
) -> BoxStream<Result<Page<E::Item>>>
where
    E: Paginated + 'static,
    E::Item: Send + 'static,
{
    let concurrency = paginator.concurrency;
    if concurrency == 0 {
        return stream::iter([Err(Error::invalid_request(
            "concurrency must be at least 1",
        ))])
        .boxed();
    }
    if paginator.max_pages == 0 {
        return stream::iter([Err(Error::invalid_request("max_pages must be at least 1"))]).boxed();
    }
    let template = match paginator.engine.prepare(&paginator.endpoint) {
        Ok(template) => template,
        Err(e) => return stream::iter([Err(e)]).boxed(),
    };
    let max_items = paginator.max_items;
    if max_items == Some(0) {
        return stream::empty().boxed();
    }
    let start = paginator.page.unwrap_or(1);
    let driver = Driver::<E> {
        source: Arc::new(PageSource {
            engine: paginator.engine.clone(),
            template,
            options: paginator.options.clone(),
            per_page: paginator.per_page,
        }),
        walk: Walk::new(start, paginator.max_pages, max_items, dedup),
        concurrency,
        in_flight: VecDeque::with_capacity(concurrency.min(64)),
        scheduled: u64::from(start),
        speculative_end: speculative_end(start, concurrency, paginator.per_page, max_items),
        pending: None,
        done: false,
    };
    stream::unfold(driver, |mut driver| async move {
        let page = driver.step().await?;
        Some((page, driver))
    })
    // Fused: polling after the end keeps answering `None`.
    .fuse()
    .boxed()
}

/// A spawned page request that is cancelled when its future is dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<Result<T>>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> std::future::Future for AbortOnDrop<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(|joined| match joined {
            Ok(result) => result,
            Err(e) => Err(Error::Transport {
                message: format!("a page request task failed: {e}"),
                source: None,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::hash::DefaultHasher;

    use super::*;
    use crate::{Identified, endpoint};

    /// A list of bare numbers: no identity.
    #[endpoint(GET, "/numbers", paginated, response = u32, crate = crate)]
    struct ListNumbers {}

    #[derive(serde::Deserialize)]
    struct Tag {
        id: u64,
    }

    impl Identified for Tag {
        fn identity(&self) -> impl std::hash::Hash {
            self.id
        }
    }

    /// A list of a user type that implements `Identified`.
    #[endpoint(GET, "/tags", paginated, response = Tag, crate = crate)]
    struct ListTags {}

    /// An item with a string ID, as the API's resources have.
    #[derive(serde::Deserialize)]
    struct Finding {
        id: String,
    }

    impl Identified for Finding {
        fn identity(&self) -> impl std::hash::Hash {
            self.id.as_str()
        }
    }

    /// A list of items with string IDs.
    #[endpoint(GET, "/findings", paginated, response = Finding, crate = crate)]
    struct ListFindings {}

    fn finding(id: &str) -> Finding {
        Finding { id: id.to_owned() }
    }

    fn findings(ids: &[&str], page: u32, total_pages: Option<u32>) -> Page<Finding> {
        let items = ids.iter().map(|id| finding(id)).collect();
        Page::assemble(items, None, page, 2, total_pages, true)
    }

    fn numbers(page: u32) -> Page<u32> {
        Page::assemble(vec![7, 8], None, page, 2, None, true)
    }

    fn ids(page: &Page<Finding>) -> Vec<&str> {
        page.items.iter().map(|f| f.id.as_str()).collect()
    }

    fn pagination_error<T>(result: Result<T>) -> PaginationError {
        match result {
            Err(Error::Pagination(e)) => e,
            Err(other) => panic!("expected a pagination error, got {other:?}"),
            Ok(_) => panic!("expected a pagination error, got a page"),
        }
    }

    #[test]
    fn identities_come_from_identified_and_only_from_it() {
        let has_identity =
            |write: &dyn Fn(&mut dyn Hasher) -> bool| write(&mut DefaultHasher::new());
        let f = finding("f-1");
        assert!(has_identity(&|s| { ListFindings::item_identity(&f, s) }));
        assert!(has_identity(&|s| ListTags::item_identity(
            &Tag { id: 3 },
            s
        )));
        assert!(!has_identity(&|s| ListNumbers::item_identity(&3, s)));
    }

    #[test]
    fn the_same_id_is_the_same_item_and_other_ids_are_not() {
        let mut seen = Seen::new();
        let mut insert = |id: &str| {
            let f = finding(id);
            seen.insert(|s| ListFindings::item_identity(&f, s))
        };
        assert!(insert("f-1"));
        assert!(insert("f-2"));
        assert!(!insert("f-1"));
        assert!(insert("f-12"));
        assert!(seen.identified);
        assert_eq!(seen.set.len(), 3);
    }

    #[test]
    fn overlapping_pages_yield_new_items_and_a_repeat_is_no_progress() {
        let mut walk = Walk::<ListFindings>::new(1, 100, None, true);
        let (page, then) = walk.accept(findings(&["f-1", "f-2"], 1, None)).unwrap();
        assert_eq!(ids(&page), ["f-1", "f-2"]);
        assert!(matches!(then, Then::Fetch));
        // An insert ahead pushed f-2 onto page 2.
        let (page, then) = walk.accept(findings(&["f-2", "f-3"], 2, None)).unwrap();
        assert_eq!(ids(&page), ["f-3"]);
        assert!(matches!(then, Then::Fetch));
        let e = pagination_error(walk.accept(findings(&["f-2", "f-3"], 3, None)));
        assert_eq!(e, PaginationError::NoProgress { page: 3 });
    }

    #[test]
    fn pages_keep_their_items_but_are_checked_the_same() {
        let mut walk = Walk::<ListFindings>::new(1, 100, Some(3), false);
        walk.accept(findings(&["f-1", "f-2"], 1, None)).unwrap();
        let (page, then) = walk.accept(findings(&["f-2", "f-3"], 2, None)).unwrap();
        assert_eq!(ids(&page), ["f-2", "f-3"]);
        // `max_items` counts what the item stream yields: 3 so far.
        assert!(matches!(then, Then::End));
    }

    #[test]
    fn max_items_cuts_the_last_page() {
        // Items: the page keeps the new items up to the cap.
        let mut walk = Walk::<ListFindings>::new(1, 100, Some(3), true);
        walk.accept(findings(&["f-1", "f-2"], 1, None)).unwrap();
        let (page, then) = walk.accept(findings(&["f-3", "f-4"], 2, None)).unwrap();
        assert_eq!(ids(&page), ["f-3"]);
        assert!(matches!(then, Then::End));

        // Pages: a repeated item stays on its page but does not count.
        let mut walk = Walk::<ListFindings>::new(1, 100, Some(3), false);
        walk.accept(findings(&["f-1", "f-2"], 1, None)).unwrap();
        let (page, then) = walk
            .accept(findings(&["f-2", "f-3", "f-4"], 2, None))
            .unwrap();
        assert_eq!(ids(&page), ["f-2", "f-3"]);
        assert!(matches!(then, Then::End));

        // Without identity every item counts.
        let mut walk = Walk::<ListNumbers>::new(1, 100, Some(1), false);
        let (page, then) = walk.accept(numbers(1)).unwrap();
        assert_eq!(page.items, [7]);
        assert!(matches!(then, Then::End));
    }

    #[test]
    fn a_page_other_than_the_one_asked_for_is_a_mismatch() {
        let mut walk = Walk::<ListNumbers>::new(1, 100, None, true);
        walk.accept(numbers(1)).unwrap();
        let e = pagination_error(walk.accept(numbers(1)));
        assert_eq!(
            e,
            PaginationError::PageMismatch {
                requested: 2,
                answered: 1
            }
        );
    }

    #[test]
    fn without_identity_repeats_run_into_max_pages() {
        let mut walk = Walk::<ListNumbers>::new(1, 3, None, true);
        for page in 1..=2 {
            let (page, then) = walk.accept(numbers(page)).unwrap();
            assert_eq!(page.items, [7, 8], "nothing is taken out without identity");
            assert!(matches!(then, Then::Fetch));
        }
        let (_, then) = walk.accept(numbers(3)).unwrap();
        let Then::Fail(Error::Pagination(e)) = then else {
            panic!("expected TooManyPages after the third page")
        };
        assert_eq!(e, PaginationError::TooManyPages { limit: 3 });
    }

    #[test]
    fn the_first_answer_bounds_the_walk_with_a_margin() {
        assert_eq!(growth_margin(1), 2);
        assert_eq!(growth_margin(29), 2);
        assert_eq!(growth_margin(100), 10);
        assert_eq!(growth_margin(u32::MAX), u32::MAX / 10);

        // 5 pages announced: pages 6 and 7 may follow, page 8 may not.
        let mut walk = Walk::<ListNumbers>::new(1, 100, None, true);
        let first = Page::assemble(vec![1, 2], None, 1, 2, Some(5), true);
        walk.accept(first).unwrap();
        assert_eq!((walk.announced, walk.end, walk.limit()), (Some(5), 7, 7));
        for number in 2..=6 {
            let page = Page::assemble(vec![1, 2], None, number, 2, Some(9), true);
            assert!(matches!(walk.accept(page).unwrap().1, Then::Fetch));
        }
        let page = Page::assemble(vec![1, 2], None, 7, 2, Some(9), true);
        let Then::Fail(Error::Pagination(e)) = walk.accept(page).unwrap().1 else {
            panic!("expected TooManyPages at page 7")
        };
        assert_eq!(e, PaginationError::TooManyPages { limit: 7 });

        // A billion pages announced: max_pages still bounds the walk.
        let mut walk = Walk::<ListNumbers>::new(3, 50, None, true);
        let first = Page::assemble(vec![1, 2], None, 3, 2, Some(1_000_000_000), true);
        walk.accept(first).unwrap();
        assert_eq!((walk.end, walk.limit()), (52, 50));
    }

    #[test]
    fn a_walk_is_bounded_by_default_max_pages_without_meta() {
        // A paginator starts with DEFAULT_MAX_PAGES (the client's tests check
        // that): full pages without meta, each with new numbers, as long as
        // asked.
        let mut walk = Walk::<ListNumbers>::new(1, DEFAULT_MAX_PAGES, None, true);
        let mut fetched = 0;
        let error = loop {
            fetched += 1;
            let page = Page::assemble(vec![fetched, fetched], None, fetched, 2, None, false);
            match walk.accept(page).unwrap().1 {
                Then::Fetch => assert!(fetched < 20_000, "the walk does not end"),
                Then::Fail(Error::Pagination(e)) => break e,
                Then::Fail(e) => panic!("{e:?}"),
                Then::End => panic!("a full page without meta is not the end"),
            }
        };
        assert_eq!(fetched, DEFAULT_MAX_PAGES);
        assert_eq!(
            error,
            PaginationError::TooManyPages {
                limit: DEFAULT_MAX_PAGES
            }
        );
    }

    #[test]
    fn an_empty_page_ends_the_walk_and_prefetch_stays_within_the_bound() {
        let mut walk = Walk::<ListNumbers>::new(1, 4, Some(5), true);
        let first = Page::assemble(vec![1, 2], None, 1, 2, Some(1_000_000_000), true);
        walk.accept(first).unwrap();
        // 3 items left at 2 a page: pages 2 and 3, within max_pages (4).
        assert_eq!(walk.prefetch_end(), 3);
        walk.items_left = None;
        assert_eq!(walk.prefetch_end(), 4);
        let empty = Page::assemble(Vec::new(), None, 2, 2, Some(1_000_000_000), true);
        assert!(matches!(walk.accept(empty).unwrap().1, Then::End));
    }

    #[test]
    fn the_first_k_pages_are_asked_for_at_once_within_what_max_items_needs() {
        // One at a time: page `start` alone.
        assert_eq!(speculative_end(1, 1, Some(100), None), 1);
        assert_eq!(speculative_end(5, 1, None, None), 5);
        // k at once from the first page asked for.
        assert_eq!(speculative_end(1, 8, None, None), 8);
        assert_eq!(speculative_end(3, 8, Some(10), None), 10);
        // Under max_items, only the pages it can need at the page size set.
        assert_eq!(speculative_end(1, 8, Some(10), Some(25)), 3);
        assert_eq!(speculative_end(1, 8, Some(10), Some(1_000)), 8);
        assert_eq!(speculative_end(1, 8, Some(0), Some(5)), 5);
        // Without a page size the server's default is unknown: page 1 alone.
        assert_eq!(speculative_end(1, 8, None, Some(25)), 1);
        // Near the last page number: no overflow (the walk's end bounds it).
        assert_eq!(speculative_end(u32::MAX - 2, 8, None, None), u32::MAX);
        assert_eq!(speculative_end(1, usize::MAX, None, None), u32::MAX);
    }
}
