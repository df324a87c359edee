//! The SDK cannot drift from the contract: every endpoint the SDK declares
//! matches an operation of `spec/s4e-v1.yaml` (method, path template, path,
//! query and header parameter names, JSON body property names, and which of
//! them are required), and every operation of the file has an SDK endpoint.
//! A parameter renamed on either side fails here.
//!
//! The SDK side comes from `Endpoint::FIELDS`, which `#[endpoint]` generates
//! from the fields (wire name after `rename`, location, required = not an
//! `Option`). The list of endpoints is `spec::sdk_operations`; the test
//! checks it against the `#[endpoint(...)]` attributes in `s4e/src/resources`, so an
//! endpoint cannot be left out of the list either.
//!
//! Where the two differ on purpose, the rule is written below with its reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use s4e::__private::{FieldLocation, FieldSpec};
use serde_json::Value;

use crate::spec::{Operation, resolve, sdk_operations, spec};

/// Headers that OpenAPI 3.0 says are ignored as `in: header` parameters (the
/// media types and the security scheme describe them), so the file cannot
/// name them but an endpoint may set them (`ExportFindings` sets `Accept`).
const HEADERS_DESCRIBED_ELSEWHERE: [&str; 3] = ["Accept", "Content-Type", "Authorization"];

/// `Idempotency-Key` is sent by the request engine (generated, or set with
/// `Request::idempotency_key`) for every request that may be retried, not by
/// an endpoint field.
const HEADERS_SENT_BY_THE_ENGINE: [&str; 1] = ["Idempotency-Key"];

/// `page` and `per_page` of a paginated list are sent by the paginator
/// (`Endpoint::PAGINATED`), not by endpoint fields; both are optional.
const PAGINATION_QUERY: [&str; 2] = ["page", "per_page"];

/// Parameters and body properties that the SDK requires (a non-`Option`
/// field) although the file marks them optional: `(method, path, location,
/// name, reason)`. Sending an optional value always is within the contract;
/// each entry says why the SDK does it.
const REQUIRED_BY_THE_SDK_ONLY: &[(&str, &str, &str, &str, &str)] = &[
    ("POST", "/playbooks", "`steps[]` property", "id", STEP_ID),
    (
        "PATCH",
        "/playbooks/{id}",
        "`steps[]` property",
        "id",
        STEP_ID,
    ),
    (
        "POST",
        "/playbooks",
        "`steps[]` property",
        "type",
        STEP_TYPE,
    ),
    (
        "PATCH",
        "/playbooks/{id}",
        "`steps[]` property",
        "type",
        STEP_TYPE,
    ),
    (
        "POST",
        "/actions",
        "`parameters[]` property",
        "required",
        PARAMETER_REQUIRED,
    ),
    (
        "PATCH",
        "/actions/{id}",
        "`parameters[]` property",
        "required",
        PARAMETER_REQUIRED,
    ),
];

const STEP_ID: &str = "runs report their steps by `id` (`PlaybookRun.steps[].id`), so \
    `PlaybookStep::new` asks for one and every step sent can be told apart";
const STEP_TYPE: &str = "a step without a `type` says nothing about what to run; \
    `PlaybookStep::new` asks for it";
const PARAMETER_REQUIRED: &str = "a plain `bool` whose default, `false`, is the server's \
    default: sending it always states the same thing explicitly";

/// What one operation declares (or one SDK endpoint sends): name -> required,
/// per location, and whether there is a JSON body.
#[derive(Debug, Default, PartialEq)]
struct Shape {
    path: BTreeMap<String, bool>,
    query: BTreeMap<String, bool>,
    header: BTreeMap<String, bool>,
    /// `None`: no request body; `Some(required, properties)`.
    body: Option<(bool, BTreeMap<String, bool>)>,
    /// The body is an object whose properties the SDK takes from a value
    /// (`#[body(flatten)]`) or the file leaves open (no `properties`).
    body_open: bool,
}

/// `(METHOD, path)` -> the operation object (path-level parameters merged in).
fn spec_operations(root: &Value) -> BTreeMap<(String, String), Value> {
    let mut operations = BTreeMap::new();
    for (path, item) in root["paths"].as_object().expect("paths") {
        let shared = item
            .get("parameters")
            .cloned()
            .unwrap_or(Value::Array(vec![]));
        for (method, operation) in item.as_object().expect("a path item") {
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            let mut operation = operation.clone();
            let mut parameters = shared.as_array().cloned().unwrap_or_default();
            if let Some(own) = operation.get("parameters").and_then(Value::as_array) {
                parameters.extend(own.iter().cloned());
            }
            operation["parameters"] = Value::Array(parameters);
            operations.insert((method.to_uppercase(), path.clone()), operation);
        }
    }
    operations
}

/// The top-level properties of an object schema, following `$ref` and
/// merging `allOf`: name -> required. `None` when the object is open (no
/// `properties` anywhere).
fn properties(schema: &Value, root: &Value) -> Option<BTreeMap<String, bool>> {
    let schema = resolve(schema, root);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged: Option<BTreeMap<String, bool>> = None;
        for part in parts {
            if let Some(props) = properties(part, root) {
                let merged = merged.get_or_insert_with(BTreeMap::new);
                for (name, required) in props {
                    let entry = merged.entry(name).or_insert(false);
                    *entry |= required;
                }
            }
        }
        return merged;
    }
    let props = schema.get("properties")?.as_object()?;
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    Some(
        props
            .keys()
            .map(|name| (name.clone(), required.contains(name.as_str())))
            .collect(),
    )
}

/// What the file declares for one operation.
fn spec_shape(operation: &Value, root: &Value) -> Shape {
    let mut shape = Shape::default();
    for parameter in operation["parameters"].as_array().expect("parameters") {
        let parameter = resolve(parameter, root);
        let name = parameter["name"]
            .as_str()
            .expect("a parameter name")
            .to_owned();
        let required = parameter["required"].as_bool().unwrap_or(false);
        let place = match parameter["in"].as_str().expect("a parameter location") {
            "path" => &mut shape.path,
            "query" => &mut shape.query,
            "header" => &mut shape.header,
            other => panic!("parameter {name} in {other}: the SDK sends no cookies"),
        };
        place.insert(name, required);
    }
    if let Some(body) = operation.get("requestBody") {
        let body = resolve(body, root);
        let schema = body
            .pointer("/content/application~1json/schema")
            .expect("request bodies are JSON");
        let props = properties(schema, root);
        shape.body_open = props.is_none();
        shape.body = Some((
            body["required"].as_bool().unwrap_or(false),
            props.unwrap_or_default(),
        ));
    }
    shape
}

/// What the SDK sends for one endpoint, with the rules above applied.
fn sdk_shape(fields: &[FieldSpec], paginated: bool, has_body: bool) -> Shape {
    let mut shape = Shape::default();
    let mut body = BTreeMap::new();
    for field in fields {
        let name = field.name.to_owned();
        match field.location {
            FieldLocation::Path => {
                shape.path.insert(name, true);
            }
            FieldLocation::Query => {
                shape.query.insert(name, field.required);
            }
            FieldLocation::Header => {
                if !HEADERS_DESCRIBED_ELSEWHERE.contains(&field.name) {
                    shape.header.insert(name, field.required);
                }
            }
            FieldLocation::Body => {
                body.insert(name, field.required);
            }
            FieldLocation::Flatten => shape.body_open = true,
        }
    }
    if paginated {
        for name in PAGINATION_QUERY {
            shape.query.insert(name.to_owned(), false);
        }
    }
    // A request with body fields always carries a JSON object (`{}` when
    // none is set), so the body itself is always sent.
    if has_body {
        shape.body = Some((true, body));
    }
    shape
}

/// Every difference between what the file declares and what the SDK sends
/// for one operation.
fn compare(method: &str, path: &str, spec: &Shape, sdk: &Shape) -> Vec<String> {
    let mut failures = Vec::new();
    let op = format!("{method} {path}");
    names(
        &mut failures,
        method,
        path,
        "path parameter",
        &spec.path,
        &sdk.path,
    );
    names(
        &mut failures,
        method,
        path,
        "query parameter",
        &spec.query,
        &sdk.query,
    );
    let spec_headers: BTreeMap<String, bool> = spec
        .header
        .iter()
        .filter(|(name, _)| !HEADERS_SENT_BY_THE_ENGINE.contains(&name.as_str()))
        .map(|(name, required)| (name.clone(), *required))
        .collect();
    names(
        &mut failures,
        method,
        path,
        "header",
        &spec_headers,
        &sdk.header,
    );
    match (&spec.body, &sdk.body) {
        (None, None) => {}
        (Some((true, _)), None) => failures.push(format!("{op}: the file requires a body")),
        (Some((false, _)), None) => {
            failures.push(format!("{op}: the file takes a body the SDK cannot send"));
        }
        (None, Some(_)) => failures.push(format!("{op}: the SDK sends a body the file has not")),
        (Some((_, spec_props)), Some((_, sdk_props))) => {
            if sdk.body_open || spec.body_open {
                // The SDK passes a caller's object through, or the file
                // leaves the object open: only both sides being open is
                // consistent, named fields beside it are still compared.
                if sdk.body_open != spec.body_open {
                    failures.push(format!(
                        "{op}: the body is open on one side only (file: {}, SDK: {})",
                        spec.body_open, sdk.body_open
                    ));
                }
            }
            if !(sdk.body_open && sdk_props.is_empty()) {
                names(
                    &mut failures,
                    method,
                    path,
                    "body property",
                    spec_props,
                    sdk_props,
                );
            }
        }
    }
    failures
}

/// Compares the names of one location; see [`compare`].
fn names(
    failures: &mut Vec<String>,
    method: &str,
    path: &str,
    location: &str,
    spec: &BTreeMap<String, bool>,
    sdk: &BTreeMap<String, bool>,
) {
    let op = format!("{method} {path}");
    for (name, &required) in spec {
        match sdk.get(name) {
            None if required => failures.push(format!(
                "{op}: the SDK does not send the required {location} `{name}`"
            )),
            None => failures.push(format!(
                "{op}: the SDK has no field for the optional {location} `{name}`"
            )),
            Some(false) if required => failures.push(format!(
                "{op}: {location} `{name}` is required by the file but optional in the SDK"
            )),
            Some(true) if !required => {
                let allowed = REQUIRED_BY_THE_SDK_ONLY.iter().any(|&(m, p, l, n, _)| {
                    (m, p, l, n) == (method, path, location, name.as_str())
                });
                if !allowed {
                    failures.push(format!(
                        "{op}: {location} `{name}` is optional in the file but required by \
                         the SDK (list it in REQUIRED_BY_THE_SDK_ONLY with a reason, or \
                         make the field an Option)"
                    ));
                }
            }
            Some(_) => {}
        }
    }
    for name in sdk.keys().filter(|name| !spec.contains_key(*name)) {
        failures.push(format!(
            "{op}: the SDK sends the {location} `{name}`, which the file does not declare"
        ));
    }
}

fn find<'a>(sdk: &'a [Operation], method: &str, path: &str) -> Vec<&'a Operation> {
    sdk.iter()
        .filter(|op| op.method == method && op.path == path)
        .collect()
}

#[test]
fn every_sdk_endpoint_matches_its_operation_and_every_operation_has_one() {
    let root = spec();
    let operations = spec_operations(&root);
    let sdk = sdk_operations();
    assert!(
        operations.len() >= 37,
        "only {} operations",
        operations.len()
    );
    let mut failures = Vec::new();
    for ((method, path), operation) in &operations {
        match find(&sdk, method, path).as_slice() {
            [] => failures.push(format!("{method} {path}: no SDK endpoint in the list")),
            [endpoint] => {
                let spec = spec_shape(operation, &root);
                let ours = sdk_shape(endpoint.fields, endpoint.paginated, endpoint.has_body);
                for failure in compare(method, path, &spec, &ours) {
                    failures.push(format!("{failure} ({})", endpoint.name));
                }
            }
            many => {
                let names: Vec<&str> = many.iter().map(|op| op.name).collect();
                failures.push(format!("{method} {path}: listed twice: {names:?}"));
            }
        }
    }
    for endpoint in &sdk {
        let key = (endpoint.method.to_owned(), endpoint.path.to_owned());
        if !operations.contains_key(&key) {
            failures.push(format!(
                "{} {} ({}): not an operation of the file",
                endpoint.method, endpoint.path, endpoint.name
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// `(METHOD, path, type name)` of every `#[endpoint(...)]` in `dir`.
fn declared_endpoints(dir: &Path, found: &mut BTreeSet<(String, String, String)>) {
    for entry in std::fs::read_dir(dir).expect("the resources directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            declared_endpoints(&path, found);
            continue;
        }
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a source file");
        let mut lines = text.lines().map(str::trim);
        while let Some(line) = lines.next() {
            let Some(args) = line.strip_prefix("#[endpoint(") else {
                continue;
            };
            let (method, rest) = args.split_once(',').expect("#[endpoint(METHOD, \"path\"");
            let path = rest.split('"').nth(1).expect("a quoted path");
            let name = lines
                .by_ref()
                .find_map(|line| line.strip_prefix("pub struct "))
                .and_then(|rest| rest.split([' ', '{', ';', '<']).next())
                .expect("the endpoint's struct");
            found.insert((method.trim().to_owned(), path.to_owned(), name.to_owned()));
        }
    }
}

#[test]
fn the_list_of_sdk_endpoints_is_every_endpoint_in_the_sources() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../s4e/src/resources");
    let mut declared = BTreeSet::new();
    declared_endpoints(&dir, &mut declared);
    let listed: BTreeSet<(String, String, String)> = sdk_operations()
        .iter()
        .map(|op| (op.method.to_owned(), op.path.to_owned(), op.name.to_owned()))
        .collect();
    assert!(
        declared.len() >= 37,
        "only {} endpoints found",
        declared.len()
    );
    let missing: Vec<_> = declared.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&declared).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "add to spec::sdk_operations: {missing:?}; not declared in the sources: {extra:?}"
    );
}

#[test]
fn a_renamed_or_dropped_parameter_on_either_side_is_reported() {
    // The checker itself, on GET /assets and POST /assets.
    let root = spec();
    let operations = spec_operations(&root);
    let sdk = sdk_operations();
    let check = |method: &str, path: &str, spec_op: &Value, fields: &[FieldSpec]| {
        let endpoint = find(&sdk, method, path)[0];
        let ours = sdk_shape(fields, endpoint.paginated, endpoint.has_body);
        compare(method, path, &spec_shape(spec_op, &root), &ours)
    };
    let key = |method: &str, path: &str| (method.to_owned(), path.to_owned());
    let list = &operations[&key("GET", "/assets")];
    let create = &operations[&key("POST", "/assets")];
    let list_fields = find(&sdk, "GET", "/assets")[0].fields;
    let create_fields = find(&sdk, "POST", "/assets")[0].fields;
    assert_eq!(
        check("GET", "/assets", list, list_fields),
        Vec::<String>::new()
    );
    assert_eq!(
        check("POST", "/assets", create, create_fields),
        Vec::<String>::new()
    );

    // The SDK renames the query parameter `type`.
    let mut renamed = list_fields.to_vec();
    let field = renamed.iter_mut().find(|f| f.name == "type").unwrap();
    field.name = "kind";
    let failures = check("GET", "/assets", list, &renamed);
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(
        failures.iter().any(|f| f.contains("`type`")),
        "{failures:?}"
    );
    assert!(
        failures.iter().any(|f| f.contains("`kind`")),
        "{failures:?}"
    );

    // The file renames it.
    let mut spec_renamed = list.clone();
    for parameter in spec_renamed["parameters"].as_array_mut().unwrap() {
        if parameter["name"] == "type" {
            parameter["name"] = "asset_type".into();
        }
    }
    let failures = check("GET", "/assets", &spec_renamed, list_fields);
    assert_eq!(failures.len(), 2, "{failures:?}");

    // The SDK makes a required body property optional, and drops another.
    let mut loosened = create_fields.to_vec();
    loosened
        .iter_mut()
        .find(|f| f.name == "name")
        .unwrap()
        .required = false;
    loosened.retain(|f| f.name != "type");
    let failures = check("POST", "/assets", create, &loosened);
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(failures[0].contains("`name`") || failures[1].contains("`name`"));
}

/// A nested object the SDK sends inside a body, as its serde model writes it.
struct Nested {
    method: &'static str,
    path: &'static str,
    /// The body property holding it; `[]` for the items of an array.
    property: &'static str,
    /// Every field set (no unmodelled extras): the names the SDK can send.
    full: Value,
    /// Built with only what the constructor asks for: what it always sends.
    minimal: Value,
}

fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("a request model serializes")
}

/// The nested request models, each fully set and minimal. Built in Rust
/// (not decoded from the file's names) so that a renamed serde field shows.
fn nested_models() -> Vec<Nested> {
    use s4e::AssetType;
    use s4e::actions::{ActionParameter, ParameterType};
    use s4e::assets::NewAsset;
    use s4e::playbooks::{PlaybookStep, PlaybookTrigger};
    use s4e::scans::{ScanDepth, ScanOptions};

    let mut options = ScanOptions::new();
    options.depth = Some(ScanDepth::Deep);
    options.include_subdomains = Some(true);
    options.categories = Some(vec!["xss".into()]);
    options.follow_redirects = Some(true);
    options.max_depth = Some(3);
    options.timeout = Some(60);
    let asset = NewAsset::new("a.example.com", AssetType::Domain);
    let trigger = PlaybookTrigger::new("finding.new");
    let mut step = PlaybookStep::new("s1", "action");
    let minimal_step = json(&step);
    step.name = Some("Notify".into());
    step.action_ref = Some("a-1".into());
    let parameter = ActionParameter::new("channel", ParameterType::String);

    let mut models = vec![
        Nested {
            method: "POST",
            path: "/scans",
            property: "options",
            full: json(&options),
            minimal: json(&ScanOptions::new()),
        },
        Nested {
            method: "POST",
            path: "/assets/bulk",
            property: "assets[]",
            full: json(&asset.clone().tags(["lab"])),
            minimal: json(&asset),
        },
    ];
    for (method, path) in [("POST", "/playbooks"), ("PATCH", "/playbooks/{id}")] {
        models.push(Nested {
            method,
            path,
            property: "trigger",
            full: json(
                &trigger
                    .clone()
                    .conditions(serde_json::json!({"severity": "high"})),
            ),
            minimal: json(&trigger),
        });
        models.push(Nested {
            method,
            path,
            property: "steps[]",
            full: json(&step),
            minimal: minimal_step.clone(),
        });
    }
    for (method, path) in [("POST", "/actions"), ("PATCH", "/actions/{id}")] {
        models.push(Nested {
            method,
            path,
            property: "parameters[]",
            full: json(&parameter.clone().default_value(serde_json::json!("#soc"))),
            minimal: json(&parameter),
        });
    }
    models
}

/// The schema of `property` (`name` or `name[]`) in the operation's body.
fn nested_schema<'a>(operation: &'a Value, property: &str, root: &'a Value) -> &'a Value {
    let body = resolve(&operation["requestBody"], root);
    let mut schema = resolve(&body["content"]["application/json"]["schema"], root);
    let (name, items) = match property.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (property, false),
    };
    // `allOf` parts: the first that names the property.
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        schema = parts
            .iter()
            .map(|part| resolve(part, root))
            .find(|part| part["properties"].get(name).is_some())
            .expect("the property is in one allOf part");
    }
    let mut schema = resolve(&schema["properties"][name], root);
    if items {
        schema = resolve(&schema["items"], root);
    }
    schema
}

#[test]
fn nested_body_objects_have_the_names_of_the_file() {
    let root = spec();
    let operations = spec_operations(&root);
    let mut failures = Vec::new();
    for model in nested_models() {
        let operation = &operations[&(model.method.to_owned(), model.path.to_owned())];
        let schema = nested_schema(operation, model.property, &root);
        let spec = properties(schema, &root).expect("a nested object with properties");
        let keys = |value: &Value| -> BTreeMap<String, bool> {
            value
                .as_object()
                .expect("an object")
                .keys()
                .map(|k| (k.clone(), false))
                .collect()
        };
        // Name -> always sent (in the minimal instance).
        let mut sdk = keys(&model.full);
        for name in keys(&model.minimal).into_keys() {
            sdk.insert(name, true);
        }
        let location = format!("`{}` property", model.property);
        names(
            &mut failures,
            model.method,
            model.path,
            &location,
            &spec,
            &sdk,
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_required_by_the_sdk_only_rule_is_still_needed() {
    // A rule that no longer matches a difference (the file now requires the
    // property, or the SDK made it optional or renamed it) must go.
    let root = spec();
    let operations = spec_operations(&root);
    let sdk = sdk_operations();
    let models = nested_models();
    for &(method, path, location, name, reason) in REQUIRED_BY_THE_SDK_ONLY {
        assert!(!reason.is_empty());
        let operation = &operations[&(method.to_owned(), path.to_owned())];
        let (spec_required, sdk_required) = match models.iter().find(|m| {
            (m.method, m.path) == (method, path) && location == format!("`{}` property", m.property)
        }) {
            Some(model) => {
                let schema = nested_schema(operation, model.property, &root);
                let spec = properties(schema, &root).expect("properties");
                (
                    spec.get(name).copied(),
                    model.minimal.get(name).map(|_| true),
                )
            }
            None => {
                let endpoint = find(&sdk, method, path)[0];
                let spec = spec_shape(operation, &root);
                let ours = sdk_shape(endpoint.fields, endpoint.paginated, endpoint.has_body);
                let pick = |shape: &Shape| match location {
                    "query parameter" => shape.query.get(name).copied(),
                    "body property" => shape.body.as_ref().and_then(|(_, b)| b.get(name).copied()),
                    other => panic!("a rule for an unknown location: {other}"),
                };
                (pick(&spec), pick(&ours))
            }
        };
        assert_eq!(
            (spec_required, sdk_required),
            (Some(false), Some(true)),
            "the rule for {method} {path} {location} `{name}` no longer applies"
        );
    }
}
