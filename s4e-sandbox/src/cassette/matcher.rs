//! When a request is "the same" as a recorded one, and, when none is, which
//! recorded request is nearest and what differs.
//!
//! Two requests are the same when method, path, query (order-insensitive)
//! and body (as JSON, key order ignored; as bytes otherwise) are equal,
//! after the ignored body paths are removed from both. Headers never take
//! part: `Idempotency-Key` and the other volatile ones are not even stored.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::format::{Body, RecordedRequest, Values};

/// What two requests must share to match; also the cassette's sort key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Identity {
    path: String,
    method: String,
    query: BTreeMap<String, Values>,
    /// Canonical JSON (sorted keys) or the raw text of the body.
    body: Option<String>,
}

/// Body paths (JSON pointers such as `/scan/started_at`) left out of
/// matching, set by the user.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ignored(Vec<Vec<String>>);

impl Ignored {
    /// Parses JSON pointers; one that does not start with `/` is refused.
    pub(crate) fn new(pointers: &[String]) -> Result<Ignored, String> {
        pointers
            .iter()
            .map(|p| {
                let rest = p.strip_prefix('/').ok_or_else(|| {
                    format!("ignored body path `{p}` is not a JSON pointer (it starts with `/`)")
                })?;
                Ok(rest
                    .split('/')
                    .map(|t| t.replace("~1", "/").replace("~0", "~"))
                    .collect())
            })
            .collect::<Result<_, _>>()
            .map(Ignored)
    }

    fn strip(&self, value: &mut Value) {
        for pointer in &self.0 {
            remove(value, pointer);
        }
    }
}

/// Removes `path` from `value`; `*` matches every array item or member.
fn remove(value: &mut Value, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    match value {
        Value::Object(map) if rest.is_empty() => {
            if first == "*" {
                map.clear();
            } else {
                map.remove(first);
            }
        }
        Value::Object(map) => {
            let targets: Vec<&mut Value> = if first == "*" {
                map.values_mut().collect()
            } else {
                map.get_mut(first).into_iter().collect()
            };
            for target in targets {
                remove(target, rest);
            }
        }
        Value::Array(items) => {
            let targets: Vec<&mut Value> = if first == "*" {
                items.iter_mut().collect()
            } else {
                first
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get_mut(i))
                    .into_iter()
                    .collect()
            };
            for target in targets {
                if rest.is_empty() {
                    *target = Value::Null;
                } else {
                    remove(target, rest);
                }
            }
        }
        _ => {}
    }
}

fn body_json(body: Option<&Body>, ignored: &Ignored) -> Option<Value> {
    let mut json = body?.json()?;
    ignored.strip(&mut json);
    Some(json)
}

impl Identity {
    /// The identity with nothing ignored (the cassette's sort order).
    pub(crate) fn of(request: &RecordedRequest) -> Identity {
        Identity::ignoring(request, &Ignored::default())
    }

    pub(crate) fn ignoring(request: &RecordedRequest, ignored: &Ignored) -> Identity {
        let body = match (&request.body, body_json(request.body.as_ref(), ignored)) {
            (_, Some(json)) => Some(json.to_string()),
            (Some(Body::Text(text)), None) => Some(text.clone()),
            (Some(Body::Hex(hex)), None) => Some(hex.clone()),
            (_, None) => None,
        };
        Identity {
            path: request.path.clone(),
            method: request.method.clone(),
            query: request.query.clone(),
            body,
        }
    }
}

/// `METHOD /path?k=v` for messages.
pub(crate) fn describe(request: &RecordedRequest) -> String {
    let mut out = format!("{} {}", request.method, request.path);
    let mut sep = '?';
    for (key, values) in &request.query {
        for value in values.as_slice() {
            out.push(sep);
            out.push_str(&format!("{key}={value}"));
            sep = '&';
        }
    }
    out
}

/// How `asked` differs from `recorded`, each difference a phrase, with a
/// weight (method and path outweigh a query key or a body field).
fn differences(
    recorded: &RecordedRequest,
    asked: &RecordedRequest,
    ignored: &Ignored,
) -> (u32, Vec<String>) {
    let mut weight = 0;
    let mut out = Vec::new();
    if recorded.method != asked.method {
        weight += 8;
        out.push(format!(
            "method: recorded {}, asked {}",
            recorded.method, asked.method
        ));
    }
    if recorded.path != asked.path {
        let a: Vec<&str> = recorded.path.split('/').collect();
        let b: Vec<&str> = asked.path.split('/').collect();
        let differing =
            a.iter().zip(&b).filter(|(x, y)| x != y).count() + a.len().abs_diff(b.len());
        weight += 4 * differing as u32;
        out.push(format!(
            "path: recorded {}, asked {}",
            recorded.path, asked.path
        ));
    }
    let keys: BTreeSet<&String> = recorded.query.keys().chain(asked.query.keys()).collect();
    for key in keys {
        match (recorded.query.get(key), asked.query.get(key)) {
            (Some(_), None) => out.push(format!("query key `{key}` was recorded but not asked")),
            (None, Some(_)) => out.push(format!("query key `{key}` was asked but not recorded")),
            (Some(r), Some(a)) if r != a => out.push(format!(
                "query `{key}`: recorded {}, asked {}",
                r.as_slice().join(","),
                a.as_slice().join(",")
            )),
            _ => continue,
        }
        weight += 1;
    }
    let recorded_json = body_json(recorded.body.as_ref(), ignored);
    let asked_json = body_json(asked.body.as_ref(), ignored);
    match (recorded_json, asked_json) {
        (Some(r), Some(a)) => {
            let mut fields = Vec::new();
            json_differences("", &r, &a, &mut fields);
            weight += fields.len() as u32;
            out.extend(fields);
        }
        _ if Identity::ignoring(recorded, ignored).body
            != Identity::ignoring(asked, ignored).body =>
        {
            weight += 2;
            out.push(match (&recorded.body, &asked.body) {
                (None, Some(_)) => "body: none recorded, one asked".to_owned(),
                (Some(_), None) => "body: one recorded, none asked".to_owned(),
                _ => "body: the bytes differ".to_owned(),
            });
        }
        _ => {}
    }
    (weight, out)
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

/// The body fields (as JSON pointers) that differ.
fn json_differences(at: &str, recorded: &Value, asked: &Value, out: &mut Vec<String>) {
    match (recorded, asked) {
        (Value::Object(r), Value::Object(a)) => {
            let keys: BTreeSet<&String> = r.keys().chain(a.keys()).collect();
            for key in keys {
                let path = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (r.get(key), a.get(key)) {
                    (Some(_), None) => {
                        out.push(format!("body field `{path}` was recorded but not asked"))
                    }
                    (None, Some(_)) => {
                        out.push(format!("body field `{path}` was asked but not recorded"))
                    }
                    (Some(x), Some(y)) => json_differences(&path, x, y, out),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(r), Value::Array(a)) if r.len() == a.len() => {
            for (i, (x, y)) in r.iter().zip(a).enumerate() {
                json_differences(&format!("{at}/{i}"), x, y, out);
            }
        }
        (r, a) if r != a => {
            let field = if at.is_empty() { "/" } else { at };
            out.push(format!(
                "body field `{field}`: recorded {}, asked {}",
                short(r),
                short(a)
            ));
        }
        _ => {}
    }
}

/// The message of a request no recording answers: the nearest recorded
/// request and what differs, or why there is none.
pub(crate) fn explain_miss<'a>(
    asked: &RecordedRequest,
    recorded: impl IntoIterator<Item = &'a RecordedRequest>,
    ignored: &Ignored,
) -> String {
    let nearest = recorded
        .into_iter()
        .map(|r| (differences(r, asked, ignored), r))
        .min_by_key(|((weight, _), _)| *weight);
    let asked_text = describe(asked);
    match nearest {
        None => format!("no recorded answer for {asked_text}: the cassette records no request"),
        Some(((_, diffs), nearest)) => {
            const SHOWN: usize = 6;
            let mut listed = diffs
                .iter()
                .take(SHOWN)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            if diffs.len() > SHOWN {
                listed.push_str(&format!("; and {} more", diffs.len() - SHOWN));
            }
            format!(
                "no recorded answer for {asked_text}; the nearest recorded request is {} ({listed})",
                describe(nearest)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> RecordedRequest {
        RecordedRequest {
            method: method.into(),
            path: path.into(),
            query: query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Values::One((*v).to_owned())))
                .collect(),
            headers: BTreeMap::new(),
            body: body.map(|b| Body::Json(serde_json::from_value(b).unwrap())),
        }
    }

    #[test]
    fn json_bodies_match_as_json_and_ignored_paths_do_not_count() {
        let a = request(
            "POST",
            "/v1/assets",
            &[],
            Some(serde_json::json!({"name":"x","tags":["t"]})),
        );
        let b = RecordedRequest {
            body: Some(Body::Text(r#"{ "tags": ["t"], "name": "x" }"#.into())),
            ..a.clone()
        };
        assert_eq!(Identity::of(&a), Identity::of(&b));
        let c = request(
            "POST",
            "/v1/assets",
            &[],
            Some(serde_json::json!({"name":"x","tags":["t"],"at":"now"})),
        );
        assert_ne!(Identity::of(&a), Identity::of(&c));
        let ignored = Ignored::new(&["/at".into()]).unwrap();
        assert_eq!(
            Identity::ignoring(&a, &ignored),
            Identity::ignoring(&c, &ignored)
        );
        assert!(Ignored::new(&["at".into()]).is_err());
    }

    #[test]
    fn a_miss_names_the_nearest_request_and_each_difference() {
        let recorded = [
            request(
                "GET",
                "/v1/assets",
                &[("page", "1"), ("per_page", "5")],
                None,
            ),
            request(
                "POST",
                "/v1/assets",
                &[],
                Some(serde_json::json!({"name":"a.example","type":"domain"})),
            ),
        ];
        let asked = request(
            "POST",
            "/v1/assets",
            &[("dry", "1")],
            Some(serde_json::json!({"name":"b.example","type":"domain"})),
        );
        let message = explain_miss(&asked, &recorded, &Ignored::default());
        assert_eq!(
            message,
            "no recorded answer for POST /v1/assets?dry=1; the nearest recorded request is \
             POST /v1/assets (query key `dry` was asked but not recorded; body field `/name`: \
             recorded \"a.example\", asked \"b.example\")"
        );
        let asked = request(
            "GET",
            "/v1/assets",
            &[("page", "2"), ("per_page", "5")],
            None,
        );
        assert!(explain_miss(&asked, &recorded, &Ignored::default())
            .ends_with("nearest recorded request is GET /v1/assets?page=1&per_page=5 (query `page`: recorded 1, asked 2)"));
        assert!(explain_miss(&asked, [], &Ignored::default()).contains("records no request"));
    }
}
