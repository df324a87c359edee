//! The window kept in this process: the default store, and the fallback of a
//! shared store that does not answer.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;

use super::{SAME_WINDOW, SKEWED_RESET, Scope, Ticket, Turn};
use crate::rate_limit::RateLimit;

/// The rate-limit window kept in this process: the default store of every
/// client (each client has its own). Clients given clones of one
/// `MemoryStore` share one window per API key and base URL.
///
/// ```
/// let store = s4e::ratelimit::MemoryStore::new();
/// let client = s4e::Client::builder("sk_live_...").rate_limit_store(store).build()?;
/// # Ok::<(), s4e::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    windows: Mutex<HashMap<Scope, PaceState>>,
    /// Signalled whenever the state may let a waiter go: an answer arrived or
    /// a request stopped being in flight.
    changed: Notify,
    /// Milliseconds added to the system clock: a test's skewed machine.
    clock_offset_ms: AtomicI64,
}

/// One key's window as this process knows it.
#[derive(Debug, Default)]
struct PaceState {
    /// The window pacing follows.
    window: Option<Window>,
    /// Requests sent whose answer has not been seen.
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

/// What a caller may do now, before a slot is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Send { probe: bool },
    WaitForReset(Duration),
    Busy(Duration),
    WaitForProbe,
}

impl PaceState {
    fn turn(&self, now: SystemTime) -> Decision {
        let Some(window) = self.window else {
            return Decision::Send { probe: false };
        };
        match window.reset.duration_since(now) {
            Ok(left) if !left.is_zero() => {
                if window.remaining > self.in_flight {
                    Decision::Send { probe: false }
                } else if window.remaining == 0 {
                    Decision::WaitForReset(left)
                } else {
                    Decision::Busy(left)
                }
            }
            _ if self.probing => Decision::WaitForProbe,
            _ => Decision::Send { probe: true },
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
        let mut seen = Window {
            limit: announced.limit,
            remaining: announced.remaining,
            reset: announced.reset,
        };
        // An exhausted window that has already ended by the store's clock,
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

    fn free(&mut self, ticket: &Ticket) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if ticket.local_probe {
            self.probing = false;
        }
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Scope, PaceState>> {
        self.inner
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn with_state<T>(&self, scope: &Scope, f: impl FnOnce(&mut PaceState) -> T) -> T {
        let mut windows = self.lock();
        match windows.get_mut(scope) {
            Some(state) => f(state),
            None => f(windows.entry(scope.clone()).or_default()),
        }
    }

    /// The store's clock: the system's, shifted by a test's skew.
    pub(crate) fn now(&self) -> SystemTime {
        let offset = self.inner.clock_offset_ms.load(Ordering::Relaxed);
        let shift = Duration::from_millis(offset.unsigned_abs());
        if offset >= 0 {
            SystemTime::now() + shift
        } else {
            SystemTime::now() - shift
        }
    }

    /// Makes this store's clock run `offset_ms` ahead (behind when negative).
    #[cfg(feature = "redis")]
    pub(crate) fn skew_clock(&self, offset_ms: i64) {
        self.inner
            .clock_offset_ms
            .store(offset_ms, Ordering::Relaxed);
    }

    pub(crate) fn changed(&self) -> &Notify {
        &self.inner.changed
    }

    pub(crate) fn acquire(&self, scope: &Scope) -> Turn {
        let now = self.now();
        self.with_state(scope, |state| match state.turn(now) {
            Decision::Send { probe } => {
                state.in_flight += 1;
                state.probing |= probe;
                Turn::Send(Ticket::local(probe))
            }
            Decision::WaitForReset(left) => Turn::WaitForReset(left),
            Decision::Busy(left) => Turn::Busy(left),
            Decision::WaitForProbe => Turn::WaitForProbe,
        })
    }

    /// Counts a request that a shared store let go, so that this process's
    /// state knows what is in flight if it has to pace alone.
    #[cfg(feature = "redis")]
    pub(crate) fn count_in_flight(&self, scope: &Scope) -> Ticket {
        self.with_state(scope, |state| state.in_flight += 1);
        Ticket::local(false)
    }

    pub(crate) fn record(
        &self,
        scope: &Scope,
        ticket: Option<&Ticket>,
        announced: Option<RateLimit>,
    ) {
        let now = self.now();
        self.with_state(scope, |state| {
            state.observe(announced, now);
            if let Some(ticket) = ticket {
                state.free(ticket);
            }
        });
        self.inner.changed.notify_waiters();
    }

    pub(crate) fn release(&self, scope: &Scope, ticket: &Ticket) {
        self.with_state(scope, |state| state.free(ticket));
        self.inner.changed.notify_waiters();
    }

    #[cfg(test)]
    fn in_flight(&self, scope: &Scope) -> u64 {
        self.with_state(scope, |state| state.in_flight)
    }
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
            Decision::Send { probe: false }
        );
    }

    #[test]
    fn requests_in_flight_take_from_what_remains() {
        let mut state = PaceState::default();
        state.observe(limit(100, 2, at(60)), at(0));
        state.in_flight = 1;
        assert_eq!(state.turn(at(1)), Decision::Send { probe: false });
        state.in_flight = 2;
        assert_eq!(state.turn(at(1)), Decision::Busy(Duration::from_secs(59)));
        state.observe(limit(100, 0, at(60)), at(2));
        assert_eq!(
            state.turn(at(2)),
            Decision::WaitForReset(Duration::from_secs(58))
        );
    }

    #[test]
    fn within_a_window_the_lowest_remaining_holds() {
        let mut state = PaceState::default();
        state.observe(limit(100, 5, at(60)), at(0));
        // An answer that was overtaken arrives late.
        state.observe(limit(100, 9, at(60)), at(1));
        assert_eq!(state.window.unwrap().remaining, 5);
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
        assert!(matches!(state.turn(at(30)), Decision::WaitForReset(_)));
        assert_eq!(state.turn(at(60)), Decision::Send { probe: true });
        state.probing = true;
        assert_eq!(state.turn(at(60)), Decision::WaitForProbe);
        state.observe(limit(100, 99, at(120)), at(60));
        state.probing = false;
        assert_eq!(state.turn(at(61)), Decision::Send { probe: false });
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
        assert_eq!(state.turn(at(2)), Decision::Send { probe: false });
    }

    #[test]
    fn a_probe_answered_with_a_reset_in_the_past_waits_a_little() {
        let mut state = PaceState::default();
        state.observe(limit(100, 0, at(10)), at(20));
        assert_eq!(state.window.unwrap().reset, at(20) + SKEWED_RESET);
        assert!(matches!(state.turn(at(20)), Decision::WaitForReset(_)));

        // A late answer of the ended window, no probe out: the next call
        // probes at once.
        let mut state = PaceState::default();
        state.observe(limit(100, 0, at(60)), at(0));
        state.observe(limit(100, 0, at(60)), at(61));
        assert_eq!(state.turn(at(61)), Decision::Send { probe: true });
        // The probe's answer says the same: the server's clock is behind.
        state.probing = true;
        state.observe(limit(100, 0, at(60)), at(61));
        state.probing = false;
        assert_eq!(state.window.unwrap().reset, at(61) + SKEWED_RESET);
        assert!(matches!(state.turn(at(61)), Decision::WaitForReset(_)));
    }

    #[test]
    fn windows_are_kept_per_key_and_base_url() {
        let store = MemoryStore::new();
        let one = Scope::new("https://api.s4e.io/v1", "sk_live_one");
        let two = Scope::new("https://api.s4e.io/v1", "sk_live_two");
        let reset = SystemTime::now() + Duration::from_secs(60);
        store.record(&one, None, limit(100, 0, reset));
        assert!(matches!(store.acquire(&one), Turn::WaitForReset(_)));
        let Turn::Send(ticket) = store.acquire(&two) else {
            panic!("another key's window is its own");
        };
        assert_eq!((store.in_flight(&one), store.in_flight(&two)), (0, 1));
        store.release(&two, &ticket);
        assert_eq!(store.in_flight(&two), 0);
    }
}
