//! Auto-pagination: a lazy stream of items (or pages) over a paginated endpoint.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_util::stream::{self, StreamExt};

use crate::client::Client;
use crate::endpoint::Paginated;
use crate::http::request::{Async, page_request};
use crate::http::transport::{CallOptions, Prepared};
use crate::{Error, Page, Result};

/// A boxed, sendable stream: what the paginators and downloads hold.
pub(crate) type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;

/// Every item of a paginated list, fetched page by page as it is consumed.
///
/// Takes the same filter setters as the list call. It is a
/// [`Stream`] of `Result<Item>` on the async client and an [`Iterator`] on the
/// blocking one. It fetches lazily (taking 5 items fetches one page) and stops
/// after the last page, on an empty page, at [`max_items`](Paginator::max_items),
/// or after an error, which it yields as its last item.
///
/// ```no_run
/// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
/// use futures_util::TryStreamExt;
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
#[must_use = "a paginator does nothing until it is polled"]
pub struct Paginator<E: Paginated, M = Async> {
    pub(crate) client: Client,
    pub(crate) mode: M,
    pub(crate) endpoint: E,
    pub(crate) options: CallOptions,
    pub(crate) per_page: Option<u32>,
    pub(crate) start_page: Option<u32>,
    pub(crate) max_items: Option<usize>,
    pub(crate) concurrency: usize,
    /// Set once polling began; later changes would be silently ignored, so
    /// they turn into an error instead.
    pub(crate) started: bool,
    pub(crate) changed_after_start: bool,
    /// The blocking iterator ended on an error of its own.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) finished: bool,
    pub(crate) items: Option<BoxStream<Result<E::Item>>>,
}

impl<E: Paginated + std::fmt::Debug, M> std::fmt::Debug for Paginator<E, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("endpoint", &self.endpoint)
            .field("options", &self.options)
            .field("per_page", &self.per_page)
            .field("start_page", &self.start_page)
            .field("max_items", &self.max_items)
            .field("concurrency", &self.concurrency)
            .field("started", &self.started)
            .finish_non_exhaustive()
    }
}

// No field is ever pinned: the stream state lives behind a `Box`.
impl<E: Paginated, M> Unpin for Paginator<E, M> {}

impl<E: Paginated, M> Paginator<E, M> {
    pub(crate) fn new(client: Client, mode: M, endpoint: E) -> Self {
        Paginator {
            client,
            mode,
            endpoint,
            options: CallOptions::default(),
            per_page: None,
            start_page: None,
            max_items: None,
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

    /// Starts at this page instead of page 1.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// // Resume a walk that stopped after page 4.
    /// let rest = client.findings().list_auto().per_page(50).start_page(5);
    /// # Ok(()) }
    /// ```
    pub fn start_page(mut self, page: u32) -> Self {
        self.touch();
        self.start_page = Some(page);
        self
    }

    /// Stops after this many items (no page beyond is fetched).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let ten: Vec<s4e::Finding> = client.findings().list_auto().max_items(10).try_collect().await?;
    /// assert!(ten.len() <= 10);
    /// # Ok(()) }
    /// ```
    pub fn max_items(mut self, max_items: usize) -> Self {
        self.touch();
        self.max_items = Some(max_items);
        self
    }

    /// Fetches up to `k` pages at a time once the first page has told how many
    /// there are; items still come in page order, at most `k` pages are held,
    /// and dropping the stream (or reaching [`max_items`](Self::max_items))
    /// cancels what is in flight. Default 1: one page at a time, fetched only
    /// when needed, which is kindest to rate limits. 0 is refused with
    /// [`Error::InvalidRequest`] at the first poll.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use futures_util::TryStreamExt;
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
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use futures_util::TryStreamExt;
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
            page_stream::<E>(&self)
        };
        Pages {
            mode: self.mode,
            pages,
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
                let items = page_stream::<E>(self).flat_map(|page| match page {
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

/// Whole pages of a paginated list; see [`Paginator::pages`].
#[must_use = "a page stream does nothing until it is polled"]
pub struct Pages<E: Paginated, M = Async> {
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) mode: M,
    pub(crate) pages: BoxStream<Result<Page<E::Item>>>,
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

/// What every page request of one walk shares.
struct PageSource {
    client: Client,
    template: Prepared,
    options: CallOptions,
    per_page: Option<u32>,
}

impl PageSource {
    async fn fetch<E: Paginated>(self: Arc<Self>, number: u32) -> Result<Page<E::Item>> {
        let request = page_request(Some(number), self.per_page)?;
        let prepared = self.template.for_page(request, true);
        let answer = self.client.inner.call(&prepared, &self.options).await?;
        E::decode(answer.raw())
    }
}

/// The pages from `start_page` on, ending after the last page, an empty page,
/// the item cap, or the first error. The endpoint is rendered once; each page
/// only adds its number.
///
/// The first page is fetched alone. When it tells the last page number and
/// the concurrency is above 1, the following pages are fetched up to
/// `concurrency` at a time and yielded in order (`buffered` holds at most that
/// many); otherwise one at a time.
fn page_stream<E>(paginator: &Paginator<E, impl Sized>) -> BoxStream<Result<Page<E::Item>>>
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
    let template = match paginator.client.inner.prepare(&paginator.endpoint) {
        Ok(template) => template,
        Err(e) => return stream::iter([Err(e)]).boxed(),
    };
    let source = Arc::new(PageSource {
        client: paginator.client.clone(),
        template,
        options: paginator.options.clone(),
        per_page: paginator.per_page,
    });
    let max_items = paginator.max_items;
    if max_items == Some(0) {
        return stream::empty().boxed();
    }
    let start = paginator.start_page.unwrap_or(1);
    stream::once(source.clone().fetch::<E>(start))
        .flat_map(move |first| {
            let page = match first {
                Ok(page) => page,
                Err(e) => return stream::iter([Err(e)]).boxed(),
            };
            let items_left = max_items.map(|max| max.saturating_sub(page.len()));
            let rest = match (page.next_page(), items_left) {
                (None, _) | (_, Some(0)) => stream::empty().boxed(),
                (Some(next), _) => match page.last_page {
                    Some(last) if concurrency > 1 => {
                        let needed = items_left.map(|left| {
                            let pages = left.div_ceil(page.per_page.max(1) as usize);
                            next.saturating_add(u32::try_from(pages).unwrap_or(u32::MAX) - 1)
                        });
                        let end = needed.map_or(last, |needed| needed.min(last));
                        concurrent_pages::<E>(source.clone(), next, end, concurrency)
                    }
                    _ => sequential_pages::<E>(source.clone(), next, items_left),
                },
            };
            stream::once(std::future::ready(Ok(page)))
                .chain(rest)
                .boxed()
        })
        // Fused: polling after the end keeps answering `None`.
        .fuse()
        .boxed()
}

/// Pages `next..=end`, up to `concurrency` requests in flight, in order,
/// ending after an error, an empty page or a short one.
fn concurrent_pages<E>(
    source: Arc<PageSource>,
    next: u32,
    end: u32,
    concurrency: usize,
) -> BoxStream<Result<Page<E::Item>>>
where
    E: Paginated + 'static,
    E::Item: Send + 'static,
{
    stream::iter(next..=end)
        // Spawned, so pages in flight progress while the caller works through
        // the items of earlier ones; aborted when the stream is dropped.
        .map(move |number| AbortOnDrop(tokio::spawn(source.clone().fetch::<E>(number))))
        .buffered(concurrency)
        .scan(false, |ended, page| {
            if *ended {
                return std::future::ready(None);
            }
            *ended = page.as_ref().map_or(true, Page::is_last);
            std::future::ready(Some(page))
        })
        .boxed()
}

/// Pages from `next` on, one request at a time.
fn sequential_pages<E>(
    source: Arc<PageSource>,
    next: u32,
    items_left: Option<usize>,
) -> BoxStream<Result<Page<E::Item>>>
where
    E: Paginated + 'static,
    E::Item: Send + 'static,
{
    stream::unfold((Some(next), items_left), move |(next, items_left)| {
        let source = source.clone();
        async move {
            let number = next?;
            if items_left == Some(0) {
                return None;
            }
            let result = source.fetch::<E>(number).await;
            let state = match &result {
                Ok(page) => (
                    page.next_page(),
                    items_left.map(|left| left.saturating_sub(page.len())),
                ),
                Err(_) => (None, items_left),
            };
            Some((result, state))
        }
    })
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
