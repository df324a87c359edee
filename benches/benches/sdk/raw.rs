//! The baseline: what a careful hand-written client does with reqwest alone.
//! One `reqwest::Client` reused for every call, the same default headers as
//! the SDK (`Authorization`, `Accept`, `User-Agent`), no proxy lookup, and
//! `serde_json::from_slice` of the `data` envelope into the SDK's own
//! [`Finding`], so both sides decode the same struct.

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use s4e::Finding;
use serde::Deserialize;
use serde_json::value::RawValue;

pub(crate) struct Raw {
    http: reqwest::Client,
    base_url: String,
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: T,
}

impl Raw {
    pub(crate) fn new(base_url: &str, api_key: &str) -> Raw {
        // Plain http needs no TLS, but reqwest builds a TLS config anyway,
        // and with `rustls-no-provider` it needs a provider installed: the
        // SDK's (ring; s4e/src/config.rs says why despite rustls 0.23.48's
        // deprecation).
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut auth = HeaderValue::from_str(&format!("Bearer {api_key}")).expect("valid key");
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("s4e-rust/", env!("CARGO_PKG_VERSION"))),
        );
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .no_proxy()
            .build()
            .expect("the raw reqwest client builds");
        Raw {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// `GET /findings/{id}`, decoded from its `data` envelope.
    pub(crate) async fn get(&self, id: &str) -> Finding {
        let url = format!("{}/findings/{id}", self.base_url);
        let body = self
            .http
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("raw GET")
            .bytes()
            .await
            .expect("raw body");
        envelope_data(&body)
    }

    /// The body of one findings page, as sent.
    pub(crate) async fn page_body(&self, page: u32, per_page: u32) -> Vec<u8> {
        self.body(&format!("/findings?page={page}&per_page={per_page}"))
            .await
    }

    /// The body of a GET of `path` (and query), as sent.
    pub(crate) async fn body(&self, path: &str) -> Vec<u8> {
        self.http
            .get(format!("{}{path}", self.base_url))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("raw GET")
            .bytes()
            .await
            .expect("raw body")
            .to_vec()
    }
}

/// What a hand-written client decodes: `{"data": T}`, nothing else.
pub(crate) fn envelope_data<T: serde::de::DeserializeOwned>(body: &[u8]) -> T {
    serde_json::from_slice::<Envelope<T>>(body)
        .expect("raw decode")
        .data
}

/// A copy of the `data` array of a list page, for the bare decode.
pub(crate) fn data_array(body: &[u8]) -> Vec<u8> {
    #[derive(Deserialize)]
    struct Data<'a> {
        #[serde(borrow)]
        data: &'a RawValue,
    }
    let page: Data<'_> = serde_json::from_slice(body).expect("a list page");
    page.data.get().as_bytes().to_vec()
}
