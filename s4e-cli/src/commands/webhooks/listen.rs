//! `s4e webhooks listen`: a temporary webhook pointing at a local listener
//! that verifies each delivery and forwards it to the user's receiver.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use clap::Args;
use s4e::webhooks::{EventType, SIGNATURE_HEADER, Secrets};
use serde_json::json;

use super::forward::{self, HttpClient};
use crate::context::Context;
use crate::exit::{self, Failure};

#[derive(Debug, Args)]
pub(crate) struct ListenArgs {
    /// Where verified deliveries are forwarded (http://), with their
    /// original body and S4E-Signature header.
    #[arg(long, value_name = "URL")]
    forward_to: String,
    /// The events to subscribe to (comma-separated; all of them by default).
    #[arg(
        long,
        value_name = "EVENT",
        value_delimiter = ',',
        value_parser = crate::choices::one_of::<EventType>()
    )]
    events: Vec<EventType>,
    /// The local port to listen on (a free one by default).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    port: u16,
    /// The URL the API delivers to, when it cannot reach this machine
    /// directly (a tunnel to the local port); http://127.0.0.1:PORT/ by default.
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
}

struct Listener {
    secrets: Secrets,
    forward_to: hyper::Uri,
    client: HttpClient,
    json: bool,
}

pub(crate) async fn run(
    ctx: &Context,
    client: &s4e::Client,
    args: ListenArgs,
) -> Result<u8, Failure> {
    let forward_to =
        forward::check_url("--forward-to", &args.forward_to).map_err(Failure::Usage)?;
    let events = if args.events.is_empty() {
        every_event()
    } else {
        args.events
    };
    let socket = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port)))
        .await
        .map_err(|e| Failure::file(format!("listening on 127.0.0.1:{}", args.port), e))?;
    let port = socket
        .local_addr()
        .map_err(|e| Failure::file("reading the listener's address", e))?
        .port();
    let url = args
        .public_url
        .unwrap_or_else(|| format!("http://127.0.0.1:{port}/"));
    let secret = format!(
        "whsec_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    // Listen for Ctrl-C (and SIGTERM) before creating anything, so that an
    // early one also ends in the cleanup below.
    let stop = stopped();
    tokio::pin!(stop);
    tokio::select! {
        biased;
        _ = &mut stop => return Err(Failure::Interrupted),
        () = std::future::ready(()) => {}
    }
    let webhook = client
        .webhooks()
        .create("s4e webhooks listen (temporary)", url.clone(), events)
        .secret(secret.as_str())
        .await?;
    // The secret is this session's own, shown once so that a receiver can
    // be configured with it.
    eprintln!(
        "Ready: webhook {} delivers to {url}, forwarded to {}. Signing secret: {secret}\nStop with Ctrl-C.",
        webhook.id, args.forward_to
    );
    let listener = Arc::new(Listener {
        secrets: Secrets::new([secret]),
        forward_to,
        client: forward::client(),
        json: matches!(
            ctx.output,
            crate::cli::OutputFormat::Json | crate::cli::OutputFormat::Ndjson
        ),
    });
    let app = axum::Router::new().fallback(receive).with_state(listener);
    let served = tokio::select! {
        result = axum::serve(socket, app) => result.map_err(|e| Failure::file("serving deliveries", e)),
        result = &mut stop => match result {
            Ok(()) => Err(Failure::Interrupted),
            Err(e) => Err(Failure::file("waiting for Ctrl-C", e)),
        },
    };
    // Whatever ended the session, the temporary webhook goes.
    let deleted = client.webhooks().delete(webhook.id.clone()).await;
    match &deleted {
        Ok(()) => eprintln!("deleted temporary webhook {}", webhook.id),
        Err(e) => eprintln!(
            "warning: could not delete temporary webhook {}: {e}; delete it with `s4e webhooks delete {}`",
            webhook.id, webhook.id
        ),
    }
    match served {
        Ok(()) | Err(Failure::Interrupted) => deleted.map(|()| exit::OK).map_err(Failure::from),
        Err(failure) => Err(failure),
    }
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one (`docker stop`, a
/// CI job's end), which also deserve the cleanup.
async fn stopped() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

fn every_event() -> Vec<EventType> {
    super::events::EVENTS
        .iter()
        .map(|name| EventType::from(*name))
        .collect()
}

/// One delivery: verified, then forwarded; the sender gets the receiver's
/// status (so that its retries follow the receiver's answer).
async fn receive(
    State(listener): State<Arc<Listener>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let event = match listener.secrets.verify(&body, signature) {
        Ok(event) => event,
        Err(error) => {
            listener.print(
                json!({"rejected": error.to_string()}),
                format!("rejected: {error}"),
            );
            return (StatusCode::UNAUTHORIZED, format!("{error}\n"));
        }
    };
    let id = event
        .id
        .as_ref()
        .map(|id| id.as_str().to_string())
        .unwrap_or_default();
    let name = event.event_type.to_string();
    let forwarded = forward::post(
        &listener.client,
        &listener.forward_to,
        &[
            (SIGNATURE_HEADER, signature),
            ("S4E-Event", &name),
            ("S4E-Delivery", &id),
        ],
        body.to_vec(),
    )
    .await;
    match forwarded {
        Ok((status, answer)) => {
            listener.print(
                json!({"event": name, "id": id, "forward_status": status}),
                format!("{name} {id} -> {status}"),
            );
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            (status, answer)
        }
        Err(error) => {
            listener.print(
                json!({"event": name, "id": id, "forward_status": null, "error": error}),
                format!("{name} {id} -> not forwarded: {error}"),
            );
            (StatusCode::BAD_GATEWAY, format!("{error}\n"))
        }
    }
}

impl Listener {
    fn print(&self, object: serde_json::Value, text: String) {
        super::print_event_line(self.json, object, text);
    }
}
