//! Contract tests of the `playbooks` module (`docs/API.md` §4.5, §5.2):
//! the exact request of every operation and the decoded answer, on the async
//! and the blocking client, plus `wait_run`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use s4e::Error;
use s4e::playbooks::{
    OnFailure, Playbook, PlaybookRun, PlaybookStep, PlaybookTrigger, RunStatus, StepStatus,
};
use s4e::webhooks::EventType;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::support::{
    self, at, json, no_body, on_both_clients, query_is, serve, serve_blocking, verify_blocking,
};

const PLAYBOOK_DETAIL: &str = include_str!("fixtures/playbooks/playbook_detail.json");
const PLAYBOOK_BARE_UNKNOWN: &str = include_str!("fixtures/playbooks/playbook_bare_unknown.json");
const PLAYBOOKS_PAGE: &str = include_str!("fixtures/playbooks/playbooks_page.json");
const RUN_ACCEPTED: &str = include_str!("fixtures/playbooks/run_accepted.json");

/// An id with a `/` and a space: each must stay inside one path segment.
const ODD_ID: &str = "pb/tls expiry";
const ODD_ID_IN_PATH: &str = "pb%2Ftls%20expiry";

// ---- list -----------------------------------------------------------------

fn list_mock() -> Mock {
    support::route("GET", "/v1/playbooks")
        .and(query_is("search=tls%20expiry&tag=prod&page=2&per_page=2"))
        .and(no_body)
        .respond_with(json(200, PLAYBOOKS_PAGE))
        .expect(1)
}

fn check_list(page: &s4e::Page<Playbook>) {
    assert_eq!(
        (page.total, page.current_page, page.last_page),
        (Some(42), 2, Some(21))
    );
    let ids: Vec<&str> = page.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["pb-tls-expiry", "pb-block-ip"]);
    assert_eq!(page.items[1].on_failure, Some(OnFailure::Continue));
    assert_eq!(page.items[1].step_count, Some(4));
    assert!(page.items[1].steps.is_empty());
}

on_both_clients!(
    list_sends_the_filters_and_decodes_the_page,
    mocks(vec![list_mock()]),
    |client| {
        let page = send!(
            client
                .playbooks()
                .list()
                .search("tls expiry")
                .tag("prod")
                .page(2)
                .per_page(2)
        )
        .expect("list succeeds");
        check_list(&page);
    }
);

// ---- list_auto ------------------------------------------------------------

/// A playbook on a page `crud::list_auto` walks.
pub(crate) fn list_auto_item(id: &str) -> Value {
    json!({ "id": id, "name": format!("Playbook {id}") })
}

pub(crate) fn check_list_auto(playbooks: &[Playbook]) {
    let ids: Vec<&str> = playbooks.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["pb-1", "pb-2", "pb-3"]);
}

// ---- get ------------------------------------------------------------------

pub(crate) fn check_detail(playbook: &Playbook) {
    assert_eq!(playbook.id, "pb-tls-expiry");
    assert_eq!(playbook.name, "Renew expiring TLS certificates");
    assert_eq!(playbook.version.as_deref(), Some("1.2.0"));
    assert!(
        playbook
            .description
            .as_deref()
            .unwrap()
            .starts_with("Renews")
    );
    let trigger = playbook.trigger.as_ref().expect("a trigger");
    assert_eq!(trigger.event, EventType::FindingNew);
    assert_eq!(
        trigger.conditions,
        Some(json!({ "severity": ["critical", "high"], "category": "tls" }))
    );
    assert_eq!(playbook.steps.len(), 2);
    let renew = &playbook.steps[0];
    assert_eq!(renew.id, "renew");
    assert_eq!(renew.name.as_deref(), Some("Renew the certificate"));
    assert_eq!(renew.step_type, "action");
    assert_eq!(renew.action_ref.as_deref(), Some("act-renew-cert"));
    assert_eq!(renew.extra["parameters"], json!({ "provider": "acme" }));
    assert_eq!(renew.extra["timeout_seconds"], json!(600));
    assert_eq!(playbook.steps[1].step_type, "approval");
    assert!(playbook.steps[1].extra.is_empty());
    assert_eq!(playbook.step_count, Some(2));
    assert_eq!(playbook.on_failure, Some(OnFailure::Abort));
    assert_eq!(playbook.timeout_minutes, Some(30));
    assert_eq!(playbook.tags, ["tls", "prod"]);
    assert_eq!(playbook.created_at, Some(at("2026-04-01T08:00:00Z")));
    assert_eq!(playbook.updated_at, Some(at("2026-05-03T10:07:00Z")));
}

#[tokio::test]
async fn a_bare_playbook_with_numeric_ids_and_unknown_values_decodes() {
    let server = serve(vec![
        support::route("GET", "/v1/playbooks/42")
            .respond_with(json(200, PLAYBOOK_BARE_UNKNOWN))
            .expect(1),
    ])
    .await;
    let playbook = support::client(&server)
        .playbooks()
        .get("42")
        .await
        .expect("a bare object decodes");
    assert_eq!(playbook.id, "42");
    assert_eq!(playbook.version.as_deref(), Some("3"));
    assert_eq!(playbook.on_failure, Some(OnFailure::Other("retry".into())));
    let trigger = playbook.trigger.expect("a trigger");
    assert_eq!(trigger.event, EventType::Other("asset.quarantined".into()));
    assert_eq!(trigger.conditions, None);
    assert_eq!(playbook.steps[0].id, "1");
    assert_eq!(playbook.steps[0].step_type, "isolate");
    assert_eq!(playbook.steps[0].extra["retries"], json!(2));
    assert_eq!(playbook.description, None);
    assert!(playbook.tags.is_empty());
    assert_eq!(playbook.updated_at, None);
}

// ---- create ---------------------------------------------------------------

fn create_body() -> Value {
    json!({
        "name": "Renew expiring TLS certificates",
        "version": "1.2.0",
        "trigger": { "event": "finding.new", "conditions": { "severity": ["critical"] } },
        "steps": [
            { "id": "renew", "name": "Renew", "type": "action", "action_ref": "act-renew-cert",
              "parameters": { "provider": "acme" } },
            { "id": "approve", "type": "approval" }
        ],
        "description": "Renews before expiry",
        "on_failure": "continue",
        "timeout_minutes": 30,
        "tags": ["tls", "prod"]
    })
}

fn create_mock() -> Mock {
    support::route("POST", "/v1/playbooks")
        .and(query_is(""))
        .and(header("content-type", "application/json"))
        .and(body_json(create_body()))
        .respond_with(json(201, PLAYBOOK_DETAIL))
        .expect(1)
}

fn create_args() -> (PlaybookTrigger, Vec<PlaybookStep>) {
    let trigger =
        PlaybookTrigger::new(EventType::FindingNew).conditions(json!({ "severity": ["critical"] }));
    let steps = vec![
        PlaybookStep::new("renew", "action")
            .name("Renew")
            .action_ref("act-renew-cert")
            .extra("parameters", json!({ "provider": "acme" })),
        PlaybookStep::new("approve", "approval"),
    ];
    (trigger, steps)
}

on_both_clients!(
    create_sends_the_required_and_optional_fields,
    mocks(vec![create_mock()]),
    |client| {
        let (trigger, steps) = create_args();
        let playbook = send!(
            client
                .playbooks()
                .create("Renew expiring TLS certificates", "1.2.0", trigger, steps)
                .description("Renews before expiry")
                .on_failure(OnFailure::Continue)
                .timeout_minutes(30u32)
                .tags(["tls", "prod"])
        )
        .expect("create succeeds");
        check_detail(&playbook);
    }
);

#[tokio::test]
async fn create_without_options_sends_only_the_required_fields() {
    let server = serve(vec![
        support::route("POST", "/v1/playbooks")
            .and(body_json(json!({
                "name": "n", "version": "1", "trigger": { "event": "scan.failed" },
                "steps": [{ "id": "s", "type": "action" }]
            })))
            .respond_with(json(201, PLAYBOOK_DETAIL))
            .expect(1),
    ])
    .await;
    support::client(&server)
        .playbooks()
        .create(
            "n",
            "1",
            PlaybookTrigger::new("scan.failed"),
            vec![PlaybookStep::new("s", "action")],
        )
        .await
        .expect("create succeeds");
}

// ---- update ---------------------------------------------------------------

fn update_mock() -> Mock {
    support::route("PATCH", format!("/v1/playbooks/{ODD_ID_IN_PATH}"))
        .and(query_is(""))
        .and(body_json(json!({
            "version": "1.3.0",
            "steps": [{ "id": "notify", "type": "action", "action_ref": "act-slack" }],
            "on_failure": "abort",
            "tags": ["tls"]
        })))
        .respond_with(json(200, PLAYBOOK_DETAIL))
        .expect(1)
}

on_both_clients!(
    update_sends_only_the_fields_set,
    mocks(vec![update_mock()]),
    |client| {
        let playbook = send!(
            client
                .playbooks()
                .update(ODD_ID)
                .version("1.3.0")
                .steps([PlaybookStep::new("notify", "action").action_ref("act-slack")])
                .on_failure(OnFailure::Abort)
                .tags(["tls"])
        )
        .expect("update succeeds");
        check_detail(&playbook);
    }
);

#[tokio::test]
async fn unknown_values_round_trip_unchanged_through_an_update() {
    let decoded: Playbook = serde_json::from_str(PLAYBOOK_BARE_UNKNOWN).expect("decodes");
    let server = serve(vec![
        support::route("PATCH", "/v1/playbooks/42")
            .and(body_json(json!({
                "trigger": { "event": "asset.quarantined" },
                "steps": [{ "id": "1", "type": "isolate", "action_ref": "act-isolate", "retries": 2 }],
                "on_failure": "retry"
            })))
            .respond_with(json(200, PLAYBOOK_BARE_UNKNOWN))
            .expect(1),
    ])
    .await;
    let updated = support::client(&server)
        .playbooks()
        .update(decoded.id.clone())
        .trigger(decoded.trigger.clone().expect("a trigger"))
        .steps(decoded.steps.clone())
        .on_failure(decoded.on_failure.clone().expect("on_failure"))
        .await
        .expect("update succeeds");
    assert_eq!(updated, decoded);
}

// ---- run ------------------------------------------------------------------

fn run_mock() -> Mock {
    support::route("POST", format!("/v1/playbooks/{ODD_ID_IN_PATH}/run"))
        .and(query_is(""))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "target_asset_id": "a/1001",
            "parameters": { "notify": "#sec", "max_hosts": 5 },
            "dry_run": true
        })))
        .respond_with(json(202, RUN_ACCEPTED))
        .expect(1)
}

fn check_run_accepted(run: &PlaybookRun) {
    assert_eq!(run.id, "9001");
    assert_eq!(
        run.playbook_id.as_ref().map(|id| id.as_str()),
        Some("pb-tls-expiry")
    );
    assert_eq!(run.status, Some(RunStatus::Pending));
    assert!(!run.status.as_ref().is_some_and(|s| s.is_final()));
    assert!(run.dry_run);
    assert_eq!(run.steps.len(), 2);
    assert_eq!(run.steps[0].status, Some(StepStatus::Pending));
    assert_eq!(
        run.steps[1].status,
        Some(StepStatus::Other("retrying".into()))
    );
    assert_eq!(
        run.steps[1].status.as_ref().map(|s| s.as_str()),
        Some("retrying")
    );
    assert_eq!((run.started_at, run.finished_at), (None, None));
}

on_both_clients!(
    run_sends_the_target_and_options_and_decodes_the_202,
    mocks(vec![run_mock()]),
    |client| {
        let run = send!(
            client
                .playbooks()
                .run(ODD_ID, "a/1001")
                .parameters(json!({ "notify": "#sec", "max_hosts": 5 }))
                .dry_run(true)
        )
        .expect("run succeeds");
        check_run_accepted(&run);
    }
);

#[tokio::test]
async fn execute_is_run_and_parameter_builds_the_same_object() {
    // `execute` (the Python SDK's name) sends exactly what `run` sends, and
    // `.parameter` one value at a time builds what `.parameters` sets whole.
    let server = serve(vec![run_mock()]).await;
    let run = support::client(&server)
        .playbooks()
        .execute(ODD_ID, "a/1001")
        .parameter("notify", "#sec")
        .parameter("max_hosts", 5)
        .dry_run(true)
        .await
        .expect("execute succeeds");
    check_run_accepted(&run);
}

#[test]
fn run_parameter_merges_into_an_object_and_replaces_anything_else() {
    let client = s4e::Client::new(support::KEY).expect("an offline client");
    let request = client
        .playbooks()
        .run("pb-1", "a-1")
        .parameters(json!({ "notify": "#sec", "max_hosts": 5 }))
        .parameter("max_hosts", 10);
    assert_eq!(
        request.endpoint().parameters,
        Some(json!({ "notify": "#sec", "max_hosts": 10 }))
    );
    let request = client
        .playbooks()
        .run("pb-1", "a-1")
        .parameters(json!(["not", "an", "object"]))
        .parameter("notify", "#sec");
    assert_eq!(
        request.endpoint().parameters,
        Some(json!({ "notify": "#sec" }))
    );
    // The same on the endpoint itself, for `client.execute(endpoint)`.
    let endpoint = request.endpoint().clone().parameter("dry", true);
    assert_eq!(
        endpoint.parameters,
        Some(json!({ "notify": "#sec", "dry": true }))
    );
}

#[tokio::test]
async fn run_without_options_sends_only_the_target() {
    let server = serve(vec![
        support::route("POST", "/v1/playbooks/pb-1/run")
            .and(body_json(json!({ "target_asset_id": "a-1" })))
            .respond_with(json(202, RUN_ACCEPTED))
            .expect(1),
    ])
    .await;
    support::client(&server)
        .playbooks()
        .run("pb-1", "a-1")
        .await
        .expect("run succeeds");
}

// ---- run_status -----------------------------------------------------------

fn run_json(status: &str) -> Value {
    let finished_at = match status {
        "completed" => json!("2026-05-03T10:09:30Z"),
        _ => Value::Null,
    };
    json!({
        "run_id": "run/7",
        "playbook_id": "pb/tls expiry",
        "status": status,
        "dry_run": false,
        "steps": [{ "id": "renew", "status": "completed" }, { "id": "approve", "status": "waiting" }],
        "started_at": "2026-05-03T10:07:00Z",
        "finished_at": finished_at
    })
}

fn run_status_mock() -> Mock {
    support::route(
        "GET",
        format!("/v1/playbooks/{ODD_ID_IN_PATH}/runs/run%2F7"),
    )
    .and(query_is(""))
    .and(no_body)
    .respond_with(ResponseTemplate::new(200).set_body_json(support::data(run_json("running"))))
    .expect(1)
}

fn check_running(run: &PlaybookRun) {
    assert_eq!(run.id, "run/7");
    assert_eq!(run.status, Some(RunStatus::Running));
    assert_eq!(run.steps[0].status, Some(StepStatus::Completed));
    assert_eq!(run.steps[1].status, Some(StepStatus::Waiting));
    assert_eq!(run.started_at, Some(at("2026-05-03T10:07:00Z")));
    assert_eq!(run.finished_at, None);
}

on_both_clients!(
    run_status_percent_encodes_both_ids,
    mocks(vec![run_status_mock()]),
    |client| {
        let run =
            send!(client.playbooks().run_status(ODD_ID, "run/7")).expect("run status succeeds");
        check_running(&run);
    }
);

// ---- wait_run -------------------------------------------------------------

/// Answers the statuses in order, then repeats the last one.
struct Statuses {
    calls: AtomicUsize,
    statuses: &'static [&'static str],
}

impl Statuses {
    fn new(statuses: &'static [&'static str]) -> Self {
        Statuses {
            calls: AtomicUsize::new(0),
            statuses,
        }
    }
}

impl Respond for Statuses {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let status = self.statuses[call.min(self.statuses.len() - 1)];
        ResponseTemplate::new(200).set_body_json(support::data(run_json(status)))
    }
}

fn status_sequence_mock(statuses: &'static [&'static str], calls: u64) -> Mock {
    support::route(
        "GET",
        format!("/v1/playbooks/{ODD_ID_IN_PATH}/runs/run%2F7"),
    )
    .and(query_is(""))
    .respond_with(Statuses::new(statuses))
    .expect(calls)
}

fn check_completed(run: &PlaybookRun) {
    assert_eq!(run.status, Some(RunStatus::Completed));
    assert_eq!(run.finished_at, Some(at("2026-05-03T10:09:30Z")));
}

#[tokio::test]
async fn wait_run_polls_until_the_run_completes() {
    let server = serve(vec![status_sequence_mock(
        &["pending", "running", "completed"],
        3,
    )])
    .await;
    let started = Instant::now();
    let run = support::client(&server)
        .playbooks()
        .wait_run(ODD_ID, "run/7")
        .interval(Duration::from_millis(20))
        .timeout(Duration::from_secs(10))
        .await
        .expect("the run completes");
    check_completed(&run);
    // Two sleeps of the interval between three polls.
    assert!(
        started.elapsed() >= Duration::from_millis(40),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn wait_run_reports_every_polled_run_to_on_progress() {
    let server = serve(vec![status_sequence_mock(
        &["pending", "running", "running", "completed"],
        4,
    )])
    .await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let run = support::client(&server)
        .playbooks()
        .wait_run(ODD_ID, "run/7")
        .interval(Duration::from_millis(5))
        .on_progress({
            let seen = seen.clone();
            move |run| seen.lock().unwrap().push(run.status.clone())
        })
        .await
        .expect("the run completes");
    check_completed(&run);
    let seen = seen.lock().unwrap().clone();
    let expected = ["pending", "running", "running", "completed"].map(|s| Some(RunStatus::from(s)));
    assert_eq!(seen, expected);
}

#[test]
fn wait_run_reports_progress_blocking() {
    let server = serve_blocking(vec![status_sequence_mock(&["running", "completed"], 2)]);
    let (sender, receiver) = std::sync::mpsc::channel();
    let run = support::blocking_client(&server.server)
        .playbooks()
        .wait_run(ODD_ID, "run/7")
        .interval(Duration::from_millis(5))
        .on_progress(move |run| sender.send(run.status.clone()).unwrap())
        .send()
        .expect("the run completes");
    check_completed(&run);
    let seen: Vec<_> = receiver.try_iter().collect();
    assert_eq!(seen, [Some(RunStatus::Running), Some(RunStatus::Completed)]);
    verify_blocking(&server);
}

#[test]
fn wait_run_blocking() {
    let server = serve_blocking(vec![status_sequence_mock(
        &["pending", "running", "completed"],
        3,
    )]);
    let run = support::blocking_client(&server.server)
        .playbooks()
        .wait_run(ODD_ID, "run/7")
        .interval(Duration::from_millis(5))
        .send()
        .expect("the run completes");
    check_completed(&run);
    verify_blocking(&server);
}

#[tokio::test]
async fn wait_run_returns_a_failed_run_as_final() {
    let server = serve(vec![status_sequence_mock(
        &["running", "failed", "completed"],
        2,
    )])
    .await;
    let run = support::client(&server)
        .playbooks()
        .wait_run(ODD_ID, "run/7")
        .interval(Duration::from_millis(5))
        .await
        .expect("a failed run is a result, not an error");
    assert_eq!(run.status, Some(RunStatus::Failed));
}

#[tokio::test]
async fn wait_run_times_out_at_the_deadline() {
    let server = serve(vec![status_sequence_mock(&["running"], 1)]).await;
    let started = Instant::now();
    // The deadline falls within the first sleep: one poll, then the timeout,
    // long before the 60 s interval ends.
    let err = support::client(&server)
        .playbooks()
        .wait_run(ODD_ID, "run/7")
        .interval(Duration::from_secs(60))
        .timeout(support::DEADLINE)
        .await
        .expect_err("the run never finishes");
    let elapsed = started.elapsed();
    assert!(
        matches!(err, Error::Timeout(d) if d == support::DEADLINE),
        "{err:?}"
    );
    assert!(elapsed >= support::DEADLINE, "{elapsed:?}");
    assert!(elapsed < support::CUT_BOUND, "{elapsed:?}");
}

#[test]
fn wait_run_blocking_times_out_at_the_deadline() {
    let server = serve_blocking(vec![
        support::route(
            "GET",
            format!("/v1/playbooks/{ODD_ID_IN_PATH}/runs/run%2F7"),
        )
        .respond_with(Statuses::new(&["pending", "running"]))
        .expect(2..),
    ]);
    let started = Instant::now();
    let err = support::blocking_client(&server.server)
        .playbooks()
        .wait_run(ODD_ID, "run/7")
        .interval(Duration::from_millis(100))
        .timeout(support::DEADLINE)
        .send()
        .expect_err("the run never finishes");
    let elapsed = started.elapsed();
    assert!(
        matches!(err, Error::Timeout(d) if d == support::DEADLINE),
        "{err:?}"
    );
    assert!(elapsed >= support::DEADLINE, "{elapsed:?}");
    assert!(elapsed < support::CUT_BOUND, "{elapsed:?}");
    verify_blocking(&server);
}

#[tokio::test]
async fn wait_run_stops_at_the_first_error() {
    let server = serve(vec![
        support::route("GET", "/v1/playbooks/pb-1/runs/nope")
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({
                "status": "error", "error": { "code": "not_found", "message": "no such run" }
            })))
            .expect(1),
    ])
    .await;
    let err = support::client(&server)
        .playbooks()
        .wait_run("pb-1", "nope")
        .interval(Duration::from_millis(1))
        .await
        .expect_err("a missing run");
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}
