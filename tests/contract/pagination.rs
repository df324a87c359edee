//! Auto-pagination: which pages are fetched, in what order, and when it stops
//! (`docs/API.md` 2).

use futures_util::{StreamExt, TryStreamExt};
use s4e::findings::ListFindings;
use s4e::{Error, Finding, Severity};
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{self, ids, page_response};

fn id_list(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.id.to_string()).collect()
}

/// Mounts page `page` (with `per_page` 2 asked) answering `response`, once.
async fn mount_page(server: &MockServer, page: u32, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/v1/findings"))
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

#[tokio::test]
async fn three_pages_in_order_with_one_request_each() {
    let server = support::start().await;
    three_full_pages(&server).await;

    let all: Vec<Finding> = support::client(&server)
        .findings()
        .list_auto()
        .per_page(2)
        .try_collect()
        .await
        .expect("every page loads");
    assert_eq!(id_list(&all), ids(1, 6));
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
        Mock::given(method("GET"))
            .and(path("/v1/findings"))
            .and(query_param("page", page.to_string()))
            .and(query_param("per_page", "2"))
            .and(query_param("severity", "critical,high"))
            .and(query_param("search", "tls"))
            .respond_with(response)
            .expect(1)
            .mount(&server)
            .await;
    }

    let all: Vec<Finding> = support::client(&server)
        .findings()
        .list_auto()
        .severity([Severity::Critical, Severity::High])
        .search("tls")
        .per_page(2)
        .try_collect()
        .await
        .expect("both pages load");
    assert_eq!(id_list(&all), ids(1, 3));
}

#[tokio::test]
async fn without_total_pages_the_total_ends_the_list() {
    let server = support::start().await;
    mount_page(&server, 1, page_response(&ids(1, 2), meta(1, 5, None))).await;
    mount_page(&server, 2, page_response(&ids(3, 4), meta(2, 5, None))).await;
    mount_page(&server, 3, page_response(&ids(5, 5), meta(3, 5, None))).await;

    let all: Vec<Finding> = support::client(&server)
        .findings()
        .list_auto()
        .per_page(2)
        .try_collect()
        .await
        .expect("every page loads");
    assert_eq!(id_list(&all), ids(1, 5));
}

#[tokio::test]
async fn an_exact_total_stops_without_an_extra_request() {
    let server = support::start().await;
    mount_page(&server, 1, page_response(&ids(1, 2), meta(1, 4, None))).await;
    mount_page(&server, 2, page_response(&ids(3, 4), meta(2, 4, None))).await;

    let all: Vec<Finding> = support::client(&server)
        .findings()
        .list_auto()
        .per_page(2)
        .try_collect()
        .await
        .expect("both pages load");
    assert_eq!(id_list(&all), ids(1, 4));
}

#[tokio::test]
async fn an_empty_page_ends_the_list() {
    let server = support::start().await;
    let no_total = |page: u32| Some(json!({ "page": page, "per_page": 2 }));
    mount_page(&server, 1, page_response(&ids(1, 2), no_total(1))).await;
    mount_page(&server, 2, page_response(&[], no_total(2))).await;

    let all: Vec<Finding> = support::client(&server)
        .findings()
        .list_auto()
        .per_page(2)
        .try_collect()
        .await
        .expect("both pages load");
    assert_eq!(id_list(&all), ids(1, 2));
}

#[tokio::test]
async fn without_meta_a_short_page_ends_the_list() {
    let server = support::start().await;
    mount_page(&server, 1, page_response(&ids(1, 2), None)).await;
    mount_page(&server, 2, page_response(&ids(3, 3), None)).await;

    let all: Vec<Finding> = support::client(&server)
        .findings()
        .list_auto()
        .per_page(2)
        .try_collect()
        .await
        .expect("both pages load");
    assert_eq!(id_list(&all), ids(1, 3));
}

#[tokio::test]
async fn max_items_fetches_no_page_beyond() {
    let server = support::start().await;
    mount_page(&server, 1, page_response(&ids(1, 2), meta(1, 6, Some(3)))).await;
    mount_page(&server, 2, page_response(&ids(3, 4), meta(2, 6, Some(3)))).await;

    let all: Vec<Finding> = support::client(&server)
        .findings()
        .list_auto()
        .per_page(2)
        .max_items(3)
        .try_collect()
        .await
        .expect("two pages load");
    assert_eq!(id_list(&all), ids(1, 3));
}

#[tokio::test]
async fn taking_a_few_items_fetches_one_page() {
    let server = support::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/findings"))
        .and(query_param("page", "1"))
        .and(query_param_is_missing("per_page"))
        .respond_with(page_response(
            &ids(1, 20),
            Some(json!({ "total": 100, "page": 1, "per_page": 20, "total_pages": 5 })),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let first: Vec<Finding> = support::client(&server)
        .findings()
        .list_auto()
        .take(5)
        .try_collect()
        .await
        .expect("the first page loads");
    assert_eq!(id_list(&first), ids(1, 5));
}

#[tokio::test]
async fn start_page_skips_the_pages_before() {
    let server = support::start().await;
    mount_page(&server, 3, page_response(&ids(5, 6), meta(3, 6, Some(3)))).await;

    let rest: Vec<Finding> = support::client(&server)
        .findings()
        .list_auto()
        .per_page(2)
        .start_page(3)
        .try_collect()
        .await
        .expect("the last page loads");
    assert_eq!(id_list(&rest), ids(5, 6));
}

#[tokio::test]
async fn pages_yields_whole_pages() {
    let server = support::start().await;
    three_full_pages(&server).await;

    let pages: Vec<s4e::Page<Finding>> = support::client(&server)
        .findings()
        .list_auto()
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

    let mut stream = support::client(&server).findings().list_auto().per_page(2);
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
    Mock::given(method("GET"))
        .and(path("/v1/findings"))
        .and(query_param("page", "2"))
        .respond_with(support::sequence([
            support::error_body(503, "unavailable", "try again"),
            page_response(&ids(3, 4), meta(2, 4, None)),
        ]))
        .expect(2)
        .mount(&server)
        .await;

    let all: Vec<Finding> = support::client(&server)
        .findings()
        .list_auto()
        .per_page(2)
        .try_collect()
        .await
        .expect("the retried page loads");
    assert_eq!(id_list(&all), ids(1, 4));
}

#[tokio::test]
async fn an_invalid_per_page_is_an_error_item_and_nothing_is_sent() {
    let server = support::start().await;
    let mut stream = support::client(&server)
        .findings()
        .list_auto()
        .per_page(500);
    let first = stream.next().await.expect("the error is an item");
    assert!(matches!(first, Err(Error::InvalidRequest(_))), "{first:?}");
    assert!(stream.next().await.is_none());
    assert!(support::received(&server).await.is_empty());
}

#[tokio::test]
async fn paginate_a_declared_endpoint() {
    let server = support::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/findings"))
        .and(query_param("page", "1"))
        .and(query_param("status", "open"))
        .respond_with(page_response(
            &ids(1, 3),
            Some(json!({ "total": 3, "page": 1, "per_page": 20, "total_pages": 1 })),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let all: Vec<Finding> = support::client(&server)
        .paginate(ListFindings::default().status(s4e::FindingStatus::Open))
        .try_collect()
        .await
        .expect("one page loads");
    assert_eq!(id_list(&all), ids(1, 3));
}
