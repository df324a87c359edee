//! Test and benchmark controls: the clock, rate limits, latency, faults, the
//! request log and the webhook deliveries. The same controls answer over HTTP
//! under `/__sandbox/` (see the `admin` module).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::delivery::{self, Delivery};
use crate::state::{Shared, lock};

/// The controls of a running sandbox; cheap to clone, usable from any thread.
///
/// # Examples
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use s4e_sandbox::{Fault, Sandbox};
///
/// let sandbox = Sandbox::builder().manual_clock().start().await?;
/// let controls = sandbox.controls();
/// controls.inject(Fault::status(503).times(2).on("POST", "/assets"));
/// // ... exercise a client against sandbox.base_url() ...
/// controls.advance(Duration::from_secs(3600)); // every queued scan completes
/// assert_eq!(controls.count("POST", "/assets"), 0);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Controls {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Controls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controls")
            .field("now", &self.now())
            .finish_non_exhaustive()
    }
}

impl Controls {
    /// The sandbox's present time (what `created_at` of a new resource would be).
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.now()
    }

    /// Moves the clock forward by `by` and brings every scan, execution and
    /// run up to the new time before returning; the events that raises are
    /// queued for delivery.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
        drop(self.shared.db());
    }

    /// Stops real time from moving the clock: only [`advance`](Self::advance) does.
    pub fn pause_clock(&self) {
        drop(self.shared.db());
        self.shared.clock.pause();
    }

    /// Lets real time move the clock again.
    pub fn resume_clock(&self) {
        self.shared.clock.resume();
    }

    /// Whether only [`advance`](Self::advance) moves the clock.
    pub fn is_clock_paused(&self) -> bool {
        self.shared.clock.is_paused()
    }

    /// How many times faster than their nominal durations jobs run.
    pub fn scan_speed(&self) -> f64 {
        self.shared.settings().scan_speed
    }

    /// Sets how many times faster than nominal jobs run (`0` freezes them).
    /// Work done so far is kept.
    pub fn set_scan_speed(&self, speed: f64) {
        drop(self.shared.db());
        lock(&self.shared.settings).scan_speed = if speed.is_finite() {
            speed.max(0.0)
        } else {
            0.0
        };
    }

    /// Limits each API key to `per_minute` requests per window of a minute
    /// (the window opens with the key's first request and `X-RateLimit-Reset`
    /// is its end); `None` lifts the limit. Windows start afresh.
    pub fn set_rate_limit(&self, per_minute: Option<u32>) {
        lock(&self.shared.settings).rate_limit = per_minute.filter(|n| *n > 0);
        lock(&self.shared.rate_windows).clear();
    }

    /// The current limit per key and minute, if any.
    pub fn rate_limit(&self) -> Option<u32> {
        self.shared.settings().rate_limit
    }

    /// Limits each key to `per_minute` requests on `endpoint`, on top of the
    /// per-key limit; `None` (or `Some(0)`) lifts it. That endpoint's windows
    /// start afresh. A request over it is answered 429 with `Retry-After`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), s4e_sandbox::Error> {
    /// use s4e_sandbox::{LimitedEndpoint, Sandbox};
    ///
    /// let sandbox = Sandbox::builder().start().await?;
    /// let controls = sandbox.controls();
    /// controls.set_endpoint_limit(LimitedEndpoint::FindingsExport, Some(1));
    /// // the second POST /findings/export within a minute is answered 429
    /// assert_eq!(controls.endpoint_limit(LimitedEndpoint::FindingsExport), Some(1));
    /// # Ok(()) }
    /// ```
    pub fn set_endpoint_limit(&self, endpoint: LimitedEndpoint, per_minute: Option<u32>) {
        lock(&self.shared.settings).endpoint_limits[endpoint.index()] =
            per_minute.filter(|n| *n > 0);
        let suffix = endpoint.window_suffix();
        lock(&self.shared.rate_windows).retain(|k, _| !k.ends_with(suffix));
    }

    /// The current limit per key and minute on `endpoint`, if any.
    pub fn endpoint_limit(&self, endpoint: LimitedEndpoint) -> Option<u32> {
        self.shared.settings().endpoint_limits[endpoint.index()]
    }

    /// Sets the limits the contract documents: 100 requests per minute per
    /// key, and each [`LimitedEndpoint`] at its
    /// [`documented_limit`](LimitedEndpoint::documented_limit).
    pub fn use_documented_limits(&self) {
        self.set_rate_limit(Some(DOCUMENTED_KEY_LIMIT));
        for e in LimitedEndpoint::ALL {
            self.set_endpoint_limit(e, Some(e.documented_limit()));
        }
    }

    /// Every API answer takes at least `latency` from the request's arrival,
    /// the server's own work included (`Duration::ZERO` for none).
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.shared.settings).latency = latency;
    }

    /// The added latency.
    pub fn latency(&self) -> Duration {
        self.shared.settings().latency
    }

    /// Queues a fault; faults apply in the order injected, each to the next
    /// matching requests until its count runs out.
    pub fn inject(&self, fault: Fault) {
        if fault.times > 0 {
            lock(&self.shared.faults).push(fault);
        }
    }

    /// Answers the next `n` API requests with `status` and the error envelope.
    pub fn fail_next(&self, n: u32, status: u16) {
        self.inject(Fault::status(status).times(n));
    }

    /// The faults still pending, with their remaining counts.
    pub fn faults(&self) -> Vec<Fault> {
        lock(&self.shared.faults).clone()
    }

    /// Drops every pending fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Every API request so far, oldest first (admin routes are not logged).
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).iter().cloned().collect()
    }

    /// How many requests had this method and path. `path` may leave out the
    /// `/v1` prefix and may end in `*` to match a prefix (`/assets/*`).
    pub fn count(&self, method: &str, path: &str) -> usize {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && path_matches(path, &r.path))
            .count()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Every webhook delivery so far, oldest first, including those not
    /// attempted because their URL is not a loopback `http://` URL.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        lock(&self.shared.deliveries).clone()
    }

    /// Sends the recorded delivery `delivery_id` again, as a sender's retry
    /// would: the same event and body, signed anew, to the same URL. Answers
    /// the new attempt's record, or `None` when no delivery has that ID. For
    /// testing a receiver's duplicate handling.
    ///
    /// ```no_run
    /// # async fn demo(controls: s4e_sandbox::Controls) {
    /// let first = controls.deliveries().remove(0);
    /// let again = controls.redeliver(&first.delivery_id).await.expect("a recorded delivery");
    /// assert_eq!(again.event_id, first.event_id);
    /// # }
    /// ```
    pub async fn redeliver(&self, delivery_id: &str) -> Option<DeliveryRecord> {
        delivery::redeliver(&self.shared, delivery_id).await
    }

    /// Back to the start: the seed data, no faults, empty logs, no stored
    /// idempotent responses, and the settings the sandbox started with. The
    /// clock keeps its time.
    pub fn reset(&self) {
        self.shared.reset_db();
        *lock(&self.shared.settings) = self.shared.config.settings.clone();
        lock(&self.shared.faults).clear();
        lock(&self.shared.log).clear();
        lock(&self.shared.deliveries).clear();
        lock(&self.shared.rate_windows).clear();
        lock(&self.shared.idempotency).clear();
    }
}

/// The per-key limit per minute the contract documents (API.md §3).
pub(crate) const DOCUMENTED_KEY_LIMIT: u32 = 100;

/// An endpoint the contract gives its own rate limit, counted per key on top
/// of the per-key limit (API.md §3).
///
/// # Examples
///
/// ```
/// use s4e_sandbox::LimitedEndpoint;
///
/// assert_eq!(LimitedEndpoint::ScanCreate.documented_limit(), 10);
/// assert_eq!(LimitedEndpoint::FindingsExport.path(), "/findings/export");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitedEndpoint {
    /// `POST /scans`: 10 per minute.
    ScanCreate,
    /// `POST /findings/export`: 5 per minute.
    FindingsExport,
}

impl LimitedEndpoint {
    /// Every limited endpoint.
    pub const ALL: [LimitedEndpoint; 2] =
        [LimitedEndpoint::ScanCreate, LimitedEndpoint::FindingsExport];

    /// Requests per minute the contract documents for it.
    pub fn documented_limit(self) -> u32 {
        match self {
            LimitedEndpoint::ScanCreate => 10,
            LimitedEndpoint::FindingsExport => 5,
        }
    }

    /// Its method.
    pub fn method(self) -> &'static str {
        "POST"
    }

    /// Its path, without the `/v1` prefix.
    pub fn path(self) -> &'static str {
        match self {
            LimitedEndpoint::ScanCreate => "/scans",
            LimitedEndpoint::FindingsExport => "/findings/export",
        }
    }

    /// Its name in the admin settings (`scan_create`, `findings_export`).
    pub fn name(self) -> &'static str {
        match self {
            LimitedEndpoint::ScanCreate => "scan_create",
            LimitedEndpoint::FindingsExport => "findings_export",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// What its rate-limit windows are keyed under, after the API key.
    pub(crate) fn window_suffix(self) -> &'static str {
        match self {
            LimitedEndpoint::ScanCreate => " POST /scans",
            LimitedEndpoint::FindingsExport => " POST /findings/export",
        }
    }

    /// The limited endpoint a request goes to, if any (`path` with `/v1`).
    pub(crate) fn of(method: &str, path: &str) -> Option<LimitedEndpoint> {
        let path = normalize(path);
        let path = path.trim_end_matches('/');
        LimitedEndpoint::ALL
            .into_iter()
            .find(|e| method.eq_ignore_ascii_case(e.method()) && path == e.path())
    }
}

/// How a request presented its API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeyKind {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// `X-API-Key: <key>`.
    XApiKey,
}

/// `/v1/assets` → `/assets`; anything else gets a leading `/`.
pub(crate) fn normalize(path: &str) -> String {
    let path = path.trim();
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    match path.strip_prefix("/v1") {
        Some("") => "/".to_string(),
        Some(rest) if rest.starts_with('/') => rest.to_string(),
        _ => path,
    }
}

/// Whether `pattern` (exact, or a prefix ending in `*`) matches `path`.
pub(crate) fn path_matches(pattern: &str, path: &str) -> bool {
    let path = normalize(path);
    match pattern.trim().strip_suffix('*') {
        Some(prefix) => path.starts_with(&normalize(prefix)),
        None => path == normalize(pattern),
    }
}

/// What a fault does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answers this status with the JSON error envelope; the request is not
    /// handled (for 429 with `Retry-After: 1`).
    Status(u16),
    /// Answers this status with an HTML page, as a proxy in front of the API
    /// would; the request is not handled.
    HtmlError(u16),
    /// Handles the request, then closes the connection without writing a byte
    /// of the response.
    DropBeforeHeaders,
    /// Handles the request, sends the status and headers and half the body,
    /// then breaks the connection.
    DropAfterHeaders,
    /// Handles the request and sends a well-framed response whose body is cut
    /// in half (`Content-Length` matches the cut body), so JSON fails to parse.
    TruncatedBody,
    /// Handles the request, then waits this long before answering (set it past
    /// the client's timeout).
    Delay(Duration),
}

impl FaultKind {
    /// The name used in the request log and the admin routes.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Status(_) => "status",
            FaultKind::HtmlError(_) => "html",
            FaultKind::DropBeforeHeaders => "drop_before_headers",
            FaultKind::DropAfterHeaders => "drop_after_headers",
            FaultKind::TruncatedBody => "truncated_body",
            FaultKind::Delay(_) => "delay",
        }
    }
}

/// A fault to inject: a kind, how many requests it hits (default 1), and
/// optionally only requests with a given method and/or path.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use s4e_sandbox::{Fault, FaultKind};
///
/// let fault = Fault::status(503).times(2).on("POST", "/assets");
/// assert_eq!(fault.kind(), FaultKind::Status(503));
/// assert_eq!(fault.remaining(), 2);
/// let slow = Fault::delay(Duration::from_secs(5)).path("/findings*");
/// assert_eq!(slow.path_filter(), Some("/findings*"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    kind: FaultKind,
    times: u32,
    method: Option<String>,
    path: Option<String>,
}

impl Fault {
    /// A fault of `kind` for the next request.
    pub fn new(kind: FaultKind) -> Fault {
        Fault {
            kind,
            times: 1,
            method: None,
            path: None,
        }
    }

    /// Answers `status` with the JSON error envelope.
    pub fn status(status: u16) -> Fault {
        Fault::new(FaultKind::Status(status))
    }

    /// Answers `status` with an HTML error page (e.g. 502 from a proxy).
    pub fn html_error(status: u16) -> Fault {
        Fault::new(FaultKind::HtmlError(status))
    }

    /// Closes the connection before the response headers.
    pub fn drop_before_headers() -> Fault {
        Fault::new(FaultKind::DropBeforeHeaders)
    }

    /// Closes the connection after the headers, mid-body.
    pub fn drop_after_headers() -> Fault {
        Fault::new(FaultKind::DropAfterHeaders)
    }

    /// Sends a truncated body.
    pub fn truncated_body() -> Fault {
        Fault::new(FaultKind::TruncatedBody)
    }

    /// Answers after `delay`.
    pub fn delay(delay: Duration) -> Fault {
        Fault::new(FaultKind::Delay(delay))
    }

    /// Hits the next `n` matching requests instead of one.
    pub fn times(mut self, n: u32) -> Fault {
        self.times = n;
        self
    }

    /// Only requests with this method (case-insensitive).
    pub fn method(mut self, method: impl Into<String>) -> Fault {
        self.method = Some(method.into());
        self
    }

    /// Only requests to this path: `/assets` or `/v1/assets`, or a prefix
    /// ending in `*`.
    pub fn path(mut self, path: impl Into<String>) -> Fault {
        self.path = Some(path.into());
        self
    }

    /// Only requests with this method and path.
    pub fn on(self, method: impl Into<String>, path: impl Into<String>) -> Fault {
        self.method(method).path(path)
    }

    /// What it does.
    pub fn kind(&self) -> FaultKind {
        self.kind
    }

    /// How many more requests it hits.
    pub fn remaining(&self) -> u32 {
        self.times
    }

    /// The method it is limited to.
    pub fn method_filter(&self) -> Option<&str> {
        self.method.as_deref()
    }

    /// The path it is limited to.
    pub fn path_filter(&self) -> Option<&str> {
        self.path.as_deref()
    }

    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|p| path_matches(p, path))
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut v = json!({
            "kind": self.kind.name(),
            "times": self.times,
            "method": self.method,
            "path": self.path,
        });
        match self.kind {
            FaultKind::Status(s) | FaultKind::HtmlError(s) => v["status"] = json!(s),
            FaultKind::Delay(d) => v["delay_ms"] = json!(d.as_millis() as u64),
            _ => {}
        }
        v
    }
}

/// Takes one use of the first pending fault that matches.
pub(crate) fn take_fault(shared: &Shared, method: &str, path: &str) -> Option<FaultKind> {
    let mut faults = lock(&shared.faults);
    let i = faults.iter().position(|f| f.matches(method, path))?;
    let kind = faults[i].kind;
    faults[i].times -= 1;
    if faults[i].times == 0 {
        faults.remove(i);
    }
    Some(kind)
}

/// One API request as the sandbox saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RequestRecord {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path as sent, e.g. `/v1/assets`.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The status answered; `None` when the connection was dropped before it.
    pub status: Option<u16>,
    /// The `Idempotency-Key` sent, if any.
    pub idempotency_key: Option<String>,
    /// The `X-Request-Id` answered.
    pub request_id: String,
    /// When it arrived (wall-clock time).
    pub timestamp: DateTime<Utc>,
    /// The answer was a stored response replayed for a repeated idempotency key.
    pub replayed: bool,
    /// The fault that hit it, by [`FaultKind::name`].
    pub fault: Option<String>,
    /// Which header carried the API key (`None`: no key was sent). When both
    /// are sent, `Authorization` is the one used.
    pub key_kind: Option<KeyKind>,
    /// The request body as sent (lossy UTF-8), cut to the first
    /// [`RequestRecord::BODY_LIMIT`] bytes; `None` when empty.
    pub body: Option<String>,
    /// The body's full size in bytes.
    pub body_size: usize,
    /// `body` holds only the start of a longer body.
    pub body_truncated: bool,
}

impl RequestRecord {
    /// Most bytes of a body the log keeps per request, so the log stays
    /// bounded (it keeps at most 100 000 requests).
    pub const BODY_LIMIT: usize = 8 * 1024;
}

/// One webhook delivery attempt.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DeliveryRecord {
    /// This attempt's ID (`dlv-…`), for [`Controls::redeliver`].
    pub delivery_id: String,
    /// `evt-…`.
    pub event_id: String,
    /// `scan.completed`, ...
    pub event: String,
    /// The webhook, or `None` for a scan's `callback_url`.
    pub webhook_id: Option<String>,
    /// Where it was sent.
    pub url: String,
    /// The sandbox made the POST. `false` for a URL it does not call (not an
    /// `http://` loopback URL); `error` then says why.
    pub attempted: bool,
    /// The receiver answered 2xx.
    pub delivered: bool,
    /// The receiver's status, if it answered.
    pub status_code: Option<u16>,
    /// Why it failed when it got no answer, or why it was not attempted.
    pub error: Option<String>,
    /// When it was sent (wall-clock time).
    pub timestamp: DateTime<Utc>,
    /// What was sent, for a redelivery.
    #[serde(skip)]
    pub(crate) sent: Arc<Delivery>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_with_or_without_prefix() {
        assert!(path_matches("/assets", "/v1/assets"));
        assert!(path_matches("/v1/assets", "/v1/assets"));
        assert!(path_matches("assets", "/v1/assets"));
        assert!(!path_matches("/assets", "/v1/assets/a-1"));
        assert!(path_matches("/assets/*", "/v1/assets/a-1"));
        assert!(path_matches("/assets*", "/v1/assets"));
        assert!(!path_matches("/scans*", "/v1/assets"));
        assert_eq!(normalize("/v1"), "/");
        assert_eq!(normalize("/v10/x"), "/v10/x");
    }

    #[test]
    fn limited_endpoints_are_found_by_method_and_path() {
        assert_eq!(
            LimitedEndpoint::of("POST", "/v1/scans"),
            Some(LimitedEndpoint::ScanCreate)
        );
        assert_eq!(
            LimitedEndpoint::of("post", "/v1/findings/export/"),
            Some(LimitedEndpoint::FindingsExport)
        );
        assert_eq!(LimitedEndpoint::of("GET", "/v1/scans"), None);
        assert_eq!(LimitedEndpoint::of("POST", "/v1/scans/sc-1/cancel"), None);
        for e in LimitedEndpoint::ALL {
            assert_eq!(LimitedEndpoint::ALL[e.index()], e);
            assert!(e.window_suffix().ends_with(e.path()));
        }
    }

    #[test]
    fn fault_filters() {
        let f = Fault::status(503).on("post", "/assets");
        assert!(f.matches("POST", "/v1/assets"));
        assert!(!f.matches("GET", "/v1/assets"));
        assert!(!f.matches("POST", "/v1/scans"));
        assert!(Fault::truncated_body().matches("GET", "/anything"));
        assert_eq!(
            Fault::delay(Duration::from_millis(1500)).to_json()["delay_ms"],
            1500
        );
    }
}
