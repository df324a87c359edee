//! A call being prepared: the endpoint plus per-call options, sent by `.await`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{FutureExt, Stream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use crate::endpoint::{Download, Endpoint, Paginated};
use crate::http::budget::{Budget, CallKind, instant_after};
use crate::http::engine::Engine;
use crate::http::transport::{CallOptions, classify_transport};
use crate::meta::{Response, ResponseMeta};
use crate::page::{MAX_PER_PAGE, PageRequest};
use crate::{Error, Result};

/// Marks requests, paginators and handles of the async [`Client`](crate::Client): they are
/// sent with `.await`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Async;

/// One call to the API, ready to send.
///
/// Optional parameters are chained setters; `.await` (or
/// [`send`](Request::send)) sends it. The same type serves the blocking
/// client, where `send()` blocks.
///
/// ```no_run
/// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
/// use std::time::Duration;
/// let finding = client
///     .findings()
///     .get("f-91827")
///     .timeout(Duration::from_secs(5))
///     .retries(0)
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is sent with `.await` or `.send()`"]
pub struct Request<E, M = Async> {
    pub(crate) engine: Arc<Engine>,
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) mode: M,
    pub(crate) endpoint: E,
    pub(crate) options: CallOptions,
    pub(crate) page: Option<u32>,
    pub(crate) per_page: Option<u32>,
}

impl<E: std::fmt::Debug, M> std::fmt::Debug for Request<E, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("endpoint", &self.endpoint)
            .field("options", &self.options)
            .field("page", &self.page)
            .field("per_page", &self.per_page)
            .finish_non_exhaustive()
    }
}

impl<E, M> Request<E, M> {
    pub(crate) fn new(engine: impl Into<Arc<Engine>>, mode: M, endpoint: E) -> Self {
        Request {
            engine: engine.into(),
            mode,
            endpoint,
            options: CallOptions::default(),
            page: None,
            per_page: None,
        }
    }

    /// Overrides the client's timeout for this call (each attempt).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use std::time::Duration;
    /// let finding = client.findings().get("f-1").timeout(Duration::from_secs(5)).await?;
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// The most this call may take in all: every attempt, every wait between
    /// attempts and, for [`write_to`](Request::write_to), the whole
    /// transfer. Past it the call ends with [`Error::Timeout`] holding this
    /// duration; a retry whose wait would end past it is not made, and the
    /// call returns the last attempt's error at once. Overrides the client's
    /// [`deadline`](crate::ClientBuilder::deadline), whose defaults are
    /// [`DEFAULT_DEADLINE`](crate::DEFAULT_DEADLINE) (5 min) and, for
    /// `write_to`, [`DEFAULT_DOWNLOAD_DEADLINE`](crate::DEFAULT_DOWNLOAD_DEADLINE)
    /// (1 h). Zero is refused with [`Error::InvalidRequest`] when sent.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use std::time::Duration;
    /// // Retries included, give up after 10 seconds.
    /// let finding = client.findings().get("f-1").deadline(Duration::from_secs(10)).await?;
    /// # Ok(()) }
    /// ```
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.options.deadline = Some(deadline);
        self
    }

    /// Overrides the client's retry count for this call.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// // Fail fast: no retry for this call.
    /// let finding = client.findings().get("f-1").retries(0).await?;
    /// # Ok(()) }
    /// ```
    pub fn retries(mut self, retries: u32) -> Self {
        self.options.retries = Some(retries);
        self
    }

    /// Sends this `Idempotency-Key` instead of a generated one. Setting it
    /// declares that the server deduplicates, so the call is retried on any
    /// transient failure, even a POST.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::AssetType;
    /// // The same key on a re-run of this job: the server creates the asset once.
    /// let asset = client
    ///     .assets()
    ///     .create("shop.example.com", AssetType::Domain)
    ///     .idempotency_key("nightly-import-2026-11-29-shop")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.options.idempotency_key = Some(key.into());
        self
    }

    /// The endpoint as it will be sent.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let request = client.findings().update("f-1").note("triaged");
    /// assert_eq!(request.endpoint().note.as_deref(), Some("triaged"));
    /// # Ok(()) }
    /// ```
    pub fn endpoint(&self) -> &E {
        &self.endpoint
    }

    #[doc(hidden)]
    pub fn endpoint_mut(&mut self) -> &mut E {
        &mut self.endpoint
    }

    /// Swaps the mode, keeping everything else (the blocking client's bridge).
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn with_mode<N>(self, mode: N) -> (Request<E, N>, M) {
        let Request {
            engine,
            mode: old,
            endpoint,
            options,
            page,
            per_page,
        } = self;
        (
            Request {
                engine,
                mode,
                endpoint,
                options,
                page,
                per_page,
            },
            old,
        )
    }
}

impl<E: Paginated, M> Request<E, M> {
    /// Which page to fetch (1-based). Default 1. On `list_auto()` the same
    /// setter, [`Paginator::page`](crate::Paginator::page), is the page the
    /// walk starts from. 0 is refused with [`Error::InvalidRequest`] before
    /// anything is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let third = client.findings().list().page(3).per_page(50).await?;
    /// # Ok(()) }
    /// ```
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Items per page, 1 to 100. Default: the server's (20).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let big = client.findings().list().per_page(100).await?;
    /// assert!(big.len() <= 100);
    /// # Ok(()) }
    /// ```
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }
}

/// Checks page parameters before anything is sent.
pub(crate) fn page_request(page: Option<u32>, per_page: Option<u32>) -> Result<PageRequest> {
    if page == Some(0) {
        return Err(Error::invalid_request("page is 1-based; 0 is not a page"));
    }
    if let Some(n) = per_page {
        if n == 0 || n > MAX_PER_PAGE {
            return Err(Error::invalid_request(format!(
                "per_page must be between 1 and {MAX_PER_PAGE}, got {n}"
            )));
        }
    }
    Ok(PageRequest::new(page.unwrap_or(1), per_page))
}

impl<E: Endpoint> Request<E, Async> {
    /// Sends the request and decodes the answer; the same as `.await`.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let finding = client.findings().get("f-1").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<E::Output> {
        self.send_with_meta().await.map(Response::into_value)
    }

    /// Sends the request and returns the decoded answer with its
    /// [`ResponseMeta`](crate::ResponseMeta): status, request id, rate-limit
    /// state and headers. For a list, the value is the [`Page`](crate::Page).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let answer = client.findings().get("f-91827").send_with_meta().await?;
    /// println!("HTTP {}, request {:?}", answer.status(), answer.request_id());
    /// if let Some(limit) = answer.rate_limit() {
    ///     println!("{} of {} requests left", limit.remaining, limit.limit);
    /// }
    /// let finding = answer.into_value();
    ///
    /// let page = client.findings().list().per_page(50).send_with_meta().await?;
    /// println!("{} findings, request {:?}", page.value().len(), page.request_id());
    /// # Ok(()) }
    /// ```
    pub async fn send_with_meta(self) -> Result<Response<E::Output>> {
        let inner = &self.engine;
        let mut prepared = inner.prepare(&self.endpoint)?;
        if E::PAGINATED {
            let page = page_request(self.page, self.per_page)?;
            prepared = prepared.for_page(page, self.page.is_some());
        }
        let answer = inner.call(&prepared, &self.options).await?;
        let value = E::decode(answer.raw())?;
        Ok(Response::new(value, answer.meta))
    }
}

impl<E> IntoFuture for Request<E, Async>
where
    E: Endpoint + Send + 'static,
    E::Output: Send,
{
    type Output = Result<E::Output>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<E::Output>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The body of a download, chunk by chunk, under the stall rule and the
/// deadline ([`guard_download`]).
pub(crate) type ByteStream = BoxStream<Result<Bytes>>;

/// A boxed, sendable stream: what the paginators and downloads hold.
pub(crate) type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;

/// A download must deliver this many bytes within one per-attempt timeout of
/// the last time it did (or of its headers), else it has stalled.
pub(crate) const STALL_BYTES: u64 = 16 * 1024;

impl<E: Download> Request<E, Async> {
    /// Streams the answer into `writer` as it arrives, without holding it in
    /// memory, and returns the number of bytes written. Retries happen only
    /// before the first byte is written.
    ///
    /// Two rules bound the transfer. The body must keep moving: at least
    /// 16 KiB within every [`timeout`](Request::timeout) (30 s unless set,
    /// so about 550 bytes per second), counted from the headers, or it ends
    /// with [`Error::Timeout`] holding the timeout, as curl's low-speed limit
    /// does. And the [`deadline`](Request::deadline) bounds the whole call,
    /// transfer included ([`DEFAULT_DOWNLOAD_DEADLINE`](crate::DEFAULT_DOWNLOAD_DEADLINE),
    /// 1 h, unless set). The time your writer takes counts towards the
    /// deadline, not towards the stall rule.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let mut out = tokio::io::sink();
    /// let bytes = client.findings().export(s4e::ExportFormat::Json).write_to(&mut out).await?;
    /// # Ok(()) }
    /// ```
    pub async fn write_to<W>(self, writer: &mut W) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        self.write_to_with_meta(writer)
            .await
            .map(Response::into_value)
    }

    /// [`write_to`](Request::write_to), returning the number of bytes
    /// written with the [`ResponseMeta`](crate::ResponseMeta) of the answer
    /// (its headers as they arrived, before the body).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let mut out = tokio::io::sink();
    /// let export = client
    ///     .findings()
    ///     .export(s4e::ExportFormat::Csv)
    ///     .write_to_with_meta(&mut out)
    ///     .await?;
    /// println!("{} bytes of {:?}", export.value(), export.headers().get("content-type"));
    /// # Ok(()) }
    /// ```
    pub async fn write_to_with_meta<W>(self, writer: &mut W) -> Result<Response<u64>>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let (meta, mut chunks) = self.open_download().await?;
        let mut written: u64 = 0;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        writer.flush().await?;
        Ok(Response::new(written, meta))
    }

    /// Sends the request and returns the answer's metadata and its body as a
    /// stream of chunks, under one deadline from the first attempt to the
    /// last byte.
    pub(crate) async fn open_download(self) -> Result<(ResponseMeta, ByteStream)> {
        let inner = &self.engine;
        let timeout = self.options.timeout.unwrap_or(inner.timeout);
        let budget = inner.budget(&self.options, CallKind::Download)?;
        let prepared = inner.prepare(&self.endpoint)?;
        let answer = inner
            .call_streaming(&prepared, &self.options, budget)
            .await?;
        let chunks = guard_download(
            answer.response.bytes_stream(),
            |e| classify_transport(e).1,
            timeout,
            budget,
        );
        Ok((answer.meta, chunks))
    }
}

/// Where a guarded download stands.
struct Transfer<S> {
    chunks: Pin<Box<S>>,
    /// The stall window: the per-attempt timeout.
    window: Duration,
    /// When the window in progress ends.
    window_end: Instant,
    /// Bytes received in the window in progress.
    in_window: u64,
    budget: Budget,
}

/// Bounds a download's body. It ends with [`Error::Timeout`]:
/// - holding `window` when it stalls: fewer than [`STALL_BYTES`] arrived in
///   `window` since the last time that many did (or since the headers), and
///   nothing is ready. Chunks already received are taken before the check,
///   so time the caller spends writing is never counted as a stall;
/// - holding the deadline once the deadline has passed, at the next chunk.
///
/// A body faster than `STALL_BYTES` per `window` is never cut by the first
/// rule, however long it is: only the deadline bounds it.
pub(crate) fn guard_download<S, E>(
    chunks: S,
    map_err: fn(E) -> Error,
    window: Duration,
    budget: Budget,
) -> ByteStream
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
    E: 'static,
{
    let transfer = Transfer {
        chunks: Box::pin(chunks),
        window,
        window_end: instant_after(Instant::now(), window),
        in_window: 0,
        budget,
    };
    Box::pin(futures_util::stream::unfold(
        Some(transfer),
        move |transfer| async move {
            let mut t = transfer?;
            if Instant::now() >= t.budget.until {
                // A body already complete is not failed for the time the
                // caller took; anything else past the deadline is.
                return match t.chunks.next().now_or_never() {
                    Some(None) => None,
                    _ => Some((Err(Error::Timeout(t.budget.limit)), None)),
                };
            }
            let wake = t.window_end.min(t.budget.until);
            // `timeout_at` polls the body first: a ready chunk is taken even
            // when the window is over.
            match tokio::time::timeout_at(wake, t.chunks.next()).await {
                Ok(None) => None,
                Ok(Some(Err(e))) => Some((Err(map_err(e)), None)),
                Ok(Some(Ok(chunk))) => {
                    t.in_window += chunk.len() as u64;
                    if t.in_window >= STALL_BYTES {
                        t.in_window = 0;
                        t.window_end = instant_after(Instant::now(), t.window);
                    }
                    Some((Ok(chunk), Some(t)))
                }
                Err(_) if wake >= t.budget.until => {
                    Some((Err(Error::Timeout(t.budget.limit)), None))
                }
                Err(_) => {
                    tracing::debug!(
                        target: "s4e",
                        bytes = t.in_window,
                        window_ms = t.window.as_millis() as u64,
                        "the download stalled"
                    );
                    Some((Err(Error::Timeout(t.window)), None))
                }
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use futures_util::stream;

    use super::*;

    const WINDOW: Duration = Duration::from_secs(30);

    fn budget(limit: Duration) -> Budget {
        Budget {
            limit,
            until: instant_after(Instant::now(), limit),
        }
    }

    /// `chunk`-byte chunks, one every `every`, without end.
    fn paced(chunk: usize, every: Duration) -> impl Stream<Item = Result<Bytes, Infallible>> {
        stream::unfold((), move |()| async move {
            tokio::time::sleep(every).await;
            Some((Ok(Bytes::from(vec![b'x'; chunk])), ()))
        })
    }

    fn guard<S>(chunks: S, deadline: Duration) -> ByteStream
    where
        S: Stream<Item = Result<Bytes, Infallible>> + Send + 'static,
    {
        guard_download(chunks, |e| match e {}, WINDOW, budget(deadline))
    }

    /// Drains `body`: the bytes received and how it ended.
    async fn drain(mut body: ByteStream) -> (u64, Option<Error>) {
        let mut bytes = 0;
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(chunk) => bytes += chunk.len() as u64,
                Err(e) => return (bytes, Some(e)),
            }
        }
        (bytes, None)
    }

    #[tokio::test(start_paused = true)]
    async fn a_trickle_stalls_after_one_window() {
        let start = Instant::now();
        let (bytes, end) = drain(guard(paced(1, Duration::from_secs(1)), Duration::MAX)).await;
        assert!(
            matches!(end, Some(Error::Timeout(d)) if d == WINDOW),
            "{end:?}"
        );
        assert_eq!(start.elapsed(), WINDOW);
        assert!(bytes < STALL_BYTES, "{bytes}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stops_moving_stalls_one_window_after_its_last_progress() {
        let start = Instant::now();
        // 64 KiB at 16 KiB/s, then one byte a second.
        let fast = paced(16 * 1024, Duration::from_secs(1)).take(4);
        let (bytes, end) = drain(guard(
            fast.chain(paced(1, Duration::from_secs(1))),
            Duration::MAX,
        ))
        .await;
        assert!(
            matches!(end, Some(Error::Timeout(d)) if d == WINDOW),
            "{end:?}"
        );
        assert_eq!(start.elapsed(), Duration::from_secs(4) + WINDOW);
        assert!(bytes >= 64 * 1024, "{bytes}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_healthy_body_is_never_cut_by_the_stall_rule() {
        // 700 bytes a second (just above 16 KiB per 30 s) for 20 minutes,
        // then the end.
        let slow_but_moving = paced(700, Duration::from_secs(1)).take(1200);
        let start = Instant::now();
        let (bytes, end) = drain(guard(slow_but_moving, Duration::from_secs(3600))).await;
        assert!(end.is_none(), "{end:?}");
        assert_eq!(bytes, 700 * 1200);
        assert_eq!(start.elapsed(), Duration::from_secs(1200));
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_ends_an_endless_healthy_body() {
        let start = Instant::now();
        let deadline = Duration::from_secs(600);
        let (bytes, end) = drain(guard(
            paced(64 * 1024, Duration::from_millis(100)),
            deadline,
        ))
        .await;
        assert!(
            matches!(end, Some(Error::Timeout(d)) if d == deadline),
            "{end:?}"
        );
        let elapsed = start.elapsed();
        assert!(
            elapsed >= deadline && elapsed <= deadline + Duration::from_millis(100),
            "{elapsed:?}"
        );
        assert!(bytes >= 5999 * 64 * 1024, "{bytes}");
    }

    #[tokio::test(start_paused = true)]
    async fn time_spent_by_the_caller_is_not_a_stall() {
        // Chunks always ready, read with a 40 s pause after each (a slow
        // disk): the window passes, but the body is not what is slow.
        let mut body = guard(
            stream::iter((0..5).map(|_| Ok(Bytes::from_static(b"x")))),
            Duration::MAX,
        );
        let mut bytes = 0;
        while let Some(chunk) = body.next().await {
            bytes += chunk.expect("no stall").len();
            tokio::time::sleep(Duration::from_secs(40)).await;
        }
        assert_eq!(bytes, 5);
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_counts_the_callers_time_too() {
        let deadline = Duration::from_secs(100);
        let mut body = guard(
            stream::iter((0..5).map(|_| Ok(Bytes::from_static(b"x")))),
            deadline,
        );
        let mut taken = 0;
        let end = loop {
            match body.next().await {
                Some(Ok(_)) => taken += 1,
                other => break other,
            }
            tokio::time::sleep(Duration::from_secs(40)).await;
        };
        assert!(
            matches!(end, Some(Err(Error::Timeout(d))) if d == deadline),
            "{end:?}"
        );
        assert_eq!(taken, 3, "chunks at 0, 40 and 80 s; none at 120 s");
        assert!(body.next().await.is_none(), "the error is the end");

        // A body that had fully arrived ends normally, however late the
        // caller comes back for its end.
        let mut body = guard(stream::iter([Ok(Bytes::from_static(b"x"))]), deadline);
        assert!(matches!(body.next().await, Some(Ok(_))));
        tokio::time::sleep(2 * deadline).await;
        assert!(body.next().await.is_none());
    }
}
