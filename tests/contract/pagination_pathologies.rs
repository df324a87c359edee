//! Auto-pagination against servers whose pages make no sense, and against a
//! list that changes while it is walked: every walk ends, with the right
//! error, after a bounded number of requests, on both clients, one page at a
//! time and eight at once (issue "Hardening", section 1).
//!
//! The server is a small axum app (one per walk) that answers
//! `GET /v1/findings?page=&per_page=` according to a [`Pathology`] and counts
//! the requests, the highest page asked for and the requests in flight. Each
//! test runs [`walk`] for the four combinations of client and concurrency;
//! the async walks run on a runtime of their own, the blocking ones on the
//! test thread outside any runtime, as a user's program would.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use futures_util::StreamExt;
use s4e::{Error, PaginationError};
use serde_json::{Value, json};

/// Items per page in every walk here.
const PER_PAGE: u32 = 5;

/// A stop for a walk that would not end: far beyond every bound tested.
const ITEM_CAP: usize = 50_000;

/// What the server does with a page request.
#[derive(Clone, Copy, Debug)]
enum Pathology {
    /// The very same body for every request: page 1's items and
    /// `meta.page = 1`, announcing 200 pages.
    SamePage,
    /// The same items for every page and no `meta` at all (a server that
    /// ignores `page`).
    IgnoresPage,
    /// The same items for every page, with `meta.page` echoing the page asked
    /// for and 200 pages announced.
    EchoesPage,
    /// Distinct items on every page and `total_pages` of a billion.
    BillionPages,
    /// Distinct items on every page and a `total` too large for any page
    /// count (`10^15`), without `total_pages`.
    HugeTotal,
    /// Distinct full pages forever, without `meta`.
    EndlessWithoutMeta,
    /// A list of 200 items (40 pages) that changes before each page is read;
    /// see [`list_at`].
    Changing { removals_behind: bool },
}

#[derive(Default)]
struct Counters {
    requests: AtomicUsize,
    highest_page: AtomicU32,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

struct Server {
    pathology: Pathology,
    counters: Counters,
}

#[derive(serde::Deserialize)]
struct PageQuery {
    page: u32,
    per_page: u32,
}

fn finding(n: u64) -> Value {
    json!({ "id": format!("f-{n}"), "title": format!("finding {n}"), "severity": "low" })
}

/// Page `page` of an endless list of distinct items.
fn distinct(page: u32, per_page: u32) -> Vec<Value> {
    let first = u64::from(page - 1) * u64::from(per_page);
    (first..first + u64::from(per_page)).map(finding).collect()
}

/// The changing list as page `page` reads it: it starts as ids 1000..1200
/// (40 pages) and before page `n` (from 2 on) is read, one new item is
/// inserted at the front (pushing the last item of page `n - 1` onto page
/// `n`), every fourth page one is appended at the end, and one item is
/// removed ahead of the walk (just after page `n`), or, with
/// `removals_behind`, two at the front (pulling the first item of page `n`
/// back onto page `n - 1`).
///
/// A function of the page number, not of time, so that every page sees the
/// list as a walk reading the pages in order would, at any concurrency, and
/// a repeated request gets the same answer. Returns the list and the ids
/// removed so far.
fn list_at(page: u32, removals_behind: bool) -> (Vec<u64>, Vec<u64>) {
    let per_page = PER_PAGE as usize;
    let mut list: Vec<u64> = (1000..1200).collect();
    let mut removed = Vec::new();
    for n in 2..=page as usize {
        let fresh = 2000 + 10 * n as u64;
        list.insert(0, fresh);
        if n % 4 == 0 {
            list.push(fresh + 2);
        }
        if removals_behind {
            removed.extend(list.drain(0..2));
        } else if n * per_page + 1 < list.len() {
            removed.push(list.remove(n * per_page + 1));
        }
    }
    (list, removed)
}

async fn list(State(server): State<Arc<Server>>, Query(q): Query<PageQuery>) -> Response {
    let counters = &server.counters;
    counters.requests.fetch_add(1, Ordering::SeqCst);
    counters.highest_page.fetch_max(q.page, Ordering::SeqCst);
    let now = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    counters.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::task::yield_now().await;
    counters.in_flight.fetch_sub(1, Ordering::SeqCst);
    let (page, per_page) = (q.page, q.per_page);
    let body = match server.pathology {
        Pathology::SamePage => json!({
            "data": distinct(1, per_page),
            "meta": { "page": 1, "per_page": per_page, "total": 1000, "total_pages": 200 },
        }),
        Pathology::IgnoresPage => json!({ "data": distinct(1, per_page) }),
        Pathology::EchoesPage => json!({
            "data": distinct(1, per_page),
            "meta": { "page": page, "per_page": per_page, "total": 1000, "total_pages": 200 },
        }),
        Pathology::BillionPages => json!({
            "data": distinct(page, per_page),
            "meta": {
                "page": page,
                "per_page": per_page,
                "total": 5_000_000_000_u64,
                "total_pages": 1_000_000_000,
            },
        }),
        Pathology::HugeTotal => json!({
            "data": distinct(page, per_page),
            "meta": { "page": page, "per_page": per_page, "total": 1_000_000_000_000_000_u64 },
        }),
        Pathology::EndlessWithoutMeta => json!({ "data": distinct(page, per_page) }),
        Pathology::Changing { removals_behind } => {
            let (list, _) = list_at(page, removals_behind);
            let from = ((page - 1) * per_page) as usize;
            let items: Vec<Value> = list
                .iter()
                .skip(from)
                .take(per_page as usize)
                .map(|n| finding(*n))
                .collect();
            json!({
                "data": items,
                "meta": {
                    "page": page,
                    "per_page": per_page,
                    "total": list.len(),
                    "total_pages": list.len().div_ceil(per_page as usize),
                },
            })
        }
    };
    Json(body).into_response()
}

async fn serve(pathology: Pathology) -> (String, Arc<Server>) {
    let server = Arc::new(Server {
        pathology,
        counters: Counters::default(),
    });
    let app = Router::new()
        .route("/v1/findings", get(list))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), server)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Async,
    Blocking,
}

/// How one walk went.
#[derive(Debug)]
struct Outcome {
    ids: Vec<String>,
    /// The error that ended the walk, if any.
    error: Option<Error>,
    requests: usize,
    highest_page: u32,
    max_in_flight: usize,
}

impl Outcome {
    fn pagination_error(&self) -> &PaginationError {
        match &self.error {
            Some(Error::Pagination(e)) => e,
            other => panic!("expected Error::Pagination, got {other:?} ({self:?})"),
        }
    }

    fn has_no_duplicates(&self) -> bool {
        let mut sorted = self.ids.clone();
        sorted.sort();
        sorted.dedup();
        sorted.len() == self.ids.len()
    }
}

/// Everything one item stream yields: the items until the first error, the
/// error, and a check that nothing follows it.
struct Collector {
    ids: Vec<String>,
    error: Option<Error>,
    ended: bool,
}

impl Collector {
    fn new() -> Self {
        Collector {
            ids: Vec::new(),
            error: None,
            ended: false,
        }
    }

    /// Takes the next item; `false` once the walk is over.
    fn take(&mut self, item: Option<s4e::Result<s4e::Finding>>) -> bool {
        match item {
            _ if self.error.is_some() => {
                assert!(item.is_none(), "the stream went on after its error");
                self.ended = true;
                false
            }
            Some(Ok(finding)) => {
                self.ids.push(finding.id.to_string());
                assert!(self.ids.len() <= ITEM_CAP, "the walk does not end");
                true
            }
            Some(Err(e)) => {
                self.error = Some(e);
                true
            }
            None => {
                self.ended = true;
                false
            }
        }
    }
}

/// Walks the findings list of a fresh server misbehaving as `pathology`, on
/// the `kind` client with `concurrency` and, when given, `max_pages`.
fn walk(pathology: Pathology, kind: Kind, concurrency: usize, max_pages: Option<u32>) -> Outcome {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (url, server) = runtime.block_on(serve(pathology));
    let client = s4e::Client::builder("sk_test_pathologies")
        .base_url(url)
        .retries(0)
        .build()
        .unwrap();
    let mut collector = Collector::new();
    match kind {
        Kind::Async => runtime.block_on(async {
            let mut items = client
                .findings()
                .list_auto()
                .per_page(PER_PAGE)
                .concurrency(concurrency);
            if let Some(max) = max_pages {
                items = items.max_pages(max);
            }
            let all = async { while collector.take(items.next().await) {} };
            tokio::time::timeout(Duration::from_secs(60), all)
                .await
                .expect("the walk ends in time");
        }),
        Kind::Blocking => {
            let client = s4e::blocking::Client::from_async(client).unwrap();
            let mut items = client
                .findings()
                .list_auto()
                .per_page(PER_PAGE)
                .concurrency(concurrency);
            if let Some(max) = max_pages {
                items = items.max_pages(max);
            }
            while collector.take(items.next()) {}
        }
    }
    assert!(collector.ended);
    let counters = &server.counters;
    Outcome {
        ids: collector.ids,
        error: collector.error,
        requests: counters.requests.load(Ordering::SeqCst),
        highest_page: counters.highest_page.load(Ordering::SeqCst),
        max_in_flight: counters.max_in_flight.load(Ordering::SeqCst),
    }
}

/// The four combinations every pathology is tried with.
const COMBINATIONS: [(Kind, usize); 4] = [
    (Kind::Async, 1),
    (Kind::Async, 8),
    (Kind::Blocking, 1),
    (Kind::Blocking, 8),
];

/// `f-0` .. `f-<count - 1>`.
fn first_ids(count: usize) -> Vec<String> {
    (0..count).map(|n| format!("f-{n}")).collect()
}

#[test]
fn a_server_repeating_the_same_page_is_a_page_mismatch() {
    for (kind, k) in COMBINATIONS {
        let out = walk(Pathology::SamePage, kind, k, None);
        let context = format!("{kind:?} k={k}: {out:?}");
        assert_eq!(out.ids, first_ids(5), "{context}");
        assert_eq!(
            out.pagination_error(),
            &PaginationError::PageMismatch {
                requested: 2,
                answered: 1
            },
            "{context}"
        );
        // At most k pages in flight: the first k at once, then one more as
        // each is taken; page 2 ends the walk.
        assert!(out.requests <= 1 + k, "{context}");
        assert!(out.max_in_flight <= k, "{context}");
    }
}

#[test]
fn a_server_ignoring_page_without_meta_makes_no_progress() {
    for (kind, k) in COMBINATIONS {
        let out = walk(Pathology::IgnoresPage, kind, k, None);
        let context = format!("{kind:?} k={k}: {out:?}");
        assert_eq!(out.ids, first_ids(5), "{context}");
        assert_eq!(
            out.pagination_error(),
            &PaginationError::NoProgress { page: 2 },
            "{context}"
        );
        // Without a page count nothing is fetched ahead of need after page
        // 1; above concurrency 1, the first k pages were asked for at once.
        if k == 1 {
            assert_eq!(out.requests, 2, "{context}");
        } else {
            assert!((2..=k).contains(&out.requests), "{context}");
        }
    }
}

#[test]
fn a_server_echoing_the_page_number_with_the_same_items_makes_no_progress() {
    for (kind, k) in COMBINATIONS {
        let out = walk(Pathology::EchoesPage, kind, k, None);
        let context = format!("{kind:?} k={k}: {out:?}");
        assert_eq!(out.ids, first_ids(5), "{context}");
        assert_eq!(
            out.pagination_error(),
            &PaginationError::NoProgress { page: 2 },
            "{context}"
        );
        assert!(out.requests <= 1 + k, "{context}");
        assert!(out.highest_page <= 1 + k as u32, "{context}");
    }
}

#[test]
fn a_billion_pages_stop_at_max_pages_with_too_many_pages() {
    for (kind, k) in COMBINATIONS {
        let out = walk(Pathology::BillionPages, kind, k, Some(40));
        let context = format!("{kind:?} k={k}: {out:?}");
        assert_eq!(out.ids, first_ids(40 * PER_PAGE as usize), "{context}");
        assert_eq!(
            out.pagination_error(),
            &PaginationError::TooManyPages { limit: 40 },
            "{context}"
        );
        // Not one page beyond the bound is requested, even eight at a time.
        assert_eq!(out.requests, 40, "{context}");
        assert_eq!(out.highest_page, 40, "{context}");
        assert!(out.max_in_flight <= k, "{context}");
    }
}

#[test]
fn a_total_too_large_for_any_page_count_stops_at_max_pages() {
    for (kind, k) in COMBINATIONS {
        let out = walk(Pathology::HugeTotal, kind, k, Some(30));
        let context = format!("{kind:?} k={k}: {out:?}");
        assert_eq!(out.ids, first_ids(30 * PER_PAGE as usize), "{context}");
        assert_eq!(
            out.pagination_error(),
            &PaginationError::TooManyPages { limit: 30 },
            "{context}"
        );
        assert_eq!(out.requests, 30, "{context}");
    }
}

#[test]
fn endless_pages_without_meta_stop_at_max_pages() {
    for (kind, k) in COMBINATIONS {
        let out = walk(Pathology::EndlessWithoutMeta, kind, k, Some(25));
        let context = format!("{kind:?} k={k}: {out:?}");
        assert_eq!(out.ids, first_ids(25 * PER_PAGE as usize), "{context}");
        assert_eq!(
            out.pagination_error(),
            &PaginationError::TooManyPages { limit: 25 },
            "{context}"
        );
        assert_eq!(out.requests, 25, "{context}");
    }
}

/// The ids of the changing list that no page removed: present for the whole
/// walk.
fn present_throughout(last_page: u32, removals_behind: bool) -> Vec<String> {
    let (_, removed) = list_at(last_page, removals_behind);
    (1000..1200)
        .filter(|n| !removed.contains(n))
        .map(|n| format!("f-{n}"))
        .collect()
}

/// Every id the changing list ever held up to `last_page`.
fn ever_listed(last_page: u32) -> Vec<String> {
    let mut ids: Vec<u64> = (1000..1200).collect();
    for n in 2..=u64::from(last_page) {
        let fresh = 2000 + 10 * n;
        ids.extend([fresh, fresh + 2]);
    }
    ids.into_iter().map(|n| format!("f-{n}")).collect()
}

#[test]
fn a_list_that_grows_and_shrinks_while_walked_ends_without_error_or_duplicates() {
    let pathology = Pathology::Changing {
        removals_behind: false,
    };
    for (kind, k) in COMBINATIONS {
        let out = walk(pathology, kind, k, None);
        let context = format!("{kind:?} k={k}: {out:?}");
        assert!(out.error.is_none(), "{context}");
        assert!(out.has_no_duplicates(), "{context}");
        let ever = ever_listed(out.highest_page);
        assert!(out.ids.iter().all(|id| ever.contains(id)), "{context}");
        for id in present_throughout(out.highest_page, false) {
            assert!(out.ids.contains(&id), "{id} was missed; {context}");
        }
        // 40 pages announced, plus the margin of 4; the list grew by about
        // ten items, so the walk needs two or three pages of it.
        assert!((41..=44).contains(&out.requests), "{context}");
        assert!(out.highest_page <= 44, "{context}");
    }
}

#[test]
fn removals_behind_the_walk_can_hide_items_as_documented_but_never_repeat_or_fail() {
    let pathology = Pathology::Changing {
        removals_behind: true,
    };
    for (kind, k) in COMBINATIONS {
        let out = walk(pathology, kind, k, None);
        let context = format!("{kind:?} k={k}: {out:?}");
        assert!(out.error.is_none(), "{context}");
        assert!(out.has_no_duplicates(), "{context}");
        // Two removals and one insert at the front pull one item back onto a
        // page already read: at most one item missed per page after the
        // first.
        let missed = present_throughout(out.highest_page, true)
            .into_iter()
            .filter(|id| !out.ids.contains(id))
            .count();
        assert!(
            missed < out.highest_page as usize,
            "{missed} missed; {context}"
        );
        assert!(out.requests <= 44, "{context}");
    }
}
