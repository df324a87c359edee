//! Each error answer becomes the right `Error` variant, with what the server
//! said (`docs/API.md` 3). Clients here never retry, so each status is seen
//! once.

use std::time::{Duration, Instant};

use s4e::Error;
use serde_json::json;
use wiremock::ResponseTemplate;

use crate::slow::{self, Script};
use crate::support::{self, MountExpecting};

/// Sends `GET /findings/f-1` against a server answering `response` once.
async fn get_answered_by(response: ResponseTemplate) -> Error {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(response)
        .mount_expecting(&server, 1)
        .await;
    support::client_no_retry(&server)
        .findings()
        .get("f-1")
        .await
        .expect_err("the server refuses")
}

#[tokio::test]
async fn unauthorized_and_forbidden_are_auth() {
    let err = get_answered_by(
        support::error_body(401, "unauthorized", "invalid API key")
            .insert_header("x-request-id", "req-401"),
    )
    .await;
    let Error::Auth(api) = &err else {
        panic!("expected Auth, got {err:?}");
    };
    assert_eq!(api.status(), 401);
    assert_eq!(api.code(), Some("unauthorized"));
    assert_eq!(api.message(), "invalid API key");
    assert_eq!(api.request_id(), Some("req-401"));
    assert_eq!(api.raw_body(), None);
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some("unauthorized"));
    assert_eq!(err.message(), "invalid API key");
    assert_eq!(err.request_id(), Some("req-401"));
    assert!(!err.is_retryable());

    let err = get_answered_by(support::error_body(403, "forbidden", "read-only key")).await;
    assert!(
        matches!(&err, Error::Auth(api) if api.status() == 403),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("forbidden"));
}

#[tokio::test]
async fn not_found() {
    let err = get_answered_by(support::error_body(
        404,
        "not_found",
        "finding f-1 not found",
    ))
    .await;
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("not_found"));
    assert_eq!(err.message(), "finding f-1 not found");
}

#[tokio::test]
async fn validation_with_field_details() {
    let err = get_answered_by(ResponseTemplate::new(422).set_body_json(json!({
        "status": "error",
        "error": {
            "code": "validation_failed",
            "message": "scan_type is not one of full, quick, ...",
            "details": [
                { "field": "scan_type", "message": "unknown value `fulll`" },
                { "field": "asset_id", "message": "is required" }
            ]
        }
    })))
    .await;
    let Error::Validation(api) = &err else {
        panic!("expected Validation, got {err:?}");
    };
    assert_eq!(api.code(), Some("validation_failed"));
    let details: Vec<(&str, &str)> = api
        .details()
        .iter()
        .map(|d| (d.field.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        details,
        [
            ("scan_type", "unknown value `fulll`"),
            ("asset_id", "is required")
        ]
    );
    let text = err.to_string();
    assert!(text.contains("scan_type: unknown value `fulll`"), "{text}");
    // The same details from the error itself, whatever the variant.
    assert_eq!(err.details(), api.details());
}

#[tokio::test]
async fn a_validation_message_that_names_its_field_is_not_repeated() {
    // The sandbox's (and the API's) shape for one bad field.
    let err = get_answered_by(ResponseTemplate::new(422).set_body_json(json!({
        "error": {
            "code": "validation_failed",
            "message": "name: must not be empty",
            "details": [{ "field": "name", "message": "must not be empty" }]
        }
    })))
    .await;
    assert_eq!(
        err.to_string(),
        "validation failed: HTTP 422 validation_failed: name: must not be empty"
    );
    assert_eq!(err.details().len(), 1);
    assert_eq!(err.details()[0].field, "name");
}

#[tokio::test]
async fn details_is_empty_on_every_other_error() {
    let err = get_answered_by(support::error_body(404, "not_found", "no such finding")).await;
    assert!(err.details().is_empty());
    let err = support::client_no_retry(&support::start().await)
        .findings()
        .list()
        .per_page(500)
        .await
        .expect_err("per_page 500 is refused before sending");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(err.details().is_empty());
}

#[tokio::test]
async fn rate_limit_keeps_retry_after_from_the_header() {
    let err = get_answered_by(
        support::error_body(429, "rate_limited", "slow down").insert_header("retry-after", "7"),
    )
    .await;
    assert!(matches!(err, Error::RateLimit(_)), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn rate_limit_keeps_retry_after_from_the_body() {
    let err = get_answered_by(ResponseTemplate::new(429).set_body_json(json!({
        "status": "error",
        "error": { "code": "rate_limited", "message": "slow down", "retry_after": 12 }
    })))
    .await;
    assert!(matches!(err, Error::RateLimit(_)), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(12)));
}

#[tokio::test]
async fn server_errors_and_conflicts_are_api_errors() {
    for (status, code, retryable) in [
        (500, "internal_error", true),
        (503, "unavailable", true),
        (409, "conflict", false),
        (501, "not_implemented", false),
    ] {
        let err = get_answered_by(
            support::error_body(status, code, "it went wrong")
                .insert_header("x-request-id", format!("req-{status}")),
        )
        .await;
        let Error::Api(api) = &err else {
            panic!("{status}: expected Api, got {err:?}");
        };
        assert_eq!(api.status(), status);
        assert_eq!(api.code(), Some(code));
        assert_eq!(api.message(), "it went wrong");
        assert_eq!(err.request_id(), Some(format!("req-{status}").as_str()));
        assert_eq!(err.is_retryable(), retryable, "{status}");
        let text = err.to_string();
        assert!(
            text.contains(&status.to_string()) && text.contains(code),
            "{text}"
        );
    }
}

#[tokio::test]
async fn an_html_bad_gateway_page_is_an_api_error_with_the_raw_body() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    let err = get_answered_by(ResponseTemplate::new(502).set_body_raw(html, "text/html")).await;
    let Error::Api(api) = &err else {
        panic!("expected Api (never Decode), got {err:?}");
    };
    assert_eq!(api.status(), 502);
    assert_eq!(api.code(), None);
    let raw = api.raw_body().expect("the raw body is kept");
    assert!(raw.contains("<h1>502 Bad Gateway</h1>"), "{raw}");
    assert!(
        api.message().contains("502 Bad Gateway"),
        "{}",
        api.message()
    );
}

#[tokio::test]
async fn a_long_non_json_error_body_is_cut() {
    let body = format!("<html>{}</html>", "x".repeat(20_000));
    let err = get_answered_by(ResponseTemplate::new(500).set_body_raw(body, "text/html")).await;
    let raw = err
        .api_error()
        .and_then(|api| api.raw_body())
        .expect("raw body");
    assert!(raw.starts_with("<html>xxx"), "{raw}");
    assert!(raw.len() < 1024, "kept {} bytes", raw.len());
    assert!(err.message().len() < 1024);
}

/// The bug this fixes: an error body over 64 KiB was refused whole, and
/// `raw_body` came back empty. Now the first 64 KiB are read and the excerpt
/// kept, with or without a `Content-Length`.
#[tokio::test]
async fn an_error_body_over_64_kib_still_leaves_its_start() {
    let page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
        "<p>upstream connect error or disconnect/reset before headers</p>\n".repeat(5_000)
    );
    assert!(page.len() > 4 * 64 * 1024);
    let err = get_answered_by(ResponseTemplate::new(502).set_body_raw(page, "text/html")).await;
    let Error::Api(api) = &err else {
        panic!("expected Api, got {err:?}");
    };
    let raw = api.raw_body().expect("an excerpt is kept");
    assert!(
        raw.starts_with("<html><head><title>502 Bad Gateway</title>"),
        "{raw}"
    );
    assert!(
        api.message().contains("502 Bad Gateway"),
        "{}",
        api.message()
    );
    assert!(err.is_retryable(), "a 502 stays a 502");
}

/// A JSON envelope too long to read whole is shown as text, not lost.
#[tokio::test]
async fn a_json_error_over_64_kib_is_kept_as_text() {
    let details: Vec<serde_json::Value> = (0..5_000)
        .map(
            |n| json!({ "field": format!("assets[{n}].name"), "message": "is not a valid domain" }),
        )
        .collect();
    let body = json!({
        "status": "error",
        "error": { "code": "validation_failed", "message": "5000 invalid assets", "details": details }
    });
    assert!(body.to_string().len() > 64 * 1024);
    let err = get_answered_by(ResponseTemplate::new(422).set_body_json(body)).await;
    let Error::Validation(api) = &err else {
        panic!("expected Validation, got {err:?}");
    };
    let raw = api.raw_body().expect("an excerpt is kept");
    assert!(raw.contains("validation_failed"), "{raw}");
}

/// An error body that never ends is read up to the limit only: the call
/// ends with the status at once, not at the timeout.
#[tokio::test]
async fn an_endless_error_body_is_read_up_to_the_limit() {
    let server = slow::serve(Script {
        head: "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nconnection: close"
            .to_owned(),
        first: b"upstream overloaded\n".to_vec(),
        piece: vec![b'.'; 8 * 1024],
        every: Duration::from_millis(1),
        pieces: None,
    });
    // An attempt timeout the endless body cannot reach before the bound:
    // only cutting the body short ends the call within it.
    let timeout = Duration::from_secs(30);
    let started = Instant::now();
    let err = support::get_once(
        s4e::Client::builder(support::KEY)
            .base_url(&server.base_url)
            .timeout(timeout),
    )
    .await
    .expect_err("a 503");
    assert_eq!(err.status(), Some(503), "{err:?}");
    let raw = err
        .api_error()
        .and_then(|api| api.raw_body())
        .expect("an excerpt is kept");
    assert!(raw.starts_with("upstream overloaded"), "{raw}");
    assert!(
        started.elapsed() < support::CUT_BOUND,
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_empty_error_body_gets_a_default_message() {
    let err = get_answered_by(ResponseTemplate::new(503)).await;
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.message(), "service unavailable");
}

#[tokio::test]
async fn a_top_level_message_and_code_shape_is_understood() {
    let err = get_answered_by(
        ResponseTemplate::new(404)
            .set_body_json(json!({ "message": "no such finding", "code": 40401 })),
    )
    .await;
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(err.message(), "no such finding");
    assert_eq!(err.code(), Some("40401"));

    let err = get_answered_by(
        ResponseTemplate::new(500).set_body_json(json!({ "code": "boom", "message": "exploded" })),
    )
    .await;
    assert_eq!(
        (err.code(), err.message().as_str()),
        (Some("boom"), "exploded")
    );
}

#[tokio::test]
async fn a_refused_connection_is_connect() {
    let client = support::refused_client(1);
    let err = client
        .findings()
        .get("f-1")
        .await
        .expect_err("nothing listens there");
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
    assert!(!err.to_string().contains(support::KEY));
}
