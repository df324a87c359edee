//! Playbooks with the async client: CRUD, run, run status and wait_run on the
//! sandbox clock.

use std::time::Duration;

use s4e::Error;
use s4e::playbooks::{EventType, OnFailure, PlaybookStep, PlaybookTrigger, RunStatus, StepStatus};
use serde_json::json;

use crate::support::{self, TestResult, ids};

#[tokio::test]
async fn every_playbook_operation() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;

    let seeded = client.playbooks().list().await?;
    assert_eq!(seeded.total, Some(4));
    let auto: Vec<s4e::Playbook> = client
        .playbooks()
        .list_auto()
        .per_page(3)
        .try_collect()
        .await?;
    assert_eq!(ids(&auto, |p| &p.id), ids(&seeded.items, |p| &p.id));
    let tagged = client.playbooks().list().tag("onboarding").await?;
    assert_eq!(ids(&tagged.items, |p| &p.id), ["pb-new-asset-onboarding"]);

    let tls = client.playbooks().get("pb-tls-expiry").await?;
    assert_eq!(tls.name, "TLS expiry response");
    assert_eq!(tls.steps.len(), 3);
    let listed = seeded.iter().find(|p| p.id == tls.id).expect("listed");
    assert_eq!(listed.step_count, Some(3), "lists count the steps");
    assert_eq!(tls.on_failure, Some(OnFailure::Abort));
    let trigger = tls
        .trigger
        .as_ref()
        .expect("seeded playbooks have triggers");
    assert_eq!(trigger.event, EventType::FindingNew);

    let created = client
        .playbooks()
        .create(
            "Exposed admin panel",
            "2.0",
            PlaybookTrigger::new(EventType::FindingNew).conditions(json!({ "severity": "high" })),
            vec![
                PlaybookStep::new("ticket", "action")
                    .name("Open ticket")
                    .action_ref("act-create-ticket"),
                PlaybookStep::new("approve", "approval").action_ref("act-request-approval"),
                PlaybookStep::new("block", "action")
                    .action_ref("act-block-ip")
                    .extra("parameters", json!({ "duration_minutes": 30 })),
            ],
        )
        .description("Tickets and blocks exposed admin panels.")
        .on_failure(OnFailure::Continue)
        .tags(["e2e", "admin"])
        .await?;
    assert_eq!(created.id, "pb-exposed-admin-panel");
    assert_eq!(created.version.as_deref(), Some("2.0"));
    assert_eq!(created.steps.len(), 3);
    assert_eq!(created.steps[2].extra["parameters"]["duration_minutes"], 30);
    assert_eq!(created.on_failure, Some(OnFailure::Continue));

    let updated = client
        .playbooks()
        .update(created.id.clone())
        .name("Exposed admin panel response")
        .tags(["e2e"])
        .timeout_minutes(15u32)
        .await?;
    assert_eq!(updated.name, "Exposed admin panel response");
    assert_eq!(updated.tags, ["e2e"]);
    assert_eq!(updated.timeout_minutes, Some(15));
    assert_eq!(updated.steps, created.steps, "unchanged fields stay");
    assert_eq!(client.playbooks().get(created.id.clone()).await?, updated);

    // A run waits 5 nominal seconds, then takes 30 per step.
    let run = client.playbooks().run("pb-tls-expiry", "a-1001").await?;
    assert_eq!(run.status, Some(RunStatus::Pending));
    assert_eq!(
        run.playbook_id.as_ref().map(|p| p.as_str()),
        Some("pb-tls-expiry")
    );
    assert!(!run.steps.is_empty(), "the run lists its steps");
    assert!(
        run.steps
            .iter()
            .all(|s| s.status == Some(StepStatus::Pending))
    );
    controls.advance(Duration::from_secs(6));
    let status = client
        .playbooks()
        .run_status("pb-tls-expiry", run.id.clone())
        .await?;
    assert_eq!(status.status, Some(RunStatus::Running));
    let steps: Vec<StepStatus> = status
        .steps
        .iter()
        .map(|s| s.status.clone().expect("step status"))
        .collect();
    assert_eq!(
        steps,
        [
            StepStatus::Running,
            StepStatus::Pending,
            StepStatus::Pending
        ]
    );

    let runs_path = format!("/playbooks/pb-tls-expiry/runs/{}", run.id);
    let advancer = support::jump_after(&controls, &runs_path, 2, Duration::from_secs(120));
    let finished = client
        .playbooks()
        .wait_run("pb-tls-expiry", run.id.clone())
        .interval(Duration::from_millis(5))
        .timeout(support::PATIENCE)
        .await?;
    advancer.await?;
    assert_eq!(finished.status, Some(RunStatus::Completed));
    assert_eq!(finished.steps.len(), run.steps.len(), "every step reported");
    assert!(
        finished
            .steps
            .iter()
            .all(|s| s.status == Some(StepStatus::Completed))
    );
    assert!(finished.finished_at.is_some());
    assert!(controls.count("GET", &runs_path) >= 3, "wait_run polled");

    // A failing run aborts at its middle step.
    let failing = client
        .playbooks()
        .run("pb-tls-expiry", "a-1001")
        .parameters(json!({ "sandbox_outcome": "failed" }))
        .dry_run(true)
        .await?;
    assert!(failing.dry_run);
    controls.advance(Duration::from_secs(600));
    let failed = client
        .playbooks()
        .wait_run("pb-tls-expiry", failing.id.clone())
        .interval(Duration::from_millis(5))
        .await?;
    assert_eq!(failed.status, Some(RunStatus::Failed));
    let steps: Vec<StepStatus> = failed
        .steps
        .iter()
        .map(|s| s.status.clone().expect("step status"))
        .collect();
    assert_eq!(
        steps,
        [
            StepStatus::Completed,
            StepStatus::Failed,
            StepStatus::Skipped
        ]
    );

    support::not_found(
        client
            .playbooks()
            .run(created.id.clone(), "a-does-not-exist")
            .await,
    );
    let err = client
        .playbooks()
        .run_status(created.id.clone(), run.id.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound(_)),
        "another playbook's run: {err:?}"
    );

    client.playbooks().delete(created.id.clone()).await?;
    support::not_found(client.playbooks().get(created.id.clone()).await);
    assert_eq!(client.playbooks().list().await?.total, Some(4));
    Ok(())
}
