//! Pagination answers that announce more than they have. (The pathologies
//! that would page forever without the walk's own checks are in
//! `pagination_ends.rs`.)

use std::time::Instant;

use futures_util::StreamExt;
use s4e::Finding;

use super::server::{Received, Reply, Server};
use super::{BOUND, HANGUP_WAIT, assert_within, blocking_client, client, page_body};

const PER_PAGE: usize = 5;

/// The page number a request asked for (1 when it did not say).
fn asked_page(request: &Received) -> u32 {
    request
        .query("page")
        .map_or(1, |page| page.parse().expect("a page number"))
}

/// Full pages of fresh items up to page `data_pages`, then empty pages, all
/// announcing `u32::MAX` pages, on connections kept alive.
fn claims_billions(data_pages: u32) -> Server {
    Server::start(move |request| {
        let page = asked_page(request);
        let ids: Vec<String> = if page <= data_pages {
            (0..PER_PAGE).map(|n| format!("f-{page}-{n}")).collect()
        } else {
            Vec::new()
        };
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let meta = format!(
            r#"{{"page":{page},"per_page":{PER_PAGE},"total":{},"total_pages":{}}}"#,
            u64::from(u32::MAX) * PER_PAGE as u64,
            u32::MAX
        );
        Reply::json_keep_alive(200, page_body(&ids, Some(&meta)))
    })
}

#[track_caller]
fn assert_walk(items: &[s4e::Result<Finding>], server: &Server, concurrency: usize) {
    let ids: Vec<String> = items
        .iter()
        .map(|item| item.as_ref().expect("no error").id.to_string())
        .collect();
    let expected: Vec<String> = (1..=2)
        .flat_map(|page| (0..PER_PAGE).map(move |n| format!("f-{page}-{n}")))
        .collect();
    assert_eq!(ids, expected);
    // Pages 1 to 3 at least (3 is empty); with more in flight, at most the
    // ones already started when page 3 ended the walk.
    let seen = server.request_count();
    assert!(
        (3..=3 + concurrency).contains(&seen),
        "{seen} requests at concurrency {concurrency}"
    );
    // One page at a time reuses one connection; more in flight need at most
    // one each.
    if concurrency == 1 {
        assert_eq!(server.connections(), 1);
        assert!(server.requests().iter().all(|r| r.connection == 0));
    } else {
        assert!(server.connections() <= concurrency + 1);
    }
}

#[tokio::test]
async fn a_billion_pages_claimed_end_at_the_first_empty_page() {
    for concurrency in [1, 8] {
        let server = claims_billions(2);
        let started = Instant::now();
        let items: Vec<_> = client(&server, 0)
            .findings()
            .list_auto()
            .per_page(PER_PAGE as u32)
            .concurrency(concurrency)
            .collect()
            .await;
        assert_within(started, BOUND);
        assert_walk(&items, &server, concurrency);
    }
}

#[test]
fn a_billion_pages_claimed_end_at_the_first_empty_page_on_the_blocking_client() {
    for concurrency in [1, 8] {
        let server = claims_billions(2);
        let started = Instant::now();
        let items: Vec<_> = blocking_client(&server, 0)
            .findings()
            .list_auto()
            .per_page(PER_PAGE as u32)
            .concurrency(concurrency)
            .collect();
        assert_within(started, BOUND);
        assert_walk(&items, &server, concurrency);
    }
}

/// The concurrency of the walks past the end: it asks for pages 1 to 8 at
/// once, so 6 of them lie past the end of a two-page list (the README's
/// "up to `k - 1`" requests past the end).
const AHEAD: usize = 8;

/// Two full pages announcing 2 pages, on connections kept alive; any page
/// past them is answered with `past_the_end`. Every answer waits until the
/// first [`AHEAD`] pages were all asked for, so the pages past the end are
/// in flight when page 1 tells the count, however the machine schedules the
/// client (a page 1 answered first would let the walk cancel the others
/// before they were sent).
fn two_pages_then(past_the_end: fn() -> Reply) -> Server {
    Server::start(move |request| {
        let page = asked_page(request);
        let reply = if page > 2 {
            past_the_end()
        } else {
            let ids: Vec<String> = (0..PER_PAGE).map(|n| format!("f-{page}-{n}")).collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let meta = format!(r#"{{"page":{page},"per_page":{PER_PAGE},"total_pages":2}}"#);
            Reply::json_keep_alive(200, page_body(&ids, Some(&meta)))
        };
        reply.after_requests(AHEAD, BOUND)
    })
}

/// Past the end: no answer at all, the connection left open.
fn hangs() -> Reply {
    Reply::nothing().then_hang()
}

/// Past the end: the connection closed without an answer.
fn hangs_up() -> Reply {
    Reply::nothing()
}

/// Past the end: bytes that are not HTTP.
fn garbage() -> Reply {
    Reply::raw(b"\x00\xffnot http at all\r\n\r\n".to_vec())
}

/// What a server answers for a page past the end, named.
type PastTheEnd = (&'static str, fn() -> Reply);

/// Answers past the end that fail at once.
const FAILING: [PastTheEnd; 2] = [("hangs up", hangs_up), ("garbage", garbage)];

/// The retries of the clients walking past the end.
const RETRIES: u32 = 3;

/// The walk yielded pages 1 and 2 whole and nothing else, and pages 3 to
/// [`AHEAD`] were asked for ahead of the count. Returns the requests for
/// pages past the end.
#[track_caller]
fn assert_past_the_end_discarded(
    items: &[s4e::Result<Finding>],
    server: &Server,
    what: &str,
) -> usize {
    let ids: Vec<String> = items
        .iter()
        .map(|item| item.as_ref().expect(what).id.to_string())
        .collect();
    let expected: Vec<String> = (1..=2)
        .flat_map(|page| (0..PER_PAGE).map(move |n| format!("f-{page}-{n}")))
        .collect();
    assert_eq!(ids, expected, "{what}");
    let requests = server.requests();
    let past: std::collections::BTreeSet<u32> = requests
        .iter()
        .map(asked_page)
        .filter(|page| *page > 2)
        .collect();
    let ahead = u32::try_from(AHEAD).expect("a small concurrency");
    assert_eq!(
        past,
        (3..=ahead).collect(),
        "{what}: the pages asked for past the end"
    );
    requests.iter().filter(|r| asked_page(r) > 2).count()
}

/// A failed page past the end may be retried while the count is still
/// unknown (the walk cannot tell it from a page it needs), at most
/// [`RETRIES`] times each.
#[track_caller]
fn assert_retries_bounded(past_requests: usize, what: &str) {
    let at_most = (AHEAD - 2) * (1 + RETRIES as usize);
    assert!(
        past_requests <= at_most,
        "{what}: {past_requests} requests past the end, more than {at_most}"
    );
}

/// Pages past the end that hang are cancelled when page 1 tells the count:
/// each asked for once, and every one hung up on.
#[tokio::test]
async fn pages_past_the_end_that_hang_are_cancelled_with_the_walk() {
    let server = two_pages_then(hangs);
    // A patient client: a page past the end that hangs can end only by
    // being cancelled, never by timing out and being retried.
    let items: Vec<_> = client(&server, RETRIES)
        .findings()
        .list_auto()
        .per_page(PER_PAGE as u32)
        .concurrency(AHEAD)
        .collect()
        .await;
    let past = assert_past_the_end_discarded(&items, &server, "hangs");
    assert_eq!(past, AHEAD - 2, "each page past the end asked for once");
    assert_eq!(server.wait_for_hangups(past, HANGUP_WAIT).await, past);
    assert_eq!(server.request_count(), AHEAD, "nothing asked for again");
}

#[test]
fn pages_past_the_end_that_hang_are_cancelled_with_the_walk_on_the_blocking_client() {
    let server = two_pages_then(hangs);
    let items: Vec<_> = blocking_client(&server, RETRIES)
        .findings()
        .list_auto()
        .per_page(PER_PAGE as u32)
        .concurrency(AHEAD)
        .collect();
    let past = assert_past_the_end_discarded(&items, &server, "hangs");
    assert_eq!(past, AHEAD - 2, "each page past the end asked for once");
    assert_eq!(server.wait_for_hangups_blocking(past, HANGUP_WAIT), past);
    assert_eq!(server.request_count(), AHEAD, "nothing asked for again");
}

/// Pages past the end that fail are discarded: the walk yields pages 1
/// and 2 and no error, on the blocking client or (on a runtime of its own)
/// the async one.
fn pages_past_the_end_that_fail_are_discarded(blocking: bool) {
    for (what, past_the_end) in FAILING {
        let server = two_pages_then(past_the_end);
        let started = Instant::now();
        let items: Vec<_> = if blocking {
            blocking_client(&server, RETRIES)
                .findings()
                .list_auto()
                .per_page(PER_PAGE as u32)
                .concurrency(AHEAD)
                .collect()
        } else {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            let walk = client(&server, RETRIES)
                .findings()
                .list_auto()
                .per_page(PER_PAGE as u32)
                .concurrency(AHEAD);
            runtime.block_on(walk.collect())
        };
        assert_within(started, BOUND);
        let past = assert_past_the_end_discarded(&items, &server, what);
        assert_retries_bounded(past, what);
    }
}

#[test]
fn pages_past_the_end_that_fail_are_discarded_by_the_walk() {
    pages_past_the_end_that_fail_are_discarded(false);
}

#[test]
fn pages_past_the_end_that_fail_are_discarded_by_the_walk_on_the_blocking_client() {
    pages_past_the_end_that_fail_are_discarded(true);
}
