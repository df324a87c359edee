//! The OpenAPI 3.0 document a cassette is checked against: which operation a
//! recorded request is, and whether its answer fits the response schema.
//!
//! The check covers what OpenAPI 3.0 response schemas use: `$ref`, `type`,
//! `nullable`, `enum`, `properties`, `required`, `additionalProperties`,
//! `items`, `allOf`, `anyOf`, `oneOf` and `format: date-time`. (OpenAPI 3.0
//! schemas are not JSON Schema: `nullable` has no JSON Schema meaning, which
//! is why this is not a JSON Schema validator.)

use std::path::Path;

use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// How deep `$ref`s may nest before a schema counts as circular.
const MAX_DEPTH: usize = 64;

fn yaml_to_json(yaml: &Yaml) -> Value {
    match yaml {
        Yaml::Real(text) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(text.clone()), Value::Number),
        Yaml::Integer(n) => Value::from(*n),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) | Yaml::Real(s) => s.clone(),
                        Yaml::Integer(n) => n.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        _ => String::new(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect::<Map<_, _>>(),
        ),
        Yaml::Alias(_) | Yaml::Null | Yaml::BadValue => Value::Null,
    }
}

/// One operation of the document.
#[derive(Debug)]
pub(crate) struct Operation {
    pub(crate) method: String,
    /// The path template, e.g. `/assets/{id}`.
    pub(crate) template: String,
    responses: Value,
}

impl Operation {
    pub(crate) fn name(&self) -> String {
        format!("{} {}", self.method, self.template)
    }
}

#[derive(Debug)]
pub(crate) struct Spec {
    root: Value,
    operations: Vec<Operation>,
}

fn template_matches(template: &str, path: &str) -> Option<usize> {
    let a: Vec<&str> = template.trim_matches('/').split('/').collect();
    let b: Vec<&str> = path.trim_matches('/').split('/').collect();
    if a.len() != b.len() {
        return None;
    }
    let mut literal = 0;
    for (t, p) in a.iter().zip(&b) {
        if t.starts_with('{') && t.ends_with('}') {
            if p.is_empty() {
                return None;
            }
        } else if t == p {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}

impl Spec {
    pub(crate) fn load(path: &Path) -> Result<Spec, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the spec {}: {e}", path.display()))?;
        Spec::parse(&text).map_err(|e| format!("the spec {} is not usable: {e}", path.display()))
    }

    pub(crate) fn parse(text: &str) -> Result<Spec, String> {
        let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
        let root = docs
            .first()
            .map(yaml_to_json)
            .ok_or("the document is empty")?;
        let paths = root
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("it has no `paths`")?;
        let mut operations = Vec::new();
        for (template, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, operation) in item {
                if !matches!(
                    method.as_str(),
                    "get" | "put" | "post" | "delete" | "patch" | "head" | "options"
                ) {
                    continue;
                }
                operations.push(Operation {
                    method: method.to_ascii_uppercase(),
                    template: template.clone(),
                    responses: operation.get("responses").cloned().unwrap_or(Value::Null),
                });
            }
        }
        Ok(Spec { root, operations })
    }

    /// The path every operation sits under, from the first server's URL
    /// (e.g. `/v1`).
    pub(crate) fn base_path(&self) -> String {
        let url = self
            .root
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .unwrap_or("");
        let path = match url.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
            None => url,
        };
        path.trim_end_matches('/').to_owned()
    }

    /// The operation `method path` is (`path` relative to the base path);
    /// the template with the most literal segments wins, so
    /// `/findings/export` beats `/findings/{id}`.
    pub(crate) fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .filter(|op| op.method == method)
            .filter_map(|op| template_matches(&op.template, path).map(|n| (n, op)))
            .max_by_key(|(n, _)| *n)
            .map(|(_, op)| op)
    }

    fn resolve<'a>(&'a self, mut value: &'a Value) -> Result<&'a Value, String> {
        for _ in 0..MAX_DEPTH {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Ok(value);
            };
            let pointer = reference
                .strip_prefix('#')
                .ok_or_else(|| format!("`{reference}` is not a local reference"))?;
            value = self
                .root
                .pointer(pointer)
                .ok_or_else(|| format!("`{reference}` names nothing"))?;
        }
        Err("the references nest too deep (a cycle?)".into())
    }

    /// What is wrong with an answer of `operation`: an undocumented status,
    /// an undocumented media type, or each place the body breaks the schema.
    pub(crate) fn check(
        &self,
        operation: &Operation,
        status: u16,
        content_type: Option<&str>,
        body: Option<&Value>,
    ) -> Vec<String> {
        let responses = &operation.responses;
        let class = format!("{}XX", status / 100);
        let Some(response) = responses
            .get(status.to_string())
            .or_else(|| responses.get(&class))
            .or_else(|| responses.get("default"))
        else {
            return vec![format!("status {status} is not documented")];
        };
        let response = match self.resolve(response) {
            Ok(r) => r,
            Err(e) => return vec![format!("the spec's response {status}: {e}")],
        };
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            return Vec::new();
        };
        let media = content_type
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase());
        let Some(media) = media else {
            return Vec::new();
        };
        let Some(entry) = content.get(&media) else {
            let documented: Vec<&str> = content.keys().map(String::as_str).collect();
            return vec![format!(
                "status {status} answered `{media}`, the spec documents {}",
                documented.join(", ")
            )];
        };
        match (entry.get("schema"), body) {
            (Some(schema), Some(body)) => {
                let mut problems = Vec::new();
                self.validate(schema, body, "$", 0, &mut problems);
                problems
            }
            _ => Vec::new(),
        }
    }

    fn validate(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        depth: usize,
        out: &mut Vec<String>,
    ) {
        if depth > MAX_DEPTH {
            out.push(format!("{at}: the schema nests too deep"));
            return;
        }
        let schema = match self.resolve(schema) {
            Ok(s) => s,
            Err(e) => return out.push(format!("{at}: {e}")),
        };
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.validate(part, value, at, depth + 1, out);
            }
        }
        for keyword in ["anyOf", "oneOf"] {
            if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
                let fits = options.iter().any(|option| {
                    let mut problems = Vec::new();
                    self.validate(option, value, at, depth + 1, &mut problems);
                    problems.is_empty()
                });
                if !fits {
                    out.push(format!(
                        "{at}: fits none of the {} schemas of `{keyword}`",
                        options.len()
                    ));
                }
            }
        }
        if value.is_null() {
            let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
            if !nullable && schema.get("type").is_some() {
                out.push(format!(
                    "{at}: is null, which the schema does not allow (no `nullable`)"
                ));
            }
            return;
        }
        if let Some(kind) = schema.get("type").and_then(Value::as_str) {
            let fits = match kind {
                "object" => value.is_object(),
                "array" => value.is_array(),
                "string" => value.is_string(),
                "boolean" => value.is_boolean(),
                "number" => value.is_number(),
                "integer" => value.is_i64() || value.is_u64(),
                _ => true,
            };
            if !fits {
                return out.push(format!(
                    "{at}: is {}, the schema says {kind}",
                    type_name(value)
                ));
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(value) {
                out.push(format!(
                    "{at}: {value} is not one of the schema's `enum` values"
                ));
            }
        }
        if schema.get("format").and_then(Value::as_str) == Some("date-time") {
            if let Some(text) = value.as_str() {
                if chrono::DateTime::parse_from_rfc3339(text).is_err() {
                    out.push(format!("{at}: `{text}` is not an RFC 3339 date-time"));
                }
            }
        }
        match value {
            Value::Object(map) => {
                let properties = schema.get("properties").and_then(Value::as_object);
                if let Some(required) = schema.get("required").and_then(Value::as_array) {
                    for name in required.iter().filter_map(Value::as_str) {
                        if !map.contains_key(name) {
                            out.push(format!("{at}: the required field `{name}` is missing"));
                        }
                    }
                }
                for (name, field) in map {
                    let path = format!("{at}.{name}");
                    match (
                        properties.and_then(|p| p.get(name)),
                        schema.get("additionalProperties"),
                    ) {
                        (Some(property), _) => {
                            self.validate(property, field, &path, depth + 1, out)
                        }
                        (None, Some(Value::Bool(false))) => {
                            out.push(format!("{path}: the schema allows no field `{name}`"))
                        }
                        (None, Some(extra @ Value::Object(_))) => {
                            self.validate(extra, field, &path, depth + 1, out)
                        }
                        _ => {}
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.validate(item_schema, item, &format!("{at}[{i}]"), depth + 1, out);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The JSON type of `value`, as a schema names it.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SPEC: &str = r#"
openapi: 3.0.3
servers:
  - url: http://127.0.0.1:8080/v1
paths:
  /things/{id}:
    get:
      responses:
        '200':
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
        '404': {$ref: '#/components/responses/NotFound'}
  /things/export:
    get:
      responses:
        '200':
          content:
            text/csv: {}
components:
  responses:
    NotFound:
      description: gone
      content:
        application/json:
          schema: {type: object, required: [error]}
  schemas:
    Thing:
      type: object
      required: [id, size]
      properties:
        id: {type: string}
        size: {type: integer}
        seen_at: {type: string, format: date-time, nullable: true}
        kind: {type: string, enum: [a, b]}
"#;

    #[test]
    fn finds_the_operation_and_checks_the_answer() {
        let spec = Spec::parse(SPEC).unwrap();
        assert_eq!(spec.base_path(), "/v1");
        assert_eq!(
            spec.operation("GET", "/things/export").unwrap().template,
            "/things/export"
        );
        let op = spec.operation("GET", "/things/t-1").unwrap();
        assert_eq!(op.name(), "GET /things/{id}");
        let json = Some("application/json");
        let good = json!({"id": "t-1", "size": 3, "seen_at": null, "kind": "a", "extra": 1});
        assert_eq!(spec.check(op, 200, json, Some(&good)), Vec::<String>::new());
        let bad = json!({"id": 7, "seen_at": "yesterday", "kind": "c"});
        assert_eq!(
            spec.check(op, 200, json, Some(&bad)),
            [
                "$: the required field `size` is missing",
                "$.id: is number, the schema says string",
                "$.kind: \"c\" is not one of the schema's `enum` values",
                "$.seen_at: `yesterday` is not an RFC 3339 date-time",
            ]
        );
        assert_eq!(
            spec.check(op, 404, json, Some(&json!({}))),
            ["$: the required field `error` is missing"]
        );
        assert_eq!(
            spec.check(op, 500, json, None),
            ["status 500 is not documented"]
        );
        assert!(spec.operation("POST", "/things/t-1").is_none());
    }
}
