//! 10. Replay (issue 21): the cassette player against the sandbox it was
//!     recorded from, the same `get` calls in bursts of [`BURST`] on the raw
//!     client, so only the servers differ. Goal: the replay serves at least as
//!     many requests per second as the sandbox.

use std::hint::black_box;
use std::time::Duration;

use futures_util::future::join_all;
use s4e_sandbox::Sandbox;
use tokio::runtime::Runtime;

use crate::harness::{Goal, Row, interleave};
use crate::raw::Raw;
use crate::{BURST, Bench, batch_size, report};

pub(crate) fn replay(bench: &Bench, server: &Runtime, rounds: usize) -> Row {
    let Bench {
        rt, sandbox, ids, ..
    } = bench;
    let dir = std::env::temp_dir().join(format!("s4e-bench-cassette-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let recorder = server
        .block_on(Sandbox::builder().record(sandbox.base_url(), &dir).start())
        .expect("the recorder starts");
    let through = Raw::new(recorder.base_url(), sandbox.api_key());
    rt.block_on(async {
        for id in ids {
            through.get(id).await;
        }
    });
    server.block_on(recorder.shutdown());
    // Every id recorded once; the bursts ask each many times.
    let player = server
        .block_on(Sandbox::builder().replay(&dir).allow_repeats().start())
        .expect("the replay starts");
    let replayed = Raw::new(player.base_url(), sandbox.api_key());
    let direct = Raw::new(sandbox.base_url(), sandbox.api_key());
    let bursts_on = |raw: &Raw, bursts: usize| {
        rt.block_on(async {
            for burst in 0..bursts {
                let calls = (0..BURST).map(|i| raw.get(&ids[(burst * BURST + i) % ids.len()]));
                black_box(join_all(calls).await);
            }
        });
    };
    let bursts = batch_size(Duration::from_millis(100), |n| bursts_on(&direct, n));
    let calls = bursts * BURST;
    let samples = interleave(
        rounds,
        calls,
        || bursts_on(&replayed, bursts),
        || bursts_on(&direct, bursts),
    );
    sandbox.controls().clear_requests();
    drop(player);
    let _ = std::fs::remove_dir_all(&dir);
    let (replay_time, sandbox_time) = (samples.median_a(), samples.median_b());
    let rate = |seconds: f64| format!("{:.0} req/s", 1.0 / seconds);
    report(
        "replay",
        "replay vs sandbox",
        calls,
        replay_time,
        sandbox_time,
        rate,
    );
    let (lo, hi) = samples.ratio_quartiles();
    Row {
        name: format!("10. {BURST} concurrent get: replay vs sandbox throughput"),
        a: format!("replay {}", rate(replay_time)),
        b: format!("sandbox {}", rate(sandbox_time)),
        // Throughput is the inverse of time per call.
        ratio: sandbox_time / replay_time,
        spread: Some((1.0 / hi, 1.0 / lo)),
        goal: Some(Goal::AtLeast(1.0)),
    }
}
