//! Exactly-once intake: a delivery's side effects run once, however many
//! times S4E delivers the event.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::Event;
use super::signature::DEFAULT_TOLERANCE;

#[cfg(feature = "redis")]
mod redis_store;

/// How long a processed event is remembered unless told otherwise: a day,
/// so a redelivery hours later is still recognised (and at least twice the
/// signature tolerance, beyond which a replayed signature is refused anyway).
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a claim holds an event unless told otherwise: 5 minutes. A
/// receiver that dies mid-way (nothing releases its claim) lets the sender's
/// retries through after this.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5 * 60);

/// What [`Dedup::claim`] found for an event.
#[derive(Debug)]
#[must_use = "a new claim must be finished with `done`, or the event is processed again"]
pub enum Claim {
    /// Seen for the first time (or its last attempt failed): run the side
    /// effects, then call [`ClaimToken::done`]. Dropping the token without
    /// `done` releases the event for the sender's retry.
    New(ClaimToken),
    /// Already processed: answer 2xx and do nothing.
    Done,
    /// Another delivery of it is being processed right now: answer 409 so
    /// that the sender retries later.
    InProgress,
}

/// Why [`Dedup`] could not answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DedupError {
    /// The event has no ID and did not come through verification, so
    /// nothing identifies its redeliveries.
    #[error("the event has no id and no verified signature to recognise it by")]
    Unidentified,
    /// The store failed (Redis unreachable, refused the command, ...).
    #[error("the dedup store failed: {message}")]
    Store {
        /// What failed, without credentials.
        message: String,
        /// The store's error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

/// Remembers which events were processed, so that each runs its side
/// effects once; shared by clones (and, with `Dedup::redis` (feature `redis`), by every
/// process using the same Redis).
///
/// An event is keyed by its ID; a delivery without one by its signature's
/// timestamp and digest (so it must come from verification: the
/// `axum::Verified` extractor (feature `axum`) or [`Secrets::verify`](super::Secrets::verify)).
///
/// ```
/// use s4e::webhooks::{Claim, Dedup, Event};
/// # async fn demo() -> Result<(), s4e::webhooks::DedupError> {
/// let dedup = Dedup::in_memory();
/// let event: Event = serde_json::from_str(r#"{"id":"evt-1","event":"webhook.test","data":{}}"#).unwrap();
/// match dedup.claim(&event).await? {
///     Claim::New(token) => {
///         // ... the side effects ...
///         token.done().await?;
///     }
///     Claim::Done => {}       // answer 200
///     Claim::InProgress => {} // answer 409: the sender retries later
/// }
/// assert!(matches!(dedup.claim(&event).await?, Claim::Done));
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone)]
pub struct Dedup {
    store: Store,
    retention: Duration,
    lease: Duration,
}

#[derive(Clone)]
enum Store {
    Memory(Arc<Mutex<MemoryState>>),
    #[cfg(feature = "redis")]
    Redis(Arc<redis_store::RedisDedup>),
}

impl std::fmt::Debug for Dedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let store = match &self.store {
            Store::Memory(_) => "memory",
            #[cfg(feature = "redis")]
            Store::Redis(_) => "redis",
        };
        f.debug_struct("Dedup")
            .field("store", &store)
            .field("retention", &self.retention)
            .field("lease", &self.lease)
            .finish()
    }
}

impl Dedup {
    /// A store in this process's memory: right for one receiver process.
    pub fn in_memory() -> Self {
        Dedup::with_store(Store::Memory(Arc::default()))
    }

    /// A store in Redis at `url` (`redis://…`, `rediss://…` for TLS),
    /// shared by every receiver using it; keys start with
    /// `s4e:webhooks:dedup:`. Connects on first use.
    ///
    /// Fails only when `url` is not a Redis URL.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn redis(url: &str) -> Result<Self, DedupError> {
        Ok(Dedup::with_store(Store::Redis(Arc::new(
            redis_store::RedisDedup::open(url)?,
        ))))
    }

    fn with_store(store: Store) -> Self {
        Dedup {
            store,
            retention: DEFAULT_RETENTION,
            lease: DEFAULT_LEASE,
        }
    }

    /// How long a processed event is remembered ([`DEFAULT_RETENTION`]
    /// unless set); raised to twice the default signature tolerance when
    /// shorter, since a replayed signature is accepted for that long.
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention.max(2 * DEFAULT_TOLERANCE);
        self
    }

    /// How long a claim holds an event before another delivery may take it
    /// over ([`DEFAULT_LEASE`] unless set): longer than the side effects
    /// take.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(1));
        self
    }

    /// Claims `event` for processing; see [`Claim`].
    pub async fn claim(&self, event: &Event) -> Result<Claim, DedupError> {
        let key = key_of(event)?;
        let owner = uuid::Uuid::new_v4().to_string();
        let claimed = match &self.store {
            Store::Memory(state) => lock(state).claim(&key, &owner, self.lease),
            #[cfg(feature = "redis")]
            Store::Redis(redis) => redis.claim(&key, &owner, self.lease).await?,
        };
        Ok(match claimed {
            Found::Free => Claim::New(ClaimToken {
                dedup: self.clone(),
                key,
                owner,
                finished: false,
            }),
            Found::Done => Claim::Done,
            Found::Busy => Claim::InProgress,
        })
    }
}

/// The right to process one event, from [`Claim::New`].
#[must_use = "call `done` after the side effects, or the event is processed again"]
pub struct ClaimToken {
    dedup: Dedup,
    key: String,
    owner: String,
    finished: bool,
}

impl std::fmt::Debug for ClaimToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimToken")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl ClaimToken {
    /// Marks the event processed: every later delivery of it is
    /// [`Claim::Done`] for the retention.
    pub async fn done(mut self) -> Result<(), DedupError> {
        self.finished = true;
        let retention = self.dedup.retention;
        match &self.dedup.store {
            Store::Memory(state) => {
                lock(state).finish(&self.key, retention);
                Ok(())
            }
            #[cfg(feature = "redis")]
            Store::Redis(redis) => redis.finish(&self.key, retention).await,
        }
    }
}

impl Drop for ClaimToken {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        match &self.dedup.store {
            Store::Memory(state) => lock(state).release(&self.key, &self.owner),
            #[cfg(feature = "redis")]
            Store::Redis(redis) => redis.release_soon(&self.key, &self.owner),
        }
    }
}

/// The store's view of a key.
enum Found {
    Free,
    Done,
    Busy,
}

/// What identifies an event across its deliveries.
fn key_of(event: &Event) -> Result<String, DedupError> {
    match (&event.id, &event.signed) {
        (Some(id), _) => Ok(format!("id:{}", id.as_str())),
        (None, Some(signed)) => Ok(format!("sig:{}:{}", signed.timestamp, signed.digest)),
        (None, None) => Err(DedupError::Unidentified),
    }
}

fn lock(state: &Mutex<MemoryState>) -> std::sync::MutexGuard<'_, MemoryState> {
    // The state stays consistent at every step, so a panic elsewhere while
    // holding the lock does not invalidate it.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Default)]
struct MemoryState {
    entries: HashMap<String, Entry>,
    /// Claims since expired entries were last swept.
    since_sweep: usize,
}

struct Entry {
    state: EntryState,
    expires: Instant,
}

enum EntryState {
    Done,
    Held { owner: String },
}

impl MemoryState {
    fn claim(&mut self, key: &str, owner: &str, lease: Duration) -> Found {
        let now = Instant::now();
        self.sweep(now);
        match self.entries.get(key) {
            Some(entry) if entry.expires > now => match entry.state {
                EntryState::Done => Found::Done,
                EntryState::Held { .. } => Found::Busy,
            },
            _ => {
                self.entries.insert(
                    key.to_string(),
                    Entry {
                        state: EntryState::Held {
                            owner: owner.to_string(),
                        },
                        expires: now + lease,
                    },
                );
                Found::Free
            }
        }
    }

    fn finish(&mut self, key: &str, retention: Duration) {
        self.entries.insert(
            key.to_string(),
            Entry {
                state: EntryState::Done,
                expires: Instant::now() + retention,
            },
        );
    }

    fn release(&mut self, key: &str, owner: &str) {
        let held_by_owner = matches!(
            self.entries.get(key),
            Some(Entry { state: EntryState::Held { owner: held }, .. }) if held == owner
        );
        if held_by_owner {
            self.entries.remove(key);
        }
    }

    /// Drops expired entries once the map has grown by as many claims as it
    /// holds, so the sweeps cost O(1) per claim.
    fn sweep(&mut self, now: Instant) {
        self.since_sweep += 1;
        if self.since_sweep > self.entries.len() {
            self.entries.retain(|_, entry| entry.expires > now);
            self.since_sweep = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> Event {
        serde_json::from_value(serde_json::json!({"id": id, "event": "webhook.test", "data": {}}))
            .unwrap()
    }

    #[tokio::test]
    async fn done_is_remembered_and_a_dropped_token_releases() {
        let dedup = Dedup::in_memory();
        let e = event("evt-1");
        let Claim::New(first) = dedup.claim(&e).await.unwrap() else {
            panic!("a new event")
        };
        assert!(matches!(dedup.claim(&e).await.unwrap(), Claim::InProgress));
        drop(first);
        let Claim::New(second) = dedup.claim(&e).await.unwrap() else {
            panic!("released by the drop")
        };
        second.done().await.unwrap();
        assert!(matches!(dedup.claim(&e).await.unwrap(), Claim::Done));
        assert!(matches!(
            dedup.claim(&event("evt-2")).await.unwrap(),
            Claim::New(_)
        ));
    }

    #[tokio::test]
    async fn an_expired_lease_lets_another_delivery_in_and_the_old_drop_keeps_its_claim() {
        let dedup = Dedup::in_memory().lease(Duration::from_millis(1));
        let e = event("evt-1");
        let Claim::New(stale) = dedup.claim(&e).await.unwrap() else {
            panic!("a new event")
        };
        std::thread::sleep(Duration::from_millis(5));
        let Claim::New(fresh) = dedup.claim(&e).await.unwrap() else {
            panic!("the lease expired")
        };
        drop(stale);
        // Irrefutable without the `redis` feature.
        #[allow(irrefutable_let_patterns)]
        let Store::Memory(state) = &dedup.store else {
            unreachable!()
        };
        assert!(lock(state).entries.contains_key("id:evt-1"));
        fresh.done().await.unwrap();
    }

    #[tokio::test]
    async fn an_unsigned_event_without_id_is_refused() {
        let e: Event = serde_json::from_str(r#"{"event":"webhook.test","data":{}}"#).unwrap();
        assert!(matches!(
            Dedup::in_memory().claim(&e).await,
            Err(DedupError::Unidentified)
        ));
        let body = br#"{"event":"webhook.test","data":{}}"#;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let header = crate::webhooks::sign(body, "s", now);
        let signed = crate::webhooks::verify(body, &header, "s").unwrap();
        assert!(matches!(
            Dedup::in_memory().claim(&signed).await,
            Ok(Claim::New(_))
        ));
    }
}
