//! Load: many requests at high concurrency against the sandbox with zero
//! errors and flat memory, and a 100,000-item auto-pagination whose memory
//! does not grow with the item count.
//!
//! CI runs a small version; set `S4E_LOAD_REQUESTS=10000` (and
//! `S4E_LOAD_ITEMS=100000`) for the full-size run documented in the README.

use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident memory of this process in bytes, from `VmRSS` in
/// `/proc/self/status` (in kB, whatever the page size). On Linux, where CI
/// runs, a memory check that cannot measure fails instead of passing
/// unchecked.
#[cfg(target_os = "linux")]
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status")
        .expect("/proc/self/status is readable on Linux: the memory check needs it");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .expect("a `VmRSS: <n> kB` line in /proc/self/status");
    Some(kib * 1024)
}

/// Elsewhere the memory checks are not made, and the test says so.
#[cfg(not(target_os = "linux"))]
fn resident_bytes() -> Option<u64> {
    println!("memory not measured: no /proc on this platform");
    None
}

/// Set in the child process that runs a memory test alone.
const ALONE: &str = "S4E_E2E_MEASURED_ALONE";

/// Runs `body` where it is the only test in its process, so the resident
/// memory it measures is its own: other tests of this binary run on other
/// threads of the same process (as many as the machine has cores), and
/// their allocations would show as its growth. The test binary runs itself
/// again with just this test (`path` is its name in the binary, such as
/// `load::auto_pagination_memory_does_not_grow_with_the_item_count`), and
/// the child's verdict is the test's.
fn measured_alone(path: &str, body: impl std::future::Future<Output = ()>) {
    if std::env::var_os(ALONE).is_some() {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(body);
        return;
    }
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([path, "--exact", "--test-threads=1", "--nocapture"])
        .env(ALONE, "1")
        .output()
        .unwrap();
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&child.stdout),
        String::from_utf8_lossy(&child.stderr)
    );
    assert!(
        child.status.success(),
        "{path}, run alone, failed:\n{output}"
    );
    assert!(
        output.contains("1 passed"),
        "{path} did not run in the child:\n{output}"
    );
    println!("{output}");
}

#[test]
fn many_requests_at_64_concurrency_with_zero_errors_and_flat_memory() {
    measured_alone(
        "load::many_requests_at_64_concurrency_with_zero_errors_and_flat_memory",
        many_requests_at_64_concurrency(),
    );
}

async fn many_requests_at_64_concurrency() {
    let total = env_or("S4E_LOAD_REQUESTS", 2_000);
    let sandbox = s4e_sandbox::Sandbox::builder()
        .rate_limit(100_000_000)
        .start()
        .await
        .unwrap();
    let client = s4e::Client::builder(sandbox.api_key())
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let ids: Arc<Vec<s4e::FindingId>> = Arc::new(
        client
            .findings()
            .list()
            .per_page(100)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect(),
    );
    let run = |count: usize| {
        let client = client.clone();
        let ids = ids.clone();
        async move {
            futures_util::stream::iter(0..count)
                .map(|i| {
                    let client = client.clone();
                    let id = ids[i % ids.len()].clone();
                    async move { client.findings().get(id).await }
                })
                .buffer_unordered(64)
                .filter(|r| std::future::ready(r.is_err()))
                .count()
                .await
        }
    };
    let warmup = total / 10;
    let started = Instant::now();
    assert_eq!(
        run(warmup).await,
        0,
        "errors in the first {warmup} requests"
    );
    let after_warmup = resident_bytes();
    assert_eq!(run(total - warmup).await, 0, "errors under load");
    let after_all = resident_bytes();
    let elapsed = started.elapsed();
    println!(
        "{total} requests at 64 in flight in {elapsed:?} ({:.0}/s); RSS after {warmup}: {:?} MiB, after all: {:?} MiB",
        total as f64 / elapsed.as_secs_f64(),
        after_warmup.map(|b| b / (1 << 20)),
        after_all.map(|b| b / (1 << 20)),
    );
    if let (Some(before), Some(after)) = (after_warmup, after_all) {
        // The client and the in-process server share this process; a leak of
        // even 1 KiB per request would add > 8 MiB over the run.
        let growth = after.saturating_sub(before);
        assert!(growth < 16 << 20, "RSS grew by {} MiB", growth >> 20);
    }
}

/// A server that makes pages on the fly, so 100,000 findings cost it nothing.
async fn generated_pages(items: usize) -> String {
    use axum::extract::Query;
    use axum::routing::get;

    #[derive(serde::Deserialize)]
    struct PageQuery {
        page: usize,
        per_page: usize,
    }
    let handler = move |Query(q): Query<PageQuery>| async move {
        let start = (q.page - 1) * q.per_page;
        let data: Vec<_> = (start..(start + q.per_page).min(items))
            .map(|n| {
                serde_json::json!({
                    "id": format!("f-{n}"),
                    "title": "A finding with a title of ordinary length for the test",
                    "severity": "medium",
                    "cvss": 5.3,
                    "status": "open",
                    "asset": {"id": "a-1", "name": "shop.example.com", "type": "domain"},
                    "discovered_at": "2026-05-03T10:07:00Z"
                })
            })
            .collect();
        axum::Json(serde_json::json!({
            "data": data,
            "meta": {"total": items, "page": q.page, "per_page": q.per_page, "total_pages": items.div_ceil(q.per_page)}
        }))
    };
    let app = axum::Router::new().route("/v1/findings", get(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/v1")
}

#[test]
fn auto_pagination_memory_does_not_grow_with_the_item_count() {
    measured_alone(
        "load::auto_pagination_memory_does_not_grow_with_the_item_count",
        auto_pagination_of_many_items(),
    );
}

async fn auto_pagination_of_many_items() {
    let items = env_or("S4E_LOAD_ITEMS", 30_000);
    let url = generated_pages(items).await;
    let client = s4e::Client::builder("sk_test_load")
        .base_url(url)
        .build()
        .unwrap();
    let mut stream = client.findings().list_auto().per_page(100).concurrency(4);
    let mut seen = 0usize;
    let mut at_tenth = None;
    while let Some(finding) = stream.try_next().await.unwrap() {
        seen += 1;
        assert_eq!(finding.id.as_str(), format!("f-{}", seen - 1));
        if seen == items / 10 {
            at_tenth = resident_bytes();
        }
    }
    let at_end = resident_bytes();
    assert_eq!(seen, items);
    println!(
        "{items} findings streamed; RSS at {}: {:?} MiB, at the end: {:?} MiB",
        items / 10,
        at_tenth.map(|b| b / (1 << 20)),
        at_end.map(|b| b / (1 << 20))
    );
    if let (Some(before), Some(after)) = (at_tenth, at_end) {
        // Holding every item would need > 50 MiB at 100,000 items.
        let growth = after.saturating_sub(before);
        assert!(growth < 8 << 20, "RSS grew by {} MiB", growth >> 20);
    }
}
