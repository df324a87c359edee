//! `ClientBuilder::proxy`: every request goes through the HTTP proxy.

use wiremock::Request;
use wiremock::matchers::header;

use crate::support::{self, KEY, MountExpecting};

#[tokio::test]
async fn requests_go_through_the_proxy() {
    // The API host does not resolve; only the proxy can answer.
    let proxy = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .and(|request: &Request| request.url.host_str() == Some("s4e.invalid"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(support::finding_response("f-1"))
        .mount_expecting(&proxy, 1)
        .await;

    let client = s4e::Client::builder(KEY)
        .base_url("http://s4e.invalid/v1")
        // Plain http to a non-loopback host needs the explicit opt-in.
        .allow_http(true)
        .proxy(proxy.uri())
        .retries(0)
        .build()
        .expect("client builds");
    let finding = client
        .findings()
        .get("f-1")
        .await
        .expect("the proxy answers");
    assert_eq!(finding.id, "f-1");

    let seen = support::received(&proxy).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].url.as_str(), "http://s4e.invalid/v1/findings/f-1");
}
