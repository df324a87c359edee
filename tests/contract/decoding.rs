//! Tolerant decoding of what the API answers (`docs/API.md` 2 and 4.3), from
//! fixture files served through the client.

use s4e::{Error, Finding, FindingStatus, Page, Severity};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::{self, MountExpecting};

async fn get_with(body: &'static str) -> (MockServer, s4e::Result<Finding>) {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(support::json(200, body).insert_header("x-request-id", "req-decode-1"))
        .mount_expecting(&server, 1)
        .await;
    let result = support::client(&server).findings().get("f-1").await;
    (server, result)
}

async fn list_with(body: &'static str) -> (MockServer, s4e::Result<Page<Finding>>) {
    let server = support::start().await;
    support::route("GET", "/v1/findings")
        .respond_with(support::json(200, body).insert_header("x-request-id", "req-decode-2"))
        .mount_expecting(&server, 1)
        .await;
    let result = support::client(&server).findings().list().await;
    (server, result)
}

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

#[tokio::test]
async fn full_detail_finding() {
    let (_server, result) = get_with(fixture!("finding_detail.json")).await;
    let f = result.expect("decodes");
    assert_eq!(f.id, "f-91827");
    assert_eq!(f.title, "OpenSSH regreSSHion (CVE-2024-6387)");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.cvss, Some(8.1));
    assert_eq!(
        f.cvss_vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H")
    );
    assert_eq!(f.status, Some(FindingStatus::Confirmed));
    let asset = f.asset.as_ref().expect("asset");
    assert_eq!(asset.id, "a-1001");
    assert_eq!(asset.domain.as_deref(), Some("vpn.example.com"));
    assert_eq!(
        asset.asset_type.as_ref().map(|t| t.as_str()),
        Some("domain")
    );
    assert_eq!(f.scan_id.as_ref().map(|id| id.as_str()), Some("sc-44021"));
    assert!(
        f.description
            .as_deref()
            .unwrap()
            .starts_with("A signal handler")
    );
    assert_eq!(
        f.remediation.as_deref(),
        Some("Upgrade OpenSSH to 9.8p1 or later.")
    );
    assert_eq!(f.references.len(), 2);
    let evidence = f.evidence.as_ref().expect("evidence");
    assert_eq!(evidence["port"], 22);
    assert_eq!(evidence["matched"][0], "OpenSSH_9.2p1");
    assert_eq!(f.discovered_at, Some(at("2026-05-03T10:07:00Z")));
    assert_eq!(f.updated_at, Some(at("2026-05-04T08:30:15Z")));
}

#[tokio::test]
async fn list_page_with_meta() {
    let (_server, result) = list_with(fixture!("findings_page.json")).await;
    let page = result.expect("decodes");
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.total, Some(156));
    assert_eq!(page.current_page, 2);
    assert_eq!(page.per_page, 20);
    assert_eq!(page.last_page, Some(8));
    assert!(!page.is_last());
    assert_eq!(page.next_page(), Some(3));
    let second = &page.items[1];
    assert_eq!(second.id, "f-70002");
    assert_eq!(second.severity, Severity::Medium);
    assert_eq!(second.status, Some(FindingStatus::AcceptedRisk));
    assert!(second.references.is_empty(), "missing list decodes empty");
    assert_eq!(second.cvss_vector, None);
    assert_eq!(second.evidence, None);
}

#[tokio::test]
async fn page_with_total_count_and_no_total_pages() {
    let (_server, result) = list_with(fixture!("findings_page_total_count.json")).await;
    let page = result.expect("decodes");
    assert_eq!(page.total, Some(45));
    assert_eq!(page.current_page, 1);
    assert_eq!(page.per_page, 20);
    assert_eq!(page.last_page, Some(3), "ceil(45 / 20)");
}

#[tokio::test]
async fn page_without_meta_is_the_last_when_short() {
    let (_server, result) = list_with(fixture!("findings_page_no_meta.json")).await;
    let page = result.expect("decodes");
    assert_eq!(page.items.len(), 3);
    assert_eq!(page.total, None);
    assert_eq!(page.current_page, 1);
    assert_eq!(page.per_page, 20, "the server default");
    assert!(page.is_last(), "3 < 20 items ends the list");
    assert_eq!(page.next_page(), None);
}

#[tokio::test]
async fn page_as_a_bare_array() {
    let (_server, result) = list_with(fixture!("findings_page_bare_array.json")).await;
    let page = result.expect("decodes");
    assert_eq!(page.items.len(), 1);
    assert!(page.is_last());
}

#[tokio::test]
async fn bare_object_without_data() {
    let (_server, result) = get_with(fixture!("finding_bare.json")).await;
    let f = result.expect("decodes");
    assert_eq!(f.id, "f-555");
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(f.status, Some(FindingStatus::Open));
    assert_eq!(f.discovered_at, Some(at("2026-04-30T23:59:59Z")));
}

#[tokio::test]
async fn created_at_stands_for_discovered_at_and_accepted_for_accepted_risk() {
    let (_server, result) = get_with(fixture!("finding_created_at.json")).await;
    let f = result.expect("decodes");
    assert_eq!(f.discovered_at, Some(at("2025-12-24T18:00:00Z")));
    assert_eq!(f.status, Some(FindingStatus::AcceptedRisk));
}

#[tokio::test]
async fn unknown_values_are_kept_and_round_trip_and_unknown_fields_are_ignored() {
    let (_server, result) = get_with(fixture!("finding_unknown_values.json")).await;
    let f = result.expect("unknown values and fields decode");
    assert_eq!(f.severity, Severity::Other("catastrophic".to_owned()));
    assert_eq!(
        f.status,
        Some(FindingStatus::Other("quarantined".to_owned()))
    );
    assert_eq!(f.severity.to_string(), "catastrophic");
    assert_eq!(
        serde_json::to_value(&f.severity).unwrap(),
        serde_json::json!("catastrophic")
    );
    assert_eq!(
        serde_json::to_value(&f.status).unwrap(),
        serde_json::json!("quarantined")
    );
    let back: Severity =
        serde_json::from_value(serde_json::to_value(&f.severity).unwrap()).unwrap();
    assert_eq!(back, f.severity);
    assert_eq!(
        f.asset
            .as_ref()
            .unwrap()
            .asset_type
            .as_ref()
            .map(|t| t.as_str()),
        Some("container")
    );
    assert_eq!(f.cvss, Some(9.9));
}

#[tokio::test]
async fn numeric_ids_are_kept_as_text() {
    let (_server, result) = get_with(fixture!("finding_numeric_ids.json")).await;
    let f = result.expect("numeric ids decode");
    assert_eq!(f.id, "91827");
    assert_eq!(f.asset.as_ref().unwrap().id, "1001");
    assert_eq!(f.scan_id.as_ref().unwrap().as_str(), "44021");
}

#[tokio::test]
async fn a_decode_error_names_the_json_path_and_keeps_the_request_id_and_body() {
    let (server, result) = list_with(fixture!("findings_page_bad_severity.json")).await;
    let err = result.expect_err("a number is not a severity");
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("req-decode-2"));
    assert!(!err.is_retryable());
    let Error::Decode(decode) = err else {
        panic!("expected Decode, got {err:?}");
    };
    assert_eq!(decode.path, "data[1].severity");
    assert_eq!(decode.status, 200);
    assert_eq!(decode.request_id.as_deref(), Some("req-decode-2"));
    assert!(
        decode.body_excerpt.contains(r#""severity": 5"#),
        "{}",
        decode.body_excerpt
    );
    let text = decode.to_string();
    assert!(
        text.contains("data[1].severity") && text.contains("req-decode-2"),
        "{text}"
    );
    // A decode failure is not transient: exactly one request (`expect(1)`).
    drop(server);
}

#[tokio::test]
async fn a_decode_error_in_a_single_object_is_prefixed_with_data() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": { "id": "f-1", "severity": "high", "cvss": "high" }
        })))
        .mount_expecting(&server, 1)
        .await;
    let decode = decode_error_of_f1(&server, "cvss must be a number").await;
    assert_eq!(decode.path, "data.cvss");
}

#[tokio::test]
async fn a_non_json_success_body_is_a_decode_error_with_a_bounded_excerpt() {
    let server = support::start().await;
    let html = format!(
        "<html><body>{}</body></html>",
        "captive portal, please log in ".repeat(200)
    );
    support::route("GET", "/v1/findings/f-1")
        .respond_with(ResponseTemplate::new(200).set_body_raw(html.clone(), "text/html"))
        .mount_expecting(&server, 1)
        .await;
    let decode = decode_error_of_f1(&server, "HTML is not a finding").await;
    assert!(
        decode
            .body_excerpt
            .starts_with("<html><body>captive portal")
    );
    assert!(
        decode.body_excerpt.len() < 1024 && decode.body_excerpt.len() < html.len(),
        "the excerpt is cut: {} bytes",
        decode.body_excerpt.len()
    );
}

async fn get_raw(body: &'static [u8]) -> s4e::Result<Finding> {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount_expecting(&server, 1)
        .await;
    support::client(&server).findings().get("f-1").await
}

fn decode_error(result: s4e::Result<impl std::fmt::Debug>) -> s4e::DecodeError {
    match result {
        Err(Error::Decode(decode)) => *decode,
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn a_failure_inside_data_is_reported_with_its_own_path_not_the_bare_fallback() {
    // Invalid UTF-8 in `data.title`: the answer is an envelope, so the error
    // is the envelope's, not the bare attempt's "missing field `id`" at `.`.
    let decode =
        decode_error(get_raw(include_bytes!("fixtures/finding_invalid_utf8_title.bin")).await);
    assert_eq!(decode.path, "data.title", "{decode}");
    assert!(decode.message.contains("unicode"), "{}", decode.message);
    assert!(!decode.message.contains("missing field"), "{decode}");
    // A wrong type under `data`, beside a `status`.
    let decode = decode_error(get_raw(fixture!("finding_bad_severity.json").as_bytes()).await);
    assert_eq!(decode.path, "data.severity");
    assert!(
        decode.message.contains("invalid type: integer `5`"),
        "{decode}"
    );
}

#[tokio::test]
async fn a_bare_answer_reports_the_bare_failure() {
    let decode =
        decode_error(get_raw(br#"{"title": "no id", "severity": "high", "status": "open"}"#).await);
    assert_eq!(decode.path, ".");
    assert!(decode.message.contains("missing field `id`"), "{decode}");
}

#[tokio::test]
async fn a_page_under_the_guide_key_decodes_and_its_failures_name_that_key() {
    let server = support::start().await;
    let good = serde_json::json!({
        "findings": [{ "id": "f-1", "title": "Open redirect", "severity": "low", "status": "open" }],
        "total": 30, "page": 1, "per_page": 25
    });
    support::route("GET", "/v1/findings")
        .respond_with(ResponseTemplate::new(200).set_body_json(good))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    support::route("GET", "/v1/findings")
        .respond_with(support::json(200, fixture!("findings_guide_page.json")))
        .mount(&server)
        .await;
    let client = support::client(&server);
    let page = client.findings().list().await.expect("decodes");
    assert_eq!(
        (page.len(), page.total, page.last_page),
        (1, Some(30), Some(2))
    );
    let decode = decode_error(client.findings().list().await);
    assert_eq!(decode.path, "findings[1].severity");
}

/// The decode error of `findings().get("f-1")` on `server`; `why` says why
/// the answer cannot decode.
async fn decode_error_of_f1(server: &MockServer, why: &str) -> Box<s4e::DecodeError> {
    match support::get_finding(server, "f-1").await {
        Err(Error::Decode(decode)) => decode,
        other => panic!("expected Decode ({why}), got {other:?}"),
    }
}
