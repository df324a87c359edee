//! What stderr shows while a command runs: with `--verbose` one line per
//! attempt, and (with `--verbose`, or on a terminal) each rate-limit wait,
//! which the SDK reports as a tracing event (target `s4e::pacing`, field
//! `wait_ms`).

use std::time::Duration;

use tracing_subscriber::Layer;
use tracing_subscriber::field::Visit;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// The SDK's pacing event: its target and its field.
const PACING_TARGET: &str = "s4e::pacing";
const WAIT_FIELD: &str = "wait_ms";

/// One `--verbose` line for an attempt that ended: method, path, status (or
/// the error), time and request id; a retry is numbered. Never the key: an
/// outcome does not hold it.
pub(crate) fn attempt_line(outcome: &s4e::AttemptOutcome<'_>) -> String {
    let mut line = String::new();
    if outcome.attempt() > 1 {
        line.push_str(&format!("retry {}: ", outcome.attempt() - 1));
    }
    line.push_str(&format!("{} {}", outcome.method(), outcome.url_template()));
    match (outcome.status(), outcome.error()) {
        (Some(status), _) => line.push_str(&format!(" {status}")),
        (None, Some(error)) => line.push_str(&format!(
            " failed ({})",
            outcome.error_type().unwrap_or_else(|| error.to_string())
        )),
        (None, None) => {}
    }
    line.push_str(&format!(" {}", crate::output::duration(outcome.duration())));
    if let Some(id) = outcome.request_id() {
        line.push_str(&format!(" request-id={id}"));
    }
    line
}

/// `rate limited: waiting 58 s for the window to reset`.
pub(crate) fn pacing_line(wait: Duration) -> String {
    format!(
        "rate limited: waiting {} for the window to reset",
        crate::output::duration(wait)
    )
}

/// Prints each pacing wait of the SDK on stderr.
struct PacingWaits;

impl<S: tracing::Subscriber> Layer<S> for PacingWaits {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if let Some(wait) = pacing_wait(event) {
            eprintln!("{}", pacing_line(wait));
        }
    }
}

/// The wait of a pacing event; `None` for every other event.
fn pacing_wait(event: &tracing::Event<'_>) -> Option<Duration> {
    if event.metadata().target() != PACING_TARGET {
        return None;
    }
    struct WaitMs(Option<u64>);
    impl Visit for WaitMs {
        fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
            if field.name() == WAIT_FIELD {
                self.0 = Some(value);
            }
        }
        fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
            if field.name() == WAIT_FIELD {
                self.0 = u64::try_from(value).ok();
            }
        }
        fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
    }
    let mut visitor = WaitMs(None);
    event.record(&mut visitor);
    visitor.0.map(Duration::from_millis)
}

/// Installs the pacing-wait printer for the process.
pub(crate) fn show_pacing_waits() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    // Only the pacing target reaches the layer; nothing else is recorded.
    let _ = tracing_subscriber::registry()
        .with(PacingWaits.with_filter(Targets::new().with_target(PACING_TARGET, LevelFilter::INFO)))
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Collects the waits the layer's parser finds.
    struct Collect(Arc<Mutex<Vec<Duration>>>);

    impl<S: tracing::Subscriber> Layer<S> for Collect {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            if let Some(wait) = pacing_wait(event) {
                self.0.lock().unwrap().push(wait);
            }
        }
    }

    #[test]
    fn a_pacing_event_is_read_and_others_are_not() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Collect(seen.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(
                target: "s4e::pacing",
                wait_ms = 58_000u64,
                "rate limited: waiting for the window to reset"
            );
            tracing::info!(target: "s4e", wait_ms = 1u64, "another event");
            tracing::info!(target: "s4e::pacing", "no wait field");
        });
        assert_eq!(*seen.lock().unwrap(), [Duration::from_secs(58)]);
        assert_eq!(
            pacing_line(Duration::from_secs(58)),
            "rate limited: waiting 58 s for the window to reset"
        );
    }
}
