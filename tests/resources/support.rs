//! Shared helpers: a mock server, clients pointed at it, fixtures.

#![allow(dead_code)]

use std::time::Duration;

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

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

/// Answers anything not matched with a 500 naming the call, so an unexpected
/// request fails loudly. Mount it last.
pub(crate) async fn catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
        .mount(server)
        .await;
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
