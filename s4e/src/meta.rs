//! What an answer said besides its body: status, request id, rate-limit state
//! and headers, for callers that want them next to the value.

use std::sync::Arc;

use reqwest::header::HeaderMap;

use crate::rate_limit::RateLimit;

/// HTTP headers, read-only: those of an answer ([`ResponseMeta::headers`]) or
/// of a request about to go out ([`OutgoingRequest::headers`](crate::OutgoingRequest::headers)).
///
/// Names are matched without regard to case. Values are text; a value that
/// is not visible ASCII (which the API never sends) is left out of
/// [`get`](Headers::get) and [`iter`](Headers::iter).
///
/// ```no_run
/// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
/// let answer = client.findings().get("f-1").send_with_meta().await?;
/// if let Some(kind) = answer.headers().get("content-type") {
///     println!("{kind}");
/// }
/// for (name, value) in answer.headers() {
///     println!("{name}: {value}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Headers {
    pub(crate) map: HeaderMap,
}

impl Headers {
    pub(crate) fn new(map: HeaderMap) -> Headers {
        Headers { map }
    }

    /// The first value of `name`, if present and text.
    ///
    /// ```
    /// let headers = s4e::Headers::default();
    /// assert_eq!(headers.get("x-request-id"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).and_then(|value| value.to_str().ok())
    }

    /// Every value of `name`, in the order received.
    ///
    /// ```
    /// let headers = s4e::Headers::default();
    /// assert_eq!(headers.get_all("vary").count(), 0);
    /// ```
    pub fn get_all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        self.map
            .get_all(name)
            .into_iter()
            .filter_map(|value| value.to_str().ok())
    }

    /// Whether `name` is present.
    ///
    /// ```
    /// let headers = s4e::Headers::default();
    /// assert!(!headers.contains("etag"));
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// Every `(name, value)` pair; names are lower case.
    ///
    /// ```
    /// let headers = s4e::Headers::default();
    /// assert_eq!(headers.iter().count(), 0);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
    }

    /// The number of values (a name sent twice counts twice).
    ///
    /// ```
    /// assert_eq!(s4e::Headers::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there is no header at all.
    ///
    /// ```
    /// assert!(s4e::Headers::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = (&'a str, &'a str);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, &'a str)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// What the server said about one successful answer besides its body.
///
/// ```no_run
/// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
/// let answer = client.assets().list().send_with_meta().await?;
/// let meta = answer.meta();
/// println!("HTTP {} request {:?}", meta.status(), meta.request_id());
/// if let Some(limit) = meta.rate_limit() {
///     println!("{} requests left", limit.remaining);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ResponseMeta {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) headers: Headers,
}

impl ResponseMeta {
    /// The HTTP status (a 2xx: failures are [`Error`](crate::Error)s, which
    /// keep their own status and request id).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// `X-Request-Id` of the answer, the id S4E support asks for.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The rate-limit state this answer announced, if it carried the
    /// `X-RateLimit-*` headers. [`Client::rate_limit`](crate::Client::rate_limit)
    /// is the latest state over every call.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.rate_limit
    }

    /// Every header of the answer.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }
}

/// A decoded value with the [`ResponseMeta`] of the answer it came from;
/// what [`Request::send_with_meta`](crate::Request::send_with_meta) returns.
///
/// ```no_run
/// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
/// let answer = client.findings().get("f-91827").send_with_meta().await?;
/// println!("request {:?}, status {}", answer.request_id(), answer.status());
/// let finding = answer.into_value();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Response<T> {
    value: T,
    meta: ResponseMeta,
}

impl<T> Response<T> {
    pub(crate) fn new(value: T, meta: ResponseMeta) -> Self {
        Response { value, meta }
    }

    /// The decoded value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The decoded value, dropping the metadata.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The value and the metadata, apart.
    pub fn into_parts(self) -> (T, ResponseMeta) {
        (self.value, self.meta)
    }

    /// The metadata of the answer.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The HTTP status; see [`ResponseMeta::status`].
    pub fn status(&self) -> u16 {
        self.meta.status
    }

    /// `X-Request-Id` of the answer; see [`ResponseMeta::request_id`].
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    /// The rate-limit state of the answer; see [`ResponseMeta::rate_limit`].
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.meta.rate_limit
    }

    /// The headers of the answer; see [`ResponseMeta::headers`].
    pub fn headers(&self) -> &Headers {
        &self.meta.headers
    }
}

/// The metadata a [`Page`](crate::Page) carries, shared by its clones.
pub(crate) type SharedMeta = Option<Arc<ResponseMeta>>;
