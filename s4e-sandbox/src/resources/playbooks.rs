//! `/playbooks` (API.md §4.5): definitions and runs that step through their
//! steps on the clock.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::api::check::{Check, INT32_MAX, Object, json_object};
use crate::api::envelope::{created, data, no_content, ok, page};
use crate::api::error::{ApiError, ApiResult};
use crate::api::page::Paging;
use crate::api::query::Query;
use crate::enums::{OnFailure, RunStatus, StepStatus};
use crate::resources::slug;
use crate::state::{Db, Schedule, Shared, Span, ts, ts_opt};

#[derive(Debug, Clone)]
pub(crate) struct Playbook {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) description: Option<String>,
    pub(crate) trigger: Value,
    pub(crate) steps: Vec<Object>,
    pub(crate) on_failure: OnFailure,
    pub(crate) timeout_minutes: i64,
    pub(crate) tags: Vec<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl Playbook {
    pub(crate) fn view(&self, detail: bool) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "trigger": self.trigger,
            "step_count": self.steps.len(),
            "on_failure": self.on_failure,
            "timeout_minutes": self.timeout_minutes,
            "tags": self.tags,
            "created_at": ts(self.created_at),
            "updated_at": ts(self.updated_at),
        });
        if detail {
            v["steps"] = json!(self.steps);
        }
        v
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub(crate) id: String,
    pub(crate) playbook_id: String,
    pub(crate) status: RunStatus,
    pub(crate) dry_run: bool,
    pub(crate) target_asset_id: String,
    pub(crate) steps: Vec<(String, bool)>,
    /// The step that fails (`parameters.sandbox_outcome == "failed"`).
    pub(crate) fail_at: Option<usize>,
    pub(crate) on_failure: OnFailure,
    pub(crate) schedule: Schedule,
    pub(crate) started_at: Option<DateTime<Utc>>,
    pub(crate) finished_at: Option<DateTime<Utc>>,
}

/// Nominal seconds a run waits, and each step takes.
const RUN_WAIT: f64 = 5.0;
const STEP_SECONDS: f64 = 30.0;

impl Run {
    fn step_statuses(&self) -> Vec<StepStatus> {
        let n = self.steps.len();
        (0..n)
            .map(|i| match self.status {
                RunStatus::Pending => StepStatus::Pending,
                RunStatus::Completed => StepStatus::Completed,
                RunStatus::Failed => match self.fail_at {
                    Some(f) if i == f => StepStatus::Failed,
                    Some(f) if i > f && self.on_failure == OnFailure::Abort => StepStatus::Skipped,
                    _ => StepStatus::Completed,
                },
                RunStatus::Running => {
                    let done = (self.schedule.fraction() * self.schedule.run / STEP_SECONDS).floor()
                        as usize;
                    if i < done {
                        StepStatus::Completed
                    } else if i == done && self.steps[i].1 {
                        StepStatus::Waiting
                    } else if i == done {
                        StepStatus::Running
                    } else {
                        StepStatus::Pending
                    }
                }
            })
            .collect()
    }

    pub(crate) fn view(&self) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .zip(self.step_statuses())
            .map(|((id, _), status)| json!({ "id": id, "status": status }))
            .collect();
        json!({
            "run_id": self.id,
            "playbook_id": self.playbook_id,
            "status": self.status,
            "dry_run": self.dry_run,
            "target_asset_id": self.target_asset_id,
            "steps": steps,
            "started_at": ts_opt(self.started_at),
            "finished_at": ts_opt(self.finished_at),
        })
    }
}

pub(crate) fn advance(db: &mut Db, span: Span) {
    let mut events = Vec::new();
    for run in db
        .runs
        .iter_mut()
        .filter(|r| matches!(r.status, RunStatus::Pending | RunStatus::Running))
    {
        let moved = run.schedule.step(span);
        if let Some(at) = moved.started {
            run.status = RunStatus::Running;
            run.started_at = Some(at);
            events.push(("playbook.started", at, run.view()));
        }
        if let Some(at) = moved.finished {
            run.finished_at = Some(at);
            run.status = if run.fail_at.is_some() {
                RunStatus::Failed
            } else {
                RunStatus::Completed
            };
            let name = if run.fail_at.is_some() {
                "playbook.failed"
            } else {
                "playbook.completed"
            };
            events.push((name, at, run.view()));
        }
    }
    for (name, at, data) in events {
        db.emit(name, at, data);
    }
}

struct Fields {
    name: Option<String>,
    version: Option<String>,
    description: Option<String>,
    trigger: Option<Value>,
    steps: Option<Vec<Object>>,
    on_failure: Option<OnFailure>,
    timeout_minutes: Option<i64>,
    tags: Option<Vec<String>>,
}

fn read_fields(obj: &Object, check: &mut Check, create: bool) -> Fields {
    let name = if create {
        check.req_string(obj, "name")
    } else {
        check.opt_string(obj, "name")
    };
    if !create && name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        check.fail("name", "must not be empty");
    }
    // The contract's `version` is a string (API.md §4.5); a number is a type error.
    let version = if create {
        check.req_string(obj, "version")
    } else {
        check.opt_string(obj, "version")
    };
    if !create && version.as_deref().is_some_and(|v| v.trim().is_empty()) {
        check.fail("version", "must not be empty");
    }
    if create && Check::absent(obj, "trigger") {
        check.fail("trigger", "is required");
    }
    let trigger = check.opt_object(obj, "trigger");
    if let Some(t) = &trigger {
        check.nested("trigger", |c| {
            c.req_string(t, "event");
            // The docs' shape: `{"severity": "critical"}`, an object.
            c.opt_object(t, "conditions");
        });
    }
    let raw_steps = if create {
        check.req_array(obj, "steps")
    } else {
        check.opt_array(obj, "steps")
    };
    // `steps` is required, but the docs do not say it must hold one: a
    // playbook without steps is kept, and its runs complete at once.
    let steps = raw_steps.map(|items| {
        let mut out: Vec<Object> = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let field = format!("steps[{i}]");
            let Value::Object(mut step) = item else {
                check.fail(&field, "must be an object");
                continue;
            };
            check.nested(&field, |c| {
                let id = c
                    .opt_string(&step, "id")
                    .unwrap_or_else(|| format!("step-{}", i + 1));
                for key in ["name", "type", "action_ref"] {
                    c.opt_string(&step, key);
                }
                if out
                    .iter()
                    .any(|s| s.get("id").and_then(Value::as_str) == Some(&id))
                {
                    c.fail("id", format!("duplicate step id `{id}`"));
                }
                step.insert("id".into(), json!(id));
            });
            out.push(step);
        }
        out
    });
    Fields {
        name,
        version,
        description: check.opt_string(obj, "description"),
        trigger: trigger.map(Value::Object),
        steps,
        on_failure: check.opt_enum::<OnFailure>(obj, "on_failure"),
        timeout_minutes: check.opt_int(obj, "timeout_minutes", 1, INT32_MAX),
        tags: check.opt_string_list(obj, "tags"),
    }
}

fn find<'a>(db: &'a Db, id: &str) -> Result<&'a Playbook, ApiError> {
    db.playbooks
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found("playbook", id))
}

pub(crate) async fn list(State(sh): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let mut check = Check::default();
    let paging = Paging::read(&query, &mut check);
    check.finish()?;
    let search = query.get("search").map(str::to_lowercase);
    let tag = query.get("tag");
    let db = sh.db();
    let items: Vec<&Playbook> = db
        .playbooks
        .iter()
        .filter(|p| tag.is_none_or(|t| p.tags.iter().any(|x| x == t)))
        .filter(|p| {
            search.as_deref().is_none_or(|s| {
                p.name.to_lowercase().contains(s)
                    || p.id.contains(s)
                    || p.description
                        .as_deref()
                        .is_some_and(|d| d.to_lowercase().contains(s))
            })
        })
        .collect();
    let data = paging
        .slice(&items)
        .iter()
        .map(|p| p.view(false))
        .collect::<Vec<Value>>();
    Ok(page(paging, items.len(), data))
}

pub(crate) async fn get(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let db = sh.db();
    Ok(ok(find(&db, &id)?.view(true)))
}

pub(crate) async fn create(State(sh): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let f = read_fields(&obj, &mut check, true);
    check.finish()?;
    let (Some(name), Some(steps)) = (f.name, f.steps) else {
        return Err(ApiError::invalid("body", "is invalid"));
    };
    let now = sh.now();
    let mut db = sh.db();
    let id = slug::unique("pb", &name, |id| db.playbooks.iter().any(|p| p.id == id));
    let playbook = Playbook {
        id,
        name,
        version: f.version.unwrap_or_else(|| "1.0".into()).trim().to_string(),
        description: f.description,
        trigger: f
            .trigger
            .unwrap_or_else(|| json!({ "event": "manual", "conditions": {} })),
        steps,
        on_failure: f.on_failure.unwrap_or(OnFailure::Abort),
        timeout_minutes: f.timeout_minutes.unwrap_or(60),
        tags: f.tags.unwrap_or_default(),
        created_at: now,
        updated_at: now,
    };
    let view = playbook.view(true);
    db.playbooks.push(playbook);
    Ok(created(view))
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
    let p = db
        .playbooks
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found("playbook", &id))?;
    if let Some(v) = f.name {
        p.name = v.trim().to_string();
    }
    if let Some(v) = f.version {
        p.version = v.trim().to_string();
    }
    if f.description.is_some() || obj.get("description").is_some_and(Value::is_null) {
        p.description = f.description;
    }
    if let Some(v) = f.trigger {
        p.trigger = v;
    }
    if let Some(v) = f.steps {
        p.steps = v;
    }
    if let Some(v) = f.on_failure {
        p.on_failure = v;
    }
    if let Some(v) = f.timeout_minutes {
        p.timeout_minutes = v;
    }
    if let Some(v) = f.tags {
        p.tags = v;
    }
    p.updated_at = now;
    Ok(ok(p.view(true)))
}

pub(crate) async fn delete(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let mut db = sh.db();
    let before = db.playbooks.len();
    db.playbooks.retain(|p| p.id != id);
    if db.playbooks.len() == before {
        return Err(ApiError::not_found("playbook", &id));
    }
    Ok(no_content())
}

/// `POST /playbooks/{id}/run`: 202 and the new run, `pending`.
pub(crate) async fn run(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let obj = json_object(&body)?;
    let mut db = sh.db();
    let playbook = find(&db, &id)?.clone();
    let mut check = Check::default();
    let target = check.req_string(&obj, "target_asset_id");
    let parameters = check.opt_object(&obj, "parameters").unwrap_or_default();
    let dry_run = check.opt_bool(&obj, "dry_run").unwrap_or(false);
    check.finish()?;
    let target = target.ok_or_else(|| ApiError::invalid("target_asset_id", "is required"))?;
    if db.asset(&target).is_none() {
        return Err(ApiError::not_found("asset", &target));
    }
    let steps: Vec<(String, bool)> = playbook
        .steps
        .iter()
        .map(|s| {
            let id = s
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("step")
                .to_string();
            (
                id,
                s.get("type").and_then(Value::as_str) == Some("approval"),
            )
        })
        .collect();
    let fail_at = (parameters.get("sandbox_outcome").and_then(Value::as_str) == Some("failed"))
        .then_some(steps.len() / 2);
    let run_steps = match (fail_at, playbook.on_failure) {
        (Some(f), OnFailure::Abort) => f + 1,
        _ => steps.len(),
    };
    db.next.run += 1;
    let run = Run {
        id: format!("run-{:06}", db.next.run),
        playbook_id: playbook.id.clone(),
        status: RunStatus::Pending,
        dry_run,
        target_asset_id: target,
        steps,
        fail_at,
        on_failure: playbook.on_failure,
        schedule: Schedule::new(RUN_WAIT, STEP_SECONDS * run_steps as f64),
        started_at: None,
        finished_at: None,
    };
    let view = run.view();
    db.runs.push(run);
    Ok(data(StatusCode::ACCEPTED, view))
}

pub(crate) async fn run_status(
    State(sh): State<Arc<Shared>>,
    Path((id, run_id)): Path<(String, String)>,
) -> ApiResult {
    let db = sh.db();
    find(&db, &id)?;
    let run = db
        .runs
        .iter()
        .find(|r| r.id == run_id && r.playbook_id == id)
        .ok_or_else(|| ApiError::not_found("run", &run_id))?;
    Ok(ok(run.view()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(status: RunStatus, work: f64, fail_at: Option<usize>, on_failure: OnFailure) -> Run {
        Run {
            id: "run-1".into(),
            playbook_id: "pb-x".into(),
            status,
            dry_run: false,
            target_asset_id: "a-1".into(),
            steps: vec![("a".into(), false), ("b".into(), true), ("c".into(), false)],
            fail_at,
            on_failure,
            schedule: Schedule {
                work,
                wait: 5.0,
                run: 90.0,
            },
            started_at: None,
            finished_at: None,
        }
    }

    #[test]
    fn steps_follow_the_run() {
        use StepStatus::*;
        assert_eq!(
            run(RunStatus::Pending, 0.0, None, OnFailure::Abort).step_statuses(),
            [Pending; 3]
        );
        assert_eq!(
            run(RunStatus::Running, 5.0 + 31.0, None, OnFailure::Abort).step_statuses(),
            [Completed, Waiting, Pending]
        );
        assert_eq!(
            run(RunStatus::Failed, 95.0, Some(1), OnFailure::Abort).step_statuses(),
            [Completed, Failed, Skipped]
        );
        assert_eq!(
            run(RunStatus::Failed, 95.0, Some(1), OnFailure::Continue).step_statuses(),
            [Completed, Failed, Completed]
        );
    }
}
