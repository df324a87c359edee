//! What the SDK records through `tracing`: at DEBUG one event per attempt
//! and the `s4e.request` span with OpenTelemetry's HTTP client attribute
//! names; at TRACE the bodies, secrets redacted. Captured field by field by
//! a layer, so values are compared exactly.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use s4e::Error;
use s4e::webhooks::EventType;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use wiremock::{MockServer, ResponseTemplate};

use crate::support::{self, KEY, MountExpecting};

type Fields = BTreeMap<String, String>;

struct Visitor<'a>(&'a mut Fields);

impl Visit for Visitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

/// The closed `s4e.request` spans and the `s4e` events, with their fields.
#[derive(Clone, Default)]
struct Captured {
    spans: Arc<Mutex<Vec<Fields>>>,
    events: Arc<Mutex<Vec<(Level, Fields)>>>,
}

impl<S> Layer<S> for Captured
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "s4e.request" {
            return;
        }
        let mut fields = Fields::new();
        attrs.record(&mut Visitor(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<Fields>() {
                values.record(&mut Visitor(fields));
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id) {
            if let Some(fields) = span.extensions_mut().remove::<Fields>() {
                self.spans.lock().unwrap().push(fields);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != "s4e" {
            return;
        }
        let mut fields = Fields::new();
        event.record(&mut Visitor(&mut fields));
        self.events
            .lock()
            .unwrap()
            .push((*event.metadata().level(), fields));
    }
}

impl Captured {
    fn spans(&self) -> Vec<Fields> {
        self.spans.lock().unwrap().clone()
    }

    fn events(&self) -> Vec<(Level, Fields)> {
        self.events.lock().unwrap().clone()
    }

    /// The events whose message is `message`.
    fn named(&self, message: &str) -> Vec<Fields> {
        self.events()
            .into_iter()
            .filter(|(_, fields)| fields.get("message").map(String::as_str) == Some(message))
            .map(|(_, fields)| fields)
            .collect()
    }

    /// Everything recorded, as one text, for "never shows" checks.
    fn all_text(&self) -> String {
        format!("{:?}{:?}", self.spans(), self.events())
    }
}

/// Runs `calls` on a current-thread runtime with a capturing subscriber at
/// `level` as this thread's default.
fn capture<F, Fut>(level: Level, calls: F) -> Captured
where
    F: FnOnce(MockServer) -> Fut,
    Fut: Future<Output = ()>,
{
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::from_level(level))
        .with(captured.clone());
    // See `redaction::logged_calls`: a second dispatcher makes tracing ask
    // every one of them, not only the first thread's, about each callsite.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _default = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = support::start().await;
        calls(server).await;
    });
    drop(runtime);
    captured
}

fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields.get(name).map(String::as_str)
}

#[test]
fn a_successful_call_makes_one_debug_event_and_an_otel_span() {
    let port = Arc::new(Mutex::new(String::new()));
    let url = Arc::new(Mutex::new(String::new()));
    let (port_in, url_in) = (port.clone(), url.clone());
    let captured = capture(Level::DEBUG, |server| async move {
        support::route("GET", "/v1/findings/f-1")
            .respond_with(support::finding_response("f-1").insert_header("x-request-id", "req-1"))
            .mount_expecting(&server, 1)
            .await;
        *port_in.lock().unwrap() = server.address().port().to_string();
        *url_in.lock().unwrap() = format!("{}/findings/f-1", support::base_url(&server));
        support::get_finding(&server, "f-1").await.unwrap();
    });
    let answered = captured.named("answered");
    assert_eq!(answered.len(), 1, "{:?}", captured.events());
    let event = &answered[0];
    assert_eq!(field(event, "method"), Some("GET"));
    assert_eq!(field(event, "url"), Some(url.lock().unwrap().as_str()));
    assert_eq!(field(event, "status"), Some("200"));
    assert_eq!(field(event, "attempt"), Some("1"));
    assert_eq!(field(event, "request_id"), Some("req-1"));
    assert!(
        field(event, "duration_ms").is_some_and(|ms| ms.parse::<u64>().is_ok()),
        "{event:?}"
    );
    assert!(
        captured
            .events()
            .iter()
            .all(|(level, _)| *level == Level::DEBUG),
        "only DEBUG events at DEBUG: {:?}",
        captured.events()
    );

    let spans = captured.spans();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let span = &spans[0];
    assert_eq!(field(span, "http.request.method"), Some("GET"));
    assert_eq!(field(span, "url.template"), Some("/findings/{id}"));
    assert_eq!(field(span, "server.address"), Some("127.0.0.1"));
    assert_eq!(
        field(span, "server.port"),
        Some(port.lock().unwrap().as_str())
    );
    assert_eq!(field(span, "http.response.status_code"), Some("200"));
    assert_eq!(field(span, "request_id"), Some("req-1"));
    assert_eq!(field(span, "error.type"), None, "a success has no error");
    assert_eq!(
        field(span, "http.request.resend_count"),
        None,
        "set only when a retry was made"
    );
}

#[test]
fn a_retried_call_counts_its_resends_and_reports_each_attempt() {
    let captured = capture(Level::DEBUG, |server| async move {
        support::route("GET", "/v1/findings/f-1")
            .respond_with(support::sequence([
                support::error_body(503, "unavailable", "later")
                    .insert_header("x-request-id", "req-a"),
                support::error_body(502, "bad_gateway", "later"),
                support::finding_response("f-1").insert_header("x-request-id", "req-c"),
            ]))
            .mount_expecting(&server, 3)
            .await;
        support::get_finding(&server, "f-1").await.unwrap();
    });
    let failed = captured.named("attempt failed");
    assert_eq!(failed.len(), 2, "{:?}", captured.events());
    assert_eq!(
        failed
            .iter()
            .map(|e| (
                field(e, "attempt"),
                field(e, "status"),
                field(e, "error.type"),
                field(e, "request_id")
            ))
            .collect::<Vec<_>>(),
        [
            (Some("1"), Some("503"), Some("503"), Some("req-a")),
            (Some("2"), Some("502"), Some("502"), None),
        ]
    );
    let answered = captured.named("answered");
    assert_eq!(answered.len(), 1);
    assert_eq!(field(&answered[0], "attempt"), Some("3"));
    assert_eq!(captured.named("retrying").len(), 2);

    let span = &captured.spans()[0];
    assert_eq!(field(span, "http.request.resend_count"), Some("2"));
    assert_eq!(field(span, "http.response.status_code"), Some("200"));
    assert_eq!(field(span, "request_id"), Some("req-c"));
    assert_eq!(
        field(span, "error.type"),
        None,
        "the retries made the call good"
    );
}

#[test]
fn a_failed_call_names_its_error_type() {
    let captured = capture(Level::DEBUG, |server| async move {
        support::route("GET", "/v1/findings/f-404")
            .respond_with(
                support::error_body(404, "not_found", "no such finding")
                    .insert_header("x-request-id", "req-404"),
            )
            .mount_expecting(&server, 1)
            .await;
        let err = support::get_finding(&server, "f-404").await.unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err:?}");
        let err = support::get_f1_by(support::builder_at(&support::closed_port_url()).retries(1))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    });
    let spans = captured.spans();
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert_eq!(field(&spans[0], "error.type"), Some("404"));
    assert_eq!(field(&spans[0], "http.response.status_code"), Some("404"));
    assert_eq!(field(&spans[0], "request_id"), Some("req-404"));
    assert_eq!(field(&spans[1], "error.type"), Some("connect"));
    assert_eq!(field(&spans[1], "http.response.status_code"), None);
    assert_eq!(field(&spans[1], "http.request.resend_count"), Some("1"));
    let failed = captured.named("attempt failed");
    assert_eq!(failed.len(), 3, "one per attempt: {failed:?}");
    assert_eq!(field(&failed[2], "error.type"), Some("connect"));
    assert_eq!(field(&failed[2], "status"), None);
}

const WEBHOOK_SECRET: &str = "whsec_OBSERVE-canary-91c2";
const RECEIVER_TOKEN: &str = "Bearer receiver-token-55d1";

async fn create_webhook(server: MockServer) {
    support::route("POST", "/v1/webhooks")
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "status": "success",
            "data": {
                "id": "wh-1",
                "name": "SOC",
                "url": "https://hooks.example.com/s4e",
                "events": ["scan.completed"],
                "secret": WEBHOOK_SECRET,
                "headers": {"Authorization": RECEIVER_TOKEN},
                "active": true,
                "note": format!("echo of the key: {KEY}"),
            }
        })))
        .mount_expecting(&server, 1)
        .await;
    let webhook = support::client(&server)
        .webhooks()
        .create(
            "SOC",
            "https://hooks.example.com/s4e",
            [EventType::ScanCompleted],
        )
        .secret(WEBHOOK_SECRET)
        .headers(BTreeMap::from([(
            "Authorization".to_owned(),
            RECEIVER_TOKEN.to_owned(),
        )]))
        .await
        .unwrap();
    assert_eq!(webhook.id.as_str(), "wh-1");
}

#[test]
fn trace_shows_the_bodies_with_secrets_and_the_key_redacted() {
    let captured = capture(Level::TRACE, create_webhook);
    let bodies: BTreeMap<String, String> = captured
        .events()
        .into_iter()
        .filter(|(level, _)| *level == Level::TRACE)
        .filter_map(|(_, fields)| {
            Some((fields.get("message")?.clone(), fields.get("body")?.clone()))
        })
        .collect();
    let request = bodies
        .get("request body")
        .expect("the request body is logged");
    let response = bodies
        .get("response body")
        .expect("the response body is logged");
    assert!(request.contains(r#""secret":"[redacted]""#), "{request}");
    assert!(request.contains(r#""name":"SOC""#), "{request}");
    assert!(response.contains(r#""secret":"[redacted]""#), "{response}");
    assert!(response.contains(r#""id":"wh-1""#), "{response}");
    assert!(
        response.contains("echo of the key: [redacted]"),
        "{response}"
    );
    let all = captured.all_text();
    for secret in [WEBHOOK_SECRET, "OBSERVE-canary", RECEIVER_TOKEN, KEY] {
        assert!(!all.contains(secret), "`{secret}` was recorded: {all}");
    }
}

#[test]
fn debug_shows_no_body() {
    let captured = capture(Level::DEBUG, create_webhook);
    assert_eq!(captured.named("answered").len(), 1);
    let all = captured.all_text();
    assert!(!all.contains("hooks.example.com/s4e\""), "{all}");
    assert!(
        captured
            .events()
            .iter()
            .all(|(_, fields)| !fields.contains_key("body")),
        "{all}"
    );
    assert!(!all.contains(WEBHOOK_SECRET) && !all.contains(KEY), "{all}");
}

#[test]
fn trace_cuts_a_long_body() {
    let captured = capture(Level::TRACE, |server| async move {
        let long = "x".repeat(100 * 1024);
        support::route("GET", "/v1/findings/f-1")
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": {"id": "f-1", "title": long, "severity": "low"}
            })))
            .mount_expecting(&server, 1)
            .await;
        support::get_finding(&server, "f-1").await.unwrap();
    });
    let bodies: Vec<Fields> = captured.named("response body");
    assert_eq!(bodies.len(), 1);
    let body = field(&bodies[0], "body").unwrap();
    assert!(body.len() <= 4 * 1024 + 3, "{}", body.len());
    assert!(body.ends_with('…'), "the cut is marked");
    let bytes: usize = field(&bodies[0], "bytes").unwrap().parse().unwrap();
    assert!(bytes > 100 * 1024, "the size of the whole body: {bytes}");
}
