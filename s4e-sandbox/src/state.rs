//! In-memory state behind one mutex, the clock that moves it, and the outbox
//! that turns events into webhook deliveries.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::mem;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::clock::Clock;
use crate::controls::{DeliveryRecord, Fault, LimitedEndpoint, RequestRecord};
use crate::delivery::{self, Delivery, HttpClient};
use crate::pipeline::{RateWindow, Stored};
use crate::resources::actions::{Action, Execution};
use crate::resources::assets::Asset;
use crate::resources::findings::Finding;
use crate::resources::ordered::OrderedVec;
use crate::resources::playbooks::{Playbook, Run};
use crate::resources::scans::Scan;
use crate::resources::webhooks::{Webhook, is_loopback_url};
use crate::resources::{actions, playbooks, scans};
use crate::seed;

/// Locks a std mutex, ignoring poisoning: the state stays usable after a
/// panicking handler (every mutation is a few field writes).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// RFC 3339 in UTC with a `Z`, to the second (API.md §1).
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    Timestamp(t).to_string()
}

/// A time as the API writes it, [`ts`]; serialised without building a
/// `String` first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Timestamp(pub(crate) DateTime<Utc>);

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        // chrono's RFC 3339 writer, for the years it writes with a sign and
        // for leap seconds; the common case is written directly.
        if !(0..=9999).contains(&t.year()) || t.nanosecond() >= 1_000_000_000 {
            return f.write_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

pub(crate) fn ts_opt(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(ts(t)))
}

/// Fixed at start: what `reset` returns to.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) seed: u64,
    pub(crate) origin: DateTime<Utc>,
    pub(crate) api_key: String,
    pub(crate) read_only_key: String,
    pub(crate) settings: Settings,
    /// How long a rate-limit window lasts, in seconds (60 unless a test
    /// wants windows that pass quickly).
    pub(crate) rate_window_seconds: i64,
}

/// What the controls change at run time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Settings {
    /// Nominal seconds of job work per simulated second.
    pub(crate) scan_speed: f64,
    pub(crate) latency: Duration,
    /// Requests per minute per key; `None`: unlimited.
    pub(crate) rate_limit: Option<u32>,
    /// Requests per minute per key on each [`LimitedEndpoint`], by its index.
    pub(crate) endpoint_limits: [Option<u32>; LimitedEndpoint::ALL.len()],
}

/// Most requests the log keeps (oldest dropped first).
pub(crate) const LOG_CAPACITY: usize = 100_000;

/// `(Idempotency-Key, path)`: what a stored response is kept under.
pub(crate) type IdempotencyKey = (String, String);

/// Everything the server, the ticker and the controls share.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) clock: Clock,
    pub(crate) settings: Mutex<Settings>,
    db: Mutex<Db>,
    pub(crate) faults: Mutex<Vec<Fault>>,
    pub(crate) log: Mutex<VecDeque<RequestRecord>>,
    pub(crate) deliveries: Mutex<Vec<DeliveryRecord>>,
    pub(crate) rate_windows: Mutex<HashMap<String, RateWindow>>,
    pub(crate) idempotency: Mutex<HashMap<IdempotencyKey, Stored>>,
    /// One lock per (key, path) in flight, so a concurrent repeat waits for
    /// the first answer instead of creating twice.
    pub(crate) idempotency_locks: Mutex<HashMap<IdempotencyKey, Arc<tokio::sync::Mutex<()>>>>,
    outbox: mpsc::UnboundedSender<Delivery>,
    /// The client webhook deliveries go out with.
    pub(crate) client: HttpClient,
}

impl Shared {
    pub(crate) fn new(
        config: Config,
        clock_running: bool,
    ) -> (Shared, mpsc::UnboundedReceiver<Delivery>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let db = seed::generate(config.seed, config.origin);
        let shared = Shared {
            clock: Clock::new(config.origin, clock_running),
            settings: Mutex::new(config.settings.clone()),
            db: Mutex::new(db),
            faults: Mutex::default(),
            log: Mutex::default(),
            deliveries: Mutex::default(),
            rate_windows: Mutex::default(),
            idempotency: Mutex::default(),
            idempotency_locks: Mutex::default(),
            outbox: tx,
            client: delivery::client(),
            config,
        };
        (shared, rx)
    }

    pub(crate) fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The state, brought up to the clock's present first. Events raised while
    /// the guard is held are sent to the subscribed webhooks when it drops.
    pub(crate) fn db(&self) -> DbGuard<'_> {
        let mut db = lock(&self.db);
        let now = self.clock.now();
        let speed = lock(&self.settings).scan_speed;
        db.tick(now, speed);
        DbGuard {
            db,
            outbox: &self.outbox,
        }
    }

    /// Back to the seed data (keeping the clock where it is).
    pub(crate) fn reset_db(&self) {
        let mut db = lock(&self.db);
        let mut fresh = seed::generate(self.config.seed, self.config.origin);
        fresh.tick(self.clock.now(), lock(&self.settings).scan_speed);
        fresh.outbox.clear();
        *db = fresh;
    }
}

pub(crate) struct DbGuard<'a> {
    db: MutexGuard<'a, Db>,
    outbox: &'a mpsc::UnboundedSender<Delivery>,
}

impl std::ops::Deref for DbGuard<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

impl std::ops::DerefMut for DbGuard<'_> {
    fn deref_mut(&mut self) -> &mut Db {
        &mut self.db
    }
}

impl Drop for DbGuard<'_> {
    fn drop(&mut self) {
        for event in mem::take(&mut self.db.outbox) {
            let body = Bytes::from(event.envelope().to_string());
            for hook in self
                .db
                .webhooks
                .iter()
                .filter(|w| w.active && w.subscribes(&event.name))
            {
                let _ = self
                    .outbox
                    .send(Delivery::to_webhook(&event, hook, body.clone()));
            }
            if let Some(url) = event.callback.as_ref().filter(|u| is_loopback_url(u)) {
                let _ = self
                    .outbox
                    .send(Delivery::to_callback(&event, url, body.clone()));
            }
        }
    }
}

/// Something that happened, as webhooks receive it (API.md §5.1).
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) timestamp: DateTime<Utc>,
    pub(crate) data: Value,
    /// A scan's `callback_url`, also told (unsigned) about that scan.
    pub(crate) callback: Option<String>,
}

impl Event {
    pub(crate) fn envelope(&self) -> Value {
        json!({
            "id": self.id,
            "event": self.name,
            "timestamp": ts(self.timestamp),
            "data": delivery::documented_data(&self.name, &self.data),
        })
    }
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Counters {
    pub(crate) seq: u64,
    pub(crate) asset: u64,
    pub(crate) scan: u64,
    pub(crate) finding: u64,
    pub(crate) execution: u64,
    pub(crate) run: u64,
    pub(crate) webhook: u64,
    pub(crate) event: u64,
}

/// All the resources.
pub(crate) struct Db {
    pub(crate) seed: u64,
    pub(crate) assets: Vec<Asset>,
    pub(crate) scans: OrderedVec<Scan>,
    pub(crate) findings: OrderedVec<Finding>,
    pub(crate) actions: Vec<Action>,
    pub(crate) executions: Vec<Execution>,
    pub(crate) playbooks: Vec<Playbook>,
    pub(crate) runs: Vec<Run>,
    pub(crate) webhooks: Vec<Webhook>,
    pub(crate) next: Counters,
    /// The time the jobs were last brought up to.
    pub(crate) last_tick: DateTime<Utc>,
    pub(crate) outbox: Vec<Event>,
}

impl Db {
    pub(crate) fn empty(seed: u64, now: DateTime<Utc>) -> Db {
        Db {
            seed,
            assets: Vec::new(),
            scans: OrderedVec::default(),
            findings: OrderedVec::default(),
            actions: Vec::new(),
            executions: Vec::new(),
            playbooks: Vec::new(),
            runs: Vec::new(),
            webhooks: Vec::new(),
            next: Counters::default(),
            last_tick: now,
            outbox: Vec::new(),
        }
    }

    /// A fresh sequence number: ties in sort order break by creation order.
    pub(crate) fn seq(&mut self) -> u64 {
        self.next.seq += 1;
        self.next.seq
    }

    pub(crate) fn emit(&mut self, name: &str, at: DateTime<Utc>, data: Value) {
        self.emit_with_callback(name, at, data, None);
    }

    pub(crate) fn emit_with_callback(
        &mut self,
        name: &str,
        at: DateTime<Utc>,
        data: Value,
        callback: Option<String>,
    ) {
        self.next.event += 1;
        self.outbox.push(Event {
            id: format!("evt-{:06}", self.next.event),
            name: name.to_string(),
            timestamp: at,
            data,
            callback,
        });
    }

    /// Moves every job forward to `now`, `speed` nominal seconds of work per
    /// simulated second.
    pub(crate) fn tick(&mut self, now: DateTime<Utc>, speed: f64) {
        let from = self.last_tick;
        if now <= from {
            return;
        }
        self.last_tick = now;
        let elapsed = (now - from).as_seconds_f64();
        let span = Span {
            from,
            elapsed,
            speed: speed.max(0.0),
        };
        if span.work() <= 0.0 {
            return;
        }
        scans::advance(self, span);
        actions::advance(self, span);
        playbooks::advance(self, span);
    }

    pub(crate) fn asset(&self, id: &str) -> Option<&Asset> {
        self.assets.iter().find(|a| a.id == id)
    }
}

/// One step of the clock: `elapsed` simulated seconds from `from`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub(crate) from: DateTime<Utc>,
    pub(crate) elapsed: f64,
    pub(crate) speed: f64,
}

impl Span {
    /// Nominal seconds of work done during the span.
    pub(crate) fn work(self) -> f64 {
        self.elapsed * self.speed
    }

    /// When a job that had done `before` nominal seconds reached `threshold`.
    pub(crate) fn crossing(self, before: f64, threshold: f64) -> DateTime<Utc> {
        let secs = ((threshold - before) / self.speed).clamp(0.0, self.elapsed);
        self.from + chrono::Duration::milliseconds((secs * 1000.0) as i64)
    }
}

/// Work thresholds of a job that waits, then runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Schedule {
    /// Nominal seconds done so far.
    pub(crate) work: f64,
    /// Nominal seconds spent waiting before it starts.
    pub(crate) wait: f64,
    /// Nominal seconds of running.
    pub(crate) run: f64,
}

/// What one span did to a job.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Moved {
    pub(crate) started: Option<DateTime<Utc>>,
    pub(crate) finished: Option<DateTime<Utc>>,
}

impl Schedule {
    pub(crate) fn new(wait: f64, run: f64) -> Schedule {
        Schedule {
            work: 0.0,
            wait,
            run,
        }
    }

    pub(crate) fn step(&mut self, span: Span) -> Moved {
        let before = self.work;
        self.work += span.work();
        let end = self.wait + self.run;
        Moved {
            started: (before < self.wait && self.work >= self.wait)
                .then(|| span.crossing(before, self.wait)),
            finished: (before < end && self.work >= end).then(|| span.crossing(before, end)),
        }
    }

    /// Fraction of the running part done, in `0..=1`.
    pub(crate) fn fraction(&self) -> f64 {
        if self.run <= 0.0 {
            return 1.0;
        }
        ((self.work - self.wait) / self.run).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn schedule_crossings_land_inside_the_span() {
        let mut s = Schedule::new(30.0, 60.0);
        let span = Span {
            from: t("2026-05-01T00:00:00Z"),
            elapsed: 1.0,
            speed: 60.0,
        };
        let moved = s.step(span);
        assert_eq!(moved.started, Some(t("2026-05-01T00:00:00.500Z")));
        assert_eq!(moved.finished, None);
        assert!((s.fraction() - 0.5).abs() < 1e-9);
        let moved = s.step(Span {
            from: t("2026-05-01T00:00:01Z"),
            ..span
        });
        assert_eq!(moved.started, None);
        assert_eq!(moved.finished, Some(t("2026-05-01T00:00:01.500Z")));
    }

    #[test]
    fn frozen_speed_does_nothing() {
        let mut s = Schedule::new(1.0, 1.0);
        let moved = s.step(Span {
            from: t("2026-05-01T00:00:00Z"),
            elapsed: 100.0,
            speed: 0.0,
        });
        assert_eq!(moved, Moved::default());
    }

    #[test]
    fn timestamps_are_rfc3339_utc_seconds() {
        assert_eq!(ts(t("2026-05-03T10:07:00.123Z")), "2026-05-03T10:07:00Z");
        assert_eq!(ts_opt(None), Value::Null);
        for at in [
            "2026-05-03T10:07:00.123Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999Z",
            "2016-12-31T23:59:60Z",
            "1969-07-20T20:17:40+02:00",
        ] {
            let at = t(at);
            assert_eq!(
                Timestamp(at).to_string(),
                at.to_rfc3339_opts(SecondsFormat::Secs, true),
                "{at:?}"
            );
            assert_eq!(
                serde_json::to_string(&Timestamp(at)).unwrap(),
                format!("\"{}\"", ts(at))
            );
        }
        let far = DateTime::<Utc>::from_timestamp(400_000_000_000, 0).unwrap();
        assert_eq!(
            Timestamp(far).to_string(),
            far.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
    }
}
