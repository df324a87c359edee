//! The client keeps the rate-limit state the server announces
//! (`docs/API.md` 3): every answer's `X-RateLimit-*` headers, shared by all
//! clones of the client.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support;

fn limited(status: u16, remaining: u64, reset: u64) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("x-ratelimit-limit", "100")
        .insert_header("x-ratelimit-remaining", remaining.to_string().as_str())
        .insert_header("x-ratelimit-reset", reset.to_string().as_str())
}

#[tokio::test]
async fn the_latest_answer_sets_the_state_every_clone_sees() {
    let server = support::start().await;
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 40;
    Mock::given(method("GET"))
        .and(path("/v1/findings/f-1"))
        .respond_with(limited(200, 57, reset).set_body_json(json!({
            "status": "success",
            "data": {"id": "f-1", "title": "t", "severity": "low", "status": "open"}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/findings/f-2"))
        .respond_with(limited(404, 56, reset).set_body_json(json!({
            "status": "error",
            "error": {"code": "not_found", "message": "no such finding"}
        })))
        .mount(&server)
        .await;
    let client = support::client_no_retry(&server);
    let clone = client.clone();
    assert_eq!(
        client.rate_limit(),
        None,
        "nothing is known before an answer"
    );

    client.findings().get("f-1").await.unwrap();
    let state = clone.rate_limit().expect("the answer stated a rate limit");
    assert_eq!((state.limit, state.remaining), (100, 57));
    assert_eq!(state.reset, UNIX_EPOCH + Duration::from_secs(reset));
    assert!(state.resets_in() <= Duration::from_secs(40));

    // Error answers count too.
    clone.findings().get("f-2").await.unwrap_err();
    assert_eq!(client.rate_limit().map(|s| s.remaining), Some(56));
}
