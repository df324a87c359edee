//! `/scans` (API.md §4.2): scans move queued → running → completed on the
//! clock and produce findings when they complete.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::api::check::{Check, INT32_MAX, Object, json_object};
use crate::api::envelope::{created, ok, page};
use crate::api::error::{ApiError, ApiResult};
use crate::api::page::Paging;
use crate::api::query::Query;
use crate::enums::{Depth, FindingStatus, Priority, ScanStatus, ScanType, SortOrder, Wire};
use crate::resources::findings::{self, Target};
use crate::resources::ordered::Orders;
use crate::rng::Rng;
use crate::state::{Db, Schedule, Shared, Span, Timestamp};

#[derive(Debug, Clone)]
pub(crate) struct Scan {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) asset_id: String,
    pub(crate) scan_type: ScanType,
    pub(crate) status: ScanStatus,
    pub(crate) priority: Priority,
    pub(crate) options: Object,
    pub(crate) callback_url: Option<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) started_at: Option<DateTime<Utc>>,
    pub(crate) completed_at: Option<DateTime<Utc>>,
    pub(crate) finding_count: u32,
    pub(crate) schedule: Schedule,
    /// `options.sandbox_outcome == "failed"`: the scan fails at its end.
    pub(crate) fail: bool,
}

/// Nominal minutes a scan of this type runs (its `estimated_duration_minutes`).
pub(crate) fn nominal_minutes(t: ScanType) -> u32 {
    match t {
        ScanType::Full => 45,
        ScanType::Quick => 3,
        ScanType::Custom => 20,
        ScanType::WebApp => 30,
        ScanType::Network => 25,
        ScanType::Api => 15,
        ScanType::ApiDiscovery => 10,
        ScanType::Ssl | ScanType::Dns => 2,
        ScanType::Port => 8,
    }
}

/// Nominal seconds in the queue.
pub(crate) fn queue_seconds(p: Priority) -> f64 {
    match p {
        Priority::High => 10.0,
        Priority::Normal => 30.0,
        Priority::Low => 90.0,
    }
}

/// How many findings a completed scan of this type produces.
fn finding_range(t: ScanType) -> (u64, u64) {
    match t {
        ScanType::Full | ScanType::WebApp => (4, 8),
        ScanType::Ssl | ScanType::Dns | ScanType::Quick => (2, 4),
        _ => (2, 6),
    }
}

impl Scan {
    pub(crate) fn progress(&self) -> u32 {
        match self.status {
            ScanStatus::Queued => 0,
            ScanStatus::Completed => 100,
            _ => ((self.schedule.fraction() * 100.0).floor() as u32).min(99),
        }
    }

    pub(crate) fn current_phase(&self) -> &'static str {
        match self.status {
            ScanStatus::Running => {
                let f = self.schedule.fraction();
                let second = match self.scan_type {
                    ScanType::Network | ScanType::Port => "port_scanning",
                    ScanType::Ssl => "tls_handshake",
                    ScanType::Dns => "dns_enumeration",
                    ScanType::Api | ScanType::ApiDiscovery => "endpoint_discovery",
                    _ => "crawling",
                };
                if f < 0.2 {
                    "discovery"
                } else if f < 0.45 {
                    second
                } else if f < 0.9 {
                    "vulnerability_checks"
                } else {
                    "reporting"
                }
            }
            other => other.as_str(),
        }
    }

    /// The scan as the API writes it.
    pub(crate) fn wire(&self) -> ScanView<'_> {
        ScanView {
            asset_id: &self.asset_id,
            callback_url: self.callback_url.as_deref(),
            completed_at: self.completed_at.map(Timestamp),
            created_at: Timestamp(self.created_at),
            estimated_duration_minutes: nominal_minutes(self.scan_type),
            finding_count: self.finding_count,
            id: &self.id,
            options: &self.options,
            priority: self.priority,
            progress: self.progress(),
            scan_type: self.scan_type,
            started_at: self.started_at.map(Timestamp),
            status: self.status,
        }
    }

    /// [`wire`](Self::wire) as a tree, for event payloads.
    pub(crate) fn view(&self) -> Value {
        serde_json::to_value(self.wire()).unwrap_or_default()
    }
}

impl Orders for Scan {
    /// Creation time, then creation order: the list's only order.
    const ORDERS: &'static [fn(&Self, &Self) -> Ordering] =
        &[|a, b| a.created_at.cmp(&b.created_at).then(a.seq.cmp(&b.seq))];
}

/// A scan as the API writes it; fields in alphabetical order (see
/// `api::envelope`).
#[derive(Serialize)]
pub(crate) struct ScanView<'a> {
    asset_id: &'a str,
    callback_url: Option<&'a str>,
    completed_at: Option<Timestamp>,
    created_at: Timestamp,
    estimated_duration_minutes: u32,
    finding_count: u32,
    id: &'a str,
    options: &'a Object,
    priority: Priority,
    progress: u32,
    scan_type: ScanType,
    started_at: Option<Timestamp>,
    status: ScanStatus,
}

/// Brings every unfinished scan forward by `span`.
pub(crate) fn advance(db: &mut Db, span: Span) {
    let mut finished = Vec::new();
    for (i, scan) in db.scans.iter_mut().enumerate() {
        if scan.status.is_final() {
            continue;
        }
        let moved = scan.schedule.step(span);
        if let Some(at) = moved.started {
            scan.status = ScanStatus::Running;
            scan.started_at = Some(at);
        }
        if let Some(at) = moved.finished {
            finished.push((i, at));
        }
    }
    for (i, at) in finished {
        complete(db, i, at);
    }
}

/// Ends scan `i` at `at`: its findings, the asset's `last_scan`, the events.
pub(crate) fn complete(db: &mut Db, i: usize, at: DateTime<Utc>) {
    let scan = db.scans[i].clone();
    if scan.fail {
        let s = &mut db.scans[i];
        s.status = ScanStatus::Failed;
        s.completed_at = Some(at);
        let view = s.view();
        db.emit_with_callback("scan.failed", at, view, scan.callback_url.clone());
        return;
    }
    let mut new = Vec::new();
    if let Some(asset) = db.asset(&scan.asset_id).cloned() {
        let mut rng = Rng::derive(db.seed, scan.seq);
        let (lo, hi) = finding_range(scan.scan_type);
        let count = rng.range(lo, hi) as usize;
        let target = Target {
            asset_id: &asset.id,
            asset_name: &asset.name,
            asset_type: asset.kind,
            scan_id: &scan.id,
        };
        new = findings::discover(db, &mut rng, &target, count, at, |_| FindingStatus::Open);
        if let Some(a) = db.assets.iter_mut().find(|a| a.id == scan.asset_id) {
            a.last_scan = Some(at);
        }
    }
    let s = &mut db.scans[i];
    s.status = ScanStatus::Completed;
    s.completed_at = Some(at);
    s.finding_count = new.len() as u32;
    let view = s.view();
    for f in new {
        let data = db.findings[f].view(false);
        db.emit("finding.new", at, data);
    }
    db.emit_with_callback("scan.completed", at, view, scan.callback_url);
}

pub(crate) async fn list(State(sh): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let mut check = Check::default();
    let paging = Paging::read(&query, &mut check);
    let status = check.query_enum::<ScanStatus>(&query, "status");
    let scan_type = check.query_enum::<ScanType>(&query, "scan_type");
    let from = check.query_time(&query, "from");
    let to = check.query_time(&query, "to");
    check.finish()?;
    let asset_id = query.get("asset_id");

    let db = sh.db();
    let newest_first = db
        .scans
        .walk(0, SortOrder::Desc)
        .filter(|s| status.is_none_or(|x| s.status == x))
        .filter(|s| scan_type.is_none_or(|x| s.scan_type == x))
        .filter(|s| asset_id.is_none_or(|x| s.asset_id == x))
        .filter(|s| from.is_none_or(|t| s.created_at >= t))
        .filter(|s| to.is_none_or(|t| s.created_at <= t));
    let (total, items) = paging.select(newest_first);
    let data: Vec<ScanView<'_>> = items.iter().map(|s| s.wire()).collect();
    Ok(page(paging, total, data))
}

fn find<'a>(db: &'a Db, id: &str) -> Result<&'a Scan, ApiError> {
    db.scans
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| ApiError::not_found("scan", id))
}

pub(crate) async fn get(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let db = sh.db();
    Ok(ok(find(&db, &id)?.view()))
}

pub(crate) async fn status(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let db = sh.db();
    let scan = find(&db, &id)?;
    Ok(ok(json!({
        "scan_id": scan.id,
        "status": scan.status,
        "progress": scan.progress(),
        "current_phase": scan.current_phase(),
    })))
}

fn read_options(obj: &Object, check: &mut Check) -> Object {
    let Some(options) = check.opt_object(obj, "options") else {
        return Object::new();
    };
    check.nested("options", |c| {
        c.opt_enum::<Depth>(&options, "depth");
        c.opt_bool(&options, "include_subdomains");
        c.opt_string_list(&options, "categories");
        c.opt_bool(&options, "follow_redirects");
        // The docs give `max_depth` and `timeout` (seconds, default 3600) no
        // upper bound: only the contract's 32-bit integers limit them.
        c.opt_int(&options, "max_depth", 0, INT32_MAX);
        c.opt_int(&options, "timeout", 1, INT32_MAX);
    });
    options
}

pub(crate) async fn create(State(sh): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let asset_id = check.req_string(&obj, "asset_id");
    let scan_type = check.req_enum::<ScanType>(&obj, "scan_type");
    let options = read_options(&obj, &mut check);
    let priority = check
        .opt_enum::<Priority>(&obj, "priority")
        .unwrap_or(Priority::Normal);
    let callback_url = check.opt_string(&obj, "callback_url");
    if let Some(url) = &callback_url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            check.fail("callback_url", "must be an http or https URL");
        }
    }
    check.finish()?;
    let (Some(asset_id), Some(scan_type)) = (asset_id, scan_type) else {
        return Err(ApiError::invalid("body", "is invalid"));
    };

    let now = sh.now();
    let mut db = sh.db();
    if db.asset(&asset_id).is_none() {
        return Err(ApiError::not_found("asset", &asset_id));
    }
    db.next.scan += 1;
    let seq = db.seq();
    let fail = options.get("sandbox_outcome").and_then(Value::as_str) == Some("failed");
    let scan = Scan {
        seq,
        id: format!("sc-{}", 44_000 + db.next.scan),
        asset_id,
        scan_type,
        status: ScanStatus::Queued,
        priority,
        options,
        // Only loopback callbacks are ever called.
        callback_url,
        created_at: now,
        started_at: None,
        completed_at: None,
        finding_count: 0,
        schedule: Schedule::new(
            queue_seconds(priority),
            f64::from(nominal_minutes(scan_type)) * 60.0,
        ),
        fail,
    };
    let view = scan.view();
    db.emit_with_callback("scan.created", now, view.clone(), scan.callback_url.clone());
    db.scans.push(scan);
    Ok(created(view))
}

pub(crate) async fn cancel(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let now = sh.now();
    let mut db = sh.db();
    let scan = db
        .scans
        .iter_mut()
        .find(|s| s.id == id)
        .ok_or_else(|| ApiError::not_found("scan", &id))?;
    if scan.status.is_final() {
        return Err(ApiError::invalid(
            "status",
            format!(
                "scan `{id}` is already {}; only queued or running scans can be cancelled",
                scan.status.as_str()
            ),
        ));
    }
    scan.status = ScanStatus::Cancelled;
    // A final status has a completion time, whatever ended the scan.
    scan.completed_at = Some(now);
    Ok(ok(scan.view()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn phases_follow_progress() {
        let mut scan = Scan {
            seq: 1,
            id: "sc-1".into(),
            asset_id: "a-1".into(),
            scan_type: ScanType::Network,
            status: ScanStatus::Queued,
            priority: Priority::Normal,
            options: Object::new(),
            callback_url: None,
            created_at: t("2026-05-01T00:00:00Z"),
            started_at: None,
            completed_at: None,
            finding_count: 0,
            schedule: Schedule::new(10.0, 100.0),
            fail: false,
        };
        assert_eq!((scan.progress(), scan.current_phase()), (0, "queued"));
        scan.status = ScanStatus::Running;
        scan.schedule.work = 40.0;
        assert_eq!(
            (scan.progress(), scan.current_phase()),
            (30, "port_scanning")
        );
        scan.schedule.work = 110.0;
        assert_eq!(scan.progress(), 99);
        scan.status = ScanStatus::Completed;
        assert_eq!((scan.progress(), scan.current_phase()), (100, "completed"));
    }
}
