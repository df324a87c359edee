//! A call being prepared: the endpoint plus per-call options, sent by `.await`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::client::Client;
use crate::endpoint::{Download, Endpoint, Paginated};
use crate::http::transport::{CallOptions, classify_transport};
use crate::page::{MAX_PER_PAGE, PageRequest};
use crate::{Error, Result};

/// Marks requests, paginators and handles of the async [`Client`]: they are
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
    pub(crate) client: Client,
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
    pub(crate) fn new(client: Client, mode: M, endpoint: E) -> Self {
        Request {
            client,
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
            client,
            mode: old,
            endpoint,
            options,
            page,
            per_page,
        } = self;
        (
            Request {
                client,
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
    /// Which page to fetch (1-based). Default 1.
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
        let inner = &self.client.inner;
        let mut prepared = inner.prepare(&self.endpoint)?;
        if E::PAGINATED {
            let page = page_request(self.page, self.per_page)?;
            prepared = prepared.for_page(page, self.page.is_some());
        }
        let answer = inner.call(&prepared, &self.options).await?;
        E::decode(answer.raw())
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

/// The body of a download, chunk by chunk, each chunk awaited under the
/// timeout.
pub(crate) type ByteStream = crate::http::paginate::BoxStream<Result<bytes::Bytes>>;

impl<E: Download> Request<E, Async> {
    /// Streams the answer into `writer` as it arrives, without holding it in
    /// memory, and returns the number of bytes written. Retries happen only
    /// before the first byte is written.
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
        let mut chunks = self.open_download().await?;
        let mut written: u64 = 0;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        writer.flush().await?;
        Ok(written)
    }

    /// Sends the request and returns the body as a stream of chunks.
    pub(crate) async fn open_download(self) -> Result<ByteStream> {
        let inner = &self.client.inner;
        let timeout = self.options.timeout.unwrap_or(inner.timeout);
        let prepared = inner.prepare(&self.endpoint)?;
        let answer = inner.call_streaming(&prepared, &self.options).await?;
        let chunks = answer.response.bytes_stream();
        // The timeout bounds the wait for each chunk, not the whole file,
        // which may be hundreds of megabytes.
        Ok(Box::pin(futures_util::stream::unfold(
            Some(chunks),
            move |chunks| async move {
                let mut chunks = chunks?;
                match tokio::time::timeout(timeout, chunks.next()).await {
                    Err(_) => Some((Err(Error::Timeout(timeout)), None)),
                    Ok(None) => None,
                    Ok(Some(Err(e))) => Some((Err(classify_transport(e).1), None)),
                    Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(chunks))),
                }
            },
        )))
    }
}
