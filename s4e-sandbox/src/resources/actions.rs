//! `/actions` (API.md §4.4): definitions, validation, and executions that move
//! queued → running → completed on the clock.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::api::check::{Check, Object, json_object};
use crate::api::envelope::{created, json_response, no_content, ok, page};
use crate::api::error::{ApiError, ApiResult, Detail};
use crate::api::page::Paging;
use crate::api::query::Query;
use crate::enums::{ActionType, ExecStatus, Executor, ParamType, Wire};
use crate::resources::slug;
use crate::state::{Db, Schedule, Shared, Span, ts, ts_opt};

#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) kind: ParamType,
    pub(crate) required: bool,
    pub(crate) default: Value,
    /// Other keys (`description`, `options`, ...) kept as sent.
    pub(crate) extra: Object,
}

#[derive(Debug, Clone)]
pub(crate) struct Action {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: ActionType,
    pub(crate) description: Option<String>,
    pub(crate) version: String,
    pub(crate) executor: Executor,
    pub(crate) target: Value,
    pub(crate) parameters: Vec<Param>,
    pub(crate) config: Value,
    pub(crate) conditions: Value,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl Param {
    fn view(&self) -> Value {
        let mut v = Value::Object(self.extra.clone());
        v["name"] = json!(self.name);
        v["type"] = json!(self.kind);
        v["required"] = json!(self.required);
        v["default"] = self.default.clone();
        v
    }
}

impl Action {
    pub(crate) fn view(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "type": self.kind,
            "description": self.description,
            "version": self.version,
            "executor": self.executor,
            "target": self.target,
            "parameters": self.parameters.iter().map(Param::view).collect::<Vec<_>>(),
            "config": self.config,
            "conditions": self.conditions,
            "created_at": ts(self.created_at),
            "updated_at": ts(self.updated_at),
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Execution {
    pub(crate) id: String,
    pub(crate) action_id: String,
    pub(crate) action_name: String,
    pub(crate) status: ExecStatus,
    pub(crate) sandbox: bool,
    pub(crate) target: Value,
    pub(crate) parameters: Object,
    pub(crate) output: Value,
    pub(crate) started_at: Option<DateTime<Utc>>,
    pub(crate) finished_at: Option<DateTime<Utc>>,
    pub(crate) schedule: Schedule,
    pub(crate) fail: bool,
}

impl Execution {
    pub(crate) fn view(&self) -> Value {
        json!({
            "execution_id": self.id,
            "action_id": self.action_id,
            "status": self.status,
            "sandbox": self.sandbox,
            "output": self.output,
            "started_at": ts_opt(self.started_at),
            "finished_at": ts_opt(self.finished_at),
        })
    }
}

/// Nominal seconds an execution waits, then runs.
const EXEC_WAIT: f64 = 5.0;
const EXEC_RUN: f64 = 30.0;

pub(crate) fn advance(db: &mut Db, span: Span) {
    let mut events = Vec::new();
    for e in db
        .executions
        .iter_mut()
        .filter(|e| matches!(e.status, ExecStatus::Queued | ExecStatus::Running))
    {
        let moved = e.schedule.step(span);
        if let Some(at) = moved.started {
            e.status = ExecStatus::Running;
            e.started_at = Some(at);
        }
        if let Some(at) = moved.finished {
            e.finished_at = Some(at);
            if e.fail {
                e.status = ExecStatus::Failed;
                e.output = json!({ "error": "the action failed (sandbox_outcome = failed)" });
                events.push(("action.failed", at, e.view()));
            } else {
                e.status = ExecStatus::Completed;
                e.output = json!({
                    "message": format!("{} ran{}", e.action_name, if e.sandbox { " in sandbox mode" } else { "" }),
                    "target": e.target,
                    "parameters": e.parameters,
                    "changes": if e.sandbox { 0 } else { 1 },
                });
                events.push(("action.completed", at, e.view()));
            }
        }
    }
    for (name, at, data) in events {
        db.emit(name, at, data);
    }
}

/// The fields of a definition; `create` requires `name` and `type`.
struct Fields {
    name: Option<String>,
    kind: Option<ActionType>,
    description: Option<String>,
    executor: Option<Executor>,
    target: Option<Value>,
    parameters: Option<Vec<Param>>,
    config: Option<Value>,
    conditions: Option<Value>,
}

fn read_fields(obj: &Object, check: &mut Check, create: bool) -> Fields {
    let (name, kind) = if create {
        (
            check.req_string(obj, "name"),
            check.req_enum::<ActionType>(obj, "type"),
        )
    } else {
        let name = check.opt_string(obj, "name");
        if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            check.fail("name", "must not be empty");
        }
        (name, check.opt_enum::<ActionType>(obj, "type"))
    };
    let description = check.opt_string(obj, "description");
    let executor = check.opt_enum::<Executor>(obj, "executor");
    let parameters = check.opt_array(obj, "parameters").map(|items| {
        let mut out: Vec<Param> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let field = format!("parameters[{i}]");
            let Some(p) = item.as_object() else {
                check.fail(&field, "must be an object");
                continue;
            };
            check.nested(&field, |c| {
                let name = c.req_string(p, "name");
                if let Some(name) = &name {
                    if out.iter().any(|q| &q.name == name) {
                        c.fail("name", format!("duplicate parameter `{name}`"));
                    }
                }
                let kind = c.req_enum::<ParamType>(p, "type");
                let required = c.opt_bool(p, "required").unwrap_or(false);
                if let (Some(name), Some(kind)) = (name, kind) {
                    let mut extra = p.clone();
                    for k in ["name", "type", "required", "default"] {
                        extra.remove(k);
                    }
                    out.push(Param {
                        name,
                        kind,
                        required,
                        default: p.get("default").cloned().unwrap_or(Value::Null),
                        extra,
                    });
                }
            });
        }
        out
    });
    let config = check.opt_object(obj, "config").map(Value::Object);
    // The contract's `conditions` is an object (`{"severity_min": "high"}`).
    let conditions = check.opt_object(obj, "conditions").map(Value::Object);
    let target = check.opt_string(obj, "target").map(Value::String);
    Fields {
        name,
        kind,
        description,
        executor,
        target,
        parameters,
        config,
        conditions,
    }
}

fn find<'a>(db: &'a Db, id: &str) -> Result<&'a Action, ApiError> {
    db.actions
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| ApiError::not_found("action", id))
}

pub(crate) async fn list(State(sh): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let mut check = Check::default();
    let paging = Paging::read(&query, &mut check);
    let kind = check.query_enum::<ActionType>(&query, "type");
    check.finish()?;
    let search = query.get("search").map(str::to_lowercase);
    let db = sh.db();
    let items: Vec<&Action> = db
        .actions
        .iter()
        .filter(|a| kind.is_none_or(|k| a.kind == k))
        .filter(|a| {
            search.as_deref().is_none_or(|s| {
                a.name.to_lowercase().contains(s)
                    || a.id.contains(s)
                    || a.description
                        .as_deref()
                        .is_some_and(|d| d.to_lowercase().contains(s))
            })
        })
        .collect();
    let data = paging
        .slice(&items)
        .iter()
        .map(|a| a.view())
        .collect::<Vec<Value>>();
    Ok(page(paging, items.len(), data))
}

pub(crate) async fn get(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let db = sh.db();
    Ok(ok(find(&db, &id)?.view()))
}

pub(crate) async fn create(State(sh): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let f = read_fields(&obj, &mut check, true);
    check.finish()?;
    let (Some(name), Some(kind)) = (f.name, f.kind) else {
        return Err(ApiError::invalid("body", "is invalid"));
    };
    let now = sh.now();
    let mut db = sh.db();
    let id = slug::unique("act", &name, |id| db.actions.iter().any(|a| a.id == id));
    let action = Action {
        id,
        name,
        kind,
        description: f.description,
        version: "1.0.0".into(),
        executor: f.executor.unwrap_or(Executor::Local),
        target: f.target.unwrap_or(Value::Null),
        parameters: f.parameters.unwrap_or_default(),
        config: f.config.unwrap_or_else(|| json!({})),
        conditions: f.conditions.unwrap_or_else(|| json!({})),
        created_at: now,
        updated_at: now,
    };
    let view = action.view();
    db.actions.push(action);
    Ok(created(view))
}

/// `1.2.3` → `1.2.4`; anything else stays.
fn bump(version: &str) -> String {
    match version.rsplit_once('.') {
        Some((head, last)) => match last.parse::<u64>() {
            Ok(n) => format!("{head}.{}", n + 1),
            Err(_) => version.to_string(),
        },
        None => version.to_string(),
    }
}

pub(crate) async fn update(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let f = read_fields(&obj, &mut check, false);
    check.finish()?;
    let now = sh.now();
    let mut db = sh.db();
    let action = db
        .actions
        .iter_mut()
        .find(|a| a.id == id)
        .ok_or_else(|| ApiError::not_found("action", &id))?;
    if let Some(v) = f.name {
        action.name = v.trim().to_string();
    }
    if let Some(v) = f.kind {
        action.kind = v;
    }
    if f.description.is_some() || obj.get("description").is_some_and(Value::is_null) {
        action.description = f.description;
    }
    if let Some(v) = f.executor {
        action.executor = v;
    }
    if let Some(v) = f.target {
        action.target = v;
    }
    if let Some(v) = f.parameters {
        action.parameters = v;
    }
    if let Some(v) = f.config {
        action.config = v;
    }
    if let Some(v) = f.conditions {
        action.conditions = v;
    }
    action.version = bump(&action.version);
    action.updated_at = now;
    Ok(ok(action.view()))
}

pub(crate) async fn delete(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let mut db = sh.db();
    let before = db.actions.len();
    db.actions.retain(|a| a.id != id);
    if db.actions.len() == before {
        return Err(ApiError::not_found("action", &id));
    }
    Ok(no_content())
}

/// `POST /actions/validate`: 200 with `valid`, `warnings` and `errors`, even
/// for an invalid definition; only a body that is not a JSON object is a 422.
pub(crate) async fn validate(body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let f = read_fields(&obj, &mut check, true);
    let errors: Vec<Value> = match check.finish() {
        Ok(()) => Vec::new(),
        Err(e) => e
            .details()
            .iter()
            .map(|Detail { field, message }| json!({ "path": field, "message": message }))
            .collect(),
    };
    let mut warnings = Vec::new();
    if f.description.as_deref().is_none_or(|d| d.trim().is_empty()) {
        warnings
            .push("no `description`: operators will not know what this action does".to_string());
    }
    if matches!(f.executor, Some(Executor::Remote | Executor::Webhook)) && f.target.is_none() {
        warnings.push("a remote or webhook executor usually needs a `target`".to_string());
    }
    for p in f.parameters.iter().flatten() {
        if p.kind == ParamType::Secret && !p.default.is_null() {
            warnings.push(format!(
                "parameter `{}` is a secret with a default value",
                p.name
            ));
        }
        if p.required && !p.default.is_null() {
            warnings.push(format!(
                "parameter `{}` is required, so its default is never used",
                p.name
            ));
        }
    }
    Ok(ok(
        json!({ "valid": errors.is_empty(), "warnings": warnings, "errors": errors }),
    ))
}

fn type_ok(kind: ParamType, v: &Value) -> bool {
    match kind {
        ParamType::String | ParamType::Secret | ParamType::Enum => v.is_string(),
        ParamType::Integer => v.is_i64() || v.is_u64(),
        ParamType::Boolean => v.is_boolean(),
    }
}

/// `POST /actions/{id}/trigger`: 202 and the bare execution.
pub(crate) async fn trigger(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let obj = json_object(&body)?;
    let now = sh.now();
    let mut db = sh.db();
    let action = find(&db, &id)?.clone();
    let mut check = Check::default();
    let parameters = check.opt_object(&obj, "parameters").unwrap_or_default();
    let sandbox = check.opt_bool(&obj, "sandbox").unwrap_or(false);
    check.opt_string(&obj, "target");
    check.nested("parameters", |c| {
        for p in &action.parameters {
            match parameters.get(&p.name).filter(|v| !v.is_null()) {
                None if p.required && p.default.is_null() => c.fail(&p.name, "is required"),
                Some(v) if !type_ok(p.kind, v) => {
                    c.fail(&p.name, format!("must be a {}", p.kind.as_str()))
                }
                _ => {}
            }
        }
    });
    check.finish()?;
    db.next.execution += 1;
    let fail = parameters.get("sandbox_outcome").and_then(Value::as_str) == Some("failed");
    let masked: Object = parameters
        .iter()
        .map(|(k, v)| {
            let secret = action
                .parameters
                .iter()
                .any(|p| &p.name == k && p.kind == ParamType::Secret);
            (k.clone(), if secret { json!("***") } else { v.clone() })
        })
        .collect();
    let execution = Execution {
        id: format!("exec-{:06}", db.next.execution),
        action_id: action.id.clone(),
        action_name: action.name.clone(),
        status: ExecStatus::Queued,
        sandbox,
        target: obj
            .get("target")
            .cloned()
            .unwrap_or_else(|| action.target.clone()),
        parameters: masked,
        output: json!({}),
        started_at: None,
        finished_at: None,
        schedule: Schedule::new(EXEC_WAIT, EXEC_RUN),
        fail,
    };
    let view = execution.view();
    db.executions.push(execution);
    db.emit("action.triggered", now, view.clone());
    Ok(json_response(StatusCode::ACCEPTED, &view))
}

pub(crate) async fn execution(
    State(sh): State<Arc<Shared>>,
    Path((id, execution_id)): Path<(String, String)>,
) -> ApiResult {
    let db = sh.db();
    find(&db, &id)?;
    let e = db
        .executions
        .iter()
        .find(|e| e.id == execution_id && e.action_id == id)
        .ok_or_else(|| ApiError::not_found("execution", &execution_id))?;
    Ok(ok(e.view()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_bump_their_last_number() {
        assert_eq!(bump("1.0.0"), "1.0.1");
        assert_eq!(bump("2.9"), "2.10");
        assert_eq!(bump("beta"), "beta");
    }

    #[test]
    fn parameters_are_checked_with_paths() {
        let obj = serde_json::from_value::<Object>(json!({
            "name": "x", "type": "script",
            "parameters": [{"name": "a", "type": "string"}, {"name": "a", "type": "float"}, 3]
        }))
        .unwrap();
        let mut check = Check::default();
        read_fields(&obj, &mut check, true);
        let fields: Vec<String> = check
            .finish()
            .unwrap_err()
            .details()
            .iter()
            .map(|d| d.field.clone())
            .collect();
        assert_eq!(
            fields,
            ["parameters[1].name", "parameters[1].type", "parameters[2]"]
        );
    }
}
