//! Actions with the async client: CRUD, validate, trigger and the execution
//! moving on the sandbox clock.

use std::time::Duration;

use s4e::Error;
use s4e::actions::{ActionParameter, ActionType, ExecutionStatus, Executor, ParameterType};
use serde_json::json;

use crate::support::{self, TestResult, ids};

#[tokio::test]
async fn every_action_operation() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;

    let seeded = client.actions().list().await?;
    assert_eq!(seeded.total, Some(6));
    assert!(seeded.iter().any(|a| a.id == "act-block-ip"));
    let auto: Vec<s4e::Action> = client
        .actions()
        .list_auto()
        .per_page(4)
        .try_collect()
        .await?;
    assert_eq!(ids(&auto, |a| &a.id), ids(&seeded.items, |a| &a.id));
    let remediation = client
        .actions()
        .list()
        .action_type(ActionType::Remediation)
        .await?;
    assert!(!remediation.is_empty());
    assert_eq!(
        ids(&remediation.items, |a| &a.id),
        seeded
            .iter()
            .filter(|a| a.action_type == ActionType::Remediation)
            .map(|a| a.id.to_string())
            .collect::<Vec<_>>()
    );

    let block = client.actions().get("act-block-ip").await?;
    assert_eq!(block.name, "Block IP");
    let ip = block
        .parameters
        .iter()
        .find(|p| p.name == "ip")
        .expect("act-block-ip takes an ip");
    assert!(ip.required);
    assert_eq!(ip.parameter_type, ParameterType::String);

    // Validate reads only: a sound definition and a broken one.
    let report = client
        .actions()
        .validate(json!({
            "name": "Page the on-call",
            "type": "notification",
            "executor": "webhook",
            "description": "Pages whoever is on call.",
            "target": "https://pager.example.com",
        }))
        .await?;
    assert!(report.valid, "{report:?}");
    assert!(report.errors.is_empty());
    let report = client
        .actions()
        .validate(json!({ "name": "No type", "executor": "teleport" }))
        .await?;
    assert!(!report.valid);
    let paths: Vec<&str> = report.errors.iter().map(|e| e.path.as_str()).collect();
    assert!(
        paths.contains(&"type") && paths.contains(&"executor"),
        "{report:?}"
    );
    assert_eq!(
        client.actions().list().await?.total,
        Some(6),
        "nothing created"
    );

    let created = client
        .actions()
        .create("Quarantine mailbox", ActionType::Remediation)
        .description("Moves a mailbox to quarantine.")
        .executor(Executor::Remote)
        .target(json!("mail-gw-01"))
        .parameters([
            ActionParameter::new("mailbox", ParameterType::String).required(true),
            ActionParameter::new("hours", ParameterType::Integer).default_value(24),
        ])
        .await?;
    assert_eq!(created.id, "act-quarantine-mailbox");
    assert_eq!(created.executor, Some(Executor::Remote));
    assert_eq!(created.parameters.len(), 2);
    assert_eq!(created.version.as_deref(), Some("1.0.0"));

    let updated = client
        .actions()
        .update(created.id.clone())
        .description("Moves a mailbox to quarantine for a while.")
        .await?;
    assert_eq!(
        updated.description.as_deref(),
        Some("Moves a mailbox to quarantine for a while.")
    );
    assert_eq!(updated.version.as_deref(), Some("1.0.1"), "updates bump it");
    assert_eq!(updated.name, "Quarantine mailbox", "unchanged fields stay");
    assert_eq!(client.actions().get(created.id.clone()).await?, updated);

    // A trigger missing a required parameter is refused, naming it.
    let err = client
        .actions()
        .trigger(created.id.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    let fields: Vec<&str> = err
        .api_error()
        .map(|e| e.details().iter().map(|d| d.field.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(fields, ["parameters.mailbox"]);

    let execution = client
        .actions()
        .trigger(created.id.clone())
        .parameter("mailbox", "ceo@example.com")
        .sandbox(true)
        .await?;
    assert_eq!(execution.status, Some(ExecutionStatus::Queued));
    assert!(execution.sandbox);
    assert_eq!(execution.action_id.as_ref(), Some(&created.id));
    let id = execution.id.clone();

    // Executions queue 5 nominal seconds and run 30.
    controls.advance(Duration::from_secs(6));
    let running = client
        .actions()
        .execution_status(created.id.clone(), id.clone())
        .await?;
    assert_eq!(running.status, Some(ExecutionStatus::Running));
    assert!(running.started_at.is_some() && running.finished_at.is_none());
    controls.advance(Duration::from_secs(30));
    let done = client
        .actions()
        .execution_status(created.id.clone(), id.clone())
        .await?;
    assert_eq!(done.status, Some(ExecutionStatus::Completed));
    assert!(done.finished_at.is_some());
    let output = done.output.expect("a completed execution has output");
    assert_eq!(output["parameters"]["mailbox"], "ceo@example.com");
    assert_eq!(output["changes"], 0, "sandbox mode changes nothing");

    let failing = client
        .actions()
        .trigger("act-block-ip")
        .parameter("ip", "203.0.113.9")
        .parameter("sandbox_outcome", "failed")
        .await?;
    controls.advance(Duration::from_secs(60));
    let failed = client
        .actions()
        .execution_status("act-block-ip", failing.id.clone())
        .await?;
    assert_eq!(failed.status, Some(ExecutionStatus::Failed));
    let err = client
        .actions()
        .execution_status("act-notify-slack", failing.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound(_)),
        "another action's execution: {err:?}"
    );

    client.actions().delete(created.id.clone()).await?;
    support::not_found(client.actions().get(created.id.clone()).await);
    assert_eq!(client.actions().list().await?.total, Some(6));
    Ok(())
}

#[tokio::test]
async fn wait_execution_follows_the_sandbox_clock_and_reports_progress() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;
    let execution = client
        .actions()
        .trigger("act-block-ip")
        .parameter("ip", "203.0.113.7")
        .sandbox(true)
        .await?;
    let path = format!("/actions/act-block-ip/executions/{}", execution.id);
    // Executions queue 5 nominal seconds and run 30: after two polls the
    // clock jumps past the end.
    let advancer = support::jump_after(&controls, &path, 2, Duration::from_secs(60));
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let done = client
        .actions()
        .wait_execution("act-block-ip", execution.id.clone())
        .interval(Duration::from_millis(5))
        .timeout(support::PATIENCE)
        .on_progress({
            let seen = seen.clone();
            move |execution| seen.lock().unwrap().push(execution.status.clone())
        })
        .await?;
    advancer.await?;
    assert_eq!(done.id, execution.id);
    assert_eq!(done.status, Some(ExecutionStatus::Completed));
    assert!(done.finished_at.is_some());
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.first(), Some(&Some(ExecutionStatus::Queued)));
    assert_eq!(seen.last(), Some(&Some(ExecutionStatus::Completed)));
    assert_eq!(
        seen.len(),
        controls.count("GET", &path),
        "one report per poll"
    );
    Ok(())
}
