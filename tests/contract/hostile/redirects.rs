//! Redirects of reads: followed on the same origin with the key, followed to
//! another origin without it (`Authorization`) or not at all (`X-API-Key`),
//! and loops end within the redirect limit. (Redirects of writes are in
//! `write_redirects.rs`.)

use std::sync::Arc;
use std::time::Instant;

use s4e::{AuthScheme, Error};

use super::server::{Reply, Server, case};
use super::{BOUND, assert_within, builder, client, finding_body, get_f1};
use crate::support::{self, KEY};

/// The most requests one call may make while following redirects: the limit
/// of 10 redirects, plus the first request.
const REDIRECT_REQUESTS: usize = 11;

fn redirect(status: u16, location: &str) -> Reply {
    Reply::full(status, &[("location", location)], Vec::new())
}

#[tokio::test]
async fn a_same_origin_redirect_of_a_get_is_followed_with_the_key() {
    let server = Server::start(|request| {
        if request.path() == "/v1/findings/f-1" {
            redirect(302, "/v1/findings/f-2")
        } else {
            Reply::json(200, finding_body("f-2"))
        }
    });
    let finding = get_f1(&server, 0).await.expect("followed");
    assert_eq!(finding.id, "f-2");
    let requests = server.requests();
    let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(targets, ["/v1/findings/f-1", "/v1/findings/f-2"]);
    let bearer = format!("Bearer {KEY}");
    for request in &requests {
        assert_eq!(request.header("authorization"), Some(bearer.as_str()));
    }
}

#[tokio::test]
async fn a_cross_origin_redirect_of_a_get_drops_the_bearer_key() {
    let other = Arc::new(Server::always(Reply::json(200, finding_body("f-1"))));
    let target = format!("{}/elsewhere/f-1", other.origin());
    let server = Server::always(redirect(302, &target));
    let finding = get_f1(&server, 0).await.expect("followed");
    assert_eq!(finding.id, "f-1");
    assert_eq!(server.request_count(), 1);
    let requests = other.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].target, "/elsewhere/f-1");
    assert_eq!(requests[0].header("authorization"), None);
    assert!(
        !requests[0]
            .headers
            .iter()
            .any(|(_, value)| value.contains(KEY)),
        "{:?}",
        requests[0].headers
    );
}

#[tokio::test]
async fn a_cross_origin_redirect_is_not_followed_with_an_api_key_header() {
    // reqwest strips only `Authorization` across origins, so with
    // `X-API-Key` the client must not follow at all.
    let other = Server::always(Reply::json(200, finding_body("f-1")));
    let server = Server::always(redirect(
        307,
        &format!("{}/v1/findings/f-1", other.origin()),
    ));
    let result =
        support::get_f1_by(builder(&server, 3).auth_scheme(AuthScheme::ApiKeyHeader)).await;
    assert!(result.is_err(), "{result:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(other.request_count(), 0);
    assert_eq!(server.requests()[0].header("x-api-key"), Some(KEY));
}

#[tokio::test]
async fn a_redirect_loop_ends_within_the_redirect_limit() {
    let server = Server::always(redirect(302, "/v1/findings/f-1"));
    let started = Instant::now();
    let result = client(&server, 0).findings().get("f-1").await;
    assert_within(started, BOUND);
    assert!(result.is_err(), "{result:?}");
    let seen = server.request_count();
    assert!((2..=REDIRECT_REQUESTS).contains(&seen), "{seen} requests");
}

#[tokio::test]
async fn a_redirect_loop_across_two_origins_ends_within_the_redirect_limit() {
    // a -> b -> a -> ...: the key belongs to a's origin (the base URL's), so
    // b never sees it, whichever hop leads there.
    let b_to_a = Arc::new(std::sync::OnceLock::<String>::new());
    let back = b_to_a.clone();
    let b = Server::start(move |_| redirect(301, back.get().expect("a's URL is set")));
    let a = Server::always(redirect(301, &format!("{}/v1/findings/f-1", b.origin())));
    b_to_a
        .set(format!("{}/v1/findings/f-1", a.origin()))
        .unwrap();
    let started = Instant::now();
    let result = client(&a, 0).findings().get("f-1").await;
    assert_within(started, BOUND);
    assert!(result.is_err(), "{result:?}");
    let seen = a.request_count() + b.request_count();
    assert!((2..=REDIRECT_REQUESTS).contains(&seen), "{seen} requests");
    let bearer = format!("Bearer {KEY}");
    let carries_key =
        |r: &super::server::Received| r.header("authorization") == Some(bearer.as_str());
    assert!(!b.requests().is_empty(), "the loop went through b");
    assert!(
        b.requests().iter().all(|r| !carries_key(r)),
        "the other origin never sees the key"
    );
    assert!(carries_key(&a.requests()[0]), "the API's origin does");
}

#[tokio::test]
async fn a_redirect_without_a_usable_location_is_an_error() {
    let locations = [
        None,
        Some("http://[::1"),
        Some("file:///etc/passwd"),
        Some("ftp://127.0.0.1/x"),
    ];
    let server = Server::cases(locations.iter().map(|location| {
        vec![match location {
            Some(location) => redirect(302, location),
            None => Reply::full(302, &[], Vec::new()),
        }]
    }));
    let client = client(&server, 0);
    for (n, location) in locations.iter().enumerate() {
        let started = Instant::now();
        let result = client.findings().get(case(n)).await;
        assert_within(started, BOUND);
        let err = result.expect_err("nothing to follow");
        assert!(
            !matches!(err, Error::Decode(_)),
            "{location:?}: a redirect is not a body to decode: {err:?}"
        );
        assert_eq!(server.case_requests(n), 1, "{location:?}");
    }
    assert_eq!(server.request_count(), locations.len());
}
