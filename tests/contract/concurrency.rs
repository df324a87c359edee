//! Concurrent auto-pagination (`concurrency(k)`), observed at a server that
//! counts the requests in flight: order, the bound, cancellation, errors.
//!
//! wiremock answers synchronously and cannot tell when a response is done, so
//! these tests run a tiny axum server whose handler holds each request for a
//! page-specific delay and counts how many are inside it at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use futures_util::StreamExt;
use serde_json::json;

const PER_PAGE: usize = 10;

#[derive(Default)]
struct Counters {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    requests: AtomicUsize,
    /// The requests that had arrived when page 1 was answered.
    requests_before_page_1_answered: AtomicUsize,
    highest_page: AtomicUsize,
}

/// What the server answers for a page past the last one.
#[derive(Clone, Copy, Debug)]
enum PastTheEnd {
    /// An empty page with the same `meta`.
    Empty,
    /// This status with an error body.
    Status(u16),
    /// A full page of items that are not in the list, as a server that
    /// ignores `page` past the end might send.
    Ghosts,
}

struct Server {
    counters: Arc<Counters>,
    pages: u32,
    /// A page answered with a 500 instead of items.
    failing_page: Option<u32>,
    past_the_end: PastTheEnd,
    /// Page 1 is held until this many requests have arrived (or 5 s pass),
    /// to observe which pages are asked for before the first answer.
    hold_page_1_for: Option<usize>,
    /// Bytes of description added to every item, to make pages larger than
    /// what the sockets buffer.
    padding: usize,
}

#[derive(serde::Deserialize)]
struct PageQuery {
    page: u32,
    per_page: usize,
}

/// A delay per page that makes later pages often finish before earlier ones.
fn delay_of(page: u32) -> Duration {
    Duration::from_millis(u64::from((page * 37) % 11) * 4 + 1)
}

/// One request inside the handler.
struct InFlight<'a>(&'a Counters);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn error_reply(status: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    (
        status,
        Json(json!({"status": "error", "error": {"code": "internal_error", "message": message}})),
    )
        .into_response()
}

async fn list(State(server): State<Arc<Server>>, Query(q): Query<PageQuery>) -> Response {
    let counters = &server.counters;
    counters.requests.fetch_add(1, Ordering::SeqCst);
    counters
        .highest_page
        .fetch_max(q.page as usize, Ordering::SeqCst);
    let now = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    counters.max_in_flight.fetch_max(now, Ordering::SeqCst);
    // Counted out when the handler ends, also when the client cancels the
    // request and the server drops the handler mid-way.
    let in_flight = InFlight(counters);
    match server.hold_page_1_for {
        Some(wanted) if q.page == 1 => {
            let all_arrived = async {
                while counters.requests.load(Ordering::SeqCst) < wanted {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(5), all_arrived).await;
        }
        _ => tokio::time::sleep(delay_of(q.page)).await,
    }
    drop(in_flight);
    if q.page == 1 {
        let seen = counters.requests.load(Ordering::SeqCst);
        counters
            .requests_before_page_1_answered
            .store(seen, Ordering::SeqCst);
    }
    if server.failing_page == Some(q.page) {
        return error_reply(500, "page broke");
    }
    let total = server.pages as usize * PER_PAGE;
    if server.padding > 0 {
        // Later pages start after the caller has taken page 1.
        if q.page > 1 {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        return padded_page(&server, &q, total);
    }
    let past_the_end = q.page > server.pages.max(1);
    let items: Vec<_> = match server.past_the_end {
        PastTheEnd::Status(status) if past_the_end => {
            return error_reply(status, "no such page");
        }
        PastTheEnd::Ghosts if past_the_end => (0..q.per_page)
            .map(|i| json!({"id": format!("ghost-{}-{i}", q.page), "severity": "low"}))
            .collect(),
        _ => (0..q.per_page)
            .map(|i| (q.page as usize - 1) * q.per_page + i)
            .filter(|n| *n < total)
            .map(|n| {
                json!({
                    "id": format!("f-{n}"),
                    "title": format!("finding {n}"),
                    "severity": "low",
                })
            })
            .collect(),
    };
    Json(json!({
        "data": items,
        "meta": {"total": total, "page": q.page, "per_page": q.per_page, "total_pages": server.pages}
    }))
    .into_response()
}

/// A page whose items carry `server.padding` bytes of description each,
/// written out by hand: building it as a JSON value would take the test
/// server longer than the timeouts it is used with.
fn padded_page(server: &Server, q: &PageQuery, total: usize) -> Response {
    let padding = "x".repeat(server.padding);
    let items: Vec<String> = (0..q.per_page)
        .map(|i| (q.page as usize - 1) * q.per_page + i)
        .filter(|n| *n < total)
        .map(|n| format!(r#"{{"id":"f-{n}","severity":"low","description":"{padding}"}}"#))
        .collect();
    let body = format!(
        r#"{{"data":[{}],"meta":{{"total":{total},"page":{},"per_page":{},"total_pages":{}}}}}"#,
        items.join(","),
        q.page,
        q.per_page,
        server.pages
    );
    ([("content-type", "application/json")], body).into_response()
}

async fn serve(pages: u32, failing_page: Option<u32>) -> (String, Arc<Counters>) {
    serve_with(pages, failing_page, PastTheEnd::Empty, None).await
}

async fn serve_with(
    pages: u32,
    failing_page: Option<u32>,
    past_the_end: PastTheEnd,
    hold_page_1_for: Option<usize>,
) -> (String, Arc<Counters>) {
    serve_padded(pages, failing_page, past_the_end, hold_page_1_for, 0).await
}

async fn serve_padded(
    pages: u32,
    failing_page: Option<u32>,
    past_the_end: PastTheEnd,
    hold_page_1_for: Option<usize>,
    padding: usize,
) -> (String, Arc<Counters>) {
    let counters = Arc::new(Counters::default());
    let state = Arc::new(Server {
        counters: counters.clone(),
        pages,
        failing_page,
        past_the_end,
        hold_page_1_for,
        padding,
    });
    let app = Router::new()
        .route("/v1/findings", get(list))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), counters)
}

/// The async walk of every finding at `base_url`, [`PER_PAGE`] a page.
fn walk(base_url: &str) -> s4e::Paginator<s4e::findings::ListFindings> {
    client(base_url)
        .findings()
        .list_auto()
        .per_page(PER_PAGE as u32)
}

fn client(base_url: &str) -> s4e::Client {
    s4e::Client::builder("sk_test_concurrency")
        .base_url(base_url)
        .retries(0)
        .build()
        .unwrap()
}

fn ids(findings: &[s4e::Finding]) -> Vec<String> {
    findings.iter().map(|f| f.id.to_string()).collect()
}

fn expected_ids(count: usize) -> Vec<String> {
    (0..count).map(|n| format!("f-{n}")).collect()
}

#[tokio::test]
async fn items_keep_page_order_and_in_flight_stays_within_k() {
    let (url, counters) = serve(20, None).await;
    let all: Vec<s4e::Finding> = walk(&url).concurrency(4).try_collect().await.unwrap();
    assert_eq!(ids(&all), expected_ids(200));
    assert_eq!(counters.requests.load(Ordering::SeqCst), 20);
    let max = counters.max_in_flight.load(Ordering::SeqCst);
    assert!(max <= 4, "{max} requests were in flight at once");
    assert!(
        max >= 2,
        "pages were fetched one at a time (max in flight {max})"
    );
}

#[tokio::test]
async fn concurrency_one_is_sequential() {
    let (url, counters) = serve(5, None).await;
    let all: Vec<s4e::Finding> = walk(&url).try_collect().await.unwrap();
    assert_eq!(all.len(), 50);
    assert_eq!(counters.max_in_flight.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn dropping_the_stream_stops_further_requests() {
    let (url, counters) = serve(50, None).await;
    let mut stream = walk(&url).concurrency(3);
    // Page 1 and a few items of page 2, then stop.
    for _ in 0..12 {
        stream.next().await.unwrap().unwrap();
    }
    drop(stream);
    // A request sent just before the drop may reach the handler after it
    // (the server's count lags the client); wait until none is in flight,
    // then a while longer, in which a walk that went on would ask for more
    // pages. The count may lag, never exceed page 1 and the 3 ahead.
    let settled = tokio::time::Instant::now() + Duration::from_secs(10);
    while counters.in_flight.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < settled {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(counters.in_flight.load(Ordering::SeqCst), 0);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let seen = counters.requests.load(Ordering::SeqCst);
    assert!(
        seen <= 1 + 3,
        "{seen} requests for 12 items with k = 3: requests went on after the drop"
    );
}

#[tokio::test]
async fn max_items_caps_the_pages_fetched() {
    let (url, counters) = serve(50, None).await;
    let some: Vec<s4e::Finding> = walk(&url)
        .concurrency(8)
        .max_items(25)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&some), expected_ids(25));
    assert_eq!(counters.requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_error_on_page_7_of_10_comes_after_the_items_of_pages_1_to_6() {
    let (url, _counters) = serve(10, Some(7)).await;
    let mut stream = walk(&url).concurrency(4);
    let mut items = Vec::new();
    let error = loop {
        match stream.next().await {
            Some(Ok(item)) => items.push(item),
            Some(Err(e)) => break e,
            None => panic!("the stream ended without the page 7 error"),
        }
    };
    assert_eq!(ids(&items), expected_ids(60));
    assert_eq!(error.status(), Some(500));
    assert!(
        stream.next().await.is_none(),
        "the stream goes on after the error"
    );
}

#[tokio::test]
async fn pages_come_whole_and_in_order() {
    let (url, _counters) = serve(6, None).await;
    let pages: Vec<s4e::Page<s4e::Finding>> = walk(&url)
        .concurrency(3)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let numbers: Vec<u32> = pages.iter().map(|p| p.current_page).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
}

#[test]
fn the_blocking_iterator_is_concurrent_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (url, counters) = runtime.block_on(serve(8, None));
    let client = s4e::blocking::Client::from_async(client(&url)).unwrap();
    let all: Vec<s4e::Finding> = client
        .findings()
        .list_auto()
        .per_page(PER_PAGE as u32)
        .concurrency(4)
        .collect::<s4e::Result<_>>()
        .unwrap();
    assert_eq!(ids(&all), expected_ids(80));
    assert!(counters.max_in_flight.load(Ordering::SeqCst) <= 4);
}

#[tokio::test]
async fn zero_concurrency_is_a_typed_error() {
    let (url, counters) = serve(2, None).await;
    let first = client(&url)
        .findings()
        .list_auto()
        .concurrency(0)
        .next()
        .await
        .unwrap();
    assert!(
        matches!(first, Err(s4e::Error::InvalidRequest(_))),
        "{first:?}"
    );
    assert_eq!(counters.requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_first_k_pages_are_asked_for_before_the_first_answer() {
    // Page 1 is answered only once 8 requests have arrived.
    let (url, counters) = serve_with(30, None, PastTheEnd::Empty, Some(8)).await;
    let all: Vec<s4e::Finding> = walk(&url).concurrency(8).try_collect().await.unwrap();
    assert_eq!(ids(&all), expected_ids(300));
    assert_eq!(
        counters
            .requests_before_page_1_answered
            .load(Ordering::SeqCst),
        8,
        "pages 2 to 8 were not asked for alongside page 1"
    );
    assert_eq!(counters.requests.load(Ordering::SeqCst), 30);
    assert!(counters.max_in_flight.load(Ordering::SeqCst) <= 8);
}

#[tokio::test]
async fn under_max_items_only_the_pages_it_needs_are_asked_for_ahead() {
    let (url, counters) = serve_with(30, None, PastTheEnd::Empty, Some(2)).await;
    let some: Vec<s4e::Finding> = walk(&url)
        .concurrency(8)
        .max_items(15)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&some), expected_ids(15));
    assert_eq!(
        counters
            .requests_before_page_1_answered
            .load(Ordering::SeqCst),
        2,
        "page 2 was not asked for alongside page 1"
    );
    assert_eq!(counters.requests.load(Ordering::SeqCst), 2);
    assert_eq!(counters.highest_page.load(Ordering::SeqCst), 2);
}

/// Walks a list of `pages` pages at concurrency 8 on the async client.
async fn walk_short_list(pages: u32, past_the_end: PastTheEnd) -> (Vec<String>, Arc<Counters>) {
    let (url, counters) = serve_with(pages, None, past_the_end, None).await;
    let all: Vec<s4e::Finding> = walk(&url)
        .concurrency(8)
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{pages} pages, {past_the_end:?} past the end: {e:?}"));
    (ids(&all), counters)
}

#[tokio::test]
async fn a_list_shorter_than_k_pages_yields_its_items_and_nothing_past_the_end() {
    for past_the_end in [
        PastTheEnd::Empty,
        PastTheEnd::Ghosts,
        PastTheEnd::Status(404),
        PastTheEnd::Status(422),
        PastTheEnd::Status(500),
    ] {
        let (ids, counters) = walk_short_list(3, past_the_end).await;
        assert_eq!(ids, expected_ids(30), "{past_the_end:?} past the end");
        // Pages 1 to 8 at most: only the first round goes past the end.
        let highest = counters.highest_page.load(Ordering::SeqCst);
        assert!(highest <= 8, "page {highest} was asked for");
        assert!(counters.requests.load(Ordering::SeqCst) <= 8);
    }
}

#[tokio::test]
async fn an_empty_list_yields_nothing_at_any_concurrency() {
    for past_the_end in [
        PastTheEnd::Empty,
        PastTheEnd::Ghosts,
        PastTheEnd::Status(404),
    ] {
        let (ids, counters) = walk_short_list(0, past_the_end).await;
        assert!(ids.is_empty(), "{past_the_end:?}: {ids:?}");
        assert!(counters.requests.load(Ordering::SeqCst) <= 8);
    }
}

#[tokio::test]
async fn an_error_on_a_page_that_exists_is_not_masked_by_the_speculation() {
    // Page 2 of 3 fails while pages past the end answer 404.
    let (url, _counters) = serve_with(3, Some(2), PastTheEnd::Status(404), None).await;
    let items: Vec<s4e::Result<s4e::Finding>> = walk(&url).concurrency(8).collect().await;
    assert_eq!(items.len(), PER_PAGE + 1, "{items:?}");
    let error = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(error.status(), Some(500), "{error:?}");
}

#[test]
fn the_blocking_iterator_discards_what_lies_past_the_end_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (url, counters) = runtime.block_on(serve_with(2, None, PastTheEnd::Ghosts, None));
    let client = s4e::blocking::Client::from_async(client(&url)).unwrap();
    let all: Vec<s4e::Finding> = client
        .findings()
        .list_auto()
        .per_page(PER_PAGE as u32)
        .concurrency(8)
        .collect::<s4e::Result<_>>()
        .unwrap();
    assert_eq!(ids(&all), expected_ids(20));
    assert!(counters.highest_page.load(Ordering::SeqCst) <= 8);
}

/// A caller that works longer than the request timeout between two items,
/// over pages of 5 MiB, more than the sockets buffer, the later ones sent
/// while the caller works: they are read meanwhile (by the blocking client's
/// helper thread), so none of them times out when the caller comes back.
/// Without that, the rest of their bodies would be read only then, after
/// their timeout.
#[test]
fn the_blocking_iterator_s_pages_in_flight_progress_while_the_caller_works() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let padding = 512 * 1024;
    let (url, _counters) =
        runtime.block_on(serve_padded(3, None, PastTheEnd::Empty, None, padding));
    let client = s4e::blocking::Client::builder("sk_test_concurrency")
        .base_url(url)
        .retries(0)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let mut walk = client
        .findings()
        .list_auto()
        .per_page(PER_PAGE as u32)
        .concurrency(3);
    let first = walk.next().unwrap().unwrap();
    // Pages 2 and 3 are in flight.
    std::thread::sleep(Duration::from_secs(3));
    let mut ids = vec![first.id.to_string()];
    for item in walk {
        ids.push(item.expect("no page times out").id.to_string());
    }
    assert_eq!(ids, expected_ids(30));
}
