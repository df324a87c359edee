//! Where a client keeps its rate-limit window: in the process
//! ([`MemoryStore`], the default) or, with the cargo feature `redis`, in Redis
//! (`RedisStore`), so that many processes on many machines that use one API
//! key share one window.
//!
//! A store holds, for each API key and base URL, what the server's latest
//! `X-RateLimit-*` headers said of the current window (its limit, the lowest
//! `Remaining`, its reset), the requests in flight that will each take one of
//! what remains, and whether a request is out to learn the window that
//! follows a reset. Pacing ([`ClientBuilder::rate_limit_pacing`]) reads and
//! updates it before and after every request. The server's headers stay the
//! truth: an answer's `Remaining` and `Reset` correct the stored window.
//!
//! ```no_run
//! // Clients given clones of one store share one window per key and base URL.
//! let store = s4e::ratelimit::MemoryStore::new();
//! let reports = s4e::Client::builder("sk_live_...").rate_limit_store(store.clone()).build()?;
//! let imports = s4e::Client::builder("sk_live_...").rate_limit_store(store).build()?;
//! # Ok::<(), s4e::Error>(())
//! ```
//!
//! [`ClientBuilder::rate_limit_pacing`]: crate::ClientBuilder::rate_limit_pacing

use std::time::Duration;

use sha2::{Digest, Sha256};

mod memory;
#[cfg(feature = "redis")]
mod redis;

pub use memory::MemoryStore;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::RedisStore;

/// A place to keep a client's rate-limit window: [`MemoryStore`] or
/// `RedisStore` (feature `redis`), given to
/// [`ClientBuilder::rate_limit_store`](crate::ClientBuilder::rate_limit_store).
///
/// The trait is sealed: the protocol between pacing and its store (taking a
/// slot, recording an answer, releasing a slot) may grow without a breaking
/// change.
pub trait RateLimitStore: sealed::Sealed + Clone + Send + Sync + std::fmt::Debug + 'static {}

impl RateLimitStore for MemoryStore {}
#[cfg(feature = "redis")]
impl RateLimitStore for RedisStore {}

pub(crate) mod sealed {
    use std::time::Duration;

    use tokio::sync::Notify;

    use super::{MemoryStore, Scope, Ticket, Turn};
    use crate::rate_limit::RateLimit;

    /// Implemented by the stores of this crate only.
    pub trait Sealed {
        /// The store, as pacing holds it.
        fn into_any(self) -> AnyStore;
    }

    impl Sealed for MemoryStore {
        fn into_any(self) -> AnyStore {
            AnyStore::Memory(self)
        }
    }

    #[cfg(feature = "redis")]
    impl Sealed for super::RedisStore {
        fn into_any(self) -> AnyStore {
            AnyStore::Redis(self)
        }
    }

    /// One of the stores; an enum rather than a trait object, so that the
    /// in-process store costs no allocation per call.
    #[derive(Debug, Clone)]
    pub enum AnyStore {
        /// In this process.
        Memory(MemoryStore),
        /// In Redis, with this process's own state as the fallback.
        #[cfg(feature = "redis")]
        Redis(super::RedisStore),
    }

    impl Default for AnyStore {
        fn default() -> Self {
            AnyStore::Memory(MemoryStore::new())
        }
    }

    impl AnyStore {
        /// What a request may do now; `Send` carries its slot. A slot held
        /// longer than `lease` (a process that died with it) expires.
        pub(crate) async fn acquire(&self, scope: &Scope, lease: Duration) -> Turn {
            match self {
                // In process, a slot is freed by its holder, dead or alive.
                AnyStore::Memory(memory) => {
                    let _ = lease;
                    memory.acquire(scope)
                }
                #[cfg(feature = "redis")]
                AnyStore::Redis(redis) => redis.acquire(scope, lease).await,
            }
        }

        /// Takes in what an answer announced, and frees `ticket`'s slot.
        pub(crate) async fn record(
            &self,
            scope: &Scope,
            ticket: Option<&Ticket>,
            announced: Option<RateLimit>,
        ) {
            match self {
                AnyStore::Memory(memory) => memory.record(scope, ticket, announced),
                #[cfg(feature = "redis")]
                AnyStore::Redis(redis) => redis.record(scope, ticket, announced).await,
            }
        }

        /// Frees the slot of a request that ended without an answer.
        pub(crate) fn release(&self, scope: &Scope, ticket: Ticket) {
            match self {
                AnyStore::Memory(memory) => memory.release(scope, &ticket),
                #[cfg(feature = "redis")]
                AnyStore::Redis(redis) => redis.release(scope, ticket),
            }
        }

        /// Signalled when this process changed the state.
        pub(crate) fn changed(&self) -> &Notify {
            match self {
                AnyStore::Memory(memory) => memory.changed(),
                #[cfg(feature = "redis")]
                AnyStore::Redis(redis) => redis.changed(),
            }
        }

        /// How often a waiter asks again: other processes change a shared
        /// state without signalling this one.
        pub(crate) fn recheck(&self) -> Option<Duration> {
            match self {
                AnyStore::Memory(_) => None,
                #[cfg(feature = "redis")]
                AnyStore::Redis(_) => Some(super::redis::RECHECK),
            }
        }
    }
}

/// Whose window: a digest of the base URL and the API key, so that a
/// store never holds the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Scope {
    digest: [u8; 32],
}

impl Scope {
    pub(crate) fn new(base_url: &str, api_key: &str) -> Scope {
        let mut hasher = Sha256::new();
        hasher.update(b"s4e rate-limit window\0");
        hasher.update(base_url.as_bytes());
        // A separator no URL contains, so that no two pairs hash alike.
        hasher.update(b"\0");
        hasher.update(api_key.as_bytes());
        Scope {
            digest: hasher.finalize().into(),
        }
    }

    /// Where a shared store keeps this window: `s4e:ratelimit:{<digest>}`
    /// (the braces make Redis Cluster keep a window's keys in one slot).
    #[cfg(feature = "redis")]
    pub(crate) fn redis_prefix(&self) -> String {
        format!("s4e:ratelimit:{{{}}}", hex::encode(self.digest))
    }
}

/// What a request may do now.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Turn {
    /// Send, holding this slot until the answer (or the end without one).
    Send(Ticket),
    /// Nothing remains until the reset, this far away.
    WaitForReset(Duration),
    /// What remains is taken by requests in flight; an answer or the reset
    /// (this far away) may free a place.
    Busy(Duration),
    /// The window has passed and a probe is out: wait for its answer.
    WaitForProbe,
}

/// A request's place among those in flight.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Ticket {
    /// The request is this process's probe of a new window.
    local_probe: bool,
    /// Its slot in a shared store, when the store granted it.
    #[cfg(feature = "redis")]
    shared: Option<redis::SharedSlot>,
}

impl Ticket {
    fn local(local_probe: bool) -> Ticket {
        Ticket {
            local_probe,
            #[cfg(feature = "redis")]
            shared: None,
        }
    }
}

/// Two answers whose resets are this close belong to the same window: a
/// server that computes `X-RateLimit-Reset` per answer may round each one
/// differently.
const SAME_WINDOW: Duration = Duration::from_secs(1);

/// When an exhausted window's reset has already passed by the store's
/// clock (the server's clock is behind), the window is taken to end this
/// much after the answer instead, so probes do not run in a tight loop.
const SKEWED_RESET: Duration = Duration::from_secs(1);
