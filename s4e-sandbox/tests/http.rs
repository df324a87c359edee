//! The sandbox over real HTTP: auth, CRUD, pagination, filters, the clock,
//! idempotency, faults, rate limits, the request log, export and webhooks.

use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{HeaderMap, Method, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use s4e_sandbox::{Fault, KeyKind, LimitedEndpoint, RequestRecord, Sandbox};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;
use upstream::{Upstream, upstream};

mod cassette;
mod upstream;

/// A small HTTP client on hyper-util's legacy client (the one reqwest wraps),
/// so these tests do not depend on which TLS features a workspace build
/// unifies into reqwest.
#[derive(Clone)]
struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
}

struct Req {
    client: Client<HttpConnector, Full<Bytes>>,
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Bytes,
    timeout: Duration,
}

#[derive(Debug)]
enum SendError {
    Timeout,
    Http(hyper_util::client::legacy::Error),
}

impl SendError {
    fn is_timeout(&self) -> bool {
        matches!(self, SendError::Timeout)
    }
}

#[derive(Debug)]
struct Resp(hyper::Response<Incoming>);

impl Resp {
    fn status(&self) -> StatusCode {
        self.0.status()
    }

    fn headers(&self) -> &HeaderMap {
        self.0.headers()
    }

    async fn bytes(self) -> Result<Bytes, hyper::Error> {
        Ok(self.0.into_body().collect().await?.to_bytes())
    }
}

impl Http {
    fn new() -> Http {
        Http {
            client: Client::builder(TokioExecutor::new()).build(HttpConnector::new()),
        }
    }

    fn request(&self, method: Method, url: impl Into<String>) -> Req {
        Req {
            client: self.client.clone(),
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Bytes::new(),
            timeout: Duration::from_secs(10),
        }
    }

    fn get(&self, url: impl Into<String>) -> Req {
        self.request(Method::GET, url)
    }

    fn post(&self, url: impl Into<String>) -> Req {
        self.request(Method::POST, url)
    }

    fn delete(&self, url: impl Into<String>) -> Req {
        self.request(Method::DELETE, url)
    }
}

impl Req {
    fn header(mut self, name: &str, value: impl Into<String>) -> Req {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
        self
    }

    fn bearer_auth(self, key: &str) -> Req {
        self.header("Authorization", format!("Bearer {key}"))
    }

    fn body(mut self, body: impl Into<String>) -> Req {
        self.body = Bytes::from(body.into());
        self
    }

    fn timeout(mut self, timeout: Duration) -> Req {
        self.timeout = timeout;
        self
    }

    async fn send(self) -> Result<Resp, SendError> {
        let mut builder = hyper::Request::builder().method(self.method).uri(&self.url);
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let request = builder.body(Full::new(self.body)).expect("a valid request");
        match tokio::time::timeout(self.timeout, self.client.request(request)).await {
            Ok(Ok(response)) => Ok(Resp(response)),
            Ok(Err(e)) => Err(SendError::Http(e)),
            Err(_) => Err(SendError::Timeout),
        }
    }
}

struct Api {
    sandbox: Sandbox,
    http: Http,
}

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
    json: Value,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn data(&self) -> &Value {
        &self.json["data"]
    }

    /// The items of a list answer, asserting there is at least one: a
    /// filter checked with `.all(..)` over no items would prove nothing.
    #[track_caller]
    fn items(&self, what: &str) -> &[Value] {
        let items = self.data().as_array().expect("a list answer");
        assert!(!items.is_empty(), "{what}: the list is empty");
        items
    }

    fn detail_fields(&self) -> Vec<String> {
        self.json["error"]["details"]
            .as_array()
            .map(|d| {
                d.iter()
                    .map(|x| x["field"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn start_time() -> DateTime<Utc> {
    "2026-05-01T09:00:00Z".parse().unwrap()
}

impl Api {
    /// A sandbox on a manual clock, so nothing moves unless a test says so.
    async fn new() -> Api {
        let sandbox = Sandbox::builder()
            .seed(42)
            .manual_clock()
            .start_time(start_time())
            .start()
            .await
            .expect("sandbox starts");
        Api {
            sandbox,
            http: Http::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("/__sandbox") {
            format!("{}{path}", self.sandbox.base_url().trim_end_matches("/v1"))
        } else {
            format!("{}{path}", self.sandbox.base_url())
        }
    }

    fn request(&self, method: Method, path: &str) -> Req {
        self.http.request(method, self.url(path)).header(
            "Authorization",
            format!("Bearer {}", self.sandbox.api_key()),
        )
    }

    async fn send(&self, builder: Req) -> Reply {
        let response = builder.send().await.expect("an answer");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("a body");
        let text = String::from_utf8(body.to_vec()).expect("UTF-8");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut b = self.request(method, path);
        if let Some(body) = body {
            b = b
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        self.send(b).await
    }

    async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }
}

// ---- auth, envelopes, headers ----

#[tokio::test]
async fn auth_is_enforced() {
    let api = Api::new().await;
    let none = api.send(api.http.get(api.url("/assets"))).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.json["status"], "error");
    assert_eq!(none.json["error"]["code"], "unauthorized");

    let wrong = api
        .send(api.http.get(api.url("/assets")).bearer_auth("nope"))
        .await;
    assert_eq!(wrong.status, 401);

    let x_api_key = api
        .send(
            api.http
                .get(api.url("/assets"))
                .header("X-API-Key", api.sandbox.api_key()),
        )
        .await;
    assert_eq!(x_api_key.status, 200);

    let ro = api.sandbox.read_only_key().to_string();
    let read = api
        .send(api.http.get(api.url("/findings")).bearer_auth(&ro))
        .await;
    assert_eq!(read.status, 200);
    let write = api
        .send(
            api.http
                .post(api.url("/assets"))
                .bearer_auth(&ro)
                .body(r#"{"name":"x.example.com","type":"domain"}"#),
        )
        .await;
    assert_eq!(write.status, 403);
    assert_eq!(write.json["error"]["code"], "forbidden");
    let delete = api
        .send(api.http.delete(api.url("/assets/a-1001")).bearer_auth(&ro))
        .await;
    assert_eq!(delete.status, 403);
    // Export only reads, so a read-only key may.
    let export = api
        .send(
            api.http
                .post(api.url("/findings/export"))
                .bearer_auth(&ro)
                .body(r#"{"format":"csv"}"#),
        )
        .await;
    assert_eq!(export.status, 200);
    assert_eq!(
        api.get("/assets/a-1001").await.status,
        200,
        "nothing was deleted"
    );
}

#[tokio::test]
async fn every_response_has_request_id_and_rate_limit_headers() {
    let api = Api::new().await;
    let created = api
        .post(
            "/assets",
            json!({"name": "h.example.com", "type": "domain"}),
        )
        .await;
    let id = created.data()["id"].as_str().unwrap().to_string();
    let replies = [
        api.get("/assets").await,
        created,
        api.delete(&format!("/assets/{id}")).await,
        api.get(&format!("/assets/{id}")).await,
        api.send(api.http.get(api.url("/assets"))).await,
        api.get("/nope").await,
    ];
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses, [200, 201, 204, 404, 401, 404]);
    for r in &replies {
        assert!(r.header("x-request-id").starts_with("req_"), "{r:?}");
        for h in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ] {
            assert!(r.header(h).parse::<i64>().is_ok(), "{h} on {}", r.status);
        }
    }
    assert!(replies[2].text.is_empty(), "204 has no body");
    assert_eq!(replies[3].json["error"]["code"], "not_found");
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let api = Api::new().await;
    let r = api
        .call(Method::PUT, "/assets/a-1001", Some(json!({})))
        .await;
    assert_eq!(r.status, 405);
    let allow = r.header("allow");
    for m in ["GET", "PATCH", "DELETE"] {
        assert!(allow.contains(m), "{allow}");
    }
    assert_eq!(r.json["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn input_problems_are_422_naming_the_field() {
    let api = Api::new().await;
    let bad_json = api
        .send(api.request(Method::POST, "/assets").body("{\"name\":"))
        .await;
    assert_eq!(bad_json.status, 422);
    assert_eq!(bad_json.detail_fields(), ["body"]);

    let r = api
        .post(
            "/scans",
            json!({"asset_id": "a-1001", "scan_type": "fulll", "options": {"depth": 3}}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json["error"]["code"], "validation_failed");
    assert_eq!(r.detail_fields(), ["scan_type", "options.depth"]);

    let r = api
        .post("/assets", json!({"type": "ip", "tags": "x"}))
        .await;
    assert_eq!(r.detail_fields(), ["name", "tags"]);
    let r = api
        .post("/assets", json!({"name": "not-an-ip", "type": "ip"}))
        .await;
    assert_eq!(r.detail_fields(), ["name"]);

    for q in [
        "per_page=101",
        "per_page=0",
        "page=0",
        "severity=fatal",
        "cvss_min=high",
        "from=yesterday",
        "sort_order=up",
    ] {
        let r = api.get(&format!("/findings?{q}")).await;
        assert_eq!(r.status, 422, "{q}");
        assert_eq!(r.detail_fields().len(), 1, "{q}");
    }
    let huge = format!(
        r#"{{"name": "big.example.com", "type": "domain", "description": "{}"}}"#,
        "x".repeat(3 << 20)
    );
    let r = api
        .send(api.request(Method::POST, "/assets").body(huge))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.detail_fields()),
        (422, vec!["body".to_string()])
    );
    // Unknown fields are ignored.
    let ok = api
        .post(
            "/assets",
            json!({"name": "z.example.org", "type": "domain", "colour": "red"}),
        )
        .await;
    assert_eq!(ok.status, 201);
}

#[tokio::test]
async fn unknown_ids_are_404_in_path_and_body() {
    let api = Api::new().await;
    for path in [
        "/assets/a-9",
        "/scans/sc-9",
        "/scans/sc-9/status",
        "/findings/f-9",
        "/actions/act-none",
        "/playbooks/pb-none",
        "/webhooks/wh-999",
    ] {
        assert_eq!(api.get(path).await.status, 404, "{path}");
    }
    let r = api
        .post("/scans", json!({"asset_id": "a-9", "scan_type": "quick"}))
        .await;
    assert_eq!(r.status, 404);
    let r = api
        .post(
            "/playbooks/pb-tls-expiry/run",
            json!({"target_asset_id": "a-9"}),
        )
        .await;
    assert_eq!(r.status, 404);
}

// ---- CRUD ----

#[tokio::test]
async fn assets_crud_is_consistent() {
    let api = Api::new().await;
    let created = api
        .post(
            "/assets",
            json!({"name": "New.Example.com", "type": "domain", "tags": ["web", "web", "pci"]}),
        )
        .await;
    assert_eq!(created.status, 201);
    let a = created.data().clone();
    let id = a["id"].as_str().unwrap();
    assert_eq!(id, "a-1037");
    assert_eq!(a["status"], "pending_verification");
    assert_eq!(a["name"], "new.example.com");
    assert_eq!(a["tags"], json!(["web", "pci"]));
    assert_eq!(a["created_at"], "2026-05-01T09:00:00Z");

    let got = api.get(&format!("/assets/{id}")).await;
    assert_eq!(
        got.data()["finding_summary"],
        json!({"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0})
    );
    assert!(got.data()["metadata"].is_object());

    let listed = api.get("/assets?search=new.example&per_page=100").await;
    assert_eq!(listed.data().as_array().unwrap().len(), 1);
    assert_eq!(listed.data()[0]["id"], id);

    let patched = api
        .patch(
            &format!("/assets/{id}"),
            json!({"tags": ["prod"], "description": "the new one"}),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.data()["tags"], json!(["prod"]));
    assert_eq!(
        api.get(&format!("/assets/{id}")).await.data()["description"],
        "the new one"
    );

    let verified = api.post(&format!("/assets/{id}/verify"), json!({})).await;
    assert_eq!(verified.status, 200);
    assert_eq!(
        (
            verified.data()["verified"].clone(),
            verified.data()["status"].clone()
        ),
        (json!(true), json!("active"))
    );

    assert_eq!(api.delete(&format!("/assets/{id}")).await.status, 204);
    assert_eq!(api.get(&format!("/assets/{id}")).await.status, 404);
    assert_eq!(api.delete(&format!("/assets/{id}")).await.status, 404);
    assert_eq!(api.get("/assets").await.json["meta"]["total"], 36);
}

#[tokio::test]
async fn bulk_create_reports_each_failure() {
    let api = Api::new().await;
    let r = api
        .post(
            "/assets/bulk",
            json!({"assets": [
                {"name": "b1.example.com", "type": "domain"},
                {"name": "999.1.1.1", "type": "ip"},
                {"name": "192.0.2.0/24", "type": "network"},
                {"name": "shop.example.org", "type": "network"}
            ]}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.data()["created"].as_array().unwrap().len(), 2);
    let failed = r.data()["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["name"], "999.1.1.1");
    assert_eq!(failed[1]["name"], "shop.example.org");
    assert!(failed[1]["error"].as_str().unwrap().starts_with("name: "));
    // A body that breaks the schema is refused as a whole: nothing is created.
    let before = api.get("/assets").await.json["meta"]["total"].clone();
    let r = api
        .post(
            "/assets/bulk",
            json!({"assets": [
                {"name": "b2.example.com", "type": "domain"},
                {"type": "url", "tags": [7]},
                "b3.example.com"
            ]}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.detail_fields()),
        (
            422,
            vec![
                "assets[1].name".to_string(),
                "assets[1].tags[0]".to_string(),
                "assets[2]".to_string()
            ]
        )
    );
    assert_eq!(api.get("/assets").await.json["meta"]["total"], before);
    assert_eq!(
        api.post("/assets/bulk", json!({"assets": []})).await.status,
        422
    );
}

#[tokio::test]
async fn actions_crud_validate_trigger() {
    let api = Api::new().await;
    let body = json!({
        "name": "Page on-call", "type": "notification", "executor": "webhook",
        "parameters": [{"name": "team", "type": "string", "required": true}, {"name": "token", "type": "secret"}]
    });
    let created = api.post("/actions", body.clone()).await;
    assert_eq!(created.status, 201);
    assert_eq!(created.data()["id"], "act-page-on-call");
    assert_eq!(
        api.post("/actions", body).await.data()["id"],
        "act-page-on-call-2"
    );
    assert_eq!(
        api.get("/actions/act-page-on-call").await.data()["version"],
        "1.0.0"
    );
    let listed = api.get("/actions?type=notification").await;
    assert!(
        listed
            .data()
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == "act-page-on-call")
    );
    let patched = api
        .patch(
            "/actions/act-page-on-call",
            json!({"description": "wake someone"}),
        )
        .await;
    assert_eq!(
        (
            patched.data()["version"].clone(),
            patched.data()["description"].clone()
        ),
        (json!("1.0.1"), json!("wake someone"))
    );

    let v = api
        .post("/actions/validate", json!({"name": "x", "type": "script"}))
        .await;
    assert_eq!(v.status, 200);
    assert_eq!(v.data()["valid"], true);
    assert!(!v.data()["warnings"].as_array().unwrap().is_empty());
    let v = api
        .post(
            "/actions/validate",
            json!({"type": "nope", "parameters": [{"name": "p"}]}),
        )
        .await;
    assert_eq!(v.data()["valid"], false);
    let paths: Vec<&str> = v.data()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["name", "type", "parameters[0].type"]);

    let missing = api
        .post(
            "/actions/act-page-on-call/trigger",
            json!({"parameters": {}}),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.detail_fields(), ["parameters.team"]);
    let exec = api
        .post(
            "/actions/act-page-on-call/trigger",
            json!({"parameters": {"team": "sre", "token": "s3cret"}, "sandbox": true}),
        )
        .await;
    assert_eq!(exec.status, 202);
    // The trigger answers the bare execution (API.md §2).
    assert_eq!(exec.json["status"], "queued");
    let exec_id = exec.json["execution_id"].as_str().unwrap().to_string();
    api.sandbox.controls().advance(Duration::from_secs(60));
    let done = api
        .get(&format!("/actions/act-page-on-call/executions/{exec_id}"))
        .await;
    assert_eq!(done.data()["status"], "completed");
    assert_eq!(done.data()["output"]["parameters"]["token"], "***");
    assert!(done.data()["finished_at"].is_string());

    assert_eq!(api.delete("/actions/act-page-on-call").await.status, 204);
    assert_eq!(api.get("/actions/act-page-on-call").await.status, 404);
}

#[tokio::test]
async fn playbooks_crud_and_a_run() {
    let api = Api::new().await;
    let created = api
        .post(
            "/playbooks",
            json!({"name": "Contain host", "version": "1.0", "trigger": {"event": "finding.new", "conditions": {"severity": "critical"}}, "steps": [{"name": "isolate", "action_ref": "act-isolate-host"}, {"id": "tell", "type": "approval"}], "tags": ["ir"]}),
        )
        .await;
    assert_eq!(created.status, 201);
    let pb = created.data().clone();
    assert_eq!(
        (pb["id"].clone(), pb["step_count"].clone()),
        (json!("pb-contain-host"), json!(2))
    );
    assert_eq!(pb["steps"][0]["id"], "step-1");
    // The docs require `steps` but do not say it must hold one.
    let empty = api
        .post(
            "/playbooks",
            json!({"name": "x", "version": "1", "trigger": {"event": "manual"}, "steps": []}),
        )
        .await;
    assert_eq!(
        (empty.status.as_u16(), empty.data()["step_count"].clone()),
        (201, json!(0)),
        "{}",
        empty.text
    );
    assert_eq!(api.get("/playbooks?tag=ir").await.json["meta"]["total"], 1);
    let patched = api
        .patch(
            "/playbooks/pb-contain-host",
            json!({"on_failure": "continue", "version": "2"}),
        )
        .await;
    assert_eq!(
        (
            patched.data()["on_failure"].clone(),
            patched.data()["version"].clone()
        ),
        (json!("continue"), json!("2"))
    );

    assert_eq!(
        api.post("/playbooks/pb-contain-host/run", json!({}))
            .await
            .detail_fields(),
        ["target_asset_id"]
    );
    let run = api
        .post(
            "/playbooks/pb-contain-host/run",
            json!({"target_asset_id": "a-1001", "dry_run": true}),
        )
        .await;
    assert_eq!(run.status, 202);
    let run_id = run.data()["run_id"].as_str().unwrap().to_string();
    assert_eq!(run.data()["status"], "pending");
    let path = format!("/playbooks/pb-contain-host/runs/{run_id}");
    api.sandbox.controls().advance(Duration::from_secs(1)); // 60 nominal seconds at the default speed
    let mid = api.get(&path).await;
    assert_eq!(mid.data()["status"], "running");
    assert_eq!(
        mid.data()["steps"],
        json!([{"id": "step-1", "status": "completed"}, {"id": "tell", "status": "waiting"}])
    );
    api.sandbox.controls().advance(Duration::from_secs(60));
    assert_eq!(api.get(&path).await.data()["status"], "completed");

    assert_eq!(api.delete("/playbooks/pb-contain-host").await.status, 204);
    assert_eq!(api.get("/playbooks/pb-contain-host").await.status, 404);
}

#[tokio::test]
async fn webhooks_crud_never_shows_the_secret() {
    let api = Api::new().await;
    let r = api
        .post(
            "/webhooks",
            json!({"name": "plain", "url": "http://example.com/hook", "events": ["scan.completed"]}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.detail_fields(), ["url"]);
    assert_eq!(
        api.post(
            "/webhooks",
            json!({"name": "typo", "url": "http://127.0.0.1:1/h", "events": ["scan.done", "*"]})
        )
        .await
        .detail_fields(),
        ["events[0]", "events[1]"]
    );
    let created = api
        .post("/webhooks", json!({"name": "mine", "url": "http://127.0.0.1:1/h", "events": ["scan.completed"], "secret": "whsec_x"}))
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.data()["id"], "wh-003");
    assert!(!created.text.contains("whsec_x"));
    assert_eq!(created.data()["active"], true);
    let listed = api.get("/webhooks").await;
    assert_eq!(listed.json["meta"]["total"], 3);
    assert!(!listed.text.contains("whsec"));
    let patched = api
        .patch(
            "/webhooks/wh-003",
            json!({"active": false, "url": "http://localhost:2/x"}),
        )
        .await;
    assert_eq!(
        (
            patched.data()["active"].clone(),
            patched.data()["url"].clone()
        ),
        (json!(false), json!("http://localhost:2/x"))
    );
    assert_eq!(api.delete("/webhooks/wh-003").await.status, 204);
    assert_eq!(api.get("/webhooks/wh-003").await.status, 404);
}

// ---- lists ----

#[tokio::test]
async fn pagination_meta_and_pages_add_up() {
    let api = Api::new().await;
    let first = api.get("/findings?per_page=100").await;
    let total = first.json["meta"]["total"].as_u64().unwrap();
    assert!(total >= 200, "several hundred findings, got {total}");
    assert_eq!(first.json["meta"]["total_pages"], total.div_ceil(100));
    let mut ids = Vec::new();
    for page in 1..=total.div_ceil(100) {
        let r = api
            .get(&format!("/findings?per_page=100&page={page}"))
            .await;
        assert_eq!(r.json["meta"]["page"], page);
        ids.extend(
            r.data()
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_str().unwrap().to_string()),
        );
    }
    assert_eq!(ids.len() as u64, total);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as u64, total, "no finding on two pages");
    let past = api.get("/findings?page=999").await;
    assert_eq!(past.data(), &json!([]));
    let r = api.get("/assets?per_page=101").await;
    assert_eq!(
        (r.status.as_u16(), r.detail_fields()),
        (422, vec!["per_page".to_string()])
    );
}

#[tokio::test]
async fn filters_and_sorting_agree_with_the_data() {
    let api = Api::new().await;
    let r = api
        .get("/findings?severity=critical,high&per_page=100")
        .await;
    assert!(
        r.items("critical or high findings")
            .iter()
            .all(|f| f["severity"] == "critical" || f["severity"] == "high")
    );
    let all = api.get("/findings?per_page=1").await.json["meta"]["total"]
        .as_u64()
        .unwrap();
    let mut sum = 0;
    for s in ["critical", "high", "medium", "low", "info"] {
        sum += api
            .get(&format!("/findings?severity={s}&per_page=1"))
            .await
            .json["meta"]["total"]
            .as_u64()
            .unwrap();
    }
    assert_eq!(sum, all);

    let r = api
        .get("/findings?cvss_min=7&cvss_max=8.5&sort_by=cvss&sort_order=asc&per_page=100")
        .await;
    let cvss: Vec<f64> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cvss"].as_f64().unwrap())
        .collect();
    assert!(!cvss.is_empty() && cvss.iter().all(|c| (7.0..=8.5).contains(c)));
    assert!(cvss.windows(2).all(|w| w[0] <= w[1]));

    let one = api.get("/findings?per_page=1").await.data()[0].clone();
    let asset_id = one["asset"]["id"].as_str().unwrap();
    let scan_id = one["scan_id"].as_str().unwrap();
    let r = api
        .get(&format!(
            "/findings?asset_id={asset_id}&scan_id={scan_id}&status=open&per_page=100"
        ))
        .await;
    assert!(
        r.items("one asset's open findings of one scan")
            .iter()
            .all(|f| f["asset"]["id"] == asset_id
                && f["scan_id"] == scan_id
                && f["status"] == "open")
    );
    let r = api.get("/findings?search=hsts&per_page=100").await;
    assert!(
        r.items("findings matching `hsts`")
            .iter()
            .all(|f| f["title"].as_str().unwrap().contains("HSTS"))
    );
    let r = api.get("/findings?from=2030-01-01T00:00:00Z").await;
    assert_eq!(r.json["meta"]["total"], 0);

    let ips = api.get("/assets?type=ip&per_page=100").await;
    assert_eq!(ips.json["meta"]["total"], 6);
    assert!(
        ips.data()
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["type"] == "ip")
    );
    let by_name = api
        .get("/assets?sort_by=name&sort_order=asc&per_page=100")
        .await;
    let names: Vec<&str> = by_name
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]));
    let tagged = api
        .get("/assets?tag=production&status=active&per_page=100")
        .await;
    assert!(
        tagged
            .items("active assets tagged production")
            .iter()
            .all(|a| a["status"] == "active"
                && a["tags"].as_array().unwrap().contains(&json!("production")))
    );
    let scans = api.get("/scans?status=completed&per_page=100").await;
    assert_eq!(scans.json["meta"]["total"], 24);
}

// ---- behaviour ----

#[tokio::test]
async fn a_scan_runs_on_the_manual_clock_and_finds_things() {
    let api = Api::new().await;
    let controls = api.sandbox.controls();
    controls.set_scan_speed(1.0); // nominal durations: 30 s queued, 3 min running
    let scan = api
        .post(
            "/scans",
            json!({"asset_id": "a-1001", "scan_type": "quick"}),
        )
        .await;
    assert_eq!(scan.status, 201);
    assert_eq!(scan.data()["status"], "queued");
    let id = scan.data()["id"].as_str().unwrap().to_string();
    let status = format!("/scans/{id}/status");
    assert_eq!(
        api.get(&status).await.data(),
        &json!({"scan_id": id, "status": "queued", "progress": 0, "current_phase": "queued"})
    );

    controls.advance(Duration::from_secs(30 + 90));
    let mid = api.get(&status).await;
    assert_eq!(
        (mid.data()["status"].clone(), mid.data()["progress"].clone()),
        (json!("running"), json!(50))
    );
    assert_eq!(mid.data()["current_phase"], "vulnerability_checks");
    assert_eq!(
        api.get(&format!("/scans/{id}")).await.data()["started_at"],
        "2026-05-01T09:00:30Z"
    );

    controls.advance(Duration::from_secs(90));
    let done = api.get(&format!("/scans/{id}")).await;
    assert_eq!(done.data()["status"], "completed");
    assert_eq!(done.data()["progress"], 100);
    assert_eq!(done.data()["completed_at"], "2026-05-01T09:03:30Z");
    let count = done.data()["finding_count"].as_u64().unwrap();
    assert!((2..=4).contains(&count));
    let found = api.get(&format!("/findings?scan_id={id}")).await;
    assert_eq!(found.json["meta"]["total"], count);
    assert_eq!(
        api.get("/assets/a-1001").await.data()["last_scan"],
        "2026-05-01T09:03:30Z"
    );
    let cancel = api.post(&format!("/scans/{id}/cancel"), json!({})).await;
    assert_eq!(cancel.status, 422);

    let other = api
        .post(
            "/scans",
            json!({"asset_id": "a-1002", "scan_type": "full", "priority": "high"}),
        )
        .await;
    let other_id = other.data()["id"].as_str().unwrap();
    let cancelled = api
        .post(&format!("/scans/{other_id}/cancel"), json!({}))
        .await;
    assert_eq!(
        (
            cancelled.status.as_u16(),
            cancelled.data()["status"].clone()
        ),
        (200, json!("cancelled"))
    );
    assert!(
        cancelled.data()["completed_at"].is_string(),
        "a cancelled scan has a completion time"
    );
}

#[tokio::test]
async fn finding_status_changes_stick() {
    let api = Api::new().await;
    let f = api.get("/findings?status=open&per_page=1").await.data()[0].clone();
    let id = f["id"].as_str().unwrap();
    let r = api
        .patch(
            &format!("/findings/{id}"),
            json!({"status": "resolved", "note": "patched"}),
        )
        .await;
    assert_eq!(r.data()["status"], "resolved");
    let got = api.get(&format!("/findings/{id}")).await;
    assert_eq!(got.data()["status"], "resolved");
    assert!(got.data()["cvss_vector"].is_string() && got.data()["evidence"].is_object());
    let resolved = api
        .get(&format!(
            "/findings?status=resolved&per_page=100&search={}",
            f["title"].as_str().unwrap().replace(' ', "+")
        ))
        .await;
    assert!(
        resolved
            .data()
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id)
    );
    assert_eq!(
        api.patch(&format!("/findings/{id}"), json!({"status": "done"}))
            .await
            .status,
        422
    );
}

#[tokio::test]
async fn idempotency_key_replays_the_first_response() {
    let api = Api::new().await;
    let send = || {
        api.request(Method::POST, "/assets")
            .header("Idempotency-Key", "4a1f1c1e-0000-4000-8000-000000000001")
            .body(r#"{"name": "once.example.com", "type": "domain"}"#)
    };
    let first = api.send(send()).await;
    let second = api.send(send()).await;
    assert_eq!(
        (first.status, second.status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert_eq!(first.text, second.text);
    assert_eq!(second.header("idempotent-replayed"), "true");
    assert_ne!(first.header("x-request-id"), second.header("x-request-id"));
    let found = api.get("/assets?search=once.example.com").await;
    assert_eq!(found.json["meta"]["total"], 1);
    let log = api.sandbox.controls().requests();
    let creates: Vec<_> = log
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/assets")
        .collect();
    assert_eq!(creates.len(), 2);
    assert_eq!((creates[0].replayed, creates[1].replayed), (false, true));
    assert_eq!(
        creates[1].idempotency_key.as_deref(),
        Some("4a1f1c1e-0000-4000-8000-000000000001")
    );
    // Another key is another create.
    let third = api
        .send(
            api.request(Method::POST, "/assets")
                .header("Idempotency-Key", "other")
                .body(r#"{"name": "once.example.com", "type": "domain"}"#),
        )
        .await;
    assert_ne!(third.data()["id"], first.data()["id"]);

    // Two concurrent repeats still create once.
    let concurrent = || {
        api.send(
            api.request(Method::POST, "/assets")
                .header("Idempotency-Key", "race")
                .body(r#"{"name": "race.example.com", "type": "domain"}"#),
        )
    };
    let (a, b) = tokio::join!(concurrent(), concurrent());
    assert_eq!(a.text, b.text);
    assert_eq!(
        api.get("/assets?search=race.example.com").await.json["meta"]["total"],
        1
    );

    // The same key with another body is refused, not answered with a replay.
    let reused = api
        .send(
            api.request(Method::POST, "/assets")
                .header("Idempotency-Key", "race")
                .body(r#"{"name": "other.example.com", "type": "domain"}"#),
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.json["error"]["code"], "idempotency_key_reused");
}

#[tokio::test]
async fn export_streams_csv_and_json() {
    let api = Api::new().await;
    let total = api
        .get("/findings?severity=critical,high&per_page=1")
        .await
        .json["meta"]["total"]
        .as_u64()
        .unwrap();
    let csv = api
        .post(
            "/findings/export",
            json!({"format": "csv", "severity": ["critical", "high"]}),
        )
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), "text/csv");
    assert_eq!(
        csv.header("transfer-encoding"),
        "chunked",
        "streamed, not buffered"
    );
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "id,title,severity,cvss,status,asset,scan_id,discovered_at"
    );
    assert_eq!(lines.len() as u64 - 1, total);
    assert!(lines.len() > 1, "the export has rows");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.contains(",critical,") || l.contains(",high,"))
    );

    let json_export = api
        .post(
            "/findings/export",
            json!({"format": "json", "severity": ["critical", "high"]}),
        )
        .await;
    assert_eq!(json_export.header("content-type"), "application/json");
    assert_eq!(json_export.json.as_array().unwrap().len() as u64, total);
    assert_eq!(
        api.post("/findings/export", json!({"format": "xml"}))
            .await
            .detail_fields(),
        ["format"]
    );
}

// ---- controls ----

#[tokio::test]
async fn status_and_html_faults() {
    let api = Api::new().await;
    let c = api.sandbox.controls();
    c.inject(Fault::status(503).times(2).on("POST", "/assets"));
    let body = json!({"name": "f.example.com", "type": "domain"});
    assert_eq!(api.get("/assets").await.status, 200, "a GET does not match");
    for _ in 0..2 {
        let r = api.post("/assets", body.clone()).await;
        assert_eq!(r.status, 503);
        assert_eq!(r.json["error"]["code"], "service_unavailable");
        assert!(r.header("x-request-id").starts_with("req_"));
    }
    assert_eq!(api.post("/assets", body).await.status, 201);
    assert!(c.faults().is_empty());
    assert_eq!(
        api.get("/assets?search=f.example.com").await.json["meta"]["total"],
        1,
        "faulted requests did nothing"
    );

    c.inject(Fault::html_error(502));
    let r = api.get("/findings").await;
    assert_eq!(r.status, 502);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(r.text.contains("502 Bad Gateway"));

    c.fail_next(1, 500);
    assert_eq!(api.get("/scans").await.status, 500);
    let faults: Vec<Option<String>> = c.requests().iter().map(|r| r.fault.clone()).collect();
    assert_eq!(faults.iter().filter(|f| f.is_some()).count(), 4);
}

#[tokio::test]
async fn connection_faults_are_visible_to_a_client() {
    let api = Api::new().await;
    let c = api.sandbox.controls();

    c.inject(Fault::drop_before_headers().on("POST", "/assets"));
    let err = api
        .request(Method::POST, "/assets")
        .body(r#"{"name": "dropped.example.com", "type": "domain"}"#)
        .send()
        .await
        .expect_err("no response");
    // Connected and sent, then no answer at all.
    assert!(
        matches!(&err, SendError::Http(e) if !e.is_connect()),
        "{err:?}"
    );
    // The request was handled before the connection dropped.
    assert_eq!(
        api.get("/assets?search=dropped").await.json["meta"]["total"],
        1
    );
    let record = c
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        (record.status, record.fault.as_deref()),
        (None, Some("drop_before_headers"))
    );

    c.inject(Fault::drop_after_headers());
    let response = api
        .request(Method::GET, "/findings?per_page=100")
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.is_err(), "the body breaks off");

    c.inject(Fault::truncated_body());
    let r = api.get("/findings?per_page=5").await;
    assert_eq!(r.status, 200);
    assert!(!r.text.is_empty());
    assert!(serde_json::from_str::<Value>(&r.text).is_err(), "cut JSON");
    assert_eq!(r.header("content-length"), r.text.len().to_string());

    // Far longer than the client's timeout plus any delay a loaded machine
    // adds: the timeout, not the answer, ends the call.
    c.inject(Fault::delay(Duration::from_secs(60)));
    let started = Instant::now();
    let err = api
        .request(Method::GET, "/assets")
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(30));

    // The sandbox still serves normally.
    assert_eq!(api.get("/assets").await.status, 200);
    assert_eq!(c.faults(), vec![]);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let api = Api::new().await;
    let c = api.sandbox.controls();
    c.set_rate_limit(Some(3));
    let replies = [
        api.get("/assets").await,
        api.get("/assets").await,
        api.get("/assets").await,
        api.get("/assets").await,
    ];
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses, [200, 200, 200, 429]);
    assert_eq!(replies[0].header("x-ratelimit-limit"), "3");
    assert_eq!(replies[0].header("x-ratelimit-remaining"), "2");
    let limited = &replies[3];
    assert_eq!(limited.json["error"]["code"], "rate_limited");
    let retry: u64 = limited.header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(limited.json["error"]["retry_after"], retry);
    // The bucket is per key: the read-only key still has its own.
    let ro = api
        .send(
            api.http
                .get(api.url("/assets"))
                .bearer_auth(api.sandbox.read_only_key()),
        )
        .await;
    assert_eq!(ro.status, 200);
    c.set_rate_limit(None);
    assert_eq!(api.get("/assets").await.status, 200);
}

/// `docs/API.md` 3: `X-RateLimit-Limit` per minute, `Remaining` after this
/// request, `Reset` the Unix second the window ends, the same on every answer
/// of the window, errors included; a 429 waits for exactly that end.
#[tokio::test]
async fn rate_limit_headers_describe_one_fixed_window() {
    let api = Api::new().await;
    let c = api.sandbox.controls();
    c.set_rate_limit(Some(3));
    let before = chrono::Utc::now().timestamp();
    let first = api.get("/assets").await;
    c.inject(Fault::status(503));
    let fault = api.get("/assets").await;
    let missing = api.get("/assets/a-does-not-exist").await;
    let second = api.get("/assets").await;
    let limited = api.get("/assets").await;
    let reset: i64 = first.header("x-ratelimit-reset").parse().unwrap();
    assert!(
        (before + 59..=before + 61).contains(&reset),
        "{reset} vs {before}"
    );
    let seen: Vec<(u16, &str, &str, &str)> = [&first, &fault, &missing, &second, &limited]
        .iter()
        .map(|r| {
            (
                r.status.as_u16(),
                r.header("x-ratelimit-limit"),
                r.header("x-ratelimit-remaining"),
                r.header("x-ratelimit-reset"),
            )
        })
        .collect();
    let reset_text = reset.to_string();
    let reset = reset_text.as_str();
    assert_eq!(
        seen,
        [
            (200, "3", "2", reset),
            // An injected fault does not reach the limiter: nothing counted.
            (503, "3", "2", reset),
            (404, "3", "1", reset),
            (200, "3", "0", reset),
            (429, "3", "0", reset),
        ]
    );
    let retry: i64 = limited.header("retry-after").parse().unwrap();
    let left = reset.parse::<i64>().unwrap() - chrono::Utc::now().timestamp();
    assert!((left..=left + 1).contains(&retry), "{retry} vs {left}");
    assert_eq!(limited.json["error"]["retry_after"], retry);
}

#[tokio::test]
async fn latency_is_the_least_time_to_an_answer_with_the_work_done_within_it() {
    let api = Api::new().await;
    let c = api.sandbox.controls();
    c.set_latency(Duration::from_secs(3));
    let started = Instant::now();
    let create = api.post(
        "/assets",
        json!({"name": "early.example.com", "type": "domain"}),
    );
    tokio::pin!(create);
    // The asset is created (and the request logged with its status) at
    // once; only the answer waits out the latency.
    let logged = tokio::select! {
        _ = &mut create => false,
        logged = async {
            while c.count("POST", "/assets") == 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            true
        } => logged,
    };
    // The log, watched while the answer was pending, came first: no clock
    // reading needed (a loaded machine could stretch one).
    assert!(logged, "the answer came before the work was logged");
    assert_eq!(c.requests()[0].status, Some(201));
    create.await;
    assert!(started.elapsed() >= Duration::from_secs(3));
}

#[tokio::test]
async fn latency_and_the_request_log() {
    let api = Api::new().await;
    let c = api.sandbox.controls();
    c.set_latency(Duration::from_millis(120));
    let started = Instant::now();
    api.get("/assets?type=ip").await;
    assert!(started.elapsed() >= Duration::from_millis(120));
    c.set_latency(Duration::ZERO);

    api.post(
        "/assets",
        json!({"name": "l1.example.com", "type": "domain"}),
    )
    .await;
    api.post(
        "/assets",
        json!({"name": "l2.example.com", "type": "domain"}),
    )
    .await;
    api.get("/assets/a-1001").await;
    assert_eq!(c.count("POST", "/assets"), 2);
    assert_eq!(c.count("post", "/v1/assets"), 2);
    assert_eq!(c.count("GET", "/assets"), 1);
    assert_eq!(c.count("GET", "/assets/*"), 1);
    let first = &c.requests()[0];
    assert_eq!(
        (
            first.method.as_str(),
            first.path.as_str(),
            first.query.as_deref(),
            first.status
        ),
        ("GET", "/v1/assets", Some("type=ip"), Some(200))
    );
    assert!(first.request_id.starts_with("req_"));
    c.clear_requests();
    assert!(c.requests().is_empty());
}

#[tokio::test]
async fn admin_routes_mirror_the_controls() {
    let api = Api::new().await;
    let admin = |m: Method, p: &str| api.http.request(m, api.url(&format!("/__sandbox{p}")));
    let r = api
        .send(
            admin(Method::POST, "/faults")
                .body(r#"{"kind": "status", "status": 429, "path": "/scans"}"#),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(api.get("/scans").await.status, 429);
    let r = api
        .send(admin(Method::GET, "/requests/count?method=GET&path=/scans"))
        .await;
    assert_eq!(r.data()["count"], 1);
    let r = api
        .send(admin(Method::POST, "/faults").body(r#"{"kind": "explode"}"#))
        .await;
    assert_eq!(r.detail_fields(), ["kind"]);

    let r = api
        .send(
            admin(Method::PATCH, "/settings")
                .body(r#"{"latency_ms": 5, "rate_limit": 50, "scan_speed": 2}"#),
        )
        .await;
    assert_eq!(
        r.data(),
        &json!({"latency_ms": 5, "rate_limit": 50, "scan_speed": 2.0,
                "endpoint_limits": {"scan_create": null, "findings_export": null}})
    );
    assert_eq!(api.sandbox.controls().rate_limit(), Some(50));
    let r = api
        .send(admin(Method::POST, "/clock/advance").body(r#"{"seconds": 90}"#))
        .await;
    assert_eq!(r.data()["now"], "2026-05-01T09:01:30Z");
    assert_eq!(r.data()["paused"], true);

    api.post(
        "/assets",
        json!({"name": "gone.example.com", "type": "domain"}),
    )
    .await;
    assert_eq!(api.send(admin(Method::POST, "/reset")).await.status, 200);
    assert_eq!(api.get("/assets").await.json["meta"]["total"], 36);
    assert_eq!(api.sandbox.controls().rate_limit(), None);
    let log = api.send(admin(Method::GET, "/requests")).await;
    assert_eq!(
        log.data().as_array().unwrap().len(),
        1,
        "admin calls are not logged; reset emptied the rest"
    );
}

// ---- webhooks ----

/// A local receiver: every request's headers and body go to the channel; it
/// answers 200. It stops when the returned server is dropped.
async fn receiver() -> (
    Upstream,
    String,
    mpsc::UnboundedReceiver<(HeaderMap, Bytes)>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let server = upstream(move |_, _, headers, body| {
        let _ = tx.send((headers, body));
        hyper::Response::new(Full::new(Bytes::from_static(b"ok")))
    })
    .await;
    let url = format!("{}/hook", server.base_url.trim_end_matches("/v1"));
    (server, url, rx)
}

/// Checks `t=<unix>,v1=<hex>` over the raw body, the way a receiver must.
fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(v.to_string()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (Utc::now().timestamp() - t).abs() > 300 {
        return false;
    }
    sigs.iter().any(|sig| {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        hex::decode(sig).is_ok_and(|raw| mac.verify_slice(&raw).is_ok())
    })
}

async fn next_delivery(
    rx: &mut mpsc::UnboundedReceiver<(hyper::HeaderMap, Bytes)>,
) -> (hyper::HeaderMap, Bytes) {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a delivery in time")
        .expect("open")
}

#[tokio::test]
async fn signed_deliveries_reach_a_local_listener() {
    let api = Api::new().await;
    let (_receiver, url, mut rx) = receiver().await;
    let secret = "whsec_test_secret";
    let hook = api
        .post("/webhooks", json!({"name": "local", "url": url, "events": ["asset.created", "scan.completed", "finding.new"], "secret": secret, "headers": {"X-Team": "blue"}}))
        .await;
    let hook_id = hook.data()["id"].as_str().unwrap().to_string();

    api.post(
        "/assets",
        json!({"name": "hooked.example.com", "type": "domain"}),
    )
    .await;
    let (headers, body) = next_delivery(&mut rx).await;
    let signature = headers["s4e-signature"].to_str().unwrap();
    assert!(verify(secret, signature, &body), "{signature}");
    assert!(!verify("wrong", signature, &body));
    assert_eq!(headers["x-team"], "blue");
    assert_eq!(headers["content-type"], "application/json");
    let event: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["event"], "asset.created");
    assert!(event["id"].as_str().unwrap().starts_with("evt-"));
    assert_eq!(event["data"]["name"], "hooked.example.com");
    assert_eq!(event["timestamp"], "2026-05-01T09:00:00Z");

    // A scan completing on the clock: its findings, then the scan (the seeded
    // scans still in progress complete too).
    let scan = api
        .post("/scans", json!({"asset_id": "a-1001", "scan_type": "dns"}))
        .await;
    let scan_id = scan.data()["id"].as_str().unwrap().to_string();
    api.sandbox.controls().advance(Duration::from_secs(3600));
    let finding_count = api.get(&format!("/scans/{scan_id}")).await.data()["finding_count"]
        .as_u64()
        .unwrap();
    let mut ours = Vec::new();
    while ours.len() as u64 <= finding_count {
        let (h, b) = next_delivery(&mut rx).await;
        assert!(verify(secret, h["s4e-signature"].to_str().unwrap(), &b));
        let event: Value = serde_json::from_slice(&b).unwrap();
        if event["data"]["scan_id"] == scan_id.as_str() || event["data"]["id"] == scan_id.as_str() {
            ours.push(event["event"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(
        ours.iter().filter(|n| *n == "finding.new").count() as u64,
        finding_count
    );
    assert_eq!(ours.iter().filter(|n| *n == "scan.completed").count(), 1);

    let test = api
        .post(&format!("/webhooks/{hook_id}/test"), json!({}))
        .await;
    assert_eq!(test.data(), &json!({"delivered": true, "status_code": 200}));
    // Deliveries of the seeded scans may still be arriving: skip to the test.
    let (h, b) = loop {
        let (h, b) = next_delivery(&mut rx).await;
        if serde_json::from_slice::<Value>(&b).unwrap()["event"] == "webhook.test" {
            break (h, b);
        }
    };
    assert!(verify(secret, h["s4e-signature"].to_str().unwrap(), &b));
    assert_eq!(
        serde_json::from_slice::<Value>(&b).unwrap()["event"],
        "webhook.test"
    );

    let deliveries = api.sandbox.controls().deliveries();
    assert!(!deliveries.is_empty(), "the test delivery is recorded");
    assert!(
        deliveries
            .iter()
            .all(|d| d.delivered && d.webhook_id.as_deref() == Some(hook_id.as_str()))
    );

    // Nobody listening: the test reports it.
    let dead = api
        .post(
            "/webhooks",
            json!({"name": "dead", "url": "http://127.0.0.1:9/nothing", "events": ["webhook.test"]}),
        )
        .await;
    let test = api
        .post(
            &format!("/webhooks/{}/test", dead.data()["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(test.data()["delivered"], false);
}

#[tokio::test]
async fn unsigned_without_a_secret_and_none_when_inactive() {
    let api = Api::new().await;
    let (_receiver, url, mut rx) = receiver().await;
    api.post(
        "/webhooks",
        json!({"name": "unsigned", "url": url.clone(), "events": ["asset.verified"]}),
    )
    .await;
    api.post(
        "/webhooks",
        json!({"name": "inactive", "url": url, "events": ["asset.created", "asset.verified"], "active": false}),
    )
    .await;
    let verified = api.get("/assets?status=active&per_page=1").await.data()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.post(&format!("/assets/{verified}/verify"), json!({}))
        .await; // already verified: no event
    let pending = api
        .post(
            "/assets",
            json!({"name": "v.example.com", "type": "domain"}),
        )
        .await;
    api.post(
        &format!("/assets/{}/verify", pending.data()["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    let (headers, body) = next_delivery(&mut rx).await;
    assert!(headers.get("s4e-signature").is_none());
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["event"],
        "asset.verified"
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(200), rx.recv())
            .await
            .is_err(),
        "nothing else"
    );
}

// ---- the binary ----

#[cfg(unix)]
#[test]
fn binary_prints_its_url_and_stops_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_s4e-sandbox"))
        .args(["--port", "0", "--seed", "42", "--manual-clock"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first.rsplit(' ').next().unwrap().to_string();
    assert!(
        first.starts_with("S4E sandbox listening on http://127.0.0.1:"),
        "{first}"
    );
    let banner: Vec<String> = lines.by_ref().take(8).map(Result::unwrap).collect();
    assert!(banner.iter().any(|l| l.contains("sk_sandbox_full_access")));
    assert!(banner.iter().any(|l| l.contains("sk_sandbox_read_only")));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        Http::new()
            .get(format!("{base}/assets"))
            .bearer_auth("sk_sandbox_full_access")
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);

    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert_eq!(rest.last().map(String::as_str), Some("Stopped."));
}

// ---- the contract (spec/s4e-v1.yaml) ----

/// The values of a string enum schema of the spec, read from the file so the
/// check follows the contract rather than a copy of it.
fn spec_enum(schema: &str) -> Vec<String> {
    let spec = include_str!("../../spec/s4e-v1.yaml");
    let start = spec
        .find(&format!("\n    {schema}:\n"))
        .unwrap_or_else(|| panic!("{schema} in the spec"));
    spec[start..]
        .lines()
        .skip_while(|l| l.trim() != "enum:")
        .skip(1)
        .take_while(|l| l.trim_start().starts_with("- "))
        .map(|l| l.trim_start()[2..].trim().to_string())
        .collect()
}

#[tokio::test]
async fn seed_data_fits_the_contract() {
    let api = Api::new().await;
    let events = spec_enum("WebhookEvent");
    assert!(events.contains(&"scan.completed".to_string()), "{events:?}");
    let hooks = api.get("/webhooks?per_page=100").await;
    for hook in hooks.data().as_array().unwrap() {
        let subscribed = hook["events"].as_array().unwrap();
        assert!(!subscribed.is_empty(), "{hook}");
        for e in subscribed {
            assert!(events.iter().any(|x| x == e.as_str().unwrap()), "{hook}");
        }
    }
    let playbooks = api.get("/playbooks?per_page=100").await;
    let playbooks = playbooks.data().as_array().unwrap();
    assert!(!playbooks.is_empty());
    for pb in playbooks {
        let trigger = &pb["trigger"];
        assert!(
            trigger["event"].as_str().is_some_and(|e| !e.is_empty()),
            "{pb}"
        );
        assert!(trigger["conditions"].is_object(), "{pb}");
        let id = pb["id"].as_str().unwrap();
        let full = api.get(&format!("/playbooks/{id}")).await;
        assert!(full.data()["trigger"]["conditions"].is_object());
        assert!(!full.data()["steps"].as_array().unwrap().is_empty());
    }
    let critical = api.get("/playbooks/pb-critical-finding").await;
    assert_eq!(
        critical.data()["trigger"],
        json!({"event": "finding.new", "conditions": {"severity": "critical"}})
    );
    for action in api
        .get("/actions?per_page=100")
        .await
        .data()
        .as_array()
        .unwrap()
    {
        assert!(
            action["conditions"].is_null() || action["conditions"].is_object(),
            "{action}"
        );
    }
}

#[tokio::test]
async fn posts_without_their_required_body_are_422() {
    let api = Api::new().await;
    for path in [
        "/assets",
        "/assets/bulk",
        "/scans",
        "/findings/export",
        "/actions",
        "/actions/validate",
        "/actions/act-notify-slack/trigger",
        "/playbooks",
        "/playbooks/pb-tls-expiry/run",
        "/webhooks",
    ] {
        let r = api.send(api.request(Method::POST, path)).await;
        assert_eq!(
            (r.status.as_u16(), r.detail_fields()),
            (422, vec!["body".to_string()]),
            "POST {path}"
        );
        assert_eq!(r.json["error"]["code"], "validation_failed");
    }
    let r = api
        .send(api.request(Method::PATCH, "/assets/a-1001").body(" "))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.detail_fields()),
        (422, vec!["body".to_string()])
    );
    // `{}` is a body: the trigger of an action without required parameters runs.
    let ok = api
        .post("/actions/act-notify-slack/trigger", json!({}))
        .await;
    assert_ne!(ok.detail_fields(), ["body"]);
}

#[tokio::test]
async fn query_values_outside_the_contract_are_422() {
    let api = Api::new().await;
    for (path, field) in [
        ("/assets?page=2147483648", "page"),
        ("/findings?page=", "page"),
        ("/findings?per_page=", "per_page"),
        ("/scans?from=yesterday", "from"),
        ("/scans?to=2026-05-03", "to"),
        ("/findings?from=", "from"),
        ("/findings?to=2026-13-01T00:00:00Z", "to"),
        ("/findings?status=", "status"),
    ] {
        let r = api.get(path).await;
        assert_eq!(
            (r.status.as_u16(), r.detail_fields()),
            (422, vec![field.to_string()]),
            "GET {path}"
        );
    }
    let last = api.get("/assets?page=2147483647").await;
    assert_eq!((last.status.as_u16(), last.data()), (200, &json!([])));
    let r = api
        .get("/scans?from=2026-04-01T00:00:00Z&to=2026-05-01T09:00:00%2B00:00")
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn bodies_with_wrong_types_are_422_with_field_details() {
    let api = Api::new().await;
    let cases = [
        (
            "/assets",
            json!({"name": "x.example.org", "type": "domain", "tags": "prod"}),
            vec!["tags"],
        ),
        (
            "/assets",
            json!({"name": "x.example.org", "type": "domain", "tags": ["ok", null]}),
            vec!["tags[1]"],
        ),
        (
            "/actions/act-notify-slack/trigger",
            json!({"sandbox": "yes", "target": 5, "parameters": {"message": "hi"}}),
            vec!["sandbox", "target"],
        ),
        (
            "/actions",
            json!({"name": "n", "type": "notification", "conditions": [{"severity": "high"}]}),
            vec!["conditions"],
        ),
        (
            "/actions",
            json!({"name": "n", "type": "notification", "parameters": [{"name": "", "type": "string"}]}),
            vec!["parameters[0].name"],
        ),
        (
            "/playbooks",
            json!({"name": "p", "version": "1", "trigger": {"event": "finding.new", "conditions": []}, "steps": [{"id": "s"}]}),
            vec!["trigger.conditions"],
        ),
        (
            "/playbooks",
            json!({"name": "p", "version": 1, "trigger": {}, "steps": [{"id": "s"}], "tags": [false]}),
            vec!["version", "trigger.event", "tags[0]"],
        ),
        (
            "/playbooks",
            json!({"name": "p", "steps": [{"id": "s"}]}),
            vec!["version", "trigger"],
        ),
        (
            "/findings/export",
            json!({"format": "csv", "from": "2026-05-03"}),
            vec!["from"],
        ),
        (
            "/findings/export",
            json!({"format": "csv", "to": 17, "severity": "critical"}),
            vec!["severity", "to"],
        ),
        (
            "/scans",
            json!({"asset_id": "a-1001", "scan_type": "quick", "options": {"timeout": 0}}),
            vec!["options.timeout"],
        ),
        (
            "/scans",
            json!({"asset_id": "a-1001", "scan_type": "quick", "options": {"timeout": 2_147_483_648_u64}}),
            vec!["options.timeout"],
        ),
        (
            "/webhooks",
            json!({"url": "https://soc.example.net/h", "events": ["scan.completed"]}),
            vec!["name"],
        ),
        (
            "/webhooks",
            json!({"name": "w", "url": "https://soc.example.net/h", "events": []}),
            vec!["events"],
        ),
    ];
    for (path, body, fields) in cases {
        let r = api.post(path, body.clone()).await;
        assert_eq!(r.status, 422, "POST {path} {body}: {}", r.text);
        let mut got = r.detail_fields();
        got.sort();
        let mut want: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "POST {path} {body}");
    }
    // The boundaries themselves are accepted; the docs give `timeout` a
    // default (3600) but no maximum beyond the contract's 32-bit integers.
    for timeout in [1, 86_401, 2_147_483_647] {
        let r = api
            .post(
                "/scans",
                json!({"asset_id": "a-1001", "scan_type": "quick", "options": {"timeout": timeout}}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
}

#[tokio::test]
async fn https_webhooks_anywhere_are_stored_and_never_called() {
    let api = Api::new().await;
    let created = api
        .post(
            "/webhooks",
            json!({"name": "prod receiver", "url": "https://soc.example.net/hooks/s4e", "events": ["asset.created"], "secret": "whsec_prod"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.data()["id"].as_str().unwrap().to_string();
    assert_eq!(
        api.get(&format!("/webhooks/{id}")).await.data()["url"],
        "https://soc.example.net/hooks/s4e"
    );
    let test = api.post(&format!("/webhooks/{id}/test"), json!({})).await;
    assert_eq!(
        test.data(),
        &json!({"delivered": false, "status_code": null})
    );
    // An event it subscribes to is recorded as not attempted, with the reason.
    let asset = api
        .post(
            "/assets",
            json!({"name": "new.example.org", "type": "domain"}),
        )
        .await;
    assert_eq!(asset.status, 201, "{}", asset.text);
    let deadline = Instant::now() + Duration::from_secs(5);
    let records = loop {
        let records: Vec<_> = api
            .sandbox
            .controls()
            .deliveries()
            .into_iter()
            .filter(|d| d.webhook_id.as_deref() == Some(id.as_str()))
            .collect();
        if records.len() == 2 || Instant::now() > deadline {
            break records;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(records.len(), 2, "{records:?}");
    let created_event = records.iter().find(|d| d.event == "asset.created").unwrap();
    for d in &records {
        assert!(
            !d.attempted && !d.delivered && d.status_code.is_none(),
            "{d:?}"
        );
        assert!(
            d.error.as_deref().unwrap().contains("not attempted"),
            "{d:?}"
        );
    }
    assert_eq!(created_event.url, "https://soc.example.net/hooks/s4e");
    // Plain http stays loopback-only, on update too.
    let r = api
        .patch(
            &format!("/webhooks/{id}"),
            json!({"url": "http://soc.example.net/h"}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.detail_fields()),
        (422, vec!["url".to_string()])
    );
}

// ---- per-endpoint rate limits and the request log ----

#[tokio::test]
async fn endpoint_limits_answer_429_on_their_endpoint_only() {
    let api = Api::new().await;
    let c = api.sandbox.controls();
    assert_eq!(c.endpoint_limit(LimitedEndpoint::ScanCreate), None);
    c.set_endpoint_limit(LimitedEndpoint::ScanCreate, Some(2));
    let scan = json!({"asset_id": "a-1001", "scan_type": "quick"});
    let first = api.post("/scans", scan.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("x-ratelimit-limit"), "2");
    assert_eq!(first.header("x-ratelimit-remaining"), "1");
    assert_eq!(api.post("/scans", scan.clone()).await.status, 201);
    let limited = api.post("/scans", scan.clone()).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json["error"]["code"], "rate_limited");
    let retry: u64 = limited.header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Other endpoints, and the same path with another method, are not limited.
    assert_eq!(api.get("/scans").await.status, 200);
    let export = json!({"format": "json"});
    assert_eq!(
        api.post("/findings/export", export.clone()).await.status,
        200
    );
    // The read-only key has its own bucket (and may not create scans at all).
    let ro = api
        .send(
            api.http
                .post(api.url("/scans"))
                .bearer_auth(api.sandbox.read_only_key())
                .body(scan.to_string()),
        )
        .await;
    assert_eq!(ro.status, 403);

    // Through the admin routes: the documented limits, then lifting one.
    let admin = |m: Method, p: &str| api.http.request(m, api.url(&format!("/__sandbox{p}")));
    let r = api
        .send(admin(Method::PATCH, "/settings").body(r#"{"documented_limits": true}"#))
        .await;
    assert_eq!(r.data()["rate_limit"], 100);
    assert_eq!(
        r.data()["endpoint_limits"],
        json!({"scan_create": 10, "findings_export": 5})
    );
    let statuses: Vec<u16> = {
        let mut out = Vec::new();
        for _ in 0..6 {
            out.push(
                api.post("/findings/export", export.clone())
                    .await
                    .status
                    .as_u16(),
            );
        }
        out
    };
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
    let r = api
        .send(
            admin(Method::PATCH, "/settings")
                .body(r#"{"endpoint_limits": {"findings_export": null, "scan_create": 1}}"#),
        )
        .await;
    assert_eq!(
        r.data()["endpoint_limits"],
        json!({"scan_create": 1, "findings_export": null})
    );
    assert_eq!(api.post("/findings/export", export).await.status, 200);
    assert_eq!(api.post("/scans", scan.clone()).await.status, 201);
    assert_eq!(api.post("/scans", scan).await.status, 429);
    let r = api
        .send(admin(Method::PATCH, "/settings").body(r#"{"endpoint_limits": {"scans": 1}}"#))
        .await;
    assert_eq!(r.detail_fields(), ["endpoint_limits.scans"]);
}

#[tokio::test]
async fn the_request_log_keeps_bodies_and_the_kind_of_key() {
    let api = Api::new().await;
    let c = api.sandbox.controls();
    let body = json!({"name": "logged.example.com", "type": "domain", "tags": ["x"]}).to_string();
    let r = api
        .send(
            api.http
                .post(api.url("/assets"))
                .header("X-API-Key", api.sandbox.api_key())
                .header("Content-Type", "application/json")
                .body(body.clone()),
        )
        .await;
    assert_eq!(r.status, 201);
    api.get("/assets").await;
    api.send(api.http.get(api.url("/assets"))).await;
    let big = format!(
        r#"{{"name": "big.example.com", "type": "domain", "description": "{}"}}"#,
        "d".repeat(20_000)
    );
    api.send(
        api.request(Method::POST, "/assets")
            .header("Content-Type", "application/json")
            .body(big.clone()),
    )
    .await;

    let log = c.requests();
    assert_eq!(log.len(), 4);
    assert_eq!(
        (
            log[0].key_kind,
            log[0].body.as_deref(),
            log[0].body_size,
            log[0].body_truncated
        ),
        (
            Some(KeyKind::XApiKey),
            Some(body.as_str()),
            body.len(),
            false
        )
    );
    assert_eq!(
        (log[1].key_kind, log[1].body.as_deref()),
        (Some(KeyKind::Bearer), None)
    );
    assert_eq!((log[2].key_kind, log[2].status), (None, Some(401)));
    let kept = log[3].body.as_deref().unwrap();
    assert_eq!(kept.len(), RequestRecord::BODY_LIMIT);
    assert!(big.starts_with(kept));
    assert_eq!((log[3].body_size, log[3].body_truncated), (big.len(), true));
    // The admin route shows the same.
    let r = api
        .send(api.http.get(api.url("/__sandbox/requests?method=POST")))
        .await;
    assert_eq!(r.data()[0]["key_kind"], "x_api_key");
    assert_eq!(r.data()[0]["body"], body);
}

/// Each semantic rule that spec/s4e-v1.yaml lists in `info.description` (input
/// that fits the schemas yet is refused) answers 422 naming the field.
#[tokio::test]
async fn the_specs_semantic_rules_are_422_with_field_details() {
    let api = Api::new().await;
    let cases = [
        // Blank strings count as empty.
        (
            "/assets",
            json!({"name": "   ", "type": "domain"}),
            vec!["name"],
        ),
        (
            "/playbooks",
            json!({"name": "p", "version": " ", "trigger": {"event": "\t"}, "steps": [{"id": "a"}]}),
            vec!["version", "trigger.event"],
        ),
        (
            "/actions",
            json!({"name": "n", "type": "notification", "parameters": [{"name": " ", "type": "string"}]}),
            vec!["parameters[0].name"],
        ),
        (
            "/webhooks",
            json!({"name": " ", "url": "https://soc.example.net/h", "events": ["scan.failed"]}),
            vec!["name"],
        ),
        // An asset's name is a well-formed value of its type.
        (
            "/assets",
            json!({"name": "shop.example.org", "type": "network"}),
            vec!["name"],
        ),
        (
            "/assets",
            json!({"name": "999.1.1.1", "type": "ip"}),
            vec!["name"],
        ),
        // Unique step ids and parameter names.
        (
            "/playbooks",
            json!({"name": "p", "version": "1", "trigger": {"event": "manual"}, "steps": [{"id": "a"}, {"id": "a"}]}),
            vec!["steps[1].id"],
        ),
        (
            "/actions",
            json!({"name": "n", "type": "notification", "parameters": [{"name": "x", "type": "string"}, {"name": "x", "type": "integer"}]}),
            vec!["parameters[1].name"],
        ),
        // A trigger's parameters meet the action's declaration.
        (
            "/actions/act-block-ip/trigger",
            json!({"parameters": {}}),
            vec!["parameters.ip"],
        ),
        (
            "/actions/act-block-ip/trigger",
            json!({"parameters": {"ip": 7}}),
            vec!["parameters.ip"],
        ),
        // A scan's callback_url is http(s).
        (
            "/scans",
            json!({"asset_id": "a-1001", "scan_type": "quick", "callback_url": "ftp://x.example/cb"}),
            vec!["callback_url"],
        ),
    ];
    for (path, body, fields) in cases {
        let r = api.post(path, body.clone()).await;
        assert_eq!(r.status, 422, "POST {path} {body}: {}", r.text);
        assert_eq!(r.detail_fields(), fields, "POST {path} {body}");
    }
    // Cancelling a scan that already ended.
    let done = api.get("/scans?status=completed&per_page=1").await.data()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = api.post(&format!("/scans/{done}/cancel"), json!({})).await;
    assert_eq!(
        (r.status.as_u16(), r.detail_fields()),
        (422, vec!["status".to_string()])
    );
}

/// The docs put no limit on free-form strings: an empty or padded tag or scan
/// category is kept as sent, where a name would be trimmed or refused.
#[tokio::test]
async fn free_form_strings_are_kept_as_sent() {
    let api = Api::new().await;
    let tags = json!(["", " prod ", "\t"]);
    let asset = api
        .post(
            "/assets",
            json!({"name": "tags.example.com", "type": "domain", "tags": tags}),
        )
        .await;
    assert_eq!(asset.status, 201, "{}", asset.text);
    assert_eq!(asset.data()["tags"], tags);
    let scan = api
        .post(
            "/scans",
            json!({"asset_id": "a-1001", "scan_type": "quick", "options": {"categories": ["", " xss"]}}),
        )
        .await;
    assert_eq!(scan.status, 201, "{}", scan.text);
    assert_eq!(scan.data()["options"]["categories"], json!(["", " xss"]));
}
