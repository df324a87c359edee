//! Every response model decodes its smallest valid answer (what the OpenAPI
//! file marks `required`), the same answer with every optional field `null`,
//! and each alternative shape the public docs print (`docs/API.md` sections
//! 2 and 4; fixtures under `fixtures/models` and `fixtures/documented`).
//! Decoding goes through each endpoint's own decoder, as the client does.

use std::time::Duration;

use s4e::__private::Endpoint;
use s4e::actions::{
    ActionType, ExecutionStatus, GetAction, GetExecution, ListActions, ParameterType,
    TriggerAction, ValidateAction,
};
use s4e::assets::{AssetStatus, AssetType, BulkCreateAssets, CreateAsset, GetAsset, ListAssets};
use s4e::findings::{GetFinding, ListFindings};
use s4e::playbooks::{GetPlaybook, GetRun, ListPlaybooks, RunStatus};
use s4e::scans::{CreateScan, GetScan, GetScanStatus, ScanPriority, ScanStatus, ScanType};
use s4e::webhooks::{self, Event, EventData, EventType, GetWebhook, TestWebhook};
use s4e::{FindingStatus, RawResponse, Severity};
use serde_json::json;

use crate::support::{self, MountExpecting, at, fixture, json};

/// The two fixtures of `model` under `fixtures/models`: `<model>_minimal.json`
/// (required fields only) and `<model>_nulls.json` (every optional field null).
macro_rules! minimal_and_nulls {
    ($model:literal) => {
        [
            fixture!(concat!("models/", $model, "_minimal.json")),
            fixture!(concat!("models/", $model, "_nulls.json")),
        ]
    };
}

fn decode<E: Endpoint>(body: &str) -> E::Output {
    E::decode(RawResponse {
        status: 200,
        body: body.as_bytes(),
        request_id: None,
        page: None,
    })
    .unwrap_or_else(|err| panic!("{body}\n{err}"))
}

// ------------------------------------------------------------ minimal / null

#[test]
fn asset_minimal_and_all_null() {
    let minimal = decode::<GetAsset>(fixture!("models/asset_minimal.json"));
    let nulls = decode::<GetAsset>(fixture!("models/asset_nulls.json"));
    for asset in [&minimal, &nulls] {
        assert_eq!(asset.id, "a-1");
        assert_eq!(asset.domain, "shop.example.org");
        assert_eq!(asset.asset_type, AssetType::Domain);
        assert_eq!(asset.status, Some(AssetStatus::Active));
        assert!(!asset.verified);
        assert!(asset.tags.is_empty());
        assert_eq!((asset.security_score, asset.last_scan), (None, None));
    }
    assert_eq!(minimal.metadata, None);
    let metadata = nulls.metadata.expect("metadata");
    assert!(metadata.ip_addresses.is_empty() && metadata.technologies.is_empty());
    assert_eq!(nulls.finding_summary.expect("summary"), Default::default());
}

#[test]
fn bulk_result_minimal_and_all_null() {
    for body in minimal_and_nulls!("bulk") {
        let result = decode::<BulkCreateAssets>(body);
        assert!(result.created.is_empty() && result.failed.is_empty());
    }
}

#[test]
fn scan_minimal_and_all_null() {
    for body in minimal_and_nulls!("scan") {
        let scan = decode::<GetScan>(body);
        assert_eq!(scan.id, "sc-1");
        assert_eq!(scan.asset_id, Some("a-1".into()));
        assert_eq!(scan.scan_type, Some(ScanType::Quick));
        assert_eq!(scan.status, Some(ScanStatus::Queued));
        assert_eq!(
            (&scan.priority, scan.progress, scan.finding_count),
            (&None, None, None)
        );
        assert_eq!(scan.estimated_duration(), None);
        assert_eq!(scan.created_at, Some(at("2026-05-03T10:07:00Z")));
    }
}

#[test]
fn scan_progress_minimal_and_all_null() {
    let minimal = decode::<GetScanStatus>(fixture!("models/scan_progress_minimal.json"));
    assert_eq!((minimal.id.as_str(), minimal.progress), ("sc-1", Some(40)));
    let nulls = decode::<GetScanStatus>(fixture!("models/scan_progress_nulls.json"));
    assert_eq!((nulls.progress, nulls.current_phase), (None, None));
    assert_eq!(nulls.status, Some(ScanStatus::Running));
}

#[test]
fn finding_minimal_and_all_null() {
    let minimal = decode::<GetFinding>(fixture!("models/finding_minimal.json"));
    let nulls = decode::<GetFinding>(fixture!("models/finding_nulls.json"));
    for finding in [&minimal, &nulls] {
        assert_eq!(finding.id, "f-1");
        assert_eq!(finding.title, "Missing HSTS header");
        assert_eq!(finding.severity, Severity::Medium);
        assert_eq!(finding.status, Some(FindingStatus::Open));
        assert!(finding.references.is_empty());
        assert_eq!((finding.cvss, &finding.evidence), (None, &None));
    }
    let asset = nulls.asset.expect("asset");
    assert_eq!(
        (asset.id.as_str(), asset.domain, asset.asset_type),
        ("a-1", None, None)
    );
}

#[test]
fn action_minimal_and_all_null() {
    let minimal = decode::<GetAction>(fixture!("models/action_minimal.json"));
    assert_eq!(minimal.action_type, ActionType::Notification);
    assert!(minimal.parameters.is_empty());
    let nulls = decode::<GetAction>(fixture!("models/action_nulls.json"));
    assert_eq!(
        (nulls.description, nulls.version, nulls.executor),
        (None, None, None)
    );
    let parameter = &nulls.parameters[0];
    assert_eq!(parameter.parameter_type, ParameterType::String);
    assert!(!parameter.required);
    // `"default": null` is a default of null, not "no default".
    assert_eq!(parameter.default, Some(serde_json::Value::Null));
}

#[test]
fn action_execution_minimal_and_all_null() {
    for body in minimal_and_nulls!("execution") {
        let execution = decode::<GetExecution>(body);
        assert_eq!(execution.id, "exec-1");
        assert_eq!(execution.action_id, Some("act-1".into()));
        assert_eq!(execution.status, Some(ExecutionStatus::Queued));
        assert!(!execution.sandbox);
        assert_eq!((&execution.output, execution.started_at), (&None, None));
    }
}

#[test]
fn validation_report_minimal_and_all_null() {
    let minimal = decode::<ValidateAction>(fixture!("models/validation_minimal.json"));
    assert!(minimal.valid && minimal.warnings.is_empty() && minimal.errors.is_empty());
    let nulls = decode::<ValidateAction>(fixture!("models/validation_nulls.json"));
    assert!(!nulls.valid && nulls.warnings.is_empty() && nulls.errors.is_empty());
}

#[test]
fn playbook_minimal_and_all_null() {
    let minimal = decode::<GetPlaybook>(fixture!("models/playbook_minimal.json"));
    assert_eq!(minimal.version.as_deref(), Some("1.0.0"));
    assert!(minimal.steps.is_empty() && minimal.tags.is_empty());
    let nulls = decode::<GetPlaybook>(fixture!("models/playbook_nulls.json"));
    assert_eq!((nulls.step_count, nulls.timeout_minutes), (None, None));
    let trigger = nulls.trigger.expect("trigger");
    assert_eq!(
        (trigger.event, trigger.conditions),
        (EventType::FindingNew, None)
    );
    let step = &nulls.steps[0];
    assert_eq!((step.id.as_str(), step.step_type.as_str()), ("", ""));
    assert_eq!((&step.name, &step.action_ref), (&None, &None));
}

#[test]
fn playbook_run_minimal_and_all_null() {
    for body in minimal_and_nulls!("run") {
        let run = decode::<GetRun>(body);
        assert_eq!(run.id, "run-1");
        assert_eq!(run.status, Some(RunStatus::Pending));
        assert!(!run.dry_run && run.steps.is_empty());
        assert_eq!(run.finished_at, None);
    }
}

#[test]
fn webhook_minimal_and_all_null() {
    for body in minimal_and_nulls!("webhook") {
        let webhook = decode::<GetWebhook>(body);
        assert_eq!(webhook.id, "wh-1");
        assert_eq!(webhook.events, [EventType::FindingNew]);
        assert!(webhook.active);
        assert!(webhook.headers.is_empty(), "`headers: null` is no headers");
        assert_eq!(webhook.created_at, None);
    }
}

#[test]
fn test_delivery_minimal_and_all_null() {
    for body in minimal_and_nulls!("test_delivery") {
        let delivery = decode::<TestWebhook>(body);
        assert_eq!((delivery.delivered, delivery.status_code), (false, None));
    }
}

#[test]
fn event_minimal_and_all_null() {
    for body in minimal_and_nulls!("event") {
        let event: Event = serde_json::from_str(body).expect("an event");
        assert_eq!((event.id, event.timestamp), (None, None));
        assert_eq!(event.event_type, EventType::ScanCreated);
        assert!(event.data.is_null());
    }
}

// --------------------------------------------------------- documented shapes

#[test]
fn scan_create_in_the_reference_shape() {
    let scan = decode::<CreateScan>(fixture!("documented/scan_create_reference.json"));
    assert_eq!(scan.id, "sc-50001");
    assert_eq!(scan.asset_id, Some("a-2001".into()));
    assert_eq!(scan.scan_type, Some(ScanType::Quick));
    assert_eq!(scan.priority, Some(ScanPriority::Normal));
    assert_eq!(scan.estimated_duration(), Some(Duration::from_secs(6 * 60)));
}

#[test]
fn scan_create_in_the_guide_shape() {
    let scan = decode::<CreateScan>(fixture!("documented/scan_create_guide.json"));
    assert_eq!(scan.id, "sc-50002");
    assert_eq!(scan.status, Some(ScanStatus::Queued));
    assert_eq!((&scan.asset_id, &scan.scan_type), (&None, &None));
    assert_eq!(scan.created_at, Some(at("2026-05-03T10:00:00Z")));
    assert_eq!(scan.estimated_duration(), Some(Duration::from_secs(540)));
    let scan = decode::<CreateScan>(fixture!("documented/scan_create_guide_null_duration.json"));
    assert_eq!(scan.estimated_duration(), None);
}

#[tokio::test]
async fn scans_create_decodes_both_documented_answers_through_the_client() {
    for (body, id, duration) in [
        (
            fixture!("documented/scan_create_reference.json"),
            "sc-50001",
            360,
        ),
        (
            fixture!("documented/scan_create_guide.json"),
            "sc-50002",
            540,
        ),
    ] {
        let server = support::server().await;
        support::route("POST", "/v1/scans")
            .respond_with(json(201, body))
            .mount_expecting(&server, 1)
            .await;
        let scan = support::client(&server)
            .scans()
            .create("a-2001", ScanType::Quick)
            .await
            .expect("decodes");
        assert_eq!(scan.id, id);
        assert_eq!(
            scan.estimated_duration(),
            Some(Duration::from_secs(duration))
        );
    }
}

#[test]
fn scans_create_decodes_the_guide_answer_on_the_blocking_client() {
    let server = support::blocking_server();
    server.mount(
        support::route("POST", "/v1/scans")
            .respond_with(json(201, fixture!("documented/scan_create_guide.json")))
            .expect(1),
    );
    let scan = support::blocking_client(&server.server)
        .scans()
        .create("a-2001", ScanType::Full)
        .send()
        .expect("decodes");
    assert_eq!(scan.estimated_duration(), Some(Duration::from_secs(540)));
}

#[test]
fn scan_status_in_the_curl_shape() {
    let progress = decode::<GetScanStatus>(fixture!("documented/scan_status_curl.json"));
    assert_eq!(progress.progress, Some(45));
    assert_eq!(
        progress.current_phase.as_deref(),
        Some("web_vulnerability_checks")
    );
}

#[test]
fn assets_in_the_documented_shapes() {
    let page = decode::<ListAssets>(fixture!("documented/assets_page.json"));
    assert_eq!(
        (page.total, page.current_page, page.last_page),
        (Some(31), 2, Some(4))
    );
    assert_eq!(page.items[0].security_score, Some(40));
    let detail = decode::<GetAsset>(fixture!("documented/asset_detail.json"));
    assert_eq!(detail.finding_summary.expect("summary").info, 9);
    assert_eq!(
        detail.metadata.expect("metadata").registrar.as_deref(),
        Some("ExampleReg")
    );
    let created = decode::<CreateAsset>(fixture!("documented/asset_create_curl.json"));
    assert_eq!(created.status, Some(AssetStatus::PendingVerification));
    assert_eq!((created.created_at, created.tags.len()), (None, 0));
}

#[test]
fn findings_in_the_documented_shapes() {
    let finding = decode::<GetFinding>(fixture!("documented/finding_item.json"));
    assert_eq!(finding.references, ["https://example.org/hsts"]);
    assert_eq!(finding.discovered_at, Some(at("2026-05-03T10:07:00Z")));
    // The guide: items under `findings`, counters beside them, its own
    // spellings (`created_at`, `accepted`, `web_application`).
    let page = decode::<ListFindings>(fixture!("documented/findings_guide_page.json"));
    assert_eq!(
        (page.total, page.per_page, page.last_page),
        (Some(26), 25, Some(2))
    );
    let finding = &page.items[0];
    assert_eq!(finding.status, Some(FindingStatus::AcceptedRisk));
    assert_eq!(finding.discovered_at, Some(at("2026-05-01T08:00:00Z")));
    assert_eq!(
        finding
            .asset
            .as_ref()
            .and_then(|a| a.asset_type.as_ref().map(|t| t.as_str())),
        Some("web_application")
    );
}

#[test]
fn actions_in_the_documented_shapes() {
    let page = decode::<ListActions>(fixture!("documented/actions_page.json"));
    assert_eq!((page.total, page.last_page), (Some(12), Some(1)));
    let parameters = &page.items[0].parameters;
    assert_eq!(parameters[1].default, Some(json!(false)));
    let execution = decode::<TriggerAction>(fixture!("documented/action_trigger_sandbox.json"));
    assert_eq!(execution.id, "exec-3100");
    assert_eq!(execution.action_id, None);
    assert!(execution.sandbox);
    let report = execution.sandbox_report.expect("a sandbox report");
    assert_eq!(report["intercepted_calls"][0]["method"], "POST");
    let invalid = decode::<ValidateAction>(fixture!("documented/validation_invalid.json"));
    assert!(!invalid.valid);
    assert_eq!(invalid.errors[0].path, "$.parameters[0].type");
    let valid = decode::<ValidateAction>(fixture!("documented/validation_valid.json"));
    assert!(valid.valid && valid.warnings.is_empty());
}

#[test]
fn playbooks_in_the_documented_shape() {
    let page = decode::<ListPlaybooks>(fixture!("documented/playbooks_page.json"));
    let playbook = &page.items[0];
    assert_eq!(playbook.step_count, Some(3));
    assert!(playbook.steps.is_empty(), "lists leave the steps out");
    assert_eq!(
        playbook.trigger.as_ref().map(|t| &t.event),
        Some(&EventType::ScanCompleted)
    );
}

#[test]
fn webhooks_in_the_documented_shapes() {
    let webhook = decode::<GetWebhook>(fixture!("documented/webhook_create.json"));
    assert!(webhook.active && webhook.headers.is_empty());
    let webhook = decode::<GetWebhook>(fixture!("documented/status_success_envelope.json"));
    assert!(!webhook.active);
    assert_eq!(webhook.headers["Authorization"], "Splunk 0000");
}

#[test]
fn deliveries_in_the_documented_shapes() {
    // The SIEM guide: no event ID, and the finding's ID as `finding_id`.
    let event: Event =
        serde_json::from_str(fixture!("documented/event_siem_finding_new.json")).expect("event");
    assert_eq!(event.id, None);
    let Ok(EventData::Finding(finding)) = event.payload() else {
        panic!("a finding: {:?}", event.payload())
    };
    assert_eq!(
        (finding.id.as_str(), finding.severity.clone()),
        ("f-70002", Severity::Medium)
    );
    // The combined illustration: a scan with `scan_id` and no `scan_type`.
    let body = fixture!("documented/event_scan_completed.json").as_bytes();
    let signed_at = std::time::UNIX_EPOCH + Duration::from_secs(1_777_800_000);
    let header = webhooks::sign(body, "whsec_doc", 1_777_800_000);
    let event = webhooks::verify_at(
        body,
        &header,
        "whsec_doc",
        webhooks::DEFAULT_TOLERANCE,
        signed_at,
    )
    .expect("signed");
    let Ok(EventData::Scan(scan)) = event.payload() else {
        panic!("a scan: {:?}", event.payload())
    };
    assert_eq!(
        (scan.id.as_str(), scan.finding_count),
        ("sc-50001", Some(7))
    );
    assert_eq!(scan.scan_type, None);
}

// ------------------------------------------------- classes found by fuzzing

#[test]
fn counts_beyond_the_rust_type_saturate_instead_of_failing_the_answer() {
    // Random answers valid under the OpenAPI file (integers with a minimum
    // and no maximum) used to fail with "expected u32"; extra keys with odd
    // names and far dates with odd offsets come along.
    let page = decode::<ListAssets>(fixture!("models/assets_page_huge_counts.json"));
    assert_eq!(page.total, Some(u64::MAX));
    assert_eq!(page.last_page, Some(u32::MAX));
    let summary = page.items[0].finding_summary.expect("summary");
    assert_eq!(
        (summary.high, summary.medium, summary.info),
        (u32::MAX, u32::MAX, 1)
    );
    assert_eq!(
        page.items[0].last_scan,
        Some(at("1462-03-27T07:45:33.367269Z"))
    );
    let scan = decode::<GetScan>(fixture!("models/scan_huge_counts.json"));
    assert_eq!(scan.finding_count, Some(u32::MAX));
    assert_eq!(
        scan.estimated_duration(),
        Some(Duration::from_secs(u64::MAX)),
        "minutes * 60 saturates"
    );
}
