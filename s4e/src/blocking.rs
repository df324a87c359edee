//! The blocking client: the async client driven on its own runtime thread, as
//! `reqwest::blocking` does. No request logic lives here; every call is the
//! async call, sent to that thread and waited for.
//!
//! ```no_run
//! let client = s4e::blocking::Client::new("sk_live_...")?;
//! let page = client.findings().list().severity([s4e::Severity::Critical]).send()?;
//! for finding in client.findings().list_auto().max_items(100) {
//!     println!("{}", finding?.title);
//! }
//! # Ok::<(), s4e::Error>(())
//! ```
//!
//! Do not call it from inside an async runtime (a `#[tokio::main]` function):
//! blocking there would stall the runtime, so every call returns
//! [`Error::InvalidRequest`] instead. Use [`s4e::Client`](crate::Client) there.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, mpsc};
use std::thread::{self, JoinHandle, ThreadId};

use futures_util::StreamExt;

use crate::endpoint::{Download, Endpoint, Paginated};
use crate::http::paginate::{BoxStream, Pages, Paginator};
use crate::http::request::{Async, Request};
use crate::resources::findings::Findings;
use crate::{ApiKey, AuthScheme, Error, Page, Result};

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Marks requests, paginators and handles of the [blocking client](Client):
/// they are sent with `.send()` and iterated as [`Iterator`]s.
#[derive(Clone)]
pub struct Blocking {
    runtime: Arc<RuntimeThread>,
}

impl std::fmt::Debug for Blocking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Blocking")
    }
}

/// The thread that runs the async client; joined when the last user is gone.
struct RuntimeThread {
    jobs: Option<tokio::sync::mpsc::UnboundedSender<Job>>,
    thread: Option<JoinHandle<()>>,
    thread_id: ThreadId,
}

impl Drop for RuntimeThread {
    fn drop(&mut self) {
        // Closing the queue ends the thread's loop; its runtime then cancels
        // whatever is still running.
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            if thread::current().id() != self.thread_id {
                let _ = thread.join();
            }
        }
    }
}

impl Blocking {
    fn start() -> Result<Blocking> {
        let (jobs, mut queue) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let (ready, started) = mpsc::sync_channel::<std::io::Result<()>>(1);
        let thread = thread::Builder::new()
            .name("s4e-blocking".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => {
                        let _ = ready.send(Ok(()));
                        runtime
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    while let Some(job) = queue.recv().await {
                        tokio::spawn(job);
                    }
                });
            })
            .map_err(|e| {
                Error::config(format!("the blocking client's thread could not start: {e}"))
            })?;
        let thread_id = thread.thread().id();
        match started.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return Err(Error::config(format!(
                    "the blocking client's runtime could not start: {e}"
                )));
            }
            Err(_) => {
                return Err(Error::config(
                    "the blocking client's thread stopped at start",
                ));
            }
        }
        Ok(Blocking {
            runtime: Arc::new(RuntimeThread {
                jobs: Some(jobs),
                thread: Some(thread),
                thread_id,
            }),
        })
    }

    /// Runs `future` on the runtime thread and waits for its output.
    pub(crate) fn run<F>(&self, future: F) -> Result<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::invalid_request(
                "s4e::blocking::Client was called inside an async runtime, which blocking would stall; use s4e::Client and .await there",
            ));
        }
        let (done, output) = mpsc::sync_channel(1);
        let job: Job = Box::pin(async move {
            let _ = done.send(future.await);
        });
        let stopped = || Error::Transport {
            message: "the blocking client's runtime thread has stopped".to_owned(),
            source: None,
        };
        self.runtime
            .jobs
            .as_ref()
            .ok_or_else(stopped)?
            .send(job)
            .map_err(|_| stopped())?;
        output.recv().map_err(|_| stopped())
    }

    /// Takes the next item of `stream` on the runtime thread. The stream
    /// travels there and back; when the job cannot run, the error is returned
    /// and `stream` is left empty, so it ends.
    fn next_item<T: Send + 'static>(&self, stream: &mut BoxStream<T>) -> Result<Option<T>> {
        let mut taken = std::mem::replace(stream, futures_util::stream::empty().boxed());
        let (taken, next) = self.run(async move {
            let next = taken.next().await;
            (taken, next)
        })?;
        *stream = taken;
        Ok(next)
    }

    pub(crate) fn run_call<T: Send + 'static>(
        &self,
        future: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        self.run(future)?
    }
}

/// The blocking S4E client: the same handles and methods as
/// [`s4e::Client`](crate::Client), sent with `.send()`.
///
/// Cheap to clone; the runtime thread stops (and is joined) when the last
/// clone, request and iterator are dropped.
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    mode: Blocking,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("blocking::Client")
            .field(&self.inner)
            .finish()
    }
}

impl Client {
    /// A client with the default settings.
    ///
    /// ```no_run
    /// let client = s4e::blocking::Client::new("sk_live_...")?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn new(api_key: impl Into<ApiKey>) -> Result<Client> {
        Client::from_async(crate::Client::new(api_key)?)
    }

    /// A client configured from the `S4E_*` environment variables, as
    /// [`s4e::Client::from_env`](crate::Client::from_env).
    ///
    /// ```no_run
    /// let client = s4e::blocking::Client::from_env()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn from_env() -> Result<Client> {
        Client::from_async(crate::Client::from_env()?)
    }

    /// Starts configuring a client: the same settings as
    /// [`s4e::Client::builder`](crate::Client::builder), and
    /// [`build`](ClientBuilder::build) returns a blocking client.
    ///
    /// ```no_run
    /// let client = s4e::blocking::Client::builder("sk_live_...").retries(1).build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn builder(api_key: impl Into<ApiKey>) -> ClientBuilder {
        ClientBuilder(crate::Client::builder(api_key))
    }

    /// Wraps an async client (sharing its connection pool) and starts the
    /// runtime thread.
    ///
    /// ```no_run
    /// let client = s4e::Client::new("sk_live_...")?;
    /// let blocking = s4e::blocking::Client::from_async(client)?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn from_async(client: crate::Client) -> Result<Client> {
        Ok(Client {
            inner: client,
            mode: Blocking::start()?,
        })
    }

    /// The API root this client talks to.
    ///
    /// ```
    /// let client = s4e::blocking::Client::builder("sk_test")
    ///     .base_url("https://s4e.corp.example/api/v1/")
    ///     .build()?;
    /// assert_eq!(client.base_url(), "https://s4e.corp.example/api/v1");
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// The rate-limit state the latest answer announced; see
    /// [`Client::rate_limit`](crate::Client::rate_limit).
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// client.assets().list().send()?;
    /// if let Some(limit) = client.rate_limit() {
    ///     println!("{}/{} left", limit.remaining, limit.limit);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn rate_limit(&self) -> Option<crate::RateLimit> {
        self.inner.rate_limit()
    }

    /// The async client underneath.
    ///
    /// ```
    /// # fn demo(client: s4e::blocking::Client) {
    /// let async_client: &s4e::Client = client.as_async();
    /// println!("talking to {}", async_client.base_url());
    /// # }
    /// ```
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// Assets: the domains, IPs, URLs and networks S4E monitors.
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// let page = client.assets().list().send()?;
    /// # Ok(()) }
    /// ```
    pub fn assets(&self) -> crate::resources::assets::Assets<Blocking> {
        crate::resources::assets::Assets::new(self.inner.clone(), self.mode.clone())
    }

    /// Scans: vulnerability scans of one asset.
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// let page = client.scans().list().send()?;
    /// # Ok(()) }
    /// ```
    pub fn scans(&self) -> crate::resources::scans::Scans<Blocking> {
        crate::resources::scans::Scans::new(self.inner.clone(), self.mode.clone())
    }

    /// Actions: remediation and notification units of work.
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// let page = client.actions().list().send()?;
    /// # Ok(()) }
    /// ```
    pub fn actions(&self) -> crate::resources::actions::Actions<Blocking> {
        crate::resources::actions::Actions::new(self.inner.clone(), self.mode.clone())
    }

    /// Playbooks: automated response workflows.
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// let page = client.playbooks().list().send()?;
    /// # Ok(()) }
    /// ```
    pub fn playbooks(&self) -> crate::resources::playbooks::Playbooks<Blocking> {
        crate::resources::playbooks::Playbooks::new(self.inner.clone(), self.mode.clone())
    }

    /// Webhooks: event subscriptions.
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// let page = client.webhooks().list().send()?;
    /// # Ok(()) }
    /// ```
    pub fn webhooks(&self) -> crate::resources::webhooks::Webhooks<Blocking> {
        crate::resources::webhooks::Webhooks::new(self.inner.clone(), self.mode.clone())
    }

    /// Findings: discovered vulnerabilities.
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// let finding = client.findings().get("f-91827").send()?;
    /// # Ok(()) }
    /// ```
    pub fn findings(&self) -> Findings<Blocking> {
        Findings::new(self.inner.clone(), self.mode.clone())
    }

    /// Prepares a call of any endpoint, including your own; `.send()` it.
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// let finding = client.execute(s4e::findings::GetFinding::new("f-1")).send()?;
    /// # Ok(()) }
    /// ```
    pub fn execute<E: Endpoint>(&self, endpoint: E) -> Request<E, Blocking> {
        Request::new(self.inner.clone(), self.mode.clone(), endpoint)
    }

    /// Iterates every item of a paginated endpoint, fetching pages as needed.
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// for finding in client.paginate(s4e::findings::ListFindings::default()) {
    ///     println!("{}", finding?.title);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn paginate<E: Paginated>(&self, endpoint: E) -> Paginator<E, Blocking> {
        Paginator::new(self.inner.clone(), self.mode.clone(), endpoint)
    }
}

/// Configures and builds a [blocking `Client`](Client): every setting of the
/// async [`s4e::ClientBuilder`](crate::ClientBuilder), which it wraps, with
/// the same defaults and checks.
///
/// ```no_run
/// use std::time::Duration;
///
/// let client = s4e::blocking::Client::builder("sk_live_...")
///     .base_url("https://s4e.corp.example/api/v1")
///     .timeout(Duration::from_secs(10))
///     .retries(5)
///     .build()?;
/// let page = client.findings().list().send()?;
/// # Ok::<(), s4e::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ClientBuilder(crate::ClientBuilder);

/// Each setter forwards to the async builder's setter of the same name, so a
/// setting exists once; the docs point there and show the blocking call.
macro_rules! forward_setters {
    ($($name:ident($($arg:ident: $ty:ty),*) => $summary:literal, $example:literal;)*) => {
        impl ClientBuilder {
            $(
                #[doc = concat!(
                    $summary, " See [`s4e::ClientBuilder::", stringify!($name),
                    "`](crate::ClientBuilder::", stringify!($name), ").\n\n",
                    "```no_run\n",
                    "let client = s4e::blocking::Client::builder(\"sk_live_...\")\n",
                    "    .", $example, "\n",
                    "    .build()?;\n",
                    "# Ok::<(), s4e::Error>(())\n",
                    "```"
                )]
                pub fn $name(self, $($arg: $ty),*) -> Self {
                    ClientBuilder(self.0.$name($($arg),*))
                }
            )*
        }

        /// The setters forwarded, for the test that the README lists them.
        #[cfg(test)]
        const FORWARDED: &[&str] = &[$(stringify!($name)),*];
    };
}

forward_setters! {
    base_url(url: impl Into<String>) => "The API root; default `https://api.s4e.io/v1`.",
        "base_url(\"https://s4e.corp.example/api/v1\")";
    timeout(timeout: std::time::Duration) => "How long one attempt may take, headers and body; default 30 s.",
        "timeout(std::time::Duration::from_secs(10))";
    deadline(deadline: std::time::Duration) => "How long one call may take over all its attempts; default 5 min (downloads 1 h).",
        "deadline(std::time::Duration::from_secs(120))";
    retries(retries: u32) => "How many times a failed call is retried when that is safe; default 3.",
        "retries(0)";
    proxy(url: impl Into<String>) => "Sends every request through this HTTP(S) proxy; default none.",
        "proxy(\"http://proxy.corp.example:3128\")";
    auth_scheme(scheme: AuthScheme) => "`Authorization: Bearer` (default) or `X-API-Key`.",
        "auth_scheme(s4e::AuthScheme::ApiKeyHeader)";
    user_agent(suffix: impl Into<String>) => "Text appended to the `User-Agent`.",
        "user_agent(\"inventory-sync/2.1\")";
    ca_certificate(pem: impl AsRef<[u8]>) => "Trusts this PEM certificate in addition to the system roots.",
        "ca_certificate(std::fs::read(\"/etc/ssl/corp-root-ca.pem\")?)";
    backoff(initial: std::time::Duration, max: std::time::Duration) => "Backoff between retries, from `initial` doubling up to `max`; defaults 500 ms and 30 s.",
        "backoff(std::time::Duration::from_millis(200), std::time::Duration::from_secs(5))";
    max_retry_wait(ceiling: std::time::Duration) => "The longest wait accepted before a retry, `Retry-After` included; default 60 s.",
        "max_retry_wait(std::time::Duration::from_secs(10))";
    max_response_size(bytes: u64) => "The largest JSON answer read into memory; default 64 MiB.",
        "max_response_size(8 * 1024 * 1024)";
    allow_http(allow: bool) => "Allows plain `http://` to a host that is not loopback; default off.",
        "allow_http(true)";
    rate_limit_pacing(enabled: bool) => "Waits for the rate-limit window's reset instead of collecting a 429; default on.",
        "rate_limit_pacing(false)";
    retry_quota(tokens: Option<u32>) => "The retry budget shared by the client's calls; default 500 tokens, `None` for none.",
        "retry_quota(Some(50))";
    default_header(name: impl Into<String>, value: impl Into<String>) => "A header sent with every request to the API; the SDK's own headers are refused by `build`.",
        "default_header(\"X-Tenant\", \"acme-eu\")";
    on_request(hook: impl Fn(&mut crate::OutgoingRequest<'_>) + Send + Sync + 'static) => "Calls `hook` with each attempt before it is sent; it may adjust the headers.",
        "on_request(|request| { let _ = request.set_header(\"X-Tenant\", \"acme-eu\"); })";
    on_response(hook: impl Fn(&crate::AttemptOutcome<'_>) + Send + Sync + 'static) => "Calls `hook` when each attempt ends, with its status or error, duration and attempt number.",
        "on_response(|outcome| println!(\"{:?} in {:?}\", outcome.status(), outcome.duration()))";
}

impl ClientBuilder {
    /// Settings from the `S4E_*` environment variables, as
    /// [`s4e::ClientBuilder::from_env`](crate::ClientBuilder::from_env).
    ///
    /// ```no_run
    /// let client = s4e::blocking::ClientBuilder::from_env()?.retries(1).build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        crate::ClientBuilder::from_env().map(ClientBuilder)
    }

    /// Checks every setting, as [`s4e::ClientBuilder::build`](crate::ClientBuilder::build)
    /// does, builds the async client and starts the runtime thread.
    ///
    /// ```
    /// let client = s4e::blocking::Client::builder("sk_live_...").build()?;
    /// assert_eq!(client.base_url(), s4e::DEFAULT_BASE_URL);
    ///
    /// let err = s4e::blocking::Client::builder("sk_live_...").base_url("ftp://example.com").build();
    /// assert!(matches!(err, Err(s4e::Error::Config(_))));
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn build(self) -> Result<Client> {
        self.0.build_blocking()
    }
}

impl From<crate::ClientBuilder> for ClientBuilder {
    /// Continues an async builder's configuration for a blocking client.
    fn from(builder: crate::ClientBuilder) -> Self {
        ClientBuilder(builder)
    }
}

impl crate::ClientBuilder {
    /// Builds a [blocking client](Client).
    ///
    /// ```no_run
    /// let client = s4e::Client::builder("sk_live_...").build_blocking()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn build_blocking(self) -> Result<Client> {
        Client::from_async(self.build()?)
    }
}

impl<E> Request<E, Blocking>
where
    E: Endpoint + Send + 'static,
    E::Output: Send + 'static,
{
    /// Sends the request and waits for the decoded answer.
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// let finding = client.findings().get("f-91827").send()?;
    /// println!("{}", finding.title);
    /// # Ok(()) }
    /// ```
    pub fn send(self) -> Result<E::Output> {
        let (request, mode) = self.with_mode(Async);
        mode.run_call(request.send())
    }

    /// Sends the request and waits for the decoded answer with its
    /// [`ResponseMeta`](crate::ResponseMeta), as the async
    /// [`send_with_meta`](Request::send_with_meta).
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// let answer = client.findings().get("f-91827").send_with_meta()?;
    /// println!("request {:?}", answer.request_id());
    /// let finding = answer.into_value();
    /// # Ok(()) }
    /// ```
    pub fn send_with_meta(self) -> Result<crate::Response<E::Output>> {
        let (request, mode) = self.with_mode(Async);
        mode.run_call(request.send_with_meta())
    }
}

impl<E> Request<E, Blocking>
where
    E: Download + Send + 'static,
{
    /// Streams the answer into `writer` chunk by chunk, without holding it in
    /// memory, and returns the number of bytes written. The same bounds as
    /// the async [`write_to`](Request::write_to) apply: a body that stalls
    /// (less than 16 KiB per timeout) and a call past its
    /// [`deadline`](Request::deadline) (1 h for downloads unless set) end
    /// with [`Error::Timeout`].
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// let mut file = std::fs::File::create("findings.csv")?;
    /// let bytes = client.findings().export(s4e::ExportFormat::Csv).write_to(&mut file)?;
    /// # Ok(()) }
    /// ```
    pub fn write_to<W: std::io::Write + ?Sized>(self, writer: &mut W) -> Result<u64> {
        self.write_to_with_meta(writer)
            .map(crate::Response::into_value)
    }

    /// [`write_to`](Request::write_to), returning the number of bytes
    /// written with the [`ResponseMeta`](crate::ResponseMeta) of the answer.
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// let mut file = std::fs::File::create("findings.csv")?;
    /// let export = client.findings().export(s4e::ExportFormat::Csv).write_to_with_meta(&mut file)?;
    /// println!("{} bytes, request {:?}", export.value(), export.request_id());
    /// # Ok(()) }
    /// ```
    pub fn write_to_with_meta<W: std::io::Write + ?Sized>(
        self,
        writer: &mut W,
    ) -> Result<crate::Response<u64>> {
        let (request, mode) = self.with_mode(Async);
        let (meta, mut chunks) = mode.run_call(request.open_download())?;
        let mut written: u64 = 0;
        while let Some(chunk) = mode.next_item(&mut chunks)? {
            let chunk = chunk?;
            writer.write_all(&chunk)?;
            written += chunk.len() as u64;
        }
        writer.flush()?;
        Ok(crate::Response::new(written, meta))
    }
}

impl<E> Iterator for Paginator<E, Blocking>
where
    E: Paginated + 'static,
    E::Item: Send + 'static,
{
    type Item = Result<E::Item>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let mode = self.mode.clone();
        mode.next_item(self.items_mut()).unwrap_or_else(|e| {
            // The stream went with the failed job: this error is the end.
            self.finished = true;
            Some(Err(e))
        })
    }
}

impl<E> Iterator for Pages<E, Blocking>
where
    E: Paginated + 'static,
    E::Item: Send + 'static,
{
    type Item = Result<Page<E::Item>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        self.mode.next_item(&mut self.pages).unwrap_or_else(|e| {
            self.finished = true;
            Some(Err(e))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn dropping_the_last_handle_stops_and_joins_the_runtime_thread() {
        let blocking = Blocking::start().unwrap();
        let marker = Arc::new(());
        let held = marker.clone();
        // A task that would run forever, holding the marker: only the
        // runtime's shutdown drops it.
        blocking
            .run(async move {
                tokio::spawn(async move {
                    let _held = held;
                    std::future::pending::<()>().await;
                });
            })
            .unwrap();
        assert_eq!(Arc::strong_count(&marker), 2);
        drop(blocking);
        // The drop joined the thread, so the runtime and its tasks are gone.
        assert_eq!(Arc::strong_count(&marker), 1);
    }

    /// Every builder setting is a row of the README's Configuration table.
    #[test]
    fn the_readme_configuration_table_lists_every_setter() {
        let readme = include_str!("../../README.md");
        let table = readme
            .split("\n## Configuration\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("the README has a Configuration section");
        for setter in FORWARDED {
            assert!(
                table.contains(&format!("| `.{setter}(")),
                "the README's Configuration table has no row for `.{setter}(..)`"
            );
        }
    }

    #[test]
    fn a_blocking_call_inside_a_runtime_is_a_typed_error() {
        let blocking = Blocking::start().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let result = runtime.block_on(async { blocking.run(async { 1 }) });
        assert!(
            matches!(result, Err(Error::InvalidRequest(_))),
            "{result:?}"
        );
        assert_eq!(blocking.run(async { 2 }).unwrap(), 2);
    }
}
