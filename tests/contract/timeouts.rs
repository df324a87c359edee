//! The per-attempt timeout, its per-call override, and retries after it; the
//! deadline over a whole call; a JSON body that trickles.

use std::time::{Duration, Instant};

use s4e::Error;
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

use crate::slow::{self, Script};
use crate::support::{self, CUT_BOUND, MountExpecting};

const SLOW: Duration = Duration::from_millis(500);
const SHORT: Duration = Duration::from_millis(100);

/// An answer that comes only after every test here is over: what a timeout
/// or a deadline must cut.
const NEVER: Duration = Duration::from_secs(60);

/// A per-attempt timeout a prompt answer always beats, even on a loaded
/// machine: the attempt it must not cut is answered at once.
const PROMPT: Duration = Duration::from_secs(5);

async fn slow_finding(server: &MockServer, times: u64) {
    support::route("GET", "/v1/findings/f-1")
        .respond_with(support::finding_response("f-1").set_delay(SLOW))
        .mount_expecting(server, times)
        .await;
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_is_a_timeout() {
    let server = support::start().await;
    slow_finding(&server, 1).await;

    let err = support::get_once(support::builder(&server).timeout(SHORT))
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
    support::route("GET", "/v1/findings/f-1")
        .respond_with(support::finding_response("f-1").set_delay(NEVER))
        .up_to_n_times(1)
        .with_priority(1)
        .mount_expecting(&server, 1)
        .await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(support::finding_response("f-1"))
        .with_priority(2)
        .mount_expecting(&server, 1)
        .await;

    // The first attempt times out; the second, answered at once, must not.
    support::builder(&server)
        .timeout(PROMPT)
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
    support::route("POST", "/v1/assets")
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "id": "a-1" }))
                .set_delay(SLOW),
        )
        .mount_expecting(&server, 1)
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

/// The deadline bounds a call whose attempts keep failing: here the first
/// attempt fails at once and the second hangs, so the call ends at the
/// deadline, not at the 10 s attempt timeout, and with the deadline's value.
#[tokio::test]
async fn the_deadline_ends_a_call_across_its_attempts() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(support::sequence([
            support::error_body(503, "unavailable", "try again"),
            support::finding_response("f-1").set_delay(NEVER),
        ]))
        .mount_expecting(&server, 2)
        .await;
    let deadline = Duration::from_millis(500);
    let client = support::builder(&server)
        .timeout(CUT_BOUND)
        .retries(10)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .findings()
        .get("f-1")
        .deadline(deadline)
        .await
        .expect_err("the deadline passes during the second attempt");
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout(d) if d == deadline), "{err:?}");
    assert!(elapsed >= deadline && elapsed < CUT_BOUND, "{elapsed:?}");
}

/// A retry whose wait would end past the deadline is not made: the call
/// returns the server's answer at once instead of sleeping into a timeout.
#[tokio::test]
async fn a_wait_past_the_deadline_returns_the_last_error_at_once() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(
            support::error_body(503, "unavailable", "try again").insert_header("retry-after", "60"),
        )
        .mount_expecting(&server, 1)
        .await;
    let started = Instant::now();
    let err = support::client(&server)
        .findings()
        .get("f-1")
        .deadline(CUT_BOUND)
        .await
        .expect_err("no time for the retry the server asks for");
    // The answer, not the deadline's timeout: the call did not sleep.
    assert_eq!(err.status(), Some(503), "{err:?}");
    assert!(started.elapsed() < CUT_BOUND, "{:?}", started.elapsed());
}

#[tokio::test]
async fn the_client_deadline_applies_and_a_request_overrides_it() {
    let server = support::start().await;
    slow_finding(&server, 2).await;
    let client = support::builder(&server).deadline(SHORT).build().unwrap();
    let err = client
        .findings()
        .get("f-1")
        .await
        .expect_err("the client's deadline applies");
    assert!(matches!(err, Error::Timeout(d) if d == SHORT), "{err:?}");
    client
        .findings()
        .get("f-1")
        .deadline(Duration::from_secs(10))
        .await
        .expect("the request's own deadline lets the slow answer through");
}

#[tokio::test]
async fn each_page_of_a_walk_has_the_deadline() {
    let server = support::start().await;
    support::route("GET", "/v1/findings")
        .respond_with(support::page_response(&support::ids(1, 2), None).set_delay(NEVER))
        .mount_expecting(&server, 1)
        .await;
    let client = support::builder(&server).deadline(SHORT).build().unwrap();
    let started = Instant::now();
    let err = client
        .findings()
        .list_auto()
        .try_collect::<Vec<_>>()
        .await
        .expect_err("the first page comes too late");
    assert!(matches!(err, Error::Timeout(d) if d == SHORT), "{err:?}");
    assert!(started.elapsed() < CUT_BOUND, "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_zero_deadline_is_refused_before_sending() {
    // The catch-all expects no request.
    let server = support::start().await;
    let err = support::client(&server)
        .findings()
        .get("f-1")
        .deadline(Duration::ZERO)
        .await
        .expect_err("zero is not a deadline");
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("deadline")),
        "{err:?}"
    );
}

/// The per-attempt timeout covers reading the JSON body, not only the
/// headers: a body that trickles one byte at a time ends with it.
#[tokio::test]
async fn a_json_body_that_trickles_is_a_timeout() {
    let head = br#"{"data": {"id": "f-1", "title": "#.to_vec();
    let server = slow::serve(Script {
        first: head,
        piece: b" ".to_vec(),
        every: Duration::from_millis(20),
        pieces: None,
        ..Script::ok("application/json", Some(4000))
    });
    let client = s4e::Client::builder(support::KEY)
        .base_url(&server.base_url)
        .timeout(SHORT * 3)
        .retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .findings()
        .get("f-1")
        .await
        .expect_err("the body never completes in time");
    assert!(
        matches!(err, Error::Timeout(d) if d == SHORT * 3),
        "{err:?}"
    );
    assert!(started.elapsed() < CUT_BOUND, "{:?}", started.elapsed());
    assert_eq!(server.requests(), 1);
}
