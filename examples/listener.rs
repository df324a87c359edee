//! A one-route local HTTP listener that collects webhook deliveries.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use tokio::sync::mpsc;

/// One delivery as received: the raw body and its signature header.
pub(crate) struct Delivery {
    pub(crate) body: Vec<u8>,
    pub(crate) signature: String,
}

/// A listener on 127.0.0.1 that records what is POSTed to `/hook`.
pub(crate) struct Listener {
    url: String,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
}

async fn receive(
    State(sender): State<mpsc::UnboundedSender<Delivery>>,
    headers: HeaderMap,
    body: Bytes,
) -> &'static str {
    let signature = headers
        .get(s4e::webhooks::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let _ = sender.send(Delivery {
        body: body.to_vec(),
        signature,
    });
    "ok"
}

impl Listener {
    pub(crate) async fn start() -> std::io::Result<Listener> {
        let (sender, deliveries) = mpsc::unbounded_channel();
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(sender);
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hook", socket.local_addr()?);
        tokio::spawn(async move { axum::serve(socket, app).await });
        Ok(Listener { url, deliveries })
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The next delivery, waiting at most `timeout`.
    pub(crate) async fn next(mut self, timeout: Duration) -> Result<Delivery, String> {
        tokio::time::timeout(timeout, self.deliveries.recv())
            .await
            .map_err(|_| format!("no delivery within {timeout:?}"))?
            .ok_or_else(|| "the listener stopped".to_owned())
    }
}
