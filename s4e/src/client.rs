//! The async client: one pooled HTTP client and the settings, behind an `Arc`.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::config::{AuthScheme, ClientBuilder};
use crate::endpoint::{Endpoint, Paginated};
use crate::http::hooks::Hooks;
use crate::http::pacing::Pacer;
use crate::http::paginate::Paginator;
use crate::http::rate_limit::RateLimit;
use crate::http::request::{Async, Request};
use crate::http::retry::Backoff;
use crate::http::retry_quota::RetryQuota;
use crate::http::transport::Origin;
use crate::{ApiKey, Result};

/// The asynchronous S4E client.
///
/// Cheap to clone (an `Arc`); clones share one connection pool. Every call
/// starts from a resource handle ([`findings`](Client::findings), ...) or from
/// [`execute`](Client::execute) / [`paginate`](Client::paginate) for endpoints
/// declared with [`#[endpoint]`](macro@crate::endpoint).
///
/// ```no_run
/// # async fn demo() -> s4e::Result<()> {
/// let client = s4e::Client::new("sk_live_...")?;
/// let page = client.findings().list().severity([s4e::Severity::Critical]).await?;
/// println!("{} critical findings", page.total.unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

/// Everything fixed at build time.
pub(crate) struct ClientInner {
    /// Follows no redirect: the transport does, for `GET` only.
    pub(crate) http: reqwest::Client,
    /// Without a trailing slash; endpoint paths start with `/`.
    pub(crate) base_url: String,
    /// The base URL's origin: the only one the key and idempotency keys go to.
    pub(crate) origin: Origin,
    /// The auth header, marked sensitive; added per request, not by default,
    /// so that a redirect elsewhere goes without it.
    pub(crate) auth: (HeaderName, HeaderValue),
    pub(crate) auth_scheme: AuthScheme,
    /// Plain `http` to a host that is not loopback is allowed (redirects too).
    pub(crate) allow_http: bool,
    pub(crate) timeout: Duration,
    /// The client's deadline; `None` means the defaults by kind of call.
    pub(crate) deadline: Option<Duration>,
    pub(crate) retries: u32,
    pub(crate) backoff: Backoff,
    /// The largest JSON body read into memory.
    pub(crate) max_response_size: u64,
    /// The rate-limit state the answers announced and the calls waiting on
    /// it, shared by every clone.
    pub(crate) pacer: Pacer,
    /// The retry budget shared by every clone.
    pub(crate) retry_quota: RetryQuota,
    /// `Accept` and `User-Agent`, as reqwest adds them to every request;
    /// kept here so that a request hook sees them.
    pub(crate) sdk_headers: HeaderMap,
    pub(crate) hooks: Hooks,
    /// Only for taking it out of logged bodies; the auth header carries it.
    pub(crate) api_key: ApiKey,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("timeout", &self.inner.timeout)
            .field("deadline", &self.inner.deadline)
            .field("retries", &self.inner.retries)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn from_inner(inner: Arc<ClientInner>) -> Self {
        Client { inner }
    }

    /// A client with the default settings (`https://api.s4e.io/v1`, 30 s
    /// timeout, 3 retries, 5 min deadline per call).
    ///
    /// ```no_run
    /// let client = s4e::Client::new("sk_live_...")?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn new(api_key: impl Into<ApiKey>) -> Result<Client> {
        ClientBuilder::new(api_key).build()
    }

    /// Starts configuring a client.
    ///
    /// ```no_run
    /// let client = s4e::Client::builder("sk_live_...").retries(0).build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn builder(api_key: impl Into<ApiKey>) -> ClientBuilder {
        ClientBuilder::new(api_key)
    }

    /// A client configured from `S4E_API_KEY`, `S4E_BASE_URL`, `S4E_TIMEOUT`,
    /// `S4E_RETRIES` and `S4E_PROXY`.
    ///
    /// ```no_run
    /// let client = s4e::Client::from_env()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The API root this client talks to.
    ///
    /// ```
    /// let client = s4e::Client::builder("sk_test").base_url("https://s4e.corp.example/api/v1/").build()?;
    /// assert_eq!(client.base_url(), "https://s4e.corp.example/api/v1");
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The rate-limit state the latest answer to this client (or any clone of
    /// it) announced; `None` before the first answer that stated one.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// client.assets().list().await?;
    /// if let Some(limit) = client.rate_limit() {
    ///     println!("{}/{} left", limit.remaining, limit.limit);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.pacer.latest()
    }

    /// Assets: the domains, IPs, URLs and networks S4E monitors.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.assets().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn assets(&self) -> crate::resources::assets::Assets {
        crate::resources::assets::Assets::new(self.clone(), Async)
    }

    /// Scans: vulnerability scans of one asset.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.scans().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn scans(&self) -> crate::resources::scans::Scans {
        crate::resources::scans::Scans::new(self.clone(), Async)
    }

    /// Actions: remediation and notification units of work.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.actions().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn actions(&self) -> crate::resources::actions::Actions {
        crate::resources::actions::Actions::new(self.clone(), Async)
    }

    /// Playbooks: automated response workflows.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.playbooks().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn playbooks(&self) -> crate::resources::playbooks::Playbooks {
        crate::resources::playbooks::Playbooks::new(self.clone(), Async)
    }

    /// Webhooks: event subscriptions.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.webhooks().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn webhooks(&self) -> crate::resources::webhooks::Webhooks {
        crate::resources::webhooks::Webhooks::new(self.clone(), Async)
    }

    /// Findings: discovered vulnerabilities.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let finding = client.findings().get("f-91827").await?;
    /// # Ok(()) }
    /// ```
    pub fn findings(&self) -> crate::resources::findings::Findings {
        crate::resources::findings::Findings::new(self.clone(), Async)
    }

    /// Prepares a call of any endpoint, including your own; `.await` it.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::findings::GetFinding;
    /// let finding = client.execute(GetFinding::new("f-1")).await?;
    /// # Ok(()) }
    /// ```
    pub fn execute<E: Endpoint>(&self, endpoint: E) -> Request<E> {
        Request::new(self.clone(), Async, endpoint)
    }

    /// Streams every item of a paginated endpoint, fetching pages as needed.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::findings::ListFindings;
    /// let all: Vec<s4e::Finding> = client.paginate(ListFindings::default()).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn paginate<E: Paginated>(&self, endpoint: E) -> Paginator<E> {
        Paginator::new(self.clone(), Async, endpoint)
    }
}
