//! What each findings operation puts on the wire (`docs/API.md` 1 and 4.3).

use s4e::findings::{FindingSortBy, GetFinding};
use s4e::{AuthScheme, Error, FindingStatus, Severity, SortOrder};
use serde_json::json;
use wiremock::matchers::{body_json, header, header_exists, query_param, query_param_is_missing};
use wiremock::{Request, ResponseTemplate};

use crate::support::{self, KEY, MountExpecting, USER_AGENT, header_missing, no_query};

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

#[tokio::test]
async fn list_with_every_filter_sends_each_once() {
    let server = support::start().await;
    support::route("GET", "/v1/findings")
        .and(query_param("severity", "critical,high"))
        .and(query_param("status", "open"))
        .and(query_param("asset_id", "a-1"))
        .and(query_param("scan_id", "sc-9"))
        .and(query_param("cvss_min", "7.0"))
        .and(query_param("cvss_max", "9.5"))
        .and(query_param("search", "tls expiry & more"))
        .and(query_param("from", "2026-05-01T00:00:00Z"))
        .and(query_param("to", "2026-05-03T10:07:00Z"))
        .and(query_param("sort_by", "cvss"))
        .and(query_param("sort_order", "asc"))
        .and(query_param("page", "2"))
        .and(query_param("per_page", "50"))
        // The list separator stays a literal comma, and nothing else is sent.
        .and(|request: &Request| {
            let query = request.url.query().unwrap_or_default();
            query.contains("severity=critical,high") && request.url.query_pairs().count() == 13
        })
        .and(header("accept", "application/json"))
        .and(header_missing("content-type"))
        .and(header_missing("idempotency-key"))
        .respond_with(support::json(200, fixture!("findings_page.json")))
        .mount_expecting(&server, 1)
        .await;

    let page = support::client(&server)
        .findings()
        .list()
        .severity([Severity::Critical, Severity::High])
        .status(FindingStatus::Open)
        .asset_id("a-1")
        .scan_id("sc-9")
        .cvss_min(7.0)
        .cvss_max(9.5)
        .search("tls expiry & more")
        .from(at("2026-05-01T00:00:00Z"))
        .to(at("2026-05-03T10:07:00Z"))
        .sort_by(FindingSortBy::Cvss)
        .sort_order(SortOrder::Asc)
        .page(2)
        .per_page(50)
        .await
        .expect("list succeeds");
    assert_eq!(page.items.len(), 2);
}

#[tokio::test]
async fn list_without_filters_sends_no_query_at_all() {
    let server = support::start().await;
    support::route("GET", "/v1/findings")
        .and(no_query)
        .respond_with(support::json(200, fixture!("findings_page.json")))
        .mount_expecting(&server, 1)
        .await;

    let page = support::client(&server)
        .findings()
        .list()
        .send()
        .await
        .expect("list succeeds");
    assert_eq!(page.items[0].id, "f-70001");
}

#[tokio::test]
async fn list_sends_page_only_when_set_and_per_page_only_when_set() {
    let server = support::start().await;
    support::route("GET", "/v1/findings")
        .and(query_param("page", "1"))
        .and(query_param_is_missing("per_page"))
        .respond_with(support::json(200, fixture!("findings_page.json")))
        .mount_expecting(&server, 1)
        .await;
    support::route("GET", "/v1/findings")
        .and(query_param_is_missing("page"))
        .and(query_param("per_page", "100"))
        .respond_with(support::json(200, fixture!("findings_page.json")))
        .mount_expecting(&server, 1)
        .await;

    let client = support::client(&server);
    client.findings().list().page(1).await.expect("page 1");
    client
        .findings()
        .list()
        .per_page(100)
        .await
        .expect("per_page 100");
}

#[tokio::test]
async fn out_of_range_page_parameters_are_refused_before_sending() {
    let server = support::start().await;
    let client = support::client(&server);
    for result in [
        client.findings().list().page(0).await,
        client.findings().list().per_page(0).await,
        client.findings().list().per_page(101).await,
    ] {
        match result {
            Err(Error::InvalidRequest(message)) => {
                assert!(message.contains("page"), "{message}");
            }
            other => panic!("expected InvalidRequest, got {other:?}"),
        }
    }
    assert!(support::received(&server).await.is_empty());
}

#[tokio::test]
async fn get_sends_the_standard_headers_and_decodes_the_detail() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-91827")
        .and(no_query)
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("accept", "application/json"))
        .and(header("user-agent", USER_AGENT))
        .and(header_missing("x-api-key"))
        .and(header_missing("content-type"))
        .and(header_missing("idempotency-key"))
        .respond_with(support::json(200, fixture!("finding_detail.json")))
        .mount_expecting(&server, 1)
        .await;

    let finding = support::get_finding(&server, "f-91827")
        .await
        .expect("get succeeds");
    assert_eq!(finding.id, "f-91827");
    assert_eq!(finding.severity, Severity::Critical);
    assert!(finding.cvss_vector.is_some());
}

#[tokio::test]
async fn get_percent_encodes_an_id_with_a_slash_as_one_segment() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/a%2Fb")
        .respond_with(support::finding_response("a/b"))
        .mount_expecting(&server, 1)
        .await;

    let finding = support::get_finding(&server, "a/b")
        .await
        .expect("get succeeds");
    assert_eq!(finding.id, "a/b");
}

#[tokio::test]
async fn get_with_an_empty_id_is_refused_before_sending() {
    let server = support::start().await;
    let err = support::get_finding(&server, "")
        .await
        .expect_err("an empty id cannot be sent");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(support::received(&server).await.is_empty());
}

#[tokio::test]
async fn base_url_with_a_trailing_slash_gives_no_double_slash() {
    let server = support::start().await;
    support::mount_f1(&server, 1).await;

    let client = s4e::Client::builder(KEY)
        .base_url(format!("{}/v1/", server.uri()))
        .build()
        .expect("client builds");
    assert_eq!(client.base_url(), support::base_url(&server));
    client.findings().get("f-1").await.expect("get succeeds");
}

#[tokio::test]
async fn api_key_header_scheme_and_user_agent_suffix() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .and(header("x-api-key", KEY))
        .and(header_missing("authorization"))
        .and(header(
            "user-agent",
            format!("{USER_AGENT} contract-tests/1.0").as_str(),
        ))
        .respond_with(support::finding_response("f-1"))
        .mount_expecting(&server, 1)
        .await;

    let client = support::builder(&server)
        .auth_scheme(AuthScheme::ApiKeyHeader)
        .user_agent("contract-tests/1.0")
        .build()
        .expect("client builds");
    client.findings().get("f-1").await.expect("get succeeds");
}

#[tokio::test]
async fn update_sends_only_the_fields_set() {
    let server = support::start().await;
    support::route("PATCH", "/v1/findings/f-1")
        .and(body_json(
            json!({ "status": "resolved", "note": "patched in 2.4.1" }),
        ))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header_missing("idempotency-key"))
        .respond_with(support::finding_response("f-1"))
        .mount_expecting(&server, 1)
        .await;
    support::route("PATCH", "/v1/findings/f-2")
        .and(body_json(json!({ "status": "false_positive" })))
        .respond_with(support::finding_response("f-2"))
        .mount_expecting(&server, 1)
        .await;
    support::route("PATCH", "/v1/findings/f-3")
        .and(body_json(json!({ "note": "looked at it" })))
        .respond_with(support::finding_response("f-3"))
        .mount_expecting(&server, 1)
        .await;
    support::route("PATCH", "/v1/findings/f-4")
        .and(body_json(json!({})))
        .and(header("content-type", "application/json"))
        .respond_with(support::finding_response("f-4"))
        .mount_expecting(&server, 1)
        .await;

    let findings = support::client(&server).findings();
    let updated = findings
        .update("f-1")
        .status(FindingStatus::Resolved)
        .note("patched in 2.4.1")
        .await
        .expect("update succeeds");
    assert_eq!(updated.id, "f-1");
    findings
        .update("f-2")
        .status(FindingStatus::FalsePositive)
        .await
        .expect("status only");
    findings
        .update("f-3")
        .note("looked at it")
        .await
        .expect("note only");
    findings.update("f-4").await.expect("nothing set");
}

#[tokio::test]
async fn update_with_an_unknown_status_sends_it_verbatim() {
    let server = support::start().await;
    support::route("PATCH", "/v1/findings/f-1")
        .and(body_json(json!({ "status": "quarantined" })))
        .respond_with(support::finding_response("f-1"))
        .mount_expecting(&server, 1)
        .await;

    support::client(&server)
        .findings()
        .update("f-1")
        .status(FindingStatus::from("quarantined"))
        .await
        .expect("update succeeds");
}

#[tokio::test]
async fn execute_sends_a_declared_endpoint() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-7")
        .respond_with(support::finding_response("f-7"))
        .mount_expecting(&server, 1)
        .await;

    let finding = support::client(&server)
        .execute(GetFinding::new("f-7"))
        .await
        .expect("execute succeeds");
    assert_eq!(finding.id, "f-7");
    assert_eq!(finding.title, "Finding f-7");
}

/// A user-declared `POST`: it gets a generated `Idempotency-Key` and a JSON body.
#[s4e::endpoint(POST, "/assets", response = serde_json::Value)]
struct CreateAsset {
    name: String,
    kind: Option<String>,
}

#[tokio::test]
async fn a_post_carries_a_generated_idempotency_key_and_its_body() {
    let server = support::start().await;
    support::route("POST", "/v1/assets")
        .and(body_json(json!({ "name": "example.com" })))
        .and(header("content-type", "application/json"))
        .and(header_exists("idempotency-key"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "data": { "id": "a-1" } })))
        .mount_expecting(&server, 2)
        .await;

    let client = support::client(&server);
    let create = || CreateAsset {
        name: "example.com".to_owned(),
        kind: None,
    };
    let answer = client.execute(create()).await.expect("create succeeds");
    assert_eq!(answer, json!({ "id": "a-1" }));
    client.execute(create()).await.expect("create succeeds");

    let keys: Vec<String> = support::received(&server)
        .await
        .iter()
        .map(|r| support::header(r, "idempotency-key").unwrap().to_owned())
        .collect();
    assert!(keys.iter().all(|key| support::is_uuid(key)), "{keys:?}");
    assert_ne!(keys[0], keys[1], "each call gets its own key");
}

#[tokio::test]
async fn a_caller_set_idempotency_key_is_sent_as_is() {
    let server = support::start().await;
    support::route("POST", "/v1/assets")
        .and(header("idempotency-key", "order-42"))
        .and(body_json(
            json!({ "name": "example.com", "kind": "domain" }),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": "a-1" })))
        .mount_expecting(&server, 1)
        .await;

    let answer = support::client(&server)
        .execute(
            CreateAsset {
                name: "example.com".to_owned(),
                kind: None,
            }
            .kind("domain"),
        )
        .idempotency_key("order-42")
        .await
        .expect("create succeeds");
    assert_eq!(answer["id"], "a-1");
}
