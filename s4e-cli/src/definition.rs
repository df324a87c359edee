//! Definition files (`--file FILE|-`): JSON or YAML, read whole, into the
//! API's JSON form. YAML is told from JSON by the file's extension, or for
//! standard input by whether it parses as JSON.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};
use yaml_rust2::{Yaml, YamlLoader};

use crate::exit::Failure;

/// Reads `path` (or standard input for `-`) whole.
pub(crate) fn read_text(path: &Path) -> Result<(String, String), Failure> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Failure::file("reading standard input", e))?;
        Ok(("standard input".to_owned(), text))
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::file(format!("reading {}", path.display()), e))?;
        Ok((path.display().to_string(), text))
    }
}

/// A JSON or YAML document as JSON.
pub(crate) fn read_document(path: &Path) -> Result<Value, Failure> {
    let (name, text) = read_text(path)?;
    let yaml_by_name = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"));
    if !yaml_by_name {
        match serde_json::from_str(&text) {
            Ok(value) => return Ok(value),
            // A `.json` file must be JSON; input without an extension may
            // be YAML.
            Err(e) if path.extension().is_some() => {
                return Err(Failure::Usage(format!("{name} is not JSON: {e}")));
            }
            Err(_) => {}
        }
    }
    yaml_to_json(&text).map_err(|e| Failure::Usage(format!("{name} is neither JSON nor YAML: {e}")))
}

/// A document decoded into `T`, whose unknown fields are refused (nothing a
/// user wrote is silently dropped).
pub(crate) fn read_as<T: DeserializeOwned>(path: &Path) -> Result<T, Failure> {
    let value = read_document(path)?;
    let name = if path.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    };
    serde_json::from_value(value).map_err(|e| Failure::Usage(format!("{name}: {e}")))
}

/// The one YAML document of `text` as JSON.
fn yaml_to_json(text: &str) -> Result<Value, String> {
    let mut documents = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    match documents.len() {
        1 => convert(documents.remove(0)),
        0 => Err("the document is empty".to_owned()),
        n => Err(format!("{n} documents; give one")),
    }
}

fn convert(yaml: Yaml) -> Result<Value, String> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::Number(i.into()),
        Yaml::Real(text) => {
            let number: f64 = text
                .parse()
                .map_err(|_| format!("`{text}` is not a number"))?;
            Number::from_f64(number)
                .map(Value::Number)
                .ok_or_else(|| format!("`{text}` is not a finite number"))?
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Array(items) => {
            Value::Array(items.into_iter().map(convert).collect::<Result<_, _>>()?)
        }
        Yaml::Hash(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let key = match key {
                    Yaml::String(s) => s,
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    other => return Err(format!("a key must be text, not {other:?}")),
                };
                map.insert(key, convert(value)?);
            }
            Value::Object(map)
        }
        Yaml::Alias(_) => return Err("YAML aliases are not supported".to_owned()),
        Yaml::BadValue => return Err("a value could not be read".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_becomes_the_same_json() {
        let yaml = "name: Block IP\ntype: remediation\nparameters:\n  - name: ip\n    type: string\n    required: true\nconfig:\n  minutes: 60\n  ratio: 0.5\n";
        assert_eq!(
            yaml_to_json(yaml).unwrap(),
            serde_json::json!({
                "name": "Block IP",
                "type": "remediation",
                "parameters": [{"name": "ip", "type": "string", "required": true}],
                "config": {"minutes": 60, "ratio": 0.5}
            })
        );
        assert!(yaml_to_json("a: 1\n---\nb: 2\n").is_err());
        assert!(yaml_to_json("").is_err());
    }
}
