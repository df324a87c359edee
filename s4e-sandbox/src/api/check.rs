//! Input checks that collect every problem as a field detail, so one 422 names
//! all of them (API.md §6: bad JSON, schema breaks, missing or empty required
//! fields, wrong types, unknown enum values). Unknown fields are ignored.

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::error::{ApiError, Detail};
use super::query::Query;
use crate::enums::Wire;

pub(crate) type Object = Map<String, Value>;

/// The contract's integers are 32-bit: the largest a body may hold where the
/// docs set no other bound.
pub(crate) const INT32_MAX: i64 = i32::MAX as i64;

/// Parses a request body. Every operation that takes a body requires one
/// (the contract's `requestBody.required`), so an empty body is a 422 like
/// anything but a JSON object.
pub(crate) fn json_object(body: &Bytes) -> Result<Object, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(
            "body",
            "is required: send a JSON object (`{}` when no field is needed)",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(_) => Err(ApiError::invalid("body", "must be a JSON object")),
        Err(e) => Err(ApiError::invalid("body", format!("is not valid JSON: {e}"))),
    }
}

/// Collected problems plus a path prefix for nested objects (`options.depth`).
#[derive(Debug, Default)]
pub(crate) struct Check {
    details: Vec<Detail>,
    prefix: String,
}

impl Check {
    pub(crate) fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.details.push(Detail {
            field: format!("{}{field}", self.prefix),
            message: message.into(),
        });
    }

    pub(crate) fn is_ok(&self) -> bool {
        self.details.is_empty()
    }

    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.details.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.details))
        }
    }

    /// Runs `f` with field names prefixed by `name.`.
    pub(crate) fn nested<T>(&mut self, name: &str, f: impl FnOnce(&mut Check) -> T) -> T {
        let saved = self.prefix.clone();
        self.prefix = format!("{saved}{name}.");
        let out = f(self);
        self.prefix = saved;
        out
    }

    /// The value of `name` if sent. `null` counts as sent: no request field of
    /// the contract is nullable, so a `null` fails the type check like any
    /// other wrong type.
    fn present<'a>(obj: &'a Object, name: &str) -> Option<&'a Value> {
        obj.get(name)
    }

    /// Whether `name` was not sent.
    pub(crate) fn absent(obj: &Object, name: &str) -> bool {
        Self::present(obj, name).is_none()
    }

    fn missing(&mut self, name: &str) {
        self.fail(name, "is required");
    }

    pub(crate) fn opt_string(&mut self, obj: &Object, name: &str) -> Option<String> {
        match Self::present(obj, name)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.fail(name, "must be a string");
                None
            }
        }
    }

    /// A string that must be there and not blank.
    pub(crate) fn req_string(&mut self, obj: &Object, name: &str) -> Option<String> {
        if Self::present(obj, name).is_none() {
            self.missing(name);
            return None;
        }
        let s = self.opt_string(obj, name)?;
        if s.trim().is_empty() {
            self.fail(name, "must not be empty");
            return None;
        }
        Some(s.trim().to_string())
    }

    pub(crate) fn opt_bool(&mut self, obj: &Object, name: &str) -> Option<bool> {
        match Self::present(obj, name)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.fail(name, "must be a boolean");
                None
            }
        }
    }

    /// An integer in `lo..=hi`.
    pub(crate) fn opt_int(&mut self, obj: &Object, name: &str, lo: i64, hi: i64) -> Option<i64> {
        let value = Self::present(obj, name)?;
        match value.as_i64() {
            Some(n) if (lo..=hi).contains(&n) => Some(n),
            Some(_) => {
                self.fail(name, format!("must be between {lo} and {hi}"));
                None
            }
            None => {
                self.fail(name, "must be an integer");
                None
            }
        }
    }

    pub(crate) fn opt_number(&mut self, obj: &Object, name: &str) -> Option<f64> {
        match Self::present(obj, name)?.as_f64() {
            Some(n) => Some(n),
            None => {
                self.fail(name, "must be a number");
                None
            }
        }
    }

    pub(crate) fn opt_object(&mut self, obj: &Object, name: &str) -> Option<Object> {
        match Self::present(obj, name)? {
            Value::Object(o) => Some(o.clone()),
            _ => {
                self.fail(name, "must be an object");
                None
            }
        }
    }

    pub(crate) fn opt_array(&mut self, obj: &Object, name: &str) -> Option<Vec<Value>> {
        match Self::present(obj, name)? {
            Value::Array(a) => Some(a.clone()),
            _ => {
                self.fail(name, "must be an array");
                None
            }
        }
    }

    pub(crate) fn req_array(&mut self, obj: &Object, name: &str) -> Option<Vec<Value>> {
        if Self::present(obj, name).is_none() {
            self.missing(name);
            return None;
        }
        self.opt_array(obj, name)
    }

    /// An array of strings, kept as sent: the contract puts no limit on
    /// free-form values such as tags (an empty one included).
    pub(crate) fn opt_string_list(&mut self, obj: &Object, name: &str) -> Option<Vec<String>> {
        let items = self.opt_array(obj, name)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            match item {
                Value::String(s) => out.push(s),
                _ => self.fail(&format!("{name}[{i}]"), "must be a string"),
            }
        }
        Some(out)
    }

    /// An array of names, each trimmed and non-empty (webhook events).
    pub(crate) fn opt_strings(&mut self, obj: &Object, name: &str) -> Option<Vec<String>> {
        let items = self.opt_array(obj, name)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.as_str().map(str::trim) {
                Some(s) if !s.is_empty() => out.push(s.to_string()),
                Some(_) => self.fail(&format!("{name}[{i}]"), "must not be empty"),
                None => self.fail(&format!("{name}[{i}]"), "must be a string"),
            }
        }
        Some(out)
    }

    pub(crate) fn opt_enum<E: Wire>(&mut self, obj: &Object, name: &str) -> Option<E> {
        let raw = self.opt_string(obj, name)?;
        self.enum_value(name, &raw)
    }

    pub(crate) fn req_enum<E: Wire>(&mut self, obj: &Object, name: &str) -> Option<E> {
        let raw = self.req_string(obj, name)?;
        self.enum_value(name, &raw)
    }

    /// One or more values as a JSON array (the contract's `minItems: 1`).
    pub(crate) fn opt_enum_list<E: Wire>(&mut self, obj: &Object, name: &str) -> Option<Vec<E>> {
        let raw: Vec<&str> = match Self::present(obj, name)? {
            Value::Array(items) if items.iter().all(Value::is_string) => {
                items.iter().filter_map(Value::as_str).collect()
            }
            _ => {
                self.fail(name, "must be an array of strings");
                return None;
            }
        };
        if raw.is_empty() {
            self.fail(name, "must hold at least one value");
            return None;
        }
        let values: Vec<E> = raw
            .iter()
            .filter_map(|s| self.enum_value(name, s))
            .collect();
        Some(values)
    }

    pub(crate) fn opt_time(&mut self, obj: &Object, name: &str) -> Option<DateTime<Utc>> {
        let raw = self.opt_string(obj, name)?;
        self.time_value(name, &raw)
    }

    pub(crate) fn enum_value<E: Wire>(&mut self, name: &str, raw: &str) -> Option<E> {
        let parsed = E::parse(raw);
        if parsed.is_none() {
            self.fail(
                name,
                format!("unknown value `{raw}`; expected one of {}", E::expected()),
            );
        }
        parsed
    }

    /// An RFC 3339 date-time (the contract's `format: date-time`); a plain
    /// date or any other text is a field detail.
    pub(crate) fn time_value(&mut self, name: &str, raw: &str) -> Option<DateTime<Utc>> {
        if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
            return Some(t.with_timezone(&Utc));
        }
        self.fail(
            name,
            format!("must be an RFC 3339 date-time such as `2026-05-03T10:07:00Z`, got `{raw}`"),
        );
        None
    }

    // ---- query parameters ----

    pub(crate) fn query_enum<E: Wire>(&mut self, query: &Query, name: &str) -> Option<E> {
        let raw = query.get(name)?;
        self.enum_value(name, raw)
    }

    /// Comma-joined or repeated values; `None` when the parameter is absent.
    pub(crate) fn query_enum_list<E: Wire>(&mut self, query: &Query, name: &str) -> Option<Vec<E>> {
        let raw = query.list(name);
        if raw.is_empty() {
            return None;
        }
        Some(
            raw.into_iter()
                .filter_map(|s| self.enum_value(name, s))
                .collect(),
        )
    }

    pub(crate) fn query_number(&mut self, query: &Query, name: &str) -> Option<f64> {
        let raw = query.get(name)?;
        match raw.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                self.fail(name, format!("must be a number, got `{raw}`"));
                None
            }
        }
    }

    pub(crate) fn query_time(&mut self, query: &Query, name: &str) -> Option<DateTime<Utc>> {
        let raw = query.get(name)?;
        self.time_value(name, raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::{ScanType, Severity};
    use serde_json::json;

    fn obj(v: Value) -> Object {
        v.as_object().unwrap().clone()
    }

    fn fields(check: Check) -> Vec<String> {
        check.details.into_iter().map(|d| d.field).collect()
    }

    #[test]
    fn bodies() {
        assert!(json_object(&Bytes::from_static(b"")).is_err());
        assert!(json_object(&Bytes::from_static(b" \n")).is_err());
        assert!(json_object(&Bytes::from_static(b"{}")).unwrap().is_empty());
        assert!(json_object(&Bytes::from_static(b"{\"a\":")).is_err());
        assert!(json_object(&Bytes::from_static(b"[1]")).is_err());
    }

    #[test]
    fn collects_every_problem_with_paths() {
        let body = obj(json!({
            "name": "  ", "scan_type": "fulll", "tags": ["a", 3],
            "options": {"depth": "abyss", "max_depth": "x"}, "unknown": 1
        }));
        let mut c = Check::default();
        c.req_string(&body, "name");
        c.req_enum::<ScanType>(&body, "scan_type");
        c.opt_strings(&body, "tags");
        c.req_string(&body, "asset_id");
        let options = c.opt_object(&body, "options").unwrap();
        c.nested("options", |c| {
            c.opt_enum::<crate::enums::Depth>(&options, "depth");
            c.opt_int(&options, "max_depth", 0, 100);
        });
        assert_eq!(
            fields(c),
            [
                "name",
                "scan_type",
                "tags[1]",
                "asset_id",
                "options.depth",
                "options.max_depth"
            ]
        );
    }

    #[test]
    fn string_lists_keep_what_was_sent_and_names_are_trimmed() {
        let body =
            obj(json!({"tags": ["", " prod ", "x"], "events": [" a ", ""], "bad": ["a", 3]}));
        let mut c = Check::default();
        assert_eq!(
            c.opt_string_list(&body, "tags"),
            Some(vec!["".to_string(), " prod ".to_string(), "x".to_string()])
        );
        assert!(c.is_ok());
        assert_eq!(c.opt_strings(&body, "events"), Some(vec!["a".to_string()]));
        c.opt_string_list(&body, "bad");
        assert_eq!(fields(c), ["events[1]", "bad[1]"]);
    }

    #[test]
    fn enum_lists_are_non_empty_arrays() {
        let mut c = Check::default();
        let a = c.opt_enum_list::<Severity>(&obj(json!({"s": ["critical", "high"]})), "s");
        assert_eq!(a, Some(vec![Severity::Critical, Severity::High]));
        assert!(c.is_ok());
        for bad in [
            json!({"s": "critical,high"}),
            json!({"s": []}),
            json!({"s": ["critical", "nope"]}),
            json!({"s": [1]}),
        ] {
            let mut c = Check::default();
            c.opt_enum_list::<Severity>(&obj(bad.clone()), "s");
            assert_eq!(fields(c), ["s"], "{bad}");
        }
    }

    #[test]
    fn null_is_a_wrong_type() {
        let body = obj(json!({"a": null, "b": null, "c": null, "d": null}));
        let mut c = Check::default();
        assert_eq!(c.opt_string(&body, "a"), None);
        assert_eq!(c.opt_bool(&body, "b"), None);
        assert_eq!(c.req_string(&body, "c"), None);
        assert_eq!(c.opt_strings(&body, "d"), None);
        assert_eq!(c.opt_string(&body, "absent"), None);
        assert_eq!(fields(c), ["a", "b", "c", "d"]);
    }

    #[test]
    fn times() {
        let mut c = Check::default();
        assert!(c.time_value("from", "2026-05-03T10:07:00Z").is_some());
        assert!(c.time_value("from", "2026-05-03T12:07:00+02:00").is_some());
        assert!(c.time_value("from", "2026-05-03").is_none());
        assert!(c.time_value("to", "yesterday").is_none());
        assert!(c.time_value("to", "").is_none());
        assert_eq!(fields(c), ["from", "to", "to"]);
    }
}
