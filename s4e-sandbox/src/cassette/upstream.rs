//! The HTTP client to the real API: rustls (ring) with the platform's roots,
//! no redirects followed (a proxy passes them on), no decompression (bodies
//! must stay scrubbable text), and bounded in time and size.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, Method};
use bytes::Bytes;

use super::CassetteError;

/// The most a recorded answer may weigh.
const MAX_BODY: usize = 256 * 1024 * 1024;
/// The longest an upstream call may take, answer included.
const TIMEOUT: Duration = Duration::from_secs(300);

/// Headers that belong to one hop, not to the request.
pub(crate) const HOP_BY_HOP: &[&str] = &[
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
];

#[derive(Debug, Clone)]
pub(crate) struct Upstream {
    /// The base URL as given, e.g. `https://api.s4e.io/v1`.
    base: reqwest::Url,
    client: reqwest::Client,
}

/// An answer read whole.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

fn client() -> Result<reqwest::Client, String> {
    // The SDK's TLS set-up: ring, deprecated by rustls 0.23.48 only for its lack
    // of post-quantum key exchange (s4e/src/config.rs says why it stays).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

impl Upstream {
    pub(crate) fn new(base_url: &str) -> Result<Upstream, CassetteError> {
        let invalid = |message: String| CassetteError::Upstream {
            url: redacted_url(base_url),
            message,
        };
        let base = reqwest::Url::parse(base_url).map_err(|e| invalid(e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return Err(invalid(
                "the upstream must be an http(s) URL with a host".into(),
            ));
        }
        Ok(Upstream {
            base,
            client: client().map_err(invalid)?,
        })
    }

    /// The base URL without credentials, query or trailing slash: what a
    /// cassette records as its origin.
    pub(crate) fn display(&self) -> String {
        redacted_url(self.base.as_str())
    }

    /// The path every API route sits under, e.g. `/v1` (empty for `/`).
    pub(crate) fn base_path(&self) -> String {
        base_path_of(self.base.as_str())
    }

    /// Sends `path_and_query` (as the client asked it, base path included)
    /// to the upstream's origin with the client's headers, and reads the
    /// answer.
    pub(crate) async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Answer, String> {
        let mut url = self.base.clone();
        url.set_query(None);
        let (path, query) = path_and_query
            .split_once('?')
            .map_or((path_and_query, None), |(p, q)| (p, Some(q)));
        url.set_path(path);
        url.set_query(query);
        let mut forwarded = HeaderMap::new();
        for (name, value) in headers {
            // Ask for identity encoding: a compressed body could not be scrubbed.
            if !HOP_BY_HOP.contains(&name.as_str()) && name != "accept-encoding" {
                forwarded.append(name.clone(), value.clone());
            }
        }
        let mut response = self
            .client
            .request(method, url)
            .headers(forwarded)
            .body(body)
            .send()
            .await
            .map_err(describe)?;
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(describe)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(format!("the answer is larger than {MAX_BODY} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            headers,
            body: body.into(),
        })
    }
}

/// reqwest's message without the URL (which could carry a key in its query).
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// The path of the base URL `url` (e.g. `/v1`; empty for `/` or a URL
/// that does not parse).
pub(crate) fn base_path_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .map(|u| u.path().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

/// `url` without `user:password@`, query or fragment, and no trailing `/`.
pub(crate) fn redacted_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.as_str().trim_end_matches('/').to_owned()
        }
        Err(_) => "(an invalid URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_origin_carries_no_credentials() {
        assert_eq!(
            redacted_url("https://user:pw@api.example.com/v1/?api_key=x#f"),
            "https://api.example.com/v1"
        );
        assert!(Upstream::new("ftp://example.com").is_err());
        let upstream = Upstream::new("http://127.0.0.1:9/v1/").unwrap();
        assert_eq!(upstream.base_path(), "/v1");
    }
}
