//! The table and CSV columns of each model: the ones that matter at a glance.
//! JSON output has every field.

use s4e::actions::{Action, ActionExecution, ValidationReport};
use s4e::assets::Asset;
use s4e::findings::Finding;
use s4e::playbooks::{Playbook, PlaybookRun};
use s4e::scans::{Scan, ScanProgress};
use s4e::webhooks::{Event, TestDelivery, Webhook};

use crate::output::{Cell, Row};

fn join(items: impl IntoIterator<Item = impl ToString>) -> String {
    let text: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    if text.is_empty() {
        "-".to_owned()
    } else {
        text.join(",")
    }
}

impl Row for Asset {
    const HEADERS: &'static [&'static str] = &[
        "ID",
        "NAME",
        "TYPE",
        "STATUS",
        "VERIFIED",
        "RISK",
        "TAGS",
        "LAST SCAN",
    ];
    fn csv_headers() -> Vec<String> {
        [
            "id",
            "name",
            "type",
            "status",
            "verified",
            "risk_score",
            "tags",
            "last_scan",
        ]
        .map(str::to_owned)
        .to_vec()
    }
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.domain),
            Cell::text(&self.asset_type),
            Cell::opt(self.status.as_ref()),
            Cell::text(self.verified),
            Cell::opt(self.security_score),
            Cell::text(join(&self.tags)),
            Cell::Time(self.last_scan),
        ]
    }
}

impl Row for Scan {
    const HEADERS: &'static [&'static str] = &[
        "ID", "ASSET", "TYPE", "STATUS", "PROGRESS", "FINDINGS", "CREATED",
    ];
    fn csv_headers() -> Vec<String> {
        [
            "id",
            "asset_id",
            "scan_type",
            "status",
            "progress",
            "finding_count",
            "created_at",
        ]
        .map(str::to_owned)
        .to_vec()
    }
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::opt(self.asset_id.as_ref()),
            Cell::opt(self.scan_type.as_ref()),
            Cell::opt(self.status.as_ref()),
            Cell::opt(self.progress.map(|p| format!("{p}%"))),
            Cell::opt(self.finding_count),
            Cell::Time(self.created_at),
        ]
    }
}

impl Row for ScanProgress {
    const HEADERS: &'static [&'static str] = &["SCAN", "STATUS", "PROGRESS", "PHASE"];
    fn csv_headers() -> Vec<String> {
        ["scan_id", "status", "progress", "current_phase"]
            .map(str::to_owned)
            .to_vec()
    }
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::opt(self.status.as_ref()),
            Cell::opt(self.progress.map(|p| format!("{p}%"))),
            Cell::opt(self.current_phase.as_ref()),
        ]
    }
}

/// The asset of a finding, by name when the answer has it.
fn finding_asset(finding: &Finding) -> Option<String> {
    finding
        .asset
        .as_ref()
        .map(|a| a.domain.clone().unwrap_or_else(|| a.id.to_string()))
}

impl Row for Finding {
    const HEADERS: &'static [&'static str] = &[
        "ID",
        "SEVERITY",
        "CVSS",
        "STATUS",
        "TITLE",
        "ASSET",
        "DISCOVERED",
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::Severity(self.severity.clone()),
            Cell::opt(self.cvss.map(|c| format!("{c:.1}"))),
            Cell::opt(self.status.as_ref()),
            Cell::text(&self.title),
            Cell::opt(finding_asset(self)),
            Cell::Time(self.discovered_at),
        ]
    }
    /// The columns of the API's CSV export, in its order, so that
    /// `findings list -o csv` and `findings export` read the same.
    fn csv_headers() -> Vec<String> {
        [
            "id",
            "title",
            "severity",
            "cvss",
            "status",
            "asset",
            "scan_id",
            "discovered_at",
        ]
        .map(str::to_owned)
        .to_vec()
    }
    fn csv_cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.title),
            Cell::Severity(self.severity.clone()),
            Cell::Text(self.cvss.map(|c| c.to_string()).unwrap_or_default()),
            Cell::Text(
                self.status
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ),
            Cell::Text(finding_asset(self).unwrap_or_default()),
            Cell::Text(
                self.scan_id
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ),
            Cell::Time(self.discovered_at),
        ]
    }
}

impl Row for Action {
    const HEADERS: &'static [&'static str] = &["ID", "NAME", "TYPE", "EXECUTOR", "VERSION"];
    fn csv_headers() -> Vec<String> {
        ["id", "name", "type", "executor", "version"]
            .map(str::to_owned)
            .to_vec()
    }
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.name),
            Cell::text(&self.action_type),
            Cell::opt(self.executor.as_ref()),
            Cell::opt(self.version.as_ref()),
        ]
    }
}

impl Row for ActionExecution {
    const HEADERS: &'static [&'static str] =
        &["ID", "ACTION", "STATUS", "SANDBOX", "STARTED", "FINISHED"];
    fn csv_headers() -> Vec<String> {
        [
            "execution_id",
            "action_id",
            "status",
            "sandbox",
            "started_at",
            "finished_at",
        ]
        .map(str::to_owned)
        .to_vec()
    }
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::opt(self.action_id.as_ref()),
            Cell::opt(self.status.as_ref()),
            Cell::text(self.sandbox),
            Cell::Time(self.started_at),
            Cell::Time(self.finished_at),
        ]
    }
}

impl Row for ValidationReport {
    const HEADERS: &'static [&'static str] = &["VALID", "WARNINGS", "ERRORS"];
    fn csv_headers() -> Vec<String> {
        ["valid", "warnings", "errors"].map(str::to_owned).to_vec()
    }
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.valid),
            Cell::text(join(&self.warnings)),
            Cell::text(join(
                self.errors
                    .iter()
                    .map(|e| format!("{}: {}", e.path, e.message)),
            )),
        ]
    }
}

impl Row for Playbook {
    const HEADERS: &'static [&'static str] = &["ID", "NAME", "VERSION", "TRIGGER", "STEPS"];
    fn csv_headers() -> Vec<String> {
        ["id", "name", "version", "trigger", "step_count"]
            .map(str::to_owned)
            .to_vec()
    }
    fn cells(&self) -> Vec<Cell> {
        let steps = self
            .step_count
            .or_else(|| u32::try_from(self.steps.len()).ok());
        vec![
            Cell::text(&self.id),
            Cell::text(&self.name),
            Cell::opt(self.version.as_ref()),
            Cell::opt(self.trigger.as_ref().map(|t| &t.event)),
            Cell::opt(steps),
        ]
    }
}

impl Row for PlaybookRun {
    const HEADERS: &'static [&'static str] = &[
        "ID", "PLAYBOOK", "ASSET", "STATUS", "DRY RUN", "STARTED", "FINISHED",
    ];
    fn csv_headers() -> Vec<String> {
        [
            "run_id",
            "playbook_id",
            "target_asset_id",
            "status",
            "dry_run",
            "started_at",
            "finished_at",
        ]
        .map(str::to_owned)
        .to_vec()
    }
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::opt(self.playbook_id.as_ref()),
            Cell::opt(self.target_asset_id.as_ref()),
            Cell::opt(self.status.as_ref()),
            Cell::text(self.dry_run),
            Cell::Time(self.started_at),
            Cell::Time(self.finished_at),
        ]
    }
}

impl Row for Webhook {
    const HEADERS: &'static [&'static str] = &["ID", "NAME", "URL", "EVENTS", "ACTIVE"];
    fn csv_headers() -> Vec<String> {
        ["id", "name", "url", "events", "active"]
            .map(str::to_owned)
            .to_vec()
    }
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.name),
            Cell::text(&self.url),
            // Thirteen event names would push ACTIVE off the screen.
            Cell::text(if self.events.len() > 3 {
                format!("{} events", self.events.len())
            } else {
                join(&self.events)
            }),
            Cell::text(self.active),
        ]
    }
}

impl Row for TestDelivery {
    const HEADERS: &'static [&'static str] = &["DELIVERED", "STATUS"];
    fn csv_headers() -> Vec<String> {
        ["delivered", "status_code"].map(str::to_owned).to_vec()
    }
    fn cells(&self) -> Vec<Cell> {
        vec![Cell::text(self.delivered), Cell::opt(self.status_code)]
    }
}

impl Row for Event {
    const HEADERS: &'static [&'static str] = &["ID", "EVENT", "TIMESTAMP"];
    fn csv_headers() -> Vec<String> {
        ["id", "event", "timestamp"].map(str::to_owned).to_vec()
    }
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::opt(self.id.as_ref()),
            Cell::text(&self.event_type),
            Cell::Time(self.timestamp),
        ]
    }
}
