//! One of many workers that share one API key's rate limit through Redis:
//! start it N times (on one machine or many) with the same key, base URL and
//! Redis, and together they stay within the key's window.
//!
//! Reads `S4E_API_KEY`, `S4E_BASE_URL` and `S4E_RATE_LIMIT_REDIS` (without
//! it, the worker paces alone, as without the store); the arguments are the
//! calls to make, the tasks to make them with, and the finding to get.
//! It prints one line of counts, then the Unix milliseconds of each success
//! (for `benches/`' shared-quota run).
//!
//! ```sh
//! S4E_API_KEY=sk_live_... S4E_RATE_LIMIT_REDIS=redis://127.0.0.1:6379 \
//!     cargo run --example shared_quota -- 250 8 fnd_01HZX...
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use futures_util::future::join_all;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: shared_quota <calls> <tasks> <finding id>";
    let calls: usize = args.next().ok_or(usage)?.parse()?;
    let tasks: usize = args.next().ok_or(usage)?.parse()?;
    let id = args.next().ok_or(usage)?;

    let mut builder = s4e::ClientBuilder::from_env()?.retries(0);
    if let Ok(url) = std::env::var("S4E_RATE_LIMIT_REDIS") {
        builder = builder.rate_limit_store(s4e::ratelimit::RedisStore::new(&url)?);
    }
    let client = builder.build()?;

    let next = AtomicUsize::new(0);
    let answered_429 = AtomicUsize::new(0);
    let unsent = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let successes = std::sync::Mutex::new(Vec::with_capacity(calls));
    let started = Instant::now();
    join_all((0..tasks).map(|_| async {
        while next.fetch_add(1, Ordering::Relaxed) < calls {
            match client.findings().get(id.as_str()).await {
                Ok(_) => {
                    let at = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
                    successes.lock().expect("not poisoned").push(at);
                }
                // A 429 the pacer raised without sending has no request id.
                Err(s4e::Error::RateLimit(api)) if api.request_id().is_none() => {
                    unsent.fetch_add(1, Ordering::Relaxed);
                }
                Err(s4e::Error::RateLimit(_)) => {
                    answered_429.fetch_add(1, Ordering::Relaxed);
                }
                Err(error) => {
                    eprintln!("shared_quota: {error}");
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        Ok::<(), std::time::SystemTimeError>(())
    }))
    .await
    .into_iter()
    .collect::<Result<(), _>>()?;
    let successes = successes.into_inner().expect("not poisoned");
    println!(
        "ok={} answered_429={} unsent={} failed={} elapsed_ms={}",
        successes.len(),
        answered_429.into_inner(),
        unsent.into_inner(),
        failed.into_inner(),
        started.elapsed().as_millis()
    );
    let times: Vec<String> = successes.iter().map(u128::to_string).collect();
    println!("successes_unix_ms={}", times.join(","));
    Ok(())
}
