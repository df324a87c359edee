//! A webhook receiver as a service writes it: axum, with `Verified` checking
//! each delivery before the handler runs and `Dedup` running the side
//! effects once per event, however often it is delivered.
//!
//! Runs offline against the sandbox: it registers a webhook pointing at the
//! receiver, creates an asset (one `asset.created` delivery), then has the
//! sandbox deliver that event again, which the receiver recognises.
//!
//! ```sh
//! cargo run --example webhook_receiver
//! ```
//!
//! Pointed at the real API, the same `AppState` and `hook` serve behind your
//! public URL, with the secret you gave the webhook.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::{Router, routing::post};
use s4e::webhooks::{Claim, Dedup, EventData, EventType, Secrets, axum::Verified};
use s4e_sandbox::Sandbox;

mod logging;

#[derive(Clone)]
struct AppState {
    secrets: Secrets,
    dedup: Dedup,
    processed: Arc<AtomicUsize>,
}

// `Verified` finds the secrets in the state through `FromRef`.
impl FromRef<AppState> for Secrets {
    fn from_ref(state: &AppState) -> Secrets {
        state.secrets.clone()
    }
}

async fn hook(State(state): State<AppState>, Verified(event): Verified) -> StatusCode {
    let id = event.id.as_ref().map_or("-", |id| id.as_str()).to_owned();
    let token = match state.dedup.claim(&event).await {
        Ok(Claim::New(token)) => token,
        Ok(Claim::Done) => {
            println!("{id} ({}) again: already processed", event.event_type);
            return StatusCode::OK;
        }
        // Another delivery of it is being processed: the sender retries later.
        Ok(Claim::InProgress) => return StatusCode::CONFLICT,
        Err(e) => {
            eprintln!("dedup store: {e}");
            return StatusCode::SERVICE_UNAVAILABLE;
        }
    };
    // The side effects. An early return here drops the token, which releases
    // the event: the sender's retry runs them again.
    match event.payload() {
        Ok(EventData::Asset(asset)) => println!("{id}: asset {} created", asset.domain),
        Ok(other) => println!("{id}: {} {other:?}", event.event_type),
        Err(e) => println!("{id}: {} with unexpected data: {e}", event.event_type),
    }
    state.processed.fetch_add(1, Ordering::SeqCst);
    match token.done().await {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    logging::init();
    let secret = "whsec_example_receiver";
    let state = AppState {
        secrets: Secrets::new([secret]),
        dedup: Dedup::in_memory(),
        processed: Arc::default(),
    };
    let app = Router::new()
        .route("/hooks/s4e", post(hook))
        .with_state(state.clone());
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hooks/s4e", socket.local_addr()?);
    tokio::spawn(async move { axum::serve(socket, app).await });

    let sandbox = Sandbox::builder().start().await?;
    let client = s4e::Client::builder(sandbox.api_key())
        .base_url(sandbox.base_url())
        .build()?;
    client
        .webhooks()
        .create("receiver example", url, [EventType::AssetCreated])
        .secret(secret)
        .await?;
    client
        .assets()
        .create("receiver.example.com", s4e::AssetType::Domain)
        .await?;

    // The sandbox delivers on its own task; wait for the delivery, then send
    // it again as a sender's retry would.
    let controls = sandbox.controls();
    let mut delivered = None;
    for _ in 0..500 {
        delivered = controls.deliveries().into_iter().next();
        if delivered.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let delivered = delivered.ok_or("no delivery arrived")?;
    controls.redeliver(&delivered.delivery_id).await;
    println!(
        "{} deliveries, side effects run {} time(s)",
        controls.deliveries().len(),
        state.processed.load(Ordering::SeqCst)
    );
    sandbox.shutdown().await;
    Ok(())
}
