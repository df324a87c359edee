//! The client keeps the rate-limit state the server announces
//! (`docs/API.md` 3): every answer's `X-RateLimit-*` headers, shared by all
//! clones of the client; it paces calls to it, and its retries draw on a
//! quota shared by the client.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

use crate::support::{self, MountExpecting};

fn limited(status: u16, remaining: u64, reset: u64) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("x-ratelimit-limit", "100")
        .insert_header("x-ratelimit-remaining", remaining.to_string().as_str())
        .insert_header("x-ratelimit-reset", reset.to_string().as_str())
}

#[tokio::test]
async fn the_latest_answer_sets_the_state_every_clone_sees() {
    let server = support::start().await;
    let reset = unix_seconds_in(40);
    support::route("GET", "/v1/findings/f-1")
        .respond_with(limited(200, 57, reset).set_body_json(json!({
            "status": "success",
            "data": {"id": "f-1", "title": "t", "severity": "low", "status": "open"}
        })))
        .mount(&server)
        .await;
    support::route("GET", "/v1/findings/f-2")
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

/// A server with fixed windows of `length` that allow `limit` requests each,
/// as `docs/API.md` 3 states them: `Reset` is the window's end (sent as
/// whole seconds from now, rounded up), and a request past the limit gets a
/// 429. It counts what it answered.
struct WindowServer {
    limit: u64,
    length: Duration,
    state: Mutex<Window>,
}

#[derive(Default)]
struct Window {
    end: Option<Instant>,
    used: u64,
    answered: u64,
    too_many: u64,
    /// When each granted request arrived.
    granted_at: Vec<Instant>,
}

impl WindowServer {
    fn new(limit: u64, length: Duration) -> Arc<WindowServer> {
        Arc::new(WindowServer {
            limit,
            length,
            state: Mutex::default(),
        })
    }

    fn counts(&self) -> (u64, u64) {
        let state = self.state.lock().unwrap();
        (state.answered, state.too_many)
    }

    fn granted_at(&self) -> Vec<Instant> {
        self.state.lock().unwrap().granted_at.clone()
    }
}

struct Shared(Arc<WindowServer>);

impl Respond for Shared {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let server = &self.0;
        let now = Instant::now();
        let mut state = server.state.lock().unwrap();
        state.answered += 1;
        let end = match state.end {
            Some(end) if now < end => end,
            _ => {
                state.used = 0;
                *state.end.insert(now + server.length)
            }
        };
        let reset = (end - now).as_secs_f64().ceil().max(1.0) as u64;
        if state.used >= server.limit {
            state.too_many += 1;
            return limited(429, 0, reset)
                .insert_header("x-ratelimit-limit", server.limit.to_string().as_str())
                .insert_header("retry-after", reset.to_string().as_str())
                .set_body_json(json!({
                    "status": "error",
                    "error": {"code": "rate_limited", "message": "slow down", "retry_after": reset}
                }));
        }
        state.used += 1;
        state.granted_at.push(now);
        limited(200, server.limit - state.used, reset)
            .insert_header("x-ratelimit-limit", server.limit.to_string().as_str())
            .set_body_json(json!({
                "status": "success",
                "data": {"id": "f-1", "title": "t", "severity": "low", "status": "open"}
            }))
    }
}

async fn window_server(limit: u64, length: Duration) -> (MockServer, Arc<WindowServer>) {
    let server = support::start().await;
    let windows = WindowServer::new(limit, length);
    support::route("GET", "/v1/findings/f-1")
        .respond_with(Shared(windows.clone()))
        .mount(&server)
        .await;
    (server, windows)
}

#[tokio::test]
async fn an_exhausted_window_makes_the_next_call_wait_for_the_reset() {
    let (server, windows) = window_server(2, Duration::from_secs(2)).await;
    let client = support::client_no_retry(&server);
    for _ in 0..4 {
        client.findings().get("f-1").await.unwrap();
    }
    assert_eq!(windows.counts(), (4, 0), "four answers, not one 429");
    let granted = windows.granted_at();
    // The third request waited for the first window's end.
    assert!(granted[2] - granted[0] >= Duration::from_secs(2));
    assert_eq!(client.rate_limit().map(|s| s.remaining), Some(0));
}

#[tokio::test]
async fn without_pacing_the_call_is_sent_and_meets_the_429() {
    let (server, windows) = window_server(2, Duration::from_secs(30)).await;
    let client = support::builder(&server)
        .retries(0)
        .rate_limit_pacing(false)
        .build()
        .unwrap();
    client.findings().get("f-1").await.unwrap();
    client.findings().get("f-1").await.unwrap();
    let error = client.findings().get("f-1").await.unwrap_err();
    assert!(
        matches!(&error, s4e::Error::RateLimit(api) if api.request_id().is_none() && api.status() == 429),
        "{error:?}"
    );
    assert_eq!(windows.counts(), (3, 1), "the third call was sent");
}

#[tokio::test]
async fn concurrent_waiters_are_released_by_window_and_all_succeed() {
    let (server, windows) = window_server(4, Duration::from_secs(1)).await;
    let client = support::client_no_retry(&server);
    // The first answer tells the client the limit.
    client.findings().get("f-1").await.unwrap();
    let calls: Vec<_> = (0..11)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.findings().get("f-1").await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(windows.counts(), (12, 0), "twelve answers, not one 429");
    let granted = windows.granted_at();
    assert!(
        granted[11] - granted[0] >= Duration::from_secs(2),
        "three windows"
    );
}

#[tokio::test]
async fn a_cancelled_waiter_frees_its_place() {
    let (server, windows) = window_server(1, Duration::from_secs(1)).await;
    let client = support::client_no_retry(&server);
    client.findings().get("f-1").await.unwrap();
    // Waits for the reset; dropped before it.
    let waiting =
        tokio::time::timeout(Duration::from_millis(100), client.findings().get("f-1")).await;
    assert!(waiting.is_err(), "the call was waiting");
    client.findings().get("f-1").await.unwrap();
    assert_eq!(windows.counts(), (2, 0));
}

/// A reset the call could not wait for ends it at once, unsent.
#[tokio::test]
async fn a_reset_past_the_ceiling_or_the_deadline_fails_at_once_unsent() {
    let server = support::start().await;
    let in_an_hour = unix_seconds_in(3600);
    let answers = [
        in_an_hour.to_string(),
        "99999999999".to_owned(),
        "20".to_owned(),
    ];
    for (n, reset) in answers.iter().enumerate() {
        support::route("GET", format!("/v1/findings/f-{n}"))
            .respond_with(
                limited(200, 0, 0)
                    .insert_header("x-ratelimit-reset", reset.as_str())
                    .set_body_json(json!({
                        "status": "success",
                        "data": {"id": "f-1", "title": "t", "severity": "low", "status": "open"}
                    })),
            )
            .mount_expecting(&server, 1)
            .await;
    }
    for (n, reset) in answers.iter().enumerate() {
        let client = support::builder(&server)
            .max_retry_wait(Duration::from_secs(60))
            .build()
            .unwrap();
        client.findings().get(format!("f-{n}")).await.unwrap();
        // With a 5 s deadline even the 20 s reset is too far.
        let call = client
            .findings()
            .get(format!("f-{n}"))
            .deadline(Duration::from_secs(5));
        let error = tokio::time::timeout(Duration::from_secs(30), call)
            .await
            .expect("the call did not wait")
            .unwrap_err();
        assert!(
            matches!(error, s4e::Error::RateLimit(_)),
            "{reset}: {error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("not sent"), "{message}");
        assert!(error.retry_after().is_some(), "{reset}");
    }
    // Each mock expects exactly its one request: nothing else was sent.
}

#[tokio::test]
async fn a_garbage_reset_states_no_limit_and_holds_nothing_back() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(
            limited(200, 0, 0)
                .insert_header("x-ratelimit-reset", "tomorrow")
                .set_body_json(json!({
                    "status": "success",
                    "data": {"id": "f-1", "title": "t", "severity": "low", "status": "open"}
                })),
        )
        .mount_expecting(&server, 3)
        .await;
    let client = support::client_no_retry(&server);
    for _ in 0..3 {
        tokio::time::timeout(Duration::from_secs(30), client.findings().get("f-1"))
            .await
            .expect("the call was not held back")
            .unwrap();
    }
    assert_eq!(client.rate_limit(), None);
}

#[test]
fn the_blocking_client_paces_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (server, windows) = runtime.block_on(window_server(1, Duration::from_secs(1)));
    let client = support::builder(&server)
        .retries(0)
        .build_blocking()
        .unwrap();
    for _ in 0..3 {
        client.findings().get("f-1").send().unwrap();
    }
    assert_eq!(windows.counts(), (3, 0), "three answers, not one 429");
    let granted = windows.granted_at();
    assert!(granted[2] - granted[0] >= Duration::from_secs(2));
    let _guard = runtime.enter();
    drop(server);
}

/// Under a 503 on every request, retries across the client stop when the
/// quota is spent: each call's first attempt, plus what the quota pays.
#[tokio::test]
async fn a_503_storm_makes_a_bounded_number_of_attempts_then_calls_recover() {
    const CALLS: u64 = 20;
    const RETRIES: u64 = 3;
    const QUOTA: u32 = 50;
    const RETRY_COST: u32 = 5;
    async fn storm(server: &MockServer) {
        support::route("GET", "/v1/findings/f-1")
            .respond_with(support::error_body(503, "unavailable", "down"))
            .mount(server)
            .await;
    }
    let run = |client: s4e::Client| async move {
        let calls: Vec<_> = (0..CALLS)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.findings().get("f-1").await })
            })
            .collect();
        for call in calls {
            let error = call.await.unwrap().unwrap_err();
            assert!(matches!(error, s4e::Error::Api(_)), "{error:?}");
        }
    };
    let server = support::start().await;
    storm(&server).await;

    let client = support::builder(&server)
        .retries(RETRIES as u32)
        .retry_quota(Some(QUOTA))
        .build()
        .unwrap();
    run(client.clone()).await;
    let attempts = support::received(&server).await.len() as u64;
    assert_eq!(attempts, CALLS + u64::from(QUOTA / RETRY_COST));

    // The same storm without a quota: every call spends its own retries.
    server.reset().await;
    support::mount_catch_all(&server).await;
    storm(&server).await;
    let unlimited = support::builder(&server)
        .retries(RETRIES as u32)
        .retry_quota(None)
        .build()
        .unwrap();
    run(unlimited).await;
    assert_eq!(
        support::received(&server).await.len() as u64,
        CALLS * (1 + RETRIES)
    );

    // Once the fault clears, the first client's calls succeed again: first
    // attempts never wait on the quota. While it is empty, a failure is not
    // retried; the successes refill it, 1 each, and a retry is paid again.
    server.reset().await;
    support::mount_catch_all(&server).await;
    support::mount_f1(&server, CALLS).await;
    support::route("GET", "/v1/findings/f-2")
        .respond_with(support::sequence([
            support::error_body(503, "unavailable", "down"),
            support::error_body(503, "unavailable", "down"),
            support::finding_response("f-2"),
        ]))
        .mount_expecting(&server, 3)
        .await;
    let error = client.findings().get("f-2").await.unwrap_err();
    assert!(
        matches!(error, s4e::Error::Api(_)),
        "not retried: {error:?}"
    );
    for _ in 0..CALLS {
        client.findings().get("f-1").await.unwrap();
    }
    // 20 tokens now: one retry (5) after the second 503, then the answer.
    client.findings().get("f-2").await.unwrap();
}

/// The Unix time `seconds` from now, as a reset header carries it.
fn unix_seconds_in(seconds: u64) -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is past 1970")
        .as_secs()
        + seconds
}
