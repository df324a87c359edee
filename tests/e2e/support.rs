//! What every end-to-end test needs: a sandbox, clients for it, the request
//! log, a webhook listener, and small helpers to compare lists.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use s4e_sandbox::{Controls, RequestRecord, Sandbox, SandboxBuilder};

/// What a test returns: any error fails it with its `Debug` form.
pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Retry waits short enough that a retried call costs milliseconds.
pub(crate) const BACKOFF: (Duration, Duration) =
    (Duration::from_millis(1), Duration::from_millis(5));

/// How long a test waits for something that should happen at once.
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

/// A sandbox whose clock only moves with `controls().advance(d)`, at nominal
/// job speed (1.0): a quick scan queues 30 s and runs 180 s of advanced time,
/// and the seeded running scans never finish (and add findings) on their own
/// in the middle of a test.
pub(crate) fn builder() -> SandboxBuilder {
    Sandbox::builder().seed(42).manual_clock().scan_speed(1.0)
}

/// Starts [`builder`] on the current runtime.
pub(crate) async fn start() -> Result<Sandbox, s4e_sandbox::Error> {
    builder().start().await
}

/// A started sandbox ([`start`]), an async [`client`] for it and its
/// controls: where most end-to-end tests begin.
pub(crate) async fn start_with_client()
-> Result<(Sandbox, s4e::Client, Controls), s4e_sandbox::Error> {
    let sandbox = start().await?;
    let client = client(&sandbox);
    let controls = sandbox.controls().clone();
    Ok((sandbox, client, controls))
}

/// A client builder for `sandbox` with `key` and the fast backoff.
pub(crate) fn client_builder(sandbox: &Sandbox, key: &str) -> s4e::ClientBuilder {
    s4e::Client::builder(key)
        .base_url(sandbox.base_url())
        .backoff(BACKOFF.0, BACKOFF.1)
        .timeout(PATIENCE)
}

/// An async client with the full-access key.
pub(crate) fn client(sandbox: &Sandbox) -> s4e::Client {
    client_builder(sandbox, sandbox.api_key())
        .build()
        .expect("a client for the sandbox")
}

/// A blocking client with the full-access key.
pub(crate) fn blocking_client(sandbox: &Sandbox) -> s4e::blocking::Client {
    client_builder(sandbox, sandbox.api_key())
        .build_blocking()
        .expect("a blocking client for the sandbox")
}

/// A sandbox served by a runtime of its own, so the test thread stays outside
/// any runtime and may use the blocking client.
pub(crate) struct BlockingSandbox {
    // Declared first: dropped (stopped) before its runtime.
    pub(crate) sandbox: Sandbox,
    pub(crate) runtime: tokio::runtime::Runtime,
}

impl BlockingSandbox {
    pub(crate) fn start() -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime for the sandbox");
        let sandbox = runtime
            .block_on(start())
            .expect("the sandbox starts on a free port");
        BlockingSandbox { sandbox, runtime }
    }

    pub(crate) fn controls(&self) -> &Controls {
        self.sandbox.controls()
    }

    /// A webhook listener served by this runtime.
    pub(crate) fn listener(&self) -> Listener {
        self.runtime
            .block_on(Listener::start())
            .expect("a local webhook listener")
    }
}

/// The logged requests with this method and path (`/assets`, without `/v1`).
pub(crate) fn requests_to(controls: &Controls, method: &str, path: &str) -> Vec<RequestRecord> {
    let full = format!("/v1{path}");
    controls
        .requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == full)
        .collect()
}

/// The last logged request.
pub(crate) fn last_request(controls: &Controls) -> RequestRecord {
    controls
        .requests()
        .pop()
        .expect("the request log is not empty")
}

/// Checks that `err` is the answer to the last logged request: same
/// `X-Request-Id`, same status.
pub(crate) fn assert_is_last_logged(controls: &Controls, err: &s4e::Error) {
    let logged = last_request(controls);
    let request_id = err
        .request_id()
        .unwrap_or_else(|| panic!("{err:?} carries no request id"));
    assert!(request_id.starts_with("req_"), "{request_id}");
    assert_eq!(request_id, logged.request_id, "{err:?} vs {logged:?}");
    assert_eq!(err.status(), logged.status, "{err:?} vs {logged:?}");
}

/// Moves the clock by `by` once `method path` has been requested `after`
/// times: a poller (`wait`, `wait_run`) then sees the job unfinished at least
/// once and finished after, whatever the thread timing.
pub(crate) async fn advance_after(
    controls: Controls,
    method: &'static str,
    path: String,
    after: usize,
    by: Duration,
) {
    let deadline = Instant::now() + PATIENCE;
    while controls.count(method, &path) < after && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    controls.advance(by);
}

/// Asserts that `err` is a validation error whose first detail names `field`.
pub(crate) fn assert_invalid_field(err: &s4e::Error, field: &str) {
    assert!(matches!(err, s4e::Error::Validation(_)), "{err:?}");
    assert_eq!(
        err.api_error().map(|e| e.details()[0].field.as_str()),
        Some(field),
        "{err:?}"
    );
}

/// The error of `result`, asserted to be a 404.
#[track_caller]
pub(crate) fn not_found<T: std::fmt::Debug>(result: Result<T, s4e::Error>) -> s4e::Error {
    match result {
        Err(err @ s4e::Error::NotFound(_)) => err,
        other => panic!("expected a 404, got {other:?}"),
    }
}

/// Spawns [`advance_after`] for the GETs (the polls of a wait) of `path`.
pub(crate) fn jump_after(
    controls: &Controls,
    path: &str,
    gets: usize,
    by: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(advance_after(
        controls.clone(),
        "GET",
        path.to_owned(),
        gets,
        by,
    ))
}

/// [`advance_after`] for a plain thread.
pub(crate) fn advance_after_blocking(
    controls: &Controls,
    method: &str,
    path: &str,
    after: usize,
    by: Duration,
) {
    let deadline = Instant::now() + PATIENCE;
    while controls.count(method, path) < after && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    controls.advance(by);
}

/// The ids of `items`, in order.
pub(crate) fn ids<T, I: std::fmt::Display>(items: &[T], id: impl Fn(&T) -> &I) -> Vec<String> {
    items.iter().map(|item| id(item).to_string()).collect()
}

/// Sorted, for comparing sets that come in different orders.
pub(crate) fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// Asserts no id appears twice.
pub(crate) fn assert_distinct(ids: &[String]) {
    let set: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(set.len(), ids.len(), "duplicates in {ids:?}");
}

/// The header the sandbox's CSV export starts with.
pub(crate) const CSV_HEADER: &str = "id,title,severity,cvss,status,asset,scan_id,discovered_at";

/// The finding ids of a CSV export, in file order, after checking its header
/// and that every row has the header's 8 columns.
pub(crate) fn csv_ids(csv: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(csv).expect("the CSV export is UTF-8");
    let mut lines = text.split("\r\n").filter(|line| !line.is_empty());
    assert_eq!(lines.next(), Some(CSV_HEADER));
    lines
        .map(|row| {
            assert_eq!(csv_columns(row), 8, "{row}");
            let id = row.split(',').next().unwrap_or_default();
            assert!(id.starts_with("f-"), "{row}");
            id.to_owned()
        })
        .collect()
}

/// Counts the columns of one RFC 4180 row.
fn csv_columns(row: &str) -> usize {
    let mut quoted = false;
    let mut columns = 1;
    for c in row.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => columns += 1,
            _ => {}
        }
    }
    columns
}

/// One webhook delivery as the listener received it.
#[derive(Debug)]
pub(crate) struct Delivery {
    pub(crate) body: Vec<u8>,
    pub(crate) signature: String,
    /// The `S4E-Event` header.
    pub(crate) event: String,
}

/// A local HTTP listener collecting what is POSTed to `/hook`.
pub(crate) struct Listener {
    url: String,
    received: mpsc::Receiver<Delivery>,
    server: tokio::task::JoinHandle<()>,
}

async fn receive(
    State(sender): State<mpsc::Sender<Delivery>>,
    headers: HeaderMap,
    body: Bytes,
) -> &'static str {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let _ = sender.send(Delivery {
        body: body.to_vec(),
        signature: header(s4e::webhooks::SIGNATURE_HEADER),
        event: header("S4E-Event"),
    });
    "ok"
}

impl Listener {
    /// Listens on a free port of 127.0.0.1, on the current runtime.
    pub(crate) async fn start() -> std::io::Result<Listener> {
        let (sender, received) = mpsc::channel();
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(sender);
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hook", socket.local_addr()?);
        let server = tokio::spawn(async move {
            let _ = axum::serve(socket, app).await;
        });
        Ok(Listener {
            url,
            received,
            server,
        })
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The next delivery, waiting at most [`PATIENCE`] without blocking the
    /// runtime.
    pub(crate) async fn next(&self) -> Delivery {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.received.try_recv() {
                Ok(delivery) => return delivery,
                Err(mpsc::TryRecvError::Empty) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err(e) => panic!("no webhook delivery within {PATIENCE:?}: {e}"),
            }
        }
    }

    /// The next delivery, from a thread outside the runtime.
    pub(crate) fn next_blocking(&self) -> Delivery {
        self.received
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|e| panic!("no webhook delivery within {PATIENCE:?}: {e}"))
    }

    /// Whatever else arrived, without waiting.
    pub(crate) fn rest(&self) -> Vec<Delivery> {
        self.received.try_iter().collect()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.server.abort();
    }
}
