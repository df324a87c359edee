//! What never reaches a cassette: credentials and the secrets they unlock.
//!
//! Every request and answer goes through [`Scrubber::request`] /
//! [`Scrubber::response`] before it is stored, so nothing unscrubbed is ever
//! held where a save could write it:
//! - `Authorization`, `X-API-Key`, `Cookie`, `Set-Cookie` (and
//!   `Proxy-Authorization`) are dropped;
//! - every API key seen in those headers, and every webhook secret seen in a
//!   body, is replaced wherever else it appears (path, query, any header,
//!   either body), also in its URL-encoded spelling (values shorter than 8
//!   bytes, such as a test's dummy key, are only dropped with their header:
//!   hunting them would redact ordinary words);
//! - the value of any body field named `secret` or `*_secret` is replaced;
//! - the user's patterns ([`SandboxBuilder::redact`](crate::SandboxBuilder::redact))
//!   are replaced everywhere.
//!
//! Volatile headers are normalised at the same time: `Date`, `X-Request-Id`,
//! `Idempotency-Key` and transport headers are left out, and rate-limit
//! headers are kept only on a 429 (the one answer whose wait a replay must
//! reproduce).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, Method};
use regex::bytes::Regex;

use super::format::{Body, RecordedRequest, RecordedResponse, Values};
use super::json::OrderedJson;

/// What a scrubbed secret becomes.
pub(crate) const REDACTED: &str = "REDACTED";

/// The shortest value treated as a secret to replace everywhere.
const MIN_SECRET_LEN: usize = 8;

/// Headers that carry credentials: never stored.
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "cookie",
    "set-cookie",
];

/// Headers that differ from run to run or belong to one connection: not
/// stored, so two recordings of the same scenario are the same bytes.
const VOLATILE_HEADERS: &[&str] = &[
    "date",
    "x-request-id",
    "idempotency-key",
    "traceparent",
    "tracestate",
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-connection",
    "accept-encoding",
];

/// Rate-limit headers: kept on a 429 only, so a replayed success never
/// tells a client to slow down.
const RATE_LIMIT_HEADERS: &[&str] = &[
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
];

/// The patterns and the secrets learned so far, shared by every request of
/// one recorder or player.
#[derive(Debug, Clone)]
pub(crate) struct Scrubber {
    patterns: Arc<Vec<Regex>>,
    learned: Arc<Mutex<BTreeSet<String>>>,
}

/// A body field whose value is a secret.
fn is_secret_field(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "secret" || name.ends_with("_secret")
}

/// The key a request presents.
fn presented_keys(headers: &HeaderMap) -> Vec<String> {
    let mut keys = Vec::new();
    for value in headers.get_all("authorization") {
        if let Ok(value) = value.to_str() {
            let value = value.trim();
            // `Bearer <key>`, or the whole value for any other scheme.
            let key = value.split_once(' ').map_or(value, |(_, rest)| rest.trim());
            keys.push(key.to_owned());
        }
    }
    for value in headers.get_all("x-api-key") {
        if let Ok(value) = value.to_str() {
            keys.push(value.trim().to_owned());
        }
    }
    keys
}

fn secret_fields(json: &mut OrderedJson, found: &mut Vec<String>) {
    json.visit_members_mut(&mut |name, value| {
        if is_secret_field(name) {
            if let OrderedJson::String(s) = value {
                found.push(s.clone());
            }
        }
    });
}

impl Scrubber {
    /// Compiles the user's patterns.
    pub(crate) fn new(patterns: &[String]) -> Result<Scrubber, String> {
        let patterns = patterns
            .iter()
            .map(|p| Regex::new(p).map_err(|e| format!("--redact `{p}` is not a regex: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scrubber {
            patterns: Arc::new(patterns),
            learned: Arc::default(),
        })
    }

    /// Remembers the keys of `headers` and the secret fields of `bodies`, so
    /// they are replaced wherever they appear from now on.
    pub(crate) fn learn(&self, headers: &HeaderMap, bodies: &[&[u8]]) {
        let mut found = presented_keys(headers);
        for body in bodies {
            if let Some(mut json) = OrderedJson::parse(body) {
                secret_fields(&mut json, &mut found);
            }
        }
        let mut learned = self.learned.lock().unwrap_or_else(|e| e.into_inner());
        for secret in found {
            // A short "secret" (a test's dummy key such as `key`) would
            // redact ordinary words of paths and bodies; real keys and
            // webhook secrets are long.
            if secret.len() >= MIN_SECRET_LEN && secret != REDACTED {
                let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
                if encoded != secret {
                    learned.insert(encoded);
                }
                learned.insert(secret);
            }
        }
    }

    /// `bytes` with every learned secret and every pattern match replaced.
    pub(crate) fn bytes(&self, bytes: &[u8]) -> Vec<u8> {
        let mut out = bytes.to_vec();
        let learned: Vec<String> = {
            let learned = self.learned.lock().unwrap_or_else(|e| e.into_inner());
            let mut all: Vec<String> = learned.iter().cloned().collect();
            // Longest first: a secret that contains another is replaced whole.
            all.sort_by_key(|s| std::cmp::Reverse(s.len()));
            all
        };
        for secret in &learned {
            out = replace_all(&out, secret.as_bytes(), REDACTED.as_bytes());
        }
        for pattern in self.patterns.iter() {
            out = pattern.replace_all(&out, REDACTED.as_bytes()).into_owned();
        }
        out
    }

    pub(crate) fn text(&self, text: &str) -> String {
        String::from_utf8_lossy(&self.bytes(text.as_bytes())).into_owned()
    }

    /// A body, scrubbed, in its stored form.
    pub(crate) fn body(&self, bytes: &[u8]) -> Option<Body> {
        let scrubbed = self.bytes(bytes);
        let mut body = Body::from_bytes(&scrubbed)?;
        let mut json = match &body {
            Body::Json(json) => json.clone(),
            Body::Text(text) => match OrderedJson::parse(text.as_bytes()) {
                Some(json) => json,
                None => return Some(body),
            },
            Body::Hex(_) => return Some(body),
        };
        let mut replaced = false;
        json.visit_members_mut(&mut |name, value| {
            if is_secret_field(name) && matches!(value, OrderedJson::String(_)) {
                *value = OrderedJson::String(REDACTED.into());
                replaced = true;
            }
        });
        if replaced {
            // The exact bytes cannot be kept once a field changed; the tree
            // is what replays.
            body = Body::Json(json);
        }
        Some(body)
    }

    fn headers(
        &self,
        headers: &HeaderMap,
        keep: impl Fn(&str) -> bool,
    ) -> BTreeMap<String, Values> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in headers {
            let name = name.as_str();
            if CREDENTIAL_HEADERS.contains(&name) || VOLATILE_HEADERS.contains(&name) || !keep(name)
            {
                continue;
            }
            let value = String::from_utf8_lossy(&self.bytes(value.as_bytes())).into_owned();
            out.entry(name.to_owned()).or_default().push(value);
        }
        out.into_iter()
            .map(|(name, values)| (name, Values::from_vec(values)))
            .collect()
    }

    /// The stored form of a request.
    pub(crate) fn request(
        &self,
        method: &Method,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> RecordedRequest {
        let mut pairs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            pairs
                .entry(self.text(&key))
                .or_default()
                .push(self.text(&value));
        }
        let query = pairs
            .into_iter()
            .map(|(key, mut values)| {
                // Order-insensitive: `a=1&a=2` is `a=2&a=1`.
                values.sort();
                (key, Values::from_vec(values))
            })
            .collect();
        RecordedRequest {
            method: method.as_str().to_owned(),
            path: self.text(path),
            query,
            headers: self.headers(headers, |_| true),
            body: self.body(body),
        }
    }

    /// The stored form of an answer.
    pub(crate) fn response(
        &self,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> RecordedResponse {
        let throttled = status == 429;
        RecordedResponse {
            status,
            headers: self.headers(headers, |name| {
                throttled || !RATE_LIMIT_HEADERS.contains(&name)
            }),
            body: self.body(body),
        }
    }
}

/// `haystack` with every `needle` replaced by `with`.
fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(with);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn keys_and_secrets_are_replaced_everywhere() {
        let scrubber = Scrubber::new(&["tok_[a-z0-9]+".into()]).unwrap();
        let sent = headers(&[
            ("authorization", "Bearer sk_live_canary+1"),
            ("x-custom", "has sk_live_canary+1 inside"),
            ("cookie", "session=abc"),
            ("idempotency-key", "4f1c"),
        ]);
        let body = br#"{"url":"https://h/x","secret":"whsec_canary","note":"tok_abc123"}"#;
        scrubber.learn(&sent, &[body]);
        let request = scrubber.request(
            &Method::POST,
            "/v1/things/sk_live_canary+1",
            Some("key=sk_live_canary%2B1&b=2&a=whsec_canary"),
            &sent,
            body,
        );
        let text = serde_json::to_string(&request).unwrap();
        for canary in [
            "sk_live_canary",
            "whsec_canary",
            "tok_abc123",
            "abc",
            "4f1c",
        ] {
            assert!(!text.contains(canary), "{canary} leaked: {text}");
        }
        assert!(!request.headers.contains_key("authorization"));
        assert_eq!(
            request.headers.get("x-custom"),
            Some(&Values::One("has REDACTED inside".into()))
        );
        assert_eq!(request.path, "/v1/things/REDACTED");
        assert_eq!(
            request.query.get("key"),
            Some(&Values::One("REDACTED".into()))
        );
    }

    #[test]
    fn rate_limit_headers_stay_on_a_429_only() {
        let scrubber = Scrubber::new(&[]).unwrap();
        let answer = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("retry-after", "7"),
            ("date", "Sun, 06 Dec 2026 21:00:00 GMT"),
            ("content-type", "application/json"),
        ]);
        let ok = scrubber.response(200, &answer, b"{}");
        assert_eq!(ok.headers.keys().collect::<Vec<_>>(), ["content-type"]);
        let limited = scrubber.response(429, &answer, b"{}");
        assert_eq!(
            limited.headers.keys().collect::<Vec<_>>(),
            ["content-type", "retry-after", "x-ratelimit-remaining"]
        );
    }

    #[test]
    fn a_short_dummy_key_is_dropped_but_not_hunted_everywhere() {
        let scrubber = Scrubber::new(&[]).unwrap();
        let sent = headers(&[("x-api-key", "test")]);
        scrubber.learn(&sent, &[]);
        let request = scrubber.request(&Method::GET, "/v1/assets/test-1", None, &sent, b"");
        assert_eq!(request.path, "/v1/assets/test-1");
        assert!(request.headers.is_empty());
    }

    #[test]
    fn a_bad_pattern_is_named() {
        assert!(Scrubber::new(&["(".into()]).unwrap_err().contains("`(`"));
    }
}
