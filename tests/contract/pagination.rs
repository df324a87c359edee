//! Auto-pagination: which pages are fetched, in what order, and when it stops
//! (`docs/API.md` 2).

use futures_util::{StreamExt, TryStreamExt};
use s4e::findings::ListFindings;
use s4e::{Error, Finding, Paginator, Severity};
use serde_json::json;
use wiremock::matchers::{query_param, query_param_is_missing};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::{self, MountExpecting, ids, page_response};

fn id_list(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.id.to_string()).collect()
}

/// Mounts page `page` (with `per_page` 2 asked) answering `response`, once.
async fn mount_page(server: &MockServer, page: u32, response: ResponseTemplate) {
    support::route("GET", "/v1/findings")
        .and(query_param("page", page.to_string()))
        .and(query_param("per_page", "2"))
        .respond_with(response)
        .expect(1)
        .named(format!("page {page}"))
        .mount(server)
        .await;
}

fn meta(page: u32, total: u64, total_pages: Option<u32>) -> Option<serde_json::Value> {
    let mut meta = json!({ "total": total, "page": page, "per_page": 2 });
    if let Some(pages) = total_pages {
        meta["total_pages"] = json!(pages);
    }
    Some(meta)
}

/// Three pages of two: `f-1` .. `f-6`, announced with `total_pages`.
async fn three_full_pages(server: &MockServer) {
    mount_page(server, 1, page_response(&ids(1, 2), meta(1, 6, Some(3)))).await;
    mount_page(server, 2, page_response(&ids(3, 4), meta(2, 6, Some(3)))).await;
    mount_page(server, 3, page_response(&ids(5, 6), meta(3, 6, Some(3)))).await;
}

/// A walk at 2 a page over mocked pages `(page, items, meta)`, each asked
/// for exactly once; `configure` sets the walk's other options; the walk must
/// yield `expected`.
async fn walk_pages(
    pages: Vec<(u32, Vec<String>, Option<serde_json::Value>)>,
    configure: impl FnOnce(Paginator<ListFindings>) -> Paginator<ListFindings>,
    expected: Vec<String>,
) {
    assert!(!pages.is_empty(), "a walk case mocks a page");
    let server = support::start().await;
    for (page, items, meta) in pages {
        mount_page(&server, page, page_response(&items, meta)).await;
    }
    let walk = walk(&server).per_page(2);
    let all: Vec<Finding> = configure(walk)
        .try_collect()
        .await
        .expect("every page loads");
    assert_eq!(id_list(&all), expected);
}

/// One test per walk case: which pages are asked for, and what ends the walk.
macro_rules! walk_cases {
    ($($name:ident: $pages:expr, |$walk:ident| $configure:expr => $expected:expr;)+) => {
        $(
            #[tokio::test]
            async fn $name() {
                walk_pages($pages, |$walk| $configure, $expected).await;
            }
        )+
    };
}

/// A page's `meta` without a total.
fn no_total(page: u32) -> Option<serde_json::Value> {
    Some(json!({ "page": page, "per_page": 2 }))
}

walk_cases! {
    three_pages_in_order_with_one_request_each: vec![
        (1, ids(1, 2), meta(1, 6, Some(3))),
        (2, ids(3, 4), meta(2, 6, Some(3))),
        (3, ids(5, 6), meta(3, 6, Some(3))),
    ], |walk| walk => ids(1, 6);
    without_total_pages_the_total_ends_the_list: vec![
        (1, ids(1, 2), meta(1, 5, None)),
        (2, ids(3, 4), meta(2, 5, None)),
        (3, ids(5, 5), meta(3, 5, None)),
    ], |walk| walk => ids(1, 5);
    an_exact_total_stops_without_an_extra_request: vec![
        (1, ids(1, 2), meta(1, 4, None)),
        (2, ids(3, 4), meta(2, 4, None)),
    ], |walk| walk => ids(1, 4);
    an_empty_page_ends_the_list: vec![
        (1, ids(1, 2), no_total(1)),
        (2, Vec::new(), no_total(2)),
    ], |walk| walk => ids(1, 2);
    without_meta_a_short_page_ends_the_list: vec![
        (1, ids(1, 2), None),
        (2, ids(3, 3), None),
    ], |walk| walk => ids(1, 3);
    max_items_fetches_no_page_beyond: vec![
        (1, ids(1, 2), meta(1, 6, Some(3))),
        (2, ids(3, 4), meta(2, 6, Some(3))),
    ], |walk| walk.max_items(3) => ids(1, 3);
    page_starts_the_walk_there: vec![
        (3, ids(5, 6), meta(3, 6, Some(3))),
    ], |walk| walk.page(3) => ids(5, 6);
}

#[tokio::test]
async fn filters_are_sent_with_every_page() {
    let server = support::start().await;
    for page in 1..=2u32 {
        let response = if page == 1 {
            page_response(&ids(1, 2), meta(1, 3, None))
        } else {
            page_response(&ids(3, 3), meta(2, 3, None))
        };
        support::route("GET", "/v1/findings")
            .and(query_param("page", page.to_string()))
            .and(query_param("per_page", "2"))
            .and(query_param("severity", "critical,high"))
            .and(query_param("search", "tls"))
            .respond_with(response)
            .mount_expecting(&server, 1)
            .await;
    }

    let all: Vec<Finding> = walk(&server)
        .severity([Severity::Critical, Severity::High])
        .search("tls")
        .per_page(2)
        .try_collect()
        .await
        .expect("both pages load");
    assert_eq!(id_list(&all), ids(1, 3));
}

#[tokio::test]
async fn taking_a_few_items_fetches_one_page() {
    let server = support::start().await;
    support::route("GET", "/v1/findings")
        .and(query_param("page", "1"))
        .and(query_param_is_missing("per_page"))
        .respond_with(page_response(
            &ids(1, 20),
            Some(json!({ "total": 100, "page": 1, "per_page": 20, "total_pages": 5 })),
        ))
        .mount_expecting(&server, 1)
        .await;

    let first: Vec<Finding> = walk(&server)
        .take(5)
        .try_collect()
        .await
        .expect("the first page loads");
    assert_eq!(id_list(&first), ids(1, 5));
}

#[tokio::test]
async fn pages_yields_whole_pages() {
    let server = support::start().await;
    three_full_pages(&server).await;

    let pages: Vec<s4e::Page<Finding>> = walk(&server)
        .per_page(2)
        .pages()
        .try_collect()
        .await
        .expect("every page loads");
    assert_eq!(pages.len(), 3);
    for (n, page) in pages.iter().enumerate() {
        let number = n as u32 + 1;
        assert_eq!(page.current_page, number);
        assert_eq!(page.last_page, Some(3));
        assert_eq!(page.total, Some(6));
        assert_eq!(page.per_page, 2);
        assert_eq!(page.items.len(), 2);
    }
    assert_eq!(pages[2].items[1].id, "f-6");
}

#[tokio::test]
async fn an_error_ends_the_stream_after_the_items_before_it() {
    let server = support::start().await;
    mount_page(&server, 1, page_response(&ids(1, 2), meta(1, 6, Some(3)))).await;
    mount_page(
        &server,
        2,
        support::error_body(404, "not_found", "page 2 vanished"),
    )
    .await;

    let mut stream = walk(&server).per_page(2);
    let mut seen = Vec::new();
    while let Some(item) = stream.next().await {
        seen.push(item);
    }
    assert_eq!(seen.len(), 3, "two items, then the error, then the end");
    assert_eq!(seen[0].as_ref().unwrap().id, "f-1");
    assert_eq!(seen[1].as_ref().unwrap().id, "f-2");
    match &seen[2] {
        Err(err @ Error::NotFound(_)) => assert_eq!(err.message(), "page 2 vanished"),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn a_transient_error_on_a_page_is_retried() {
    let server = support::start().await;
    mount_page(&server, 1, page_response(&ids(1, 2), meta(1, 4, None))).await;
    support::route("GET", "/v1/findings")
        .and(query_param("page", "2"))
        .respond_with(support::sequence([
            support::error_body(503, "unavailable", "try again"),
            page_response(&ids(3, 4), meta(2, 4, None)),
        ]))
        .mount_expecting(&server, 2)
        .await;

    let all: Vec<Finding> = walk(&server)
        .per_page(2)
        .try_collect()
        .await
        .expect("the retried page loads");
    assert_eq!(id_list(&all), ids(1, 4));
}

#[tokio::test]
async fn an_invalid_per_page_is_an_error_item_and_nothing_is_sent() {
    let server = support::start().await;
    let mut stream = walk(&server).per_page(500);
    let first = stream.next().await.expect("the error is an item");
    assert!(matches!(first, Err(Error::InvalidRequest(_))), "{first:?}");
    assert!(stream.next().await.is_none());
    assert!(support::received(&server).await.is_empty());
}

#[tokio::test]
async fn paginate_a_declared_endpoint() {
    let server = support::start().await;
    support::route("GET", "/v1/findings")
        .and(query_param("page", "1"))
        .and(query_param("status", "open"))
        .respond_with(page_response(
            &ids(1, 3),
            Some(json!({ "total": 3, "page": 1, "per_page": 20, "total_pages": 1 })),
        ))
        .mount_expecting(&server, 1)
        .await;

    let all: Vec<Finding> = support::client(&server)
        .paginate(ListFindings::default().status(s4e::FindingStatus::Open))
        .try_collect()
        .await
        .expect("one page loads");
    assert_eq!(id_list(&all), ids(1, 3));
}

/// Answers every page request with the same two findings, `meta.page`
/// echoing the page asked for, and announcing 50 pages.
async fn mount_echoing_pages(server: &MockServer) {
    support::route("GET", "/v1/findings")
        .respond_with(|request: &wiremock::Request| {
            let page: u32 = request
                .url
                .query_pairs()
                .find(|(key, _)| key == "page")
                .and_then(|(_, value)| value.parse().ok())
                .expect("a page number");
            page_response(
                &ids(1, 2),
                Some(json!({ "total": 100, "page": page, "per_page": 2, "total_pages": 50 })),
            )
        })
        .mount(server)
        .await;
}

#[tokio::test]
async fn pages_are_checked_like_items() {
    let server = support::start().await;
    mount_echoing_pages(&server).await;

    let mut pages = walk(&server).per_page(2).pages();
    let first = pages.next().await.expect("page 1").expect("page 1 loads");
    assert_eq!(first.items.len(), 2);
    let second = pages.next().await.expect("an error item");
    assert!(
        matches!(
            second,
            Err(Error::Pagination(s4e::PaginationError::NoProgress {
                page: 2
            }))
        ),
        "{second:?}"
    );
    assert!(pages.next().await.is_none());
    assert_eq!(support::received(&server).await.len(), 2);
}

#[tokio::test]
async fn a_shifted_item_is_yielded_once_and_pages_keep_it() {
    let server = support::start().await;
    // An insert between the requests pushed f-2 onto page 2.
    mount_page(&server, 1, page_response(&ids(1, 2), meta(1, 5, Some(3)))).await;
    mount_page(&server, 2, page_response(&ids(2, 3), meta(2, 5, Some(3)))).await;
    mount_page(&server, 3, page_response(&ids(4, 5), meta(3, 5, Some(3)))).await;
    let client = support::client(&server);

    let all: Vec<Finding> = client
        .findings()
        .list_auto()
        .per_page(2)
        .try_collect()
        .await
        .expect("an overlap is not an error");
    assert_eq!(id_list(&all), ids(1, 5));

    server.reset().await;
    support::mount_catch_all(&server).await;
    mount_page(&server, 1, page_response(&ids(1, 2), meta(1, 5, Some(3)))).await;
    mount_page(&server, 2, page_response(&ids(2, 3), meta(2, 5, Some(3)))).await;
    mount_page(&server, 3, page_response(&ids(4, 5), meta(3, 5, Some(3)))).await;
    let pages: Vec<s4e::Page<Finding>> = client
        .findings()
        .list_auto()
        .per_page(2)
        .pages()
        .try_collect()
        .await
        .expect("an overlap is not an error");
    let per_page: Vec<Vec<String>> = pages.iter().map(|p| id_list(&p.items)).collect();
    assert_eq!(per_page, [ids(1, 2), ids(2, 3), ids(4, 5)]);
}

#[tokio::test]
async fn zero_max_pages_is_a_typed_error_and_nothing_is_sent() {
    let server = support::start().await;
    let mut stream = walk(&server).max_pages(0);
    let first = stream.next().await.expect("the error is an item");
    assert!(matches!(first, Err(Error::InvalidRequest(_))), "{first:?}");
    assert!(stream.next().await.is_none());
    assert!(support::received(&server).await.is_empty());
}

/// A finding as a user's own model, without an identity.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct BareFinding {
    id: String,
}

/// `GET /findings` declared in a user's crate, over items without identity.
#[s4e::endpoint(GET, "/findings", paginated, response = BareFinding)]
#[derive(Default)]
pub(crate) struct ListBareFindings {}

/// The same list over a user's model that implements `Identified`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct KeyedFinding {
    id: String,
}

impl s4e::Identified for KeyedFinding {
    fn identity(&self) -> impl std::hash::Hash {
        &self.id
    }
}

/// `GET /findings` over [`KeyedFinding`].
#[s4e::endpoint(GET, "/findings", paginated, response = KeyedFinding)]
#[derive(Default)]
pub(crate) struct ListKeyedFindings {}

#[tokio::test]
async fn a_user_list_with_identified_items_gets_the_progress_check() {
    let server = support::start().await;
    mount_echoing_pages(&server).await;

    let mut stream = support::client(&server).paginate(ListKeyedFindings::default());
    let mut seen = Vec::new();
    while let Some(item) = stream.next().await {
        seen.push(item.map(|f| f.id));
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(matches!(
        seen[2],
        Err(Error::Pagination(s4e::PaginationError::NoProgress {
            page: 2
        }))
    ));
    assert_eq!(support::received(&server).await.len(), 2);
}

#[tokio::test]
async fn a_user_list_without_identity_is_still_bounded() {
    let server = support::start().await;
    mount_echoing_pages(&server).await;

    let mut stream = support::client(&server)
        .paginate(ListBareFindings::default())
        .max_pages(6);
    let mut items = Vec::new();
    let error = loop {
        match stream.next().await.expect("the walk ends with an error") {
            Ok(finding) => items.push(finding.id),
            Err(e) => break e,
        }
    };
    // Without identity the repeats cannot be told apart: they are yielded,
    // and the bound ends the walk.
    assert_eq!(
        items,
        ids(1, 2)
            .iter()
            .cycle()
            .take(12)
            .cloned()
            .collect::<Vec<_>>()
    );
    assert!(
        matches!(
            error,
            Error::Pagination(s4e::PaginationError::TooManyPages { limit: 6 })
        ),
        "{error:?}"
    );
    assert!(stream.next().await.is_none());
    assert_eq!(support::received(&server).await.len(), 6);
}

#[tokio::test]
async fn a_server_announcing_fewer_pages_than_it_serves_is_cut_after_the_margin() {
    let server = support::start().await;
    // 3 pages announced, then full pages of new findings that keep
    // announcing more: 3 + 2 pages may be fetched, then the error.
    for page in 1..=5u32 {
        let total_pages = if page == 1 { 3 } else { 100 };
        let first = (page as usize - 1) * 2 + 1;
        mount_page(
            &server,
            page,
            page_response(&ids(first, first + 1), meta(page, 200, Some(total_pages))),
        )
        .await;
    }

    let mut stream = walk(&server).per_page(2);
    let mut items = Vec::new();
    let error = loop {
        match stream.next().await.expect("the walk ends with an error") {
            Ok(finding) => items.push(finding),
            Err(e) => break e,
        }
    };
    assert_eq!(id_list(&items), ids(1, 10));
    assert!(
        matches!(
            error,
            Error::Pagination(s4e::PaginationError::TooManyPages { limit: 5 })
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_last_possible_page_number_ends_the_walk_without_overflow() {
    let server = support::start().await;
    let last = u32::MAX;
    mount_page(
        &server,
        last,
        page_response(&ids(1, 2), Some(json!({ "page": last, "per_page": 2 }))),
    )
    .await;

    let all: Vec<Finding> = walk(&server)
        .per_page(2)
        .page(last)
        .concurrency(8)
        .try_collect()
        .await
        .expect("the page loads");
    assert_eq!(id_list(&all), ids(1, 2));
}

/// A server with [`three_full_pages`], each expected once, and its client.
async fn three_pages() -> (MockServer, s4e::Client) {
    let server = support::start().await;
    three_full_pages(&server).await;
    let client = support::client(&server);
    (server, client)
}

/// Pages 1 and 2 of three; page 3 is not mounted, so asking for it fails
/// (the catch-all answers 500).
async fn two_of_three_pages() -> (MockServer, s4e::Client) {
    let server = support::start().await;
    mount_page(&server, 1, page_response(&ids(1, 2), meta(1, 6, Some(3)))).await;
    mount_page(&server, 2, page_response(&ids(3, 4), meta(2, 6, Some(3)))).await;
    let client = support::client(&server);
    (server, client)
}

/// `try_next` and `try_collect` are inherent: no `futures_util` import here.
mod without_futures_util {
    use s4e::{Finding, Page};

    use super::{id_list, three_pages};
    use crate::support::ids;

    #[tokio::test]
    async fn items_and_pages_need_no_trait_import() {
        let (_server, client) = three_pages().await;
        let mut walk = client.findings().list_auto().per_page(2);
        let mut seen = Vec::new();
        while let Some(finding) = walk.try_next().await.expect("every page loads") {
            seen.push(finding);
        }
        assert_eq!(id_list(&seen), ids(1, 6));
        assert!(walk.try_next().await.expect("ended").is_none());

        let (_server, client) = three_pages().await;
        // Any collection that is `Default + Extend`, like `TryStreamExt::try_collect`.
        let mut deque: std::collections::VecDeque<Finding> = client
            .findings()
            .list_auto()
            .per_page(2)
            .try_collect()
            .await
            .expect("every page loads");
        assert_eq!(id_list(deque.make_contiguous()), ids(1, 6));

        let (_server, client) = three_pages().await;
        let mut pages = client.findings().list_auto().per_page(2).pages();
        let first = pages.try_next().await.expect("page 1").expect("a page");
        assert_eq!(first.current_page, 1);
        let rest: Vec<Page<Finding>> = pages.try_collect().await.expect("pages 2 and 3");
        let numbers: Vec<u32> = rest.iter().map(|p| p.current_page).collect();
        assert_eq!(numbers, [2, 3]);
    }
}

#[tokio::test]
async fn with_try_stream_ext_imported_the_same_calls_give_the_same_items() {
    let (_server, client) = three_pages().await;
    // `TryStreamExt` is imported in this file: method syntax picks the
    // inherent methods, and the trait's own still work on the stream.
    let by_method: Vec<Finding> = client
        .findings()
        .list_auto()
        .per_page(2)
        .try_collect()
        .await
        .expect("every page loads");

    let (_server, client) = three_pages().await;
    let by_trait: Vec<Finding> =
        TryStreamExt::try_collect(client.findings().list_auto().per_page(2))
            .await
            .expect("every page loads");

    let (_server, client) = three_pages().await;
    let mut walk = client.findings().list_auto().per_page(2);
    let mut by_trait_next = Vec::new();
    while let Some(finding) = TryStreamExt::try_next(&mut walk).await.expect("loads") {
        by_trait_next.push(finding);
    }
    assert_eq!(id_list(&by_method), ids(1, 6));
    assert_eq!(id_list(&by_trait), ids(1, 6));
    assert_eq!(id_list(&by_trait_next), ids(1, 6));
}

#[tokio::test]
async fn max_items_cuts_the_last_page_and_fetches_none_beyond() {
    let (_server, client) = two_of_three_pages().await;

    let pages: Vec<s4e::Page<Finding>> = client
        .findings()
        .list_auto()
        .per_page(2)
        .max_items(3)
        .pages()
        .try_collect()
        .await
        .expect("two pages load");
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [2, 1], "the last page is cut to the cap");
    assert_eq!(id_list(&pages[1].items), ids(3, 3));

    let (_server, client) = two_of_three_pages().await;
    let items: Vec<Finding> = client
        .findings()
        .list_auto()
        .per_page(2)
        .max_items(3)
        .concurrency(4)
        .try_collect()
        .await
        .expect("two pages load");
    assert_eq!(id_list(&items), ids(1, 3));
}

#[tokio::test]
async fn page_zero_is_refused_before_sending() {
    let server = support::start().await;
    let err = walk(&server)
        .page(0)
        .try_collect::<Vec<Finding>>()
        .await
        .expect_err("page 0 is not a page");
    assert!(
        matches!(err, Error::InvalidRequest(ref m) if m.contains("1-based")),
        "{err:?}"
    );
    assert!(support::received(&server).await.is_empty());
}

/// The async walk of every finding on `server`.
fn walk(server: &MockServer) -> Paginator<ListFindings> {
    support::client(server).findings().list_auto()
}
