//! Auto-pagination: a lazy stream of items (or pages) over a paginated endpoint.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_util::stream::{self, StreamExt};

use crate::client::Client;
use crate::endpoint::Paginated;
use crate::request::{Async, page_request};
use crate::transport::{CallOptions, Prepared};
use crate::{Error, Page, Result};

type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;

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
    /// Set once polling began; later changes would be silently ignored, so
    /// they turn into an error instead.
    pub(crate) started: bool,
    pub(crate) changed_after_start: bool,
    /// The blocking iterator ended on an error of its own.
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
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.touch();
        self.per_page = Some(per_page);
        self
    }

    /// Starts at this page instead of page 1.
    pub fn start_page(mut self, page: u32) -> Self {
        self.touch();
        self.start_page = Some(page);
        self
    }

    /// Stops after this many items (no page beyond is fetched).
    pub fn max_items(mut self, max_items: usize) -> Self {
        self.touch();
        self.max_items = Some(max_items);
        self
    }

    /// Overrides the client's timeout for each page request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.touch();
        self.options.timeout = Some(timeout);
        self
    }

    /// Overrides the client's retry count for each page request.
    pub fn retries(mut self, retries: u32) -> Self {
        self.touch();
        self.options.retries = Some(retries);
        self
    }

    /// The endpoint whose pages are fetched.
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
    pub(crate) mode: M,
    pub(crate) pages: BoxStream<Result<Page<E::Item>>>,
    /// The blocking iterator ended on an error of its own.
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

struct PageCursor {
    client: Client,
    template: Prepared,
    options: CallOptions,
    per_page: Option<u32>,
    next_page: Option<u32>,
    items_left: Option<usize>,
}

/// The pages from `start_page` on, one request at a time, ending after the
/// last page, an empty page, the item cap, or the first error. The endpoint is
/// rendered once; each page only adds its number.
fn page_stream<E>(paginator: &Paginator<E, impl Sized>) -> BoxStream<Result<Page<E::Item>>>
where
    E: Paginated + 'static,
    E::Item: Send + 'static,
{
    let template = match paginator.client.inner.prepare(&paginator.endpoint) {
        Ok(template) => template,
        Err(e) => return stream::iter([Err(e)]).boxed(),
    };
    let cursor = PageCursor {
        client: paginator.client.clone(),
        template,
        options: paginator.options.clone(),
        per_page: paginator.per_page,
        next_page: Some(paginator.start_page.unwrap_or(1)),
        items_left: paginator.max_items,
    };
    stream::unfold(cursor, |mut cursor| async move {
        let number = cursor.next_page.take()?;
        if cursor.items_left == Some(0) {
            return None;
        }
        let result = fetch_page::<E>(&cursor, number).await;
        if let Ok(page) = &result {
            cursor.items_left = cursor
                .items_left
                .map(|left| left.saturating_sub(page.len()));
            cursor.next_page = page.next_page();
        }
        Some((result, cursor))
    })
    // Fused: polling after the end keeps answering `None`.
    .fuse()
    .boxed()
}

async fn fetch_page<E: Paginated>(cursor: &PageCursor, number: u32) -> Result<Page<E::Item>> {
    let request = page_request(Some(number), cursor.per_page)?;
    let prepared = cursor.template.for_page(request, true);
    let answer = cursor.client.inner.call(&prepared, &cursor.options).await?;
    E::decode(answer.raw())
}
