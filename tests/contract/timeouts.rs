//! The per-attempt timeout, its per-call override, and retries after it.

use std::time::Duration;

use s4e::Error;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support;

const SLOW: Duration = Duration::from_millis(500);
const SHORT: Duration = Duration::from_millis(100);

async fn slow_finding(server: &MockServer, times: u64) {
    Mock::given(method("GET"))
        .and(path("/v1/findings/f-1"))
        .respond_with(support::finding_response("f-1").set_delay(SLOW))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_is_a_timeout() {
    let server = support::start().await;
    slow_finding(&server, 1).await;

    let err = support::builder(&server)
        .timeout(SHORT)
        .retries(0)
        .build()
        .unwrap()
        .findings()
        .get("f-1")
        .await
        .expect_err("the answer comes too late");
    assert!(matches!(err, Error::Timeout(d) if d == SHORT), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_per_request_timeout_overrides_the_client() {
    let server = support::start().await;
    slow_finding(&server, 2).await;

    let client = support::builder(&server)
        .timeout(Duration::from_secs(10))
        .retries(0)
        .build()
        .unwrap();
    let err = client
        .findings()
        .get("f-1")
        .timeout(SHORT)
        .await
        .expect_err("the call's own timeout applies");
    assert!(matches!(err, Error::Timeout(d) if d == SHORT), "{err:?}");

    let strict = support::builder(&server)
        .timeout(SHORT)
        .retries(0)
        .build()
        .unwrap();
    strict
        .findings()
        .get("f-1")
        .timeout(Duration::from_secs(10))
        .await
        .expect("a longer per-call timeout lets the slow answer through");
}

#[tokio::test]
async fn a_timed_out_get_is_retried() {
    let server = support::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/findings/f-1"))
        .respond_with(support::finding_response("f-1").set_delay(SLOW))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/findings/f-1"))
        .respond_with(support::finding_response("f-1"))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;

    support::builder(&server)
        .timeout(SHORT)
        .build()
        .unwrap()
        .findings()
        .get("f-1")
        .await
        .expect("the second attempt is fast");
}

/// A user-declared, non-idempotent `POST`.
#[s4e::endpoint(POST, "/assets", response = serde_json::Value)]
struct CreateAsset {
    name: String,
}

#[tokio::test]
async fn a_timed_out_plain_post_is_not_retried() {
    let server = support::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/assets"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "id": "a-1" }))
                .set_delay(SLOW),
        )
        .expect(1)
        .mount(&server)
        .await;

    let err = support::builder(&server)
        .timeout(SHORT)
        .build()
        .unwrap()
        .execute(CreateAsset {
            name: "example.com".to_owned(),
        })
        .await
        .expect_err("the server may have created it: no retry");
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
}
