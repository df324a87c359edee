//! 7. Pacing to the rate limit (issue 12): 8 tasks sharing one client with
//!    `retries(0)` make 1,000 `get(id)` calls against the sandbox limited to
//!    600 requests a minute, with pacing on and off. The goal: no 429 with
//!    pacing on, and a total time within 15 % of what the limit allows.
//!
//! Selected only by its key (`cargo bench -p s4e-benches -- pacing`): it
//! waits out a whole rate-limit window, a minute.

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

fn run(bench: &Bench, pacing: bool) -> Run {
    let Bench {
        rt, sandbox, ids, ..
    } = bench;
    let controls = sandbox.controls();
    // A fresh window: the limit is set anew, and the runs do not share one.
    controls.set_rate_limit(Some(LIMIT));
    controls.clear_requests();
    let client = s4e::Client::builder(sandbox.api_key())
        .base_url(sandbox.base_url())
        .retries(0)
        .rate_limit_pacing(pacing)
        .build()
        .expect("the SDK client builds");
    let next = AtomicUsize::new(0);
    let ok = AtomicUsize::new(0);
    let unsent = AtomicUsize::new(0);
    let started_at = SystemTime::now();
    let started = Instant::now();
    let burst = std::sync::Mutex::new(None);
    let first_reset = std::sync::OnceLock::new();
    rt.block_on(join_all((0..TASKS).map(|_| async {
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
                Err(_) => {}
            }
        }
    })));
    let elapsed = started.elapsed();
    let answered_429 = controls
        .requests()
        .iter()
        .filter(|r| r.status == Some(429))
        .count();
    controls.set_rate_limit(None);
    controls.clear_requests();
    Run {
        elapsed,
        ok: ok.into_inner(),
        answered_429,
        unsent: unsent.into_inner(),
        first_reset: first_reset
            .into_inner()
            .and_then(|reset| reset.duration_since(started_at).ok()),
        burst: burst.into_inner().unwrap(),
    }
}

pub(crate) fn pacing(bench: &Bench) -> Vec<Row> {
    let off = run(bench, false);
    println!(
        "pacing     off: {} ok, {} answered 429, {:.2} s",
        off.ok,
        off.answered_429,
        off.elapsed.as_secs_f64()
    );
    let on = run(bench, true);
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
