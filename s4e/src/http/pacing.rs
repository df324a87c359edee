//! Pacing to the server's rate limit: a request is not sent while the server
//! has said that nothing remains in its window; it waits for the reset.
//!
//! The state lives in the client's [store](crate::ratelimit) (shared by every
//! clone, and by other clients or processes given the same store) and is fed
//! by every answer's `X-RateLimit-*` headers. Between answers the store
//! accounts for what is sent: a request in flight will take one of the
//! `remaining`, so at most `remaining - in_flight` more are sent. When the window has passed, one
//! request goes first (the probe) and its answer opens the new window for the
//! others, so waiters are not all released at once at the reset.

use std::pin::pin;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{ApiError, ApiErrorInner};
use crate::http::budget::{Budget, instant_after};
use crate::rate_limit::RateLimit;
use crate::ratelimit::sealed::AnyStore;
use crate::ratelimit::{Scope, Ticket, Turn};
use crate::{Error, Result};

/// Waiting for a reset ends this much after it, plus up to as much again at
/// random: the reset has a resolution of one second, and clocks differ.
const AFTER_RESET: Duration = Duration::from_millis(50);

/// The target of the event a pacing wait emits (see [`Pacer::turn`]).
pub(crate) const WAIT_TARGET: &str = "s4e::pacing";

/// The client's rate-limit pacing: its store, and whose window it follows.
#[derive(Debug)]
pub(crate) struct Pacer {
    /// Off: calls are sent at once; answers still feed the store and
    /// [`Client::rate_limit`](crate::Client::rate_limit).
    enabled: bool,
    store: AnyStore,
    scope: Scope,
    /// What the latest answer to this client said, as the server said it.
    latest: Mutex<Option<RateLimit>>,
}

/// A request's place among those in flight; dropping it before the answer
/// was recorded (the call was cancelled, timed out, or a hook panicked)
/// frees it.
#[derive(Debug)]
pub(crate) struct Slot<'a> {
    pacer: &'a Pacer,
    ticket: Option<Ticket>,
}

impl Slot<'_> {
    /// Takes in the rate-limit state an answer announced (or `None` when it
    /// announced none), and frees the slot with it, in one step.
    pub(crate) async fn observe(&mut self, announced: Option<RateLimit>) {
        if let Some(announced) = announced {
            *self.pacer.lock_latest() = Some(announced);
        }
        let pacer = self.pacer;
        // The ticket stays in the slot until the store has it: a call
        // cancelled meanwhile still frees it on drop.
        pacer
            .store
            .record(&pacer.scope, self.ticket.as_ref(), announced)
            .await;
        self.ticket = None;
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.pacer.store.release(&self.pacer.scope, ticket);
        }
    }
}

impl Pacer {
    pub(crate) fn new(enabled: bool, store: AnyStore, scope: Scope) -> Pacer {
        Pacer {
            enabled,
            store,
            scope,
            latest: Mutex::new(None),
        }
    }

    fn lock_latest(&self) -> std::sync::MutexGuard<'_, Option<RateLimit>> {
        self.latest
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What the latest answer announced.
    pub(crate) fn latest(&self) -> Option<RateLimit> {
        *self.lock_latest()
    }

    /// Waits until a request may be sent, and returns its slot, which the
    /// store keeps for at most `lease` (the attempt's longest life).
    ///
    /// A wait for the reset longer than `ceiling` (the client's
    /// `max_retry_wait`), or one that would end past the call's deadline, is
    /// not started: the call ends at once with [`Error::RateLimit`], nothing
    /// sent. A wait for the reset emits one INFO event, target
    /// `s4e::pacing`, with the wait in `wait_ms`. Waiting for a probe's
    /// answer or for a request in flight is bounded by the deadline.
    pub(crate) async fn turn(
        &self,
        budget: Budget,
        ceiling: Duration,
        lease: Duration,
    ) -> Result<Slot<'_>> {
        if !self.enabled {
            return Ok(Slot {
                pacer: self,
                ticket: None,
            });
        }
        let mut announced = false;
        loop {
            // Registered before the state is read, so a change between the
            // read and the wait is not missed.
            let mut changed = pin!(self.store.changed().notified());
            changed.as_mut().enable();
            let now = Instant::now();
            // Another process's change signals nothing here: ask again soon.
            let recheck = self
                .store
                .recheck()
                .map_or(budget.until, |every| instant_after(now, every));
            let wake = match self.store.acquire(&self.scope, lease).await {
                Turn::Send(ticket) => {
                    return Ok(Slot {
                        pacer: self,
                        ticket: Some(ticket),
                    });
                }
                Turn::WaitForReset(left) => {
                    let wait = left + AFTER_RESET.mul_f64(1.0 + fastrand::f64());
                    let wake = instant_after(now, wait);
                    if left > ceiling || wake >= budget.until {
                        return Err(exhausted(left, ceiling, left > ceiling));
                    }
                    if !announced {
                        announced = true;
                        tracing::info!(
                            target: WAIT_TARGET,
                            wait_ms = wait.as_millis() as u64,
                            "rate limited: waiting for the window to reset"
                        );
                    }
                    // Woken early when an answer or a freed slot changes things.
                    wake
                }
                // Woken by an answer or a freed slot, or at the reset.
                Turn::Busy(left) => recheck.min(instant_after(now, left)),
                Turn::WaitForProbe => recheck,
            };
            if wake >= budget.until {
                if tokio::time::timeout_at(budget.until, changed)
                    .await
                    .is_err()
                {
                    return Err(Error::Timeout(budget.limit));
                }
            } else {
                let _ = tokio::time::timeout_at(wake, changed).await;
            }
        }
    }
}

/// The error of a call not sent because the window resets too late.
fn exhausted(left: Duration, ceiling: Duration, past_ceiling: bool) -> Error {
    let why = if past_ceiling {
        format!(
            "later than max_retry_wait ({ceiling:?}) allows to wait; not sent (or turn pacing off with rate_limit_pacing(false))"
        )
    } else {
        "past the call's deadline; not sent".to_owned()
    };
    Error::RateLimit(ApiError::new(ApiErrorInner {
        status: 429,
        code: None,
        message: format!(
            "no request is left in the server's rate-limit window, which resets in {}s, {why}",
            left.as_secs_f64().ceil() as u64
        ),
        details: Vec::new(),
        request_id: None,
        retry_after: Some(left),
        raw_body: None,
    }))
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::ratelimit::MemoryStore;
    use crate::ratelimit::sealed::Sealed;

    fn pacer(enabled: bool) -> Pacer {
        Pacer::new(
            enabled,
            MemoryStore::new().into_any(),
            Scope::new("https://api.s4e.io/v1", "sk_test"),
        )
    }

    fn limit(remaining: u64, resets_in: Duration) -> Option<RateLimit> {
        Some(RateLimit {
            limit: 100,
            remaining,
            reset: SystemTime::now() + resets_in,
        })
    }

    fn budget(span: Duration) -> Budget {
        Budget {
            limit: span,
            until: Instant::now() + span,
        }
    }

    const LEASE: Duration = Duration::from_secs(30);

    async fn observe(pacer: &Pacer, announced: Option<RateLimit>) {
        let mut slot = Slot {
            pacer,
            ticket: None,
        };
        slot.observe(announced).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_reset_past_the_ceiling_or_the_deadline_fails_at_once() {
        let pacer = pacer(true);
        observe(&pacer, limit(0, Duration::from_secs(3600))).await;
        let started = Instant::now();
        let error = pacer
            .turn(
                budget(Duration::from_secs(7200)),
                Duration::from_secs(60),
                LEASE,
            )
            .await
            .unwrap_err();
        assert!(matches!(error, Error::RateLimit(_)), "{error:?}");
        assert!(error.to_string().contains("max_retry_wait"), "{error}");
        assert!(error.retry_after().unwrap() > Duration::from_secs(3500));
        let error = pacer
            .turn(
                budget(Duration::from_secs(10)),
                Duration::from_secs(7200),
                LEASE,
            )
            .await
            .unwrap_err();
        assert!(error.to_string().contains("deadline"), "{error}");
        assert_eq!(started.elapsed(), Duration::ZERO, "no waiting at all");
        assert!(
            self::pacer(false)
                .turn(budget(Duration::from_secs(1)), Duration::ZERO, LEASE)
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn a_dropped_waiter_or_slot_frees_its_place() {
        let pacer = pacer(true);
        observe(&pacer, limit(1, Duration::from_secs(30))).await;
        let long = budget(Duration::from_secs(60));
        let slot = pacer
            .turn(long, Duration::from_secs(60), LEASE)
            .await
            .unwrap();
        // The window is spent while the slot is out: a second caller waits,
        // and giving up on it leaves nothing behind.
        let waiting = tokio::time::timeout(
            Duration::from_millis(20),
            pacer.turn(long, Duration::from_secs(60), LEASE),
        )
        .await;
        assert!(waiting.is_err(), "the second caller waits");
        drop(slot);
        let again = tokio::time::timeout(
            Duration::from_secs(10),
            pacer.turn(long, Duration::from_secs(60), LEASE),
        )
        .await;
        assert!(matches!(again, Ok(Ok(_))), "the freed place is taken");
    }
}
