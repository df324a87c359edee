//! Pacing to the server's rate limit: a request is not sent while the server
//! has said that nothing remains in its window; it waits for the reset.
//!
//! The state is the client's (shared by every clone) and is fed by every
//! answer's `X-RateLimit-*` headers. Between answers the client accounts
//! locally: a request in flight will take one of the `remaining`, so at most
//! `remaining - in_flight` more are sent. When the window has passed, one
//! request goes first (the probe) and its answer opens the new window for the
//! others, so waiters are not all released at once at the reset.

use std::pin::pin;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::error::{ApiError, ApiErrorInner};
use crate::http::budget::{Budget, instant_after};
use crate::rate_limit::RateLimit;
use crate::{Error, Result};

/// Two answers whose resets are this close belong to the same window: a
/// server that computes `X-RateLimit-Reset` per answer may round each one
/// differently.
const SAME_WINDOW: Duration = Duration::from_secs(1);

/// Waiting for a reset ends this much after it, plus up to as much again at
/// random: the reset has a resolution of one second, and clocks differ.
const AFTER_RESET: Duration = Duration::from_millis(50);

/// When an exhausted window's reset has already passed by the client's
/// clock (the server's clock is behind), the window is taken to end this
/// much after the answer instead, so probes do not run in a tight loop.
const SKEWED_RESET: Duration = Duration::from_secs(1);

/// The client's rate-limit state and the callers waiting on it.
#[derive(Debug)]
pub(crate) struct Pacer {
    /// Off: calls are sent at once; the state is still kept for
    /// [`Client::rate_limit`](crate::Client::rate_limit).
    enabled: bool,
    state: Mutex<PaceState>,
    /// Signalled whenever the state may let a waiter go: an answer arrived or
    /// a request stopped being in flight.
    changed: Notify,
}

#[derive(Debug, Default)]
struct PaceState {
    /// What the latest answer said, as the server said it.
    latest: Option<RateLimit>,
    /// The window pacing follows.
    window: Option<Window>,
    /// Requests sent (with pacing on) whose answer has not been seen.
    in_flight: u64,
    /// A request is out to learn the window that follows a reset.
    probing: bool,
}

/// One window of the client-wide limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    limit: u64,
    /// The lowest `remaining` any answer of this window stated.
    remaining: u64,
    reset: SystemTime,
}

/// What a caller may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    /// Send; as the probe of a new window when `probe`.
    Send { probe: bool },
    /// Nothing remains until the reset, this far away.
    WaitForReset(Duration),
    /// The window has passed and a probe is out: wait for its answer.
    WaitForProbe,
}

impl PaceState {
    fn turn(&self, now: SystemTime) -> Turn {
        let Some(window) = self.window else {
            return Turn::Send { probe: false };
        };
        match window.reset.duration_since(now) {
            Ok(left) if !left.is_zero() => {
                if window.remaining > self.in_flight {
                    Turn::Send { probe: false }
                } else {
                    Turn::WaitForReset(left)
                }
            }
            _ if self.probing => Turn::WaitForProbe,
            _ => Turn::Send { probe: true },
        }
    }

    fn observe(&mut self, announced: Option<RateLimit>, now: SystemTime) {
        let Some(announced) = announced else {
            // An answer without the headers after the window passed (the
            // probe's, typically): the server states no limit any more.
            if self.window.is_some_and(|w| w.reset <= now) {
                self.window = None;
            }
            return;
        };
        self.latest = Some(announced);
        let mut seen = Window {
            limit: announced.limit,
            remaining: announced.remaining,
            reset: announced.reset,
        };
        // An exhausted window that has already ended by the client's clock,
        // as the answer to a probe (or to the first request): the server's
        // clock is behind. Any other such answer was overtaken by the reset.
        if seen.remaining == 0 && seen.reset <= now && (self.probing || self.window.is_none()) {
            seen.reset = now + SKEWED_RESET;
        }
        self.window = Some(match self.window {
            None => seen,
            // An answer of an older window is old news.
            Some(current) if seen.reset + SAME_WINDOW < current.reset => current,
            Some(current) if current.reset <= now => seen,
            // A tighter limit is one endpoint's own (scan creation, export):
            // it must not hold back the calls of every other endpoint.
            Some(current) if seen.limit < current.limit => current,
            Some(current) if seen.reset > current.reset + SAME_WINDOW => seen,
            Some(current) => Window {
                limit: seen.limit.max(current.limit),
                remaining: seen.remaining.min(current.remaining),
                reset: seen.reset.max(current.reset),
            },
        });
    }
}

/// A request's place among those in flight; dropping it (the answer was
/// seen, or the call was cancelled) frees it.
#[derive(Debug)]
pub(crate) struct Slot<'a> {
    pacer: &'a Pacer,
    counted: bool,
    probe: bool,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if !self.counted {
            return;
        }
        let mut state = self.pacer.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        if self.probe {
            state.probing = false;
        }
        drop(state);
        self.pacer.changed.notify_waiters();
    }
}

impl Pacer {
    pub(crate) fn new(enabled: bool) -> Pacer {
        Pacer {
            enabled,
            state: Mutex::default(),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PaceState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What the latest answer announced.
    pub(crate) fn latest(&self) -> Option<RateLimit> {
        self.lock().latest
    }

    /// Takes in the rate-limit state an answer announced (or `None` when it
    /// announced none).
    pub(crate) fn observe(&self, announced: Option<RateLimit>) {
        self.lock().observe(announced, SystemTime::now());
        self.changed.notify_waiters();
    }

    /// Waits until a request may be sent, and returns its slot.
    ///
    /// A wait for the reset longer than `ceiling` (the client's
    /// `max_retry_wait`), or one that would end past the call's deadline, is
    /// not started: the call ends at once with [`Error::RateLimit`], nothing
    /// sent. Waiting for a probe's answer is bounded by the deadline.
    pub(crate) async fn turn(&self, budget: Budget, ceiling: Duration) -> Result<Slot<'_>> {
        if !self.enabled {
            return Ok(Slot {
                pacer: self,
                counted: false,
                probe: false,
            });
        }
        loop {
            // Registered before the state is read, so a change between the
            // read and the wait is not missed.
            let mut changed = pin!(self.changed.notified());
            changed.as_mut().enable();
            // `Some`: nothing remains until the reset, this far away;
            // `None`: a probe is out, its answer decides.
            let reset_in = {
                let mut state = self.lock();
                match state.turn(SystemTime::now()) {
                    Turn::Send { probe } => {
                        state.in_flight += 1;
                        state.probing |= probe;
                        return Ok(Slot {
                            pacer: self,
                            counted: true,
                            probe,
                        });
                    }
                    Turn::WaitForReset(left) => Some(left),
                    Turn::WaitForProbe => None,
                }
            };
            match reset_in {
                Some(left) => {
                    let wait = left + AFTER_RESET.mul_f64(1.0 + fastrand::f64());
                    let wake = instant_after(Instant::now(), wait);
                    if left > ceiling || wake >= budget.until {
                        return Err(exhausted(left, ceiling, left > ceiling));
                    }
                    tracing::debug!(target: "s4e", wait_ms = wait.as_millis() as u64, "no request left in the rate-limit window; waiting for its reset");
                    // Woken early when an answer or a freed slot changes things.
                    let _ = tokio::time::timeout_at(wake, changed).await;
                }
                None => {
                    if tokio::time::timeout_at(budget.until, changed)
                        .await
                        .is_err()
                    {
                        return Err(Error::Timeout(budget.limit));
                    }
                }
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
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + seconds)
    }

    fn limit(limit: u64, remaining: u64, reset: SystemTime) -> Option<RateLimit> {
        Some(RateLimit {
            limit,
            remaining,
            reset,
        })
    }

    #[test]
    fn nothing_known_sends() {
        assert_eq!(
            PaceState::default().turn(at(0)),
            Turn::Send { probe: false }
        );
    }

    #[test]
    fn requests_in_flight_take_from_what_remains() {
        let mut state = PaceState::default();
        state.observe(limit(100, 2, at(60)), at(0));
        state.in_flight = 1;
        assert_eq!(state.turn(at(1)), Turn::Send { probe: false });
        state.in_flight = 2;
        assert_eq!(
            state.turn(at(1)),
            Turn::WaitForReset(Duration::from_secs(59))
        );
    }

    #[test]
    fn within_a_window_the_lowest_remaining_holds() {
        let mut state = PaceState::default();
        state.observe(limit(100, 5, at(60)), at(0));
        // An answer that was overtaken arrives late.
        state.observe(limit(100, 9, at(60)), at(1));
        assert_eq!(state.window.unwrap().remaining, 5);
        assert_eq!(state.latest.unwrap().remaining, 9, "latest is as announced");
        // A reset rounded a second differently is the same window.
        state.observe(limit(100, 7, at(61)), at(1));
        assert_eq!(state.window.unwrap().remaining, 5);
    }

    #[test]
    fn a_later_reset_opens_a_new_window_and_an_earlier_one_is_old_news() {
        let mut state = PaceState::default();
        state.observe(limit(100, 0, at(60)), at(0));
        state.observe(limit(100, 99, at(120)), at(2));
        assert_eq!(state.window.unwrap().remaining, 99);
        state.observe(limit(100, 0, at(60)), at(3));
        assert_eq!(state.window.unwrap().remaining, 99);
        // Also once the newer window has ended.
        state.observe(limit(100, 0, at(60)), at(130));
        assert_eq!(state.window.unwrap().reset, at(120));
    }

    #[test]
    fn after_the_reset_one_probe_goes_first() {
        let mut state = PaceState::default();
        state.observe(limit(100, 0, at(60)), at(0));
        assert!(matches!(state.turn(at(30)), Turn::WaitForReset(_)));
        assert_eq!(state.turn(at(60)), Turn::Send { probe: true });
        state.probing = true;
        assert_eq!(state.turn(at(60)), Turn::WaitForProbe);
        state.observe(limit(100, 99, at(120)), at(60));
        state.probing = false;
        assert_eq!(state.turn(at(61)), Turn::Send { probe: false });
    }

    #[test]
    fn a_probe_answered_without_headers_ends_pacing() {
        let mut state = PaceState::default();
        state.observe(limit(100, 0, at(60)), at(0));
        state.observe(None, at(30));
        assert!(
            state.window.is_some(),
            "before the reset it changes nothing"
        );
        state.observe(None, at(61));
        assert_eq!(state.window, None);
    }

    #[test]
    fn a_tighter_endpoint_limit_does_not_hold_back_other_calls() {
        let mut state = PaceState::default();
        state.observe(limit(100, 80, at(60)), at(0));
        state.observe(limit(10, 0, at(55)), at(1));
        assert_eq!(state.turn(at(2)), Turn::Send { probe: false });
    }

    #[test]
    fn a_probe_answered_with_a_reset_in_the_past_waits_a_little() {
        let mut state = PaceState::default();
        state.observe(limit(100, 0, at(10)), at(20));
        assert_eq!(state.window.unwrap().reset, at(20) + SKEWED_RESET);
        assert!(matches!(state.turn(at(20)), Turn::WaitForReset(_)));

        // A late answer of the ended window, no probe out: the next call
        // probes at once.
        let mut state = PaceState::default();
        state.observe(limit(100, 0, at(60)), at(0));
        state.observe(limit(100, 0, at(60)), at(61));
        assert_eq!(state.turn(at(61)), Turn::Send { probe: true });
        // The probe's answer says the same: the server's clock is behind.
        state.probing = true;
        state.observe(limit(100, 0, at(60)), at(61));
        state.probing = false;
        assert_eq!(state.window.unwrap().reset, at(61) + SKEWED_RESET);
        assert!(matches!(state.turn(at(61)), Turn::WaitForReset(_)));
    }

    fn budget(span: Duration) -> Budget {
        Budget {
            limit: span,
            until: Instant::now() + span,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_reset_past_the_ceiling_or_the_deadline_fails_at_once() {
        let pacer = Pacer::new(true);
        pacer.observe(limit(100, 0, SystemTime::now() + Duration::from_secs(3600)));
        let started = Instant::now();
        let error = pacer
            .turn(budget(Duration::from_secs(7200)), Duration::from_secs(60))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::RateLimit(_)), "{error:?}");
        assert!(error.to_string().contains("max_retry_wait"), "{error}");
        assert!(error.retry_after().unwrap() > Duration::from_secs(3500));
        let error = pacer
            .turn(budget(Duration::from_secs(10)), Duration::from_secs(7200))
            .await
            .unwrap_err();
        assert!(error.to_string().contains("deadline"), "{error}");
        assert_eq!(started.elapsed(), Duration::ZERO, "no waiting at all");
        assert!(
            Pacer::new(false)
                .turn(budget(Duration::from_secs(1)), Duration::ZERO)
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn a_dropped_waiter_or_slot_frees_its_place() {
        let pacer = Pacer::new(true);
        pacer.observe(limit(100, 1, SystemTime::now() + Duration::from_secs(30)));
        let long = budget(Duration::from_secs(60));
        let slot = pacer.turn(long, Duration::from_secs(60)).await.unwrap();
        assert_eq!(pacer.lock().in_flight, 1);
        // The window is spent while the slot is out: a second caller waits,
        // and giving up on it leaves nothing behind.
        let waiting = tokio::time::timeout(
            Duration::from_millis(20),
            pacer.turn(long, Duration::from_secs(60)),
        )
        .await;
        assert!(waiting.is_err(), "the second caller waits");
        assert_eq!(pacer.lock().in_flight, 1);
        drop(slot);
        assert_eq!(pacer.lock().in_flight, 0);
        assert!(pacer.turn(long, Duration::from_secs(60)).await.is_ok());
    }
}
