//! The blocking client: the async client driven by a current-thread Tokio
//! runtime of its own. No request logic lives here; every call is the async
//! call, driven to its end on the calling thread (`Runtime::block_on`), so a
//! call costs what it costs on the async client, without a hand-off to
//! another thread and back. A helper thread drives the same runtime only
//! while an iterator that works in the background (auto-pagination with
//! `concurrency` above 1, a download) is alive, so that its requests in
//! flight progress between two items.
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
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle, ThreadId};

use futures_util::StreamExt;

use crate::endpoint::{Download, Endpoint, Paginated};
use crate::http::paginate::{Pages, Paginator};
use crate::http::poll::{LongRunning, Wait};
use crate::http::request::{Async, BoxStream, Request};
use crate::resources::findings::Findings;
use crate::{ApiKey, AuthScheme, Error, Page, Result};

/// Marks requests, paginators and handles of the [blocking client](Client):
/// they are sent with `.send()` and iterated as [`Iterator`]s.
#[derive(Clone)]
pub struct Blocking {
    owner: Arc<Owner>,
    /// Held by an iterator that works in the background: while one is
    /// alive, the helper thread drives the runtime.
    background: Option<Arc<Background>>,
}

impl std::fmt::Debug for Blocking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Blocking")
    }
}

/// The runtime and what tells the helper thread when to drive it; shared by
/// the handles and the helper thread.
struct Engine {
    /// `None` only while it is dropped.
    runtime: Option<tokio::runtime::Runtime>,
    state: Mutex<HelperState>,
    /// Wakes the helper thread, waiting outside the runtime, when a
    /// background iterator starts or the client is dropped.
    start_driving: Condvar,
    /// Wakes the helper thread, driving the runtime, when the last
    /// background iterator is gone or the client is dropped.
    stop_driving: tokio::sync::Notify,
}

#[derive(Default)]
struct HelperState {
    /// Background iterators alive.
    iterators: usize,
    shutdown: bool,
}

impl Engine {
    fn state(&self) -> MutexGuard<'_, HelperState> {
        // Nothing panics while holding it; if it ever did, the counts are
        // still whole numbers.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The helper thread: waits while no background iterator is alive, and
    /// drives the runtime while one is, until the client is dropped.
    fn help(&self, runtime: &tokio::runtime::Runtime) {
        loop {
            {
                let mut state = self.state();
                while state.iterators == 0 && !state.shutdown {
                    state = self
                        .start_driving
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                if state.shutdown {
                    return;
                }
            }
            runtime.block_on(async {
                loop {
                    let notified = self.stop_driving.notified();
                    {
                        let state = self.state();
                        if state.iterators == 0 || state.shutdown {
                            break;
                        }
                    }
                    notified.await;
                }
                // Lets the tasks of the iterator just dropped (its page
                // requests, now aborted) wind down before the runtime is left
                // alone.
                tokio::task::yield_now().await;
            });
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Dropping a runtime waits for its blocking threads (a DNS
            // lookup), which panics inside another async runtime; there it
            // is left to finish on its own.
            if tokio::runtime::Handle::try_current().is_ok() {
                runtime.shutdown_background();
            } else {
                drop(runtime);
            }
        }
    }
}

/// The handles' share: the engine and the helper thread, stopped and joined
/// when the last handle is dropped.
struct Owner {
    engine: Arc<Engine>,
    helper: Option<JoinHandle<()>>,
    helper_id: ThreadId,
}

impl Drop for Owner {
    fn drop(&mut self) {
        self.engine.state().shutdown = true;
        self.engine.start_driving.notify_all();
        self.engine.stop_driving.notify_one();
        if let Some(helper) = self.helper.take() {
            if thread::current().id() != self.helper_id {
                let _ = helper.join();
            }
        }
        // The runtime goes with the last `Arc<Engine>`, here once the helper
        // has been joined: its tasks are dropped with it.
    }
}

/// One background iterator alive; the helper thread drives the runtime
/// while any is.
struct Background {
    engine: Arc<Engine>,
}

impl Background {
    fn start(engine: &Arc<Engine>) -> Background {
        let mut state = engine.state();
        state.iterators += 1;
        if state.iterators == 1 {
            engine.start_driving.notify_all();
        }
        drop(state);
        Background {
            engine: engine.clone(),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let mut state = self.engine.state();
        state.iterators -= 1;
        if state.iterators == 0 {
            self.engine.stop_driving.notify_one();
        }
    }
}

fn stopped() -> Error {
    Error::Transport {
        message: "the blocking client's runtime has stopped".to_owned(),
        source: None,
    }
}

impl Blocking {
    fn start() -> Result<Blocking> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                Error::config(format!(
                    "the blocking client's runtime could not start: {e}"
                ))
            })?;
        let engine = Arc::new(Engine {
            runtime: Some(runtime),
            state: Mutex::new(HelperState::default()),
            start_driving: Condvar::new(),
            stop_driving: tokio::sync::Notify::new(),
        });
        let helper_engine = engine.clone();
        let helper = thread::Builder::new()
            .name("s4e-blocking".to_owned())
            .spawn(move || {
                if let Some(runtime) = &helper_engine.runtime {
                    helper_engine.help(runtime);
                }
            })
            .map_err(|e| {
                Error::config(format!("the blocking client's thread could not start: {e}"))
            })?;
        let helper_id = helper.thread().id();
        Ok(Blocking {
            owner: Arc::new(Owner {
                engine,
                helper: Some(helper),
                helper_id,
            }),
            background: None,
        })
    }

    /// Drives `future` to its end on the calling thread and returns its
    /// output. While the helper thread drives the runtime (a background
    /// iterator is alive), the future is still polled here and the
    /// connections progress there.
    pub(crate) fn run<F: Future>(&self, future: F) -> Result<F::Output> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::invalid_request(
                "s4e::blocking::Client was called inside an async runtime, which blocking would stall; use s4e::Client and .await there",
            ));
        }
        let runtime = self.owner.engine.runtime.as_ref().ok_or_else(stopped)?;
        Ok(runtime.block_on(future))
    }

    /// From now on the runtime is driven in the background as long as this
    /// handle (an iterator's own) is alive, so that work the iterator has
    /// started (spawned page requests, a body being read) progresses, and
    /// its timers run, while the caller works between two items.
    fn drive_in_background(&mut self) {
        if self.background.is_none() {
            self.background = Some(Arc::new(Background::start(&self.owner.engine)));
        }
    }

    /// Takes the next item of `stream` on the calling thread.
    fn next_item<T>(&self, stream: &mut BoxStream<T>) -> Result<Option<T>> {
        self.run(stream.next())
    }

    pub(crate) fn run_call<T>(&self, future: impl Future<Output = Result<T>>) -> Result<T> {
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
    rate_limit_store(store: impl crate::ratelimit::RateLimitStore) => "Where pacing keeps the rate-limit window: in the process (default) or shared, e.g. in Redis.",
        "rate_limit_store(s4e::ratelimit::MemoryStore::new())";
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
        let (request, mut mode) = self.with_mode(Async);
        // The body keeps arriving, and its stall timer keeps running, while
        // the writer works.
        mode.drive_in_background();
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

impl<T: LongRunning> Wait<T, Blocking> {
    /// Waits, blocking the calling thread, and returns the final value.
    ///
    /// ```no_run
    /// # fn demo(client: s4e::blocking::Client) -> s4e::Result<()> {
    /// use std::time::Duration;
    /// let scan = client.scans().wait("sc-44021").timeout(Duration::from_secs(600)).send()?;
    /// let execution = client
    ///     .actions()
    ///     .wait_execution("act-block-ip", "exec-7781")
    ///     .timeout(Duration::from_secs(60))
    ///     .send()?;
    /// # Ok(()) }
    /// ```
    pub fn send(self) -> Result<T> {
        let (wait, mode) = self.with_mode(Async);
        mode.run_call(wait.send())
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
        if self.concurrency > 1 {
            // Its page requests in flight progress between two items.
            self.mode.drive_in_background();
        }
        let mode = self.mode.clone();
        mode.next_item(self.items_mut()).unwrap_or_else(|e| {
            // Called where it cannot block: this error is the end.
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
        if self.concurrency > 1 {
            self.mode.drive_in_background();
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

    /// The thread that runs a task spawned from a call.
    fn thread_of_a_spawned_task(blocking: &Blocking) -> ThreadId {
        blocking
            .run(async { tokio::spawn(async { thread::current().id() }).await })
            .unwrap()
            .unwrap()
    }

    #[test]
    fn calls_run_on_the_calling_thread_unless_an_iterator_works_in_the_background() {
        let blocking = Blocking::start().unwrap();
        let caller = thread::current().id();
        // No hand-off: the call and the tasks it spawns run here.
        assert_eq!(thread_of_a_spawned_task(&blocking), caller);

        let mut iterator = blocking.clone();
        iterator.drive_in_background();
        // The helper drives the runtime: a task spawned now progresses while
        // no caller is inside a call.
        let (sent, arrived) = std::sync::mpsc::channel();
        blocking
            .run(async move {
                tokio::spawn(async move {
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                    let _ = sent.send(thread::current().id());
                });
            })
            .unwrap();
        let ran_on = arrived
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the spawned task ran without a caller");
        assert_eq!(ran_on, blocking.owner.helper_id);

        // Once the last background iterator is gone, the helper lets go of
        // the runtime and calls run on the calling thread again.
        drop(iterator);
        let back = (0..1_000).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(1));
            thread_of_a_spawned_task(&blocking) == caller
        });
        assert!(back, "the helper kept the runtime");
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
