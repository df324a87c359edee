//! Deterministic seed data: the same seed gives the same assets, scans,
//! findings, actions, playbooks and webhooks, with times relative to the
//! clock's origin.
//!
//! Shape: 36 assets (`a-1001`..), 30 scans (`sc-44001`..: 24 completed, 2
//! failed, 1 cancelled, 2 running, 1 queued), 8-20 findings per completed scan
//! (`f-70001`.., a few hundred), 6 actions (`act-…`), 4 playbooks (`pb-…`) and
//! 2 inactive webhooks (`wh-001`, `wh-002`).

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::api::check::Object;
use crate::catalog::{DOMAINS, REGISTRARS, SUBDOMAINS, TAGS, TECHNOLOGIES};
use crate::enums::{
    ActionType, AssetStatus, AssetType, Executor, FindingStatus, OnFailure, ParamType, Priority,
    ScanStatus, ScanType,
};
use crate::resources::actions::{Action, Param};
use crate::resources::assets::{Asset, Metadata};
use crate::resources::findings::{self, Target};
use crate::resources::playbooks::Playbook;
use crate::resources::scans::{Scan, nominal_minutes, queue_seconds};
use crate::resources::webhooks::{EVENTS, Webhook};
use crate::rng::Rng;
use crate::state::{Db, Schedule};

pub(crate) const ASSETS: usize = 36;
pub(crate) const SCANS: usize = 30;

const DESCRIPTIONS: &[&str] = &[
    "Customer-facing storefront",
    "Public REST API",
    "Employee single sign-on",
    "Marketing site",
    "Build and deploy tooling",
    "Office egress range",
    "Partner integration endpoint",
];

fn secs(s: f64) -> Duration {
    Duration::milliseconds((s * 1000.0) as i64)
}

fn asset_name(kind: AssetType, rng: &mut Rng) -> String {
    match kind {
        AssetType::Domain => format!("{}.{}", rng.pick(SUBDOMAINS), rng.pick(DOMAINS)),
        AssetType::Ip => {
            let net = rng.pick(&["203.0.113", "198.51.100", "192.0.2"]);
            format!("{net}.{}", rng.range(2, 254))
        }
        AssetType::Url => format!(
            "https://{}.{}/{}",
            rng.pick(SUBDOMAINS),
            rng.pick(DOMAINS),
            rng.pick(&["login", "checkout", "api/v2", "admin", "graphql"])
        ),
        AssetType::Network => format!(
            "{}/{}",
            rng.pick(&["192.0.2.0", "198.51.100.0", "203.0.113.0"]),
            rng.pick(&[24, 25, 26])
        ),
    }
}

fn some_of(rng: &mut Rng, pool: &[&str], lo: u64, hi: u64) -> Vec<String> {
    let n = rng.range(lo, hi) as usize;
    let mut out: Vec<String> = Vec::new();
    while out.len() < n.min(pool.len()) {
        let pick = rng.pick(pool).to_string();
        if !out.contains(&pick) {
            out.push(pick);
        }
    }
    out
}

pub(crate) fn generate(seed: u64, origin: DateTime<Utc>) -> Db {
    let mut db = Db::empty(seed, origin);
    let mut rng = Rng::new(seed);
    seed_assets(&mut db, &mut rng, origin);
    seed_scans(&mut db, &mut rng, origin);
    seed_actions(&mut db, origin);
    seed_playbooks(&mut db, origin);
    seed_webhooks(&mut db, origin);
    db.outbox.clear();
    db
}

fn seed_assets(db: &mut Db, rng: &mut Rng, origin: DateTime<Utc>) {
    let mut kinds = Vec::with_capacity(ASSETS);
    for (kind, n) in [
        (AssetType::Domain, 24),
        (AssetType::Ip, 6),
        (AssetType::Url, 4),
        (AssetType::Network, 2),
    ] {
        kinds.extend(std::iter::repeat_n(kind, n));
    }
    for i in (1..kinds.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        kinds.swap(i, j);
    }
    let mut ages: Vec<f64> = (0..ASSETS).map(|_| 30.0 + rng.unit() * 90.0).collect();
    ages.sort_by(|a, b| b.total_cmp(a));
    let mut seen = HashSet::new();
    for (kind, age_days) in kinds.into_iter().zip(ages) {
        let name = loop {
            let candidate = asset_name(kind, rng);
            if seen.insert(candidate.clone()) {
                break candidate;
            }
        };
        let roll = rng.unit();
        let (status, verified) = if roll < 0.8 {
            (AssetStatus::Active, true)
        } else if roll < 0.92 {
            (AssetStatus::PendingVerification, false)
        } else {
            (AssetStatus::Inactive, true)
        };
        let ip = |rng: &mut Rng| format!("203.0.113.{}", rng.range(2, 254));
        let metadata = match kind {
            AssetType::Domain | AssetType::Url => Metadata {
                registrar: Some(rng.pick(REGISTRARS).to_string()),
                ip_addresses: (0..rng.range(1, 2)).map(|_| ip(rng)).collect(),
                technologies: some_of(rng, TECHNOLOGIES, 1, 3),
            },
            AssetType::Ip => Metadata {
                registrar: None,
                ip_addresses: vec![name.clone()],
                technologies: some_of(rng, TECHNOLOGIES, 0, 2),
            },
            AssetType::Network => Metadata::default(),
        };
        let created_at = origin - secs(age_days * 86_400.0);
        db.next.asset += 1;
        let seq = db.seq();
        db.assets.push(Asset {
            seq,
            id: format!("a-{}", 1000 + db.next.asset),
            name,
            kind,
            status,
            verified,
            tags: some_of(rng, TAGS, 1, 3),
            description: rng.chance(0.5).then(|| rng.pick(DESCRIPTIONS).to_string()),
            last_scan: None,
            created_at,
            updated_at: created_at + secs(rng.unit() * 86_400.0 * 5.0),
            metadata,
        });
    }
}

fn seed_scans(db: &mut Db, rng: &mut Rng, origin: DateTime<Utc>) {
    let scannable: Vec<usize> = (0..db.assets.len())
        .filter(|&i| db.assets[i].verified)
        .collect();
    let mut plan: Vec<ScanStatus> = Vec::with_capacity(SCANS);
    plan.extend(std::iter::repeat_n(ScanStatus::Completed, 24));
    plan.extend([
        ScanStatus::Failed,
        ScanStatus::Failed,
        ScanStatus::Cancelled,
    ]);
    // Sorted by creation below, so these three stay the newest.
    let mut specs: Vec<(ScanStatus, usize, DateTime<Utc>)> = plan
        .into_iter()
        .map(|status| {
            let asset = scannable[rng.below(scannable.len() as u64) as usize];
            let created = db.assets[asset].created_at;
            let window = (origin - created).num_seconds() as f64 - 2.0 * 86_400.0;
            let at = created + secs(86_400.0 + rng.unit() * window.max(3600.0));
            (status, asset, at)
        })
        .collect();
    specs.sort_by_key(|s| s.2);
    for (minutes_ago, status) in [
        (12.0, ScanStatus::Running),
        (4.0, ScanStatus::Running),
        (0.1, ScanStatus::Queued),
    ] {
        let asset = scannable[rng.below(scannable.len() as u64) as usize];
        specs.push((status, asset, origin - secs(minutes_ago * 60.0)));
    }
    for (status, asset_index, created_at) in specs {
        let scan_type = *rng.pick(&[
            ScanType::Full,
            ScanType::Quick,
            ScanType::WebApp,
            ScanType::Ssl,
            ScanType::Network,
            ScanType::Dns,
            ScanType::Port,
            ScanType::Api,
        ]);
        let priority = *rng.pick(&[
            Priority::Normal,
            Priority::Normal,
            Priority::High,
            Priority::Low,
        ]);
        let run = f64::from(nominal_minutes(scan_type)) * 60.0;
        let wait = queue_seconds(priority);
        let mut schedule = Schedule::new(wait, run);
        db.next.scan += 1;
        let seq = db.seq();
        let id = format!("sc-{}", 44_000 + db.next.scan);
        let asset = db.assets[asset_index].clone();
        let started = created_at + secs(wait);
        let ended = started + secs(run);
        let (started_at, completed_at) = match status {
            ScanStatus::Completed | ScanStatus::Failed => {
                schedule.work = wait + run;
                (Some(started), Some(ended))
            }
            ScanStatus::Cancelled => {
                schedule.work = wait + run * 0.4;
                (Some(started), None)
            }
            ScanStatus::Running => {
                // Started already, partway through: it finishes soon after start.
                schedule = Schedule::new(0.0, run);
                schedule.work = run * (0.25 + rng.unit() * 0.4);
                (Some(created_at), None)
            }
            ScanStatus::Queued => (None, None),
        };
        let mut finding_count = 0;
        if status == ScanStatus::Completed {
            let count = rng.range(8, 20) as usize;
            let target = Target {
                asset_id: &asset.id,
                asset_name: &asset.name,
                asset_type: asset.kind,
                scan_id: &id,
            };
            let made = findings::discover(db, rng, &target, count, ended, seeded_status);
            for &i in &made {
                if db.findings[i].status != FindingStatus::Open {
                    let later = ended + secs(rng.unit() * 86_400.0 * 3.0);
                    db.findings[i].updated_at = later.min(origin);
                }
            }
            finding_count = made.len() as u32;
            let a = &mut db.assets[asset_index];
            a.last_scan = Some(a.last_scan.map_or(ended, |t| t.max(ended)));
        }
        db.scans.push(Scan {
            seq,
            id,
            asset_id: asset.id,
            scan_type,
            status,
            priority,
            options: Object::new(),
            callback_url: None,
            created_at,
            started_at,
            completed_at,
            finding_count,
            schedule,
            fail: status == ScanStatus::Failed,
        });
    }
}

fn seeded_status(rng: &mut Rng) -> FindingStatus {
    let roll = rng.unit();
    if roll < 0.6 {
        FindingStatus::Open
    } else if roll < 0.72 {
        FindingStatus::Confirmed
    } else if roll < 0.87 {
        FindingStatus::Resolved
    } else if roll < 0.93 {
        FindingStatus::FalsePositive
    } else {
        FindingStatus::AcceptedRisk
    }
}

fn param(name: &str, kind: ParamType, required: bool, default: Value) -> Param {
    Param {
        name: name.into(),
        kind,
        required,
        default,
        extra: Object::new(),
    }
}

fn seed_actions(db: &mut Db, origin: DateTime<Utc>) {
    use ParamType::*;
    let specs = vec![
        (
            "act-block-ip",
            "Block IP",
            ActionType::Remediation,
            Executor::Remote,
            "Blocks an IP address on the edge firewall for a while.",
            json!("firewall-edge-01"),
            vec![
                param("ip", String, true, Value::Null),
                param("duration_minutes", Integer, false, json!(60)),
            ],
        ),
        (
            "act-notify-slack",
            "Notify Slack",
            ActionType::Notification,
            Executor::Webhook,
            "Posts a message to a Slack channel.",
            json!("#security-alerts"),
            vec![
                param("channel", String, false, json!("#security-alerts")),
                param("message", String, true, Value::Null),
            ],
        ),
        (
            "act-create-ticket",
            "Create ticket",
            ActionType::Webhook,
            Executor::Webhook,
            "Opens a ticket in the issue tracker.",
            json!("https://tracker.example.com"),
            vec![param("project", String, true, Value::Null), {
                let mut p = param("priority", Enum, false, json!("medium"));
                p.extra
                    .insert("options".into(), json!(["low", "medium", "high"]));
                p
            }],
        ),
        (
            "act-rotate-certificate",
            "Rotate certificate",
            ActionType::Script,
            Executor::Local,
            "Requests a new TLS certificate and deploys it.",
            Value::Null,
            vec![
                param("domain", String, true, Value::Null),
                param("dry_run", Boolean, false, json!(false)),
            ],
        ),
        (
            "act-request-approval",
            "Request approval",
            ActionType::Approval,
            Executor::Opservant,
            "Asks the named approvers to approve the next step.",
            Value::Null,
            vec![param("approvers", String, true, Value::Null)],
        ),
        (
            "act-isolate-host",
            "Isolate host",
            ActionType::Remediation,
            Executor::Opservant,
            "Moves a host to the quarantine network.",
            json!("edr"),
            vec![
                param("hostname", String, true, Value::Null),
                param("api_token", Secret, false, Value::Null),
            ],
        ),
    ];
    for (i, (id, name, kind, executor, description, target, parameters)) in
        specs.into_iter().enumerate()
    {
        let at = origin - Duration::days(60 - i as i64);
        db.actions.push(Action {
            id: id.into(),
            name: name.into(),
            kind,
            description: Some(description.into()),
            version: "1.0.0".into(),
            executor,
            target,
            parameters,
            config: json!({}),
            conditions: json!({}),
            created_at: at,
            updated_at: at,
        });
    }
}

fn steps(items: Value) -> Vec<Object> {
    items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_object().cloned())
        .collect()
}

fn seed_playbooks(db: &mut Db, origin: DateTime<Utc>) {
    let specs = [
        (
            "pb-tls-expiry",
            "TLS expiry response",
            "Renews certificates that are about to expire.",
            json!({ "event": "finding.new", "conditions": { "title_contains": "TLS certificate" } }),
            json!([
                { "id": "notify", "name": "Notify owners", "type": "action", "action_ref": "act-notify-slack" },
                { "id": "rotate", "name": "Rotate certificate", "type": "action", "action_ref": "act-rotate-certificate" },
                { "id": "rescan", "name": "Rescan", "type": "scan", "scan_type": "ssl" }
            ]),
            OnFailure::Abort,
            vec!["tls", "certificates"],
        ),
        (
            "pb-critical-finding",
            "Critical finding triage",
            "Tickets, approval and containment for critical findings.",
            json!({ "event": "finding.new", "conditions": { "severity": "critical" } }),
            json!([
                { "id": "ticket", "name": "Open ticket", "type": "action", "action_ref": "act-create-ticket" },
                { "id": "approve", "name": "Approve containment", "type": "approval", "action_ref": "act-request-approval" },
                { "id": "block", "name": "Block source", "type": "action", "action_ref": "act-block-ip" }
            ]),
            OnFailure::Continue,
            vec!["triage", "critical"],
        ),
        (
            "pb-new-asset-onboarding",
            "New asset onboarding",
            "Verifies, scans and announces a new asset.",
            json!({ "event": "asset.created", "conditions": {} }),
            json!([
                { "id": "verify", "name": "Verify ownership", "type": "asset_verify" },
                { "id": "scan", "name": "Quick scan", "type": "scan", "scan_type": "quick" },
                { "id": "announce", "name": "Announce", "type": "action", "action_ref": "act-notify-slack" }
            ]),
            OnFailure::Abort,
            vec!["onboarding"],
        ),
        (
            "pb-exposed-service",
            "Exposed service lockdown",
            "Isolates a host that exposes an unauthenticated service.",
            json!({ "event": "finding.new", "conditions": { "title_contains": "without authentication" } }),
            json!([
                { "id": "isolate", "name": "Isolate host", "type": "action", "action_ref": "act-isolate-host" },
                { "id": "notify", "name": "Notify", "type": "action", "action_ref": "act-notify-slack" }
            ]),
            OnFailure::Abort,
            vec!["network", "containment"],
        ),
    ];
    for (i, (id, name, description, trigger, step_list, on_failure, tags)) in
        specs.into_iter().enumerate()
    {
        let at = origin - Duration::days(45 - i as i64);
        db.playbooks.push(Playbook {
            id: id.into(),
            name: name.into(),
            version: "1.0".into(),
            description: Some(description.into()),
            trigger,
            steps: steps(step_list),
            on_failure,
            timeout_minutes: 60,
            tags: tags.into_iter().map(String::from).collect(),
            created_at: at,
            updated_at: at,
        });
    }
}

fn seed_webhooks(db: &mut Db, origin: DateTime<Utc>) {
    // Inactive, so the sandbox never calls a port it does not own.
    let specs = [
        // Every event but `webhook.test`, named one by one: the contract has no
        // wildcard event.
        (
            "SIEM forwarder",
            "http://127.0.0.1:9/s4e/events",
            EVENTS
                .iter()
                .copied()
                .filter(|e| *e != "webhook.test")
                .collect(),
        ),
        (
            "Scan notifications",
            "http://localhost:9/scans",
            vec!["scan.completed", "scan.failed"],
        ),
    ];
    for (name, url, events) in specs {
        db.next.webhook += 1;
        let at = origin - Duration::days(30);
        db.webhooks.push(Webhook {
            id: format!("wh-{:03}", db.next.webhook),
            name: name.into(),
            url: url.into(),
            events: events.into_iter().map(String::from).collect(),
            secret: Some(format!("whsec_seed_{}", db.next.webhook)),
            headers: Object::new(),
            active: false,
            created_at: at,
            updated_at: at,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> DateTime<Utc> {
        "2026-05-01T09:00:00Z".parse().unwrap()
    }

    #[test]
    fn shape() {
        let db = generate(42, origin());
        assert_eq!(db.assets.len(), ASSETS);
        assert_eq!(db.scans.len(), SCANS);
        assert!(
            (200..=600).contains(&db.findings.len()),
            "{}",
            db.findings.len()
        );
        assert_eq!(db.actions.len(), 6);
        assert_eq!(db.playbooks.len(), 4);
        assert_eq!(db.webhooks.len(), 2);
        assert_eq!(db.assets[0].id, "a-1001");
        assert_eq!(db.scans[0].id, "sc-44001");
        assert_eq!(db.findings[0].id, "f-70001");
        let count = |s| db.scans.iter().filter(|x| x.status == s).count();
        assert_eq!(
            [
                ScanStatus::Completed,
                ScanStatus::Failed,
                ScanStatus::Cancelled,
                ScanStatus::Running,
                ScanStatus::Queued
            ]
            .map(count),
            [24, 2, 1, 2, 1]
        );
        assert!(db.findings.iter().all(|f| f.discovered_at <= origin()));
        assert!(db.outbox.is_empty());
        let names: HashSet<&str> = db.assets.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names.len(), ASSETS);
    }

    #[test]
    fn same_seed_same_data() {
        let a = generate(7, origin());
        let b = generate(7, origin());
        let c = generate(8, origin());
        let sig = |db: &Db| {
            db.findings
                .iter()
                .map(|f| format!("{}{}{}", f.id, f.title, f.asset_id))
                .collect::<Vec<_>>()
        };
        assert_eq!(sig(&a), sig(&b));
        assert_ne!(sig(&a), sig(&c));
    }
}
