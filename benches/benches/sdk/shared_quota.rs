//! 8. Many workers, one key (issue 19): 4 processes × 8 tasks make 1,000
//!    `get(id)` calls in all with `retries(0)` against the sandbox binary at
//!    `--rate-limit 600`, each process with a `RedisStore` on one local
//!    Redis; the same without the store; and with the store while Redis is
//!    stopped 20 s into the run and started again 20 s later. Goals: no 429
//!    with the store, and a total time within 15 % of what the windows allow.
//! 9. What a call pays for the store: sequential `get`s against the
//!    in-process sandbox (no limit), `RedisStore` on a local Redis vs the
//!    default in-process store.
//!
//! Selected only by its key (`cargo bench -p s4e-benches -- shared_quota`):
//! it waits out rate-limit windows, minutes in all. It needs
//! `S4E_BENCH_SANDBOX_BIN` (a built `s4e-sandbox`), the example
//! `shared_quota` built in the bench's profile (`cargo build --release -p
//! s4e-examples --example shared_quota`), and `redis-server` on PATH.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::Bench;
use crate::harness::{Goal, Row, interleave};
use crate::pacing::BinarySandbox;

const PROCESSES: usize = 4;
const TASKS: usize = 8;
const CALLS: usize = 1_000;
const LIMIT: usize = 600;

/// A `redis-server` of the bench's own, without persistence.
struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    fn start() -> RedisServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = RedisServer { port, child: None };
        server.start_again();
        server
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn start_again(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts (is it on PATH?)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server does not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What the processes of one run saw, together.
#[derive(Default)]
struct Run {
    elapsed: Duration,
    ok: usize,
    answered_429: usize,
    unsent: usize,
    failed: usize,
    /// What the windows allow: the first window's `LIMIT` calls, its end,
    /// and the rest at the speed the first window's calls went.
    allowed: Duration,
}

fn run(
    sandbox_bin: &Path,
    worker_bin: &Path,
    redis: Option<&mut RedisServer>,
    outage: bool,
) -> Run {
    let sandbox = BinarySandbox::start(sandbox_bin);
    let id = first_finding(&sandbox.base_url);
    let started_at = SystemTime::now();
    let started = Instant::now();
    let redis_url = redis.as_ref().map(|r| r.url());
    let workers: Vec<Child> = (0..PROCESSES)
        .map(|_| {
            let mut command = Command::new(worker_bin);
            command
                .args([
                    (CALLS / PROCESSES).to_string(),
                    TASKS.to_string(),
                    id.clone(),
                ])
                .env("S4E_API_KEY", "sk_sandbox_full_access")
                .env("S4E_BASE_URL", &sandbox.base_url)
                .env_remove("S4E_RATE_LIMIT_REDIS")
                .stdout(Stdio::piped());
            if let Some(url) = &redis_url {
                command.env("S4E_RATE_LIMIT_REDIS", url);
            }
            command.spawn().expect("the shared_quota example starts")
        })
        .collect();
    if let (true, Some(redis)) = (outage, redis) {
        std::thread::sleep(Duration::from_secs(20));
        redis.stop();
        println!(
            "shared     Redis stopped at {:.1} s",
            started.elapsed().as_secs_f64()
        );
        std::thread::sleep(Duration::from_secs(20));
        redis.start_again();
        println!(
            "shared     Redis started again at {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let mut run = Run::default();
    let mut successes: Vec<u128> = Vec::with_capacity(CALLS);
    for worker in workers {
        let output = worker.wait_with_output().expect("a worker ends");
        let stdout = String::from_utf8_lossy(&output.stdout);
        for line in stdout.lines() {
            if let Some(times) = line.strip_prefix("successes_unix_ms=") {
                successes.extend(times.split(',').filter_map(|t| t.parse::<u128>().ok()));
            }
            for field in line.split(' ') {
                let count = |name: &str| {
                    field
                        .strip_prefix(name)
                        .and_then(|n| n.parse::<usize>().ok())
                        .unwrap_or(0)
                };
                run.ok += count("ok=");
                run.answered_429 += count("answered_429=");
                run.unsent += count("unsent=");
                run.failed += count("failed=");
            }
        }
    }
    run.elapsed = started.elapsed();
    successes.sort_unstable();
    let start_ms = started_at
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis();
    if let (Some(first), Some(burst_end)) = (successes.first(), successes.get(LIMIT - 1)) {
        // The window opened with the first request, on a whole second, and
        // lasts a minute.
        let window_end = first / 1000 * 1000 + 60_000;
        let burst = burst_end.saturating_sub(start_ms) as f64;
        let rest = burst * (CALLS - LIMIT) as f64 / LIMIT as f64;
        run.allowed =
            Duration::from_millis((window_end.saturating_sub(start_ms) as f64 + rest) as u64);
    }
    run
}

fn first_finding(base_url: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    // The read-only key's window is its own: the full-access key starts
    // the run with all 600 left.
    runtime.block_on(async {
        let reader = s4e::Client::builder("sk_sandbox_read_only")
            .base_url(base_url)
            .build()
            .expect("the SDK client builds");
        let page = reader.findings().list().per_page(1).await.expect("a page");
        page.items[0].id.to_string()
    })
}

fn print(name: &str, run: &Run) {
    println!(
        "shared     {name}: {} ok, {} answered 429, {} not sent, {} failed otherwise, {:.1} s (the windows allow {:.1} s)",
        run.ok,
        run.answered_429,
        run.unsent,
        run.failed,
        run.elapsed.as_secs_f64(),
        run.allowed.as_secs_f64()
    );
}

pub(crate) fn shared_quota(bench: &Bench, rounds: usize) -> Vec<Row> {
    let mut rows = vec![store_cost(bench, rounds)];
    let Some(sandbox_bin) = std::env::var_os("S4E_BENCH_SANDBOX_BIN").map(PathBuf::from) else {
        println!(
            "shared     skipped the multi-process runs: set S4E_BENCH_SANDBOX_BIN to a built s4e-sandbox"
        );
        return rows;
    };
    // The example, built in this bench's profile: target/<profile>/examples.
    let worker_bin = std::env::current_exe()
        .expect("the bench binary")
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .join("examples")
        .join(format!("shared_quota{}", std::env::consts::EXE_SUFFIX));
    if !worker_bin.exists() {
        println!(
            "shared     skipped the multi-process runs: build {} first (cargo build --release -p s4e-examples --example shared_quota)",
            worker_bin.display()
        );
        return rows;
    }
    println!(
        "shared     {PROCESSES} processes x {TASKS} tasks, {CALLS} gets, --rate-limit {LIMIT}, retries(0)"
    );
    let mut redis = RedisServer::start();
    let with = run(&sandbox_bin, &worker_bin, Some(&mut redis), false);
    print("with the Redis store", &with);
    let without = run(&sandbox_bin, &worker_bin, None, false);
    print("without a store", &without);
    let outage = run(&sandbox_bin, &worker_bin, Some(&mut redis), true);
    print(
        "with the store, Redis stopped at 20 s and started at 40 s",
        &outage,
    );
    rows.extend([
        Row {
            name: format!(
                "8. {CALLS} gets, {PROCESSES} procs x {TASKS} tasks, {LIMIT}/min: 429s with Redis"
            ),
            a: format!("with {}", with.answered_429),
            b: format!("without {}", without.answered_429),
            ratio: with.answered_429 as f64,
            spread: None,
            goal: Some(Goal::AtMost(0.0)),
        },
        Row {
            name: "8. ... total time with Redis vs what the windows allow".into(),
            a: format!("with {:.1} s", with.elapsed.as_secs_f64()),
            b: format!("allowed {:.1} s", with.allowed.as_secs_f64()),
            ratio: with.elapsed.as_secs_f64() / with.allowed.as_secs_f64(),
            spread: None,
            goal: Some(Goal::AtMost(1.15)),
        },
        Row {
            name: "8. ... Redis down 20 s mid-run: calls failed otherwise".into(),
            a: format!(
                "{} ended",
                outage.ok + outage.answered_429 + outage.unsent + outage.failed
            ),
            b: format!("{} x 429", outage.answered_429),
            ratio: outage.failed as f64,
            spread: None,
            goal: Some(Goal::AtMost(0.0)),
        },
    ]);
    rows
}

/// 9: sequential gets with the Redis store against the in-process store.
fn store_cost(bench: &Bench, rounds: usize) -> Row {
    let redis = RedisServer::start();
    let builder = s4e::Client::builder(bench.sandbox.api_key()).base_url(bench.sandbox.base_url());
    let in_process = builder.clone().build().expect("a client");
    let shared = builder
        .rate_limit_store(s4e::ratelimit::RedisStore::new(&redis.url()).expect("a Redis URL"))
        .build()
        .expect("a client");
    const OPS: usize = 200;
    let batch = |client: &s4e::Client| {
        bench.rt.block_on(async {
            for i in 0..OPS {
                let id = bench.ids[i % bench.ids.len()].as_str();
                client.findings().get(id).await.expect("a finding");
            }
        });
    };
    let samples = interleave(rounds, OPS, || batch(&shared), || batch(&in_process));
    let (a, b) = (samples.median_a(), samples.median_b());
    println!(
        "shared     a call pays {:.0} µs for the Redis store ({:.0} µs vs {:.0} µs a get)",
        (a - b) * 1e6,
        a * 1e6,
        b * 1e6
    );
    Row {
        name: "9. get, Redis store (local) vs in-process store".into(),
        a: format!("{:.0} µs", a * 1e6),
        b: format!("{:.0} µs", b * 1e6),
        ratio: a / b,
        spread: Some(samples.ratio_quartiles()),
        goal: None,
    }
}
