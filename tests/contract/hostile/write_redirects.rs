//! Redirects on writes: a write is never turned into something else, and
//! nothing of it reaches another origin; refused redirects are not retried.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Instant;

use s4e::assets::AssetType;
use s4e::{AuthScheme, Error, FindingStatus};

use super::server::{Reply, Server};
use super::{BOUND, assert_within, blocking_client, builder, client, finding_body, get_f1};
use crate::support;

fn redirect(status: u16, location: &str) -> Reply {
    Reply::full(status, &[("location", location)], Vec::new())
}

/// A server that answers every request with a redirect to `location`, whose
/// status the test sets before each call.
fn redirecting(location: String) -> (Server, Arc<AtomicU16>) {
    let status = Arc::new(AtomicU16::new(302));
    let current = status.clone();
    let server = Server::start(move |_| redirect(current.load(Ordering::SeqCst), &location));
    (server, status)
}

#[track_caller]
fn assert_redirect_error<T: std::fmt::Debug>(result: s4e::Result<T>, status: u16, location: &str) {
    let err = result.expect_err("a redirected write is not followed");
    match &err {
        Error::Redirect {
            status: got,
            location: Some(got_location),
            ..
        } => {
            assert_eq!(*got, status);
            assert_eq!(got_location, location);
        }
        other => panic!("expected Error::Redirect for {status}, got {other:?}"),
    }
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(
        text.contains(&status.to_string()) && text.contains(location),
        "the message names the status and the location: {text}"
    );
}

#[tokio::test]
async fn a_write_answered_with_any_redirect_is_not_followed() {
    let elsewhere = Server::always(Reply::json(200, finding_body("f-1")));
    let location = format!("{}/v1/assets", elsewhere.origin());
    let (server, status) = redirecting(location.clone());
    let client = client(&server, 3);
    let mut calls = 0;
    for code in [301, 302, 303, 307, 308] {
        status.store(code, Ordering::SeqCst);
        let started = Instant::now();
        let create = client
            .assets()
            .create("example.com", AssetType::Domain)
            .await;
        assert_redirect_error(create, code, &location);
        let update = client
            .findings()
            .update("f-1")
            .status(FindingStatus::Resolved)
            .await;
        assert_redirect_error(update, code, &location);
        let delete = client.assets().delete("a-1").await;
        assert_redirect_error(delete, code, &location);
        let keyed = client
            .assets()
            .create("example.com", AssetType::Domain)
            .idempotency_key("create-example-com")
            .await;
        assert_redirect_error(keyed, code, &location);
        assert_within(started, BOUND);
        calls += 4;
        // One request per call: not followed, not retried.
        assert_eq!(server.request_count(), calls, "HTTP {code}");
    }
    // No body, key or Idempotency-Key ever reached the other origin.
    assert_eq!(elsewhere.request_count(), 0);
}

#[tokio::test]
async fn a_write_redirected_to_the_same_origin_is_not_followed_either() {
    let (server, status) = redirecting("/v1/assets-moved".to_owned());
    status.store(307, Ordering::SeqCst);
    let result = client(&server, 3)
        .assets()
        .create("example.com", AssetType::Domain)
        .await;
    // The Location is reported resolved against the request's URL.
    let resolved = format!("{}/v1/assets-moved", server.origin());
    assert_redirect_error(result, 307, &resolved);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
}

#[test]
fn a_write_answered_with_a_redirect_is_not_followed_on_the_blocking_client() {
    let elsewhere = Server::always(Reply::json(200, finding_body("f-1")));
    let location = format!("{}/v1/assets", elsewhere.origin());
    let (server, status) = redirecting(location.clone());
    let client = blocking_client(&server, 3);
    for code in [302, 307, 308] {
        status.store(code, Ordering::SeqCst);
        let create = client
            .assets()
            .create("example.com", AssetType::Domain)
            .send();
        assert_redirect_error(create, code, &location);
        let update = client
            .findings()
            .update("f-1")
            .status(FindingStatus::Resolved)
            .send();
        assert_redirect_error(update, code, &location);
    }
    assert_eq!(server.request_count(), 6);
    assert_eq!(elsewhere.request_count(), 0);
}

#[tokio::test]
async fn a_redirect_loop_is_not_retried() {
    let server = Server::always(redirect(302, "/v1/findings/f-1"));
    let started = Instant::now();
    let err = get_f1(&server, 3).await.expect_err("too many redirects");
    assert_within(started, BOUND);
    assert!(
        matches!(err, Error::Redirect { status: 302, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    // At most the redirect limit (10) plus the first request, not that
    // times the 4 attempts.
    assert!(server.request_count() <= 11, "{}", server.request_count());
}

#[tokio::test]
async fn a_cross_origin_redirect_refused_for_an_api_key_header_is_a_redirect_error() {
    let elsewhere = Server::always(Reply::json(200, finding_body("f-1")));
    let location = format!("{}/v1/findings/f-1", elsewhere.origin());
    let server = Server::always(redirect(307, &location));
    let err = support::get_f1_by(builder(&server, 3).auth_scheme(AuthScheme::ApiKeyHeader))
        .await
        .expect_err("not followed");
    match &err {
        Error::Redirect {
            status: 307,
            location: Some(got),
            ..
        } => assert_eq!(got, &location),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.request_count(), 1);
    assert_eq!(elsewhere.request_count(), 0);
}

#[tokio::test]
async fn a_redirect_to_a_scheme_that_is_not_http_is_a_redirect_error() {
    // Today reqwest's "URL scheme is not allowed" is a transport error and
    // the GET is sent again on every retry.
    let server = Server::always(redirect(302, "ftp://127.0.0.1/findings"));
    let err = get_f1(&server, 3).await.expect_err("not followed");
    assert!(
        matches!(err, Error::Redirect { status: 302, .. }),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 1);
}
