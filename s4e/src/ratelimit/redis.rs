//! The window kept in Redis, shared by every process that uses the same
//! Redis, API key and base URL.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, Script};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::{MemoryStore, SAME_WINDOW, SKEWED_RESET, Scope, Ticket, Turn};
use crate::rate_limit::RateLimit;
use crate::{Error, Result};

/// The default bound on one store call: see [`RedisStore::timeout`].
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(50);

/// After a store call failed, calls pace in the process alone this long
/// before Redis is asked again, so that an outage costs a call nothing.
const REST_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// How often a waiter asks Redis again: other processes' answers and freed
/// slots signal nothing to this one.
pub(crate) const RECHECK: Duration = Duration::from_millis(20);

/// How long a key's state stays in Redis after its last use (beyond its
/// window or its slots' leases).
const IDLE: Duration = Duration::from_secs(60 * 60);

/// Connecting, and each command of the background reconnection, give up
/// after this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The rate-limit window kept in Redis (feature `redis`): clients in any
/// number of processes, on any number of machines, that use stores on the
/// same Redis with the same API key and base URL share one window, so that
/// together they stay within it.
///
/// ```no_run
/// let store = s4e::ratelimit::RedisStore::new("redis://redis.internal:6379")?;
/// let client = s4e::Client::builder("sk_live_...").rate_limit_store(store).build()?;
/// # Ok::<(), s4e::Error>(())
/// ```
///
/// - **Keys**: the state of one key and base URL lives under
///   `s4e:ratelimit:{<SHA-256 digest of both>}`; the API key itself is
///   never written to Redis.
/// - **Atomic**: taking a slot for a request, recording an answer's
///   `X-RateLimit-*` headers (the lowest `Remaining` of a window counts, so
///   the server's word holds over anything the store believed), and
///   releasing the slot of a request that ended without an answer are each
///   one Lua script. Time comes from Redis (`TIME`), one clock for every
///   worker, whatever each machine's own clock says.
/// - **Cancelled requests**: a slot is released when its request ends
///   without an answer (a dropped future, a timeout, a panicking hook), and
///   expires after the attempt's timeout in any case, so a process that
///   dies holding slots does not hold the others back for longer.
/// - **Outages**: each store call waits at most [`timeout`](Self::timeout)
///   (50 ms by default) for Redis. When Redis does not answer in time, or
///   cannot be reached, the call paces with this process's own state (which
///   every answer keeps up to date), a WARN event on target `s4e` says so
///   once, and Redis is asked again a second later; an INFO event says when
///   the shared window is back. An outage never fails a call.
///
/// The connection is made on first use (`redis://`, `rediss://` over
/// rustls with the platform's roots, or `redis+unix://`), and re-made after
/// Redis restarts.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
    timeout: Duration,
}

struct Inner {
    client: redis::Client,
    /// The server's address, for messages: the URL without credentials.
    address: String,
    connection: OnceLock<ConnectionManager>,
    script: Script,
    /// This process's own state: kept up to date by every answer, and
    /// followed while Redis does not answer.
    fallback: MemoryStore,
    /// Until when Redis is not asked, after a failure.
    resting_until: Mutex<Option<Instant>>,
    /// Redis failed, and has not answered since: warned once.
    degraded: AtomicBool,
    /// A background task is driving the reconnection.
    reconnecting: AtomicBool,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("address", &self.inner.address)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A request's slot in Redis.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SharedSlot {
    id: String,
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://[user:password@]host[:port][/db]`,
    /// `rediss://` for TLS, or `redis+unix:///path`). Nothing is connected
    /// until the first call; a URL that is not a Redis URL is
    /// [`Error::Config`].
    ///
    /// ```
    /// assert!(s4e::ratelimit::RedisStore::new("redis://127.0.0.1:6379/0").is_ok());
    /// let err = s4e::ratelimit::RedisStore::new("http://127.0.0.1:6379").unwrap_err();
    /// assert!(matches!(err, s4e::Error::Config(_)));
    /// ```
    pub fn new(url: &str) -> Result<RedisStore> {
        let client = redis::Client::open(url).map_err(|error| {
            Error::config(format!(
                "the rate-limit store URL is not a Redis URL (redis://, rediss:// or redis+unix://): {error}"
            ))
        })?;
        let address = client.get_connection_info().addr().to_string();
        Ok(RedisStore {
            inner: Arc::new(Inner {
                client,
                address,
                connection: OnceLock::new(),
                script: Script::new(include_str!("window.lua")),
                fallback: MemoryStore::new(),
                resting_until: Mutex::new(None),
                degraded: AtomicBool::new(false),
                reconnecting: AtomicBool::new(false),
            }),
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// How long one store call waits for Redis before the call paces with
    /// this process's own state instead; default 50 ms, which a local or
    /// same-zone Redis answers well within. A call pays at most this much
    /// for the store (twice: before it is sent and when its answer arrives).
    ///
    /// ```
    /// let store = s4e::ratelimit::RedisStore::new("rediss://redis.other-region.example:6380")?
    ///     .timeout(std::time::Duration::from_millis(200));
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn timeout(mut self, bound: Duration) -> RedisStore {
        self.timeout = bound;
        self
    }

    pub(crate) fn changed(&self) -> &Notify {
        self.inner.fallback.changed()
    }

    /// Makes this store's own clock (the fallback's) run `offset_ms` ahead.
    pub(crate) fn skew_clock(&self, offset_ms: i64) {
        self.inner.fallback.skew_clock(offset_ms);
    }

    pub(crate) async fn acquire(&self, scope: &Scope, lease: Duration) -> Turn {
        let lease_ms = lease.as_millis().max(1).to_string();
        // Until the answer is read, the script may have taken the slot:
        // given back if the call is cancelled meanwhile, or unanswered.
        let mut taking = Taking {
            store: self,
            scope,
            id: Some(uuid::Uuid::new_v4().simple().to_string()),
        };
        let id = taking.id.as_deref().unwrap_or_default();
        let answer: Option<(u8, u64)> = self
            .call(
                scope,
                Step {
                    op: "acquire",
                    slot: id,
                    args: [lease_ms, String::new(), String::new(), String::new()],
                },
            )
            .await;
        let turn = match answer {
            Some((0, _)) => {
                let mut ticket = self.inner.fallback.count_in_flight(scope);
                ticket.shared = taking.id.take().map(|id| SharedSlot { id });
                Turn::Send(ticket)
            }
            Some((1, ms)) => Turn::WaitForReset(Duration::from_millis(ms)),
            Some((2, ms)) => Turn::Busy(Duration::from_millis(ms)),
            Some(_) => Turn::WaitForProbe,
            None => return self.inner.fallback.acquire(scope),
        };
        // Nothing was taken.
        taking.id = None;
        turn
    }

    pub(crate) async fn record(
        &self,
        scope: &Scope,
        ticket: Option<&Ticket>,
        announced: Option<RateLimit>,
    ) {
        let slot = ticket
            .and_then(|ticket| ticket.shared.as_ref())
            .map_or("", |slot| slot.id.as_str());
        let args = match announced {
            Some(limit) => [
                "1".to_owned(),
                limit.limit.to_string(),
                limit.remaining.to_string(),
                unix_ms(limit.reset).to_string(),
            ],
            None => ["0".to_owned(), String::new(), String::new(), String::new()],
        };
        let recorded: Option<u8> = self
            .call(
                scope,
                Step {
                    op: "record",
                    slot,
                    args,
                },
            )
            .await;
        if let (None, Some(shared)) = (recorded, ticket.and_then(|t| t.shared.as_ref())) {
            self.release_shared(
                scope,
                SharedSlot {
                    id: shared.id.clone(),
                },
            );
        }
        // After the shared step: a call cancelled during it frees its
        // ticket on drop, once.
        self.inner.fallback.record(scope, ticket, announced);
    }

    pub(crate) fn release(&self, scope: &Scope, ticket: Ticket) {
        self.inner.fallback.release(scope, &ticket);
        if let Some(slot) = ticket.shared {
            self.release_shared(scope, slot);
        }
    }

    /// Releases a shared slot in the background (from `Drop`, which cannot
    /// wait), even while calls rest after a failure; without a runtime, or
    /// when Redis does not answer, the slot's lease ends it.
    fn release_shared(&self, scope: &Scope, slot: SharedSlot) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let store = self.clone().timeout(CONNECT_TIMEOUT);
        let scope = scope.clone();
        runtime.spawn(async move {
            let release = Step {
                op: "release",
                slot: &slot.id,
                args: Default::default(),
            };
            let _: Option<u8> = store.run(&scope, release).await;
        });
    }

    /// Runs one step of the script, within the bound; `None` when Redis did
    /// not answer in time (or is resting after a failure).
    async fn call<T: FromRedisValue>(&self, scope: &Scope, step: Step<'_>) -> Option<T> {
        if self.resting() {
            return None;
        }
        self.run(scope, step).await
    }

    /// [`call`](Self::call), whether or not calls rest.
    async fn run<T: FromRedisValue>(&self, scope: &Scope, step: Step<'_>) -> Option<T> {
        let mut connection = match self.connection() {
            Ok(connection) => connection,
            Err(error) => {
                self.failed(&error.to_string());
                return None;
            }
        };
        let prefix = scope.redis_prefix();
        let mut invocation = self.inner.script.prepare_invoke();
        invocation
            .key(format!("{prefix}:window"))
            .key(format!("{prefix}:slots"))
            .arg(step.op)
            .arg(step.slot);
        for arg in step.args {
            invocation.arg(arg);
        }
        invocation
            .arg(SAME_WINDOW.as_millis() as u64)
            .arg(SKEWED_RESET.as_millis() as u64)
            .arg(IDLE.as_millis() as u64);
        match tokio::time::timeout(self.timeout, invocation.invoke_async(&mut connection)).await {
            Ok(Ok(value)) => {
                self.answered();
                Some(value)
            }
            Ok(Err(error)) => {
                self.failed(&error.to_string());
                None
            }
            Err(_) => {
                self.failed(&format!("no answer within {:?}", self.timeout));
                None
            }
        }
    }

    fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        if let Some(connection) = self.inner.connection.get() {
            return Ok(connection.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(CONNECT_TIMEOUT))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let manager = ConnectionManager::new_lazy_with_config(self.inner.client.clone(), config)?;
        Ok(self.inner.connection.get_or_init(|| manager).clone())
    }

    fn resting(&self) -> bool {
        let mut until = self
            .inner
            .resting_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match *until {
            Some(at) if Instant::now() < at => true,
            Some(_) => {
                *until = None;
                false
            }
            None => false,
        }
    }

    fn failed(&self, why: &str) {
        *self
            .inner
            .resting_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Some(Instant::now() + REST_AFTER_FAILURE);
        if !self.inner.degraded.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                target: "s4e",
                store = %self.inner.address,
                error = why,
                "the Redis rate-limit store does not answer; pacing in this process alone until it does"
            );
        }
        self.reconnect_in_background();
    }

    fn answered(&self) {
        if self.inner.degraded.swap(false, Ordering::Relaxed) {
            tracing::info!(
                target: "s4e",
                store = %self.inner.address,
                "the Redis rate-limit store answers again; pacing follows the shared window"
            );
        }
    }

    /// The connection is driven only while polled: a task keeps at it, so
    /// that calls (each waiting at most the bound) find it made.
    fn reconnect_in_background(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let Some(mut connection) = self.inner.connection.get().cloned() else {
            return;
        };
        if self.inner.reconnecting.swap(true, Ordering::Relaxed) {
            return;
        }
        let inner = Arc::clone(&self.inner);
        runtime.spawn(async move {
            let ping = redis::cmd("PING");
            let _ =
                tokio::time::timeout(CONNECT_TIMEOUT, ping.query_async::<String>(&mut connection))
                    .await;
            inner.reconnecting.store(false, Ordering::Relaxed);
        });
    }
}

/// One step of `window.lua`: its operation, the slot, and the operation's
/// own arguments.
struct Step<'a> {
    op: &'static str,
    slot: &'a str,
    args: [String; 4],
}

/// A slot the script may have taken, given back unless disarmed.
struct Taking<'a> {
    store: &'a RedisStore,
    scope: &'a Scope,
    id: Option<String>,
}

impl Drop for Taking<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            self.store.release_shared(self.scope, SharedSlot { id });
        }
    }
}

/// Milliseconds since the Unix epoch, as the script keeps times.
fn unix_ms(time: SystemTime) -> u128 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}
