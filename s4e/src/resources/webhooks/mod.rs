//! Webhooks: event subscriptions and signed deliveries (`docs/API.md` §4.6,
//! §5.1).
//!
//! The [`Webhooks`] handle manages subscriptions. A receiver checks each
//! delivery with [`verify`], which authenticates the raw body against the
//! [`SIGNATURE_HEADER`] and returns the [`Event`]:
//!
//! ```
//! use s4e::webhooks::{self, EventData, EventType};
//!
//! # let secret = "whsec_test";
//! # let body = br#"{"id":"evt-1","event":"finding.new","timestamp":"2026-05-03T10:07:00Z","data":{"id":"f-1","severity":"high"}}"#;
//! # let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
//! # let header = webhooks::sign(body, secret, now);
//! // `body`: the raw request body; `header`: its `S4E-Signature` header.
//! let event = webhooks::verify(body, &header, secret)?;
//! assert_eq!(event.event_type, EventType::FindingNew);
//! match event.payload() {
//!     Ok(EventData::Finding(finding)) => println!("new finding {}", finding.id),
//!     Ok(_) => println!("{} {}", event.event_type, event.data),
//!     Err(e) => eprintln!("unexpected data for {}: {e}", event.event_type),
//! }
//! # Ok::<(), webhooks::SignatureError>(())
//! ```

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
mod dedup;
mod event;
mod secrets;
mod signature;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::string_enum;
use crate::http::paginate::Paginator;
use crate::http::request::{Async, Request};
use crate::{Client, endpoint};

pub use crate::ids::{EventId, WebhookId};
pub use dedup::{Claim, ClaimToken, DEFAULT_LEASE, DEFAULT_RETENTION, Dedup, DedupError};
pub use event::{Event, EventData, FindingStatusChange};
pub use secrets::{DEFAULT_BODY_LIMIT, Secrets};
pub use signature::{
    DEFAULT_TOLERANCE, SIGNATURE_HEADER, SignatureError, sign, verify, verify_at, verify_signature,
};

string_enum!(
    /// The name of an event a webhook can subscribe to.
    EventType {
        /// A scan was requested.
        ScanCreated = "scan.created",
        /// A scan finished.
        ScanCompleted = "scan.completed",
        /// A scan failed.
        ScanFailed = "scan.failed",
        /// A scan found a new vulnerability.
        FindingNew = "finding.new",
        /// A finding's triage status changed.
        FindingStatusChanged = "finding.status_changed",
        /// An action was triggered.
        ActionTriggered = "action.triggered",
        /// An action execution finished.
        ActionCompleted = "action.completed",
        /// An action execution failed.
        ActionFailed = "action.failed",
        /// A playbook run started.
        PlaybookStarted = "playbook.started",
        /// A playbook run finished.
        PlaybookCompleted = "playbook.completed",
        /// A playbook run failed.
        PlaybookFailed = "playbook.failed",
        /// An asset was added.
        AssetCreated = "asset.created",
        /// An asset's ownership was verified.
        AssetVerified = "asset.verified",
        /// A test delivery, sent by [`Webhooks::test`].
        WebhookTest = "webhook.test",
    }
);

/// A webhook's signing secret. Its `Debug` prints `WebhookSecret(***)`, so
/// a request holding it can be logged; it is sent as a plain JSON string.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Box<str>);

impl WebhookSecret {
    /// Wraps a secret.
    ///
    /// ```
    /// use s4e::webhooks::WebhookSecret;
    /// let secret = WebhookSecret::new("whsec_abc123");
    /// assert_eq!(format!("{secret:?}"), "WebhookSecret(***)");
    /// ```
    pub fn new(secret: impl Into<String>) -> Self {
        WebhookSecret(secret.into().into_boxed_str())
    }

    /// The secret itself. Do not log it.
    ///
    /// ```
    /// use s4e::webhooks::WebhookSecret;
    /// let secret = WebhookSecret::new("whsec_abc123");
    /// assert_eq!(secret.expose(), "whsec_abc123");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

impl Serialize for WebhookSecret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl From<&str> for WebhookSecret {
    fn from(secret: &str) -> Self {
        WebhookSecret::new(secret)
    }
}

impl From<String> for WebhookSecret {
    fn from(secret: String) -> Self {
        WebhookSecret::new(secret)
    }
}

impl From<&String> for WebhookSecret {
    fn from(secret: &String) -> Self {
        WebhookSecret::new(secret.as_str())
    }
}

/// An event subscription. The API never sends its secret back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Webhook {
    /// The webhook's ID.
    pub id: WebhookId,
    /// Its name.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub name: String,
    /// Where events are delivered.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub url: String,
    /// The events delivered.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub events: Vec<EventType>,
    /// Whether deliveries are on (`true` when the answer leaves it out or
    /// sends `null`).
    #[serde(
        default = "active_by_default",
        deserialize_with = "crate::de::null_as_true"
    )]
    pub active: bool,
    /// Extra headers sent with each delivery (empty when the answer sends
    /// none or `null`).
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub headers: BTreeMap<String, String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

fn active_by_default() -> bool {
    true
}

/// The answer of [`Webhooks::test`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TestDelivery {
    /// Whether the receiver answered with a 2xx.
    pub delivered: bool,
    /// The receiver's HTTP status, when it answered.
    #[serde(default)]
    pub status_code: Option<u16>,
}

/// `GET /webhooks`: one page of webhooks.
#[endpoint(GET, "/webhooks", paginated, response = Webhook, crate = crate)]
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ListWebhooks {}

/// `GET /webhooks/{id}`: one webhook.
#[endpoint(GET, "/webhooks/{id}", response = Webhook, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetWebhook {
    /// The webhook to read.
    pub id: WebhookId,
}

/// `POST /webhooks`: subscribes a URL to events.
#[endpoint(POST, "/webhooks", response = Webhook, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateWebhook {
    /// Its name.
    pub name: String,
    /// Where to deliver: `https`, or `http` on a loopback address.
    pub url: String,
    /// The events to deliver.
    pub events: Vec<EventType>,
    /// The HMAC-SHA256 secret deliveries are signed with; hidden from
    /// `Debug`.
    pub secret: Option<WebhookSecret>,
    /// Extra headers to send with each delivery.
    pub headers: Option<BTreeMap<String, String>>,
    /// Whether deliveries start on (`true` by the server's default).
    pub active: Option<bool>,
}

/// `PATCH /webhooks/{id}`: changes any field of a webhook.
#[endpoint(PATCH, "/webhooks/{id}", response = Webhook, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UpdateWebhook {
    /// The webhook to change.
    pub id: WebhookId,
    /// Renames it.
    pub name: Option<String>,
    /// Delivers elsewhere.
    pub url: Option<String>,
    /// Replaces the events delivered.
    pub events: Option<Vec<EventType>>,
    /// Replaces the signing secret; hidden from `Debug`.
    pub secret: Option<WebhookSecret>,
    /// Replaces the extra headers.
    pub headers: Option<BTreeMap<String, String>>,
    /// Turns deliveries on or off.
    pub active: Option<bool>,
}

/// `DELETE /webhooks/{id}`: removes a webhook.
#[endpoint(DELETE, "/webhooks/{id}", crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeleteWebhook {
    /// The webhook to remove.
    pub id: WebhookId,
}

/// `POST /webhooks/{id}/test`: delivers a `webhook.test` event now.
#[endpoint(POST, "/webhooks/{id}/test", response = TestDelivery, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TestWebhook {
    /// The webhook to test.
    pub id: WebhookId,
}

/// The webhooks operations; from [`Client::webhooks`] or
/// [`blocking::Client::webhooks`](crate::blocking::Client::webhooks).
#[derive(Debug, Clone)]
pub struct Webhooks<M = Async> {
    client: Client,
    mode: M,
}

impl<M: Clone> Webhooks<M> {
    pub(crate) fn new(client: Client, mode: M) -> Self {
        Webhooks { client, mode }
    }

    fn request<E>(&self, endpoint: E) -> Request<E, M> {
        Request::new(self.client.clone(), self.mode.clone(), endpoint)
    }

    /// One page of webhooks.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.webhooks().list().per_page(50).await?;
    /// for webhook in &page {
    ///     println!("{} {} {:?}", webhook.id, webhook.url, webhook.events);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<ListWebhooks, M> {
        self.request(ListWebhooks::default())
    }

    /// Every webhook, as a lazy stream (an iterator on the blocking client).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::webhooks::Webhook;
    /// let all: Vec<Webhook> = client.webhooks().list_auto().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_auto(&self) -> Paginator<ListWebhooks, M> {
        Paginator::new(
            self.client.clone(),
            self.mode.clone(),
            ListWebhooks::default(),
        )
    }

    /// One webhook.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let webhook = client.webhooks().get("wh-001").await?;
    /// println!("active: {}", webhook.active);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<WebhookId>) -> Request<GetWebhook, M> {
        self.request(GetWebhook { id: id.into() })
    }

    /// Subscribes `url` to `events`; the setters add a signing secret,
    /// headers, or start it inactive.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::webhooks::EventType;
    /// let webhook = client
    ///     .webhooks()
    ///     .create(
    ///         "SOC pipeline",
    ///         "https://hooks.example.com/s4e",
    ///         [EventType::FindingNew, EventType::ScanCompleted],
    ///     )
    ///     .secret(std::env::var("S4E_WEBHOOK_SECRET").unwrap_or_default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(
        &self,
        name: impl Into<String>,
        url: impl Into<String>,
        events: impl IntoIterator<Item = impl Into<EventType>>,
    ) -> Request<CreateWebhook, M> {
        self.request(CreateWebhook {
            name: name.into(),
            url: url.into(),
            events: events.into_iter().map(Into::into).collect(),
            secret: None,
            headers: None,
            active: None,
        })
    }

    /// Changes a webhook; only the fields set with the setters are sent.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::webhooks::EventType;
    /// let webhook = client
    ///     .webhooks()
    ///     .update("wh-001")
    ///     .events([EventType::FindingNew])
    ///     .active(false)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, id: impl Into<WebhookId>) -> Request<UpdateWebhook, M> {
        self.request(UpdateWebhook {
            id: id.into(),
            name: None,
            url: None,
            events: None,
            secret: None,
            headers: None,
            active: None,
        })
    }

    /// Removes a webhook.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// client.webhooks().delete("wh-001").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<WebhookId>) -> Request<DeleteWebhook, M> {
        self.request(DeleteWebhook { id: id.into() })
    }

    /// Delivers a `webhook.test` event to the webhook now and reports
    /// whether the receiver took it.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let delivery = client.webhooks().test("wh-001").await?;
    /// println!("delivered: {} ({:?})", delivery.delivered, delivery.status_code);
    /// # Ok(()) }
    /// ```
    pub fn test(&self, id: impl Into<WebhookId>) -> Request<TestWebhook, M> {
        self.request(TestWebhook { id: id.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_never_shows_in_debug() {
        let create = CreateWebhook {
            name: "n".into(),
            url: "https://x".into(),
            events: vec![EventType::ScanFailed],
            secret: None,
            headers: None,
            active: None,
        }
        .secret("whsec_do_not_print");
        let printed = format!("{create:?}");
        assert!(!printed.contains("whsec_do_not_print"), "{printed}");
        assert!(printed.contains("WebhookSecret(***)"), "{printed}");
        assert_eq!(
            serde_json::to_string(&WebhookSecret::from("s3")).unwrap(),
            "\"s3\""
        );
    }
}
