//! Executes a prepared request: attempts, timeouts, retries, logging. The one
//! place that does I/O; both clients end up here.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER};
use tokio::time::Instant;
use tracing::Instrument;

use crate::endpoint::{Endpoint, Method};
use crate::error::{RedirectReason, excerpt};
use crate::http::budget::{Budget, CallKind, instant_after};
use crate::http::decode::{ErrorContext, parse_error_body};
use crate::http::engine::{AuthScheme, Engine};
use crate::http::hooks::OutgoingRequest;
use crate::http::origin::{Origin, is_loopback};
use crate::http::pacing::Slot;
use crate::http::retry::{Outcome, Safety, may_retry, parse_retry_after};
use crate::meta::{Headers, ResponseMeta};
use crate::page::PageRequest;
use crate::rate_limit::RateLimit;
use crate::wire::{BodyBuilder, HeaderBuilder, PathBuilder, QueryBuilder, RawResponse};
use crate::{Error, Result};

/// Per-call overrides of the client's settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) retries: Option<u32>,
    pub(crate) idempotency_key: Option<String>,
    /// The call's total time bound; `None` takes the client's.
    pub(crate) deadline: Option<Duration>,
}

/// Redirects one `GET` follows in a row; one more is
/// [`RedirectReason::TooMany`]. An attempt thus makes at most 11 requests.
pub(crate) const MAX_REDIRECTS: u32 = 10;

/// A request rendered from an endpoint, ready to send as often as needed.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) method: Method,
    pub(crate) template: &'static str,
    pub(crate) url: String,
    pub(crate) body: Option<Bytes>,
    /// The endpoint's own headers (an export's `Accept`), parsed once.
    pub(crate) headers: HeaderMap,
    declared_idempotent: bool,
    page: Option<PageRequest>,
}

/// A 2xx answer whose body has not been read yet.
pub(crate) struct Answer {
    pub(crate) meta: ResponseMeta,
    pub(crate) response: reqwest::Response,
}

/// A 2xx answer read to the end.
pub(crate) struct FullAnswer {
    pub(crate) meta: ResponseMeta,
    body: Bytes,
    page: Option<PageRequest>,
}

impl FullAnswer {
    pub(crate) fn raw(&self) -> RawResponse<'_> {
        RawResponse {
            status: self.meta.status,
            body: &self.body,
            request_id: self.meta.request_id.as_deref(),
            page: self.page,
        }
    }
}

/// What an attempt learnt of its answer, for its report: kept even when the
/// attempt then fails (a body cut short, a timeout while reading it).
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) status: Option<u16>,
    pub(crate) request_id: Option<String>,
}

pub(crate) const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const REQUEST_ID: &str = "x-request-id";

/// How much of an error body is read; the rest is left unread.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The longest `Location` an error repeats.
const LOCATION_EXCERPT: usize = 2048;

impl Prepared {
    /// The same request for one page of a list. The page number is left out
    /// of the query unless `send_number` (only what the caller set is sent).
    pub(crate) fn for_page(&self, page: PageRequest, send_number: bool) -> Prepared {
        let mut query = QueryBuilder::new();
        if send_number {
            query.push("page", &page.page.to_string());
        }
        if let Some(per_page) = page.per_page {
            query.push("per_page", &per_page.to_string());
        }
        let mut url = self.url.clone();
        if !query.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(query.as_str());
        }
        Prepared {
            method: self.method,
            template: self.template,
            url,
            body: self.body.clone(),
            headers: self.headers.clone(),
            declared_idempotent: self.declared_idempotent,
            page: Some(page),
        }
    }
}

impl Engine {
    /// The deadline of a call starting now: the request's, else the
    /// client's, else the default for its kind.
    pub(crate) fn budget(&self, options: &CallOptions, kind: CallKind) -> Result<Budget> {
        Budget::start(options.deadline, self.deadline, kind)
    }

    /// Renders the endpoint once; retries (and pages) reuse the result.
    pub(crate) fn prepare<E: Endpoint>(&self, endpoint: &E) -> Result<Prepared> {
        let mut path = PathBuilder::new();
        endpoint.write_path(&mut path)?;
        let mut query = QueryBuilder::new();
        endpoint.write_query(&mut query)?;
        let path = path.finish();
        let mut url =
            String::with_capacity(self.base_url.len() + path.len() + query.as_str().len() + 1);
        url.push_str(&self.base_url);
        url.push_str(&path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(query.as_str());
        }
        let body = if E::HAS_BODY {
            let mut body = BodyBuilder::new();
            endpoint.write_body(&mut body)?;
            Some(Bytes::from(body.finish()))
        } else {
            None
        };
        let mut headers = HeaderBuilder::new();
        endpoint.write_headers(&mut headers)?;
        Ok(Prepared {
            method: E::METHOD,
            template: E::PATH,
            url,
            body,
            headers: endpoint_headers(headers.into_vec())?,
            declared_idempotent: E::IDEMPOTENT,
            page: None,
        })
    }

    /// Sends with retries and reads the whole body, within the deadline.
    pub(crate) async fn call(
        &self,
        prepared: &Prepared,
        options: &CallOptions,
    ) -> Result<FullAnswer> {
        let limit = self.max_response_size;
        let budget = self.budget(options, CallKind::Call)?;
        self.with_retries(prepared, options, budget, |answer| async move {
            let body = read_limited(answer.response, limit).await?;
            self.trace_body("response body", &body);
            Ok(FullAnswer {
                meta: answer.meta,
                body,
                page: prepared.page,
            })
        })
        .await
    }

    /// Sends with retries and stops at the headers, for streaming downloads;
    /// the caller keeps `budget` for the transfer.
    pub(crate) async fn call_streaming(
        &self,
        prepared: &Prepared,
        options: &CallOptions,
        budget: Budget,
    ) -> Result<Answer> {
        self.with_retries(
            prepared,
            options,
            budget,
            |answer| async move { Ok(answer) },
        )
        .await
    }

    /// Attempts until one succeeds, a failure may not be retried, the
    /// retries are spent, or the deadline leaves no room for another try.
    async fn with_retries<T, F, Fut>(
        &self,
        prepared: &Prepared,
        options: &CallOptions,
        budget: Budget,
        finish: F,
    ) -> Result<T>
    where
        F: Fn(Answer) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let max_retries = options.retries.unwrap_or(self.retries);
        let timeout = options.timeout.unwrap_or(self.timeout);
        // Rendered once: every attempt of the call carries the same key.
        let idempotency_key = match (&options.idempotency_key, prepared.method) {
            (Some(key), _) => Some(HeaderValue::from_str(key).map_err(|_| {
                Error::invalid_request(
                    "idempotency key contains characters not allowed in a header",
                )
            })?),
            (None, Method::Post) => Some(
                HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                    .expect("a UUID is a valid header value"),
            ),
            (None, _) => None,
        };
        let safety = Safety {
            method: prepared.method,
            declared_idempotent: prepared.declared_idempotent,
            explicit_key: options.idempotency_key.is_some(),
        };
        // OpenTelemetry's HTTP client attribute names, so that an exporter
        // shows SDK calls as it shows any HTTP client's.
        let span = tracing::debug_span!(
            target: "s4e",
            "s4e.request",
            "http.request.method" = prepared.method.as_str(),
            "url.template" = prepared.template,
            // An IPv6 address without the URL's brackets, as OTel has it.
            "server.address" = self
                .origin
                .host
                .as_deref()
                .unwrap_or_default()
                .trim_start_matches('[')
                .trim_end_matches(']'),
            "server.port" = self.origin.port,
            "http.response.status_code" = tracing::field::Empty,
            "error.type" = tracing::field::Empty,
            "http.request.resend_count" = tracing::field::Empty,
            request_id = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        async {
            let started = Instant::now();
            let mut attempt: u32 = 0;
            let mut quota_taken: u32 = 0;
            // `error.type` is the call's outcome: set when it fails, never
            // by an attempt that a retry makes good.
            let fail = |error: Error| {
                tracing::Span::current().record("error.type", error.kind_name().as_ref());
                error
            };
            loop {
                attempt += 1;
                // An attempt lives at most its timeout: a slot a dead
                // process holds in a shared store expires after it.
                let lease = timeout.min(budget.until.saturating_duration_since(Instant::now()));
                let mut slot = self
                    .pacer
                    .turn(budget, self.backoff.ceiling, lease)
                    .await
                    .map_err(fail)?;
                let span = tracing::Span::current();
                if attempt > 1 {
                    span.record("http.request.resend_count", attempt - 1);
                }
                // The attempt ends at its own timeout or at the deadline,
                // whichever comes first; the error names the one that hit.
                let attempt_started = Instant::now();
                let attempt_end = instant_after(attempt_started, timeout).min(budget.until);
                let mut seen = Seen::default();
                let result = match tokio::time::timeout_at(
                    attempt_end,
                    self.attempt(
                        prepared,
                        idempotency_key.as_ref(),
                        attempt,
                        &mut seen,
                        &mut slot,
                        &finish,
                    ),
                )
                .await
                {
                    Ok(result) => result,
                    Err(_elapsed) if attempt_end >= budget.until => {
                        Err((Outcome::Deadline, Error::Timeout(budget.limit)))
                    }
                    Err(_elapsed) => Err((Outcome::Timeout, Error::Timeout(timeout))),
                };
                drop(slot);
                span.record("elapsed_ms", started.elapsed().as_millis() as u64);
                self.observe_attempt(
                    prepared,
                    attempt,
                    attempt_started.elapsed(),
                    &seen,
                    result.as_ref().err().map(|(_, error)| error),
                );
                let (outcome, error) = match result {
                    Ok(value) => {
                        self.retry_quota.refund(quota_taken);
                        return Ok(value);
                    }
                    Err(failure) => failure,
                };
                let retry = attempt;
                // The attempt's event already said why; the span says the
                // call failed.
                if retry > max_retries || !may_retry(safety, outcome) {
                    return Err(fail(error));
                }
                let Some(delay) = self.backoff.delay(retry, error.retry_after(), fastrand::f64()) else {
                    tracing::debug!(target: "s4e", error = %error, "server asked to wait longer than the retry ceiling; giving up");
                    return Err(fail(error));
                };
                // A wait that ends at or past the deadline leaves no time for
                // the retry: the last error says more than a timeout would.
                if instant_after(Instant::now(), delay) >= budget.until {
                    tracing::debug!(target: "s4e", error = %error, delay_ms = delay.as_millis() as u64, "the wait before a retry would pass the deadline; giving up");
                    return Err(fail(error));
                }
                let Some(cost) = self.retry_quota.take(outcome) else {
                    tracing::debug!(target: "s4e", error = %error, "the client's retry quota is spent; giving up");
                    return Err(fail(error));
                };
                quota_taken += cost;
                tracing::debug!(
                    target: "s4e",
                    error = %error,
                    delay_ms = delay.as_millis() as u64,
                    retry,
                    "retrying",
                );
                tokio::time::sleep(delay).await;
            }
        }
        .instrument(span)
        .await
    }

    /// One attempt: send (following a `GET`'s redirects), classify, and on
    /// success let `finish` read on. What is learnt of the answer goes to
    /// `seen` as soon as it arrives, for the attempt's report.
    async fn attempt<T, F, Fut>(
        &self,
        prepared: &Prepared,
        idempotency_key: Option<&HeaderValue>,
        attempt: u32,
        seen: &mut Seen,
        slot: &mut Slot<'_>,
        finish: &F,
    ) -> std::result::Result<T, (Outcome, Error)>
    where
        F: Fn(Answer) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let method = match prepared.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let headers = self.attempt_headers(prepared, idempotency_key, attempt);
        if let Some(body) = &prepared.body {
            self.trace_body("request body", body);
        }
        // `None` until a redirect is followed: the first request goes to the
        // prepared URL, which is on the base URL's origin.
        let mut redirected: Option<(Url, bool)> = None;
        let mut hops: u32 = 0;
        let mut response = loop {
            let (mut request, same_origin) = match &redirected {
                None => (self.http.request(method.clone(), &prepared.url), true),
                Some((url, same_origin)) => {
                    (self.http.request(method.clone(), url.clone()), *same_origin)
                }
            };
            // The key, the idempotency key, the default headers and the
            // hooks' go to the base URL's origin only; a followed redirect
            // elsewhere carries the endpoint's own headers alone.
            if same_origin {
                request = request
                    .headers(headers.clone())
                    .header(self.auth.0.clone(), self.auth.1.clone());
            } else {
                request = request.headers(prepared.headers.clone());
            }
            // Only the first request carries the body: a request with a body
            // never follows a redirect.
            if let (None, Some(body)) = (&redirected, &prepared.body) {
                request = request.body(body.clone());
            }
            let response = request.send().await.map_err(classify_transport)?;
            let status = response.status().as_u16();
            if !is_redirect(status) {
                break response;
            }
            tracing::Span::current().record("http.response.status_code", status);
            let current = match redirected.take() {
                Some((url, _)) => Some(url),
                None => Url::parse(&prepared.url).ok(),
            };
            let hop = RedirectRules {
                method: prepared.method,
                has_body: prepared.body.is_some(),
                origin: &self.origin,
                auth_scheme: self.auth_scheme,
                allow_http: self.allow_http,
            }
            .next_hop(
                status,
                response.headers().get(LOCATION),
                current.as_ref(),
                hops,
            )
            .map_err(|error| (Outcome::Redirect, error))?;
            hops += 1;
            tracing::debug!(target: "s4e", status, hop = hops, same_origin = hop.1, "following a redirect");
            redirected = Some(hop);
        };
        let rate_limit = RateLimit::from_headers(response.headers(), SystemTime::now());
        slot.observe(rate_limit).await;
        let status = response.status().as_u16();
        let request_id = response
            .headers()
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        seen.status = Some(status);
        seen.request_id.clone_from(&request_id);
        if response.status().is_success() {
            // The body is read from the connection, not from the headers:
            // they move to the metadata without a copy.
            let headers = std::mem::take(response.headers_mut());
            let answer = Answer {
                meta: ResponseMeta {
                    status,
                    request_id,
                    rate_limit,
                    headers: Headers::new(headers),
                },
                response,
            };
            return finish(answer).await.map_err(|error| {
                let outcome = match &error {
                    Error::Timeout(_) => Outcome::Timeout,
                    Error::Transport { .. } => Outcome::Interrupted,
                    // Decoding failures are not transient; `Status(200)` is
                    // never retried.
                    _ => Outcome::Status(status),
                };
                (outcome, error)
            });
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        // Only the start of an error body is kept; a proxy's endless page
        // must not be read whole, and a long one still leaves its start.
        let body = read_prefix(response, ERROR_BODY_LIMIT).await;
        self.trace_body("error body", &body);
        let api = parse_error_body(
            status,
            &body,
            ErrorContext {
                request_id,
                retry_after,
            },
        );
        Err((Outcome::Status(status), Error::from_api(api)))
    }
}

impl Engine {
    /// The headers an attempt sends to the base URL's origin, but for the
    /// key: the SDK's, the client's defaults, the endpoint's, the
    /// idempotency key and the body's type, then whatever the request hooks
    /// make of them.
    pub(crate) fn attempt_headers(
        &self,
        prepared: &Prepared,
        idempotency_key: Option<&HeaderValue>,
        attempt: u32,
    ) -> HeaderMap {
        let hooked = !self.hooks.on_request.is_empty();
        // reqwest adds `Accept` and `User-Agent` itself; they are copied in
        // only for a hook to see (and perhaps change), so that a plain GET
        // builds no header map at all.
        let mut headers = if hooked {
            self.sdk_headers.clone()
        } else {
            HeaderMap::new()
        };
        for (name, value) in &self.hooks.default_headers {
            headers.insert(name.clone(), value.clone());
        }
        // The endpoint's own headers (an export's `Accept`) replace the
        // defaults of the same name, all their values kept: `extend` with a
        // map inserts a name's first value and appends the rest.
        headers.extend(prepared.headers.clone());
        if let Some(key) = idempotency_key {
            headers.insert(IDEMPOTENCY_KEY, key.clone());
        }
        if prepared.body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        if !hooked {
            return headers;
        }
        let mut outgoing = OutgoingRequest {
            method: prepared.method,
            url_template: prepared.template,
            url: &prepared.url,
            attempt,
            headers: Headers::new(headers),
        };
        self.hooks.before_send(&mut outgoing);
        outgoing.headers.map
    }
}

/// An endpoint's rendered headers as a map, every value kept; a name or value
/// HTTP does not allow is the caller's error, before anything is sent.
fn endpoint_headers(rendered: Vec<(&'static str, String)>) -> Result<HeaderMap> {
    let mut headers = HeaderMap::with_capacity(rendered.len());
    for (name, value) in rendered {
        let parsed = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_request(format!("`{name}` is not a valid header name")))?;
        let value = HeaderValue::from_str(&value).map_err(|_| {
            Error::invalid_request(format!(
                "header `{name}` has a value with characters not allowed in a header"
            ))
        })?;
        headers.append(parsed, value);
    }
    Ok(headers)
}

/// The statuses that ask to repeat the request at `Location`. 300, 304 and
/// 305 are not: they are answered as errors.
fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// When a redirect is followed: a pure function of the request, the client's
/// settings and the answer.
struct RedirectRules<'a> {
    method: Method,
    has_body: bool,
    origin: &'a Origin,
    auth_scheme: AuthScheme,
    allow_http: bool,
}

impl RedirectRules<'_> {
    /// The URL to request next and whether it is on the base URL's origin,
    /// or the [`Error::Redirect`] that ends the call. `hops` redirects were
    /// followed before this one; `current` is the URL that was answered.
    fn next_hop(
        &self,
        status: u16,
        location: Option<&HeaderValue>,
        current: Option<&Url>,
        hops: u32,
    ) -> Result<(Url, bool)> {
        let target = location
            .and_then(|value| value.to_str().ok())
            .and_then(|text| current?.join(text.trim()).ok());
        let refuse = |reason| Error::Redirect {
            status,
            location: target.as_ref().map(shown_location),
            reason,
        };
        // Re-sending a write elsewhere, or as a GET the way 301 and 302 turn
        // it in browsers, would not do what was asked.
        if self.method != Method::Get || self.has_body {
            return Err(refuse(RedirectReason::Write));
        }
        let Some(url) = target
            .as_ref()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
        else {
            return Err(refuse(RedirectReason::InvalidLocation));
        };
        if hops >= MAX_REDIRECTS {
            return Err(refuse(RedirectReason::TooMany));
        }
        if url.scheme() == "http" && !self.allow_http && !is_loopback(url) {
            return Err(refuse(RedirectReason::Insecure));
        }
        let same_origin = self.origin.contains(url);
        // As before the client followed redirects itself: with `X-API-Key`
        // a move to another origin is refused rather than followed keyless,
        // so it shows as an error naming the new place, not as a 401 from it.
        if !same_origin && self.auth_scheme == AuthScheme::ApiKeyHeader {
            return Err(refuse(RedirectReason::CrossOrigin));
        }
        // reqwest would turn `user:password@` into a Basic header: the client
        // sends no credentials it was not given.
        Ok((without_credentials(url), same_origin))
    }
}

/// A redirect target as errors show it: without `user:password@`, and cut.
fn shown_location(url: &Url) -> String {
    excerpt(
        without_credentials(url).as_str().as_bytes(),
        LOCATION_EXCERPT,
    )
}

/// `url` without `user:password@`.
fn without_credentials(url: &Url) -> Url {
    let mut url = url.clone();
    // Both fail only for URLs that cannot carry credentials at all.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url
}

/// Reads a body to the end, refusing to hold more than `limit` bytes; a
/// connection cut mid-body is a transport error.
///
/// The body is gathered in one buffer, sized from `Content-Length` when the
/// server sent it (and it is within the limit), so a large answer needs its
/// size in memory once, not twice. A body that arrives in one chunk is
/// returned as it is, without a copy.
async fn read_limited(mut response: reqwest::Response, limit: u64) -> Result<Bytes> {
    let too_large = || Error::ResponseTooLarge { limit };
    let declared = response.content_length();
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    let Some(first) = next_chunk(&mut response).await? else {
        return Ok(Bytes::new());
    };
    if first.len() as u64 > limit {
        return Err(too_large());
    }
    let Some(second) = next_chunk(&mut response).await? else {
        return Ok(first);
    };
    let mut length = (first.len() + second.len()) as u64;
    if length > limit {
        return Err(too_large());
    }
    let capacity = declared.unwrap_or(2 * length).clamp(length, limit);
    let mut body: Vec<u8> = Vec::new();
    // A Content-Length is the server's word: with a huge limit, a size the
    // allocator refuses means growing as bytes arrive, not an abort.
    if body
        .try_reserve_exact(usize::try_from(capacity).unwrap_or(usize::MAX))
        .is_err()
    {
        body.reserve(first.len() + second.len());
    }
    body.extend_from_slice(&first);
    drop(first);
    body.extend_from_slice(&second);
    drop(second);
    while let Some(chunk) = next_chunk(&mut response).await? {
        length += chunk.len() as u64;
        if length > limit {
            return Err(too_large());
        }
        if body.capacity() - body.len() < chunk.len() {
            // Without a (truthful) Content-Length: double, never past the limit.
            let target = (2 * body.capacity() as u64).clamp(length, limit);
            body.reserve_exact(usize::try_from(target).unwrap_or(usize::MAX) - body.len());
        }
        body.extend_from_slice(&chunk);
    }
    // `Bytes::from(Vec)` keeps the allocation: no copy.
    Ok(Bytes::from(body))
}

async fn next_chunk(response: &mut reqwest::Response) -> Result<Option<Bytes>> {
    response.chunk().await.map_err(|e| classify_transport(e).1)
}

/// The first `limit` bytes of an error body, or what arrived before the
/// connection failed; the rest is not read.
async fn read_prefix(mut response: reqwest::Response, limit: usize) -> Bytes {
    let declared = response
        .content_length()
        .and_then(|length| usize::try_from(length).ok())
        .unwrap_or(0);
    let mut body: Vec<u8> = Vec::with_capacity(declared.min(limit));
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    Bytes::from(body)
}

/// Sorts a reqwest failure by how far the request got. The message never
/// holds the URL or any header.
pub(crate) fn classify_transport(error: reqwest::Error) -> (Outcome, Error) {
    let error = error.without_url();
    if error.is_connect() {
        let message = root_cause(&error);
        (
            Outcome::NotSent,
            Error::Connect {
                message,
                source: Box::new(error),
            },
        )
    } else if error.is_timeout() {
        (
            Outcome::Interrupted,
            Error::Transport {
                message: "the connection timed out".to_owned(),
                source: Some(Box::new(error)),
            },
        )
    } else {
        let message = root_cause(&error);
        (
            Outcome::Interrupted,
            Error::Transport {
                message,
                source: Some(Box::new(error)),
            },
        )
    }
}

/// The innermost cause, which is what says what actually happened.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_headers_keep_every_value_and_refuse_what_http_does_not_allow() {
        let headers = endpoint_headers(vec![
            ("accept", "text/csv".to_owned()),
            ("x-tag", "a".to_owned()),
            ("x-tag", "b".to_owned()),
        ])
        .unwrap();
        assert_eq!(headers["accept"], "text/csv");
        assert_eq!(headers.get_all("x-tag").iter().count(), 2);

        let bad_name = endpoint_headers(vec![("bad name", "v".to_owned())]).unwrap_err();
        assert!(
            matches!(&bad_name, Error::InvalidRequest(m) if m.contains("bad name")),
            "{bad_name:?}"
        );
        let bad_value = endpoint_headers(vec![("x-note", "line\nbreak".to_owned())]).unwrap_err();
        assert!(
            matches!(&bad_value, Error::InvalidRequest(m) if m.contains("x-note")),
            "{bad_value:?}"
        );
    }

    fn origin() -> Origin {
        Origin::of(&Url::parse("https://api.s4e.test/v1").unwrap())
    }

    fn rules(method: Method, origin: &Origin) -> RedirectRules<'_> {
        RedirectRules {
            method,
            has_body: false,
            origin,
            auth_scheme: AuthScheme::Bearer,
            allow_http: false,
        }
    }

    fn here() -> Url {
        Url::parse("https://api.s4e.test/v1/findings/f-1?page=2").unwrap()
    }

    fn location(text: &str) -> HeaderValue {
        HeaderValue::from_str(text).unwrap()
    }

    fn refusal(result: Result<(Url, bool)>) -> (u16, Option<String>, RedirectReason) {
        match result {
            Err(Error::Redirect {
                status,
                location,
                reason,
            }) => (status, location, reason),
            other => panic!("expected a refused redirect, got {other:?}"),
        }
    }

    #[test]
    fn writes_follow_no_redirect_of_any_kind() {
        let origin = origin();
        for method in [Method::Post, Method::Put, Method::Patch, Method::Delete] {
            for status in [301, 302, 303, 307, 308] {
                let (seen, shown, reason) = refusal(rules(method, &origin).next_hop(
                    status,
                    Some(&location("/v1/elsewhere")),
                    Some(&here()),
                    0,
                ));
                assert_eq!((seen, reason), (status, RedirectReason::Write));
                assert_eq!(shown.as_deref(), Some("https://api.s4e.test/v1/elsewhere"));
            }
            let (_, shown, reason) =
                refusal(rules(method, &origin).next_hop(302, None, Some(&here()), 0));
            assert_eq!((shown, reason), (None, RedirectReason::Write));
        }
        // A GET that carries a body (only a hand-written endpoint can) is
        // treated as a write.
        let with_body = RedirectRules {
            has_body: true,
            ..rules(Method::Get, &origin)
        };
        let (_, _, reason) =
            refusal(with_body.next_hop(307, Some(&location("/v1/x")), Some(&here()), 0));
        assert_eq!(reason, RedirectReason::Write);
    }

    #[test]
    fn a_get_follows_on_its_origin_with_the_key() {
        let origin = origin();
        let (url, same_origin) = rules(Method::Get, &origin)
            .next_hop(301, Some(&location("f-2")), Some(&here()), 0)
            .unwrap();
        assert_eq!(url.as_str(), "https://api.s4e.test/v1/findings/f-2");
        assert!(same_origin);
        let (url, _) = rules(Method::Get, &origin)
            .next_hop(
                302,
                Some(&location("https://someone:pw@api.s4e.test/v1/f")),
                Some(&here()),
                0,
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://api.s4e.test/v1/f",
            "no credentials follow"
        );
        let (url, same_origin) = rules(Method::Get, &origin)
            .next_hop(
                308,
                Some(&location("https://API.s4e.test:443/v2/f")),
                Some(&here()),
                9,
            )
            .unwrap();
        assert_eq!(url.as_str(), "https://api.s4e.test/v2/f");
        assert!(same_origin, "the default port and case make no difference");
    }

    #[test]
    fn another_origin_goes_without_the_key_or_not_at_all() {
        let origin = origin();
        for target in [
            "https://cdn.s4e.test/v1/f",
            "https://api.s4e.test:8443/v1/f",
            "http://127.0.0.1/v1/f",
        ] {
            let (url, same_origin) = rules(Method::Get, &origin)
                .next_hop(302, Some(&location(target)), Some(&here()), 0)
                .unwrap();
            assert_eq!(url.as_str(), target);
            assert!(!same_origin, "{target}");
            let api_key = RedirectRules {
                auth_scheme: AuthScheme::ApiKeyHeader,
                ..rules(Method::Get, &origin)
            };
            let (_, shown, reason) =
                refusal(api_key.next_hop(302, Some(&location(target)), Some(&here()), 0));
            assert_eq!(reason, RedirectReason::CrossOrigin);
            assert_eq!(shown.as_deref(), Some(target));
        }
    }

    #[test]
    fn plain_http_elsewhere_needs_allow_http() {
        let origin = origin();
        let target = location("http://api.s4e.test/v1/f");
        let (_, _, reason) =
            refusal(rules(Method::Get, &origin).next_hop(301, Some(&target), Some(&here()), 0));
        assert_eq!(reason, RedirectReason::Insecure);
        let allowed = RedirectRules {
            allow_http: true,
            ..rules(Method::Get, &origin)
        };
        let (_, same_origin) = allowed
            .next_hop(301, Some(&target), Some(&here()), 0)
            .unwrap();
        assert!(!same_origin, "https to http changes the origin");
    }

    #[test]
    fn a_missing_or_unusable_location_is_refused() {
        let origin = origin();
        let get = rules(Method::Get, &origin);
        for value in [
            None,
            Some(location("ftp://files.s4e.test/x")),
            Some(location("http://[::1")),
            Some(HeaderValue::from_bytes(b"/v1/\xff").unwrap()),
        ] {
            let (_, _, reason) = refusal(get.next_hop(302, value.as_ref(), Some(&here()), 0));
            assert_eq!(reason, RedirectReason::InvalidLocation, "{value:?}");
        }
        let (_, _, reason) = refusal(get.next_hop(302, Some(&location("/x")), None, 0));
        assert_eq!(reason, RedirectReason::InvalidLocation);
    }

    #[test]
    fn the_eleventh_redirect_is_too_many() {
        let origin = origin();
        let get = rules(Method::Get, &origin);
        assert!(
            get.next_hop(
                302,
                Some(&location("/v1/a")),
                Some(&here()),
                MAX_REDIRECTS - 1
            )
            .is_ok()
        );
        let (status, shown, reason) =
            refusal(get.next_hop(302, Some(&location("/v1/a")), Some(&here()), MAX_REDIRECTS));
        assert_eq!((status, reason), (302, RedirectReason::TooMany));
        assert_eq!(shown.as_deref(), Some("https://api.s4e.test/v1/a"));
    }

    #[test]
    fn a_location_is_shown_without_credentials() {
        let origin = origin();
        let (_, shown, _) = refusal(rules(Method::Post, &origin).next_hop(
            307,
            Some(&location("https://user:hunter2@evil.test/x?y=1")),
            Some(&here()),
            0,
        ));
        let shown = shown.unwrap();
        assert_eq!(shown, "https://evil.test/x?y=1");
        let long = format!("/{}", "a".repeat(10_000));
        let (_, shown, _) = refusal(rules(Method::Post, &origin).next_hop(
            307,
            Some(&location(&long)),
            Some(&here()),
            0,
        ));
        assert!(shown.unwrap().len() <= LOCATION_EXCERPT + '…'.len_utf8());
    }

    #[test]
    fn a_refused_redirect_error_names_status_location_and_reason() {
        let error = Error::Redirect {
            status: 302,
            location: Some("https://api.s4e.test/v1/x".to_owned()),
            reason: RedirectReason::Write,
        };
        assert_eq!(
            error.to_string(),
            "redirect not followed: HTTP 302 to https://api.s4e.test/v1/x (writes never follow redirects)"
        );
        assert_eq!(error.status(), Some(302));
        assert!(!error.is_retryable());
    }
}
