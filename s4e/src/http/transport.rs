//! Executes a prepared request: attempts, timeouts, retries, logging. The one
//! place that does I/O; both clients end up here.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER};
use tracing::Instrument;

use crate::client::ClientInner;
use crate::endpoint::{Endpoint, Method};
use crate::http::decode::{ErrorContext, parse_error_body};
use crate::http::retry::{Outcome, Safety, may_retry, parse_retry_after};
use crate::http::wire::{BodyBuilder, HeaderBuilder, PathBuilder, QueryBuilder, RawResponse};
use crate::page::PageRequest;
use crate::{Error, Result};

/// Per-call overrides of the client's settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) retries: Option<u32>,
    pub(crate) idempotency_key: Option<String>,
}

/// A request rendered from an endpoint, ready to send as often as needed.
#[derive(Debug)]
pub(crate) struct Prepared {
    method: Method,
    template: &'static str,
    url: String,
    body: Option<Bytes>,
    headers: Vec<(&'static str, String)>,
    declared_idempotent: bool,
    page: Option<PageRequest>,
}

/// A 2xx answer whose body has not been read yet.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) response: reqwest::Response,
}

/// A 2xx answer read to the end.
pub(crate) struct FullAnswer {
    status: u16,
    request_id: Option<String>,
    body: Bytes,
    page: Option<PageRequest>,
}

impl FullAnswer {
    pub(crate) fn raw(&self) -> RawResponse<'_> {
        RawResponse {
            status: self.status,
            body: &self.body,
            request_id: self.request_id.as_deref(),
            page: self.page,
        }
    }
}

const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const REQUEST_ID: &str = "x-request-id";

/// How much of an error body is read.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

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

impl ClientInner {
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
            headers: headers.into_vec(),
            declared_idempotent: E::IDEMPOTENT,
            page: None,
        })
    }

    /// Sends with retries and reads the whole body.
    pub(crate) async fn call(
        &self,
        prepared: &Prepared,
        options: &CallOptions,
    ) -> Result<FullAnswer> {
        let limit = self.max_response_size;
        self.with_retries(prepared, options, |answer| async move {
            let body = read_limited(answer.response, limit).await?;
            Ok(FullAnswer {
                status: answer.status,
                request_id: answer.request_id,
                body,
                page: prepared.page,
            })
        })
        .await
    }

    /// Sends with retries and stops at the headers, for streaming downloads.
    pub(crate) async fn call_streaming(
        &self,
        prepared: &Prepared,
        options: &CallOptions,
    ) -> Result<Answer> {
        self.with_retries(prepared, options, |answer| async move { Ok(answer) })
            .await
    }

    async fn with_retries<T, F, Fut>(
        &self,
        prepared: &Prepared,
        options: &CallOptions,
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
        let span = tracing::debug_span!(
            target: "s4e",
            "s4e.request",
            method = prepared.method.as_str(),
            path = prepared.template,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        async {
            let started = Instant::now();
            let mut attempt: u32 = 0;
            loop {
                attempt += 1;
                tracing::Span::current().record("attempt", attempt);
                let result = match tokio::time::timeout(
                    timeout,
                    self.attempt(prepared, idempotency_key.as_ref(), &finish),
                )
                .await
                {
                    Ok(result) => result,
                    Err(_elapsed) => Err((Outcome::Timeout, Error::Timeout(timeout))),
                };
                let span = tracing::Span::current();
                span.record("elapsed_ms", started.elapsed().as_millis() as u64);
                let (outcome, error) = match result {
                    Ok(value) => return Ok(value),
                    Err(failure) => failure,
                };
                if let Some(status) = error.status_code() {
                    span.record("status", status);
                }
                if let Some(id) = error.request_id() {
                    span.record("request_id", id);
                }
                let retry = attempt;
                if retry > max_retries || !may_retry(safety, outcome) {
                    tracing::debug!(target: "s4e", error = %error, "request failed");
                    return Err(error);
                }
                let Some(delay) = self.backoff.delay(retry, error.retry_after(), fastrand::f64()) else {
                    tracing::debug!(target: "s4e", error = %error, "server asked to wait longer than the retry ceiling; giving up");
                    return Err(error);
                };
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

    /// One attempt: send, classify, and on success let `finish` read on.
    async fn attempt<T, F, Fut>(
        &self,
        prepared: &Prepared,
        idempotency_key: Option<&HeaderValue>,
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
        let mut request = self.http.request(method, &prepared.url);
        for (name, value) in &prepared.headers {
            request = request.header(*name, value.as_str());
        }
        if let Some(key) = idempotency_key {
            request = request.header(IDEMPOTENCY_KEY, key.clone());
        }
        if let Some(body) = &prepared.body {
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        let response = request.send().await.map_err(classify_transport)?;
        let status = response.status().as_u16();
        let request_id = response
            .headers()
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(id) = &request_id {
            tracing::Span::current().record("request_id", id.as_str());
        }
        tracing::Span::current().record("status", status);
        if response.status().is_success() {
            let answer = Answer {
                status,
                request_id,
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
        // Only an excerpt of an error body is kept; a proxy's endless page
        // must not be read whole.
        let body = read_limited(response, ERROR_BODY_LIMIT)
            .await
            .unwrap_or_default();
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

/// Reads a body to the end, refusing to hold more than `limit` bytes; a
/// connection cut mid-body is a transport error.
async fn read_limited(mut response: reqwest::Response, limit: u64) -> Result<Bytes> {
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Err(Error::ResponseTooLarge { limit });
    }
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut total: u64 = 0;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| classify_transport(e).1)?
    {
        total += chunk.len() as u64;
        if total > limit {
            return Err(Error::ResponseTooLarge { limit });
        }
        chunks.push(chunk);
    }
    // One chunk (the common case) is returned as it is, without a copy.
    Ok(match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.swap_remove(0),
        _ => Bytes::from(chunks.concat()),
    })
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
