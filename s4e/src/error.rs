//! The one error type of the SDK, ordered by how far the request got.

use std::time::Duration;

/// `Result<T, s4e::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong with a call.
///
/// Variants are ordered by how far the request got: never sent (`Config`,
/// `InvalidRequest`), maybe sent (`Connect`, `Transport`, `Timeout`), answered
/// but not understood (`Decode`), refused by the server (`Auth`, `NotFound`,
/// `Validation`, `RateLimit`, `Api`). Third-party errors are kept as
/// [`source()`](std::error::Error::source), never as public fields.
///
/// Its `Debug` is its message, with the status, code and request id of an
/// answer, so that `fn main() -> s4e::Result<()>` prints a readable line;
/// `{:#?}` lists the same facts field by field.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A client setting is invalid; the message names it.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// A request could not be built from the values given; nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// No connection could be made; the request was not sent.
    #[error("could not connect to the S4E API: {message}")]
    Connect {
        /// What failed, without secrets.
        message: String,
        /// The underlying error.
        #[source]
        source: Source,
    },

    /// The connection failed after the request may have been sent.
    #[error("transport error talking to the S4E API: {message}")]
    Transport {
        /// What failed, without secrets.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Source>,
    },

    /// No complete answer arrived in time: an attempt outlasted the
    /// per-attempt timeout (the value is that timeout), the call outlasted
    /// its deadline (the value is the deadline), or a download stalled (the
    /// value is the timeout; see
    /// [`Request::write_to`](crate::Request::write_to)).
    #[error("request timed out after {0:?}")]
    Timeout(Duration),

    /// The answer was larger than the configured limit
    /// ([`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size));
    /// it was not read further.
    #[error(
        "the response body is larger than the {limit}-byte limit; raise it with ClientBuilder::max_response_size"
    )]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: u64,
    },

    /// The call ended on a redirect that the client did not follow; the
    /// server answered, but not with the resource. Never retried: the same
    /// request would meet the same redirect.
    ///
    /// Only `GET` follows redirects (at most 10 in a row, the key only to the
    /// base URL's origin); see [`RedirectReason`] for the rest. Match it with
    /// `..`: more fields may come.
    #[error("redirect not followed: HTTP {status}{} ({reason})", location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default())]
    Redirect {
        /// The redirect status (301, 302, 303, 307 or 308).
        status: u16,
        /// Where the server pointed, resolved against the request's URL and
        /// without any `user:password@`; `None` when the answer had no usable
        /// `Location`.
        location: Option<String>,
        /// Why it was not followed.
        reason: RedirectReason,
    },

    /// A 2xx answer whose body could not be decoded.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// Writing an export to the caller's writer failed.
    #[error("writing the download failed: {0}")]
    Io(#[from] std::io::Error),

    /// 401 or 403: the key is missing, wrong, or not allowed to do this.
    #[error("authentication failed: {0}")]
    Auth(ApiError),

    /// 404: the resource does not exist.
    #[error("not found: {0}")]
    NotFound(ApiError),

    /// 422: the server rejected the input; see [`ApiError::details`].
    #[error("validation failed: {0}")]
    Validation(ApiError),

    /// 429: too many requests; see [`Error::retry_after`]. Also the error of
    /// a call that rate-limit pacing did not send because the window resets
    /// later than [`max_retry_wait`](crate::ClientBuilder::max_retry_wait) or
    /// the call's deadline allows to wait (see
    /// [`ClientBuilder::rate_limit_pacing`](crate::ClientBuilder::rate_limit_pacing));
    /// it has no [`request_id`](Error::request_id).
    #[error("rate limited: {0}")]
    RateLimit(ApiError),

    /// Any other non-2xx answer (5xx and the rest).
    #[error("API error: {0}")]
    Api(ApiError),

    /// Auto-pagination stopped because the server's pages made no sense (see
    /// [`PaginationError`]). The items before it were yielded. Not retryable.
    #[error("auto-pagination stopped: {0}")]
    Pagination(PaginationError),
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.alternate() {
            let mut fields = f.debug_struct("Error");
            fields.field("kind", &self.kind_name());
            fields.field("message", &self.to_string());
            if let Some(status) = self.status() {
                fields.field("status", &status);
            }
            if let Some(code) = self.code() {
                fields.field("code", &code);
            }
            if let Some(id) = self.request_id() {
                fields.field("request_id", &id);
            }
            if let Some(source) = std::error::Error::source(self) {
                fields.field("source", &source.to_string());
            }
            return fields.finish();
        }
        // The message names the status, code and request id of an answer
        // (see `ApiError`'s Display); a decode error's too.
        write!(f, "{self}")?;
        let mut cause = std::error::Error::source(self);
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

/// What a server did that made auto-pagination stop
/// ([`Error::Pagination`]); see [`Paginator`](crate::Paginator) for the rules.
///
/// ```no_run
/// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
/// use s4e::{Error, PaginationError};
/// match client.findings().list_auto().try_collect::<Vec<_>>().await {
///     Ok(all) => println!("{} findings", all.len()),
///     Err(Error::Pagination(PaginationError::TooManyPages { limit })) => {
///         eprintln!("the list did not end within {limit} pages")
///     }
///     Err(err) => return Err(err),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// The answer's `meta.page` is not the page that was asked for (a server
    /// that ignores `page`, or answers another page).
    #[error("asked for page {requested}, the server answered page {answered}")]
    PageMismatch {
        /// The page the walk asked for.
        requested: u32,
        /// The page the answer says it is.
        answered: u32,
    },

    /// A page brought nothing new: every item on it had been yielded already
    /// (a server that repeats a page).
    #[error("page {page} brought no new item: every item on it was on an earlier page")]
    NoProgress {
        /// The page that repeated earlier items.
        page: u32,
    },

    /// The walk fetched as many pages as it may (what the first page
    /// announced plus a margin, or [`Paginator::max_pages`](crate::Paginator::max_pages))
    /// and the server still said more follow.
    #[error(
        "the server still announced more pages after {limit} pages, the most this walk may fetch"
    )]
    TooManyPages {
        /// The number of pages the walk was allowed to fetch.
        limit: u32,
    },
}

impl Error {
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Error::InvalidRequest(message.into())
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config(message.into())
    }

    /// Sorts a non-2xx answer into its variant.
    pub(crate) fn from_api(api: ApiError) -> Self {
        match api.status() {
            401 | 403 => Error::Auth(api),
            404 => Error::NotFound(api),
            422 => Error::Validation(api),
            429 => Error::RateLimit(api),
            _ => Error::Api(api),
        }
    }

    /// The server's answer, for the variants that have one.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) {
    /// if let Err(err) = client.findings().get("f-91827").await {
    ///     match err.api_error() {
    ///         Some(api) => eprintln!("the server refused: HTTP {} {}", api.status(), api.message()),
    ///         None => eprintln!("no answer from the server: {err}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Auth(e)
            | Error::NotFound(e)
            | Error::Validation(e)
            | Error::RateLimit(e)
            | Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered: the same name as
    /// [`ApiError::status`] and [`ResponseMeta::status`](crate::ResponseMeta::status).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// match client.findings().get("f-91827").await {
    ///     Ok(finding) => println!("{}", finding.title),
    ///     Err(err) if err.status() == Some(404) => println!("no such finding"),
    ///     Err(err) => return Err(err),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Decode(d) => Some(d.status),
            Error::Redirect { status, .. } => Some(*status),
            other => other.api_error().map(ApiError::status),
        }
    }

    /// The former name of [`status`](Error::status).
    #[deprecated(
        since = "0.1.1",
        note = "use `status()`, the name `ApiError` and `ResponseMeta` use too"
    )]
    pub fn status_code(&self) -> Option<u16> {
        self.status()
    }

    /// The API's error code (`validation_failed`, ...), when it sent one.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) {
    /// if let Err(err) = client.assets().delete("a-1001").await {
    ///     if err.code() == Some("forbidden") {
    ///         eprintln!("this API key may not delete assets");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.api_error().and_then(ApiError::code)
    }

    /// The API's error message, or the error's own description.
    ///
    /// ```
    /// let err = s4e::Error::Config("timeout must be greater than zero".into());
    /// assert_eq!(err.message(), "invalid configuration: timeout must be greater than zero");
    /// ```
    pub fn message(&self) -> String {
        match self.api_error() {
            Some(api) => api.message().to_owned(),
            None => self.to_string(),
        }
    }

    /// `X-Request-Id` of the answer, for support tickets.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) {
    /// if let Err(err) = client.findings().list().await {
    ///     eprintln!("{err} (request id: {})", err.request_id().unwrap_or("none"));
    /// }
    /// # }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Decode(d) => d.request_id.as_deref(),
            other => other.api_error().and_then(ApiError::request_id),
        }
    }

    /// The fields the server rejected (the `details` of a 422); empty for
    /// every other error, so it can be called on any.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) {
    /// if let Err(err) = client.assets().create("", s4e::AssetType::Domain).await {
    ///     for problem in err.details() {
    ///         eprintln!("{}: {}", problem.field, problem.message);
    ///     }
    /// }
    /// # }
    /// ```
    pub fn details(&self) -> &[FieldError] {
        self.api_error().map_or(&[], ApiError::details)
    }

    /// How long the server asked to wait (429 `Retry-After` or `retry_after`).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) {
    /// if let Err(err @ s4e::Error::RateLimit(_)) = client.findings().list().await {
    ///     println!("rate limited; the server asks to wait {:?}", err.retry_after());
    /// }
    /// # }
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(ApiError::retry_after)
    }

    /// Whether the failure is transient: connect errors, timeouts, 429, 500,
    /// 502, 503 and 504. Whether a retry is *safe* also depends on the request;
    /// the client decides that itself.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert!(s4e::Error::Timeout(Duration::from_secs(30)).is_retryable());
    /// assert!(!s4e::Error::InvalidRequest("path parameter `id` is empty".into()).is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Connect { .. } | Error::Timeout(_) | Error::Transport { .. } => true,
            Error::RateLimit(_) => true,
            Error::Api(e) => matches!(e.status(), 500 | 502 | 503 | 504),
            _ => false,
        }
    }
}

/// Why a redirect was not followed ([`Error::Redirect`]).
///
/// ```
/// fn explain(err: &s4e::Error) -> Option<String> {
///     match err {
///         s4e::Error::Redirect { status, location, reason, .. } => Some(format!(
///             "HTTP {status} to {}: {reason}",
///             location.as_deref().unwrap_or("(no location)")
///         )),
///         _ => None,
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectReason {
    /// The request was a write (`POST`, `PUT`, `PATCH`, `DELETE`) or carried
    /// a body. Writes never follow a redirect: re-sending one elsewhere, or
    /// turning it into a `GET` as browsers do for 301 and 302, would not do
    /// what was asked.
    Write,
    /// The redirect leads to another origin (scheme, host or port) while the
    /// key travels in `X-API-Key`, a header that must not go there. With
    /// `Authorization: Bearer` the client follows without the key instead.
    CrossOrigin,
    /// The redirect leads to plain `http` on a host that is not loopback,
    /// which the client only talks to with
    /// [`allow_http(true)`](crate::ClientBuilder::allow_http).
    Insecure,
    /// The `Location` header was missing, unreadable, or not an `http(s)` URL.
    InvalidLocation,
    /// More than 10 redirects in a row, most likely a loop.
    TooMany,
}

impl std::fmt::Display for RedirectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RedirectReason::Write => "writes never follow redirects",
            RedirectReason::CrossOrigin => {
                "it leads to another origin and the key travels in X-API-Key"
            }
            RedirectReason::Insecure => {
                "it leads to plain http on a host that is not loopback; see allow_http"
            }
            RedirectReason::InvalidLocation => "no usable http(s) Location",
            RedirectReason::TooMany => "more than 10 redirects in a row",
        })
    }
}

/// One field the server rejected (422 `details`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldError {
    /// The field, as the API names it.
    pub field: String,
    /// Why it was rejected.
    pub message: String,
}

/// The server's answer to a failed call. Its `Debug` is its message, as
/// [`Error`]'s.
#[derive(Clone)]
pub struct ApiError(Box<ApiErrorInner>);

impl std::fmt::Debug for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.alternate() {
            return f
                .debug_struct("ApiError")
                .field("status", &self.0.status)
                .field("code", &self.0.code)
                .field("message", &self.0.message)
                .field("details", &self.0.details)
                .field("request_id", &self.0.request_id)
                .field("retry_after", &self.0.retry_after)
                .finish();
        }
        write!(f, "{self}")
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ApiErrorInner {
    pub(crate) status: u16,
    pub(crate) code: Option<String>,
    pub(crate) message: String,
    pub(crate) details: Vec<FieldError>,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) raw_body: Option<String>,
}

impl ApiError {
    pub(crate) fn new(inner: ApiErrorInner) -> Self {
        ApiError(Box::new(inner))
    }

    /// The HTTP status.
    ///
    /// ```
    /// fn is_forbidden(err: &s4e::Error) -> bool {
    ///     matches!(err, s4e::Error::Auth(api) if api.status() == 403)
    /// }
    /// ```
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// The API's error code, e.g. `not_found`.
    ///
    /// ```
    /// fn is_validation_failure(err: &s4e::Error) -> bool {
    ///     matches!(err, s4e::Error::Validation(api) if api.code() == Some("validation_failed"))
    /// }
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// The API's message, or the start of a non-JSON body.
    ///
    /// ```
    /// fn report(err: &s4e::Error) {
    ///     if let s4e::Error::Api(api) = err {
    ///         eprintln!("the server said: {}", api.message());
    ///     }
    /// }
    /// ```
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Field-level problems of a 422.
    ///
    /// ```
    /// fn report(err: &s4e::Error) {
    ///     if let s4e::Error::Validation(api) = err {
    ///         for problem in api.details() {
    ///             eprintln!("{}: {}", problem.field, problem.message);
    ///         }
    ///     }
    /// }
    /// ```
    pub fn details(&self) -> &[FieldError] {
        &self.0.details
    }

    /// `X-Request-Id` of the answer.
    ///
    /// ```
    /// fn support_reference(err: &s4e::Error) -> Option<&str> {
    ///     err.api_error().and_then(|api| api.request_id())
    /// }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// How long the server asked to wait before trying again.
    ///
    /// ```
    /// use std::time::Duration;
    /// fn wait_before_retry(err: &s4e::Error) -> Option<Duration> {
    ///     match err {
    ///         s4e::Error::RateLimit(api) => Some(api.retry_after().unwrap_or(Duration::from_secs(1))),
    ///         _ => None,
    ///     }
    /// }
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// The body as received (cut to a few hundred bytes) when it was not the
    /// JSON error envelope, e.g. a proxy's HTML page. Only the first 64 KiB
    /// of an error body are read; a longer one still gives its start here.
    ///
    /// ```
    /// fn report(err: &s4e::Error) {
    ///     if let s4e::Error::Api(api) = err {
    ///         if let Some(body) = api.raw_body() {
    ///             eprintln!("HTTP {} with a non-JSON body: {body}", api.status());
    ///         }
    ///     }
    /// }
    /// ```
    pub fn raw_body(&self) -> Option<&str> {
        self.0.raw_body.as_deref()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}", self.0.status)?;
        if let Some(code) = &self.0.code {
            write!(f, " {code}")?;
        }
        let message = &self.0.message;
        write!(f, ": {message}")?;
        for detail in &self.0.details {
            // A message that already names the field and its problem (the
            // API's usual `name: must not be empty` for one field) is not
            // repeated.
            if message.contains(&detail.field) && message.contains(&detail.message) {
                continue;
            }
            write!(f, "; {}: {}", detail.field, detail.message)?;
        }
        if let Some(id) = &self.0.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// A 2xx answer whose body did not match the expected shape.
#[derive(Debug, Clone, thiserror::Error)]
#[error("could not decode the answer at `{path}`: {message} (HTTP {status}{})", request_id.as_ref().map(|id| format!(", request id {id}")).unwrap_or_default())]
#[non_exhaustive]
pub struct DecodeError {
    /// The JSON path that failed (`data[3].severity`), `.` for the root.
    pub path: String,
    /// What serde reported.
    pub message: String,
    /// The HTTP status of the answer.
    pub status: u16,
    /// `X-Request-Id` of the answer.
    pub request_id: Option<String>,
    /// The start of the body, for diagnosis.
    pub body_excerpt: String,
}

impl Error {
    /// A short, low-cardinality name of what went wrong, as OpenTelemetry's
    /// `error.type` wants it: the status code of an answer (`"503"`), else
    /// the kind of failure (`"timeout"`, `"connect"`, ...).
    pub(crate) fn kind_name(&self) -> std::borrow::Cow<'static, str> {
        if let Some(api) = self.api_error() {
            return api.status().to_string().into();
        }
        match self {
            Error::Config(_) => "config",
            Error::InvalidRequest(_) => "invalid_request",
            Error::Connect { .. } => "connect",
            Error::Transport { .. } => "transport",
            Error::Timeout(_) => "timeout",
            Error::ResponseTooLarge { .. } => "response_too_large",
            Error::Redirect { .. } => "redirect",
            Error::Decode(_) => "decode",
            Error::Io(_) => "io",
            Error::Pagination(_) => "pagination",
            // Covered by `api_error` above.
            Error::Auth(_)
            | Error::NotFound(_)
            | Error::Validation(_)
            | Error::RateLimit(_)
            | Error::Api(_) => "api",
        }
        .into()
    }
}

/// Cuts text to at most `max` bytes on a character boundary, marking the cut.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= max {
        return text.into_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> ApiError {
        ApiError::new(ApiErrorInner {
            status,
            code: Some("x".into()),
            message: "m".into(),
            details: vec![],
            request_id: Some("req-1".into()),
            retry_after: None,
            raw_body: None,
        })
    }

    #[test]
    fn statuses_map_to_variants() {
        assert!(matches!(Error::from_api(api(401)), Error::Auth(_)));
        assert!(matches!(Error::from_api(api(403)), Error::Auth(_)));
        assert!(matches!(Error::from_api(api(404)), Error::NotFound(_)));
        assert!(matches!(Error::from_api(api(422)), Error::Validation(_)));
        assert!(matches!(Error::from_api(api(429)), Error::RateLimit(_)));
        assert!(matches!(Error::from_api(api(500)), Error::Api(_)));
        assert!(matches!(Error::from_api(api(409)), Error::Api(_)));
    }

    #[test]
    fn accessors_and_retryability() {
        let e = Error::from_api(api(503));
        assert_eq!(e.status(), Some(503));
        assert_eq!(e.code(), Some("x"));
        assert_eq!(e.request_id(), Some("req-1"));
        assert!(e.is_retryable());
        assert!(!Error::from_api(api(501)).is_retryable());
        assert!(!Error::from_api(api(422)).is_retryable());
        assert!(Error::Timeout(Duration::from_secs(1)).is_retryable());
        assert_eq!(e.to_string(), "API error: HTTP 503 x: m (request id req-1)");
    }

    fn validation(message: &str, details: &[(&str, &str)]) -> Error {
        Error::from_api(ApiError::new(ApiErrorInner {
            status: 422,
            code: Some("validation_failed".into()),
            message: message.into(),
            details: details
                .iter()
                .map(|(field, message)| FieldError {
                    field: (*field).into(),
                    message: (*message).into(),
                })
                .collect(),
            request_id: None,
            retry_after: None,
            raw_body: None,
        }))
    }

    #[test]
    fn a_validation_message_does_not_repeat_its_detail() {
        let one = validation("name: must not be empty", &[("name", "must not be empty")]);
        assert_eq!(
            one.to_string(),
            "validation failed: HTTP 422 validation_failed: name: must not be empty"
        );
        assert_eq!(one.details().len(), 1);
        let two = validation(
            "2 fields are invalid",
            &[("name", "must not be empty"), ("type", "unknown value `x`")],
        );
        assert_eq!(
            two.to_string(),
            "validation failed: HTTP 422 validation_failed: 2 fields are invalid; name: must not be empty; type: unknown value `x`"
        );
        // A message that names the field but not this problem keeps it.
        let other = validation("name is wrong", &[("name", "too long")]);
        assert!(other.to_string().ends_with("name is wrong; name: too long"));
    }

    #[test]
    fn the_error_type_is_the_status_of_a_refusal_else_the_kind_of_failure() {
        assert_eq!(Error::from_api(api(503)).kind_name(), "503");
        assert_eq!(Error::from_api(api(404)).kind_name(), "404");
        assert_eq!(
            Error::Timeout(Duration::from_secs(1)).kind_name(),
            "timeout"
        );
        // A 200 that did not decode is no HTTP error.
        let decode = Error::Decode(Box::new(DecodeError {
            path: ".".into(),
            message: "m".into(),
            status: 200,
            request_id: None,
            body_excerpt: String::new(),
        }));
        assert_eq!(decode.kind_name(), "decode");
        let redirect = Error::Redirect {
            status: 302,
            location: None,
            reason: RedirectReason::Write,
        };
        assert_eq!(redirect.kind_name(), "redirect");
    }

    #[test]
    fn debug_is_the_message_with_status_code_and_request_id() {
        let e = Error::from_api(api(503));
        assert_eq!(
            format!("{e:?}"),
            "API error: HTTP 503 x: m (request id req-1)"
        );
        let alternate = format!("{e:#?}");
        assert!(alternate.contains("status: 503"), "{alternate}");
        assert!(alternate.contains("request_id: \"req-1\""), "{alternate}");
        let connect = Error::Connect {
            message: "connection refused".into(),
            source: "os error 111".into(),
        };
        assert_eq!(
            format!("{connect:?}"),
            "could not connect to the S4E API: connection refused: os error 111"
        );
    }

    #[test]
    fn details_is_empty_where_there_are_none() {
        assert!(Error::Timeout(Duration::from_secs(1)).details().is_empty());
        assert!(Error::from_api(api(404)).details().is_empty());
        assert!(Error::config("x").details().is_empty());
    }

    /// The README's error table has one row per variant: the match makes a
    /// new variant a compile error here until it is added to the list.
    #[test]
    fn the_readme_error_table_lists_every_variant() {
        fn name(e: &Error) -> &'static str {
            match e {
                Error::Config(_) => "Config",
                Error::InvalidRequest(_) => "InvalidRequest",
                Error::Connect { .. } => "Connect",
                Error::Transport { .. } => "Transport",
                Error::Timeout(_) => "Timeout",
                Error::ResponseTooLarge { .. } => "ResponseTooLarge",
                Error::Redirect { .. } => "Redirect",
                Error::Decode(_) => "Decode",
                Error::Io(_) => "Io",
                Error::Auth(_) => "Auth",
                Error::NotFound(_) => "NotFound",
                Error::Validation(_) => "Validation",
                Error::RateLimit(_) => "RateLimit",
                Error::Api(_) => "Api",
                Error::Pagination(_) => "Pagination",
            }
        }
        let every = [
            Error::config("x"),
            Error::invalid_request("x"),
            Error::Connect {
                message: "x".into(),
                source: "x".into(),
            },
            Error::Transport {
                message: "x".into(),
                source: None,
            },
            Error::Timeout(Duration::from_secs(1)),
            Error::ResponseTooLarge { limit: 1 },
            Error::Redirect {
                status: 302,
                location: None,
                reason: RedirectReason::Write,
            },
            Error::Decode(Box::new(DecodeError {
                path: ".".into(),
                message: "x".into(),
                status: 200,
                request_id: None,
                body_excerpt: String::new(),
            })),
            Error::Io(std::io::Error::other("x")),
            Error::Auth(api(401)),
            Error::NotFound(api(404)),
            Error::Validation(api(422)),
            Error::RateLimit(api(429)),
            Error::Api(api(500)),
            Error::Pagination(PaginationError::NoProgress { page: 2 }),
        ];
        let readme = include_str!("../../README.md");
        let table = readme
            .split("## Errors")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("the README has an Errors section");
        for error in &every {
            let row = format!("\n| `{}` |", name(error));
            assert!(table.contains(&row), "README error table lacks {row:?}");
        }
        let rows = table.lines().filter(|l| l.starts_with("| `")).count();
        assert_eq!(rows, every.len(), "one row per variant");
    }

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        assert_eq!(excerpt("héllo".as_bytes(), 2), "h…");
        assert_eq!(excerpt(b"short", 10), "short");
    }

    #[test]
    fn error_is_small() {
        assert!(std::mem::size_of::<Error>() <= 64);
    }
}
