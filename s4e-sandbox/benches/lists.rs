//! `cargo bench -p s4e-sandbox --bench lists`: the sandbox process's CPU time
//! per list request. It starts the `s4e-sandbox` binary (`--manual-clock`,
//! seed 42), grows the data to 10,000 findings with full scans, then walks
//! `GET /findings?per_page=100` page after page (and the scans and assets
//! lists once each per walk), and reads the process's user + system time
//! from `/proc/<pid>/stat` before and after. Only the server's CPU counts,
//! not this client's. See BENCHMARKS.md.
//!
//! `S4E_BENCH_WALKS` sets the number of walks (default 20), and
//! `S4E_BENCH_SANDBOX_BIN` another `s4e-sandbox` binary to measure (an older
//! build, for a before/after comparison under the same machine load).

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// "100 pages of 100 findings".
const FINDINGS: u64 = 10_000;
const PER_PAGE: u64 = 100;
const KEY: &str = "Bearer sk_sandbox_full_access";
/// Linux reports CPU time in USER_HZ ticks, 100 a second on every architecture.
const TICKS_PER_SECOND: f64 = 100.0;

type Http = Client<HttpConnector, Full<Bytes>>;

fn main() {
    let walks: u64 = std::env::var("S4E_BENCH_WALKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(20);
    let mut sandbox = Sandbox::start();
    if cpu_seconds(sandbox.child.id()).is_none() {
        println!("lists: needs /proc/<pid>/stat (Linux) to read the sandbox's CPU time");
        sandbox.stop();
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let http: Http = Client::builder(TokioExecutor::new()).build_http();
        let base = sandbox.base.clone();
        let total = grow(&http, &base).await;
        let pages = total.div_ceil(PER_PAGE);
        // One walk first, so what is measured runs warm.
        walk(&http, &base, pages).await;

        let pid = sandbox.child.id();
        let cpu_before = cpu_seconds(pid).expect("the sandbox runs");
        let started = Instant::now();
        let mut requests = 0;
        for _ in 0..walks {
            requests += walk(&http, &base, pages).await;
        }
        let wall = started.elapsed();
        let cpu = cpu_seconds(pid).expect("the sandbox runs") - cpu_before;
        println!(
            "lists: {total} findings, {walks} walks of {pages} pages of {PER_PAGE} \
             (+ scans and assets, {PER_PAGE} a page, once a walk): {requests} list requests"
        );
        println!(
            "  sandbox CPU {:.2} s, {:.0} µs per list request; wall {:.2} s, {:.0} µs per request",
            cpu,
            cpu * 1e6 / requests as f64,
            wall.as_secs_f64(),
            wall.as_secs_f64() * 1e6 / requests as f64,
        );
    });
    sandbox.stop();
}

/// Every page of the findings, then a page of scans and of assets.
async fn walk(http: &Http, base: &str, pages: u64) -> u64 {
    for page in 1..=pages {
        let body = call(
            http,
            Method::GET,
            &format!("{base}/findings?per_page={PER_PAGE}&page={page}"),
            None,
        )
        .await;
        assert!(body.starts_with(b"{\"data\":["), "a page of findings");
    }
    for list in ["scans", "assets"] {
        call(
            http,
            Method::GET,
            &format!("{base}/{list}?per_page={PER_PAGE}"),
            None,
        )
        .await;
    }
    pages + 2
}

/// Full scans round the assets, with the clock moved past their end, until
/// there are [`FINDINGS`]; returns how many there are.
async fn grow(http: &Http, base: &str) -> u64 {
    let assets = get_json(http, &format!("{base}/assets?per_page=100")).await;
    let ids: Vec<String> = assets["data"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|asset| asset["id"].as_str().map(str::to_owned))
        .collect();
    assert!(!ids.is_empty(), "the seed has assets");
    let root = base.trim_end_matches("/v1");
    let mut scans = 0;
    loop {
        let total = total(http, base).await;
        if total >= FINDINGS {
            return total;
        }
        // A full scan finds 4 to 8.
        for _ in 0..(FINDINGS - total).div_ceil(6) {
            let body =
                serde_json::json!({ "asset_id": ids[scans % ids.len()], "scan_type": "full" });
            call(http, Method::POST, &format!("{base}/scans"), Some(body)).await;
            scans += 1;
        }
        let advance = serde_json::json!({ "seconds": 6 * 3600 });
        call(
            http,
            Method::POST,
            &format!("{root}/__sandbox/clock/advance"),
            Some(advance),
        )
        .await;
    }
}

async fn total(http: &Http, base: &str) -> u64 {
    let page = get_json(http, &format!("{base}/findings?per_page=1")).await;
    page["meta"]["total"].as_u64().expect("a total")
}

async fn get_json(http: &Http, url: &str) -> serde_json::Value {
    serde_json::from_slice(&call(http, Method::GET, url, None).await).expect("JSON")
}

async fn call(http: &Http, method: Method, url: &str, body: Option<serde_json::Value>) -> Bytes {
    let body = body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string()));
    let request = Request::builder()
        .method(method)
        .uri(url)
        .header("authorization", KEY)
        .header("content-type", "application/json")
        .body(Full::new(body))
        .expect("a request");
    let response = http.request(request).await.expect("an answer");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    assert!(
        status.is_success(),
        "{url}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    body
}

/// User + system CPU seconds of process `pid`, all its threads.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (2nd field) may hold spaces; it ends at the last ')'.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / TICKS_PER_SECOND)
}

struct Sandbox {
    child: Child,
    base: String,
    /// Kept open: the sandbox prints more after its first line, and a
    /// closed pipe would end it.
    _stdout: BufReader<ChildStdout>,
}

impl Sandbox {
    fn start() -> Sandbox {
        let binary = std::env::var_os("S4E_BENCH_SANDBOX_BIN")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_s4e-sandbox").into());
        let mut child = Command::new(binary)
            .args(["--port", "0", "--seed", "42", "--manual-clock"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the sandbox binary starts");
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("its stdout"));
        stdout.read_line(&mut first).expect("its banner");
        let base = first
            .trim()
            .rsplit(' ')
            .next()
            .expect("the base URL ends the first line")
            .to_owned();
        Sandbox {
            child,
            base,
            _stdout: stdout,
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}
