//! Pagination pathologies, written once: what a misbehaving server answers
//! for each page ([`Pathology::page`]) and what a walk over it must end with
//! ([`Pathology::check`]). Two servers play the table: an axum app
//! (`pagination_pathologies.rs`) and the raw-bytes hostile server
//! (`hostile/pagination_ends.rs`). [`one_test_per_pathology!`] gives each
//! pathology a module with one test per client, each walking at
//! concurrency 1 and 8 and naming the pathology, client and concurrency in
//! every assertion.

use std::time::Duration;

use futures_util::StreamExt;
use s4e::{Error, PaginationError};
use serde_json::{Value, json};

/// Items per page in every walk here.
pub(crate) const PER_PAGE: u32 = 5;

/// The `max_pages` of the walks over endless lists.
const MAX_PAGES: u32 = 12;

/// A stop for a walk that would not end: far beyond every bound tested.
const ITEM_CAP: usize = 50_000;

/// What a server does with a page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pathology {
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
    /// Distinct full pages forever, page `n` announcing `n + 2` pages: 3 at
    /// first, then always two more.
    AnnouncesThreeThenMore,
    /// Three pages whose data shifts between reads: an insert pushes `f-5`
    /// onto page 2 (read twice), a removal pulls `f-11` back onto page 2
    /// (`f-10` is never seen).
    Shifting,
    /// A list of 200 items (40 pages) that changes before each page is read;
    /// see [`list_at`].
    Changing { removals_behind: bool },
}

/// Every pathology: the table both servers play.
pub(crate) const ALL: [Pathology; 10] = [
    Pathology::SamePage,
    Pathology::IgnoresPage,
    Pathology::EchoesPage,
    Pathology::BillionPages,
    Pathology::HugeTotal,
    Pathology::EndlessWithoutMeta,
    Pathology::AnnouncesThreeThenMore,
    Pathology::Shifting,
    Pathology::Changing {
        removals_behind: false,
    },
    Pathology::Changing {
        removals_behind: true,
    },
];

fn finding(n: u64) -> Value {
    json!({ "id": format!("f-{n}"), "title": format!("finding {n}"), "severity": "low" })
}

/// Page `page` of an endless list of distinct items.
fn distinct(page: u32) -> Vec<Value> {
    let first = u64::from(page - 1) * u64::from(PER_PAGE);
    (first..first + u64::from(PER_PAGE)).map(finding).collect()
}

/// `f-0` .. `f-<count - 1>`.
fn first_ids(count: usize) -> Vec<String> {
    (0..count).map(|n| format!("f-{n}")).collect()
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

/// A page's `meta` with `page` and `total_pages`.
fn meta(page: u32, total_pages: u64) -> Value {
    json!({ "page": page, "per_page": PER_PAGE, "total_pages": total_pages })
}

impl Pathology {
    /// The `max_pages` a walk over this server sets, if any.
    pub(crate) fn max_pages(self) -> Option<u32> {
        match self {
            Pathology::BillionPages | Pathology::HugeTotal | Pathology::EndlessWithoutMeta => {
                Some(MAX_PAGES)
            }
            _ => None,
        }
    }

    /// The answer's JSON body for page `page`.
    pub(crate) fn page(self, page: u32) -> Value {
        match self {
            Pathology::SamePage => json!({ "data": distinct(1), "meta": meta(1, 200) }),
            Pathology::IgnoresPage => json!({ "data": distinct(1) }),
            Pathology::EchoesPage => json!({ "data": distinct(1), "meta": meta(page, 200) }),
            Pathology::BillionPages => {
                json!({ "data": distinct(page), "meta": meta(page, 1_000_000_000) })
            }
            Pathology::HugeTotal => json!({
                "data": distinct(page),
                "meta": { "page": page, "per_page": PER_PAGE, "total": 1_000_000_000_000_000_u64 },
            }),
            Pathology::EndlessWithoutMeta => json!({ "data": distinct(page) }),
            Pathology::AnnouncesThreeThenMore => {
                json!({ "data": distinct(page), "meta": meta(page, u64::from(page) + 2) })
            }
            Pathology::Shifting => {
                let ids: Vec<u64> = match page {
                    1 => (1..=5).collect(),
                    2 => (5..=9).collect(),
                    3 => (11..=13).collect(),
                    _ => Vec::new(),
                };
                let data: Vec<Value> = ids.into_iter().map(finding).collect();
                json!({ "data": data, "meta": meta(page, 3) })
            }
            Pathology::Changing { removals_behind } => {
                let (list, _) = list_at(page, removals_behind);
                let from = ((page - 1) * PER_PAGE) as usize;
                let data: Vec<Value> = list
                    .iter()
                    .skip(from)
                    .take(PER_PAGE as usize)
                    .map(|n| finding(*n))
                    .collect();
                let pages = list.len().div_ceil(PER_PAGE as usize) as u64;
                json!({ "data": data, "meta": meta(page, pages) })
            }
        }
    }

    /// Asserts what a walk at concurrency `k` must have ended with; `context`
    /// names the case in every message.
    #[track_caller]
    pub(crate) fn check(self, out: &Outcome, k: usize, context: &str) {
        assert!(out.has_no_duplicates(), "an id came twice; {context}");
        match self {
            Pathology::SamePage => {
                assert_eq!(out.ids, first_ids(5), "{context}");
                assert_eq!(
                    out.pagination_error(context),
                    &PaginationError::PageMismatch {
                        requested: 2,
                        answered: 1
                    },
                    "{context}"
                );
                // At most k pages in flight: the first k at once, then one
                // more as each is taken; page 2 ends the walk.
                assert!((2..=1 + k).contains(&out.requests), "{context}");
            }
            Pathology::IgnoresPage => {
                assert_eq!(out.ids, first_ids(5), "{context}");
                assert_eq!(
                    out.pagination_error(context),
                    &PaginationError::NoProgress { page: 2 },
                    "{context}"
                );
                // Without a page count nothing is fetched ahead of need
                // after page 1; above concurrency 1, the first k pages were
                // asked for at once.
                if k == 1 {
                    assert_eq!(out.requests, 2, "{context}");
                } else {
                    assert!((2..=k).contains(&out.requests), "{context}");
                }
            }
            Pathology::EchoesPage => {
                assert_eq!(out.ids, first_ids(5), "{context}");
                assert_eq!(
                    out.pagination_error(context),
                    &PaginationError::NoProgress { page: 2 },
                    "{context}"
                );
                assert!((2..=1 + k).contains(&out.requests), "{context}");
                assert!(out.highest_page <= 1 + k as u32, "{context}");
            }
            Pathology::BillionPages | Pathology::HugeTotal | Pathology::EndlessWithoutMeta => {
                // Not one page beyond the bound is requested, even eight at
                // a time, and each was yielded whole before the error.
                assert_eq!(
                    out.ids,
                    first_ids((MAX_PAGES * PER_PAGE) as usize),
                    "{context}"
                );
                assert_eq!(
                    out.pagination_error(context),
                    &PaginationError::TooManyPages { limit: MAX_PAGES },
                    "{context}"
                );
                assert_eq!(out.requests, MAX_PAGES as usize, "{context}");
                assert_eq!(out.highest_page, MAX_PAGES, "{context}");
            }
            Pathology::AnnouncesThreeThenMore => {
                let PaginationError::TooManyPages { limit } = *out.pagination_error(context) else {
                    panic!("expected TooManyPages; {context}");
                };
                // The first answer's count (3) plus a small margin, far
                // below the absolute bound; nothing past it, except among
                // the first k pages, asked for before the first answer.
                assert!((3..s4e::DEFAULT_MAX_PAGES).contains(&limit), "{context}");
                assert_eq!(out.ids, first_ids((limit * PER_PAGE) as usize), "{context}");
                assert!(out.requests <= (limit as usize).max(k), "{context}");
            }
            Pathology::Shifting => {
                assert!(out.error.is_none(), "{context}");
                let expected: Vec<String> =
                    (1..=9).chain(11..=13).map(|n| format!("f-{n}")).collect();
                assert_eq!(out.ids, expected, "each id once, in page order; {context}");
                // Pages 1 to 3; above concurrency 1 the first k pages are
                // asked for at once, and what lies past page 3 is discarded.
                if k == 1 {
                    assert_eq!(out.requests, 3, "{context}");
                } else {
                    assert!((3..=k.max(3)).contains(&out.requests), "{context}");
                }
            }
            Pathology::Changing { removals_behind } => {
                assert!(out.error.is_none(), "{context}");
                let ever = ever_listed(out.highest_page);
                assert!(!out.ids.is_empty(), "{context}");
                assert!(out.ids.iter().all(|id| ever.contains(id)), "{context}");
                let missed = present_throughout(out.highest_page, removals_behind)
                    .into_iter()
                    .filter(|id| !out.ids.contains(id))
                    .count();
                if removals_behind {
                    // Two removals and one insert at the front pull one item
                    // back onto a page already read: at most one item missed
                    // per page after the first.
                    assert!(
                        missed < out.highest_page as usize,
                        "{missed} missed; {context}"
                    );
                    assert!(out.requests <= 44, "{context}");
                } else {
                    assert_eq!(
                        missed, 0,
                        "an item present throughout was missed; {context}"
                    );
                    // 40 pages announced, plus the margin of 4; the list grew
                    // by about ten items, so the walk needs two or three
                    // pages of it.
                    assert!((41..=44).contains(&out.requests), "{context}");
                    assert!(out.highest_page <= 44, "{context}");
                }
            }
        }
        if let Some(in_flight) = out.max_in_flight {
            assert!(in_flight <= k, "{in_flight} in flight; {context}");
        }
    }
}

/// Which client walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Async,
    Blocking,
}

/// How one walk went: what the client yielded and what the server saw.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) ids: Vec<String>,
    /// The error that ended the walk, if any.
    pub(crate) error: Option<Error>,
    pub(crate) requests: usize,
    pub(crate) highest_page: u32,
    /// The most requests the server had in flight at once, where it counts
    /// them.
    pub(crate) max_in_flight: Option<usize>,
}

impl Outcome {
    #[track_caller]
    fn pagination_error(&self, context: &str) -> &PaginationError {
        match &self.error {
            Some(Error::Pagination(e)) => e,
            other => panic!("expected Error::Pagination, got {other:?}; {context}"),
        }
    }

    fn has_no_duplicates(&self) -> bool {
        let mut sorted = self.ids.clone();
        sorted.sort();
        sorted.dedup();
        sorted.len() == self.ids.len()
    }
}

/// What one item stream yielded: the items until the first error, the
/// error, and a check that nothing follows it.
#[derive(Default)]
struct Collector {
    ids: Vec<String>,
    error: Option<Error>,
    ended: bool,
}

impl Collector {
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

/// Walks the findings at `base_url` (a server playing `pathology`) on the
/// `kind` client at concurrency `k`, without retries; returns the ids and
/// the error that ended the walk. The async walk runs on `runtime`, the
/// blocking one on the calling thread outside any runtime, as a user's
/// program would.
pub(crate) fn walk(
    runtime: &tokio::runtime::Runtime,
    base_url: &str,
    pathology: Pathology,
    kind: Kind,
    k: usize,
) -> (Vec<String>, Option<Error>) {
    let client = s4e::Client::builder("sk_test_pathologies")
        .base_url(base_url)
        .retries(0)
        .build()
        .unwrap();
    let mut collector = Collector::default();
    // The walk as both clients configure it.
    macro_rules! walk_of {
        ($client:expr) => {{
            let items = $client
                .findings()
                .list_auto()
                .per_page(PER_PAGE)
                .concurrency(k);
            match pathology.max_pages() {
                Some(max) => items.max_pages(max),
                None => items,
            }
        }};
    }
    match kind {
        Kind::Async => runtime.block_on(async {
            let mut items = walk_of!(client);
            let all = async { while collector.take(items.next().await) {} };
            tokio::time::timeout(Duration::from_secs(60), all)
                .await
                .expect("the walk ends in time");
        }),
        Kind::Blocking => {
            let client = s4e::blocking::Client::from_async(client).unwrap();
            let mut items = walk_of!(client);
            while collector.take(items.next()) {}
        }
    }
    assert!(collector.ended, "the walk ended");
    (collector.ids, collector.error)
}

/// Plays `pathology` through `play` (a server's walk: its outcome at
/// client `kind` and concurrency `k`) at concurrency 1 and 8, and checks
/// each.
pub(crate) fn run(
    server: &str,
    pathology: Pathology,
    kind: Kind,
    play: impl Fn(Pathology, Kind, usize) -> Outcome,
) {
    assert!(ALL.contains(&pathology), "{pathology:?} is in the table");
    for k in [1, 8] {
        let out = play(pathology, kind, k);
        let context = format!("{pathology:?} over {server}, {kind:?} client, k={k}: {out:?}");
        pathology.check(&out, k, &context);
    }
}

/// One module per pathology of [`ALL`], each with an `async_client` and a
/// `blocking_client` test that runs [`run`] with `$play` (a
/// `fn(Pathology, Kind, usize) -> Outcome`) over the server named `$server`.
macro_rules! one_test_per_pathology {
    ($server:literal, $play:ident) => {
        $crate::pathologies::one_test_per_pathology!(@each $server, $play,
            same_page => $crate::pathologies::Pathology::SamePage,
            ignores_page => $crate::pathologies::Pathology::IgnoresPage,
            echoes_page => $crate::pathologies::Pathology::EchoesPage,
            billion_pages => $crate::pathologies::Pathology::BillionPages,
            huge_total => $crate::pathologies::Pathology::HugeTotal,
            endless_without_meta => $crate::pathologies::Pathology::EndlessWithoutMeta,
            announces_three_then_more => $crate::pathologies::Pathology::AnnouncesThreeThenMore,
            shifting => $crate::pathologies::Pathology::Shifting,
            changing_with_removals_ahead => $crate::pathologies::Pathology::Changing { removals_behind: false },
            changing_with_removals_behind => $crate::pathologies::Pathology::Changing { removals_behind: true },
        );
    };
    (@each $server:literal, $play:ident, $($name:ident => $pathology:expr),+ $(,)?) => {
        /// The table must be covered whole: one module per entry.
        #[test]
        fn every_pathology_has_its_tests() {
            let named = [$($pathology),+];
            assert!(!named.is_empty());
            assert_eq!(named.len(), $crate::pathologies::ALL.len());
            for pathology in $crate::pathologies::ALL {
                assert!(named.contains(&pathology), "{pathology:?} has no tests");
            }
        }
        $(
            mod $name {
                use $crate::pathologies::{Kind, run};

                #[test]
                fn async_client() {
                    run($server, $pathology, Kind::Async, super::$play);
                }

                #[test]
                fn blocking_client() {
                    run($server, $pathology, Kind::Blocking, super::$play);
                }
            }
        )+
    };
}
pub(crate) use one_test_per_pathology;
