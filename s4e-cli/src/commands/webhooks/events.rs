//! The delivery data of each event, as `spec/s4e-v1.yaml` describes it
//! (`components/schemas/*EventData`, `$ref`s resolved): the schema `trigger`
//! checks `--set` against, and a sample that fits it. A unit test keeps
//! this copy equal to the contract.

use serde_json::{Map, Value, json};

/// Every event the contract describes a delivery for: the SDK's own list
/// (a test below holds it equal to the contract's `WebhookEvent`).
pub(crate) const EVENTS: &[&str] = s4e::webhooks::EventType::VALUES;

fn id() -> Value {
    json!({"type": "string", "minLength": 1})
}

fn one_of(values: &[&str]) -> Value {
    json!({"type": "string", "enum": values})
}

fn scan_type() -> Value {
    one_of(&[
        "full",
        "quick",
        "custom",
        "web_app",
        "network",
        "api",
        "api_discovery",
        "ssl",
        "dns",
        "port",
    ])
}

fn asset_type() -> Value {
    one_of(&["domain", "ip", "url", "network"])
}

fn finding_status() -> Value {
    one_of(&[
        "open",
        "confirmed",
        "resolved",
        "false_positive",
        "accepted_risk",
    ])
}

fn object(required: &[&str], properties: Value) -> Value {
    let mut schema = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

/// The schema of `data` for `event` (the `*EventData` of the contract).
pub(crate) fn data_schema(event: &str) -> Option<Value> {
    Some(match event {
        "scan.created" => object(
            &["scan_id", "asset_id", "scan_type"],
            json!({"scan_id": id(), "asset_id": id(), "scan_type": scan_type()}),
        ),
        "scan.completed" => object(
            &["scan_id", "finding_count"],
            json!({
                "scan_id": id(),
                "asset_id": id(),
                "status": one_of(&["queued", "running", "completed", "failed", "cancelled"]),
                "finding_count": {"type": "integer", "minimum": 0},
                "duration": {"type": "integer", "minimum": 0},
            }),
        ),
        "scan.failed" => object(
            &["scan_id", "error"],
            json!({"scan_id": id(), "asset_id": id(), "error": {"type": "string"}}),
        ),
        "finding.new" => object(
            &["finding_id", "title", "severity"],
            json!({
                "finding_id": id(),
                "title": {"type": "string"},
                "severity": one_of(&["critical", "high", "medium", "low", "info"]),
                "cvss": {"type": "number", "minimum": 0, "maximum": 10, "nullable": true},
                "asset": object(&["id"], json!({"id": id(), "name": {"type": "string"}, "type": asset_type()})),
                "scan_id": id(),
                "description": {"type": "string"},
                "remediation": {"type": "string"},
            }),
        ),
        "finding.status_changed" => object(
            &["finding_id", "old_status", "new_status"],
            json!({"finding_id": id(), "old_status": finding_status(), "new_status": finding_status()}),
        ),
        "action.triggered" | "action.completed" | "action.failed" => object(
            &["action_id", "execution_id"],
            json!({
                "action_id": id(),
                "execution_id": id(),
                "status": one_of(&["queued", "running", "completed", "failed"]),
            }),
        ),
        "playbook.started" | "playbook.completed" | "playbook.failed" => object(
            &["run_id", "playbook_id"],
            json!({
                "run_id": id(),
                "playbook_id": id(),
                "status": one_of(&["pending", "running", "completed", "failed"]),
                "target_asset_id": id(),
            }),
        ),
        "asset.created" | "asset.verified" => object(
            &["asset_id", "name", "type"],
            json!({
                "asset_id": id(),
                "name": {"type": "string", "minLength": 1},
                "type": asset_type(),
                "verified": {"type": "boolean"},
            }),
        ),
        "webhook.test" => object(
            &[],
            json!({"webhook_id": id(), "message": {"type": "string"}}),
        ),
        _ => return None,
    })
}

/// A delivery's `data` for `event` that fits [`data_schema`].
pub(crate) fn sample(event: &str) -> Option<Value> {
    let (kind, outcome) = event.split_once('.')?;
    Some(match event {
        "scan.created" => json!({"scan_id": "sc-50001", "asset_id": "a-2001", "scan_type": "full"}),
        "scan.completed" => json!({
            "scan_id": "sc-50001", "asset_id": "a-2001", "status": "completed",
            "finding_count": 7, "duration": 1260,
        }),
        "scan.failed" => {
            json!({"scan_id": "sc-50001", "asset_id": "a-2001", "error": "target unreachable"})
        }
        "finding.new" => json!({
            "finding_id": "f-90001", "title": "Outdated TLS configuration", "severity": "high",
            "cvss": 7.4, "asset": {"id": "a-2001", "name": "example.com", "type": "domain"},
            "scan_id": "sc-50001", "description": "TLS 1.0 is enabled.",
            "remediation": "Disable TLS 1.0 and 1.1.",
        }),
        "finding.status_changed" => {
            json!({"finding_id": "f-90001", "old_status": "open", "new_status": "resolved"})
        }
        _ if kind == "action" => json!({
            "action_id": "act-3001", "execution_id": "exec-7001",
            "status": if outcome == "triggered" { "queued" } else { outcome },
        }),
        _ if kind == "playbook" => json!({
            "run_id": "run-4001", "playbook_id": "pb-critical-finding", "target_asset_id": "a-2001",
            "status": if outcome == "started" { "running" } else { outcome },
        }),
        _ if kind == "asset" => json!({
            "asset_id": "a-2001", "name": "example.com", "type": "domain",
            "verified": outcome == "verified",
        }),
        "webhook.test" => {
            json!({"webhook_id": "wh-001", "message": "A test event from s4e webhooks trigger."})
        }
        _ => return None,
    })
}

/// Sets `path` (dot-separated, within `data`) to `raw`, read as JSON when it
/// parses (`42`, `true`, `null`, `{"id":"a"}`) and as a string otherwise.
/// The path must name a field the schema declares.
pub(crate) fn set(data: &mut Value, schema: &Value, path: &str, raw: &str) -> Result<(), String> {
    let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    let mut target = data;
    let mut schema = schema;
    let mut steps = path.split('.').peekable();
    while let Some(step) = steps.next() {
        schema = schema
            .get("properties")
            .and_then(|p| p.get(step))
            .ok_or_else(|| format!("`{path}`: the event's data has no field `{step}`"))?;
        if !target.is_object() {
            *target = Value::Object(Map::new());
        }
        let fields = target.as_object_mut().expect("made an object above");
        if steps.peek().is_none() {
            fields.insert(step.to_string(), value);
            return Ok(());
        }
        target = fields.entry(step).or_insert_with(|| json!({}));
    }
    Err("--set needs a field path".to_string())
}

/// Checks `value` against the subset of JSON Schema the data schemas use.
pub(crate) fn validate(value: &Value, schema: &Value, at: &str) -> Result<(), String> {
    if value.is_null() && schema["nullable"] == true {
        return Ok(());
    }
    let fits = match schema["type"].as_str() {
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("object") => value.is_object(),
        _ => true,
    };
    if !fits {
        return Err(format!(
            "{at}: expected {}, got {value}",
            schema["type"].as_str().unwrap_or("?")
        ));
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            return Err(format!(
                "{at}: {value} is not one of {}",
                Value::Array(allowed.clone())
            ));
        }
    }
    if let Some(min) = schema["minLength"].as_u64() {
        if value
            .as_str()
            .is_some_and(|s| (s.chars().count() as u64) < min)
        {
            return Err(format!("{at}: shorter than {min} characters"));
        }
    }
    if let (Some(n), Some(min)) = (value.as_f64(), schema["minimum"].as_f64()) {
        if n < min {
            return Err(format!("{at}: {n} is below {min}"));
        }
    }
    if let (Some(n), Some(max)) = (value.as_f64(), schema["maximum"].as_f64()) {
        if n > max {
            return Err(format!("{at}: {n} is above {max}"));
        }
    }
    if let Some(fields) = value.as_object() {
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !fields.contains_key(name) {
                return Err(format!("{at}: `{name}` is required"));
            }
        }
        if let Some(properties) = schema["properties"].as_object() {
            for (name, field) in fields {
                if let Some(field_schema) = properties.get(name) {
                    validate(field, field_schema, &format!("{at}.{name}"))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::{Yaml, YamlLoader};

    fn to_json(yaml: &Yaml) -> Value {
        match yaml {
            Yaml::Real(text) => json!(text.parse::<f64>().unwrap()),
            Yaml::Integer(n) => json!(n),
            Yaml::String(text) => json!(text),
            Yaml::Boolean(b) => json!(b),
            Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
            Yaml::Hash(hash) => Value::Object(
                hash.iter()
                    .map(|(k, v)| (k.as_str().unwrap().to_string(), to_json(v)))
                    .collect(),
            ),
            _ => Value::Null,
        }
    }

    /// `$ref`s replaced by their targets; `description` and `example` gone.
    fn resolve(schema: &Value, schemas: &Value) -> Value {
        match schema {
            Value::Object(fields) => {
                if let Some(target) = fields.get("$ref").and_then(Value::as_str) {
                    let name = target.trim_start_matches("#/components/schemas/");
                    return resolve(&schemas[name], schemas);
                }
                let resolved = |(k, v): (&String, &Value)| (k.clone(), resolve(v, schemas));
                Value::Object(
                    fields
                        .iter()
                        .filter(|(k, _)| !matches!(k.as_str(), "description" | "example"))
                        .map(|(k, v)| match (k.as_str(), v) {
                            // Property names, not keywords: keep them all.
                            ("properties", Value::Object(properties)) => (
                                k.clone(),
                                Value::Object(properties.iter().map(resolved).collect()),
                            ),
                            _ => resolved((k, v)),
                        })
                        .collect(),
                )
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| resolve(v, schemas)).collect())
            }
            other => other.clone(),
        }
    }

    #[test]
    fn the_copy_equals_the_contract_and_every_sample_fits_it() {
        let spec = include_str!("../../../../spec/s4e-v1.yaml");
        let spec = to_json(&YamlLoader::load_from_str(spec).unwrap()[0]);
        let schemas = &spec["components"]["schemas"];
        let listed: Vec<&str> = schemas["WebhookEvent"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        assert_eq!(listed, EVENTS);
        let mapping = schemas["WebhookDelivery"]["discriminator"]["mapping"]
            .as_object()
            .unwrap();
        assert_eq!(mapping.len(), EVENTS.len());
        for &event in EVENTS {
            let delivery = mapping[event].as_str().unwrap();
            let delivery = &schemas[delivery.trim_start_matches("#/components/schemas/")];
            let data = resolve(&delivery["allOf"][1]["properties"]["data"], schemas);
            assert_eq!(Some(&data), data_schema(event).as_ref(), "{event}");
            let sample = sample(event).unwrap();
            validate(&sample, &data, "data").unwrap_or_else(|e| panic!("{event}: {e}"));
        }
    }

    #[test]
    fn set_checks_the_path_and_validate_the_type() {
        let schema = data_schema("finding.new").unwrap();
        let mut data = sample("finding.new").unwrap();
        set(&mut data, &schema, "asset.name", "shop.example").unwrap();
        set(&mut data, &schema, "cvss", "9.8").unwrap();
        assert_eq!(
            (data["asset"]["name"].as_str(), data["cvss"].as_f64()),
            (Some("shop.example"), Some(9.8))
        );
        validate(&data, &schema, "data").unwrap();
        assert!(
            set(&mut data, &schema, "colour", "red")
                .unwrap_err()
                .contains("no field `colour`")
        );
        set(&mut data, &schema, "cvss", "high").unwrap();
        assert!(
            validate(&data, &schema, "data")
                .unwrap_err()
                .contains("data.cvss: expected number")
        );
        set(&mut data, &schema, "cvss", "11").unwrap();
        assert!(validate(&data, &schema, "data").is_err());
        set(&mut data, &schema, "severity", "urgent").unwrap();
        assert!(validate(&data, &schema, "data").is_err());
    }
}
