//! [`Dedup`](super::Dedup) in Redis: each step is one atomic script, so any
//! number of receivers share it without races.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use super::{DedupError, Found};

/// Every key starts so; the rest is the event's ID or signature, never a
/// secret.
const KEY_PREFIX: &str = "s4e:webhooks:dedup:";

/// The value of a processed event's key; a held one stores its owner.
const DONE: &str = "done";

/// How long one Redis command may take before the claim fails.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Free: hold it for the lease. Otherwise report what holds it.
const CLAIM: &str = r"
local value = redis.call('GET', KEYS[1])
if not value then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'free'
end
if value == 'done' then return 'done' end
return 'busy'
";

/// Releases a claim only if this owner still holds it (its lease may have
/// expired and another delivery taken it over).
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

pub(super) struct RedisDedup {
    client: redis::Client,
    connection: OnceCell<ConnectionManager>,
    claim: redis::Script,
    release: redis::Script,
}

impl RedisDedup {
    pub(super) fn open(url: &str) -> Result<Self, DedupError> {
        let client = redis::Client::open(url).map_err(|e| store_error("invalid Redis URL", e))?;
        Ok(RedisDedup {
            client,
            connection: OnceCell::new(),
            claim: redis::Script::new(CLAIM),
            release: redis::Script::new(RELEASE),
        })
    }

    async fn connection(&self) -> Result<ConnectionManager, DedupError> {
        self.connection
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(RESPONSE_TIMEOUT))
                    .set_response_timeout(Some(RESPONSE_TIMEOUT))
                    .set_number_of_retries(2);
                self.client
                    .get_connection_manager_with_config(config)
                    .await
                    .map_err(|e| store_error("cannot connect to Redis", e))
            })
            .await
            .cloned()
    }

    pub(super) async fn claim(
        &self,
        key: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<Found, DedupError> {
        let mut connection = self.connection().await?;
        let found: String = self
            .claim
            .key(format!("{KEY_PREFIX}{key}"))
            .arg(owner)
            .arg(millis(lease))
            .invoke_async(&mut connection)
            .await
            .map_err(|e| store_error("claim failed", e))?;
        Ok(match found.as_str() {
            "free" => Found::Free,
            "done" => Found::Done,
            _ => Found::Busy,
        })
    }

    pub(super) async fn finish(&self, key: &str, retention: Duration) -> Result<(), DedupError> {
        let mut connection = self.connection().await?;
        redis::cmd("SET")
            .arg(format!("{KEY_PREFIX}{key}"))
            .arg(DONE)
            .arg("PX")
            .arg(millis(retention))
            .query_async::<()>(&mut connection)
            .await
            .map_err(|e| store_error("marking the event done failed", e))
    }

    /// Releases from a `Drop`: on the running Tokio runtime when there is
    /// one; otherwise the lease expires by itself.
    pub(super) fn release_soon(self: &std::sync::Arc<Self>, key: &str, owner: &str) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let this = self.clone();
        let key = format!("{KEY_PREFIX}{key}");
        let owner = owner.to_string();
        runtime.spawn(async move {
            let Ok(mut connection) = this.connection().await else {
                return;
            };
            let released: Result<i64, _> = this
                .release
                .key(key)
                .arg(owner)
                .invoke_async(&mut connection)
                .await;
            if let Err(e) = released {
                tracing::warn!(error = %e, "releasing a webhook claim in Redis failed; its lease will expire");
            }
        });
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

fn store_error(what: &str, e: redis::RedisError) -> DedupError {
    // A RedisError's text never includes the URL's password.
    DedupError::Store {
        message: format!("{what}: {e}"),
        source: Some(Box::new(e)),
    }
}
