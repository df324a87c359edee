//! Limits and secrets on the wire: the response size cap, plain-http refusal,
//! and where the key goes (or does not) on redirects.

use wiremock::ResponseTemplate;
use wiremock::matchers::{header, header_exists};

use crate::support::{self, KEY, MountExpecting};

#[tokio::test]
async fn a_json_answer_over_the_limit_is_a_typed_error() {
    let server = support::start().await;
    let padding = "x".repeat(2 * 1024 * 1024);
    support::route("GET", "/v1/findings/f-1")
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": {"id": "f-1", "title": padding, "severity": "low"}
        })))
        .mount_expecting(&server, 1)
        .await;
    let client = support::builder(&server)
        .max_response_size(1024 * 1024)
        .build()
        .unwrap();
    let error = client.findings().get("f-1").await.unwrap_err();
    assert!(
        matches!(error, s4e::Error::ResponseTooLarge { limit } if limit == 1024 * 1024),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn an_answer_under_the_limit_decodes() {
    let server = support::start().await;
    support::mount_f1(&server, 1).await;
    let client = support::builder(&server)
        .max_response_size(4096)
        .build()
        .unwrap();
    assert_eq!(client.findings().get("f-1").await.unwrap().id, "f-1");
}

#[tokio::test]
async fn exports_stream_past_the_json_limit() {
    let server = support::start().await;
    let body = vec![b'a'; 3 * 1024 * 1024];
    support::route("POST", "/v1/findings/export")
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "text/csv"))
        .mount_expecting(&server, 1)
        .await;
    let client = support::builder(&server)
        .max_response_size(1024 * 1024)
        .build()
        .unwrap();
    let mut out = Vec::new();
    let written = client
        .findings()
        .export(s4e::ExportFormat::Csv)
        .write_to(&mut out)
        .await
        .unwrap();
    assert_eq!(written, body.len() as u64);
    assert_eq!(out, body);
}

#[test]
fn plain_http_to_a_remote_host_needs_an_opt_in() {
    let refused = s4e::Client::builder(KEY)
        .base_url("http://s4e.corp.example/v1")
        .build()
        .unwrap_err();
    assert!(
        matches!(&refused, s4e::Error::Config(m) if m.contains("allow_http")),
        "{refused:?}"
    );
    assert!(!refused.to_string().contains(KEY));
    s4e::Client::builder(KEY)
        .base_url("http://s4e.corp.example/v1")
        .allow_http(true)
        .build()
        .unwrap();
    s4e::Client::builder(KEY)
        .base_url("http://localhost:8080/v1")
        .build()
        .unwrap();
}

async fn redirect_to(server: &wiremock::MockServer, target: &wiremock::MockServer) {
    support::route("GET", "/v1/findings/f-1")
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/v1/findings/f-1", target.uri())),
        )
        .mount_expecting(server, 1)
        .await;
}

#[tokio::test]
async fn a_bearer_key_is_not_forwarded_to_another_host() {
    let origin = support::start().await;
    let elsewhere = support::start().await;
    redirect_to(&origin, &elsewhere).await;
    support::mount_f1(&elsewhere, 1).await;
    let finding = support::client(&origin)
        .findings()
        .get("f-1")
        .await
        .unwrap();
    assert_eq!(finding.id, "f-1");
    let seen = elsewhere.received_requests().await.unwrap();
    assert_eq!(seen.len(), 1);
    for request in &seen {
        assert!(
            request.headers.get("authorization").is_none(),
            "the key crossed hosts"
        );
        assert!(!format!("{:?}", request.headers).contains(KEY));
    }
}

#[tokio::test]
async fn an_x_api_key_is_never_sent_across_hosts() {
    let origin = support::start().await;
    let elsewhere = support::start().await;
    redirect_to(&origin, &elsewhere).await;
    let client = support::builder(&origin)
        .auth_scheme(s4e::AuthScheme::ApiKeyHeader)
        .build()
        .unwrap();
    let error = client.findings().get("f-1").await.unwrap_err();
    assert!(
        matches!(
            &error,
            s4e::Error::Redirect { status: 302, location: Some(to), reason: s4e::RedirectReason::CrossOrigin, .. }
                if to.starts_with(&elsewhere.uri())
        ),
        "{error:?}"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_redirect_on_the_same_host_keeps_the_key() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/old")
        .respond_with(
            ResponseTemplate::new(301)
                .insert_header("location", format!("{}/v1/findings/f-1", server.uri())),
        )
        .mount_expecting(&server, 1)
        .await;
    support::route("GET", "/v1/findings/f-1")
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header_exists("user-agent"))
        .respond_with(support::finding_response("f-1"))
        .mount_expecting(&server, 1)
        .await;
    let finding = support::get_finding(&server, "old").await.unwrap();
    assert_eq!(finding.id, "f-1");
}

#[tokio::test]
async fn a_dropped_request_leaves_the_client_usable() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/slow")
        .respond_with(
            support::finding_response("slow").set_delay(std::time::Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    support::mount_f1(&server, 1).await;
    let client = support::client(&server);
    let slow = client.findings().get("slow");
    // Cancel mid-flight by dropping the future after a moment.
    let cancelled = tokio::time::timeout(
        std::time::Duration::from_millis(100),
        std::future::IntoFuture::into_future(slow),
    )
    .await;
    assert!(cancelled.is_err());
    assert_eq!(client.findings().get("f-1").await.unwrap().id, "f-1");
}

#[test]
fn a_dropped_request_leaves_no_task_behind() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = support::start().await;
        support::route("GET", "/v1/findings/slow")
            .respond_with(
                support::finding_response("slow").set_delay(std::time::Duration::from_secs(5)),
            )
            .mount(&server)
            .await;
        let tasks = || {
            tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks()
        };
        let client = support::client(&server);
        let before = tasks();
        let slow = std::future::IntoFuture::into_future(client.findings().get("slow"));
        let mut during = 0;
        tokio::select! {
            _ = slow => panic!("the slow request finished"),
            () = async {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                during = tasks();
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            } => {}
        }
        // The request did run tasks (the connection), so the check below
        // observes something.
        assert!(
            during > before,
            "no task while in flight ({during} vs {before})"
        );
        // Whatever the connection needed is wound down once hyper sees the
        // request is gone.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while tasks() > before && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(tasks(), before, "a task outlived the dropped request");
    });
}

#[tokio::test]
async fn an_idempotency_key_that_cannot_be_a_header_is_refused_before_sending() {
    // The catch-all expects no call: nothing may reach the server.
    let server = support::start().await;
    let error = support::client(&server)
        .findings()
        .export(s4e::ExportFormat::Csv)
        .idempotency_key("line\nbreak")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, s4e::Error::InvalidRequest(m) if m.contains("idempotency key")),
        "{error:?}"
    );
}
