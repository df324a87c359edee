//! Contract tests of the `actions` module (`docs/API.md` §4.4): every
//! operation on the async and the blocking client, and the tolerant decoding
//! of actions and executions.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use s4e::actions::{
    Action, ActionExecution, ActionParameter, ActionType, ExecutionStatus, Executor, ParameterType,
    ValidationReport,
};
use serde_json::json;
use wiremock::matchers::{body_json, header, header_exists};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

use crate::support::{
    self, MountExpecting, at, fixture, header_missing, json, no_query, on_both_clients,
};

fn action_json(id: &str) -> serde_json::Value {
    json!({ "id": id, "name": format!("Action {id}"), "type": "notification" })
}

// ---------------------------------------------------------------- list

pub(crate) fn check_list(page: &s4e::Page<Action>) {
    let ids: Vec<&str> = page.items.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["act-block-ip", "act-notify-slack"]);
    assert_eq!(page.items[0].version.as_deref(), Some("1.2.0"));
    assert_eq!(page.items[1].version.as_deref(), Some("1"));
    assert_eq!(page.items[1].executor, Some(Executor::Webhook));
    assert_eq!(page.total, Some(2));
    assert_eq!(page.last_page, Some(1));
}

// ---------------------------------------------------------------- list_auto

/// An action on a page `crud::list_auto` walks.
pub(crate) fn list_auto_item(id: &str) -> serde_json::Value {
    action_json(id)
}

pub(crate) fn check_list_auto(actions: &[Action]) {
    let ids: Vec<&str> = actions.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["act-1", "act-2", "act-3"]);
}

// ---------------------------------------------------------------- get

pub(crate) fn check_action(action: &Action) {
    assert_eq!(action.id, "act-block-ip");
    assert_eq!(action.name, "Block IP");
    assert_eq!(action.action_type, ActionType::Remediation);
    assert_eq!(
        action.description.as_deref(),
        Some("Blocks an address at the edge firewall")
    );
    assert_eq!(action.version.as_deref(), Some("1.2.0"));
    assert_eq!(action.executor, Some(Executor::Remote));
    assert_eq!(action.created_at, Some(at("2026-03-01T09:00:00Z")));
    assert_eq!(action.updated_at, Some(at("2026-05-01T17:45:00Z")));
    let p = &action.parameters;
    assert_eq!(p.len(), 5);
    assert_eq!(
        p.iter()
            .map(|p| p.parameter_type.clone())
            .collect::<Vec<_>>(),
        [
            ParameterType::String,
            ParameterType::Integer,
            ParameterType::Boolean,
            ParameterType::Enum,
            ParameterType::Secret,
        ]
    );
    assert_eq!(
        (p[0].name.as_str(), p[0].required, &p[0].default),
        ("ip", true, &None)
    );
    assert_eq!((p[1].required, &p[1].default), (false, &Some(json!(60))));
    assert_eq!((p[2].required, &p[2].default), (false, &Some(json!(true))));
    assert_eq!(p[3].default, Some(json!("edge")));
}

// ---------------------------------------------------------------- create

async fn mount_create(server: &MockServer) {
    support::route("POST", "/v1/actions")
        .and(no_query)
        .and(body_json(json!({
            "name": "Block IP",
            "type": "remediation",
            "description": "Blocks an address at the edge firewall",
            "executor": "remote",
            "target": { "kind": "firewall", "id": "edge-1" },
            "parameters": [
                { "name": "ip", "type": "string", "required": true },
                { "name": "duration_minutes", "type": "integer", "required": false, "default": 60 },
            ],
            "config": { "endpoint": "https://fw.example.com/api" },
            "conditions": [{ "field": "severity", "op": "in", "value": ["critical"] }],
        })))
        .and(header("content-type", "application/json"))
        .and(header_exists("idempotency-key"))
        .respond_with(json(201, fixture!("actions/action.json")))
        .mount_expecting(server, 1)
        .await;
    support::route("POST", "/v1/actions")
        .and(body_json(json!({ "name": "Ping", "type": "notification" })))
        .respond_with(json(201, fixture!("actions/action_bare_numeric.json")))
        .mount_expecting(server, 1)
        .await;
}

fn parameters() -> [ActionParameter; 2] {
    [
        ActionParameter::new("ip", ParameterType::String).required(true),
        ActionParameter::new("duration_minutes", ParameterType::Integer).default_value(60),
    ]
}

on_both_clients!(
    create_sends_name_type_and_only_the_fields_set,
    mount(mount_create),
    |client| {
        let action = send!(
            client
                .actions()
                .create("Block IP", ActionType::Remediation)
                .description("Blocks an address at the edge firewall")
                .executor(Executor::Remote)
                .target(json!({ "kind": "firewall", "id": "edge-1" }))
                .parameters(parameters())
                .config(json!({ "endpoint": "https://fw.example.com/api" }))
                .conditions(json!([{ "field": "severity", "op": "in", "value": ["critical"] }]))
        )
        .expect("create succeeds");
        check_action(&action);
        let minimal = send!(client.actions().create("Ping", ActionType::Notification))
            .expect("minimal create");
        assert_eq!(minimal.id, "42");
    }
);

// ---------------------------------------------------------------- update

async fn mount_update(server: &MockServer) {
    support::route("PATCH", "/v1/actions/act%2Fblock-ip")
        .and(no_query)
        .and(body_json(json!({
            "name": "Block IP v2",
            "type": "script",
            "description": "now a script",
            "executor": "opservant",
            "target": "edge-2",
            "parameters": [{ "name": "ip", "type": "string", "required": true }],
            "config": { "script": "block.sh" },
            "conditions": { "severity": "critical" },
        })))
        .and(header("content-type", "application/json"))
        .and(header_missing("idempotency-key"))
        .respond_with(json(200, fixture!("actions/action.json")))
        .mount_expecting(server, 1)
        .await;
    support::route("PATCH", "/v1/actions/act-2")
        .and(body_json(json!({ "description": "only this" })))
        .respond_with(json(200, fixture!("actions/action.json")))
        .mount_expecting(server, 1)
        .await;
}

on_both_clients!(
    update_sends_only_the_fields_set,
    mount(mount_update),
    |client| {
        let action = send!(
            client
                .actions()
                .update("act/block-ip")
                .name("Block IP v2")
                .action_type(ActionType::Script)
                .description("now a script")
                .executor(Executor::Opservant)
                .target("edge-2")
                .parameters([ActionParameter::new("ip", ParameterType::String).required(true)])
                .config(json!({ "script": "block.sh" }))
                .conditions(json!({ "severity": "critical" }))
        )
        .expect("update succeeds");
        check_action(&action);
        send!(client.actions().update("act-2").description("only this")).expect("second update");
    }
);

// ---------------------------------------------------------------- validate

fn definition() -> serde_json::Value {
    json!({
        "name": "Block IP",
        "type": "remediation",
        "parameters": [{ "name": "ip", "type": "ipv4" }],
        "x-custom": { "keep": [1, 2] },
    })
}

async fn mount_validate(server: &MockServer) {
    support::route("POST", "/v1/actions/validate")
        .and(no_query)
        .and(body_json(definition()))
        .and(header("content-type", "application/json"))
        .respond_with(json(200, fixture!("actions/validation_report.json")))
        .mount_expecting(server, 1)
        .await;
}

fn check_report(report: &ValidationReport) {
    assert!(!report.valid);
    assert_eq!(report.warnings, ["description is empty"]);
    assert_eq!(report.errors.len(), 2);
    assert_eq!(report.errors[0].path, "parameters[0].type");
    assert_eq!(report.errors[0].message, "unknown type `ipv4`");
    assert_eq!(report.errors[1].path, "executor");
}

on_both_clients!(
    validate_sends_the_definition_as_the_body,
    mount(mount_validate),
    |client| {
        let report = send!(client.actions().validate(definition())).expect("validate succeeds");
        check_report(&report);
    }
);

#[tokio::test]
async fn validate_is_retried_after_a_server_error_as_it_is_read_only() {
    let server = support::server().await;
    support::route("POST", "/v1/actions/validate")
        .respond_with(support::sequence([
            ResponseTemplate::new(500),
            ResponseTemplate::new(200).set_body_json(json!({ "valid": true })),
        ]))
        .mount_expecting(&server, 2)
        .await;
    let report = support::client(&server)
        .actions()
        .validate(json!({ "name": "x", "type": "script" }))
        .await
        .expect("retried");
    assert!(report.valid);
    assert!(report.warnings.is_empty() && report.errors.is_empty());
}

#[tokio::test]
async fn validate_refuses_a_definition_that_is_not_an_object_before_sending() {
    let server = support::server().await;
    let err = support::client(&server)
        .actions()
        .validate(json!(["not", "an", "object"]))
        .await
        .expect_err("a list is no definition");
    assert!(matches!(err, s4e::Error::InvalidRequest(_)), "{err:?}");
}

// ---------------------------------------------------------------- trigger

async fn mount_trigger(server: &MockServer) {
    support::route("POST", "/v1/actions/act%2Fblock-ip/trigger")
        .and(no_query)
        .and(body_json(json!({
            "target": "203.0.113.7",
            "parameters": { "ip": "203.0.113.7", "duration_minutes": 60, "notify": false },
            "sandbox": true,
        })))
        .and(header("content-type", "application/json"))
        .and(header_exists("idempotency-key"))
        .respond_with(json(202, fixture!("actions/execution_queued_bare.json")))
        .mount_expecting(server, 1)
        .await;
    support::route("POST", "/v1/actions/act-2/trigger")
        .and(body_json(json!({})))
        .respond_with(json(202, fixture!("actions/execution_queued_bare.json")))
        .mount_expecting(server, 1)
        .await;
}

fn check_queued(execution: &ActionExecution) {
    assert_eq!(execution.id, "exec-7781");
    assert_eq!(
        execution.action_id.as_ref().map(|id| id.as_str()),
        Some("act-block-ip")
    );
    assert_eq!(execution.status, Some(ExecutionStatus::Queued));
    assert!(!execution.status.as_ref().is_some_and(|s| s.is_final()));
    assert!(execution.sandbox);
    assert_eq!(execution.output, None);
    assert_eq!(execution.started_at, None);
}

#[tokio::test]
async fn trigger_sends_target_parameters_and_sandbox_and_decodes_a_bare_object() {
    let server = support::server().await;
    mount_trigger(&server).await;
    let client = support::client(&server);
    let execution = client
        .actions()
        .trigger("act/block-ip")
        .target("203.0.113.7")
        .parameters(json!({ "ip": "203.0.113.7", "notify": true }))
        .parameter("duration_minutes", 60)
        .parameter("notify", false)
        .sandbox(true)
        .await
        .expect("trigger succeeds");
    check_queued(&execution);
    client
        .actions()
        .trigger("act-2")
        .await
        .expect("trigger without a body field");
}

#[test]
fn trigger_sends_target_parameters_and_sandbox_and_decodes_a_bare_object_blocking() {
    let bs = support::blocking_server();
    bs.runtime.block_on(mount_trigger(&bs.server));
    let client = support::blocking_client(&bs.server);
    let execution = client
        .actions()
        .trigger("act/block-ip")
        .target("203.0.113.7")
        .parameter("ip", "203.0.113.7")
        .parameter("duration_minutes", 60)
        .parameter("notify", false)
        .sandbox(true)
        .send()
        .expect("trigger succeeds");
    check_queued(&execution);
    client
        .actions()
        .trigger("act-2")
        .send()
        .expect("trigger without a body field");
}

#[tokio::test]
async fn trigger_is_not_retried_after_a_server_error() {
    let server = support::server().await;
    support::route("POST", "/v1/actions/act-1/trigger")
        .respond_with(ResponseTemplate::new(503))
        .mount_expecting(&server, 1)
        .await;
    let err = support::client(&server)
        .actions()
        .trigger("act-1")
        .await
        .expect_err("503");
    assert_eq!(err.status(), Some(503));
}

// ---------------------------------------------------------------- execution

async fn mount_execution(server: &MockServer) {
    support::route("GET", "/v1/actions/act%2Fblock-ip/executions/exec%2F7781")
        .and(no_query)
        .and(header_missing("content-type"))
        .respond_with(json(200, fixture!("actions/execution_completed.json")))
        .mount_expecting(server, 1)
        .await;
}

fn check_completed(execution: &ActionExecution) {
    assert_eq!(execution.id, "exec/7781");
    assert_eq!(
        execution.action_id.as_ref().map(|id| id.as_str()),
        Some("act/block-ip")
    );
    assert_eq!(execution.status, Some(ExecutionStatus::Completed));
    assert!(execution.status.as_ref().is_some_and(|s| s.is_final()));
    assert!(!execution.sandbox);
    assert_eq!(
        execution.output,
        Some(json!({ "blocked": true, "rule_id": "fw-991", "log": ["resolved", "pushed"] }))
    );
    assert_eq!(execution.started_at, Some(at("2026-05-03T10:07:01Z")));
    assert_eq!(execution.finished_at, Some(at("2026-05-03T10:07:04Z")));
}

on_both_clients!(
    execution_percent_encodes_both_ids,
    mount(mount_execution),
    |client| {
        let execution = send!(
            client
                .actions()
                .execution_status("act/block-ip", "exec/7781")
        )
        .expect("execution");
        check_completed(&execution);
    }
);

// ---------------------------------------------------------- wait_execution

/// Answers the statuses in order, then repeats the last one.
struct Statuses {
    calls: AtomicUsize,
    statuses: &'static [&'static str],
}

impl Respond for Statuses {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let status = self.statuses[call.min(self.statuses.len() - 1)];
        let finished_at = (status == "completed").then_some("2026-05-03T10:07:04Z");
        ResponseTemplate::new(200).set_body_json(json!({ "data": {
            "execution_id": "exec/7781",
            "action_id": "act/block-ip",
            "status": status,
            "finished_at": finished_at,
        }}))
    }
}

fn execution_statuses_mock(statuses: &'static [&'static str], calls: u64) -> Mock {
    support::route("GET", "/v1/actions/act%2Fblock-ip/executions/exec%2F7781")
        .and(no_query)
        .respond_with(Statuses {
            calls: AtomicUsize::new(0),
            statuses,
        })
        .expect(calls)
}

#[tokio::test]
async fn wait_execution_polls_until_final_and_reports_every_poll() {
    let server = support::server().await;
    execution_statuses_mock(&["queued", "running", "completed", "failed"], 3)
        .mount(&server)
        .await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let execution = support::client(&server)
        .actions()
        .wait_execution("act/block-ip", "exec/7781")
        .interval(Duration::from_millis(20))
        .timeout(Duration::from_secs(10))
        .on_progress({
            let seen = seen.clone();
            move |execution| seen.lock().unwrap().push(execution.status.clone())
        })
        .await
        .expect("the execution completes");
    assert_eq!(execution.id, "exec/7781");
    assert_eq!(execution.status, Some(ExecutionStatus::Completed));
    assert_eq!(execution.finished_at, Some(at("2026-05-03T10:07:04Z")));
    let expected = ["queued", "running", "completed"].map(|s| Some(ExecutionStatus::from(s)));
    assert_eq!(*seen.lock().unwrap(), expected);
    // Two sleeps of the interval between three polls.
    assert!(started.elapsed() >= Duration::from_millis(40));
}

#[test]
fn wait_execution_blocking_returns_a_failed_execution() {
    let bs = support::blocking_server();
    bs.runtime.block_on(
        execution_statuses_mock(&["running", "failed", "completed"], 2).mount(&bs.server),
    );
    let (sender, receiver) = std::sync::mpsc::channel();
    let execution = support::blocking_client(&bs.server)
        .actions()
        .wait_execution("act/block-ip", "exec/7781")
        .interval(Duration::from_millis(5))
        .on_progress(move |execution| sender.send(execution.status.clone()).unwrap())
        .send()
        .expect("a failed execution is a result, not an error");
    assert_eq!(execution.status, Some(ExecutionStatus::Failed));
    let seen: Vec<_> = receiver.try_iter().collect();
    assert_eq!(
        seen,
        [
            Some(ExecutionStatus::Running),
            Some(ExecutionStatus::Failed)
        ]
    );
}

#[tokio::test]
async fn wait_execution_times_out_at_the_deadline() {
    let server = support::server().await;
    support::route("GET", "/v1/actions/act%2Fblock-ip/executions/exec%2F7781")
        .respond_with(Statuses {
            calls: AtomicUsize::new(0),
            statuses: &["running"],
        })
        .mount_expecting(&server, 1)
        .await;
    let started = Instant::now();
    // The deadline falls within the first sleep: one poll, then the timeout.
    let err = support::client(&server)
        .actions()
        .wait_execution("act/block-ip", "exec/7781")
        .interval(Duration::from_secs(60))
        .timeout(support::DEADLINE)
        .await
        .expect_err("the execution never finishes");
    assert!(
        matches!(err, s4e::Error::Timeout(d) if d == support::DEADLINE),
        "{err:?}"
    );
    assert!(
        started.elapsed() < support::CUT_BOUND,
        "{:?}",
        started.elapsed()
    );
}

/// A status-less answer decodes (the model's `status` is `None`) and the
/// wait goes on polling instead of taking it for the end: on tokio's paused
/// clock, every 10 s from 0 to 50 s, then the 55 s deadline.
#[tokio::test(start_paused = true)]
async fn an_execution_without_a_status_is_not_final() {
    let polls = Arc::new(AtomicUsize::new(0));
    let seen = polls.clone();
    let execution = move || {
        seen.fetch_add(1, Ordering::SeqCst);
        async { axum::Json(json!({ "execution_id": "exec-1" })) }
    };
    let app = axum::Router::new().route(
        "/v1/actions/act-1/executions/exec-1",
        axum::routing::get(execution),
    );
    let deadline = Duration::from_secs(55);
    let err = support::serve_on_this_runtime(app)
        .await
        .actions()
        .wait_execution("act-1", "exec-1")
        .interval(Duration::from_secs(10))
        .timeout(deadline)
        .await
        .expect_err("never final");
    assert!(
        matches!(err, s4e::Error::Timeout(d) if d == deadline),
        "{err:?}"
    );
    assert_eq!(polls.load(Ordering::SeqCst), 6, "polled at 0, 10, .., 50 s");
}

// ---------------------------------------------------------------- decoding

#[tokio::test]
async fn keeps_unknown_enum_values_and_ignores_unknown_fields() {
    let server = support::server().await;
    support::route("GET", "/v1/actions/act-ticket")
        .respond_with(json(200, fixture!("actions/action_unknown_values.json")))
        .mount_expecting(&server, 1)
        .await;
    let action = support::client(&server)
        .actions()
        .get("act-ticket")
        .await
        .expect("decodes");
    assert_eq!(action.action_type, ActionType::Other("ticketing".into()));
    assert_eq!(action.executor, Some(Executor::Other("lambda".into())));
    assert_eq!(
        action.parameters[0].parameter_type,
        ParameterType::Other("ipv4_address".into())
    );
    assert_eq!(action.version, None);
    // Unknown values go back out unchanged.
    assert_eq!(
        serde_json::to_value(&action.action_type).unwrap(),
        json!("ticketing")
    );
    assert_eq!(
        serde_json::to_value(&action.parameters[0]).unwrap(),
        json!({ "name": "source", "type": "ipv4_address", "required": true })
    );
}

#[test]
fn decodes_a_bare_action_with_numeric_id_and_version() {
    let action: Action =
        serde_json::from_str(fixture!("actions/action_bare_numeric.json")).expect("decodes");
    assert_eq!(action.id, "42");
    assert_eq!(action.version.as_deref(), Some("3"));
    assert_eq!(action.action_type, ActionType::Notification);
    assert_eq!(action.executor, Some(Executor::Local));
    assert!(action.parameters.is_empty());
    assert!(
        serde_json::from_value::<Action>(
            json!({ "id": "a", "name": "n", "type": "script", "version": true })
        )
        .is_err(),
        "a boolean is no version"
    );
}

#[test]
fn decodes_an_execution_with_id_spelling_and_an_unknown_status() {
    let execution: ActionExecution =
        serde_json::from_str(fixture!("actions/execution_unknown_status.json")).expect("decodes");
    assert_eq!(execution.id, "exec-9");
    assert_eq!(
        execution.status,
        Some(ExecutionStatus::Other("awaiting_approval".into()))
    );
    assert!(!execution.status.as_ref().is_some_and(|s| s.is_final()));
    assert_eq!(
        serde_json::to_value(&execution.status).unwrap(),
        json!("awaiting_approval")
    );
    assert!(!execution.sandbox);
}

#[test]
fn trigger_parameter_merges_into_an_object_and_replaces_anything_else() {
    let client = s4e::Client::new(support::KEY).expect("an offline client");
    let request = client
        .actions()
        .trigger("act-1")
        .parameters(json!({ "ip": "203.0.113.7", "notify": true }))
        .parameter("notify", false);
    assert_eq!(
        request.endpoint().parameters,
        Some(json!({ "ip": "203.0.113.7", "notify": false }))
    );
    let request = client
        .actions()
        .trigger("act-1")
        .parameters(json!("not an object"))
        .parameter("ip", "x");
    assert_eq!(request.endpoint().parameters, Some(json!({ "ip": "x" })));
}
