//! Shared helpers: a mock server with a catch-all, a client pointed at it with
//! fast backoff, JSON responses, scripted response sequences.

use std::sync::Mutex;
use std::time::Duration;

use wiremock::matchers::any;
#[path = "../common/mocks.rs"]
mod mocks;
pub(crate) use mocks::{MountExpecting, route, sequence};

use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The API key every test client uses; no log line or `Debug` may show it.
pub(crate) const KEY: &str = "sk_test_contract_0123456789";

/// `User-Agent` without a suffix. The test package shares the workspace
/// version with `s4e`, which the workspace pins to that exact version.
pub(crate) const USER_AGENT: &str = concat!("s4e-rust/", env!("CARGO_PKG_VERSION"));

/// The bound a call cut by a timeout, a stall or a deadline of at most 1 s
/// must return within: far above that, so that no load on the machine breaks
/// it, and below the 20 s the slow server serves for, so that a call that
/// was not cut fails it (the error's kind and value say what cut it).
pub(crate) const CUT_BOUND: Duration = Duration::from_secs(10);

/// Starts a mock server whose catch-all answers any request no other mock
/// matched with a 500 naming it, and fails the test when the server is
/// dropped if it was hit.
///
/// The catch-all has the lowest priority (`u8::MAX`), so it only answers what
/// every other mock declined, whenever those are mounted: wiremock matches by
/// priority first and mount order second.
pub(crate) async fn start() -> MockServer {
    let server = MockServer::start().await;
    mount_catch_all(&server).await;
    server
}

/// Mounts the catch-all 500 on `server` (see [`start`]).
pub(crate) async fn mount_catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(|request: &Request| {
            ResponseTemplate::new(500).set_body_json(serde_json::json!({
                "status": "error",
                "error": {
                    "code": "unexpected_request",
                    "message": format!("no mock for {} {}", request.method, request.url),
                }
            }))
        })
        .with_priority(u8::MAX)
        .named("catch-all: a request no test mock expected")
        .expect(0)
        .mount(server)
        .await;
}

/// `<server>/v1`, the base URL of a client talking to `server`.
pub(crate) fn base_url(server: &MockServer) -> String {
    format!("{}/v1", server.uri())
}

/// A builder pointed at `server`, with millisecond backoff so that retry
/// tests stay fast.
pub(crate) fn builder(server: &MockServer) -> s4e::ClientBuilder {
    builder_at(&base_url(server))
}

/// A builder pointed at `base_url`, with millisecond backoff (see [`builder`]).
pub(crate) fn builder_at(base_url: &str) -> s4e::ClientBuilder {
    s4e::Client::builder(KEY)
        .base_url(base_url)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
}

/// A client pointed at `server` with the default retry count (3).
pub(crate) fn client(server: &MockServer) -> s4e::Client {
    builder(server).build().expect("test client builds")
}

/// A client pointed at `server` that never retries, for tests of one answer.
pub(crate) fn client_no_retry(server: &MockServer) -> s4e::Client {
    builder(server)
        .retries(0)
        .build()
        .expect("test client builds")
}

/// Mounts `GET /v1/findings/f-1` answering finding `f-1`, which must see
/// `calls` requests.
pub(crate) async fn mount_f1(server: &MockServer, calls: u64) {
    route("GET", "/v1/findings/f-1")
        .respond_with(finding_response("f-1"))
        .mount_expecting(server, calls)
        .await;
}

/// `findings().get(id)` by [`client`]: the call of most tests of one answer.
pub(crate) async fn get_finding(server: &MockServer, id: &str) -> Result<s4e::Finding, s4e::Error> {
    client(server).findings().get(id).await
}

/// `findings().get("f-1")` sent once, without a retry, by a client built
/// from `builder`: the call of the tests of one failed exchange.
pub(crate) async fn get_once(builder: s4e::ClientBuilder) -> Result<s4e::Finding, s4e::Error> {
    get_f1_by(builder.retries(0)).await
}

/// `findings().get("f-1")` by a client built from `builder`.
pub(crate) async fn get_f1_by(builder: s4e::ClientBuilder) -> Result<s4e::Finding, s4e::Error> {
    builder
        .build()
        .expect("test client builds")
        .findings()
        .get("f-1")
        .await
}

/// A 200 whose body is `json` as is (a fixture's text).
pub(crate) fn json(status: u16, json: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(json.as_bytes().to_vec(), "application/json")
}

/// The error envelope of `docs/API.md` section 3.
pub(crate) fn error_body(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(serde_json::json!({
        "status": "error",
        "error": { "code": code, "message": message }
    }))
}

/// A minimal finding as the API sends it.
pub(crate) fn finding_json(id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "title": format!("Finding {id}"),
        "severity": "high",
        "cvss": 7.5,
        "status": "open",
    })
}

/// `{"data": <finding>}` for `id`.
pub(crate) fn finding_response(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({ "data": finding_json(id) }))
}

/// A page of findings `ids`, with `meta` when given.
pub(crate) fn page_response(ids: &[String], meta: Option<serde_json::Value>) -> ResponseTemplate {
    let data: Vec<serde_json::Value> = ids.iter().map(|id| finding_json(id)).collect();
    let body = match meta {
        Some(meta) => serde_json::json!({ "data": data, "meta": meta }),
        None => serde_json::json!({ "data": data }),
    };
    ResponseTemplate::new(200).set_body_json(body)
}

/// `f-<from>` .. `f-<to>` (inclusive).
pub(crate) fn ids(from: usize, to: usize) -> Vec<String> {
    (from..=to).map(|n| format!("f-{n}")).collect()
}

/// Every request the server received, the catch-all's included.
pub(crate) async fn received(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

/// The value of header `name` of `request`, as text.
pub(crate) fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers
        .get(name)
        .map(|value| value.to_str().expect("header is text"))
}

/// Matches requests that do not carry header `name`.
pub(crate) fn header_missing(name: &'static str) -> impl Fn(&Request) -> bool + Send + Sync {
    move |request: &Request| !request.headers.contains_key(name)
}

/// Matches requests without any query string.
pub(crate) fn no_query(request: &Request) -> bool {
    request.url.query().is_none()
}

/// Whether `text` is a hyphenated UUID (`8-4-4-4-12` hex digits).
pub(crate) fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A local port nothing listens on (bound, then released).
pub(crate) fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/v1")
}

/// A client for [`closed_port_url`] that makes `retries` retries 1-2 ms
/// apart: every attempt is refused.
pub(crate) fn refused_client(retries: u32) -> s4e::Client {
    s4e::Client::builder(KEY)
        .base_url(closed_port_url())
        .retries(retries)
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .build()
        .expect("client builds")
}

/// Everything a `tracing` subscriber writes, for assertions on log output.
#[derive(Clone, Default)]
pub(crate) struct LogCapture(std::sync::Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// The output so far.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log lock")).into_owned()
    }
}

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
