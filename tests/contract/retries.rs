//! When the client retries, how often, with which `Idempotency-Key`, and how
//! it honours `Retry-After` (`docs/API.md` 1 and 3).

use std::time::{Duration, Instant, SystemTime};

use s4e::{Error, FindingStatus};
use serde_json::json;
use wiremock::matchers::header;
use wiremock::{MockServer, ResponseTemplate};

use crate::support::{self, MountExpecting, header_missing, sequence};

/// A user-declared, non-idempotent `POST`.
#[s4e::endpoint(POST, "/assets", response = serde_json::Value)]
struct CreateAsset {
    name: String,
}

fn create_asset() -> CreateAsset {
    CreateAsset {
        name: "example.com".to_owned(),
    }
}

fn created() -> ResponseTemplate {
    ResponseTemplate::new(201)
        .set_body_json(json!({ "data": { "id": "a-1", "name": "example.com" } }))
}

fn unavailable() -> ResponseTemplate {
    support::error_body(503, "unavailable", "try again")
}

fn internal() -> ResponseTemplate {
    support::error_body(500, "internal_error", "boom")
}

fn rate_limited() -> ResponseTemplate {
    support::error_body(429, "rate_limited", "slow down")
}

/// Idempotency keys of every request received, in order.
async fn idempotency_keys(server: &MockServer) -> Vec<Option<String>> {
    support::received(server)
        .await
        .iter()
        .map(|r| support::header(r, "idempotency-key").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn get_is_retried_after_a_503_and_succeeds() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(sequence([unavailable(), support::finding_response("f-1")]))
        .mount_expecting(&server, 2)
        .await;

    let finding = support::get_finding(&server, "f-1")
        .await
        .expect("the retry succeeds");
    assert_eq!(finding.id, "f-1");
}

#[tokio::test]
async fn get_is_retried_after_every_transient_status() {
    for status in [429, 500, 502, 504] {
        let server = support::start().await;
        support::route("GET", "/v1/findings/f-1")
            .respond_with(sequence([
                ResponseTemplate::new(status),
                support::finding_response("f-1"),
            ]))
            .expect(2)
            .named(format!("{status} then 200"))
            .mount(&server)
            .await;
        support::get_finding(&server, "f-1")
            .await
            .unwrap_or_else(|e| panic!("{status}: the retry succeeds, got {e:?}"));
    }
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for status in [400, 401, 403, 404, 409, 422] {
        let server = support::start().await;
        support::route("GET", "/v1/findings/f-1")
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .named(format!("{status} once"))
            .mount(&server)
            .await;
        let err = support::get_finding(&server, "f-1")
            .await
            .expect_err("refused");
        assert_eq!(err.status(), Some(status));
    }
}

#[tokio::test]
async fn a_plain_post_is_not_retried_after_a_500() {
    let server = assets_answering(internal(), 1).await;

    let err = support::client(&server)
        .execute(create_asset())
        .await
        .expect_err("the 500 is returned, not retried");
    assert!(
        matches!(&err, Error::Api(api) if api.status() == 500),
        "{err:?}"
    );
    let keys = idempotency_keys(&server).await;
    assert!(support::is_uuid(keys[0].as_deref().unwrap()), "{keys:?}");
}

#[tokio::test]
async fn a_plain_post_is_not_retried_after_a_503() {
    let server = assets_answering(unavailable(), 1).await;

    let err = support::client(&server)
        .execute(create_asset())
        .await
        .expect_err("the 503 is returned, not retried");
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn a_post_with_a_caller_key_is_retried_with_that_key() {
    let server = support::start().await;
    support::route("POST", "/v1/assets")
        .and(header("idempotency-key", "k-1"))
        .respond_with(sequence([internal(), created()]))
        .mount_expecting(&server, 2)
        .await;

    let answer = support::client(&server)
        .execute(create_asset())
        .idempotency_key("k-1")
        .await
        .expect("the keyed retry succeeds");
    assert_eq!(answer["id"], "a-1");
    assert_eq!(
        idempotency_keys(&server).await,
        [Some("k-1".to_owned()), Some("k-1".to_owned())]
    );
}

#[tokio::test]
async fn a_post_is_retried_after_a_429_with_the_same_generated_key() {
    let server = assets_answering(rate_limited(), 2).await;

    support::client(&server)
        .execute(create_asset())
        .await
        .expect("a 429 proves the request was not processed");
    let keys = idempotency_keys(&server).await;
    let first = keys[0].as_deref().expect("first attempt has a key");
    assert!(support::is_uuid(first), "{first}");
    assert_eq!(
        keys[0], keys[1],
        "every attempt of one call sends the same key"
    );
}

#[tokio::test]
async fn a_post_is_retried_after_a_refused_connection() {
    // Nothing listens: every attempt is refused, and each one is retried
    // because the server never saw the request. The budget still ends it.
    let client = support::refused_client(2);
    let err = client
        .execute(create_asset())
        .await
        .expect_err("nothing listens there");
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
}

#[tokio::test]
async fn patch_is_not_retried_after_a_503() {
    let server = support::start().await;
    support::route("PATCH", "/v1/findings/f-1")
        .and(header_missing("idempotency-key"))
        .respond_with(sequence([unavailable(), support::finding_response("f-1")]))
        .mount_expecting(&server, 1)
        .await;

    let err = support::client(&server)
        .findings()
        .update("f-1")
        .status(FindingStatus::Resolved)
        .await
        .expect_err("the 503 is returned, not retried");
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn patch_is_retried_after_a_429() {
    let server = support::start().await;
    support::route("PATCH", "/v1/findings/f-1")
        .respond_with(sequence([rate_limited(), support::finding_response("f-1")]))
        .mount_expecting(&server, 2)
        .await;

    support::client(&server)
        .findings()
        .update("f-1")
        .status(FindingStatus::Resolved)
        .await
        .expect("a 429 proves the update was not applied");
}

#[tokio::test]
async fn retry_after_seconds_is_waited_for() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(sequence([
            rate_limited().insert_header("retry-after", "1"),
            support::finding_response("f-1"),
        ]))
        .mount_expecting(&server, 2)
        .await;

    let started = Instant::now();
    support::get_finding(&server, "f-1")
        .await
        .expect("the retry after the wait succeeds");
    let waited = started.elapsed();
    // A functional check that the header is honoured: the configured backoff
    // alone would wait at most 5 ms.
    assert!(
        waited >= Duration::from_millis(900),
        "waited only {waited:?}"
    );
}

#[tokio::test]
async fn retry_after_above_the_ceiling_returns_the_rate_limit_at_once() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(rate_limited().insert_header("retry-after", "120"))
        .mount_expecting(&server, 1)
        .await;

    let started = Instant::now();
    let err = support::get_finding(&server, "f-1")
        .await
        .expect_err("a two-minute wait is above the 60 s default ceiling");
    assert!(matches!(err, Error::RateLimit(_)), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(started.elapsed() < support::CUT_BOUND, "it did not wait");
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_understood() {
    let server = support::start().await;
    let in_two_minutes = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 120;
    let date = chrono::DateTime::from_timestamp(in_two_minutes as i64, 0)
        .unwrap()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    support::route("GET", "/v1/findings/f-1")
        .respond_with(rate_limited().insert_header("retry-after", date.as_str()))
        .mount_expecting(&server, 1)
        .await;

    let err = support::get_finding(&server, "f-1")
        .await
        .expect_err("a two-minute wait is above the ceiling");
    let wait = err.retry_after().expect("the date is parsed");
    assert!(
        wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
        "{date} gave {wait:?}"
    );
}

#[tokio::test]
async fn retry_after_in_the_body_is_honoured() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "status": "error",
            "error": { "code": "rate_limited", "message": "slow down", "retry_after": 30 }
        })))
        .mount_expecting(&server, 1)
        .await;

    // Without the body's hint the 1-5 ms backoff would retry; with it the
    // wait exceeds the ceiling and the error comes back after one request.
    let err = support::get_f1_by(support::builder(&server).max_retry_wait(Duration::from_secs(10)))
        .await
        .expect_err("a 30 s wait is above the 10 s ceiling");
    assert!(matches!(err, Error::RateLimit(_)), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn zero_retries_means_one_request() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(sequence([unavailable(), support::finding_response("f-1")]))
        .mount_expecting(&server, 1)
        .await;

    let err = support::client_no_retry(&server)
        .findings()
        .get("f-1")
        .await
        .expect_err("no retry");
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn per_request_retries_override_the_client() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(unavailable())
        .mount_expecting(&server, 1)
        .await;
    support::route("GET", "/v1/findings/f-2")
        .respond_with(sequence([unavailable(), support::finding_response("f-2")]))
        .mount_expecting(&server, 2)
        .await;

    let err = support::client(&server)
        .findings()
        .get("f-1")
        .retries(0)
        .await
        .expect_err("no retry for this call");
    assert_eq!(err.status(), Some(503));
    support::client_no_retry(&server)
        .findings()
        .get("f-2")
        .retries(1)
        .await
        .expect("one retry for this call");
}

#[tokio::test]
async fn the_retry_budget_ends_with_the_last_error() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(unavailable().insert_header("x-request-id", "req-last"))
        .mount_expecting(&server, 4)
        .await;

    let err = support::get_f1_by(support::builder(&server).retries(3))
        .await
        .expect_err("every attempt fails");
    assert!(
        matches!(&err, Error::Api(api) if api.status() == 503),
        "{err:?}"
    );
    assert_eq!(err.request_id(), Some("req-last"));
}

/// A server whose `POST /v1/assets` answers `first`, then 201, and must see
/// `calls` requests.
async fn assets_answering(first: ResponseTemplate, calls: u64) -> MockServer {
    let server = support::start().await;
    support::route("POST", "/v1/assets")
        .respond_with(sequence([first, created()]))
        .mount_expecting(&server, calls)
        .await;
    server
}
