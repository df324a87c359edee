//! Auto-pagination with the async client: for every list, the items of
//! `list_auto()` (one page at a time and with `concurrency(4)`) and of
//! `pages()` are the pages fetched one by one with `list().page(n)`, in the
//! same order.

use futures_util::TryStreamExt;
use s4e::{FindingStatus, Severity};

use crate::support::{self, TestResult, assert_distinct};

/// Fetches every page of `$handle.list()$(.$filter)*` one by one, then checks
/// the paginators against them; evaluates to the number of items.
macro_rules! assert_auto_equals_pages {
    ($handle:expr, $per_page:expr $(, $filter:ident($value:expr))*) => {{
        let per_page: u32 = $per_page;
        let mut by_page: Vec<String> = Vec::new();
        let mut pages = 0u32;
        let mut number = 1;
        let total = loop {
            let page = $handle.list()$(.$filter($value))*.page(number).per_page(per_page).await?;
            assert_eq!(page.current_page, number);
            assert!(page.len() <= per_page as usize);
            by_page.extend(page.iter().map(|item| item.id.to_string()));
            pages += 1;
            match page.next_page() {
                Some(next) => number = next,
                None => break page.total,
            }
        };
        assert_eq!(total, Some(by_page.len() as u64), "meta.total");
        assert_distinct(&by_page);

        let auto: Vec<String> = $handle
            .list_auto()$(.$filter($value))*
            .per_page(per_page)
            .map_ok(|item| item.id.to_string())
            .try_collect()
            .await?;
        assert_eq!(auto, by_page, "list_auto, one page at a time");

        let concurrent: Vec<String> = $handle
            .list_auto()$(.$filter($value))*
            .per_page(per_page)
            .concurrency(4)
            .map_ok(|item| item.id.to_string())
            .try_collect()
            .await?;
        assert_eq!(concurrent, by_page, "list_auto with concurrency(4)");

        let whole: Vec<_> = $handle
            .list_auto()$(.$filter($value))*
            .per_page(per_page)
            .concurrency(4)
            .pages()
            .try_collect()
            .await?;
        assert_eq!(whole.len() as u32, pages, "pages()");
        let numbers: Vec<u32> = whole.iter().map(|p| p.current_page).collect();
        assert_eq!(numbers, (1..=pages).collect::<Vec<u32>>());
        let flat: Vec<String> = whole
            .iter()
            .flat_map(|p| p.iter().map(|item| item.id.to_string()))
            .collect();
        assert_eq!(flat, by_page, "pages() items");
        by_page.len()
    }};
}

#[tokio::test]
async fn auto_pagination_equals_the_pages_of_every_list() -> TestResult {
    let sandbox = support::start().await?;
    let client = support::client(&sandbox);

    let findings = assert_auto_equals_pages!(client.findings(), 17);
    assert!(findings > 200, "{findings}");
    // A filtered list, with a page size that divides nothing evenly.
    let open_high = assert_auto_equals_pages!(
        client.findings(),
        7,
        severity([Severity::High, Severity::Critical]),
        status(FindingStatus::Open)
    );
    assert!(open_high > 7, "more than one page: {open_high}");
    // A page size that divides the list exactly: the last page is full.
    assert_eq!(assert_auto_equals_pages!(client.assets(), 12), 36);
    assert_eq!(assert_auto_equals_pages!(client.scans(), 4), 30);
    assert_eq!(assert_auto_equals_pages!(client.actions(), 4), 6);
    assert_eq!(assert_auto_equals_pages!(client.playbooks(), 3), 4);
    assert_eq!(assert_auto_equals_pages!(client.webhooks(), 1), 2);
    // The largest page size: everything in a few requests.
    assert_eq!(assert_auto_equals_pages!(client.findings(), 100), findings);
    Ok(())
}

#[tokio::test]
async fn auto_pagination_stops_where_asked() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;

    let first: Vec<s4e::Finding> = client
        .findings()
        .list_auto()
        .per_page(10)
        .max_items(25)
        .try_collect()
        .await?;
    assert_eq!(first.len(), 25);
    assert_eq!(
        controls.count("GET", "/findings"),
        3,
        "no page beyond the 25th item"
    );
    let page3 = client.findings().list().page(3).per_page(10).await?;
    assert_eq!(first[20].id, page3.items[0].id);

    let resumed: Vec<s4e::Finding> = client
        .findings()
        .list_auto()
        .per_page(10)
        .page(3)
        .max_items(10)
        .try_collect()
        .await?;
    assert_eq!(resumed, page3.items);

    let past_the_end = client.findings().list().page(1000).per_page(10).await?;
    assert!(past_the_end.is_empty() && past_the_end.next_page().is_none());
    let err = client.findings().list().per_page(101).await.unwrap_err();
    assert!(
        matches!(err, s4e::Error::InvalidRequest(_)),
        "checked before sending: {err:?}"
    );
    Ok(())
}
