//! 7. Pacing to the rate limit (issue 12): 8 tasks sharing one client with
//!    `retries(0)` make 1,000 `get(id)` calls against the sandbox limited to
//!    600 requests a minute, with pacing on and off. The goal: no 429 with
//!    pacing on, and a total time within 15 % of what the limit allows.
//!
//! Selected only by its key (`cargo bench -p s4e-benches -- pacing`): it
//! waits out a whole rate-limit window, a minute. It runs against the
//! in-process sandbox, or, with `S4E_BENCH_SANDBOX_BIN` set to a built
//! `s4e-sandbox` binary, against that binary started with `--rate-limit 600`
//! (a new process per run, so each starts with a fresh window).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use futures_util::future::join_all;

use crate::Bench;
use crate::harness::{Goal, Row};

const LIMIT: u32 = 600;
const CALLS: usize = 1_000;
const TASKS: usize = 8;

/// What one run saw.
struct Run {
    elapsed: Duration,
    ok: usize,
    /// 429s the sandbox answered.
    answered_429: usize,
    /// Calls that failed without being sent (the pacer could not wait).
    unsent: usize,
    /// When the first window ended, by the first answer's `X-RateLimit-Reset`,
    /// counted from the start.
    first_reset: Option<Duration>,
    /// When the last call of the first window's `LIMIT` was answered.
    burst: Option<Duration>,
}

/// Where the calls go.
enum Target<'a> {
    /// The bench's own sandbox, in this process.
    InProcess(&'a Bench),
    /// A `s4e-sandbox` binary, started anew for each run.
    Binary(&'a std::path::Path),
}

fn run(bench: &Bench, target: &Target<'_>, pacing: bool) -> Run {
    match target {
        Target::InProcess(bench) => {
            let Bench { sandbox, ids, .. } = bench;
            let controls = sandbox.controls();
            // A fresh window: the limit is set anew, and the runs do not share one.
            controls.set_rate_limit(Some(LIMIT));
            controls.clear_requests();
            let mut run = drive(bench, sandbox.base_url(), sandbox.api_key(), ids, pacing);
            // The sandbox's own log says how many 429s it answered.
            run.answered_429 = controls
                .requests()
                .iter()
                .filter(|r| r.status == Some(429))
                .count();
            controls.set_rate_limit(None);
            controls.clear_requests();
            run
        }
        Target::Binary(path) => {
            let mut server = BinarySandbox::start(path);
            // Listed with the read-only key, whose window is its own, so the
            // full-access key starts the run with all 600 left.
            let ids: Vec<String> = bench.rt.block_on(async {
                let reader = s4e::Client::builder("sk_sandbox_read_only")
                    .base_url(server.base_url.as_str())
                    .build()
                    .expect("the SDK client builds");
                let page = reader
                    .findings()
                    .list()
                    .per_page(100)
                    .await
                    .expect("the binary lists its seed findings");
                page.items.into_iter().map(|f| f.id.to_string()).collect()
            });
            let run = drive(
                bench,
                &server.base_url,
                "sk_sandbox_full_access",
                &ids,
                pacing,
            );
            server.stop();
            run
        }
    }
}

/// Makes the calls; `answered_429` counts the 429s the client received
/// (a 429 the pacer raised without sending has no request id).
fn drive(bench: &Bench, base_url: &str, key: &str, ids: &[String], pacing: bool) -> Run {
    let client = s4e::Client::builder(key)
        .base_url(base_url)
        .retries(0)
        .rate_limit_pacing(pacing)
        .build()
        .expect("the SDK client builds");
    let next = AtomicUsize::new(0);
    let ok = AtomicUsize::new(0);
    let unsent = AtomicUsize::new(0);
    let answered_429 = AtomicUsize::new(0);
    let started_at = SystemTime::now();
    let started = Instant::now();
    let burst = std::sync::Mutex::new(None);
    let first_reset = std::sync::OnceLock::new();
    bench.rt.block_on(join_all((0..TASKS).map(|_| async {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= CALLS {
                break;
            }
            match client.findings().get(ids[i % ids.len()].as_str()).await {
                Ok(_) => {
                    if let Some(state) = client.rate_limit() {
                        first_reset.get_or_init(|| state.reset);
                    }
                    if ok.fetch_add(1, Ordering::Relaxed) + 1 == LIMIT as usize {
                        *burst.lock().unwrap() = Some(started.elapsed());
                    }
                }
                Err(s4e::Error::RateLimit(api)) if api.request_id().is_none() => {
                    unsent.fetch_add(1, Ordering::Relaxed);
                }
                Err(s4e::Error::RateLimit(_)) => {
                    answered_429.fetch_add(1, Ordering::Relaxed);
                }
                Err(_) => {}
            }
        }
    })));
    let elapsed = started.elapsed();
    Run {
        elapsed,
        ok: ok.into_inner(),
        answered_429: answered_429.into_inner(),
        unsent: unsent.into_inner(),
        first_reset: first_reset
            .into_inner()
            .and_then(|reset| reset.duration_since(started_at).ok()),
        burst: burst.into_inner().unwrap(),
    }
}

/// A `s4e-sandbox` process limited to `LIMIT` requests a minute per key.
pub(crate) struct BinarySandbox {
    child: Child,
    pub(crate) base_url: String,
}

impl BinarySandbox {
    pub(crate) fn start(path: &std::path::Path) -> BinarySandbox {
        let mut child = Command::new(path)
            .args(["--port", "0", "--rate-limit", &LIMIT.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let base_url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.strip_prefix("S4E sandbox listening on ")
                    .map(str::to_owned)
            })
            .expect("the sandbox prints its base URL");
        // The rest of its output is read to the end: a closed pipe would
        // fail the sandbox's next print.
        std::thread::spawn(move || lines.for_each(drop));
        BinarySandbox { child, base_url }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for BinarySandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

pub(crate) fn pacing(bench: &Bench) -> Vec<Row> {
    let binary = std::env::var_os("S4E_BENCH_SANDBOX_BIN").map(std::path::PathBuf::from);
    let target = match &binary {
        Some(path) => Target::Binary(path),
        None => Target::InProcess(bench),
    };
    let against = match &binary {
        Some(path) => format!("the binary {}", path.display()),
        None => "the in-process sandbox".to_owned(),
    };
    println!("pacing     against {against}, --rate-limit {LIMIT}");
    let off = run(bench, &target, false);
    println!(
        "pacing     off: {} ok, {} answered 429, {:.2} s",
        off.ok,
        off.answered_429,
        off.elapsed.as_secs_f64()
    );
    let on = run(bench, &target, true);
    println!(
        "pacing     on:  {} ok, {} answered 429, {} not sent, {:.2} s",
        on.ok,
        on.answered_429,
        on.unsent,
        on.elapsed.as_secs_f64()
    );
    // What the limit allows: the first window's `LIMIT` calls, a wait for
    // its end, and the rest at the speed the first window's calls went.
    let allowed = match (on.first_reset, on.burst) {
        (Some(reset), Some(burst)) => {
            let rest = CALLS - LIMIT as usize;
            reset + burst.mul_f64(rest as f64 / f64::from(LIMIT))
        }
        _ => Duration::ZERO,
    };
    println!(
        "pacing     on: first window ended after {:.2} s, its {LIMIT} calls took {:.2} s; the limit allows {:.2} s",
        on.first_reset.unwrap_or_default().as_secs_f64(),
        on.burst.unwrap_or_default().as_secs_f64(),
        allowed.as_secs_f64()
    );
    vec![
        Row {
            name: format!("7. {CALLS} gets, {TASKS} tasks, {LIMIT}/min: 429s, pacing on"),
            a: format!("on {}", on.answered_429),
            b: format!("off {}", off.answered_429),
            ratio: on.answered_429 as f64,
            spread: None,
            goal: Some(Goal::AtMost(0.0)),
        },
        Row {
            name: "7. ... total time, pacing on vs what the limit allows".into(),
            a: format!("on {:.1} s", on.elapsed.as_secs_f64()),
            b: format!("allowed {:.1} s", allowed.as_secs_f64()),
            ratio: on.elapsed.as_secs_f64() / allowed.as_secs_f64(),
            spread: None,
            goal: Some(Goal::AtMost(1.15)),
        },
    ]
}
