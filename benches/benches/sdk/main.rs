//! `cargo bench -p s4e-benches`: the SDK against hand-written reqwest calls
//! and bare serde_json, on the local sandbox, each comparison interleaved;
//! the tables at the end hold the medians, the ratios against the goals of
//! issue 5, and where the CPU time went. See BENCHMARKS.md.
//!
//! Arguments select comparisons by key (`get`, `decode`, `throughput`,
//! `blocking`, `paginate`, `replay`; default all; `pacing` (7), which takes over a minute,
//! and `shared_quota`, which takes minutes, only when named). `S4E_BENCH_ROUNDS` sets the rounds
//! of the per-call comparisons (default 40), `S4E_BENCH_WALKS` those of the
//! pagination one (default 6), `S4E_BENCH_BATCH` fixes the batch size of the
//! others (for profiling under valgrind, where calibration means nothing), and
//! `S4E_BENCH_LATENCY_MS` the latency added per page (default 20, the issue's).

mod alloc;
mod cpu;
mod harness;
mod pacing;
mod raw;
mod replay;
mod shared_quota;

use std::hint::black_box;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::future::join_all;
use s4e::{Finding, Page, PageRequest, RawResponse};
use s4e_sandbox::Sandbox;
use tokio::runtime::Runtime;

use crate::harness::{CpuRow, Goal, Row, calibrate, interleave};
use crate::raw::Raw;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// "100 pages of 100 findings".
const PAGES: usize = 100;
const PER_PAGE: u32 = 100;
const ITEMS: usize = PAGES * PER_PAGE as usize;
/// Added by the sandbox before every answer in the pagination comparison
/// (the 20 ms unless `S4E_BENCH_LATENCY_MS` says otherwise).
const PAGE_LATENCY_MS: usize = 20;
const CONCURRENCY: usize = 8;
/// Calls in flight in the throughput comparison.
const BURST: usize = 64;

struct Settings {
    rounds: usize,
    walks: usize,
    latency: Duration,
    only: Vec<String>,
}

impl Settings {
    fn from_env() -> Settings {
        let number = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(default)
        };
        Settings {
            rounds: number("S4E_BENCH_ROUNDS", 40),
            walks: number("S4E_BENCH_WALKS", 6),
            latency: Duration::from_millis(number("S4E_BENCH_LATENCY_MS", PAGE_LATENCY_MS) as u64),
            // Cargo passes `--bench`; anything else not starting with `-` is a key.
            only: std::env::args()
                .skip(1)
                .filter(|a| !a.starts_with('-'))
                .collect(),
        }
    }

    fn wants(&self, key: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|k| k == key)
    }
}

/// Everything the comparisons share.
struct Bench {
    /// The client side: a current-thread runtime on the main thread (the one
    /// the counting allocator watches).
    rt: Runtime,
    sandbox: Sandbox,
    sdk: s4e::Client,
    raw: Raw,
    /// The findings of page 1, whose details the per-call comparisons fetch
    /// in turn.
    ids: Vec<String>,
    /// `GET /findings?page=1&per_page=100` as the sandbox answered it.
    page_body: Vec<u8>,
}

fn main() {
    alloc::track_this_thread();
    let settings = Settings::from_env();
    println!("load average at start: {}", load_average());

    // The sandbox serves from a runtime of its own, built as the sandbox's
    // binary builds it (one worker per core), on threads of its own, so the
    // allocation count sees only the client.
    let server = tokio::runtime::Builder::new_multi_thread()
        .thread_name("sandbox")
        .enable_all()
        .build()
        .expect("the sandbox runtime starts");
    let sandbox = server
        .block_on(Sandbox::builder().seed(42).manual_clock().start())
        .expect("the sandbox starts");
    sandbox.controls().set_rate_limit(None);
    sandbox.controls().set_latency(Duration::ZERO);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the client runtime starts");
    let sdk = s4e::Client::builder(sandbox.api_key())
        .base_url(sandbox.base_url())
        .build()
        .expect("the SDK client builds");
    let raw = Raw::new(sandbox.base_url(), sandbox.api_key());

    // The seed data (a few hundred findings) for everything but pagination:
    // the sandbox looks a finding up by scanning them all, so the per-call
    // comparisons would otherwise time its search more than either client.
    let page_body = rt.block_on(raw.page_body(1, PER_PAGE));
    let ids = decode_sdk(&page_body)
        .items
        .iter()
        .map(|f| f.id.as_str().to_owned())
        .collect();
    let bench = Bench {
        rt,
        sandbox,
        sdk,
        raw,
        ids,
        page_body,
    };

    let mut rows = Vec::new();
    let mut cpu_rows = Vec::new();
    if settings.wants("get") {
        let (more, cpu) = per_call(&bench, settings.rounds);
        rows.extend(more);
        cpu_rows.push(cpu);
    }
    if settings.wants("decode") {
        rows.extend(decode(&bench, settings.rounds));
    }
    if settings.wants("throughput") {
        let (row, cpu) = throughput(&bench, settings.rounds);
        rows.push(row);
        cpu_rows.push(cpu);
    }
    if settings.wants("blocking") {
        let (row, cpu) = blocking(&bench, settings.rounds);
        rows.push(row);
        cpu_rows.push(cpu);
        rows.push(blocking_walk(&bench, settings.rounds));
    }
    if settings.wants("replay") {
        rows.push(replay::replay(&bench, &server, settings.rounds));
    }
    // Only when asked for by name: it waits out a rate-limit window.
    if settings.only.iter().any(|k| k == "pacing") {
        rows.extend(pacing::pacing(&bench));
    }
    // Only when asked for by name: it waits out several windows (minutes).
    if settings.only.iter().any(|k| k == "shared_quota") {
        rows.extend(shared_quota::shared_quota(&bench, settings.rounds));
    }
    // Last: it grows the data to 10,000 findings.
    if settings.wants("paginate") {
        let (more, cpu) = paginate(&bench, settings.walks, settings.latency);
        rows.extend(more);
        cpu_rows.push(cpu);
    }
    // In the order of issue 5 (names start with its numbers).
    rows.sort_by(|a, b| a.name[..2].cmp(&b.name[..2]));
    cpu_rows.sort_by(|a, b| a.name[..2].cmp(&b.name[..2]));

    println!();
    println!("load average at end: {}", load_average());
    println!();
    harness::print_table(&rows);
    if !cpu_rows.is_empty() {
        println!();
        harness::print_cpu_table(&cpu_rows);
    }
    drop(bench);
    drop(server);
}

fn decode_sdk(body: &[u8]) -> Page<Finding> {
    s4e::__private::decode_page::<Finding>(RawResponse {
        status: 200,
        body,
        request_id: None,
        page: Some(PageRequest::new(1, Some(PER_PAGE))),
    })
    .expect("the SDK decodes the page")
}

/// The batch size at which `batch(n)` takes at least `target`, or
/// `S4E_BENCH_BATCH` (for profiling, where timing means nothing).
fn batch_size(target: Duration, batch: impl Fn(usize)) -> usize {
    let fixed = std::env::var("S4E_BENCH_BATCH").ok();
    if let Some(n) = fixed.and_then(|v| v.parse().ok()).filter(|n| *n > 0) {
        return n;
    }
    calibrate(target, |n| {
        let start = Instant::now();
        batch(n);
        start.elapsed()
    })
}

fn report(key: &str, what: &str, n: usize, a: f64, b: f64, show: impl Fn(f64) -> String) {
    println!("{key:<10} {what}: {} vs {} (batch {n})", show(a), show(b));
}

/// 1. `findings().get(id)` against a reqwest GET of the same URL plus
///    `serde_json::from_slice` into the same struct.
fn per_call(bench: &Bench, rounds: usize) -> (Vec<Row>, CpuRow) {
    let Bench {
        rt, sdk, raw, ids, ..
    } = bench;
    let sdk_batch = |n: usize| {
        rt.block_on(async {
            for i in 0..n {
                let id = ids[i % ids.len()].as_str();
                black_box(sdk.findings().get(id).await.expect("SDK get"));
            }
        });
    };
    let raw_batch = |n: usize| {
        rt.block_on(async {
            for i in 0..n {
                black_box(raw.get(&ids[i % ids.len()]).await);
            }
        });
    };
    let n = batch_size(Duration::from_millis(50), sdk_batch);
    let samples = interleave(rounds, n, || sdk_batch(n), || raw_batch(n));
    bench.sandbox.controls().clear_requests();
    let (sdk_time, raw_time) = (samples.median_a(), samples.median_b());
    report(
        "get",
        "SDK vs raw per call",
        n,
        sdk_time,
        raw_time,
        harness::time,
    );
    let row = Row {
        name: "1. get(id): SDK vs raw reqwest".into(),
        a: format!("SDK {}", harness::time(sdk_time)),
        b: format!("raw {}", harness::time(raw_time)),
        ratio: sdk_time / raw_time,
        spread: Some(samples.ratio_quartiles()),
        goal: Some(Goal::AtMost(1.05)),
    };
    let cpu = CpuRow {
        name: "1. get(id)".into(),
        sides: [
            ("SDK".into(), samples.cpu_a()),
            ("raw".into(), samples.cpu_b()),
        ],
    };

    // The same measurement with raw reqwest on both sides: how far from 1.0
    // this machine's noise alone moves the ratio.
    let control = interleave(rounds, n, || raw_batch(n), || raw_batch(n));
    let (a_time, b_time) = (control.median_a(), control.median_b());
    report(
        "get",
        "control: raw vs raw",
        n,
        a_time,
        b_time,
        harness::time,
    );
    let control = Row {
        name: "1a. control, get(id): raw vs the same raw".into(),
        a: format!("raw {}", harness::time(a_time)),
        b: format!("raw {}", harness::time(b_time)),
        ratio: a_time / b_time,
        spread: Some(control.ratio_quartiles()),
        goal: None,
    };
    (vec![row, control], cpu)
}

/// 2. One 100-item page: the SDK's decoder on the whole body against bare
///    `serde_json::from_slice::<Vec<Finding>>` on the `data` array alone.
fn decode(bench: &Bench, rounds: usize) -> Vec<Row> {
    let body = bench.page_body.as_slice();
    let data = raw::data_array(body);
    let sdk_batch = |n: usize| {
        for _ in 0..n {
            black_box(decode_sdk(black_box(body)));
        }
    };
    let bare_batch = |n: usize| {
        for _ in 0..n {
            let items: Vec<Finding> =
                serde_json::from_slice(black_box(&data)).expect("serde_json decodes the array");
            black_box(items);
        }
    };
    let n = batch_size(Duration::from_millis(20), sdk_batch);
    let samples = interleave(rounds, n, || sdk_batch(n), || bare_batch(n));
    let (sdk_time, bare_time) = (samples.median_a(), samples.median_b());
    report(
        "decode",
        "SDK vs bare per page",
        n,
        sdk_time,
        bare_time,
        harness::time,
    );
    let page = Row {
        name: format!(
            "2. decode {PER_PAGE}-item page ({}): SDK vs bare serde_json",
            harness::bytes(body.len() as f64)
        ),
        a: format!("SDK {}", harness::time(sdk_time)),
        b: format!("bare {}", harness::time(bare_time)),
        ratio: sdk_time / bare_time,
        spread: Some(samples.ratio_quartiles()),
        goal: Some(Goal::AtMost(1.10)),
    };

    // Not a goal of the issue: the decode inside benchmark 1, where the SDK
    // accepts `{"data": ...}` or a bare object, against `{"data": ...}` only.
    let detail = bench
        .rt
        .block_on(bench.raw.body(&format!("/findings/{}", bench.ids[0])));
    let sdk_batch = |n: usize| {
        for _ in 0..n {
            let finding = s4e::__private::decode_json::<Finding>(RawResponse {
                status: 200,
                body: black_box(&detail),
                request_id: None,
                page: None,
            });
            black_box(finding.expect("the SDK decodes the finding"));
        }
    };
    let bare_batch = |n: usize| {
        for _ in 0..n {
            black_box(raw::envelope_data::<Finding>(black_box(&detail)));
        }
    };
    let n = batch_size(Duration::from_millis(20), sdk_batch);
    let samples = interleave(rounds, n, || sdk_batch(n), || bare_batch(n));
    let (sdk_time, bare_time) = (samples.median_a(), samples.median_b());
    report(
        "decode",
        "SDK vs bare per finding",
        n,
        sdk_time,
        bare_time,
        harness::time,
    );
    let one = Row {
        name: format!(
            "2b. decode one finding ({}), as in 1: SDK vs bare envelope",
            harness::bytes(detail.len() as f64)
        ),
        a: format!("SDK {}", harness::time(sdk_time)),
        b: format!("bare {}", harness::time(bare_time)),
        ratio: sdk_time / bare_time,
        spread: Some(samples.ratio_quartiles()),
        goal: None,
    };
    vec![page, one]
}

/// 4. Bursts of [`BURST`] concurrent `get` calls, SDK against raw reqwest.
fn throughput(bench: &Bench, rounds: usize) -> (Row, CpuRow) {
    let Bench {
        rt, sdk, raw, ids, ..
    } = bench;
    let sdk_bursts = |bursts: usize| {
        rt.block_on(async {
            for burst in 0..bursts {
                let calls = (0..BURST).map(|i| async move {
                    let id = ids[(burst * BURST + i) % ids.len()].as_str();
                    sdk.findings().get(id).await.expect("SDK get")
                });
                black_box(join_all(calls).await);
            }
        });
    };
    let raw_bursts = |bursts: usize| {
        rt.block_on(async {
            for burst in 0..bursts {
                let calls = (0..BURST).map(|i| raw.get(&ids[(burst * BURST + i) % ids.len()]));
                black_box(join_all(calls).await);
            }
        });
    };
    let bursts = batch_size(Duration::from_millis(100), sdk_bursts);
    let calls = bursts * BURST;
    let samples = interleave(rounds, calls, || sdk_bursts(bursts), || raw_bursts(bursts));
    bench.sandbox.controls().clear_requests();
    let (sdk_time, raw_time) = (samples.median_a(), samples.median_b());
    let rate = |seconds: f64| format!("{:.0} calls/s", 1.0 / seconds);
    report("throughput", "SDK vs raw", calls, sdk_time, raw_time, rate);
    let (lo, hi) = samples.ratio_quartiles();
    let row = Row {
        name: format!("4. {BURST} concurrent get: SDK vs raw throughput"),
        a: format!("SDK {}", rate(sdk_time)),
        b: format!("raw {}", rate(raw_time)),
        // Throughput is the inverse of time per call.
        ratio: raw_time / sdk_time,
        spread: Some((1.0 / hi, 1.0 / lo)),
        goal: Some(Goal::AtLeast(0.95)),
    };
    let cpu = CpuRow {
        name: format!("4. {BURST} concurrent get, per call"),
        sides: [
            ("SDK".into(), samples.cpu_a()),
            ("raw".into(), samples.cpu_b()),
        ],
    };
    (row, cpu)
}

/// 5. `get(id)` on the blocking client (its own runtime, driven on the
///    calling thread) against the async client on the bench's runtime.
fn blocking(bench: &Bench, rounds: usize) -> (Row, CpuRow) {
    let Bench {
        rt,
        sdk,
        sandbox,
        ids,
        ..
    } = bench;
    let client = s4e::Client::builder(sandbox.api_key())
        .base_url(sandbox.base_url())
        .build_blocking()
        .expect("the blocking client builds");
    let blocking_batch = |n: usize| {
        for i in 0..n {
            let id = ids[i % ids.len()].as_str();
            black_box(client.findings().get(id).send().expect("blocking get"));
        }
    };
    let async_batch = |n: usize| {
        rt.block_on(async {
            for i in 0..n {
                let id = ids[i % ids.len()].as_str();
                black_box(sdk.findings().get(id).await.expect("SDK get"));
            }
        });
    };
    let n = batch_size(Duration::from_millis(50), blocking_batch);
    let samples = interleave(rounds, n, || blocking_batch(n), || async_batch(n));
    sandbox.controls().clear_requests();
    let (blocking_time, async_time) = (samples.median_a(), samples.median_b());
    report(
        "blocking",
        "blocking vs async per call",
        n,
        blocking_time,
        async_time,
        harness::time,
    );
    let row = Row {
        name: "5. get(id): blocking vs async".into(),
        a: format!("blocking {}", harness::time(blocking_time)),
        b: format!("async {}", harness::time(async_time)),
        ratio: blocking_time / async_time,
        spread: Some(samples.ratio_quartiles()),
        goal: Some(Goal::AtMost(1.15)),
    };
    let cpu = CpuRow {
        name: "5. get(id)".into(),
        sides: [
            ("blocking".into(), samples.cpu_a()),
            ("async".into(), samples.cpu_b()),
        ],
    };
    (row, cpu)
}

/// 5b. Not a goal: a `list_auto()` walk of the seed findings (100 a page,
///     one page at a time, no added latency) on the blocking client against
///     the async one, per item: what taking an item costs on each side.
fn blocking_walk(bench: &Bench, rounds: usize) -> Row {
    let Bench {
        rt, sdk, sandbox, ..
    } = bench;
    let client = s4e::Client::builder(sandbox.api_key())
        .base_url(sandbox.base_url())
        .build_blocking()
        .expect("the blocking client builds");
    let blocking_batch = |walks: usize| {
        let mut items = 0;
        for _ in 0..walks {
            for finding in client.findings().list_auto().per_page(PER_PAGE) {
                black_box(finding.expect("blocking walk"));
                items += 1;
            }
        }
        items
    };
    let async_batch = |walks: usize| {
        rt.block_on(async {
            let mut items = 0;
            for _ in 0..walks {
                let mut walk = sdk.findings().list_auto().per_page(PER_PAGE);
                while let Some(finding) = walk.next().await {
                    black_box(finding.expect("async walk"));
                    items += 1;
                }
            }
            items
        })
    };
    let per_walk = blocking_batch(1);
    let walks = batch_size(Duration::from_millis(50), |n| {
        blocking_batch(n);
    });
    let items = walks * per_walk;
    let samples = interleave(
        rounds,
        items,
        || assert_eq!(blocking_batch(walks), items),
        || assert_eq!(async_batch(walks), items),
    );
    sandbox.controls().clear_requests();
    let (blocking_time, async_time) = (samples.median_a(), samples.median_b());
    report(
        "blocking",
        &format!("list_auto walk of {per_walk} findings, blocking vs async per item"),
        items,
        blocking_time,
        async_time,
        harness::time,
    );
    Row {
        name: format!("5b. list_auto of {per_walk} findings, per item: blocking vs async"),
        a: format!("blocking {}", harness::time(blocking_time)),
        b: format!("async {}", harness::time(async_time)),
        ratio: blocking_time / async_time,
        spread: Some(samples.ratio_quartiles()),
        goal: None,
    }
}

/// The seed has a few hundred findings; completed scans add more. Creates
/// full scans round the assets and moves the clock past their end until there
/// are at least [`ITEMS`].
async fn grow_findings(sdk: &s4e::Client, sandbox: &Sandbox) -> (u64, usize) {
    let total = || async {
        sdk.findings()
            .list()
            .per_page(1)
            .await
            .expect("findings list")
            .total
            .expect("the sandbox sends a total")
    };
    let mut findings = total().await;
    let mut scans = 0;
    if findings >= ITEMS as u64 {
        return (findings, scans);
    }
    let assets: Vec<s4e::AssetId> = sdk
        .assets()
        .list_auto()
        .per_page(100)
        .map(|asset| asset.expect("assets list").id)
        .collect()
        .await;
    while findings < ITEMS as u64 {
        // A full scan finds 4 to 8: aim at what is missing, without
        // overshooting much (every list request sorts all findings).
        let wanted = (ITEMS as u64 - findings).div_ceil(6) as usize;
        for _ in 0..wanted {
            let asset = assets[scans % assets.len()].clone();
            sdk.scans()
                .create(asset, s4e::ScanType::Full)
                .await
                .expect("scan created");
            scans += 1;
        }
        sandbox.controls().advance(Duration::from_secs(6 * 3600));
        findings = total().await;
    }
    sandbox.controls().clear_requests();
    (findings, scans)
}

/// Every item of [`PAGES`] pages, `k` page requests at a time; returns how
/// many items came.
async fn walk(sdk: &s4e::Client, k: usize) -> usize {
    let mut items = sdk
        .findings()
        .list_auto()
        .per_page(PER_PAGE)
        .max_items(ITEMS)
        .concurrency(k);
    let mut count = 0;
    while let Some(item) = items.next().await {
        black_box(item.expect("page of findings"));
        count += 1;
    }
    count
}

/// A finding without an identity (`s4e::Identified`): a walk of these keeps
/// no identity set, so its peak heap is the pages it holds alone.
#[derive(serde::Deserialize)]
#[serde(transparent)]
struct PlainFinding(#[allow(dead_code)] Finding);

/// `GET /findings` over [`PlainFinding`]: the same requests and pages as
/// `findings().list_auto()`.
#[s4e::endpoint(GET, "/findings", paginated, response = PlainFinding)]
#[derive(Default)]
struct ListPlainFindings {}

/// [`walk`] over [`PlainFinding`]s.
async fn walk_plain(sdk: &s4e::Client, k: usize) -> usize {
    let mut items = sdk
        .paginate(ListPlainFindings::default())
        .per_page(PER_PAGE)
        .max_items(ITEMS)
        .concurrency(k);
    let mut count = 0;
    while let Some(item) = items.next().await {
        black_box(item.expect("page of findings"));
        count += 1;
    }
    count
}

/// 3. 100 pages of 100 findings with 20 ms added per request, one page at a
///    time against [`CONCURRENCY`]; then the peak heap of each walk: the
///    pages held (over items without identity, the bound of issue 5), and
///    with the set of identities a walk of findings keeps to yield each once.
fn paginate(bench: &Bench, walks: usize, latency: Duration) -> (Vec<Row>, CpuRow) {
    let Bench {
        rt, sdk, sandbox, ..
    } = bench;
    let controls = sandbox.controls();
    let started = Instant::now();
    let (total, scans) = rt.block_on(grow_findings(sdk, sandbox));
    println!(
        "paginate   sandbox grown to {total} findings ({scans} scans, {:.1} s)",
        started.elapsed().as_secs_f64()
    );

    // What a page costs without the added latency (server and transfer):
    // the part of each round trip that concurrency cannot hide on 2 cores.
    let page_cost: Vec<f64> = (0..20)
        .map(|_| {
            let start = Instant::now();
            black_box(rt.block_on(bench.raw.page_body(50, PER_PAGE)));
            start.elapsed().as_secs_f64()
        })
        .collect();
    println!(
        "paginate   one page round trip without added latency: {} (median of 20)",
        harness::time(harness::median(&page_cost))
    );

    controls.set_latency(latency);
    controls.clear_requests();
    let count = rt.block_on(walk(sdk, CONCURRENCY));
    assert_eq!(count, ITEMS, "a walk yields every item");
    assert_eq!(
        controls.count("GET", "/findings"),
        PAGES,
        "a walk asks for each page once"
    );

    let walk_with = |k: usize| move || assert_eq!(rt.block_on(walk(sdk, k)), ITEMS);
    let samples = interleave(walks, 1, walk_with(1), walk_with(CONCURRENCY));
    let (one, many) = (samples.median_a(), samples.median_b());
    report(
        "paginate",
        &format!("concurrency(1) vs ({CONCURRENCY}) per walk"),
        1,
        one,
        many,
        harness::time,
    );
    let mut rows = vec![Row {
        name: format!(
            "3. {PAGES} pages x {PER_PAGE}, +{} ms: concurrency(1) vs ({CONCURRENCY})",
            latency.as_millis()
        ),
        a: format!("k=1 {}", harness::time(one)),
        b: format!("k={CONCURRENCY} {}", harness::time(many)),
        ratio: one / many,
        spread: Some(samples.ratio_quartiles()),
        // Issue 12's goal (issue 5 asked for 6x).
        goal: Some(Goal::AtLeast(7.0)),
    }];
    let cpu = CpuRow {
        name: format!("3. walk of {PAGES} pages"),
        sides: [
            ("k=1".into(), samples.cpu_a()),
            (format!("k={CONCURRENCY}"), samples.cpu_b()),
        ],
    };

    // What one page of items weighs once decoded: the unit of the bound.
    let before = alloc::live();
    let page = decode_sdk(&bench.page_body);
    let page_bytes = (alloc::live() - before) as f64;
    drop(page);
    let peak_of = |walk_once: &dyn Fn() -> usize| {
        let start = alloc::live();
        alloc::reset_peak();
        assert_eq!(walk_once(), ITEMS);
        (alloc::peak() - start) as f64
    };
    for k in [1, CONCURRENCY] {
        let pages_only = peak_of(&|| rt.block_on(walk_plain(sdk, k)));
        let with_identities = peak_of(&|| rt.block_on(walk(sdk, k)));
        println!(
            "memory     k={k}: peak {} above the start (findings with their identity set: {}); one decoded page {}, its body {}",
            harness::bytes(pages_only),
            harness::bytes(with_identities),
            harness::bytes(page_bytes),
            harness::bytes(bench.page_body.len() as f64),
        );
        rows.push(Row {
            name: format!("3. peak heap of the k={k} walk, in decoded pages"),
            a: format!("peak {}", harness::bytes(pages_only)),
            b: format!("page {}", harness::bytes(page_bytes)),
            ratio: pages_only / page_bytes,
            spread: None,
            goal: Some(Goal::AtMost((k + 1) as f64)),
        });
        rows.push(Row {
            name: format!("3. the same, findings with their {ITEMS} identities"),
            a: format!("peak {}", harness::bytes(with_identities)),
            b: format!("page {}", harness::bytes(page_bytes)),
            ratio: with_identities / page_bytes,
            spread: None,
            goal: None,
        });
    }
    controls.set_latency(Duration::ZERO);
    controls.clear_requests();
    (rows, cpu)
}

/// The 1, 5 and 15 minute load averages, to tell how quiet the machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}
