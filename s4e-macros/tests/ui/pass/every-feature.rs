//! Endpoints declared with every feature of `#[endpoint]`, as a user crate
//! would, and what the generated code sends and decodes.

use s4e::{BodyBuilder, Endpoint, HeaderBuilder, Method, PathBuilder, QueryBuilder, RawResponse};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, PartialEq)]
pub struct Finding {
    pub id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
}

/// `GET /findings/{id}`
#[s4e::endpoint(GET, "/findings/{id}", response = Finding)]
#[derive(Debug, Clone)]
pub struct GetFinding {
    /// The finding to read.
    pub id: String,
}

#[s4e::endpoint(GET, "/findings", paginated, response = Finding)]
#[derive(Debug, Default)]
pub struct ListFindings {
    /// Only these severities.
    pub severity: Option<Vec<Severity>>,
    pub status: Option<String>,
    #[query(rename = "type")]
    pub kind: Option<String>,
    #[header("X-Trace")]
    pub trace: Option<String>,
}

#[s4e::endpoint(PATCH, "/findings/{id}", response = Finding, idempotent)]
pub struct UpdateFinding {
    pub id: String,
    pub status: Option<String>,
    #[body(rename = "comment")]
    pub note: Option<String>,
    #[query]
    pub notify: bool,
}

#[s4e::endpoint(POST, "/findings/export", idempotent, download)]
pub struct ExportFindings {
    pub format: ExportFormat,
    #[header("X-Trace")]
    pub trace: Option<String>,
    #[body(flatten)]
    pub extra: Option<serde_json::Value>,
}

// `response` omitted: the answer carries no data.
#[s4e::endpoint(DELETE, "/assets/{id}")]
pub struct DeleteAsset {
    pub id: u64,
}

// A keyword as a field and placeholder name; `crate = ::s4e` is the default.
#[s4e::endpoint(PUT, "/tags/{type}/{name}", response = (), crate = ::s4e)]
pub struct PutTag {
    pub r#type: String,
    pub name: String,
    #[body]
    pub color: Option<String>,
}

#[s4e::endpoint(GET, "/webhooks", response = Vec<Finding>)]
pub struct ListWebhooks;

#[s4e::endpoint(POST, "/scans/stop-all")]
pub struct StopScans {}

fn path<E: Endpoint>(endpoint: &E) -> String {
    let mut path = PathBuilder::new();
    endpoint.write_path(&mut path).unwrap();
    path.finish()
}

fn query<E: Endpoint>(endpoint: &E) -> String {
    let mut query = QueryBuilder::new();
    endpoint.write_query(&mut query).unwrap();
    query.as_str().to_owned()
}

fn body<E: Endpoint>(endpoint: &E) -> String {
    let mut body = BodyBuilder::new();
    endpoint.write_body(&mut body).unwrap();
    String::from_utf8(body.finish()).unwrap()
}

fn headers<E: Endpoint>(endpoint: &E) -> Vec<(&'static str, String)> {
    let mut headers = HeaderBuilder::new();
    endpoint.write_headers(&mut headers).unwrap();
    headers.into_vec()
}

fn response(body: &str) -> RawResponse<'_> {
    RawResponse {
        status: 200,
        body: body.as_bytes(),
        request_id: None,
        page: None,
    }
}

fn is_paginated<E: s4e::Paginated<Item = Finding>>() {}
fn is_download<E: s4e::Download>() {}

#[test]
fn generated_code_sends_and_decodes() {
    let get = GetFinding { id: "f/1".into() };
    assert_eq!(path(&get), "/findings/f%2F1");
    assert_eq!(query(&get), "");
    assert_eq!(<GetFinding as Endpoint>::METHOD, Method::Get);
    assert_eq!(<GetFinding as Endpoint>::PATH, "/findings/{id}");
    const { assert!(!GetFinding::IDEMPOTENT && !GetFinding::HAS_BODY && !GetFinding::PAGINATED) };
    let finding: Finding = GetFinding::decode(response(r#"{"data":{"id":"f1"}}"#)).unwrap();
    assert_eq!(finding, Finding { id: "f1".into() });

    let list = ListFindings::default()
        .severity([Severity::Critical, Severity::High])
        .status("open")
        .kind(String::from("cve"))
        .trace("t-1");
    assert_eq!(path(&list), "/findings");
    assert_eq!(query(&list), "severity=critical,high&status=open&type=cve");
    assert_eq!(headers(&list), [("X-Trace", "t-1".to_owned())]);
    const { assert!(ListFindings::PAGINATED && !ListFindings::HAS_BODY) };
    is_paginated::<ListFindings>();
    let page: s4e::Page<Finding> = ListFindings::decode(response(r#"[{"id":"a"}]"#)).unwrap();
    assert_eq!(page.len(), 1);

    let update = UpdateFinding {
        id: "f1".into(),
        status: None,
        note: None,
        notify: true,
    }
    .note("seen");
    assert_eq!(path(&update), "/findings/f1");
    assert_eq!(query(&update), "notify=true");
    assert_eq!(body(&update), r#"{"comment":"seen"}"#);
    const { assert!(UpdateFinding::IDEMPOTENT && UpdateFinding::HAS_BODY) };
    assert_eq!(UpdateFinding::METHOD, Method::Patch);

    let export = ExportFindings {
        format: ExportFormat::Csv,
        trace: None,
        extra: None,
    }
    .extra(serde_json::json!({"severity": "high"}));
    assert_eq!(body(&export), r#"{"format":"csv","severity":"high"}"#);
    assert!(headers(&export).is_empty());
    const { assert!(ExportFindings::IDEMPOTENT && ExportFindings::HAS_BODY) };
    is_download::<ExportFindings>();
    let bytes: Vec<u8> = ExportFindings::decode(response("id,title\n")).unwrap();
    assert_eq!(bytes, b"id,title\n");

    let delete = DeleteAsset { id: 42 };
    assert_eq!(path(&delete), "/assets/42");
    assert_eq!(DeleteAsset::METHOD, Method::Delete);
    let (): () = DeleteAsset::decode(response("")).unwrap();

    let tag = PutTag {
        r#type: "env".into(),
        name: "prod".into(),
        color: None,
    }
    .color("red");
    assert_eq!(path(&tag), "/tags/env/prod");
    assert_eq!(body(&tag), r#"{"color":"red"}"#);
    let (): () = PutTag::decode(response("")).unwrap();

    assert_eq!(path(&ListWebhooks), "/webhooks");
    let hooks: Vec<Finding> = ListWebhooks::decode(response(r#"[{"id":"w"}]"#)).unwrap();
    assert_eq!(hooks.len(), 1);

    assert_eq!(path(&StopScans {}), "/scans/stop-all");
    const { assert!(!StopScans::HAS_BODY && !StopScans::IDEMPOTENT) };
}
