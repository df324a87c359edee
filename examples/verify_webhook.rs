//! Verifies a webhook delivery the way a receiver does: over the raw body,
//! against the `S4E-Signature` header, with the webhook's secret.
//!
//! Runs offline: it signs a sample delivery itself, then checks it, a tampered
//! copy and a stale one.
//!
//! ```sh
//! cargo run --example verify_webhook
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use s4e::webhooks;

mod logging;

fn main() {
    logging::init();
    let secret = "whsec_example";
    let body = br#"{"id":"evt-1","event":"finding.new","timestamp":"2026-11-29T10:00:00Z","data":{"id":"f-1","title":"Open SSH port","severity":"low"}}"#;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let header = webhooks::sign(body, secret, now);
    println!("{}: {header}", webhooks::SIGNATURE_HEADER);

    match webhooks::verify(body, &header, secret) {
        Ok(event) => {
            let id = event
                .id
                .map_or_else(|| "-".to_owned(), |id| id.into_string());
            println!("accepted {id} ({})", event.event_type);
        }
        Err(e) => println!("rejected: {e}"),
    }
    let tampered = String::from_utf8_lossy(body).replace("low", "info");
    match webhooks::verify(tampered.as_bytes(), &header, secret) {
        Ok(_) => println!("a tampered body was accepted (this is a bug)"),
        Err(e) => println!("tampered body rejected: {e}"),
    }
    let old = webhooks::sign(body, secret, now.saturating_sub(3_600));
    let later = SystemTime::now();
    match webhooks::verify_at(body, &old, secret, Duration::from_secs(300), later) {
        Ok(_) => println!("an hour-old delivery was accepted (this is a bug)"),
        Err(e) => println!("stale delivery rejected: {e}"),
    }
}
