//! A small in-process mock of the S4E findings API for the examples, until the
//! stateful sandbox (issue #4) replaces it. It answers from generated data and
//! honours the list filters the examples use.

#![allow(dead_code)]

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The key the mock accepts.
pub(crate) const DEMO_KEY: &str = "sk_demo_tour";

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];
const TITLES: [&str; 6] = [
    "Outdated TLS version",
    "Missing HSTS header",
    "Exposed admin panel",
    "SQL injection in search",
    "Open SSH port",
    "Expired certificate",
];

fn finding(n: usize) -> Value {
    json!({
        "id": format!("f-{}", 70000 + n),
        "title": TITLES[n % TITLES.len()],
        "severity": SEVERITIES[n % SEVERITIES.len()],
        "cvss": 9.8 - (n % 10) as f64,
        "status": "open",
        "asset": {"id": format!("a-{}", 1000 + n % 7), "name": "shop.example.com", "type": "domain"},
        "scan_id": "sc-44021",
        "references": [],
        "discovered_at": "2026-05-03T10:07:00Z"
    })
}

fn all_findings() -> Vec<Value> {
    (1..=60).map(finding).collect()
}

fn authorized(request: &Request) -> bool {
    request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {DEMO_KEY}"))
}

fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "status": "error",
        "error": {"code": code, "message": message}
    }))
}

fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn matches_filters(item: &Value, severity: Option<&str>, status: Option<&str>) -> bool {
    let field = |name: &str| item[name].as_str().unwrap_or_default().to_owned();
    severity.is_none_or(|s| s.split(',').any(|s| s == field("severity")))
        && status.is_none_or(|s| s == field("status"))
}

struct List;

impl Respond for List {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if !authorized(request) {
            return error(401, "unauthorized", "missing or invalid API key");
        }
        let page: usize = query(request, "page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let per_page: usize = query(request, "per_page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(20);
        if !(1..=100).contains(&per_page) || page == 0 {
            return error(422, "validation_failed", "page or per_page out of range");
        }
        let severity = query(request, "severity");
        let status = query(request, "status");
        let items: Vec<Value> = all_findings()
            .into_iter()
            .filter(|f| matches_filters(f, severity.as_deref(), status.as_deref()))
            .collect();
        let total = items.len();
        let data: Vec<Value> = items
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "data": data,
            "meta": {"total": total, "page": page, "per_page": per_page, "total_pages": total.div_ceil(per_page)}
        }))
    }
}

struct One;

impl Respond for One {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if !authorized(request) {
            return error(401, "unauthorized", "missing or invalid API key");
        }
        let id = request.url.path().rsplit('/').next().unwrap_or_default();
        let Some(mut item) = all_findings().into_iter().find(|f| f["id"] == id) else {
            return error(404, "not_found", &format!("finding {id} not found"));
        };
        if request.method.as_str() == "PATCH" {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            if let Some(status) = body.get("status") {
                item["status"] = status.clone();
            }
        }
        item["cvss_vector"] = json!("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        ResponseTemplate::new(200).set_body_json(json!({"data": item}))
    }
}

struct Export;

impl Respond for Export {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if !authorized(request) {
            return error(401, "unauthorized", "missing or invalid API key");
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let severity = body["severity"].as_array().map(|s| {
            s.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(",")
        });
        let mut csv = String::from("id,title,severity,cvss,status,asset,scan_id,discovered_at\n");
        for f in all_findings()
            .iter()
            .filter(|f| matches_filters(f, severity.as_deref(), None))
        {
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                f["id"].as_str().unwrap_or_default(),
                f["title"].as_str().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default(),
                f["cvss"],
                f["status"].as_str().unwrap_or_default(),
                f["asset"]["name"].as_str().unwrap_or_default(),
                f["scan_id"].as_str().unwrap_or_default(),
                f["discovered_at"].as_str().unwrap_or_default(),
            ));
        }
        ResponseTemplate::new(200).set_body_raw(csv, "text/csv")
    }
}

/// Starts the mock.
pub(crate) async fn start() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/findings"))
        .respond_with(List)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/findings/export"))
        .respond_with(Export)
        .mount(&server)
        .await;
    Mock::given(path_regex(r"^/v1/findings/[^/]+$"))
        .respond_with(One)
        .mount(&server)
        .await;
    server
}

/// A client from `S4E_API_KEY` when it is set, else one pointed at a fresh mock
/// (returned too, to keep it alive).
pub(crate) async fn client_from_env_or_mock() -> s4e::Result<(s4e::Client, Option<MockServer>)> {
    if std::env::var("S4E_API_KEY").is_ok_and(|k| !k.trim().is_empty()) {
        return Ok((s4e::Client::from_env()?, None));
    }
    let server = start().await;
    let client = s4e::Client::builder(DEMO_KEY)
        .base_url(format!("{}/v1", server.uri()))
        .build()?;
    Ok((client, Some(server)))
}
