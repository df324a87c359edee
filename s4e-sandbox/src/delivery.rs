//! Webhook deliveries (API.md §5.1): a JSON POST, signed with
//! `S4E-Signature: t=<unix>,v1=<hex hmac-sha256(secret, "<t>.<body>")>` when the
//! webhook has a secret. Only `http://` loopback URLs are ever called; a
//! delivery to any other URL is recorded as not attempted, with the reason.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::controls::DeliveryRecord;
use crate::resources::webhooks::{Webhook, is_loopback_url};
use crate::state::{Event, Shared, lock};

/// The signature header's name (one constant, as the contract asks).
pub(crate) const SIGNATURE_HEADER: &str = "S4E-Signature";

/// How long a delivery may take before it counts as failed.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// One POST to make. Its `Debug` hides the secret.
#[derive(Clone, PartialEq)]
pub(crate) struct Delivery {
    pub(crate) event_id: String,
    pub(crate) event: String,
    pub(crate) webhook_id: Option<String>,
    pub(crate) url: String,
    pub(crate) secret: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("event_id", &self.event_id)
            .field("event", &self.event)
            .field("webhook_id", &self.webhook_id)
            .field("url", &self.url)
            .field("signed", &self.secret.is_some())
            .finish_non_exhaustive()
    }
}

impl Delivery {
    pub(crate) fn to_webhook(event: &Event, hook: &Webhook, body: Bytes) -> Delivery {
        Delivery {
            event_id: event.id.clone(),
            event: event.name.clone(),
            webhook_id: Some(hook.id.clone()),
            url: hook.url.clone(),
            secret: hook.secret.clone(),
            headers: hook
                .headers
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect(),
            body,
        }
    }

    /// A scan's `callback_url`: unsigned, since it has no secret.
    pub(crate) fn to_callback(event: &Event, url: &str, body: Bytes) -> Delivery {
        Delivery {
            event_id: event.id.clone(),
            event: event.name.clone(),
            webhook_id: None,
            url: url.to_string(),
            secret: None,
            headers: Vec::new(),
            body,
        }
    }
}

/// An event's `data` as deliveries carry it: the resource as the API
/// answers it, plus the fields the event stream documents for that event
/// (`scan_id`, `finding_id`, `old_status`/`new_status`, ...), so that a
/// delivery fits both its resource and `spec/s4e-v1.yaml`'s event schemas.
pub(crate) fn documented_data(event: &str, view: &Value) -> Value {
    let mut data = view.clone();
    let Some(fields) = data.as_object_mut() else {
        return data;
    };
    let id = fields.get("id").cloned().unwrap_or(Value::Null);
    match event.split_once('.').map_or(event, |(kind, _)| kind) {
        "scan" => {
            fields.insert("scan_id".into(), id);
            if event == "scan.completed" {
                let took = |at: &str| {
                    fields
                        .get(at)
                        .and_then(Value::as_str)
                        .and_then(|t| t.parse::<DateTime<Utc>>().ok())
                };
                if let (Some(start), Some(end)) = (took("started_at"), took("completed_at")) {
                    let duration = (end - start).num_seconds().max(0);
                    fields.insert("duration".into(), json!(duration));
                }
            }
            if event == "scan.failed" && !fields.contains_key("error") {
                fields.insert("error".into(), json!("the scan failed"));
            }
        }
        "finding" => {
            fields.insert("finding_id".into(), id);
            if event == "finding.status_changed" {
                let status = fields.get("status").cloned().unwrap_or(Value::Null);
                let previous = fields.remove("previous_status").unwrap_or(Value::Null);
                fields.insert("old_status".into(), previous);
                fields.insert("new_status".into(), status);
            }
        }
        "asset" => {
            fields.insert("asset_id".into(), id);
        }
        _ => {}
    }
    data
}

/// A fresh delivery ID (`dlv-…`), unique within the process.
fn next_delivery_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("dlv-{:06}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The `S4E-Signature` value for `body` sent at `timestamp` (Unix seconds).
pub(crate) fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

pub(crate) type HttpClient = Client<HttpConnector, Full<Bytes>>;

pub(crate) fn client() -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(Duration::from_secs(5)));
    Client::builder(TokioExecutor::new()).build(connector)
}

/// Sends each queued delivery on its own task, until the sender is gone.
pub(crate) async fn dispatch(shared: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Delivery>) {
    while let Some(d) = rx.recv().await {
        let shared = shared.clone();
        tokio::spawn(async move {
            send(&shared, d).await;
        });
    }
}

/// POSTs one delivery, records it, and returns the record.
pub(crate) async fn send(shared: &Shared, d: Delivery) -> DeliveryRecord {
    // A URL the sandbox must not call (a user's production receiver) is
    // recorded as not attempted, with the reason, rather than refused.
    let skipped = if !is_loopback_url(&d.url) {
        Some(
            "not attempted: the sandbox delivers only to loopback hosts (127.0.0.0/8, ::1, localhost)",
        )
    } else if d.url.starts_with("https://") {
        Some(
            "not attempted: https deliveries need TLS, which the sandbox does not ship; use an http:// loopback URL",
        )
    } else {
        None
    };
    let attempted = skipped.is_none();
    let sent = Arc::new(d.clone());
    let result = match skipped {
        Some(reason) => Err(reason.to_string()),
        None => post(&shared.client, &d).await,
    };
    let (status_code, error) = match result {
        Ok(status) => (Some(status), None),
        Err(e) => {
            if attempted {
                tracing::warn!(url = %d.url, event = %d.event, error = %e, "webhook delivery failed");
            }
            (None, Some(e))
        }
    };
    let record = DeliveryRecord {
        delivery_id: next_delivery_id(),
        event_id: d.event_id,
        event: d.event,
        webhook_id: d.webhook_id,
        url: d.url,
        attempted,
        delivered: status_code.is_some_and(|s| (200..300).contains(&s)),
        status_code,
        error,
        timestamp: Utc::now(),
        sent,
    };
    lock(&shared.deliveries).push(record.clone());
    record
}

async fn post(client: &HttpClient, d: &Delivery) -> Result<u16, String> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(&d.url)
        .header(header::CONTENT_TYPE, "application/json")
        .header(
            header::USER_AGENT,
            concat!("s4e-sandbox/", env!("CARGO_PKG_VERSION")),
        )
        .header("S4E-Event", &d.event)
        .header("S4E-Delivery", &d.event_id)
        .body(Full::new(d.body.clone()))
        .map_err(|e| format!("invalid request: {e}"))?;
    let headers = request.headers_mut();
    for (k, v) in &d.headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::try_from(k.as_str()),
            HeaderValue::try_from(v.as_str()),
        ) {
            headers.insert(k, v);
        }
    }
    if let Some(secret) = &d.secret {
        let value = signature(secret, Utc::now().timestamp(), &d.body);
        if let Ok(v) = HeaderValue::try_from(value) {
            headers.insert(SIGNATURE_HEADER, v);
        }
    }
    match tokio::time::timeout(DELIVERY_TIMEOUT, client.request(request)).await {
        Ok(Ok(response)) => Ok(response.status().as_u16()),
        Ok(Err(e)) => Err(format!("request failed: {e}")),
        Err(_) => Err(format!("no answer within {} s", DELIVERY_TIMEOUT.as_secs())),
    }
}

/// Sends a recorded delivery again: the same event and body, signed anew
/// (a fresh timestamp), to the same URL; `None` when no delivery has that ID.
pub(crate) async fn redeliver(shared: &Shared, delivery_id: &str) -> Option<DeliveryRecord> {
    let sent = lock(&shared.deliveries)
        .iter()
        .find(|r| r.delivery_id == delivery_id)
        .map(|r| r.sent.clone())?;
    Some(send(shared, Delivery::clone(&sent)).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_carry_the_documented_fields() {
        let data = documented_data(
            "finding.status_changed",
            &json!({"id": "f-1", "status": "resolved", "previous_status": "open", "severity": "high"}),
        );
        assert_eq!(data["finding_id"], "f-1");
        assert_eq!(data["old_status"], "open");
        assert_eq!(data["new_status"], "resolved");
        assert!(data.get("previous_status").is_none());
        let data = documented_data(
            "scan.completed",
            &json!({"id": "sc-1", "started_at": "2026-01-01T00:00:00Z", "completed_at": "2026-01-01T00:02:05Z"}),
        );
        assert_eq!(
            (data["scan_id"].as_str(), data["duration"].as_i64()),
            (Some("sc-1"), Some(125))
        );
        assert_eq!(
            documented_data("asset.created", &json!({"id": "a-1"}))["asset_id"],
            "a-1"
        );
        assert_eq!(
            documented_data("scan.failed", &json!({"id": "s"}))["error"],
            "the scan failed"
        );
    }

    #[test]
    fn signature_matches_a_known_vector() {
        // printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, b"{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }
}
