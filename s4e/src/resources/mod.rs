//! The six API resources, one module each: models, endpoint declarations and
//! the handle a [`Client`](crate::Client) hands out. They sit on the engine
//! in [`crate::http`] and never on each other's internals.

pub mod actions;
pub mod assets;
pub mod findings;
mod identity;
pub mod playbooks;
pub mod scans;
pub mod webhooks;

/// Inserts `name: value` into a `parameters` object, creating it (or
/// replacing a value that is not an object): the one implementation of
/// `.parameter(name, value)` on action triggers and playbook runs.
pub(crate) fn set_parameter(
    parameters: &mut Option<serde_json::Value>,
    name: String,
    value: serde_json::Value,
) {
    let parameters =
        parameters.get_or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
    if !parameters.is_object() {
        *parameters = serde_json::Value::Object(serde_json::Map::new());
    }
    if let serde_json::Value::Object(map) = parameters {
        map.insert(name, value);
    }
}

#[cfg(test)]
mod serialize_tests;
