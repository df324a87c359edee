//! Many workers, one key (issue 19): clients in several processes share one
//! rate-limit window through a real Redis (`s4e::ratelimit::RedisStore`),
//! never a mock of it. See `redis_server.rs` for where the server comes from.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::AsyncCommands;
use s4e::ratelimit::RedisStore;
use s4e_sandbox::Sandbox;
use tracing_subscriber::layer::{Context, SubscriberExt};

use crate::redis_server::{own_redis, redis};
use crate::support::{self, TestResult};

/// A sandbox whose windows of `limit` requests pass every two seconds, with
/// a key of its own (so tests sharing CI's Redis share no window).
async fn sandbox(limit: u32, key: &str) -> Sandbox {
    support::builder()
        .api_key(key)
        .rate_limit(limit)
        .rate_limit_window(Duration::from_secs(2))
        .start()
        .await
        .expect("the sandbox starts")
}

fn client(sandbox: &Sandbox, store: RedisStore) -> s4e::Client {
    support::client_builder(sandbox, sandbox.api_key())
        .retries(0)
        .rate_limit_store(store)
        .build()
        .expect("a client with the Redis store")
}

async fn first_finding(client: &s4e::Client) -> s4e::FindingId {
    client
        .findings()
        .list()
        .per_page(1)
        .await
        .expect("a page")
        .items[0]
        .id
        .clone()
}

/// The statuses of the sandbox's answers.
fn statuses(sandbox: &Sandbox) -> Vec<Option<u16>> {
    sandbox
        .controls()
        .requests()
        .iter()
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn two_stores_share_one_window_and_redis_never_sees_the_key() -> TestResult {
    let Some(redis) = redis("two_stores_share_one_window") else {
        return Ok(());
    };
    let key = format!("sk_test_shared_{}", std::process::id());
    // A minute-long window, so the second client meets it spent.
    let sandbox = support::builder()
        .api_key(&key)
        .rate_limit(5)
        .start()
        .await?;
    let first = client(&sandbox, RedisStore::new(&redis.url)?);
    let id = first_finding(&first).await;
    for _ in 0..4 {
        first.findings().get(id.clone()).await?;
    }
    // Another store (another process, as far as Redis can tell) that has
    // seen no answer of its own: the shared window says nothing remains.
    let second = support::client_builder(&sandbox, sandbox.api_key())
        .retries(0)
        .max_retry_wait(Duration::from_secs(1))
        .rate_limit_store(RedisStore::new(&redis.url)?)
        .build()?;
    let error = second.findings().get(id.clone()).await.unwrap_err();
    assert!(
        matches!(&error, s4e::Error::RateLimit(api) if api.request_id().is_none()),
        "not sent: {error:?}"
    );
    assert_eq!(statuses(&sandbox), [Some(200); 5], "five answers, no 429");

    // What Redis holds: the window, under a digest, and nothing of the key.
    let mut redis_conn = redis.connection().await;
    let prefix = s4e::__private::rate_limit_redis_prefix(sandbox.base_url(), &key);
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut redis_conn)
        .await?;
    assert!(
        keys.iter().any(|k| k == &format!("{prefix}:window")),
        "the window is in Redis: {keys:?}"
    );
    for name in &keys {
        assert!(!name.contains(&key), "a key name holds the API key: {name}");
        let kind: String = redis::cmd("TYPE")
            .arg(name)
            .query_async(&mut redis_conn)
            .await?;
        let values: Vec<String> = match kind.as_str() {
            "hash" => redis_conn.hgetall::<_, Vec<String>>(name).await?,
            "zset" => {
                redis::cmd("ZRANGE")
                    .arg(name)
                    .arg(0)
                    .arg(-1)
                    .arg("WITHSCORES")
                    .query_async(&mut redis_conn)
                    .await?
            }
            "string" => vec![redis_conn.get(name).await?],
            "list" => redis_conn.lrange(name, 0, -1).await?,
            "set" => redis_conn.smembers(name).await?,
            other => panic!("a value of type {other} under {name}"),
        };
        for value in values {
            assert!(!value.contains(&key), "{name} holds the API key");
        }
    }
    let window: Vec<String> = redis_conn.hgetall(format!("{prefix}:window")).await?;
    assert!(
        window.windows(2).any(|pair| pair == ["remaining", "0"]),
        "the shared window is spent: {window:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_cancelled_requests_leak_no_slot() -> TestResult {
    let Some(redis) = redis("ten_thousand_cancelled_requests_leak_no_slot") else {
        return Ok(());
    };
    // A server that accepts and never answers: every request ends without
    // an answer.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}/v1", listener.local_addr()?);
    let server = tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut sink = Vec::new();
                let _ = tokio::io::AsyncReadExt::read_to_end(&mut socket, &mut sink).await;
            });
        }
    });
    let key = format!("sk_test_cancelled_{}", std::process::id());
    let store = RedisStore::new(&redis.url)?;
    let builder = s4e::Client::builder(key.as_str())
        .base_url(base_url.as_str())
        .retries(0)
        .rate_limit_store(store);
    let client = builder.clone().build()?;
    let timing_out = builder.clone().timeout(Duration::from_millis(5)).build()?;
    // The SDK survives a panicking hook; the attempt then ends at its
    // timeout.
    let panicking = builder
        .timeout(Duration::from_millis(5))
        .on_request(|_| panic!("a hook that panics (on purpose)"))
        .build()?;
    let prefix = s4e::__private::rate_limit_redis_prefix(&base_url, &key);
    let slots = format!("{prefix}:slots");
    let mut redis_conn = redis.connection().await;

    // While a request is out, Redis holds its slot.
    let held = tokio::spawn({
        let client = client.clone();
        async move { client.findings().get("fnd_held").await }
    });
    let mut waited = 0;
    while redis_conn.zcard::<_, u64>(&slots).await? == 0 {
        waited += 1;
        assert!(waited < 500, "the held request's slot never appeared");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    held.abort();

    let mut cancelled = 0;
    for batch in 0..50 {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..200 {
            let n = batch * 200 + i;
            let (client, timing_out, panicking) =
                (client.clone(), timing_out.clone(), panicking.clone());
            tasks.spawn(async move {
                let id = format!("fnd_{n}");
                match n % 1000 {
                    // A panic in a hook, after the slot was taken.
                    0 => {
                        let result = panicking.findings().get(id).await;
                        assert!(result.is_err(), "no answer can come: {result:?}");
                    }
                    // The client's own timeout (connecting, or waiting for
                    // the answer).
                    n if n % 2 == 0 => {
                        let result = timing_out.findings().get(id).await;
                        assert!(
                            matches!(
                                result,
                                Err(s4e::Error::Timeout(_) | s4e::Error::Connect { .. })
                            ),
                            "{result:?}"
                        );
                    }
                    // The caller drops the future.
                    _ => {
                        let result = tokio::time::timeout(
                            Duration::from_millis(5),
                            client.findings().get(id),
                        )
                        .await;
                        assert!(result.is_err(), "no answer can come: {result:?}");
                    }
                }
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(()) => cancelled += 1,
                Err(error) if error.is_panic() => cancelled += 1,
                Err(error) => return Err(error.into()),
            }
        }
    }
    assert_eq!(cancelled, 10_000);
    // Releases run in the background: give them a moment, not a lease's
    // worth of time.
    let mut left = u64::MAX;
    for _ in 0..500 {
        left = redis_conn.zcard(&slots).await?;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        left, 0,
        "slots leaked in Redis after 10,000 cancelled requests"
    );
    server.abort();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_whose_clock_is_off_does_not_move_the_shared_window() -> TestResult {
    let Some(redis) = redis("a_worker_whose_clock_is_off") else {
        return Ok(());
    };
    let key = format!("sk_test_skew_{}", std::process::id());
    let sandbox = sandbox(6, &key).await;
    let id = first_finding(&support::client(&sandbox)).await;
    // Three workers: one clock 30 s ahead, one 30 s behind, one right. A
    // window judged by the one ahead would have ended long ago (so it would
    // send early and meet 429s); by the one behind, it would end 30 s late
    // (past max_retry_wait: its calls would fail unsent).
    let mut tasks = Vec::new();
    for offset_ms in [30_000, -30_000, 0] {
        let store = RedisStore::new(&redis.url)?;
        s4e::__private::skew_rate_limit_clock(&store, offset_ms);
        let client = support::client_builder(&sandbox, sandbox.api_key())
            .retries(0)
            .max_retry_wait(Duration::from_secs(5))
            .rate_limit_store(store)
            .build()?;
        for _ in 0..2 {
            let (client, id) = (client.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                for _ in 0..3 {
                    client.findings().get(id.clone()).await?;
                }
                Ok::<_, s4e::Error>(())
            }));
        }
    }
    for task in tasks {
        task.await??;
    }
    // 18 calls after the list: past three windows of 6.
    let seen = statuses(&sandbox);
    assert_eq!(seen.len(), 19);
    assert!(seen.iter().all(|s| *s == Some(200)), "{seen:?}");
    Ok(())
}

/// The events of the targets `s4e` and `s4e::pacing`: level, target,
/// message, and `wait_ms` when there is one.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<Recorded>>>);

/// Level, target, message, `wait_ms`.
type Recorded = (tracing::Level, String, String, Option<u64>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Events {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        #[derive(Default)]
        struct Fields(String, Option<u64>);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
            fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
                if field.name() == "wait_ms" {
                    self.1 = Some(value);
                }
            }
        }
        let meta = event.metadata();
        if meta.target().starts_with("s4e") && *meta.level() <= tracing::Level::INFO {
            let mut fields = Fields::default();
            event.record(&mut fields);
            self.0.lock().unwrap().push((
                *meta.level(),
                meta.target().to_owned(),
                fields.0,
                fields.1,
            ));
        }
    }
}

impl Events {
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        tracing::subscriber::set_default(tracing_subscriber::registry().with(self.clone()))
    }

    fn count(&self, level: tracing::Level, message_part: &str) -> usize {
        let events = self.0.lock().unwrap();
        events
            .iter()
            .filter(|(l, _, m, _)| *l == level && m.contains(message_part))
            .count()
    }
}

#[tokio::test]
async fn a_pacing_wait_is_an_info_event_with_its_length() -> TestResult {
    let events = Events::default();
    let _guard = events.install();
    let sandbox = sandbox(2, "sk_test_pacing_event").await;
    let client = support::client(&sandbox);
    let id = first_finding(&client).await;
    client.findings().get(id.clone()).await?;
    // The window of 2 is spent: this call waits for its reset.
    client.findings().get(id).await?;
    let recorded = events.0.lock().unwrap().clone();
    let waits: Vec<_> = recorded
        .iter()
        .filter(|(_, target, message, _)| {
            target == "s4e::pacing" && message == "rate limited: waiting for the window to reset"
        })
        .collect();
    assert_eq!(waits.len(), 1, "{recorded:?}");
    let (level, _, _, wait_ms) = waits[0];
    assert_eq!(*level, tracing::Level::INFO);
    assert!(
        wait_ms.is_some_and(|ms| ms > 0 && ms <= 3_000),
        "the wait, within the 2 s window: {wait_ms:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_redis_outage_falls_back_warns_once_and_the_shared_window_returns() -> TestResult {
    let Some(mut redis) = own_redis("a_redis_outage_falls_back") else {
        return Ok(());
    };
    let events = Events::default();
    let _guard = events.install();
    let key = "sk_test_outage";
    let sandbox = support::builder()
        .api_key(key)
        .rate_limit(1_000)
        .start()
        .await?;
    let client = client(&sandbox, RedisStore::new(&redis.url)?);
    let id = first_finding(&client).await;
    let prefix = s4e::__private::rate_limit_redis_prefix(sandbox.base_url(), key);
    let window = format!("{prefix}:window");
    let mut redis_conn = redis.connection().await;
    assert!(
        redis_conn.exists::<_, bool>(&window).await?,
        "shared before the outage"
    );

    redis.stop();
    // Every call still ends as it would have without the store.
    for _ in 0..20 {
        client.findings().get(id.clone()).await?;
    }
    assert_eq!(
        events.count(tracing::Level::WARN, "does not answer"),
        1,
        "one warning for the outage"
    );

    redis.start_again("a_redis_outage_falls_back");
    let mut redis_conn = redis.connection().await;
    assert!(
        !redis_conn.exists::<_, bool>(&window).await?,
        "a new, empty Redis"
    );
    // Within a second of rest the client asks Redis again and writes the
    // window there once more.
    let mut back = false;
    for _ in 0..100 {
        client.findings().get(id.clone()).await?;
        if redis_conn.exists::<_, bool>(&window).await? {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(back, "the client uses Redis again once it is back");
    assert_eq!(events.count(tracing::Level::INFO, "answers again"), 1);
    assert!(
        statuses(&sandbox).iter().all(|s| *s == Some(200)),
        "no call failed"
    );
    Ok(())
}

/// The environment variable that makes the test below a worker process.
const WORKER: &str = "S4E_SHARED_QUOTA_WORKER";
const PROCESSES: usize = 4;
const TASKS: usize = 8;
/// Above the 32 tasks: with no window known yet, each of them sends its
/// first request at once.
const LIMIT: u32 = 40;
/// Calls of each process: together, three windows' worth.
const CALLS: usize = 3 * LIMIT as usize / PROCESSES + 1;

#[test]
fn four_processes_share_one_window_with_no_429() -> TestResult {
    if let Ok(job) = std::env::var(WORKER) {
        return worker(&job);
    }
    let runtime = tokio::runtime::Runtime::new()?;
    let Some(redis) = redis("four_processes_share_one_window") else {
        return Ok(());
    };
    let key = format!("sk_test_processes_{}", std::process::id());
    let sandbox = runtime.block_on(sandbox(LIMIT, &key));
    let id = runtime.block_on(first_finding(&support::client(&sandbox)));
    sandbox.controls().clear_requests();
    // This test binary, run again for this test alone, as a worker.
    let workers: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(std::env::current_exe().expect("the test binary"))
                .args([
                    "shared_quota::four_processes_share_one_window_with_no_429",
                    "--exact",
                    "--nocapture",
                ])
                .env(
                    WORKER,
                    format!("{} {} {key} {id}", sandbox.base_url(), redis.url),
                )
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("a worker process starts")
        })
        .collect();
    let mut answered = 0;
    for worker in workers {
        let output = worker.wait_with_output()?;
        assert!(output.status.success(), "a worker failed");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let ok: usize = stdout
            .lines()
            .find_map(|line| line.strip_prefix("shared-quota-worker ok="))
            .expect("the worker reports")
            .trim()
            .parse()?;
        answered += ok;
    }
    assert_eq!(answered, PROCESSES * CALLS, "every call succeeded");
    let seen = statuses(&sandbox);
    assert_eq!(seen.len(), PROCESSES * CALLS);
    assert!(
        seen.len() > 2 * LIMIT as usize,
        "the calls cross window boundaries"
    );
    assert!(seen.iter().all(|s| *s == Some(200)), "no 429: {seen:?}");
    Ok(())
}

/// One worker process: `TASKS` tasks make `CALLS` gets in all with
/// `retries(0)`, paced through Redis; any failure fails the process.
fn worker(job: &str) -> TestResult {
    let [base_url, redis_url, key, id] = job.split(' ').collect::<Vec<_>>()[..] else {
        return Err(format!("a malformed {WORKER}: {job}").into());
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let client = s4e::Client::builder(key)
        .base_url(base_url)
        .retries(0)
        // A bound that a debug build on a busy CI machine keeps: past the
        // default 50 ms a worker would pace alone (the outage test covers
        // that), and this test is about the shared window.
        .rate_limit_store(RedisStore::new(redis_url)?.timeout(Duration::from_secs(2)))
        .build()?;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let ok = runtime.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let (client, next, id) = (client.clone(), next.clone(), id.to_owned());
                tokio::spawn(async move {
                    let mut ok = 0;
                    while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < CALLS {
                        client.findings().get(id.as_str()).await?;
                        ok += 1;
                    }
                    Ok::<usize, s4e::Error>(ok)
                })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            ok += task.await.expect("a worker task")?;
        }
        Ok::<usize, s4e::Error>(ok)
    })?;
    println!("shared-quota-worker ok={ok}");
    Ok(())
}
