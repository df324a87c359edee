//! Decoding of success bodies (tolerant envelopes) and of error bodies.

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::{ApiError, ApiErrorInner, DecodeError, FieldError, excerpt};
use crate::page::{DEFAULT_PER_PAGE, Page};
use crate::wire::RawResponse;
use crate::{Error, Result};

/// The decoders an [`Endpoint`](crate::Endpoint) written by hand (without
/// `#[endpoint]`) uses in its `decode`, with the same tolerance as the
/// SDK's own endpoints (`docs/API.md` §2).
impl RawResponse<'_> {
    /// Decodes one object: `{"data": T}` or a bare `T`.
    ///
    /// ```
    /// use s4e::RawResponse;
    /// let body = br#"{"data": {"id": "a-1"}}"#;
    /// let response = RawResponse { status: 200, body, request_id: None, page: None };
    /// let asset: serde_json::Value = response.decode_json()?;
    /// assert_eq!(asset["id"], "a-1");
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn decode_json<T: DeserializeOwned>(self) -> Result<T> {
        decode_json(self)
    }

    /// Decodes one page of a list, in every page shape the API is known to
    /// answer: `{"data": [...], "meta": {...}}` with `meta` or any of its
    /// fields missing, items under a resource-named key, or a bare array.
    ///
    /// ```
    /// use s4e::{Page, RawResponse};
    /// let body = br#"{"findings": [1, 2], "total_count": 5}"#;
    /// let response = RawResponse { status: 200, body, request_id: None, page: None };
    /// let page: Page<u32> = response.decode_page()?;
    /// assert_eq!((page.items, page.total), (vec![1, 2], Some(5)));
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn decode_page<T: DeserializeOwned>(self) -> Result<Page<T>> {
        decode_page(self)
    }
}

/// How much of an unexpected body an error keeps.
const EXCERPT_BYTES: usize = 512;

/// Decodes `{"data": T}` or a bare `T` (a sibling `"status"` is ignored).
///
/// The envelope is tried in one parse, which is the common case. A body
/// without a `data` key is then decoded as a bare `T`. When decoding fails,
/// the error is the one of the shape the body claims to have: the envelope's
/// (its JSON path under `data`, e.g. `data.severity`) when the failure lies
/// inside a top-level `data` value, the bare object's otherwise. A bare
/// object whose own schema has a `data` field would be taken for an
/// envelope; no API answer has one.
pub fn decode_json<T: DeserializeOwned>(response: RawResponse<'_>) -> Result<T> {
    let fast_error = match serde_json::from_slice::<Envelope<T>>(response.body) {
        Ok(Envelope { data: Some(data) }) => return Ok(data),
        // No `data` key: a bare object.
        Ok(Envelope { data: None }) => return parse(response.body, "", &response),
        Err(err) => err,
    };
    // Slow path: find where the envelope failed (a second parse, with paths).
    // Malformed JSON (trailing garbage, a cut-off body, bad escapes) fails
    // whatever shape is expected, and the bare attempt would often stop
    // earlier at a missing field: the syntax error is the story.
    let malformed = matches!(
        fast_error.classify(),
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof
    );
    let located = locate::<Envelope<T>>(response.body, fast_error);
    if located.in_data || malformed {
        return Err(decode_error(located.path, located.message, &response));
    }
    // The failure lies outside any `data` value (a body that is not an
    // object, a wrong type at the top): what the bare attempt says is the
    // relevant story.
    parse(response.body, "", &response)
}

/// `{"data": T}` with `data` optional, so that one parse tells a bare object
/// (`None`) from an envelope. `null` still reaches `T` (and fails unless `T`
/// accepts it), unlike a plain `Option<T>`.
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: DeserializeOwned"))]
struct Envelope<T> {
    #[serde(default = "none", deserialize_with = "crate::de::present")]
    data: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

/// A list page: `data` optional for the same reason as in [`Envelope`].
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: DeserializeOwned"))]
struct PageEnvelope<T> {
    #[serde(default = "none", deserialize_with = "crate::de::present")]
    data: Option<Vec<T>>,
    #[serde(default)]
    meta: Option<PageMeta>,
}

/// Page counters. The spellings are separate fields, not serde aliases, so
/// that a `meta` sending two of them (`total` and `total_count`) decodes.
#[derive(Deserialize, Default)]
struct PageMeta {
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    total: Option<u64>,
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    total_count: Option<u64>,
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    page: Option<u32>,
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    current_page: Option<u32>,
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    per_page: Option<u32>,
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    total_pages: Option<u32>,
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    last_page: Option<u32>,
}

/// Keys other than `data` under which some pages put their items (the
/// findings guide sends `{"findings": [...]}`), tried in this order.
const ITEM_KEYS: [&str; 8] = [
    "items",
    "results",
    "findings",
    "assets",
    "scans",
    "actions",
    "playbooks",
    "webhooks",
];

/// Decodes a list page: `{"data": [...], "meta": {...}}`, with `meta` or any of
/// its fields missing, `total_count` for `total`, or a bare array. Pages that
/// put their items elsewhere also decode: under a resource-named key
/// (`{"findings": [...]}`, with the counters in `meta` or beside the items),
/// or under `value.data` with `value.total_count`.
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
        match serde_json::from_slice::<PageEnvelope<T>>(response.body) {
            Ok(PageEnvelope {
                data: Some(items),
                meta,
            }) => (items, meta),
            Ok(PageEnvelope { data: None, meta }) => elsewhere(meta, &response)?,
            Err(err) => {
                let located = locate::<PageEnvelope<T>>(response.body, err);
                return Err(decode_error(located.path, located.message, &response));
            }
        }
    };
    let asked = response.page;
    let has_meta = meta.is_some();
    let meta = meta.unwrap_or_default();
    let current_page = meta
        .page
        .or(meta.current_page)
        .or(asked.map(|p| p.page))
        .unwrap_or(1);
    let per_page = meta
        .per_page
        .or(asked.and_then(|p| p.per_page))
        .unwrap_or(DEFAULT_PER_PAGE)
        .max(1);
    Ok(Page::assemble(
        items,
        meta.total.or(meta.total_count),
        current_page,
        per_page,
        meta.total_pages.or(meta.last_page),
        has_meta,
    ))
}

/// The slow path of [`decode_page`] for an object without `data`: items under
/// one of [`ITEM_KEYS`] or under `value.data`.
fn elsewhere<T: DeserializeOwned>(
    meta: Option<PageMeta>,
    response: &RawResponse<'_>,
) -> Result<(Vec<T>, Option<PageMeta>)> {
    #[derive(Deserialize)]
    struct Value<'a> {
        #[serde(borrow)]
        data: Option<&'a RawValue>,
        #[serde(default, deserialize_with = "crate::de::opt_u64")]
        total_count: Option<u64>,
    }
    let fields: std::collections::HashMap<String, &RawValue> = parse(response.body, "", response)?;
    let listed = |key: &str| {
        let raw = fields.get(key)?;
        (raw.get().as_bytes().first_non_ws() == Some(b'[')).then_some(*raw)
    };
    if let Some((key, raw)) = ITEM_KEYS.iter().find_map(|key| Some((*key, listed(key)?))) {
        let items = parse::<Vec<T>>(raw.get().as_bytes(), key, response)?;
        // Counters in `meta`, else beside the items (where they are only a
        // hint: a value that is not a count is ignored).
        let meta = meta.or_else(|| serde_json::from_slice::<PageMeta>(response.body).ok());
        return Ok((items, meta));
    }
    if let Some(value) = fields.get("value") {
        let value: Value<'_> = parse(value.get().as_bytes(), "value", response)?;
        if let Some(data) = value.data {
            let items = parse::<Vec<T>>(data.get().as_bytes(), "value.data", response)?;
            let meta = meta.or_else(|| {
                value.total_count.map(|total| PageMeta {
                    total: Some(total),
                    ..PageMeta::default()
                })
            });
            return Ok((items, meta));
        }
    }
    Err(decode_error(
        ".".to_owned(),
        "missing field `data`: no list of items in the answer".to_owned(),
        response,
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

/// Parses JSON quickly, and only on failure a second time to name the path;
/// `prefix` is where `json` sits in the body (`""` for the body itself).
fn parse<'a, T: Deserialize<'a>>(
    json: &'a [u8],
    prefix: &str,
    response: &RawResponse<'_>,
) -> Result<T> {
    match serde_json::from_slice(json) {
        Ok(value) => Ok(value),
        Err(fast_error) => {
            let located = locate::<T>(json, fast_error);
            let path = match (prefix.is_empty(), located.path.as_str()) {
                (true, _) => located.path,
                (false, ".") => prefix.to_owned(),
                (false, path) if path.starts_with('[') => format!("{prefix}{path}"),
                (false, path) => format!("{prefix}.{path}"),
            };
            Err(decode_error(path, located.message, response))
        }
    }
}

/// Where and why `json` fails to decode as `T`.
struct Located {
    /// `.` for the root, else `data[1].severity` style.
    path: String,
    message: String,
    /// Whether the first step of the path is the top-level key `data`.
    in_data: bool,
}

/// Parses `json` again with path tracking to say where `fast_error` happened.
fn locate<'a, T: Deserialize<'a>>(json: &'a [u8], fast_error: serde_json::Error) -> Located {
    let deserializer = &mut serde_json::Deserializer::from_slice(json);
    match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Err(err) => {
            let in_data = matches!(
                err.path().iter().next(),
                Some(serde_path_to_error::Segment::Map { key }) if key == "data"
            );
            let path = match err.path().to_string() {
                path if path.is_empty() => ".".to_owned(),
                path => path,
            };
            Located {
                path,
                message: err.inner().to_string(),
                in_data,
            }
        }
        // The value itself decoded, so the failure came after it (trailing
        // characters), which `serde_path_to_error` does not check: report
        // the first parse's error.
        Ok(_) => Located {
            path: ".".to_owned(),
            message: fast_error.to_string(),
            in_data: false,
        },
    }
}

fn decode_error(path: String, message: String, response: &RawResponse<'_>) -> Error {
    Error::Decode(Box::new(DecodeError {
        path,
        message,
        status: response.status,
        request_id: response.request_id.map(str::to_owned),
        body_excerpt: excerpt(response.body, EXCERPT_BYTES),
    }))
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

    fn decode_failure<T: DeserializeOwned + std::fmt::Debug>(body: &[u8]) -> DecodeError {
        let response = RawResponse {
            status: 200,
            body,
            request_id: None,
            page: None,
        };
        match decode_json::<T>(response) {
            Err(Error::Decode(d)) => *d,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_envelope_failure_is_reported_when_data_is_there() {
        // Invalid UTF-8 inside `data`: the envelope's failure, not the bare
        // attempt's "missing field `id`" at the root.
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Titled {
            id: String,
            title: String,
        }
        let d = decode_failure::<Titled>(b"{\"data\":{\"id\":\"x\",\"title\":\"\xff\"}}");
        assert_eq!(d.path, "data.title");
        assert!(d.message.contains("invalid unicode"), "{}", d.message);
        let d = decode_failure::<Item>(br#"{"status":"success","data":{"id":"x"}}"#);
        assert_eq!(d.path, "data");
        assert!(d.message.starts_with("missing field `n`"), "{}", d.message);
        let d = decode_failure::<Item>(br#"{"data":null}"#);
        assert_eq!(d.path, "data");
        assert!(d.message.contains("null"), "{}", d.message);
        let d = decode_failure::<Item>(br#"{"data":{"id":"x","n":1"#);
        assert!(d.path.starts_with("data"), "{}", d.path);
        assert!(d.message.contains("EOF"), "{}", d.message);
    }

    #[test]
    fn the_bare_failure_is_reported_without_data() {
        let d = decode_failure::<Item>(br#"{"id":"x","n":"one"}"#);
        assert_eq!(d.path, "n");
        let d = decode_failure::<Item>(br#"{"id":"x"}"#);
        assert_eq!(d.path, ".");
        assert!(d.message.starts_with("missing field `n`"), "{}", d.message);
        let d = decode_failure::<Item>(br#"{"status":"su"#);
        assert!(d.message.contains("EOF"), "{}", d.message);
        let d = decode_failure::<Item>(b"true");
        assert_eq!(d.path, ".");
    }

    #[test]
    fn page_failures_name_their_path() {
        let err = decode_page::<Item>(raw(
            "{\"data\":[{\"id\":\"x\",\"n\":1}],\"meta\":{\"page\":\"two\"}}",
        ))
        .unwrap_err();
        let Error::Decode(d) = err else {
            panic!("{err:?}")
        };
        assert_eq!(d.path, "meta.page");
        let err = decode_page::<Item>(raw(r#"{"findings":[{"id":"x"}]}"#)).unwrap_err();
        let Error::Decode(d) = err else {
            panic!("{err:?}")
        };
        assert_eq!(d.path, "findings[0]");
        assert!(d.message.starts_with("missing field `n`"), "{}", d.message);
        let err = decode_page::<Item>(raw(r#"{"total":3}"#)).unwrap_err();
        let Error::Decode(d) = err else {
            panic!("{err:?}")
        };
        assert_eq!(d.path, ".");
        assert!(d.message.contains("`data`"), "{}", d.message);
    }

    #[test]
    fn page_items_under_other_keys() {
        let p: Page<Item> = decode_page(raw(
            r#"{"findings":[{"id":"x","n":1}],"total":31,"page":2,"per_page":10}"#,
        ))
        .unwrap();
        assert_eq!(
            (p.len(), p.total, p.current_page, p.last_page),
            (1, Some(31), 2, Some(4))
        );
        let p: Page<Item> = decode_page(raw(
            r#"{"code":200,"error":false,"value":{"data":[{"id":"x","n":1}],"total_count":45}}"#,
        ))
        .unwrap();
        assert_eq!((p.len(), p.total, p.last_page), (1, Some(45), Some(5)));
        // Both spellings of a counter at once (no serde alias conflict).
        let p: Page<Item> = decode_page(raw(
            r#"{"data":[],"meta":{"total":45,"total_count":45,"page":1,"current_page":1,"total_pages":3,"last_page":3}}"#,
        ))
        .unwrap();
        assert_eq!(
            (p.total, p.current_page, p.last_page),
            (Some(45), 1, Some(3))
        );
        // Counters out of range saturate rather than fail the page.
        let p: Page<Item> = decode_page(raw(
            r#"{"data":[],"meta":{"total":1e30,"page":99999999999}}"#,
        ))
        .unwrap();
        assert_eq!((p.total, p.current_page), (Some(u64::MAX), u32::MAX));
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
