//! The engine's state: what every call reads (the HTTP client, the base URL
//! and key, the limits, the shared pacing and retry budget, the hooks).

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::http::hooks::Hooks;
use crate::http::origin::Origin;
use crate::http::pacing::Pacer;
use crate::http::retry::Backoff;
use crate::http::retry_quota::RetryQuota;
use crate::secret::ApiKey;

/// How the key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AuthScheme {
    /// `Authorization: Bearer <key>` (the default).
    #[default]
    Bearer,
    /// `X-API-Key: <key>`, for deployments that expect it.
    ApiKeyHeader,
}

/// Everything a call needs, fixed when the client is built and shared by
/// every clone of it (behind an `Arc`): the engine's own state. The
/// [`ClientBuilder`](crate::ClientBuilder) builds it; the client and every
/// request, paginator and wait hold it.
pub(crate) struct Engine {
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
