//! Pagination pathologies at the byte level: each ends with a typed error
//! (or, for data that shifts while paged, without one), on both clients, at
//! concurrency 1 and 8, within a bound on requests.

use std::time::Instant;

use futures_util::StreamExt;
use s4e::{Error, Finding, PaginationError};

use super::server::{Received, Reply, Server};
use super::{BOUND, assert_within, blocking_client, client, page_body};

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

fn check_announced_count(items: Vec<s4e::Result<Finding>>, server: &Server, concurrency: usize) {
    let (_, error) = ids_then_error(items);
    let PaginationError::TooManyPages { limit, .. } = error else {
        panic!("{error:?}");
    };
    // The first answer's count (3) plus a small margin, far below the
    // absolute bound.
    assert!((3..s4e::DEFAULT_MAX_PAGES).contains(&limit), "{limit}");
    // Nothing past the limit, except among the first `concurrency` pages,
    // asked for before the first answer set it.
    let seen = server.request_count();
    assert!(
        seen <= (limit as usize).max(concurrency),
        "{seen} requests at concurrency {concurrency}"
    );
}

fn check_shifting_data(items: Vec<s4e::Result<Finding>>, server: &Server, concurrency: usize) {
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
    // Pages 1 to 3; above concurrency 1 the first `concurrency` pages are
    // asked for at once, and what lies past page 3 is discarded.
    let seen = server.request_count();
    if concurrency == 1 {
        assert_eq!(seen, 3);
    } else {
        assert!((3..=concurrency.max(3)).contains(&seen), "{seen} requests");
    }
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
        check_announced_count(items, &server, concurrency);
    }
}

#[test]
fn pagination_never_goes_far_beyond_the_first_announced_count_on_the_blocking_client() {
    for concurrency in [1, 8] {
        let server = announces_three_then_keeps_going();
        let items = walk_blocking(&server, concurrency, None);
        check_announced_count(items, &server, concurrency);
    }
}

#[tokio::test]
async fn pagination_over_shifting_data_yields_each_id_once_without_error() {
    for concurrency in [1, 8] {
        let server = shifting_data();
        let items = walk(&server, concurrency, None).await;
        check_shifting_data(items, &server, concurrency);
    }
}

#[test]
fn pagination_over_shifting_data_yields_each_id_once_on_the_blocking_client() {
    for concurrency in [1, 8] {
        let server = shifting_data();
        let items = walk_blocking(&server, concurrency, None);
        check_shifting_data(items, &server, concurrency);
    }
}
