//! Client settings: defaults, the environment, validation, and the one-time
//! construction of the HTTP client.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};

use crate::client::Client;
pub use crate::http::budget::{DEFAULT_DEADLINE, DEFAULT_DOWNLOAD_DEADLINE};
pub use crate::http::engine::AuthScheme;
use crate::http::engine::Engine;
use crate::http::hooks::{Hooks, user_header};
use crate::http::origin::{Origin, is_loopback};
use crate::http::pacing::Pacer;
use crate::http::retry::Backoff;
use crate::http::retry_quota::RetryQuota;
use crate::ratelimit::sealed::AnyStore;
use crate::ratelimit::{RateLimitStore, Scope};
use crate::{ApiKey, Error, Result};

/// The public S4E API.
pub const DEFAULT_BASE_URL: &str = "https://api.s4e.io/v1";
/// How long one attempt may take, headers and body; see
/// [`ClientBuilder::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Retries after the first attempt.
pub const DEFAULT_RETRIES: u32 = 3;
/// The largest JSON answer read into memory (64 MiB); exports stream without
/// a limit.
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 64 * 1024 * 1024;
/// The tokens of a client's retry quota (see
/// [`ClientBuilder::retry_quota`]): a retry takes 5 (10 after a timeout), a
/// success gives back what its retries took, or 1. 500 pays for 100 retries
/// in a row while every call fails.
pub const DEFAULT_RETRY_QUOTA: u32 = 500;

/// Configures and builds a [`Client`]. The blocking client has the same
/// setters on `s4e::blocking::ClientBuilder` (from
/// `s4e::blocking::Client::builder`), which wraps this one; or finish this
/// one with `build_blocking()`.
///
/// ```no_run
/// use std::time::Duration;
///
/// let client = s4e::Client::builder("sk_live_...")
///     .base_url("https://s4e.corp.example/api/v1")
///     .timeout(Duration::from_secs(10))
///     .retries(5)
///     .build()?;
/// # Ok::<(), s4e::Error>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    api_key: ApiKey,
    base_url: String,
    timeout: Duration,
    deadline: Option<Duration>,
    retries: u32,
    proxy: Option<String>,
    auth_scheme: AuthScheme,
    user_agent_suffix: Option<String>,
    ca_certificates: Vec<Vec<u8>>,
    backoff: Backoff,
    max_response_size: u64,
    allow_http: bool,
    rate_limit_pacing: bool,
    /// `None`: the client's own in-process store.
    rate_limit_store: Option<AnyStore>,
    retry_quota: Option<u32>,
    /// As given: checked by `build`, so that a setter never fails.
    default_headers: Vec<(String, String)>,
    hooks: Hooks,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("retries", &self.retries)
            .field("proxy", &self.proxy.as_deref().map(redact_userinfo))
            .field("auth_scheme", &self.auth_scheme)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("ca_certificates", &self.ca_certificates.len())
            .field("rate_limit_pacing", &self.rate_limit_pacing)
            .field("rate_limit_store", &self.rate_limit_store)
            .field("retry_quota", &self.retry_quota)
            .field(
                "default_headers",
                &self
                    .default_headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("hooks", &self.hooks)
            .finish_non_exhaustive()
    }
}

/// Hides `user:password@` in a URL.
fn redact_userinfo(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***@{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

impl ClientBuilder {
    pub(crate) fn new(api_key: impl Into<ApiKey>) -> Self {
        ClientBuilder {
            api_key: api_key.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            deadline: None,
            retries: DEFAULT_RETRIES,
            proxy: None,
            auth_scheme: AuthScheme::Bearer,
            user_agent_suffix: None,
            ca_certificates: Vec::new(),
            backoff: Backoff::default(),
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            allow_http: false,
            rate_limit_pacing: true,
            rate_limit_store: None,
            retry_quota: Some(DEFAULT_RETRY_QUOTA),
            default_headers: Vec::new(),
            hooks: Hooks::default(),
        }
    }

    /// Settings from `S4E_API_KEY` (required), `S4E_BASE_URL`, `S4E_TIMEOUT`
    /// (seconds), `S4E_RETRIES` and `S4E_PROXY`.
    ///
    /// ```no_run
    /// let client = s4e::ClientBuilder::from_env()?.retries(1).build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let key = set("S4E_API_KEY")
            .ok_or_else(|| Error::config("S4E_API_KEY is not set; export your API key in it"))?;
        let mut builder = ClientBuilder::new(key);
        if let Some(url) = set("S4E_BASE_URL") {
            builder = builder.base_url(url.trim());
        }
        if let Some(text) = set("S4E_TIMEOUT") {
            let seconds = text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
                .ok_or_else(|| {
                    Error::config(format!(
                        "S4E_TIMEOUT must be a positive number of seconds, got `{text}`"
                    ))
                })?;
            builder = builder.timeout(Duration::from_secs_f64(seconds));
        }
        if let Some(text) = set("S4E_RETRIES") {
            let retries = text.trim().parse::<u32>().map_err(|_| {
                Error::config(format!(
                    "S4E_RETRIES must be a whole number of retries, got `{text}`"
                ))
            })?;
            builder = builder.retries(retries);
        }
        if let Some(proxy) = set("S4E_PROXY") {
            builder = builder.proxy(proxy.trim());
        }
        Ok(builder)
    }

    /// The API root, e.g. `https://s4e.corp.example/api/v1` for an on-premises
    /// instance. Default `https://api.s4e.io/v1`.
    ///
    /// ```
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .base_url("https://s4e.corp.example/api/v1/")
    ///     .build()?;
    /// assert_eq!(client.base_url(), "https://s4e.corp.example/api/v1");
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// How long one attempt may take, from sending to the end of the body
    /// (the redirects a `GET` follows included). For a streamed download it
    /// bounds the wait for the headers, and the body must then keep moving:
    /// at least 16 KiB per `timeout` (see
    /// [`Request::write_to`](crate::Request::write_to)). Default 30 s. Zero
    /// is refused by [`build`](Self::build).
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = s4e::Client::builder("sk_live_...").timeout(Duration::from_secs(10)).build()?;
    /// let zero = s4e::Client::builder("sk_live_...").timeout(Duration::ZERO).build();
    /// assert!(matches!(zero, Err(s4e::Error::Config(_))));
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long one call may take in all: every attempt, every wait between
    /// attempts and, for a streamed download, the whole transfer. Past it the
    /// call ends with [`Error::Timeout`] holding this duration; a retry whose
    /// wait would end past it is not made, and the call returns the error of
    /// the last attempt at once. A request's own
    /// [`deadline`](crate::Request::deadline) overrides it. Default:
    /// [`DEFAULT_DEADLINE`] (5 min) for calls and
    /// [`DEFAULT_DOWNLOAD_DEADLINE`] (1 h) for streamed downloads; set here,
    /// it applies to both. Zero is refused by [`build`](Self::build).
    ///
    /// ```
    /// use std::time::Duration;
    /// // No call of this client, retries and downloads included, runs past 2 minutes.
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .deadline(Duration::from_secs(120))
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How many times a failed call is retried when that is safe. Default 3.
    ///
    /// ```
    /// // Fail fast: no retry at all.
    /// let client = s4e::Client::builder("sk_live_...").retries(0).build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Sends every request through this HTTP(S) proxy. Default: no proxy, and
    /// the `HTTP_PROXY`-style variables are ignored.
    ///
    /// ```
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .proxy("http://proxy.corp.example:3128")
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// `Authorization: Bearer` (default) or `X-API-Key`.
    ///
    /// ```
    /// use s4e::AuthScheme;
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .auth_scheme(AuthScheme::ApiKeyHeader)
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn auth_scheme(mut self, scheme: AuthScheme) -> Self {
        self.auth_scheme = scheme;
        self
    }

    /// Text appended to the `User-Agent` (`s4e-rust/<version> <suffix>`).
    ///
    /// ```
    /// // Sends `User-Agent: s4e-rust/<version> inventory-sync/2.1`.
    /// let client = s4e::Client::builder("sk_live_...").user_agent("inventory-sync/2.1").build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn user_agent(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Trusts this PEM certificate (or bundle) in addition to the system roots,
    /// for an on-premises instance behind a private CA.
    ///
    /// ```no_run
    /// let pem = std::fs::read("/etc/ssl/corp-root-ca.pem")?;
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .base_url("https://s4e.corp.example/api/v1")
    ///     .ca_certificate(pem)
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn ca_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.ca_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// Backoff between retries: the first wait is at most `initial`, doubling
    /// up to `max` (full jitter). Defaults 500 ms and 30 s.
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .backoff(Duration::from_millis(200), Duration::from_secs(5))
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.backoff.initial = initial;
        self.backoff.max = max;
        self
    }

    /// The longest wait the client accepts before a retry, including a
    /// server's `Retry-After`; above it the error is returned at once.
    /// Default 60 s.
    ///
    /// ```
    /// use std::time::Duration;
    /// // A `Retry-After` above 10 s returns the rate-limit error instead of waiting.
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .max_retry_wait(Duration::from_secs(10))
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn max_retry_wait(mut self, ceiling: Duration) -> Self {
        self.backoff.ceiling = ceiling;
        self
    }

    /// The largest JSON answer the client reads into memory; a larger one is
    /// [`Error::ResponseTooLarge`] instead of an out-of-memory. Default 64 MiB.
    /// Exports stream to your writer and have no limit.
    ///
    /// ```no_run
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .max_response_size(8 * 1024 * 1024)
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Allows a plain `http://` base URL to a host that is not loopback.
    /// Refused by default, because the API key would cross the network in
    /// clear text; `http://localhost` and `http://127.0.0.1` are always
    /// allowed.
    ///
    /// ```no_run
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .base_url("http://s4e.lab.internal/api/v1")
    ///     .allow_http(true)
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Paces calls to the server's rate limit. On (the default), when the
    /// latest `X-RateLimit-*` headers say that nothing remains until the
    /// window's reset, a call waits for the reset instead of being sent to
    /// collect a `429`. Requests in flight count against what remains, so
    /// concurrent calls share the window; after a reset one request goes
    /// first and its answer lets the others go.
    ///
    /// The wait is bounded: a reset further away than
    /// [`max_retry_wait`](Self::max_retry_wait), or one that would pass the
    /// call's [`deadline`](Self::deadline), ends the call at once with
    /// [`Error::RateLimit`] (its [`retry_after`](Error::retry_after) says
    /// when the window resets), without sending anything. Pacing follows
    /// the client-wide limit (the largest `X-RateLimit-Limit` of the
    /// window); tighter limits of single endpoints (scan creation, export)
    /// still answer `429`. Off, every call is sent at once; the state stays
    /// readable with [`Client::rate_limit`].
    ///
    /// ```
    /// // Send every call at once and handle the 429s yourself.
    /// let client = s4e::Client::builder("sk_live_...").rate_limit_pacing(false).build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn rate_limit_pacing(mut self, enabled: bool) -> Self {
        self.rate_limit_pacing = enabled;
        self
    }

    /// Where pacing keeps the rate-limit window: by default each client
    /// keeps its own in the process. Clients given clones of one store share
    /// one window per API key and base URL; with a
    /// `s4e::ratelimit::RedisStore` (feature `redis`), so do
    /// clients in any number of processes on any number of machines. The
    /// store holds a digest of the key, never the key.
    ///
    /// ```
    /// let store = s4e::ratelimit::MemoryStore::new();
    /// let client = s4e::Client::builder("sk_live_...").rate_limit_store(store).build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn rate_limit_store(mut self, store: impl RateLimitStore) -> Self {
        self.rate_limit_store = Some(store.into_any());
        self
    }

    /// The retry quota: a bucket of tokens shared by all clones of the
    /// client that every retry draws on, so that a server failing every
    /// request does not get each call's retries on top. A retry takes 5
    /// tokens (10 after a timeout); a call that succeeds gives back what its
    /// retries took, or 1 when it needed none, up to the capacity. When the
    /// bucket cannot pay for a retry, the call returns its last error at
    /// once. First attempts never wait on the quota, and a request's
    /// [`retries`](crate::Request::retries) still caps its own retries.
    /// Default [`DEFAULT_RETRY_QUOTA`] (500 tokens); `None` turns the quota
    /// off.
    ///
    /// ```
    /// // At most 10 retries in a row across the client while every call fails.
    /// let client = s4e::Client::builder("sk_live_...").retry_quota(Some(50)).build()?;
    /// // No quota: each call retries up to its own `retries`.
    /// let unlimited = s4e::Client::builder("sk_live_...").retry_quota(None).build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn retry_quota(mut self, tokens: Option<u32>) -> Self {
        self.retry_quota = tokens;
        self
    }

    /// A header sent with every request to the API, e.g. a tenant or a
    /// gateway's routing header; a later call with the same name replaces
    /// the value. Like the key, default headers go to the base URL's origin
    /// only, never along a redirect elsewhere. A request hook
    /// ([`on_request`](Self::on_request)) sees them and may still change
    /// them.
    ///
    /// [`build`](Self::build) refuses an invalid name or value, and the
    /// headers the SDK owns (`Authorization`, `X-API-Key`,
    /// `Idempotency-Key`, `Content-Type`, and the framing headers `Host`,
    /// `Content-Length`, `Transfer-Encoding`, `Connection`), with
    /// [`Error::Config`]: a default header cannot break authentication or
    /// the safety of writes.
    ///
    /// ```
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .default_header("X-Tenant", "acme-eu")
    ///     .build()?;
    ///
    /// let refused = s4e::Client::builder("sk_live_...")
    ///     .default_header("Authorization", "Bearer someone-else")
    ///     .build();
    /// assert!(matches!(refused, Err(s4e::Error::Config(_))));
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Calls `hook` with each attempt just before it is sent (retries
    /// included): its method, URL template, full URL, attempt number and
    /// headers, never the key. The hook may add, replace or remove headers
    /// ([`OutgoingRequest::set_header`](crate::OutgoingRequest::set_header)),
    /// except those the SDK owns. Several hooks run in the order they were
    /// set.
    ///
    /// The hook runs on the task making the call (for the blocking client,
    /// on its runtime thread), so it should be quick and must not block. A
    /// hook that panics does not end the call and poisons nothing: the panic
    /// is caught, logged at WARN under the `s4e` target, and the attempt goes
    /// out without that hook's changes.
    ///
    /// ```
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .on_request(|request| {
    ///         // The tenant of the job this process serves.
    ///         let _ = request.set_header("X-Tenant", "acme-eu");
    ///         println!("{} {} (attempt {})", request.method(), request.url(), request.attempt());
    ///     })
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn on_request(
        mut self,
        hook: impl Fn(&mut crate::OutgoingRequest<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.add_request_hook(hook);
        self
    }

    /// Calls `hook` when each attempt ends, with its outcome: the status (or
    /// the error), the duration, the attempt number and the request id.
    /// Enough to record metrics or log to your own system; see
    /// [`AttemptOutcome`](crate::AttemptOutcome). Several hooks run in the
    /// order they were set.
    ///
    /// The hook runs on the task making the call, before any retry wait, so
    /// it should be quick and must not block. A hook that panics does not end
    /// the call and poisons nothing: the panic is caught and logged at WARN
    /// under the `s4e` target.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    ///
    /// let failures = Arc::new(AtomicU64::new(0));
    /// let counter = failures.clone();
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .on_response(move |outcome| {
    ///         if !outcome.is_success() {
    ///             counter.fetch_add(1, Ordering::Relaxed);
    ///         }
    ///     })
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn on_response(
        mut self,
        hook: impl Fn(&crate::AttemptOutcome<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.add_response_hook(hook);
        self
    }

    /// Checks every setting and builds the client. All the parsing happens
    /// here, once.
    ///
    /// ```
    /// let client = s4e::Client::builder("sk_live_...").build()?;
    /// assert_eq!(client.base_url(), s4e::DEFAULT_BASE_URL);
    ///
    /// let err = s4e::Client::builder("sk_live_...").base_url("ftp://example.com").build();
    /// assert!(matches!(err, Err(s4e::Error::Config(_))));
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn build(self) -> Result<Client> {
        if self.api_key.is_blank() {
            return Err(Error::config("api_key is empty; pass your S4E API key"));
        }
        let base_url = parse_base_url(&self.base_url, self.allow_http)?;
        if self.timeout.is_zero() {
            return Err(Error::config("timeout must be greater than zero"));
        }
        if self.deadline.is_some_and(|d| d.is_zero()) {
            return Err(Error::config("deadline must be greater than zero"));
        }
        if self.backoff.initial > self.backoff.max {
            return Err(Error::config(
                "backoff initial delay must not exceed its maximum",
            ));
        }

        let mut user_agent = format!("s4e-rust/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = &self.user_agent_suffix {
            user_agent.push(' ');
            user_agent.push_str(suffix);
        }
        let user_agent = HeaderValue::from_str(&user_agent).map_err(|_| {
            Error::config("user_agent contains characters not allowed in an HTTP header")
        })?;

        let (auth_name, auth_value) = match self.auth_scheme {
            AuthScheme::Bearer => (
                header::AUTHORIZATION,
                format!("Bearer {}", self.api_key.expose()),
            ),
            AuthScheme::ApiKeyHeader => (
                HeaderName::from_static("x-api-key"),
                self.api_key.expose().to_owned(),
            ),
        };
        let mut auth_value = HeaderValue::from_str(&auth_value).map_err(|_| {
            Error::config("api_key contains characters not allowed in an HTTP header")
        })?;
        auth_value.set_sensitive(true);

        // The key is not a default header: the transport adds it to each
        // request that goes to the base URL's origin, and leaves it off a
        // redirect elsewhere.
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(header::USER_AGENT, user_agent);
        let mut hooks = self.hooks;
        for (name, value) in &self.default_headers {
            let (name, value) =
                user_header(name, value, "default header").map_err(Error::config)?;
            hooks.default_headers.insert(name, value);
        }

        // reqwest's redirect policy is per client and does not see the
        // method or control the headers of the next hop; the transport
        // follows redirects itself (GET only), so reqwest follows none.
        let mut http = reqwest::Client::builder()
            .default_headers(headers.clone())
            .connect_timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .tls_backend_preconfigured(tls_config(&self.ca_certificates)?);
        http = match &self.proxy {
            Some(url) => {
                let proxy = reqwest::Proxy::all(url.as_str()).map_err(|_| {
                    Error::config(format!(
                        "proxy `{}` is not a valid proxy URL",
                        redact_userinfo(url)
                    ))
                })?;
                http.proxy(proxy)
            }
            None => http.no_proxy(),
        };
        let http = http
            .build()
            .map_err(|e| Error::config(format!("the HTTP client could not be built: {e}")))?;

        let origin = Origin::of(
            &reqwest::Url::parse(&base_url).map_err(|e| Error::config(format!("base_url: {e}")))?,
        );
        let rate_limit_scope = Scope::new(&base_url, self.api_key.expose());
        Ok(Client::from_engine(Arc::new(Engine {
            http,
            base_url,
            origin,
            auth: (auth_name, auth_value),
            auth_scheme: self.auth_scheme,
            allow_http: self.allow_http,
            timeout: self.timeout,
            deadline: self.deadline,
            retries: self.retries,
            backoff: self.backoff,
            max_response_size: self.max_response_size,
            pacer: Pacer::new(
                self.rate_limit_pacing,
                self.rate_limit_store.unwrap_or_default(),
                rate_limit_scope,
            ),
            retry_quota: RetryQuota::new(self.retry_quota),
            sdk_headers: headers,
            hooks,
            api_key: self.api_key,
        })))
    }
}

/// Validates the base URL and returns it without a trailing slash, ready for
/// paths to be appended.
fn parse_base_url(text: &str, allow_http: bool) -> Result<String> {
    let url = reqwest::Url::parse(text.trim())
        .map_err(|e| Error::config(format!("base_url `{text}` is not a valid URL: {e}")))?;
    match url.scheme() {
        "https" | "http" => {}
        other => {
            return Err(Error::config(format!(
                "base_url must use http or https, not `{other}`"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::config(format!("base_url `{text}` has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "base_url `{text}` must not have a query or fragment"
        )));
    }
    if url.scheme() == "http" && !allow_http && !is_loopback(&url) {
        return Err(Error::config(format!(
            "base_url `{text}` is plain http to a host that is not loopback, so the API key would cross the network unencrypted; use https, or opt in with allow_http(true)"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "base_url must not carry credentials; pass the API key to the builder",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// rustls with the ring provider, the platform's roots and the caller's CAs.
fn tls_config(pems: &[Vec<u8>]) -> Result<rustls::ClientConfig> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;

    let mut extra = Vec::new();
    for pem in pems {
        let before = extra.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            extra.push(
                cert.map_err(|e| Error::config(format!("ca_certificate is not valid PEM: {e}")))?,
            );
        }
        if extra.len() == before {
            return Err(Error::config(
                "ca_certificate holds no `BEGIN CERTIFICATE` block",
            ));
        }
    }
    // rustls 0.23.48 deprecates ring's provider: ring has no post-quantum key
    // exchange. ring stays the provider for now because the alternative,
    // aws-lc-rs, compiles the AWS-LC C library (minutes of a cold build, and
    // extra toolchain requirements on some platforms) for every user of the
    // SDK; the deprecation says nothing is wrong with ring's algorithms.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = if extra.is_empty() {
        rustls_platform_verifier::Verifier::new(provider.clone())
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
    }
    .map_err(|e| Error::config(format!("ca_certificate could not be used: {e}")))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::config(format!("TLS setup failed: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn config_message(result: Result<impl std::fmt::Debug>) -> String {
        match result {
            Err(Error::Config(message)) => message,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let b = ClientBuilder::new("k");
        assert_eq!(b.base_url, DEFAULT_BASE_URL);
        assert_eq!(b.timeout, Duration::from_secs(30));
        assert_eq!(b.retries, 3);
        assert_eq!(b.deadline, None);
        assert!(b.proxy.is_none());
        assert_eq!(b.auth_scheme, AuthScheme::Bearer);
    }

    #[test]
    fn environment() {
        let b = ClientBuilder::from_lookup(env(&[
            ("S4E_API_KEY", "k"),
            ("S4E_BASE_URL", "http://127.0.0.1:9/v1"),
            ("S4E_TIMEOUT", "2.5"),
            ("S4E_RETRIES", "7"),
            ("S4E_PROXY", "http://127.0.0.1:3128"),
        ]))
        .unwrap();
        assert_eq!(b.base_url, "http://127.0.0.1:9/v1");
        assert_eq!(b.timeout, Duration::from_millis(2500));
        assert_eq!(b.retries, 7);
        assert_eq!(b.proxy.as_deref(), Some("http://127.0.0.1:3128"));
        assert!(config_message(ClientBuilder::from_lookup(env(&[]))).contains("S4E_API_KEY"));
        let bad = ClientBuilder::from_lookup(env(&[("S4E_API_KEY", "k"), ("S4E_TIMEOUT", "soon")]));
        assert!(config_message(bad).contains("S4E_TIMEOUT"));
        let bad = ClientBuilder::from_lookup(env(&[("S4E_API_KEY", "k"), ("S4E_RETRIES", "-1")]));
        assert!(config_message(bad).contains("S4E_RETRIES"));
    }

    #[test]
    fn invalid_settings_name_the_setting() {
        let msg = config_message(ClientBuilder::new(" ").build());
        assert!(msg.contains("api_key"), "{msg}");
        let msg = config_message(ClientBuilder::new("k").base_url("not a url").build());
        assert!(msg.contains("base_url"), "{msg}");
        let msg = config_message(ClientBuilder::new("k").base_url("ftp://x/v1").build());
        assert!(msg.contains("base_url") && msg.contains("ftp"), "{msg}");
        let msg = config_message(ClientBuilder::new("k").timeout(Duration::ZERO).build());
        assert!(msg.contains("timeout"), "{msg}");
        let msg = config_message(ClientBuilder::new("k").deadline(Duration::ZERO).build());
        assert!(msg.contains("deadline"), "{msg}");
        let msg = config_message(ClientBuilder::new("k").proxy("::nope").build());
        assert!(msg.contains("proxy"), "{msg}");
        let msg = config_message(ClientBuilder::new("k").ca_certificate("junk").build());
        assert!(msg.contains("ca_certificate"), "{msg}");
        let msg = config_message(ClientBuilder::new("k\nx").build());
        assert!(msg.contains("api_key") && !msg.contains("k\nx"), "{msg}");
    }

    #[test]
    fn base_url_loses_its_trailing_slash() {
        assert_eq!(
            parse_base_url("https://a.example/v1/", false).unwrap(),
            "https://a.example/v1"
        );
        assert!(parse_base_url("https://a.example/v1?x=1", false).is_err());
        assert!(parse_base_url("https://u:p@a.example/v1", false).is_err());
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        for ok in [
            "http://localhost:8080/v1",
            "http://127.0.0.1/v1",
            "http://127.8.9.1/v1",
            "http://[::1]:9/v1",
        ] {
            assert!(parse_base_url(ok, false).is_ok(), "{ok}");
        }
        let msg = config_message(parse_base_url("http://s4e.corp.example/v1", false));
        assert!(
            msg.contains("allow_http") && msg.contains("base_url"),
            "{msg}"
        );
        assert!(parse_base_url("http://10.0.0.5/v1", false).is_err());
        assert!(parse_base_url("http://s4e.corp.example/v1", true).is_ok());
    }

    #[test]
    fn debug_redacts_key_and_proxy_credentials() {
        let b = ClientBuilder::new("sk_secret").proxy("http://user:hunter2@proxy:3128");
        let text = format!("{b:?}");
        assert!(
            !text.contains("sk_secret") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(text.contains("***@proxy:3128"), "{text}");
    }
}
