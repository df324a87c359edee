//! Webhook deliveries (API.md §5.1): a JSON POST, signed with
//! `S4E-Signature: t=<unix>,v1=<hex hmac-sha256(secret, "<t>.<body>")>` when the
//! webhook has a secret. Only `http://` loopback URLs are ever called; a
//! delivery to any other URL is recorded as not attempted, with the reason.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::controls::DeliveryRecord;
use crate::resources::webhooks::{Webhook, is_loopback_url};
use crate::state::{Event, Shared, lock};

/// The signature header's name (one constant, as the contract asks).
pub(crate) const SIGNATURE_HEADER: &str = "S4E-Signature";

/// How long a delivery may take before it counts as failed.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// One POST to make.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) event_id: String,
    pub(crate) event: String,
    pub(crate) webhook_id: Option<String>,
    pub(crate) url: String,
    pub(crate) secret: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
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
        event_id: d.event_id,
        event: d.event,
        webhook_id: d.webhook_id,
        url: d.url,
        attempted,
        delivered: status_code.is_some_and(|s| (200..300).contains(&s)),
        status_code,
        error,
        timestamp: Utc::now(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_vector() {
        // printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, b"{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }
}
