//! Decoding of success bodies (tolerant envelopes) and of error bodies.

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::{ApiError, ApiErrorInner, DecodeError, FieldError, excerpt};
use crate::http::wire::RawResponse;
use crate::page::{DEFAULT_PER_PAGE, Page};
use crate::{Error, Result};

/// How much of an unexpected body an error keeps.
const EXCERPT_BYTES: usize = 512;

#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

/// Decodes `{"data": T}` or a bare `T` (a sibling `"status"` is ignored).
///
/// The envelope is tried in one parse, which is the common case; only when
/// that fails is the body probed for a `data` key, to decode a bare object or
/// to name the failing path inside `data`. (A bare object whose own schema has
/// a `data` field would be taken for an envelope; no API answer has one.)
pub fn decode_json<T: DeserializeOwned>(response: RawResponse<'_>) -> Result<T> {
    #[derive(Deserialize)]
    struct Envelope<T> {
        data: T,
    }
    if let Ok(envelope) = serde_json::from_slice::<Envelope<T>>(response.body) {
        return Ok(envelope.data);
    }
    let enveloped = if response.body.first_non_ws() == Some(b'{') {
        serde_json::from_slice::<Probe<'_>>(response.body)
            .ok()
            .and_then(|probe| probe.data)
    } else {
        None
    };
    match enveloped {
        // The envelope failed: report where inside `data`.
        Some(data) => parse(data.get().as_bytes(), "data", &response),
        None => parse(response.body, "", &response),
    }
}

#[derive(Deserialize)]
struct PageEnvelope<T> {
    data: Vec<T>,
    #[serde(default)]
    meta: Option<PageMeta>,
}

#[derive(Deserialize)]
struct PageMeta {
    #[serde(default, alias = "total_count")]
    total: Option<u64>,
    #[serde(default, alias = "current_page")]
    page: Option<u32>,
    #[serde(default)]
    per_page: Option<u32>,
    #[serde(default, alias = "last_page")]
    total_pages: Option<u32>,
}

/// Decodes a list page: `{"data": [...], "meta": {...}}`, with `meta` or any of
/// its fields missing, `total_count` for `total`, or a bare array.
///
/// ```
/// use s4e::{Page, RawResponse};
/// use s4e::__private::decode_page;
/// let body = br#"{"data": [1, 2], "meta": {"total_count": 5, "page": 1, "per_page": 2}}"#;
/// let response = RawResponse { status: 200, body, request_id: None, page: None };
/// let page: Page<u32> = decode_page(response)?;
/// assert_eq!((page.items, page.total, page.last_page), (vec![1, 2], Some(5), Some(3)));
/// # Ok::<(), s4e::Error>(())
/// ```
pub fn decode_page<T: DeserializeOwned>(response: RawResponse<'_>) -> Result<Page<T>> {
    let (items, meta) = if response.body.first_non_ws() == Some(b'[') {
        (parse::<Vec<T>>(response.body, "", &response)?, None)
    } else {
        let envelope: PageEnvelope<T> = parse(response.body, "", &response)?;
        (envelope.data, envelope.meta)
    };
    let asked = response.page;
    let has_meta = meta.is_some();
    let meta = meta.unwrap_or(PageMeta {
        total: None,
        page: None,
        per_page: None,
        total_pages: None,
    });
    let current_page = meta.page.or(asked.map(|p| p.page)).unwrap_or(1);
    let per_page = meta
        .per_page
        .or(asked.and_then(|p| p.per_page))
        .unwrap_or(DEFAULT_PER_PAGE)
        .max(1);
    Ok(Page::assemble(
        items,
        meta.total,
        current_page,
        per_page,
        meta.total_pages,
        has_meta,
    ))
}

/// Accepts any body: the answer carries no data (204, or a body to ignore).
///
/// ```
/// use s4e::RawResponse;
/// use s4e::__private::decode_empty;
/// let response = RawResponse { status: 204, body: b"", request_id: None, page: None };
/// assert!(decode_empty(response).is_ok());
/// ```
pub fn decode_empty(response: RawResponse<'_>) -> Result<()> {
    let _ = response;
    Ok(())
}

/// Returns the body as it came (a downloaded file).
///
/// ```
/// use s4e::RawResponse;
/// use s4e::__private::decode_bytes;
/// let response = RawResponse { status: 200, body: b"id,title\n", request_id: None, page: None };
/// assert_eq!(decode_bytes(response)?, b"id,title\n");
/// # Ok::<(), s4e::Error>(())
/// ```
pub fn decode_bytes(response: RawResponse<'_>) -> Result<Vec<u8>> {
    Ok(response.body.to_vec())
}

/// Parses JSON quickly, and only on failure a second time to name the path.
fn parse<T: DeserializeOwned>(json: &[u8], prefix: &str, response: &RawResponse<'_>) -> Result<T> {
    match serde_json::from_slice(json) {
        Ok(value) => Ok(value),
        Err(fast_error) => {
            let deserializer = &mut serde_json::Deserializer::from_slice(json);
            let (path, message) = match serde_path_to_error::deserialize::<_, T>(deserializer) {
                Ok(_) => (String::new(), fast_error.to_string()),
                Err(err) => (err.path().to_string(), err.inner().to_string()),
            };
            let path = match (prefix.is_empty(), path.as_str()) {
                (true, "." | "") => ".".to_owned(),
                (true, _) => path,
                (false, "." | "") => prefix.to_owned(),
                (false, _) if path.starts_with('[') => format!("{prefix}{path}"),
                (false, _) => format!("{prefix}.{path}"),
            };
            Err(Error::Decode(Box::new(DecodeError {
                path,
                message,
                status: response.status,
                request_id: response.request_id.map(str::to_owned),
                body_excerpt: excerpt(response.body, EXCERPT_BYTES),
            })))
        }
    }
}

trait FirstNonWhitespace {
    fn first_non_ws(&self) -> Option<u8>;
}

impl FirstNonWhitespace for [u8] {
    fn first_non_ws(&self) -> Option<u8> {
        self.iter().copied().find(|b| !b.is_ascii_whitespace())
    }
}

/// What a failed answer carried besides its body.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorContext {
    pub(crate) request_id: Option<String>,
    /// From the `Retry-After` header, already parsed.
    pub(crate) retry_after: Option<Duration>,
}

/// Builds the [`ApiError`] of a non-2xx answer. Never fails: a body that is not
/// the JSON envelope (an HTML page from a proxy) is kept as text.
pub(crate) fn parse_error_body(status: u16, body: &[u8], context: ErrorContext) -> ApiError {
    let parsed = serde_json::from_slice::<serde_json::Value>(body).ok();
    let envelope = parsed.as_ref().and_then(|value| {
        let object = value.as_object()?;
        // `{"error": {...}}`, or the fields at the top level.
        match object.get("error") {
            Some(serde_json::Value::Object(inner)) => Some((inner, object)),
            _ => Some((object, object)),
        }
    });
    let text = |v: Option<&serde_json::Value>| -> Option<String> {
        match v? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let mut inner = ApiErrorInner {
        status,
        code: None,
        message: String::new(),
        details: Vec::new(),
        request_id: context.request_id,
        retry_after: context.retry_after,
        raw_body: None,
    };
    match envelope {
        Some((error, outer)) => {
            inner.code = text(error.get("code"));
            inner.message = text(error.get("message"))
                .or_else(|| text(outer.get("message")))
                .or_else(|| text(outer.get("error")))
                .unwrap_or_else(|| default_message(status));
            if let Some(serde_json::Value::Array(details)) = error.get("details") {
                inner.details = details
                    .iter()
                    .map(|d| FieldError {
                        field: text(d.get("field"))
                            .or_else(|| text(d.get("path")))
                            .unwrap_or_default(),
                        message: text(d.get("message")).unwrap_or_default(),
                    })
                    .collect();
            }
            if inner.retry_after.is_none() {
                inner.retry_after = error
                    .get("retry_after")
                    .or_else(|| outer.get("retry_after"))
                    .and_then(|v| v.as_f64())
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(|s| Duration::from_secs_f64(s.min(86_400.0)));
            }
        }
        None => {
            let raw = excerpt(body, EXCERPT_BYTES);
            inner.message = if raw.trim().is_empty() {
                default_message(status)
            } else {
                excerpt(raw.trim().as_bytes(), 200)
            };
            inner.raw_body = Some(raw);
        }
    }
    ApiError::new(inner)
}

fn default_message(status: u16) -> String {
    let reason = match status {
        400 => "bad request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not found",
        405 => "method not allowed",
        409 => "conflict",
        422 => "unprocessable entity",
        429 => "too many requests",
        500 => "internal server error",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => "request failed",
    };
    reason.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PageRequest;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        id: String,
        n: u32,
    }

    fn raw(body: &str) -> RawResponse<'_> {
        RawResponse {
            status: 200,
            body: body.as_bytes(),
            request_id: Some("req-9"),
            page: Some(PageRequest::new(2, Some(10))),
        }
    }

    #[test]
    fn single_with_and_without_envelope() {
        let a: Item = decode_json(raw(r#"{"data":{"id":"x","n":1},"status":"success"}"#)).unwrap();
        let b: Item = decode_json(raw(r#"{"id":"x","n":1,"status":"success"}"#)).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn decode_error_names_the_path() {
        let err = decode_json::<Item>(raw(r#"{"data":{"id":"x","n":"one"}}"#)).unwrap_err();
        let Error::Decode(d) = err else {
            panic!("{err:?}")
        };
        assert_eq!(d.path, "data.n");
        assert_eq!(d.request_id.as_deref(), Some("req-9"));
        let err =
            decode_page::<Item>(raw(r#"{"data":[{"id":"x","n":1},{"id":"y"}]}"#)).unwrap_err();
        let Error::Decode(d) = err else {
            panic!("{err:?}")
        };
        assert_eq!(d.path, "data[1]");
        assert!(d.message.contains("`n`"), "{}", d.message);
    }

    #[test]
    fn page_tolerates_missing_and_renamed_meta() {
        let p: Page<Item> = decode_page(raw(
            r#"{"data":[{"id":"x","n":1}],"meta":{"total_count":31,"page":2,"per_page":10}}"#,
        ))
        .unwrap();
        assert_eq!(
            (p.total, p.current_page, p.last_page),
            (Some(31), 2, Some(4))
        );
        let p: Page<Item> = decode_page(raw(r#"{"data":[{"id":"x","n":1}]}"#)).unwrap();
        assert_eq!((p.current_page, p.per_page, p.last_page), (2, 10, Some(2)));
        let p: Page<Item> = decode_page(raw(r#"[{"id":"x","n":1}]"#)).unwrap();
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn error_envelope_and_html() {
        let e = parse_error_body(
            422,
            br#"{"status":"error","error":{"code":"validation_failed","message":"bad","details":[{"field":"scan_type","message":"unknown"}]}}"#,
            ErrorContext::default(),
        );
        assert_eq!(e.code(), Some("validation_failed"));
        assert_eq!(e.details()[0].field, "scan_type");
        let e = parse_error_body(
            429,
            br#"{"error":{"code":"rate_limited","message":"slow","retry_after":7}}"#,
            ErrorContext::default(),
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        let e = parse_error_body(
            502,
            b"<html><body>Bad Gateway</body></html>",
            ErrorContext::default(),
        );
        assert_eq!(e.status(), 502);
        assert!(e.raw_body().unwrap().contains("Bad Gateway"));
        let e = parse_error_body(
            500,
            br#"{"message":"boom","code":17}"#,
            ErrorContext::default(),
        );
        assert_eq!((e.code(), e.message()), (Some("17"), "boom"));
        let e = parse_error_body(503, b"", ErrorContext::default());
        assert_eq!(e.message(), "service unavailable");
    }
}
