//! What the SDK reports of each attempt: the span's fields, one DEBUG event,
//! the response hooks; and at TRACE level the start of each body, secrets
//! replaced (bodies never appear at any other level).

use std::time::Duration;

use crate::Error;
use crate::error::excerpt;
use crate::http::engine::Engine;
use crate::http::hooks::AttemptOutcome;
use crate::http::transport::{Prepared, Seen};

impl Engine {
    /// Reports one attempt's end: the span's status and request id, one
    /// DEBUG event (on success as on failure), and the response hooks.
    pub(crate) fn observe_attempt(
        &self,
        prepared: &Prepared,
        attempt: u32,
        duration: Duration,
        seen: &Seen,
        error: Option<&Error>,
    ) {
        let status = seen.status.or_else(|| error.and_then(Error::status));
        let request_id = seen
            .request_id
            .as_deref()
            .or_else(|| error.and_then(Error::request_id));
        let span = tracing::Span::current();
        if let Some(status) = status {
            span.record("http.response.status_code", status);
        }
        if let Some(id) = request_id {
            span.record("request_id", id);
        }
        let duration_ms = duration.as_millis() as u64;
        match error {
            None => tracing::debug!(
                target: "s4e",
                method = prepared.method.as_str(),
                url = prepared.url.as_str(),
                status,
                duration_ms,
                attempt,
                request_id,
                "answered",
            ),
            Some(error) => tracing::debug!(
                target: "s4e",
                method = prepared.method.as_str(),
                url = prepared.url.as_str(),
                status,
                duration_ms,
                attempt,
                request_id,
                "error.type" = error.kind_name().as_ref(),
                error = %error,
                "attempt failed",
            ),
        }
        if !self.hooks.on_response.is_empty() {
            self.hooks.after_attempt(&AttemptOutcome {
                method: prepared.method,
                url_template: prepared.template,
                attempt,
                duration,
                status,
                request_id,
                error,
            });
        }
    }

    /// Logs the start of a body at TRACE level, secrets redacted.
    pub(crate) fn trace_body(&self, what: &'static str, body: &[u8]) {
        if tracing::enabled!(target: "s4e", tracing::Level::TRACE) {
            let shown = loggable_body(body, self.api_key.expose());
            tracing::trace!(target: "s4e", bytes = body.len(), body = %shown, "{what}");
        }
    }
}

/// The most of a body a TRACE event shows.
pub(crate) const LOGGED_BODY_LIMIT: usize = 4 * 1024;

/// Keys shorter than this are not searched for in bodies.
const MIN_KEY_TO_REDACT: usize = 8;

/// What stands in for a secret.
const REDACTED: &str = "[redacted]";

/// Whether a JSON key names a secret whose value must not be logged: the
/// webhook signing `secret`, and anything named like a credential (a
/// webhook's custom `headers` may carry its receiver's `Authorization`).
fn is_secret_key(key: &[u8]) -> bool {
    let key = key.to_ascii_lowercase();
    key == b"secret"
        || key.ends_with(b"_secret")
        || key == b"password"
        || key == b"api_key"
        || key == b"apikey"
        || key == b"token"
        || key.ends_with(b"_token")
        // A webhook's own `headers` may hold its receiver's credentials.
        || key == b"authorization"
        || key == b"proxy-authorization"
        || key == b"x-api-key"
        || key == b"cookie"
}

/// `body` as a TRACE event shows it: every string value of a secret key
/// (`"secret": "..."`) replaced by `"[redacted]"`, every occurrence of the
/// API key replaced too, then cut to [`LOGGED_BODY_LIMIT`] bytes.
///
/// The scan is textual rather than a JSON parse, so it also covers a body
/// that is not valid JSON (an error body cut short, a proxy's page).
pub(crate) fn loggable_body(body: &[u8], api_key: &str) -> String {
    let mut redacted = redact_secret_values(body);
    // The key is never in a body the SDK builds; this is for one the user or
    // the server put there. A "key" of a few characters is no real key, and
    // replacing every occurrence of it would garble the log.
    if api_key.len() >= MIN_KEY_TO_REDACT {
        redacted = replace_all(&redacted, api_key.as_bytes(), REDACTED.as_bytes());
    }
    excerpt(&redacted, LOGGED_BODY_LIMIT)
}

/// Replaces the string value of every secret key with `"[redacted]"`.
fn redact_secret_values(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'"' {
            out.push(body[i]);
            i += 1;
            continue;
        }
        // A string: copy it whole, then see whether it is a secret key.
        let end = string_end(body, i);
        out.extend_from_slice(&body[i..end]);
        let key = &body[i + 1..end.saturating_sub(1).max(i + 1)];
        i = end;
        if !is_secret_key(key) {
            continue;
        }
        let mut j = skip_space(body, i);
        if body.get(j) != Some(&b':') {
            continue;
        }
        j = skip_space(body, j + 1);
        if body.get(j) != Some(&b'"') {
            continue;
        }
        out.extend_from_slice(&body[i..j]);
        out.push(b'"');
        out.extend_from_slice(REDACTED.as_bytes());
        out.push(b'"');
        i = string_end(body, j);
    }
    out
}

/// The index just past the string starting with the quote at `start`
/// (escapes honoured), or the end of `body` when it is cut inside.
fn string_end(body: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < body.len() {
        match body[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    body.len()
}

fn skip_space(body: &[u8], mut i: usize) -> usize {
    while body.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_secret_is_redacted_wherever_it_sits() {
        let body = br#"{"data":{"id":"wh-1","url":"https://hooks.example/s4e","secret" : "whsec_abc\"def","events":["scan.completed"],"signing_secret":"x2"}}"#;
        let shown = loggable_body(body, "sk_live_k");
        assert_eq!(
            shown,
            r#"{"data":{"id":"wh-1","url":"https://hooks.example/s4e","secret" : "[redacted]","events":["scan.completed"],"signing_secret":"[redacted]"}}"#
        );
    }

    #[test]
    fn only_keys_are_secret_not_values_that_say_secret() {
        let body = br#"{"note":"secret","secret":null,"Secret":"S"}"#;
        assert_eq!(
            loggable_body(body, "k"),
            r#"{"note":"secret","secret":null,"Secret":"[redacted]"}"#
        );
    }

    #[test]
    fn a_body_cut_inside_a_secret_shows_none_of_it() {
        let body = br#"{"secret":"whsec_unterminated"#;
        assert_eq!(loggable_body(body, "k"), r#"{"secret":"[redacted]""#);
        // A lone quote at the end, and bytes that are not text, do not panic.
        assert_eq!(loggable_body(b"\"", "k"), "\"");
        assert_eq!(loggable_body(b"{\"secret\":", "k"), "{\"secret\":");
        let _ = loggable_body(&[0xff, b'"', 0xfe, b'\\'], "k");
    }

    #[test]
    fn a_short_test_key_does_not_garble_the_body() {
        assert_eq!(loggable_body(br#"{"kind":"k"}"#, "k"), r#"{"kind":"k"}"#);
    }

    #[test]
    fn the_api_key_never_shows_and_long_bodies_are_cut() {
        let shown = loggable_body(
            br#"{"url":"https://x.test/?k=sk_live_key1"}"#,
            "sk_live_key1",
        );
        assert_eq!(shown, r#"{"url":"https://x.test/?k=[redacted]"}"#);
        let long = vec![b'a'; 10 * LOGGED_BODY_LIMIT];
        let shown = loggable_body(&long, "k");
        assert!(shown.len() <= LOGGED_BODY_LIMIT + '…'.len_utf8());
        assert!(shown.ends_with('…'));
    }
}
