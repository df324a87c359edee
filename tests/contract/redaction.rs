//! The API key never shows: not in `Debug` output, not in errors, not in any
//! log line, while the request span is logged with its fields.

use std::time::Duration;

use s4e::Error;
use wiremock::MockServer;

use crate::support::{self, LogCapture, MountExpecting};

const SECRET: &str = "sk_live_REDACTION-canary-7f3a9c";

fn assert_hidden(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what} shows the key: {text}");
    assert!(
        !text.contains("canary"),
        "{what} shows part of the key: {text}"
    );
}

async fn secret_client(server: &MockServer) -> s4e::Client {
    s4e::Client::builder(SECRET)
        .base_url(support::base_url(server))
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn debug_output_never_shows_the_key() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-401")
        .respond_with(
            support::error_body(401, "unauthorized", "invalid API key")
                .insert_header("x-request-id", "req-r1"),
        )
        .mount_expecting(&server, 1)
        .await;
    support::route("GET", "/v1/findings/f-bad")
        .respond_with(support::json(200, r#"{"data": {"id": "f-bad"}}"#))
        .mount_expecting(&server, 1)
        .await;

    let builder = s4e::Client::builder(SECRET)
        .base_url(support::base_url(&server))
        .proxy("http://user:proxy-password@127.0.0.1:3128");
    let text = format!("{builder:?}");
    assert_hidden("ClientBuilder", &text);
    assert!(
        !text.contains("proxy-password"),
        "proxy password shown: {text}"
    );
    assert!(text.contains("ClientBuilder"), "{text}");

    let client = secret_client(&server).await;
    assert_hidden("Client", &format!("{client:?}"));
    assert_hidden("Findings", &format!("{:?}", client.findings()));
    let request = client.findings().get("f-1").idempotency_key("k-1");
    let text = format!("{request:?}");
    assert_hidden("Request", &text);
    assert!(text.contains("f-1"), "{text}");

    let blocking = s4e::blocking::Client::from_async(client.clone()).expect("blocking client");
    assert_hidden("blocking::Client", &format!("{blocking:?}"));
    drop(blocking);

    let errors: Vec<Error> = vec![
        client.findings().get("f-401").await.unwrap_err(),
        client.findings().get("f-bad").await.unwrap_err(),
        support::get_once(s4e::Client::builder(SECRET).base_url(support::closed_port_url()))
            .await
            .unwrap_err(),
        s4e::Client::builder(format!("{SECRET}\n"))
            .build()
            .unwrap_err(),
        s4e::Client::builder(SECRET)
            .base_url("ftp://example.com/v1")
            .build()
            .unwrap_err(),
    ];
    assert!(matches!(errors[0], Error::Auth(_)), "{:?}", errors[0]);
    assert!(matches!(errors[1], Error::Decode(_)), "{:?}", errors[1]);
    assert!(
        matches!(errors[2], Error::Connect { .. }),
        "{:?}",
        errors[2]
    );
    assert!(matches!(errors[3], Error::Config(_)), "{:?}", errors[3]);
    for err in &errors {
        assert_hidden("Error (Debug)", &format!("{err:?}"));
        assert_hidden("Error (Display)", &err.to_string());
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            assert_hidden("Error source", &format!("{cause:?} {cause}"));
            source = cause.source();
        }
    }
}

/// Runs a successful, a retried and a failing call with every `tracing`
/// event and span of this thread captured at TRACE level.
fn logged_calls() -> String {
    let capture = LogCapture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(capture.clone())
        .finish();
    // tracing-core caches each callsite's interest globally, and while only
    // one dispatcher is registered it asks the *registering thread's* default:
    // a callsite that another test's thread (no subscriber) reaches first
    // would be cached as "never" and this subscriber would miss it. A second
    // registered dispatcher makes it ask every registered one instead.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    // The subscriber is this thread's default only, so the runtime must be
    // a current-thread one driven from here.
    let _default = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = support::start().await;
        support::route("GET", "/v1/findings/f-ok")
            .respond_with(support::finding_response("f-ok").insert_header("x-request-id", "req-ok"))
            .mount_expecting(&server, 1)
            .await;
        support::route("GET", "/v1/findings/f-retry")
            .respond_with(support::sequence([
                support::error_body(503, "unavailable", "try again"),
                support::finding_response("f-retry"),
            ]))
            .mount_expecting(&server, 2)
            .await;
        support::route("GET", "/v1/findings/f-missing")
            .respond_with(
                support::error_body(404, "not_found", "no such finding")
                    .insert_header("x-request-id", "req-missing"),
            )
            .mount_expecting(&server, 1)
            .await;

        let client = secret_client(&server).await;
        client.findings().get("f-ok").await.expect("succeeds");
        client
            .findings()
            .get("f-retry")
            .await
            .expect("succeeds on retry");
        let err = client.findings().get("f-missing").await.unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    });
    drop(runtime);
    capture.text()
}

#[test]
fn logs_never_show_the_key_but_do_show_the_request_span() {
    let logs = logged_calls();
    assert_hidden("the log", &logs);
    assert!(
        !logs.contains("Bearer"),
        "the auth header was logged:\n{logs}"
    );
    assert!(
        !logs.to_ascii_lowercase().contains("authorization"),
        "{logs}"
    );

    // The log is not empty: the span and its fields are there.
    for expected in [
        "s4e.request",
        "http.request.method=\"GET\"",
        "url.template=\"/findings/{id}\"",
        "http.request.resend_count=1",
        "http.response.status_code=200",
        "http.response.status_code=404",
        "error.type=\"404\"",
        "attempt=1",
        "attempt=2",
        "status=200",
        "status=503",
        "status=404",
        "request_id=\"req-ok\"",
        "request_id=\"req-missing\"",
        "elapsed_ms=",
        "retrying",
    ] {
        assert!(
            logs.contains(expected),
            "`{expected}` is missing from:\n{logs}"
        );
    }
}

/// The README's Logging section names the fields as the SDK records them:
/// every field it lists appears as `name=` in a captured log of a
/// successful, a retried and a failing call.
#[test]
fn the_readme_logging_section_names_the_recorded_fields() {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("\n## Logging\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has a Logging section");
    let listed = section
        .split("with the fields")
        .nth(1)
        .and_then(|rest| rest.split("The key").next())
        .expect("the Logging section lists the span's fields");
    let fields: Vec<&str> = listed
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|name| {
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
        })
        .collect();
    assert!(fields.len() >= 9, "{fields:?}");
    let logs = logged_calls();
    assert!(logs.contains("s4e.request"), "{logs}");
    for field in fields {
        assert!(
            logs.contains(&format!("{field}=")),
            "the README lists `{field}`, the log has no such field:\n{logs}"
        );
    }
}
