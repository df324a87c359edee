//! User hooks: default headers, and closures that see (and may adjust) each
//! outgoing attempt and see each attempt's outcome. Only the SDK's own types
//! cross this boundary, and never the key.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::endpoint::Method;
use crate::meta::Headers;
use crate::{Error, Result};

/// Headers neither [`ClientBuilder::default_header`](crate::ClientBuilder::default_header)
/// nor a request hook may set: the credentials, the idempotency key and the
/// body's type are the SDK's (changing them would break authentication or
/// make a write unsafe to retry), and the rest are the connection's framing.
const PROTECTED: &[&str] = &[
    "authorization",
    "x-api-key",
    "idempotency-key",
    "content-type",
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
];

/// Whether `name` (lower case) is one of [`PROTECTED`].
fn is_protected(name: &HeaderName) -> bool {
    PROTECTED.contains(&name.as_str())
}

/// Parses a header a user wants to send; `what` says where it came from. The
/// error is the message: a config error at build, a request error in a hook.
pub(crate) fn user_header(
    name: &str,
    value: &str,
    what: &str,
) -> std::result::Result<(HeaderName, HeaderValue), String> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{what} `{name}` is not a valid header name"))
        .and_then(|parsed| {
            if is_protected(&parsed) {
                Err(format!(
                    "{what} `{name}` is set by the SDK and cannot be replaced"
                ))
            } else {
                Ok(parsed)
            }
        })
        .and_then(|parsed| {
            HeaderValue::from_str(value)
                .map(|value| (parsed, value))
                .map_err(|_| {
                    format!("{what} `{name}` has a value with characters not allowed in a header")
                })
        })
}

/// An attempt about to be sent, as a request hook sees it
/// ([`ClientBuilder::on_request`](crate::ClientBuilder::on_request)).
///
/// The headers are those the SDK sends, without the API key: `Accept`,
/// `User-Agent`, default headers, the endpoint's own headers and, on writes,
/// `Content-Type` and `Idempotency-Key`. A hook may add, replace or remove
/// any of them but the protected ones (`Authorization`, `X-API-Key`,
/// `Idempotency-Key`, `Content-Type`, and the framing headers `Host`,
/// `Content-Length`, `Transfer-Encoding`, `Connection`).
#[derive(Debug)]
pub struct OutgoingRequest<'a> {
    pub(crate) method: Method,
    pub(crate) url_template: &'static str,
    pub(crate) url: &'a str,
    pub(crate) attempt: u32,
    pub(crate) headers: Headers,
}

impl OutgoingRequest<'_> {
    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The endpoint's path template, e.g. `/findings/{id}`: one value per
    /// endpoint, fit for a metric label.
    pub fn url_template(&self) -> &'static str {
        self.url_template
    }

    /// The full URL, with path and query (it holds no credentials: the key
    /// travels in a header).
    pub fn url(&self) -> &str {
        self.url
    }

    /// The attempt's number: 1 for the first, 2 for the first retry, ...
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The headers as they will be sent, without the key.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// Sets `name` to `value`, replacing any value it had. A protected name
    /// or an invalid name or value is refused with
    /// [`Error::InvalidRequest`] and changes nothing.
    ///
    /// ```
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .on_request(|request| {
    ///         request.set_header("X-Tenant", "acme").expect("a valid header");
    ///         assert!(request.set_header("Authorization", "Bearer other").is_err());
    ///     })
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn set_header(&mut self, name: &str, value: &str) -> Result<()> {
        let (name, value) = user_header(name, value, "header").map_err(Error::invalid_request)?;
        self.headers.map.insert(name, value);
        Ok(())
    }

    /// Removes every value of `name`; a protected name is refused with
    /// [`Error::InvalidRequest`].
    ///
    /// ```
    /// let client = s4e::Client::builder("sk_live_...")
    ///     .on_request(|request| {
    ///         let _ = request.remove_header("x-debug");
    ///     })
    ///     .build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn remove_header(&mut self, name: &str) -> Result<()> {
        let parsed = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_request(format!("`{name}` is not a valid header name")))?;
        if is_protected(&parsed) {
            return Err(Error::invalid_request(format!(
                "header `{name}` is set by the SDK and cannot be removed"
            )));
        }
        self.headers.map.remove(parsed);
        Ok(())
    }
}

/// How one attempt ended, as a response hook sees it
/// ([`ClientBuilder::on_response`](crate::ClientBuilder::on_response)).
#[derive(Debug)]
pub struct AttemptOutcome<'a> {
    pub(crate) method: Method,
    pub(crate) url_template: &'static str,
    pub(crate) attempt: u32,
    pub(crate) duration: Duration,
    pub(crate) status: Option<u16>,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) error: Option<&'a Error>,
}

impl AttemptOutcome<'_> {
    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The endpoint's path template, e.g. `/findings/{id}`.
    pub fn url_template(&self) -> &'static str {
        self.url_template
    }

    /// The attempt's number: 1 for the first, 2 for the first retry, ...
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// From sending the attempt to its end: the body read for a call, the
    /// headers for a download (whose transfer follows).
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The HTTP status of the answer; `None` when none arrived (a connection
    /// failure, a timeout).
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// `X-Request-Id` of the answer, on success as on failure.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id
    }

    /// The error that ended the attempt; `None` on success. Whether the call
    /// retries it is decided after the hook.
    pub fn error(&self) -> Option<&Error> {
        self.error
    }

    /// Whether the attempt succeeded.
    pub fn is_success(&self) -> bool {
        self.error.is_none()
    }

    /// The error as a short, low-cardinality kind, as the `error.type` log
    /// field has it: the status code (`"503"`), or `"timeout"`, `"connect"`,
    /// `"transport"`, ...; `None` on success.
    pub fn error_type(&self) -> Option<String> {
        self.error.map(|error| error.kind_name().into_owned())
    }
}

type RequestHook = Arc<dyn Fn(&mut OutgoingRequest<'_>) + Send + Sync + 'static>;
type ResponseHook = Arc<dyn Fn(&AttemptOutcome<'_>) + Send + Sync + 'static>;

/// The hooks and default headers of one client, in the order they were set.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) default_headers: HeaderMap,
    pub(crate) on_request: Vec<RequestHook>,
    pub(crate) on_response: Vec<ResponseHook>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field(
                "default_headers",
                &self.default_headers.keys().collect::<Vec<_>>(),
            )
            .field("on_request", &self.on_request.len())
            .field("on_response", &self.on_response.len())
            .finish()
    }
}

impl Hooks {
    pub(crate) fn add_request_hook(
        &mut self,
        hook: impl Fn(&mut OutgoingRequest<'_>) + Send + Sync + 'static,
    ) {
        self.on_request.push(Arc::new(hook));
    }

    pub(crate) fn add_response_hook(
        &mut self,
        hook: impl Fn(&AttemptOutcome<'_>) + Send + Sync + 'static,
    ) {
        self.on_response.push(Arc::new(hook));
    }

    /// Runs the request hooks in order. A hook that panics is reported and
    /// its changes are undone: the attempt goes out as the hooks before it
    /// left it.
    pub(crate) fn before_send(&self, request: &mut OutgoingRequest<'_>) {
        for hook in &self.on_request {
            let before = request.headers.clone();
            if catch_unwind(AssertUnwindSafe(|| hook(request))).is_err() {
                request.headers = before;
                tracing::warn!(
                    target: "s4e",
                    "a request hook panicked; the attempt goes out without its changes"
                );
            }
        }
    }

    /// Runs the response hooks in order; a hook that panics is reported and
    /// the call goes on.
    pub(crate) fn after_attempt(&self, outcome: &AttemptOutcome<'_>) {
        for hook in &self.on_response {
            if catch_unwind(AssertUnwindSafe(|| hook(outcome))).is_err() {
                tracing::warn!(
                    target: "s4e",
                    "a response hook panicked; the call goes on"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_and_invalid_headers_are_refused() {
        for name in [
            "Authorization",
            "x-api-key",
            "Idempotency-Key",
            "CONTENT-TYPE",
            "host",
        ] {
            let error = user_header(name, "v", "default header").unwrap_err();
            assert!(error.contains("cannot be replaced"), "{name}: {error}");
        }
        assert!(user_header("bad name", "v", "h").is_err());
        assert!(user_header("X-Ok", "line\r\nbreak", "h").is_err());
        let (name, value) = user_header("X-Tenant", "acme", "h").unwrap();
        assert_eq!(
            (name.as_str(), value.to_str().unwrap()),
            ("x-tenant", "acme")
        );
    }

    fn outgoing(url: &str) -> OutgoingRequest<'_> {
        OutgoingRequest {
            method: Method::Get,
            url_template: "/findings/{id}",
            url,
            attempt: 1,
            headers: Headers::default(),
        }
    }

    #[test]
    fn a_panicking_request_hook_leaves_no_change_and_later_hooks_run() {
        let mut hooks = Hooks::default();
        hooks.add_request_hook(|request| {
            request.set_header("x-first", "1").unwrap();
        });
        hooks.add_request_hook(|request| {
            request.set_header("x-half-done", "1").unwrap();
            panic!("a bug in the hook");
        });
        hooks.add_request_hook(|request| {
            request.set_header("x-last", "1").unwrap();
        });
        let mut request = outgoing("https://api.s4e.test/v1/findings/f-1");
        hooks.before_send(&mut request);
        assert_eq!(request.headers().get("x-first"), Some("1"));
        assert_eq!(request.headers().get("x-half-done"), None);
        assert_eq!(request.headers().get("x-last"), Some("1"));
    }

    #[test]
    fn a_hook_cannot_touch_the_protected_headers() {
        let mut request = outgoing("https://api.s4e.test/v1/x");
        assert!(request.set_header("authorization", "Bearer x").is_err());
        assert!(request.remove_header("Idempotency-Key").is_err());
        assert!(request.headers().is_empty());
        request.set_header("X-Tenant", "a").unwrap();
        request.set_header("x-tenant", "b").unwrap();
        assert_eq!(
            request.headers().get_all("X-TENANT").collect::<Vec<_>>(),
            ["b"]
        );
        request.remove_header("X-Tenant").unwrap();
        assert!(request.headers().is_empty());
    }
}
