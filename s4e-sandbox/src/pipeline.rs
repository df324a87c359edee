//! What every request goes through before and after its handler, in order:
//! request id, added latency, fault injection, authentication, rate limit,
//! read-only check, idempotency replay; then the response headers
//! (`X-Request-Id`, `X-RateLimit-*`), the request log, and the fault's effect
//! on the way out. Admin routes (`/__sandbox/...`) only get a request id.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures_util::{StreamExt, stream};
use tokio::sync::Notify;

use crate::api::error::ApiError;
use crate::controls::{FaultKind, KeyKind, LimitedEndpoint, RequestRecord, take_fault};
use crate::state::{LOG_CAPACITY, Settings, Shared, lock};

/// Closes the connection a request came on (set by the server per connection).
#[derive(Clone)]
pub(crate) struct ConnKill(pub(crate) Arc<Notify>);

/// A key's current rate-limit window (`docs/API.md` 3): it opens with the
/// key's first request after the previous one ended, lasts a minute, and
/// allows `limit` requests; `X-RateLimit-Reset` is its end.
#[derive(Debug, Clone)]
pub(crate) struct RateWindow {
    /// Unix seconds at which the window ends.
    end: i64,
    /// Requests granted in it.
    used: u32,
}

/// How long a rate-limit window lasts: the limits are per minute.
const WINDOW_SECONDS: i64 = 60;

/// A response kept for an idempotency key.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    /// SHA-256 of the request body the answer belongs to: a key reused with
    /// another body is refused rather than answered with a stale replay.
    request_digest: [u8; 32],
    status: StatusCode,
    content_type: Option<HeaderValue>,
    body: Bytes,
    at: DateTime<Utc>,
}

/// The largest request body. Not a limit of the contract: it bounds the
/// memory one request can take, far above the largest documented body (a
/// bulk create of 500 assets).
const MAX_KEYED_BODY: usize = 8 * 1024 * 1024;

/// How long a stored response is replayed (API.md §1).
const IDEMPOTENCY_TTL: chrono::Duration = chrono::Duration::hours(24);

/// What `X-RateLimit-Limit` says when no limit is set.
pub(crate) const NOMINAL_LIMIT: u32 = 10_000;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The `X-RateLimit-*` values of one answer.
#[derive(Debug, Clone, Copy)]
struct RateInfo {
    limit: u32,
    remaining: u32,
    /// Unix seconds when the window ends.
    reset: i64,
}

impl RateInfo {
    /// A window that nothing has counted in yet: one that would open now.
    fn untouched(limit: Option<u32>) -> RateInfo {
        let limit = limit.unwrap_or(NOMINAL_LIMIT);
        RateInfo {
            limit,
            remaining: limit,
            reset: Utc::now().timestamp() + WINDOW_SECONDS,
        }
    }

    fn apply(self, headers: &mut HeaderMap) {
        headers.insert("x-ratelimit-limit", HeaderValue::from(self.limit));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(self.remaining));
        headers.insert("x-ratelimit-reset", HeaderValue::from(self.reset));
    }
}

/// Counts a request in `key`'s window of `limit` per minute, or says how
/// many seconds remain until the window ends.
fn count_request(
    shared: &Shared,
    key: &str,
    limit: Option<u32>,
) -> Result<RateInfo, (RateInfo, u64)> {
    let Some(limit) = limit else {
        return Ok(RateInfo::untouched(None));
    };
    let now = Utc::now();
    let mut windows = lock(&shared.rate_windows);
    let window = windows
        .entry(key.to_string())
        .or_insert(RateWindow { end: 0, used: 0 });
    // The window ends on a whole second, so `Reset` is exact: it opens when
    // the request arrived, rounded down to the second.
    if now.timestamp() >= window.end {
        *window = RateWindow {
            end: now.timestamp() + shared.config.rate_window_seconds,
            used: 0,
        };
    }
    let granted = window.used < limit;
    if granted {
        window.used += 1;
    }
    let info = RateInfo {
        limit,
        remaining: limit - window.used,
        reset: window.end,
    };
    if granted {
        Ok(info)
    } else {
        let left_ms = u64::try_from(window.end * 1000 - now.timestamp_millis()).unwrap_or(0);
        Err((info, left_ms.div_ceil(1000).max(1)))
    }
}

/// `key`'s window as it stands, nothing counted: what an answer that did not
/// reach the limiter (an injected fault) reports.
fn peek_window(shared: &Shared, key: Option<&str>, limit: Option<u32>) -> RateInfo {
    let (Some(key), Some(limit)) = (key, limit) else {
        return RateInfo::untouched(limit);
    };
    match lock(&shared.rate_windows).get(key) {
        Some(window) if Utc::now().timestamp() < window.end => RateInfo {
            limit,
            remaining: limit.saturating_sub(window.used),
            reset: window.end,
        },
        _ => RateInfo::untouched(Some(limit)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    Full,
    ReadOnly,
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`, and
/// which of the two carried it.
fn presented_key(headers: &HeaderMap) -> Option<(&str, KeyKind)> {
    if let Some(auth) = header_str(headers, "authorization") {
        let (scheme, key) = auth.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| (key.trim(), KeyKind::Bearer));
    }
    header_str(headers, "x-api-key").map(|k| (k, KeyKind::XApiKey))
}

/// Writes need a full-access key; a `POST` that only reads (export, validate)
/// does not.
fn is_write(method: &Method, path: &str) -> bool {
    !(matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || (*method == Method::POST
            && matches!(path, "/v1/findings/export" | "/v1/actions/validate")))
}

/// A proxy's error page.
fn html_page(status: StatusCode) -> Response {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

pub(crate) async fn pipeline(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let request_id = format!("req_{}", uuid::Uuid::new_v4().simple());
    let path = request.uri().path().to_string();
    if path == "/__sandbox" || path.starts_with("/__sandbox/") {
        let mut response = next.run(request).await;
        set_request_id(&mut response, &request_id);
        return response;
    }
    let arrived = Utc::now();
    let method = request.method().clone();
    let query = request.uri().query().map(str::to_string);
    let idempotency_key = header_str(request.headers(), IDEMPOTENCY_KEY).map(str::to_string);
    let kill = request.extensions().get::<ConnKill>().cloned();
    let presented = presented_key(request.headers());
    let key_kind = presented.map(|(_, kind)| kind);
    let window_key = presented.map(|(key, _)| key.to_string());
    let settings = shared.settings();
    // The body is read once here so the log can keep it (bounded); the
    // handler gets the same bytes.
    let (parts, body) = request.into_parts();
    let (request, body) = match to_bytes(body, MAX_KEYED_BODY).await {
        Ok(bytes) => (
            Request::from_parts(parts, Body::from(bytes.clone())),
            Some(bytes),
        ),
        Err(_) => (Request::from_parts(parts, Body::empty()), None),
    };

    // The added latency is the least time an answer takes from the request's
    // arrival, the server's own work included, as a remote API's observed
    // latency is: the handler runs now and its answer waits out the rest.
    // (Sleeping first and working after would add the sandbox's CPU time to
    // every answer, and on a machine shared with the client under test,
    // concurrent requests would queue for cores a real server does not share.)
    let ready_at = tokio::time::Instant::now() + settings.latency;
    let fault = take_fault(&shared, method.as_str(), &path);
    let peeked = || peek_window(&shared, window_key.as_deref(), settings.rate_limit);
    let mut replayed = false;
    let (mut response, rate) = match fault {
        Some(FaultKind::Status(s)) => (
            ApiError::for_status(
                StatusCode::from_u16(s).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
            )
            .into_response(),
            peeked(),
        ),
        Some(FaultKind::HtmlError(s)) => (
            html_page(StatusCode::from_u16(s).unwrap_or(StatusCode::BAD_GATEWAY)),
            peeked(),
        ),
        _ if body.is_none() => (
            ApiError::invalid("body", "is too large").into_response(),
            peeked(),
        ),
        _ => handle(&shared, request, next, &settings, &mut replayed).await,
    };
    let body = body.unwrap_or_default();
    let kept = body.slice(..body.len().min(RequestRecord::BODY_LIMIT));
    rate.apply(response.headers_mut());
    set_request_id(&mut response, &request_id);

    let status = (fault != Some(FaultKind::DropBeforeHeaders)).then(|| response.status().as_u16());
    {
        let mut log = lock(&shared.log);
        if log.len() >= LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(RequestRecord {
            method: method.to_string(),
            path,
            query,
            status,
            idempotency_key,
            request_id,
            timestamp: arrived,
            replayed,
            fault: fault.map(|f| f.name().to_string()),
            key_kind,
            body: (!kept.is_empty()).then(|| String::from_utf8_lossy(&kept).into_owned()),
            body_size: body.len(),
            body_truncated: kept.len() < body.len(),
        });
    }

    // Only a real wait goes through the timer: a deadline already passed
    // would still wait for the timer's next tick (up to a millisecond).
    if ready_at > tokio::time::Instant::now() {
        tokio::time::sleep_until(ready_at).await;
    }
    match fault {
        Some(FaultKind::DropBeforeHeaders) => match kill {
            Some(ConnKill(notify)) => {
                notify.notify_one();
                std::future::pending::<Response>().await
            }
            // Not served by our accept loop: break the body at least.
            None => cut_mid_body(response, 0).await,
        },
        Some(FaultKind::DropAfterHeaders) => cut_mid_body(response, 2).await,
        Some(FaultKind::TruncatedBody) => truncate(response).await,
        Some(FaultKind::Delay(d)) => {
            tokio::time::sleep(d).await;
            response
        }
        _ => response,
    }
}

fn set_request_id(response: &mut Response, id: &str) {
    if let Ok(v) = HeaderValue::from_str(id) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
}

/// Authentication, rate limit, read-only check and idempotency, then the handler.
async fn handle(
    shared: &Shared,
    request: Request,
    next: Next,
    settings: &Settings,
    replayed: &mut bool,
) -> (Response, RateInfo) {
    let limit = settings.rate_limit;
    let path = request.uri().path().to_string();
    if !(path == "/v1" || path.starts_with("/v1/")) {
        return (next.run(request).await, RateInfo::untouched(limit));
    }
    let (key, access) = match presented_key(request.headers()) {
        None => {
            let e = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "missing API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`",
            );
            return (e.into_response(), RateInfo::untouched(limit));
        }
        Some((k, _)) if k == shared.config.api_key => (k.to_string(), Access::Full),
        Some((k, _)) if k == shared.config.read_only_key => (k.to_string(), Access::ReadOnly),
        Some(_) => {
            let e = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "invalid API key");
            return (e.into_response(), RateInfo::untouched(limit));
        }
    };
    let mut rate = match count_request(shared, &key, limit) {
        Ok(rate) => rate,
        Err((rate, retry_after)) => {
            return (ApiError::rate_limited(retry_after).into_response(), rate);
        }
    };
    let method = request.method().clone();
    // An endpoint's own limit counts per key on top of the per-key one; the
    // headers report whichever of the two is closer to running out.
    if let Some(endpoint) = LimitedEndpoint::of(method.as_str(), &path) {
        if let Some(per_minute) = settings.endpoint_limits[endpoint.index()] {
            let window_key = format!("{key}{}", endpoint.window_suffix());
            match count_request(shared, &window_key, Some(per_minute)) {
                Ok(own) if limit.is_none() || own.remaining < rate.remaining => rate = own,
                Ok(_) => {}
                Err((own, retry_after)) => {
                    return (ApiError::rate_limited(retry_after).into_response(), own);
                }
            }
        }
    }
    if access == Access::ReadOnly && is_write(&method, &path) {
        let e = ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this API key is read-only: {method} {path} needs a full-access key"),
        );
        return (e.into_response(), rate);
    }
    let idempotency_key = header_str(request.headers(), IDEMPOTENCY_KEY).map(str::to_string);
    let keyed = match idempotency_key {
        Some(k) if method == Method::POST && path != "/v1/findings/export" => (k, path),
        _ => return (next.run(request).await, rate),
    };

    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_KEYED_BODY).await else {
        let e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "the request body is too large",
        );
        return (e.into_response(), rate);
    };
    let request_digest: [u8; 32] = {
        use sha2::Digest;
        sha2::Sha256::digest(&body).into()
    };
    let request = Request::from_parts(parts, Body::from(body));

    let gate = lock(&shared.idempotency_locks)
        .entry(keyed.clone())
        .or_default()
        .clone();
    let _held = gate.lock().await;
    let now = shared.now();
    let stored = lock(&shared.idempotency)
        .get(&keyed)
        .filter(|s| now - s.at < IDEMPOTENCY_TTL)
        .cloned();
    if let Some(stored) = stored {
        if stored.request_digest != request_digest {
            let e = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request body; use a new key for a new request",
            );
            return (e.into_response(), rate);
        }
        *replayed = true;
        let mut response = Response::new(Body::from(stored.body));
        *response.status_mut() = stored.status;
        if let Some(ct) = stored.content_type {
            response.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
        return (response, rate);
    }
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    lock(&shared.idempotency).insert(
        keyed.clone(),
        Stored {
            request_digest,
            status: parts.status,
            content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
            body: body.clone(),
            at: now,
        },
    );
    // Later repeats find the stored answer; waiters still hold their `Arc`.
    lock(&shared.idempotency_locks).remove(&keyed);
    (Response::from_parts(parts, Body::from(body)), rate)
}

/// Sends the headers and `1/denominator` of the body, then fails the body so
/// the server breaks the connection (`denominator` 0: nothing of the body).
async fn cut_mid_body(response: Response, denominator: usize) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let keep = bytes.len().checked_div(denominator).unwrap_or(0);
    parts.headers.remove(header::CONTENT_LENGTH);
    let head = stream::iter([Ok::<Bytes, io::Error>(bytes.slice(..keep))]);
    // Pausing before the error lets hyper flush the headers and the first part.
    let error = stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "sandbox fault: connection dropped mid-body",
        ))
    });
    Response::from_parts(parts, Body::from_stream(head.chain(error)))
}

/// A complete response whose body is cut in half.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
    Response::from_parts(parts, Body::from(cut))
}

/// Turns axum's own plain-text answers into the error envelope: a bare 405
/// keeps its `Allow` header; an extractor's rejection (a body too large, a
/// path that is not UTF-8) becomes a 422, as API.md §6 wants for every input
/// problem.
pub(crate) async fn envelope_rejections(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json || response.status().is_success() {
        return response;
    }
    match response.status() {
        StatusCode::METHOD_NOT_ALLOWED => {
            // axum adds `Allow` to whatever this returns; keep one if already there.
            let allow = response.headers().get(header::ALLOW).cloned();
            let mut out = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this path does not offer that method; the Allow header lists those it does",
            )
            .into_response();
            if let Some(allow) = allow {
                out.headers_mut().insert(header::ALLOW, allow);
            }
            out
        }
        StatusCode::BAD_REQUEST
        | StatusCode::PAYLOAD_TOO_LARGE
        | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            let field = if response.status() == StatusCode::BAD_REQUEST {
                "path"
            } else {
                "body"
            };
            let body = to_bytes(response.into_body(), 64 * 1024)
                .await
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&body).trim().to_string();
            let message = if text.is_empty() {
                "is invalid".to_string()
            } else {
                text
            };
            ApiError::invalid(field, message).into_response()
        }
        _ => response,
    }
}

/// Any path the API does not have.
pub(crate) async fn not_found(request: Request) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {} {}", request.method(), request.uri().path()),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_from_either_header() {
        let mut h = HeaderMap::new();
        assert_eq!(presented_key(&h), None);
        h.insert("x-api-key", HeaderValue::from_static("k1"));
        assert_eq!(presented_key(&h), Some(("k1", KeyKind::XApiKey)));
        h.insert("authorization", HeaderValue::from_static("Bearer k2"));
        assert_eq!(presented_key(&h), Some(("k2", KeyKind::Bearer)));
        h.insert("authorization", HeaderValue::from_static("Basic abc"));
        assert_eq!(presented_key(&h), None);
    }

    #[test]
    fn reads_are_not_writes() {
        assert!(!is_write(&Method::GET, "/v1/assets"));
        assert!(!is_write(&Method::POST, "/v1/findings/export"));
        assert!(!is_write(&Method::POST, "/v1/actions/validate"));
        assert!(is_write(&Method::POST, "/v1/assets"));
        assert!(is_write(&Method::DELETE, "/v1/assets/a-1001"));
        assert!(is_write(&Method::PATCH, "/v1/findings/f-1"));
    }
}
