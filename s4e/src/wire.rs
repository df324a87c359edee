//! Sans-IO request encoding and response views that generated endpoints use.
//!
//! Values go through `serde_json` so that anything `Serialize` works as a path,
//! query or header value; `null` (a `None`) means "not sent".

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;

use crate::{Error, Result};

/// Characters escaped inside one path segment: everything that would end or
/// split it, so an id containing `/` stays one segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']');

/// Characters escaped in a query key or value. The comma stays literal: the API
/// joins lists with it (`severity=critical,high`).
const QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']');

fn to_value(role: &str, name: &str, value: &impl Serialize) -> Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::invalid_request(format!("{role} `{name}` cannot be encoded: {e}")))
}

/// Renders a scalar as text; `None` for `null`.
fn scalar_text(role: &str, name: &str, value: &Value) -> Result<Option<String>> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Array(_) | Value::Object(_) => Err(Error::invalid_request(format!(
            "{role} `{name}` must be a string, number or boolean, not {}",
            kind_of(value)
        ))),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Builds the request path, relative to the base URL.
#[derive(Debug, Default)]
pub struct PathBuilder {
    path: String,
}

impl PathBuilder {
    /// An empty path.
    ///
    /// ```
    /// let path = s4e::PathBuilder::new();
    /// assert_eq!(path.as_str(), "");
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends template text verbatim.
    ///
    /// ```
    /// let mut path = s4e::PathBuilder::new();
    /// path.literal("/findings");
    /// assert_eq!(path.as_str(), "/findings");
    /// ```
    pub fn literal(&mut self, text: &str) {
        self.path.push_str(text);
    }

    /// Appends one percent-encoded path parameter.
    ///
    /// ```
    /// let mut path = s4e::PathBuilder::new();
    /// path.literal("/findings/");
    /// path.param("id", &"a/b c")?;
    /// assert_eq!(path.as_str(), "/findings/a%2Fb%20c");
    /// assert!(path.param("id", &"").is_err());
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn param(&mut self, name: &str, value: &impl Serialize) -> Result<()> {
        let value = to_value("path parameter", name, value)?;
        match scalar_text("path parameter", name, &value)? {
            Some(text) if !text.is_empty() => {
                self.path
                    .extend(utf8_percent_encode(&text, SEGMENT).map(|s| s as &str));
                Ok(())
            }
            _ => Err(Error::invalid_request(format!(
                "path parameter `{name}` is empty; give it a value"
            ))),
        }
    }

    /// The path built so far.
    ///
    /// ```
    /// let mut path = s4e::PathBuilder::new();
    /// path.literal("/scans/");
    /// path.param("id", &44021)?;
    /// assert_eq!(path.as_str(), "/scans/44021");
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.path
    }

    /// The finished path.
    ///
    /// ```
    /// let mut path = s4e::PathBuilder::new();
    /// path.literal("/assets");
    /// let path: String = path.finish();
    /// assert_eq!(path, "/assets");
    /// ```
    pub fn finish(self) -> String {
        self.path
    }
}

/// Builds the query string (without the leading `?`).
#[derive(Debug, Default)]
pub struct QueryBuilder {
    query: String,
}

impl QueryBuilder {
    /// An empty query.
    ///
    /// ```
    /// let query = s4e::QueryBuilder::new();
    /// assert!(query.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name=value` unless the value is `null`; lists are comma-joined.
    ///
    /// ```
    /// let mut query = s4e::QueryBuilder::new();
    /// query.param("severity", &["critical", "high"])?;
    /// query.param("status", &None::<String>)?;
    /// query.param("search", &"a&b")?;
    /// assert_eq!(query.as_str(), "severity=critical,high&search=a%26b");
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn param(&mut self, name: &str, value: &impl Serialize) -> Result<()> {
        let value = to_value("query parameter", name, value)?;
        let text = match &value {
            Value::Array(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(part) = scalar_text("query parameter", name, item)? {
                        parts.push(part);
                    }
                }
                if parts.is_empty() {
                    return Ok(());
                }
                parts.join(",")
            }
            other => match scalar_text("query parameter", name, other)? {
                Some(text) => text,
                None => return Ok(()),
            },
        };
        self.push(name, &text);
        Ok(())
    }

    /// Adds an already-rendered pair.
    ///
    /// ```
    /// let mut query = s4e::QueryBuilder::new();
    /// query.push("search", "tls expiry");
    /// assert_eq!(query.as_str(), "search=tls%20expiry");
    /// ```
    pub fn push(&mut self, name: &str, text: &str) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        self.query
            .extend(utf8_percent_encode(name, QUERY).map(|s| s as &str));
        self.query.push('=');
        self.query
            .extend(utf8_percent_encode(text, QUERY).map(|s| s as &str));
    }

    /// The query built so far.
    ///
    /// ```
    /// let mut query = s4e::QueryBuilder::new();
    /// query.param("page", &2)?;
    /// query.param("per_page", &50)?;
    /// assert_eq!(query.as_str(), "page=2&per_page=50");
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.query
    }

    /// Whether nothing was added.
    ///
    /// ```
    /// let mut query = s4e::QueryBuilder::new();
    /// query.param("tag", &None::<String>)?;
    /// assert!(query.is_empty());
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.query.is_empty()
    }
}

/// Builds a JSON object body field by field, leaving out `null` values.
#[derive(Debug)]
pub struct BodyBuilder {
    json: Vec<u8>,
}

impl Default for BodyBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl BodyBuilder {
    /// An empty object.
    ///
    /// ```
    /// let body = s4e::BodyBuilder::new();
    /// assert_eq!(body.finish(), b"{}");
    /// ```
    pub fn new() -> Self {
        BodyBuilder {
            json: b"{".to_vec(),
        }
    }

    /// Writes `"name": value` unless the value is `null`.
    ///
    /// ```
    /// let mut body = s4e::BodyBuilder::new();
    /// body.field("status", &"resolved")?;
    /// body.field("note", &None::<String>)?;
    /// assert_eq!(body.finish(), br#"{"status":"resolved"}"#);
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn field(&mut self, name: &str, value: &impl Serialize) -> Result<()> {
        let value = to_value("body field", name, value)?;
        if !value.is_null() {
            self.entry(name, &value)?;
        }
        Ok(())
    }

    /// Writes every entry of a value that serializes to an object.
    ///
    /// ```
    /// let mut body = s4e::BodyBuilder::new();
    /// body.flatten("options", &serde_json::json!({ "depth": "deep", "max_depth": null }))?;
    /// assert_eq!(body.finish(), br#"{"depth":"deep"}"#);
    /// assert!(s4e::BodyBuilder::new().flatten("options", &3).is_err());
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn flatten(&mut self, name: &str, value: &impl Serialize) -> Result<()> {
        match to_value("body field", name, value)? {
            Value::Null => Ok(()),
            Value::Object(map) => {
                for (key, value) in &map {
                    if !value.is_null() {
                        self.entry(key, value)?;
                    }
                }
                Ok(())
            }
            other => Err(Error::invalid_request(format!(
                "body field `{name}` is flattened, so it must be an object, not {}",
                kind_of(&other)
            ))),
        }
    }

    fn entry(&mut self, name: &str, value: &Value) -> Result<()> {
        if self.json.len() > 1 {
            self.json.push(b',');
        }
        // Writing a string and a `Value` into a Vec cannot fail.
        serde_json::to_writer(&mut self.json, name)
            .and_then(|()| {
                self.json.push(b':');
                serde_json::to_writer(&mut self.json, value)
            })
            .map_err(|e| Error::invalid_request(format!("body field `{name}`: {e}")))
    }

    /// The finished JSON text.
    ///
    /// ```
    /// let mut body = s4e::BodyBuilder::new();
    /// body.field("tags", &["prod", "pci"])?;
    /// let json: Vec<u8> = body.finish();
    /// assert_eq!(json, br#"{"tags":["prod","pci"]}"#);
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn finish(mut self) -> Vec<u8> {
        self.json.push(b'}');
        self.json
    }
}

/// Collects per-request headers declared with `#[header("...")]`.
#[derive(Debug, Default)]
pub struct HeaderBuilder {
    headers: Vec<(&'static str, String)>,
}

impl HeaderBuilder {
    /// No headers.
    ///
    /// ```
    /// let headers = s4e::HeaderBuilder::new();
    /// assert!(headers.into_vec().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name: value` unless the value is `null`.
    ///
    /// ```
    /// let mut headers = s4e::HeaderBuilder::new();
    /// headers.header("X-Trace-Id", &"abc")?;
    /// headers.header("X-Skipped", &None::<String>)?;
    /// assert!(headers.header("X-Bad", &"a\r\nb").is_err());
    /// assert_eq!(headers.into_vec(), [("X-Trace-Id", "abc".to_owned())]);
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn header(&mut self, name: &'static str, value: &impl Serialize) -> Result<()> {
        let value = to_value("header", name, value)?;
        if let Some(text) = scalar_text("header", name, &value)? {
            if text.bytes().any(|b| b < 0x20 && b != b'\t' || b == 0x7f) {
                return Err(Error::invalid_request(format!(
                    "header `{name}` contains a control character"
                )));
            }
            self.headers.push((name, text));
        }
        Ok(())
    }

    /// The headers collected.
    ///
    /// ```
    /// let mut headers = s4e::HeaderBuilder::new();
    /// headers.header("X-Retry-Count", &2)?;
    /// assert_eq!(headers.into_vec(), [("X-Retry-Count", "2".to_owned())]);
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn into_vec(self) -> Vec<(&'static str, String)> {
        self.headers
    }
}

/// A successful answer, as the decoder sees it.
#[derive(Debug, Clone, Copy)]
pub struct RawResponse<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The raw body.
    pub body: &'a [u8],
    /// `X-Request-Id`, if the server sent one.
    pub request_id: Option<&'a str>,
    /// The page asked for, on paginated endpoints.
    pub page: Option<crate::page::PageRequest>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_param_keeps_slash_in_one_segment() {
        let mut path = PathBuilder::new();
        path.literal("/findings/");
        path.param("id", &"a/b c%").unwrap();
        assert_eq!(path.finish(), "/findings/a%2Fb%20c%25");
    }

    #[test]
    fn path_param_accepts_numbers_and_rejects_empty_and_lists() {
        let mut path = PathBuilder::new();
        path.param("id", &42u64).unwrap();
        assert_eq!(path.as_str(), "42");
        assert!(path.param("id", &"").is_err());
        assert!(path.param("id", &Option::<String>::None).is_err());
        let err = path.param("id", &vec!["a"]).unwrap_err();
        assert!(err.to_string().contains("`id`"), "{err}");
    }

    #[test]
    fn query_skips_none_and_joins_lists_with_literal_commas() {
        let mut q = QueryBuilder::new();
        q.param("severity", &Some(vec!["critical", "high"]))
            .unwrap();
        q.param("status", &Option::<String>::None).unwrap();
        q.param("search", &"a&b=c d+é").unwrap();
        q.param("cvss_min", &7.5).unwrap();
        assert_eq!(
            q.as_str(),
            "severity=critical,high&search=a%26b%3Dc%20d%2B%C3%A9&cvss_min=7.5"
        );
    }

    #[test]
    fn query_rejects_objects() {
        let mut q = QueryBuilder::new();
        let err = q.param("filter", &serde_json::json!({"a": 1})).unwrap_err();
        assert!(err.to_string().contains("`filter`"), "{err}");
    }

    #[test]
    fn body_leaves_out_nulls_and_flattens_objects() {
        let mut b = BodyBuilder::new();
        b.field("status", &Some("resolved")).unwrap();
        b.field("note", &Option::<String>::None).unwrap();
        b.flatten(
            "filters",
            &serde_json::json!({"severity": "high", "x": null}),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(b.finish()).unwrap(),
            r#"{"status":"resolved","severity":"high"}"#
        );
        assert_eq!(BodyBuilder::new().finish(), b"{}");
        assert!(BodyBuilder::new().flatten("f", &3).is_err());
    }

    #[test]
    fn header_rejects_control_characters() {
        let mut h = HeaderBuilder::new();
        h.header("X-Trace", &"ok").unwrap();
        h.header("X-None", &Option::<String>::None).unwrap();
        assert!(h.header("X-Bad", &"a\r\nb").is_err());
        assert_eq!(h.into_vec(), vec![("X-Trace", "ok".to_string())]);
    }
}
