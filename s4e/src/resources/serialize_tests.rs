//! Every model serialises with the API's field names, so a program (the `s4e`
//! command line, a cache, a log) can write what it read: the output decodes
//! back to the same value, and a complete answer in the contract's spelling
//! comes out unchanged.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{actions, assets, findings, playbooks, scans, webhooks};

/// Decodes `wire`, serialises the model and checks both directions.
fn round_trips<T>(wire: Value)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let model: T = serde_json::from_value(wire.clone()).expect("the fixture decodes");
    let written = serde_json::to_value(&model).expect("the model serialises");
    assert_eq!(written, wire, "serialised with the API's names and values");
    let again: T = serde_json::from_value(written).expect("the output decodes");
    assert_eq!(again, model);
}

#[test]
fn asset() {
    round_trips::<assets::Asset>(json!({
        "id": "a-1001", "name": "shop.example.com", "type": "domain", "status": "active",
        "verified": true, "risk_score": 72, "tags": ["prod"], "description": "the shop",
        "last_scan": "2026-05-03T10:00:00Z", "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-05-03T10:07:00Z",
        "metadata": {"registrar": "Gandi", "ip_addresses": ["203.0.113.9"], "technologies": ["nginx"]},
        "finding_summary": {"critical": 1, "high": 2, "medium": 3, "low": 4, "info": 5}
    }));
    round_trips::<assets::BulkCreateResult>(json!({
        "created": [],
        "failed": [{"name": "x", "error": "invalid domain"}]
    }));
}

#[test]
fn finding() {
    round_trips::<findings::Finding>(json!({
        "id": "f-91827", "title": "SQL injection", "severity": "critical", "cvss": 9.8,
        "cvss_vector": "CVSS:3.1/AV:N", "status": "open",
        "asset": {"id": "a-1001", "name": "shop.example.com", "type": "domain"},
        "scan_id": "sc-1", "description": "d", "remediation": "r",
        "references": ["https://cwe.mitre.org/data/definitions/89.html"],
        "evidence": {"request": "GET /?q='"}, "discovered_at": "2026-05-03T10:07:00Z",
        "updated_at": null
    }));
}

#[test]
fn scan_and_progress() {
    round_trips::<scans::Scan>(json!({
        "id": "sc-1", "asset_id": "a-1001", "scan_type": "full", "status": "completed",
        "priority": "high", "progress": 100, "created_at": "2026-05-03T10:00:00Z",
        "started_at": "2026-05-03T10:00:05Z", "completed_at": "2026-05-03T10:07:00Z",
        "finding_count": 3, "estimated_duration": 420
    }));
    round_trips::<scans::ScanProgress>(json!({
        "scan_id": "sc-1", "status": "running", "progress": 40, "current_phase": "crawling"
    }));
}

#[test]
fn action_execution_and_report() {
    round_trips::<actions::Action>(json!({
        "id": "act-block-ip", "name": "Block IP", "type": "remediation", "description": null,
        "version": "1.2", "executor": "local",
        "parameters": [{"name": "ip", "type": "string", "required": true}],
        "created_at": null, "updated_at": null
    }));
    round_trips::<actions::ActionExecution>(json!({
        "execution_id": "exec-1", "action_id": "act-block-ip", "status": "completed",
        "sandbox": true, "output": {"blocked": true}, "sandbox_report": null,
        "started_at": "2026-05-03T10:00:00Z", "finished_at": "2026-05-03T10:00:02Z"
    }));
    round_trips::<actions::ValidationReport>(json!({
        "valid": false, "warnings": ["no description"],
        "errors": [{"path": "parameters[0].type", "message": "unknown type"}]
    }));
}

#[test]
fn playbook_and_run() {
    round_trips::<playbooks::Playbook>(json!({
        "id": "pb-tls-expiry", "name": "TLS expiry", "version": "1.0.0", "description": null,
        "trigger": {"event": "finding.new"},
        "steps": [{"id": "notify", "type": "action", "action_ref": "act-slack-notify"}],
        "step_count": 1, "on_failure": "abort", "timeout_minutes": 30, "tags": [],
        "created_at": null, "updated_at": null
    }));
    round_trips::<playbooks::PlaybookRun>(json!({
        "run_id": "run-1", "playbook_id": "pb-tls-expiry", "target_asset_id": "a-1001",
        "status": "running", "dry_run": true, "steps": [{"id": "notify", "status": "pending"}],
        "started_at": "2026-05-03T10:00:00Z", "finished_at": null
    }));
}

#[test]
fn webhook_and_test_delivery() {
    round_trips::<webhooks::Webhook>(json!({
        "id": "wh-1", "name": "SOC", "url": "https://hooks.example.com/s4e",
        "events": ["finding.new"], "active": true, "headers": {"X-Team": "soc"},
        "created_at": "2026-05-03T10:00:00Z", "updated_at": null
    }));
    round_trips::<webhooks::TestDelivery>(json!({"delivered": true, "status_code": 200}));
}
