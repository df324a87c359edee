//! The sandbox clock: simulated time that follows real time (unless paused)
//! plus whatever the tests added with `advance`.
//!
//! `now = origin + real time elapsed while running + manual advances`. Every
//! timestamp the API shows comes from it, and jobs (scans, executions, runs)
//! progress on it. It never goes backwards.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::state::lock;

pub(crate) struct Clock {
    inner: Mutex<Inner>,
}

struct Inner {
    origin: DateTime<Utc>,
    /// Simulated time accumulated before `anchor` (advances and paused spans).
    banked: Duration,
    /// When the clock last resumed, while it runs.
    anchor: Option<Instant>,
}

impl Clock {
    pub(crate) fn new(origin: DateTime<Utc>, running: bool) -> Clock {
        Clock {
            inner: Mutex::new(Inner {
                origin,
                banked: Duration::ZERO,
                anchor: running.then(Instant::now),
            }),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        let inner = lock(&self.inner);
        let elapsed = inner.banked + inner.anchor.map_or(Duration::ZERO, |a| a.elapsed());
        inner.origin + chrono::Duration::from_std(elapsed).unwrap_or(chrono::Duration::MAX)
    }

    pub(crate) fn advance(&self, by: Duration) {
        lock(&self.inner).banked += by;
    }

    pub(crate) fn pause(&self) {
        let mut inner = lock(&self.inner);
        if let Some(anchor) = inner.anchor.take() {
            inner.banked += anchor.elapsed();
        }
    }

    pub(crate) fn resume(&self) {
        let mut inner = lock(&self.inner);
        if inner.anchor.is_none() {
            inner.anchor = Some(Instant::now());
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        lock(&self.inner).anchor.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> DateTime<Utc> {
        "2026-05-01T09:00:00Z".parse().unwrap()
    }

    #[test]
    fn paused_clock_moves_only_when_advanced() {
        let clock = Clock::new(origin(), false);
        assert_eq!(clock.now(), origin());
        clock.advance(Duration::from_secs(90));
        assert_eq!(
            clock.now(),
            "2026-05-01T09:01:30Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert!(clock.is_paused());
    }

    #[test]
    fn pause_and_resume_keep_time_monotonic() {
        let clock = Clock::new(origin(), true);
        let a = clock.now();
        clock.pause();
        let b = clock.now();
        assert!(b >= a);
        clock.resume();
        assert!(!clock.is_paused());
        assert!(clock.now() >= b);
    }
}
