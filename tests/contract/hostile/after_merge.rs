//! Hostile-server tests of the issue-9 behaviour that the pagination,
//! transport and models changes add: pagination that always ends
//! (`Error::Pagination`, `Paginator::max_pages`), writes that never follow a
//! redirect (`Error::Redirect`), a deadline per call and a stall rule for
//! downloads (`deadline`), error bodies that keep an excerpt, and decode
//! errors that name the real failure.
//!
//! Declared in `hostile/mod.rs` as `mod after_merge;`: it needs those
//! changes' names, so it only compiles with them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use s4e::assets::AssetType;
use s4e::{AuthScheme, Error, ExportFormat, Finding, FindingStatus, PaginationError};

use super::server::{Received, Reply, Server, chunk, head};
use super::{
    BOUND, HANGUP_WAIT, TIMEOUT, assert_within, blocking_client, builder, client, finding_body,
    finding_with_raw_title, page_body,
};

// ---------------------------------------------------------------------------
// Pagination: every pathology ends with a typed error, on both clients, at
// concurrency 1 and 8.

const PER_PAGE: usize = 5;

/// The cap these tests set with `max_pages`.
const MAX_PAGES: u32 = 12;

/// The page number a request asked for (1 when it did not say).
fn asked_page(request: &Received) -> u32 {
    request
        .query("page")
        .map_or(1, |page| page.parse().expect("a page number"))
}

/// The ids of a full page of fresh items for page `page`.
fn fresh_ids(page: u32) -> Vec<String> {
    (0..PER_PAGE).map(|n| format!("f-{page}-{n}")).collect()
}

fn page_reply(ids: &[String], meta: Option<String>) -> Reply {
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    Reply::json(200, page_body(&ids, meta.as_deref()))
}

fn meta(page: u32, total_pages: u32) -> Option<String> {
    Some(format!(
        r#"{{"page":{page},"per_page":{PER_PAGE},"total_pages":{total_pages}}}"#
    ))
}

/// Ignores `page`: always page 1 of 5, the same items, `meta.page` 1.
fn same_page_forever() -> Server {
    Server::always(page_reply(&fresh_ids(1), meta(1, 5)))
}

/// Ignores `page` and sends no `meta`: the same full page forever.
fn ignores_the_page_parameter() -> Server {
    Server::always(page_reply(&fresh_ids(1), None))
}

/// Echoes the page asked for in `meta.page`, with the same items every time.
fn echoes_the_page_with_the_same_items() -> Server {
    Server::start(|request| page_reply(&fresh_ids(1), meta(asked_page(request), 5)))
}

/// Fresh full pages forever, each announcing `u32::MAX` pages.
fn claims_a_billion_pages() -> Server {
    Server::start(|request| {
        let page = asked_page(request);
        page_reply(&fresh_ids(page), meta(page, u32::MAX))
    })
}

/// Fresh full pages forever, without `meta`.
fn endless_pages_without_meta() -> Server {
    Server::start(|request| page_reply(&fresh_ids(asked_page(request)), None))
}

/// Announces 3 pages at first, then keeps serving fresh full pages, each
/// announcing two more.
fn announces_three_then_keeps_going() -> Server {
    Server::start(|request| {
        let page = asked_page(request);
        page_reply(&fresh_ids(page), meta(page, page + 2))
    })
}

/// Data that changes while it is paged: an insert shifts f-5 onto page 2
/// (seen twice), a removal shifts f-11 back onto page 2 (f-10 never seen).
fn shifting_data() -> Server {
    Server::start(|request| {
        let ids: Vec<String> = match asked_page(request) {
            1 => (1..=5).map(|n| format!("f-{n}")).collect(),
            2 => (5..=9).map(|n| format!("f-{n}")).collect(),
            3 => (11..=13).map(|n| format!("f-{n}")).collect(),
            _ => Vec::new(),
        };
        page_reply(&ids, meta(asked_page(request), 3))
    })
}

/// Walks `server`'s findings on the async client.
async fn walk(
    server: &Server,
    concurrency: usize,
    max_pages: Option<u32>,
) -> Vec<s4e::Result<Finding>> {
    let mut walk = client(server, 0)
        .findings()
        .list_auto()
        .per_page(PER_PAGE as u32)
        .concurrency(concurrency);
    if let Some(max) = max_pages {
        walk = walk.max_pages(max);
    }
    let started = Instant::now();
    let items = walk.collect().await;
    assert_within(started, BOUND);
    items
}

/// Walks `server`'s findings on the blocking client.
fn walk_blocking(
    server: &Server,
    concurrency: usize,
    max_pages: Option<u32>,
) -> Vec<s4e::Result<Finding>> {
    let mut walk = blocking_client(server, 0)
        .findings()
        .list_auto()
        .per_page(PER_PAGE as u32)
        .concurrency(concurrency);
    if let Some(max) = max_pages {
        walk = walk.max_pages(max);
    }
    let started = Instant::now();
    let items = walk.collect();
    assert_within(started, BOUND);
    items
}

/// Splits a walk into its item ids (asserted unique) and the error that must
/// end it.
#[track_caller]
fn ids_then_error(mut items: Vec<s4e::Result<Finding>>) -> (Vec<String>, PaginationError) {
    let last = items.pop().expect("the walk yields something");
    let error = match last {
        Err(Error::Pagination(error)) => error,
        other => panic!("expected a pagination error last, got {other:?}"),
    };
    let ids: Vec<String> = items
        .into_iter()
        .map(|item| item.expect("only the last item is an error").id.to_string())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "an id came twice: {ids:?}");
    assert!(!error.to_string().is_empty());
    (ids, error)
}

fn check_same_page_forever(items: Vec<s4e::Result<Finding>>, server: &Server, concurrency: usize) {
    let (ids, error) = ids_then_error(items);
    assert_eq!(ids, fresh_ids(1));
    assert!(
        matches!(
            error,
            PaginationError::PageMismatch {
                requested: 2,
                answered: 1,
                ..
            }
        ),
        "{error:?}"
    );
    let seen = server.request_count();
    assert!((2..=1 + concurrency).contains(&seen), "{seen} requests");
}

fn check_no_progress(items: Vec<s4e::Result<Finding>>, server: &Server, concurrency: usize) {
    let (ids, error) = ids_then_error(items);
    assert_eq!(ids, fresh_ids(1));
    assert!(
        matches!(error, PaginationError::NoProgress { page: 2, .. }),
        "{error:?}"
    );
    let seen = server.request_count();
    assert!((2..=1 + concurrency).contains(&seen), "{seen} requests");
}

fn check_capped(items: Vec<s4e::Result<Finding>>, server: &Server, concurrency: usize) {
    let (ids, error) = ids_then_error(items);
    assert!(
        matches!(
            error,
            PaginationError::TooManyPages {
                limit: MAX_PAGES,
                ..
            }
        ),
        "{error:?}"
    );
    let seen = server.request_count();
    assert!(seen <= MAX_PAGES as usize, "{seen} requests");
    // Every page fetched one at a time was yielded whole before the error.
    if concurrency == 1 {
        assert_eq!(ids.len(), seen * PER_PAGE);
    } else {
        assert!(!ids.is_empty() && ids.len() <= seen * PER_PAGE);
    }
}

fn check_announced_count(items: Vec<s4e::Result<Finding>>, server: &Server) {
    let (_, error) = ids_then_error(items);
    let PaginationError::TooManyPages { limit, .. } = error else {
        panic!("{error:?}");
    };
    // The first answer's count (3) plus a small margin, far below the
    // absolute bound.
    assert!((3..s4e::DEFAULT_MAX_PAGES).contains(&limit), "{limit}");
    assert!(server.request_count() <= limit as usize);
}

fn check_shifting_data(items: Vec<s4e::Result<Finding>>, server: &Server) {
    let ids: Vec<String> = items
        .into_iter()
        .map(|item| {
            item.expect("overlap and gaps are not errors")
                .id
                .to_string()
        })
        .collect();
    let expected: Vec<String> = (1..=9).chain(11..=13).map(|n| format!("f-{n}")).collect();
    assert_eq!(ids, expected, "each id once, in page order");
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn pagination_same_page_forever_is_a_page_mismatch() {
    for concurrency in [1, 8] {
        let server = same_page_forever();
        let items = walk(&server, concurrency, None).await;
        check_same_page_forever(items, &server, concurrency);
    }
}

#[test]
fn pagination_same_page_forever_is_a_page_mismatch_on_the_blocking_client() {
    for concurrency in [1, 8] {
        let server = same_page_forever();
        let items = walk_blocking(&server, concurrency, None);
        check_same_page_forever(items, &server, concurrency);
    }
}

#[tokio::test]
async fn pagination_an_ignored_page_parameter_is_no_progress() {
    for concurrency in [1, 8] {
        let server = ignores_the_page_parameter();
        let items = walk(&server, concurrency, None).await;
        check_no_progress(items, &server, concurrency);
    }
}

#[test]
fn pagination_an_ignored_page_parameter_is_no_progress_on_the_blocking_client() {
    for concurrency in [1, 8] {
        let server = ignores_the_page_parameter();
        let items = walk_blocking(&server, concurrency, None);
        check_no_progress(items, &server, concurrency);
    }
}

#[tokio::test]
async fn pagination_an_echoed_page_with_the_same_items_is_no_progress() {
    for concurrency in [1, 8] {
        let server = echoes_the_page_with_the_same_items();
        let items = walk(&server, concurrency, None).await;
        check_no_progress(items, &server, concurrency);
    }
}

#[test]
fn pagination_an_echoed_page_with_the_same_items_is_no_progress_on_the_blocking_client() {
    for concurrency in [1, 8] {
        let server = echoes_the_page_with_the_same_items();
        let items = walk_blocking(&server, concurrency, None);
        check_no_progress(items, &server, concurrency);
    }
}

#[tokio::test]
async fn pagination_a_billion_pages_claimed_stop_at_max_pages() {
    for concurrency in [1, 8] {
        let server = claims_a_billion_pages();
        let items = walk(&server, concurrency, Some(MAX_PAGES)).await;
        check_capped(items, &server, concurrency);
    }
}

#[test]
fn pagination_a_billion_pages_claimed_stop_at_max_pages_on_the_blocking_client() {
    for concurrency in [1, 8] {
        let server = claims_a_billion_pages();
        let items = walk_blocking(&server, concurrency, Some(MAX_PAGES));
        check_capped(items, &server, concurrency);
    }
}

#[tokio::test]
async fn pagination_endless_full_pages_without_meta_stop_at_max_pages() {
    for concurrency in [1, 8] {
        let server = endless_pages_without_meta();
        let items = walk(&server, concurrency, Some(MAX_PAGES)).await;
        check_capped(items, &server, concurrency);
    }
}

#[test]
fn pagination_endless_full_pages_without_meta_stop_at_max_pages_on_the_blocking_client() {
    for concurrency in [1, 8] {
        let server = endless_pages_without_meta();
        let items = walk_blocking(&server, concurrency, Some(MAX_PAGES));
        check_capped(items, &server, concurrency);
    }
}

#[tokio::test]
async fn pagination_never_goes_far_beyond_the_first_announced_count() {
    for concurrency in [1, 8] {
        let server = announces_three_then_keeps_going();
        let items = walk(&server, concurrency, None).await;
        check_announced_count(items, &server);
    }
}

#[test]
fn pagination_never_goes_far_beyond_the_first_announced_count_on_the_blocking_client() {
    for concurrency in [1, 8] {
        let server = announces_three_then_keeps_going();
        let items = walk_blocking(&server, concurrency, None);
        check_announced_count(items, &server);
    }
}

#[tokio::test]
async fn pagination_over_shifting_data_yields_each_id_once_without_error() {
    for concurrency in [1, 8] {
        let server = shifting_data();
        let items = walk(&server, concurrency, None).await;
        check_shifting_data(items, &server);
    }
}

#[test]
fn pagination_over_shifting_data_yields_each_id_once_on_the_blocking_client() {
    for concurrency in [1, 8] {
        let server = shifting_data();
        let items = walk_blocking(&server, concurrency, None);
        check_shifting_data(items, &server);
    }
}

// ---------------------------------------------------------------------------
// Redirects: a write is never turned into something else, and nothing of it
// reaches another origin.

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
    let err = client(&server, 3)
        .findings()
        .get("f-1")
        .await
        .expect_err("too many redirects");
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
    let err = builder(&server, 3)
        .auth_scheme(AuthScheme::ApiKeyHeader)
        .build()
        .unwrap()
        .findings()
        .get("f-1")
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
    let err = client(&server, 3)
        .findings()
        .get("f-1")
        .await
        .expect_err("not followed");
    assert!(
        matches!(err, Error::Redirect { status: 302, .. }),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 1);
}

// ---------------------------------------------------------------------------
// Deadlines and the stall rule.

/// An export that announces 1000 bytes and sends one every 50 ms (20 B/s),
/// for at most 10 s, then closes: slower than any download that is alive,
/// and finite so that a missing stall rule fails the test instead of hanging
/// it.
fn trickling_export() -> Reply {
    Reply::raw(head(
        200,
        &[("content-type", "text/csv"), ("content-length", "1000")],
    ))
    .drip(*b"x", Duration::from_millis(50), 200)
}

/// A healthy export that never ends: 16 KiB every 5 ms.
fn endless_export() -> Reply {
    Reply::raw(head(
        200,
        &[
            ("content-type", "text/csv"),
            ("transfer-encoding", "chunked"),
        ],
    ))
    .endless(chunk(&[b'x'; 16 * 1024]), Duration::from_millis(5))
}

/// What "a few multiples of the per-attempt timeout" may be at most.
const STALL_BOUND: Duration = Duration::from_millis(TIMEOUT.as_millis() as u64 * 10);

#[tokio::test]
async fn a_trickling_download_ends_with_a_timeout_by_default() {
    let server = Server::always(trickling_export());
    let started = Instant::now();
    let err = client(&server, 3)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut tokio::io::sink())
        .await
        .expect_err("the stall rule ends it");
    assert_within(started, STALL_BOUND);
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[test]
fn a_trickling_download_ends_with_a_timeout_by_default_on_the_blocking_client() {
    let server = Server::always(trickling_export());
    let started = Instant::now();
    let err = blocking_client(&server, 3)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut std::io::sink())
        .expect_err("the stall rule ends it");
    assert_within(started, STALL_BOUND);
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups_blocking(1, HANGUP_WAIT), 1);
}

const DEADLINE: Duration = Duration::from_millis(400);

#[tokio::test]
async fn a_deadline_bounds_an_endless_download() {
    let server = Server::always(endless_export());
    let started = Instant::now();
    let err = client(&server, 3)
        .findings()
        .export(ExportFormat::Csv)
        .deadline(DEADLINE)
        .write_to(&mut tokio::io::sink())
        .await
        .expect_err("the deadline ends it");
    assert!(started.elapsed() >= DEADLINE, "{:?}", started.elapsed());
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[test]
fn a_deadline_bounds_an_endless_download_on_the_blocking_client() {
    let server = Server::always(endless_export());
    let started = Instant::now();
    let err = builder(&server, 3)
        .deadline(DEADLINE)
        .build_blocking()
        .unwrap()
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut std::io::sink())
        .expect_err("the deadline ends it");
    assert!(started.elapsed() >= DEADLINE, "{:?}", started.elapsed());
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups_blocking(1, HANGUP_WAIT), 1);
}

#[tokio::test]
async fn a_deadline_bounds_the_attempts_of_a_trickling_answer() {
    // Ten retries of a 200 ms attempt would take over 2 s; the deadline
    // stops the call at 500 ms.
    let server = Server::always(
        Reply::raw(head(
            200,
            &[
                ("content-type", "application/json"),
                ("content-length", "1000"),
            ],
        ))
        .drip(*b" ", Duration::from_millis(20), 500),
    );
    let deadline = Duration::from_millis(500);
    let started = Instant::now();
    let err = builder(&server, 10)
        .deadline(deadline)
        .build()
        .unwrap()
        .findings()
        .get("f-1")
        .await
        .expect_err("the deadline ends it");
    assert_within(started, deadline + Duration::from_millis(500));
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(server.request_count() <= 3, "{}", server.request_count());
}

#[tokio::test]
async fn a_deadline_bounds_retry_after_waits() {
    let server = Server::always(Reply::full(
        503,
        &[("retry-after", "0.15"), ("content-type", "text/plain")],
        "maintenance",
    ));
    let deadline = Duration::from_millis(400);
    let started = Instant::now();
    let err = client(&server, 10)
        .findings()
        .get("f-1")
        .deadline(deadline)
        .await
        .expect_err("always unavailable");
    assert_within(started, deadline + Duration::from_millis(500));
    // The deadline's timeout, or the last answer when the next wait would
    // cross the deadline anyway; either way not eleven attempts.
    assert!(
        matches!(&err, Error::Timeout(_)) || matches!(&err, Error::Api(api) if api.status() == 503),
        "{err:?}"
    );
    assert!(server.request_count() <= 4, "{}", server.request_count());
}

// ---------------------------------------------------------------------------
// Evidence: error bodies keep an excerpt, decode errors name the failure.

#[tokio::test]
async fn an_error_body_larger_than_64_kib_keeps_an_excerpt() {
    let page = format!(
        "<html><body>{}</body></html>",
        "<p>upstream failed</p>".repeat(50_000)
    );
    let server = Server::always(Reply::full(502, &[("content-type", "text/html")], page));
    let err = client(&server, 0)
        .findings()
        .get("f-1")
        .await
        .expect_err("a 502");
    let api = err.api_error().expect("an API error");
    assert_eq!(api.status(), 502);
    let raw = api.raw_body().expect("an excerpt");
    assert!(
        raw.starts_with("<html><body><p>upstream failed</p>"),
        "{raw}"
    );
    assert!(
        raw.len() < 64 * 1024,
        "an excerpt, not the body: {}",
        raw.len()
    );
}

#[tokio::test]
async fn an_endless_error_body_keeps_an_excerpt() {
    let server = Server::always(
        Reply::raw(head(
            500,
            &[
                ("content-type", "text/html"),
                ("transfer-encoding", "chunked"),
            ],
        ))
        .endless(chunk(&b"<p>internal error</p>".repeat(500)), Duration::ZERO),
    );
    let err = client(&server, 0)
        .findings()
        .get("f-1")
        .await
        .expect_err("a 500");
    let raw = err
        .api_error()
        .and_then(|api| api.raw_body())
        .expect("an excerpt");
    assert!(raw.starts_with("<p>internal error</p>"), "{raw}");
}

#[tokio::test]
async fn invalid_utf8_is_reported_where_it_is() {
    let server = Server::always(Reply::json(200, finding_with_raw_title("f-1", b"caf\xe9")));
    let err = client(&server, 0)
        .findings()
        .get("f-1")
        .await
        .expect_err("not UTF-8");
    let Error::Decode(decode) = err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.path, "data.title", "{decode:?}");
    assert!(!decode.message.contains("missing field"), "{decode:?}");
}

#[tokio::test]
async fn trailing_garbage_is_reported_as_such() {
    let mut body = finding_body("f-1");
    body.extend_from_slice(b" garbage");
    let server = Server::always(Reply::json(200, body));
    let err = client(&server, 0)
        .findings()
        .get("f-1")
        .await
        .expect_err("trailing characters");
    let Error::Decode(decode) = err else {
        panic!("{err:?}")
    };
    assert!(decode.message.contains("trailing"), "{decode:?}");
    assert!(!decode.message.contains("missing field"), "{decode:?}");
}
