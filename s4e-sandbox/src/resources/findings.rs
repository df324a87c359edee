//! `/findings` (API.md §4.3), the export (§5.3), and how scans produce findings.

use std::cmp::Ordering;
use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use futures_util::stream;
use serde::Serialize;
use serde_json::{Value, json};

use crate::api::check::{Check, Object, json_object};
use crate::api::envelope::{ok, page};
use crate::api::error::{ApiError, ApiResult};
use crate::api::page::{Paging, sort_order};
use crate::api::query::Query;
use crate::catalog::{TEMPLATES, Template};
use crate::enums::{AssetType, ExportFormat, FindingSort, FindingStatus, Severity, Wire};
use crate::resources::ordered::Orders;
use crate::rng::Rng;
use crate::state::{Db, Shared, Timestamp, ts};

#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) severity: Severity,
    pub(crate) cvss: f64,
    pub(crate) cvss_vector: String,
    pub(crate) status: FindingStatus,
    pub(crate) asset_id: String,
    pub(crate) asset_name: String,
    pub(crate) asset_type: AssetType,
    pub(crate) scan_id: String,
    pub(crate) description: String,
    pub(crate) remediation: String,
    pub(crate) references: Vec<String>,
    pub(crate) evidence: Value,
    pub(crate) notes: Vec<(String, DateTime<Utc>)>,
    pub(crate) discovered_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl Orders for Finding {
    /// By [`FindingSort`], in its declaration order.
    const ORDERS: &'static [fn(&Self, &Self) -> Ordering] = &[
        // `Severity` is declared most severe first: ascending = info first.
        |a, b| b.severity.cmp(&a.severity).then(a.seq.cmp(&b.seq)),
        |a, b| a.cvss.total_cmp(&b.cvss).then(a.seq.cmp(&b.seq)),
        |a, b| {
            a.discovered_at
                .cmp(&b.discovered_at)
                .then(a.seq.cmp(&b.seq))
        },
        |a, b| a.title.cmp(&b.title).then(a.seq.cmp(&b.seq)),
    ];
}

/// Which of [`Finding`]'s [`Orders::ORDERS`] `sort` is.
fn order_of(sort: FindingSort) -> usize {
    match sort {
        FindingSort::Severity => 0,
        FindingSort::Cvss => 1,
        FindingSort::DiscoveredAt => 2,
        FindingSort::Title => 3,
    }
}

/// A finding as the API writes it; fields in alphabetical order (see
/// `api::envelope`). The detail fields are absent from the list shape.
#[derive(Serialize)]
pub(crate) struct FindingView<'a> {
    asset: AssetRef<'a>,
    cvss: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    cvss_vector: Option<&'a str>,
    description: &'a str,
    discovered_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a Value>,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<Vec<Note<'a>>>,
    references: &'a [String],
    remediation: &'a str,
    scan_id: &'a str,
    severity: Severity,
    status: FindingStatus,
    title: &'a str,
    updated_at: Timestamp,
}

#[derive(Serialize)]
struct AssetRef<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: AssetType,
}

#[derive(Serialize)]
struct Note<'a> {
    created_at: Timestamp,
    text: &'a str,
}

impl Finding {
    /// The list shape; `detail` adds `cvss_vector`, `evidence` and `notes`.
    pub(crate) fn wire(&self, detail: bool) -> FindingView<'_> {
        FindingView {
            asset: AssetRef {
                id: &self.asset_id,
                name: &self.asset_name,
                kind: self.asset_type,
            },
            cvss: self.cvss,
            cvss_vector: detail.then_some(self.cvss_vector.as_str()),
            description: &self.description,
            discovered_at: Timestamp(self.discovered_at),
            evidence: detail.then_some(&self.evidence),
            id: &self.id,
            notes: detail.then(|| {
                self.notes
                    .iter()
                    .map(|(text, at)| Note {
                        created_at: Timestamp(*at),
                        text,
                    })
                    .collect()
            }),
            references: &self.references,
            remediation: &self.remediation,
            scan_id: &self.scan_id,
            severity: self.severity,
            status: self.status,
            title: &self.title,
            updated_at: Timestamp(self.updated_at),
        }
    }

    /// [`wire`](Self::wire) as a tree, for event payloads that add fields.
    pub(crate) fn view(&self, detail: bool) -> Value {
        serde_json::to_value(self.wire(detail)).unwrap_or_default()
    }

    fn csv_row(&self) -> String {
        let fields = [
            csv_field(&self.id),
            csv_field(&self.title),
            self.severity.as_str().to_string(),
            format!("{:.1}", self.cvss),
            self.status.as_str().to_string(),
            csv_field(&self.asset_name),
            csv_field(&self.scan_id),
            ts(self.discovered_at),
        ];
        let mut row = fields.join(",");
        row.push_str("\r\n");
        row
    }
}

/// RFC 4180 quoting, only where needed.
// Not the `csv` crate: the export's eight columns need only this quoting,
// rows are rendered in chunks as the client reads, and `csv` would be a new
// dependency of every build that starts a sandbox for six lines.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub(crate) const CSV_HEADER: &str = "id,title,severity,cvss,status,asset,scan_id,discovered_at\r\n";

/// What a scan of `asset` found: `count` distinct findings, drawn from `rng`.
pub(crate) struct Target<'a> {
    pub(crate) asset_id: &'a str,
    pub(crate) asset_name: &'a str,
    pub(crate) asset_type: AssetType,
    pub(crate) scan_id: &'a str,
}

/// Creates `count` findings for `target`, discovered at `at`; returns their indices.
pub(crate) fn discover(
    db: &mut Db,
    rng: &mut Rng,
    target: &Target<'_>,
    count: usize,
    at: DateTime<Utc>,
    status: impl Fn(&mut Rng) -> FindingStatus,
) -> Vec<usize> {
    let mut used: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(count);
    while used.len() < count.min(TEMPLATES.len()) {
        let i = rng.below(TEMPLATES.len() as u64) as usize;
        if used.contains(&i) {
            continue;
        }
        used.push(i);
        let template = &TEMPLATES[i];
        db.next.finding += 1;
        let seq = db.seq();
        let status = status(rng);
        let position = db.findings.push(Finding {
            seq,
            id: format!("f-{}", 70_000 + db.next.finding),
            title: template.title.to_string(),
            severity: template.severity,
            cvss: jitter(rng, template),
            cvss_vector: template.vector.to_string(),
            status,
            asset_id: target.asset_id.to_string(),
            asset_name: target.asset_name.to_string(),
            asset_type: target.asset_type,
            scan_id: target.scan_id.to_string(),
            description: template.description.to_string(),
            remediation: template.remediation.to_string(),
            references: vec![template.reference.to_string()],
            evidence: evidence(target, template),
            notes: Vec::new(),
            discovered_at: at,
            updated_at: at,
        });
        out.push(position);
    }
    out
}

fn jitter(rng: &mut Rng, t: &Template) -> f64 {
    let (lo, hi) = t.severity.cvss_band();
    let delta = (rng.below(5) as f64 - 2.0) / 10.0;
    ((t.cvss + delta).clamp(lo, hi) * 10.0).round() / 10.0
}

fn evidence(target: &Target<'_>, t: &Template) -> Value {
    let host = target
        .asset_name
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    if t.path.starts_with('/') {
        json!({
            "url": format!("https://{host}{}", t.path),
            "request": format!("GET {} HTTP/1.1\r\nHost: {host}", t.path),
            "response_status": 200,
            "matched": t.title,
        })
    } else {
        json!({ "host": host, "probe": t.path, "matched": t.title })
    }
}

/// The list filters (query on list, body on export).
#[derive(Debug, Default)]
struct Filter {
    severity: Option<Vec<Severity>>,
    status: Option<FindingStatus>,
    asset_id: Option<String>,
    scan_id: Option<String>,
    cvss_min: Option<f64>,
    cvss_max: Option<f64>,
    search: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

impl Filter {
    fn from_query(q: &Query, check: &mut Check) -> Filter {
        Filter {
            severity: check.query_enum_list::<Severity>(q, "severity"),
            status: check.query_enum::<FindingStatus>(q, "status"),
            asset_id: q.get("asset_id").map(str::to_string),
            scan_id: q.get("scan_id").map(str::to_string),
            cvss_min: check.query_number(q, "cvss_min"),
            cvss_max: check.query_number(q, "cvss_max"),
            search: q.get("search").map(str::to_lowercase),
            from: check.query_time(q, "from"),
            to: check.query_time(q, "to"),
        }
        .checked(check)
    }

    fn from_body(obj: &Object, check: &mut Check) -> Filter {
        Filter {
            severity: check.opt_enum_list::<Severity>(obj, "severity"),
            status: check.opt_enum::<FindingStatus>(obj, "status"),
            asset_id: check.opt_string(obj, "asset_id"),
            scan_id: check.opt_string(obj, "scan_id"),
            cvss_min: check.opt_number(obj, "cvss_min"),
            cvss_max: check.opt_number(obj, "cvss_max"),
            search: check.opt_string(obj, "search").map(|s| s.to_lowercase()),
            from: check.opt_time(obj, "from"),
            to: check.opt_time(obj, "to"),
        }
        .checked(check)
    }

    fn checked(self, check: &mut Check) -> Filter {
        for (name, value) in [("cvss_min", self.cvss_min), ("cvss_max", self.cvss_max)] {
            if value.is_some_and(|v| !(0.0..=10.0).contains(&v)) {
                check.fail(name, "must be between 0 and 10");
            }
        }
        self
    }

    fn matches(&self, f: &Finding) -> bool {
        self.severity
            .as_ref()
            .is_none_or(|s| s.contains(&f.severity))
            && self.status.is_none_or(|s| f.status == s)
            && self.asset_id.as_deref().is_none_or(|a| f.asset_id == a)
            && self.scan_id.as_deref().is_none_or(|s| f.scan_id == s)
            && self.cvss_min.is_none_or(|m| f.cvss >= m)
            && self.cvss_max.is_none_or(|m| f.cvss <= m)
            && self.from.is_none_or(|t| f.discovered_at >= t)
            && self.to.is_none_or(|t| f.discovered_at <= t)
            && self.search.as_deref().is_none_or(|s| {
                f.title.to_lowercase().contains(s)
                    || f.description.to_lowercase().contains(s)
                    || f.asset_name.to_lowercase().contains(s)
            })
    }
}

pub(crate) async fn list(State(sh): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let mut check = Check::default();
    let paging = Paging::read(&query, &mut check);
    let filter = Filter::from_query(&query, &mut check);
    let sort_by = check.query_enum::<FindingSort>(&query, "sort_by");
    let order = sort_order(&query, &mut check);
    check.finish()?;

    let db = sh.db();
    let ordered = db
        .findings
        .walk(
            order_of(sort_by.unwrap_or(FindingSort::DiscoveredAt)),
            order,
        )
        .filter(|f| filter.matches(f));
    let (total, items) = paging.select(ordered);
    let data: Vec<FindingView<'_>> = items.iter().map(|f| f.wire(false)).collect();
    Ok(page(paging, total, data))
}

pub(crate) async fn get(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let db = sh.db();
    let finding = db
        .findings
        .iter()
        .find(|f| f.id == id)
        .ok_or_else(|| ApiError::not_found("finding", &id))?;
    Ok(ok(finding.wire(true)))
}

pub(crate) async fn update(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let status = check.opt_enum::<FindingStatus>(&obj, "status");
    let note = check.opt_string(&obj, "note");
    check.finish()?;
    let now = sh.now();
    let mut db = sh.db();
    let finding = db
        .findings
        .iter_mut()
        .find(|f| f.id == id)
        .ok_or_else(|| ApiError::not_found("finding", &id))?;
    let previous = finding.status;
    if let Some(status) = status {
        finding.status = status;
    }
    if let Some(note) = note.filter(|n| !n.trim().is_empty()) {
        finding.notes.push((note, now));
    }
    finding.updated_at = now;
    let view = finding.view(true);
    if finding.status != previous {
        let mut data = finding.view(false);
        data["previous_status"] = json!(previous);
        db.emit("finding.status_changed", now, data);
    }
    Ok(ok(view))
}

/// Findings per chunk of the streamed export.
const EXPORT_CHUNK: usize = 64;

pub(crate) async fn export(State(sh): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let format = check.req_enum::<ExportFormat>(&obj, "format");
    let filter = Filter::from_body(&obj, &mut check);
    check.finish()?;
    let format = format.ok_or_else(|| ApiError::invalid("format", "is required"))?;

    // A snapshot of the matching records; the file itself is rendered chunk by
    // chunk as the client reads it.
    let rows: Vec<Finding> = {
        let db = sh.db();
        db.findings
            .iter()
            .filter(|f| filter.matches(f))
            .cloned()
            .collect()
    };
    let chunks: Vec<Vec<Finding>> = rows.chunks(EXPORT_CHUNK).map(<[Finding]>::to_vec).collect();
    let (content_type, filename, head, tail): (&str, &str, &str, &str) = match format {
        ExportFormat::Csv => ("text/csv", "findings.csv", CSV_HEADER, ""),
        ExportFormat::Json => ("application/json", "findings.json", "[", "]"),
    };
    let body_chunks = chunks.into_iter().enumerate().map(move |(i, chunk)| {
        let mut out = String::new();
        for (j, f) in chunk.iter().enumerate() {
            match format {
                ExportFormat::Csv => out.push_str(&f.csv_row()),
                ExportFormat::Json => {
                    if i + j > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(&f.wire(true)).unwrap_or_default());
                }
            }
        }
        Ok::<Bytes, Infallible>(Bytes::from(out))
    });
    let stream = stream::iter(
        std::iter::once(Ok(Bytes::from_static(head.as_bytes())))
            .chain(body_chunks)
            .chain(std::iter::once(Ok(Bytes::from_static(tail.as_bytes())))),
    );
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn discover_is_deterministic_and_distinct() {
        let now: DateTime<Utc> = "2026-05-01T00:00:00Z".parse().unwrap();
        let target = Target {
            asset_id: "a-1001",
            asset_name: "shop.example.com",
            asset_type: AssetType::Domain,
            scan_id: "sc-44001",
        };
        let titles = |seed| {
            let mut db = Db::empty(seed, now);
            let idx = discover(&mut db, &mut Rng::new(seed), &target, 6, now, |_| {
                FindingStatus::Open
            });
            idx.iter()
                .map(|&i| db.findings[i].title.clone())
                .collect::<Vec<_>>()
        };
        let a = titles(1);
        assert_eq!(a, titles(1));
        let mut dedup = a.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), 6);
    }

    #[test]
    fn typed_views_print_like_the_trees_they_replace() {
        let db = crate::seed::generate(42, "2026-05-01T00:00:00Z".parse().unwrap());
        assert!(!db.findings.is_empty());
        let mut with_notes = db.findings[0].clone();
        with_notes
            .notes
            .push(("fixed".into(), with_notes.updated_at));
        for finding in db.findings.iter().chain([&with_notes]) {
            for detail in [false, true] {
                crate::api::envelope::assert_prints_like_a_tree(&finding.wire(detail));
            }
        }
        assert!(!db.scans.is_empty());
        for scan in db.scans.iter() {
            crate::api::envelope::assert_prints_like_a_tree(&scan.wire());
        }
    }

    #[test]
    fn cvss_stays_in_its_band() {
        let mut rng = Rng::new(3);
        for t in TEMPLATES {
            for _ in 0..20 {
                let c = jitter(&mut rng, t);
                let (lo, hi) = t.severity.cvss_band();
                assert!((lo..=hi).contains(&c), "{} {c}", t.title);
            }
        }
    }
}
