//! Shared helpers: a mock server, clients pointed at it, fixtures.

#![allow(dead_code)]

use std::time::Duration;

use wiremock::matchers::any;
#[path = "../common/mocks.rs"]
mod mocks;
pub(crate) use mocks::{MountExpecting, route, sequence};

use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A wait's deadline in the tests that cut a wait: long enough that the polls
/// they count are made before it even on a loaded machine, far shorter than
/// the intervals that would otherwise follow (60 s).
pub(crate) const DEADLINE: Duration = Duration::from_secs(2);

/// The bound a wait cut by its [`DEADLINE`] must return within:
/// far above the deadline, so that no load on the machine breaks it, and far
/// below the intervals and delays of the tests that use it (60 s), so that a
/// wait that slept on or waited for the answer fails it.
pub(crate) const CUT_BOUND: Duration = Duration::from_secs(10);

/// The key every test client sends.
pub(crate) const KEY: &str = "sk_test_resources";

/// An async client for `server`, with fast retries.
pub(crate) fn client(server: &MockServer) -> s4e::Client {
    s4e::Client::builder(KEY)
        .base_url(format!("{}/v1", server.uri()))
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .expect("a valid test client")
}

/// A server for tests on tokio's paused clock: `app` served on the test's
/// own runtime, so that every exchange completes while the runtime has work
/// and the clock moves only when the client sleeps (a server on another
/// thread, as wiremock's, would let the paused clock jump to the client's
/// next timer in the middle of a request). Returns an async client for it.
pub(crate) async fn serve_on_this_runtime(app: axum::Router) -> s4e::Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local port");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    s4e::Client::builder(KEY)
        .base_url(format!("http://{addr}/v1"))
        .build()
        .expect("a valid test client")
}

/// The blocking twin of [`client`].
pub(crate) fn blocking_client(server: &MockServer) -> s4e::blocking::Client {
    s4e::blocking::Client::from_async(client(server)).expect("a blocking client")
}

/// A mock server and the runtime it runs on, for tests of the blocking client
/// (which must not be called from inside a runtime).
pub(crate) struct BlockingServer {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) server: MockServer,
}

impl BlockingServer {
    pub(crate) fn start() -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let server = runtime.block_on(MockServer::start());
        BlockingServer { runtime, server }
    }

    /// Mounts a mock on the server.
    pub(crate) fn mount(&self, mock: Mock) {
        self.runtime.block_on(mock.mount(&self.server));
    }
}

/// `{"data": value}`.
pub(crate) fn data(value: serde_json::Value) -> serde_json::Value {
    serde_json::json!({ "data": value })
}

/// A list page.
pub(crate) fn page(
    items: serde_json::Value,
    page: u32,
    per_page: u32,
    total: u64,
) -> serde_json::Value {
    serde_json::json!({
        "data": items,
        "meta": { "total": total, "page": page, "per_page": per_page, "total_pages": total.div_ceil(u64::from(per_page)) }
    })
}

/// The text of `tests/resources/fixtures/<path>`, embedded at compile time.
macro_rules! fixture {
    ($path:expr) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/resources/fixtures/",
            $path
        ))
    };
}
pub(crate) use fixture;

/// Answers what no other mock matched with a 500 naming the request, and
/// fails the test (when the server is dropped) if that ever happened.
pub(crate) async fn catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(|request: &Request| {
            ResponseTemplate::new(500)
                .set_body_string(format!("no mock for {} {}", request.method, request.url))
        })
        .with_priority(u8::MAX)
        .named("catch-all: a request no mock expected")
        .expect(0)
        .mount(server)
        .await;
}

/// A mock server with the strict catch-all.
pub(crate) async fn server() -> MockServer {
    let server = MockServer::start().await;
    catch_all(&server).await;
    server
}

/// A mock server for blocking tests, with the strict catch-all.
pub(crate) fn blocking_server() -> BlockingServer {
    let server = BlockingServer::start();
    server.runtime.block_on(catch_all(&server.server));
    server
}

/// An answer with `status` whose body is the JSON text `body` as it is.
pub(crate) fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

/// Matches requests without header `name`.
pub(crate) fn header_missing(name: &'static str) -> impl Fn(&Request) -> bool + Send + Sync {
    move |request: &Request| !request.headers.contains_key(name)
}

/// Matches requests without a query string.
pub(crate) fn no_query(request: &Request) -> bool {
    request.url.query().is_none()
}

/// Matches requests with an empty body.
pub(crate) fn no_body(request: &Request) -> bool {
    request.body.is_empty()
}

/// Matches requests with exactly `n` query parameters (nothing unasked
/// is sent).
pub(crate) fn query_count(n: usize) -> impl Fn(&Request) -> bool + Send + Sync {
    move |request: &Request| request.url.query_pairs().count() == n
}

/// A timestamp from RFC 3339 text.
pub(crate) fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

/// Matches a request whose query string is exactly `expected` (`""`: none).
pub(crate) fn query_is(
    expected: &'static str,
) -> impl Fn(&Request) -> bool + Send + Sync + 'static {
    move |request: &Request| request.url.query().unwrap_or_default() == expected
}

/// A mock server holding `mocks`, then the catch-all.
pub(crate) async fn serve(mocks: Vec<Mock>) -> MockServer {
    let server = server().await;
    for mock in mocks {
        mock.mount(&server).await;
    }
    server
}

/// The blocking twin of [`serve`].
pub(crate) fn serve_blocking(mocks: Vec<Mock>) -> BlockingServer {
    let server = blocking_server();
    for mock in mocks {
        server.mount(mock);
    }
    server
}

/// Panics unless every mock saw its expected number of calls.
pub(crate) fn verify_blocking(server: &BlockingServer) {
    server.runtime.block_on(server.server.verify());
}

/// One test per client for a call whose exchange and result are the same on
/// both, written once: `$name` becomes a module holding `async_client` and
/// `blocking_client`. Each sets the server up (`mocks(<Vec<Mock>>)` or
/// `mount(<async fn(&MockServer)>)`, verified at the end), binds a client to
/// `$client` and runs `$body`, in which `send!(call)` makes a call (awaited,
/// or sent) and `collect!(walk)` gathers a paginated walk.
macro_rules! on_both_clients {
    ($name:ident, $how:ident($setup:expr), |$client:ident| $body:block) => {
        $crate::support::on_both_clients!(@with ($) $name, $how $setup, |$client| $body);
    };
    (@with ($d:tt) $name:ident, $how:ident $setup:expr, |$client:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn async_client() {
                let server = $crate::support::on_both_clients!(@serve $how $setup);
                let $client = $crate::support::client(&server);
                #[allow(unused_macros)]
                macro_rules! send {
                    ($d call:expr) => {
                        $d call.await
                    };
                }
                #[allow(unused_macros)]
                macro_rules! collect {
                    ($d walk:expr) => {
                        $d walk.try_collect().await
                    };
                }
                $body
            }

            #[test]
            fn blocking_client() {
                let server = $crate::support::on_both_clients!(@serve_blocking $how $setup);
                {
                    let $client = $crate::support::blocking_client(&server.server);
                    #[allow(unused_macros)]
                    macro_rules! send {
                        ($d call:expr) => {
                            $d call.send()
                        };
                    }
                    #[allow(unused_macros)]
                    macro_rules! collect {
                        ($d walk:expr) => {
                            $d walk.collect::<s4e::Result<_>>()
                        };
                    }
                    $body
                }
                $crate::support::verify_blocking(&server);
            }
        }
    };
    (@serve mocks $mocks:expr) => {
        $crate::support::serve($mocks).await
    };
    (@serve mount $mount:expr) => {{
        let server = $crate::support::server().await;
        $mount(&server).await;
        server
    }};
    (@serve_blocking mocks $mocks:expr) => {
        $crate::support::serve_blocking($mocks)
    };
    (@serve_blocking mount $mount:expr) => {{
        let server = $crate::support::blocking_server();
        server.runtime.block_on($mount(&server.server));
        server
    }};
}
pub(crate) use on_both_clients;
