//! Plain HTTP/1.1 POSTs to a local receiver (`listen`, `trigger`) and to the
//! sandbox's controls (`resend`).

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// How long a receiver may take to answer one delivery.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// The most bytes of an answer kept (for a message).
const ANSWER_LIMIT: usize = 64 * 1024;

pub(crate) type HttpClient = Client<HttpConnector, Full<bytes::Bytes>>;

pub(crate) fn client() -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(Duration::from_secs(5)));
    Client::builder(TokioExecutor::new()).build(connector)
}

/// Checks that `url` is an `http://` URL this client can reach.
pub(crate) fn check_url(flag: &str, url: &str) -> Result<hyper::Uri, String> {
    let uri: hyper::Uri = url
        .parse()
        .map_err(|e| format!("{flag} `{url}`: not a URL ({e})"))?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http"), Some(_)) => Ok(uri),
        _ => Err(format!(
            "{flag} `{url}`: expected an http:// URL of a local receiver (https is not supported)"
        )),
    }
}

/// POSTs `body` with `headers`; answers the status and the start of the body.
pub(crate) async fn post(
    client: &HttpClient,
    uri: &hyper::Uri,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<(u16, String), String> {
    let mut request = hyper::Request::post(uri.clone()).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(bytes::Bytes::from(body)))
        .map_err(|e| format!("invalid request: {e}"))?;
    let answer = async {
        let response = client
            .request(request)
            .await
            .map_err(|e| format!("{uri}: {}", describe(&e)))?;
        let status = response.status().as_u16();
        let limited = http_body_util::Limited::new(response.into_body(), ANSWER_LIMIT);
        let text = match limited.collect().await {
            Ok(body) => String::from_utf8_lossy(&body.to_bytes()).trim().to_string(),
            Err(_) => String::new(),
        };
        Ok((status, text))
    };
    tokio::time::timeout(ANSWER_TIMEOUT, answer)
        .await
        .map_err(|_| format!("{uri}: no answer within {} s", ANSWER_TIMEOUT.as_secs()))?
}

fn describe(error: &hyper_util::client::legacy::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    text
}
