//! Every answer that `spec/s4e-v1.yaml` describes decodes. The test walks the
//! OpenAPI file: for each operation and each JSON success answer it builds
//! three instances from the schema and decodes them with the endpoint that
//! the SDK declares for the same method and path:
//!
//! * **minimal**: only what the schemas mark `required` (strings as short as
//!   allowed, numbers at their minimum, one item in each required list);
//! * **all null**: every property present, every optional one `null` (also
//!   where the schema does not say `nullable`: the SDK reads `null` as absent);
//! * **full**: every property with a value, unbounded integers beyond `u64`.
//!
//! A new operation in the file without a matching endpoint fails the test.
//! The loader and the list of SDK endpoints are shared with `drift.rs`.

use s4e::__private::{Endpoint, FieldSpec};
use s4e::{Finding, RawResponse};
use serde_json::{Map, Value, json};
use yaml_rust2::{Yaml, YamlLoader};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Minimal,
    AllNull,
    Full,
}

const SHAPES: [Shape; 3] = [Shape::Minimal, Shape::AllNull, Shape::Full];

/// The repo's OpenAPI file, as JSON.
pub(crate) fn spec() -> Value {
    let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/s4e-v1.yaml"));
    let docs = YamlLoader::load_from_str(text).expect("the OpenAPI file is YAML");
    to_json(&docs[0])
}

fn to_json(yaml: &Yaml) -> Value {
    match yaml {
        Yaml::Real(text) => json!(text.parse::<f64>().expect("a YAML real")),
        Yaml::Integer(n) => json!(n),
        Yaml::String(text) => json!(text),
        Yaml::Boolean(b) => json!(b),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(hash) => Value::Object(
            hash.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(n) => n.to_string(),
                        other => panic!("unexpected key {other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Yaml::Null => Value::Null,
        other => panic!("unexpected YAML node {other:?}"),
    }
}

/// Follows `$ref` (to `#/components/...`) until a schema has none.
pub(crate) fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("a local $ref");
            resolve(root.pointer(pointer).expect("the $ref exists"), root)
        }
        None => schema,
    }
}

/// An instance of `schema` in the given shape.
fn instance(schema: &Value, root: &Value, shape: Shape) -> Value {
    let schema = resolve(schema, root);
    if let Some(branches) = schema.get("anyOf").or(schema.get("oneOf")) {
        return instance(&branches[0], root, shape);
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        // Merge the object parts (properties and required lists).
        let mut merged = Map::new();
        for part in parts {
            if let Value::Object(object) = instance(part, root, shape) {
                merged.extend(object);
            }
        }
        return Value::Object(merged);
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values[0].clone();
    }
    let number = |key: &str| schema.get(key).and_then(Value::as_f64);
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None if schema.get("properties").is_some() => object(schema, root, shape),
        Some("object") => match shape {
            Shape::Full => json!({ "key": "value" }),
            _ => json!({}),
        },
        Some("array") => {
            let items = schema.get("items").expect("an array has items");
            json!([instance(items, root, shape)])
        }
        Some("string") => json!(string(schema, shape)),
        Some("integer") => match (shape, number("minimum"), number("maximum")) {
            (Shape::Full, _, Some(max)) => json!(max as i64),
            // Beyond u64: serde_json reads it as a float.
            (Shape::Full, _, None) => serde_json::from_str("100000000000000000000000").unwrap(),
            (_, min, _) => json!(min.unwrap_or(0.0) as i64),
        },
        Some("number") => match shape {
            Shape::Full => json!(number("maximum").unwrap_or(1.5)),
            _ => json!(number("minimum").unwrap_or(0.0)),
        },
        Some("boolean") => json!(shape == Shape::Full),
        // `default` of an action parameter: any JSON value.
        None => match shape {
            Shape::Full => json!({ "any": ["json"] }),
            _ => Value::Null,
        },
        Some(other) => panic!("unexpected schema type {other}"),
    }
}

fn object(schema: &Value, root: &Value, shape: Shape) -> Value {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut object = Map::new();
    for (name, property) in schema["properties"].as_object().expect("properties") {
        let is_required = required.contains(&name.as_str());
        let value = match shape {
            _ if is_required => instance(property, root, shape),
            Shape::Minimal => continue,
            Shape::AllNull => Value::Null,
            Shape::Full => instance(property, root, shape),
        };
        object.insert(name.clone(), value);
    }
    if shape == Shape::Full {
        // Answers may carry fields the schema does not list.
        object.insert("x_not_in_the_contract".into(), json!([1, "two", null]));
    }
    Value::Object(object)
}

fn string(schema: &Value, shape: Shape) -> String {
    match (schema.get("format").and_then(Value::as_str), shape) {
        (Some("date-time"), Shape::Full) => "2026-05-03T12:07:00.123456+02:00".into(),
        (Some("date-time"), _) => "2026-05-03T10:07:00Z".into(),
        (Some("uri"), _) => "https://example.org/advisory".into(),
        _ if schema.get("pattern").is_some() => "https://example.org/hook".into(),
        (_, Shape::Full) => "text ünïcode ✓".into(),
        _ => {
            let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
            "x".repeat(usize::try_from(min).unwrap())
        }
    }
}

/// One SDK endpoint, as its `Endpoint` impl declares it.
pub(crate) struct Operation {
    /// The endpoint type's name, for messages.
    pub(crate) name: &'static str,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) paginated: bool,
    pub(crate) has_body: bool,
    pub(crate) fields: &'static [FieldSpec],
    decode: fn(&[u8]) -> s4e::Result<()>,
}

fn raw(body: &[u8]) -> RawResponse<'_> {
    RawResponse {
        status: 200,
        body,
        request_id: None,
        page: None,
    }
}

macro_rules! operations {
    ($($endpoint:ty),+ $(,)?) => {
        vec![$(Operation {
            name: stringify!($endpoint),
            paginated: <$endpoint as Endpoint>::PAGINATED,
            has_body: <$endpoint as Endpoint>::HAS_BODY,
            fields: <$endpoint as Endpoint>::FIELDS,
            method: <$endpoint as Endpoint>::METHOD.as_str(),
            path: <$endpoint as Endpoint>::PATH,
            decode: |body| <$endpoint as Endpoint>::decode(raw(body)).map(drop),
        }),+]
    };
}

/// Every endpoint the SDK declares (`drift.rs` checks that the list is
/// complete against the sources).
pub(crate) fn sdk_operations() -> Vec<Operation> {
    use s4e::actions::*;
    use s4e::assets::*;
    use s4e::findings::*;
    use s4e::playbooks::*;
    use s4e::scans::*;
    use s4e::webhooks::*;
    operations![
        ListAssets,
        GetAsset,
        CreateAsset,
        BulkCreateAssets,
        UpdateAsset,
        DeleteAsset,
        VerifyAsset,
        ListScans,
        GetScan,
        CreateScan,
        GetScanStatus,
        CancelScan,
        ListFindings,
        GetFinding,
        UpdateFinding,
        ExportFindings,
        ListActions,
        GetAction,
        CreateAction,
        UpdateAction,
        DeleteAction,
        ValidateAction,
        TriggerAction,
        GetExecution,
        ListPlaybooks,
        GetPlaybook,
        CreatePlaybook,
        UpdatePlaybook,
        DeletePlaybook,
        RunPlaybook,
        GetRun,
        ListWebhooks,
        GetWebhook,
        CreateWebhook,
        UpdateWebhook,
        DeleteWebhook,
        TestWebhook,
    ]
}

/// `(method, path, schema)` of every JSON success answer in the file; an
/// `anyOf` answer (the action trigger) gives one entry per branch.
fn json_answers(root: &Value) -> Vec<(String, String, Value)> {
    let mut answers = Vec::new();
    for (path, item) in root["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if method == "parameters" {
                continue;
            }
            for (status, answer) in operation["responses"].as_object().expect("responses") {
                if !status.starts_with('2') {
                    continue;
                }
                let answer = resolve(answer, root);
                let Some(schema) = answer.pointer("/content/application~1json/schema") else {
                    continue;
                };
                let schema = resolve(schema, root);
                let branches = match schema.get("anyOf").and_then(Value::as_array) {
                    Some(branches) => branches.clone(),
                    None => vec![schema.clone()],
                };
                for branch in branches {
                    answers.push((method.to_uppercase(), path.clone(), branch));
                }
            }
        }
    }
    answers
}

#[test]
fn every_answer_of_the_openapi_file_decodes_minimal_all_null_and_full() {
    let root = spec();
    let sdk = sdk_operations();
    let answers = json_answers(&root);
    assert!(answers.len() >= 30, "only {} answers found", answers.len());
    let mut failures = Vec::new();
    for (method, path, schema) in &answers {
        let operation = sdk
            .iter()
            .find(|op| op.method == method && op.path == path)
            .unwrap_or_else(|| panic!("no SDK endpoint for {method} {path}"));
        for shape in SHAPES {
            let body = instance(schema, &root, shape).to_string();
            let result = if path == "/findings/export" {
                // A download: the SDK hands over the bytes; a JSON export is
                // an array of findings for the caller to decode.
                serde_json::from_str::<Vec<Finding>>(&body)
                    .map(drop)
                    .map_err(|e| e.to_string())
            } else {
                (operation.decode)(body.as_bytes()).map_err(|e| e.to_string())
            };
            if let Err(err) = result {
                failures.push(format!("{method} {path} ({shape:?}): {err}\n  {body}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_generated_instances_are_what_they_claim() {
    // The walker itself: a webhook's minimal answer has exactly the required
    // fields, the all-null one has `headers: null`, the full one a header.
    let root = spec();
    let webhook = json!({ "$ref": "#/components/schemas/WebhookData" });
    let minimal = instance(&webhook, &root, Shape::Minimal);
    let mut keys: Vec<&String> = minimal["data"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["active", "events", "id", "name", "url"]);
    assert_eq!(minimal["data"]["id"], "x", "minLength 1");
    let all_null = instance(&webhook, &root, Shape::AllNull);
    assert_eq!(all_null["data"]["headers"], Value::Null);
    assert_eq!(all_null["data"]["created_at"], Value::Null);
    let full = instance(&webhook, &root, Shape::Full);
    assert_eq!(full["data"]["headers"], json!({ "key": "value" }));
    let page = instance(
        &json!({ "$ref": "#/components/schemas/ScanPage" }),
        &root,
        Shape::Full,
    );
    assert!(page["data"][0]["finding_count"].is_f64(), "{page}");
}
