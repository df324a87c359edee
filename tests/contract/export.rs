//! `POST /findings/export`: the filters in the body, the file streamed to a
//! writer, retried as the idempotent call it is (`docs/API.md` 4.3, 5.3).

use s4e::{Error, ExportFormat, FindingStatus, Severity};
use serde_json::json;
use wiremock::matchers::{body_json, header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{self, KEY, no_query};

/// A CSV export of about 1 MB with the documented columns.
pub(crate) fn big_csv() -> Vec<u8> {
    let mut csv = String::from("id,title,severity,cvss,status,asset,scan_id,discovered_at\n");
    let mut n = 0;
    while csv.len() < 1_000_000 {
        n += 1;
        csv.push_str(&format!(
            "f-{n},Finding number {n},high,7.5,open,example.com,sc-44021,2026-05-03T10:07:00Z\n"
        ));
    }
    csv.into_bytes()
}

pub(crate) fn csv_response(body: Vec<u8>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "text/csv")
}

async fn mount_export(server: &MockServer, body: Vec<u8>) {
    Mock::given(method("POST"))
        .and(path("/v1/findings/export"))
        .and(no_query)
        .and(body_json(json!({
            "format": "csv",
            "severity": ["critical", "high"],
            "status": "open",
        })))
        .and(header("content-type", "application/json"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        // Exports ask for the file's own media type, not JSON.
        .and(header("accept", "text/csv"))
        .and(header_exists("idempotency-key"))
        .respond_with(csv_response(body))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn write_to_streams_the_whole_file() {
    let server = support::start().await;
    let csv = big_csv();
    mount_export(&server, csv.clone()).await;

    let mut out: Vec<u8> = Vec::new();
    let written = support::client(&server)
        .findings()
        .export(ExportFormat::Csv)
        .severity([Severity::Critical, Severity::High])
        .status(FindingStatus::Open)
        .write_to(&mut out)
        .await
        .expect("the export streams");
    assert_eq!(written, csv.len() as u64);
    assert!(out == csv, "the file arrives byte for byte");
}

#[tokio::test]
async fn write_to_a_tokio_sink_counts_the_bytes() {
    let server = support::start().await;
    let csv = big_csv();
    mount_export(&server, csv.clone()).await;

    let written = support::client(&server)
        .findings()
        .export(ExportFormat::Csv)
        .severity([Severity::Critical, Severity::High])
        .status(FindingStatus::Open)
        .write_to(&mut tokio::io::sink())
        .await
        .expect("the export streams");
    assert_eq!(written, csv.len() as u64);
}

#[tokio::test]
async fn awaiting_the_export_gives_the_bytes() {
    let server = support::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/findings/export"))
        .and(body_json(json!({ "format": "json" })))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"[{"id":"f-1"}]"#, "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let bytes = support::client(&server)
        .findings()
        .export(ExportFormat::Json)
        .await
        .expect("the export downloads");
    assert_eq!(bytes, br#"[{"id":"f-1"}]"#);
}

#[tokio::test]
async fn export_is_retried_after_a_503_with_the_same_key() {
    let server = support::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/findings/export"))
        .and(body_json(json!({ "format": "csv" })))
        .respond_with(support::sequence([
            support::error_body(503, "unavailable", "try again"),
            csv_response(b"id,title\nf-1,x\n".to_vec()),
        ]))
        .expect(2)
        .mount(&server)
        .await;

    let mut out = Vec::new();
    let written = support::client(&server)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut out)
        .await
        .expect("the retry succeeds");
    assert_eq!(written, 15);
    assert_eq!(out, b"id,title\nf-1,x\n");
    let keys: Vec<String> = support::received(&server)
        .await
        .iter()
        .map(|r| support::header(r, "idempotency-key").unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1]);
    assert!(support::is_uuid(&keys[0]), "{keys:?}");
}

#[tokio::test]
async fn an_export_refused_before_any_byte_writes_nothing() {
    let server = support::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/findings/export"))
        .respond_with(
            support::error_body(429, "rate_limited", "5 exports per minute")
                .insert_header("retry-after", "600"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let mut out = Vec::new();
    let err = support::client(&server)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut out)
        .await
        .expect_err("rate limited beyond the ceiling");
    assert!(matches!(err, Error::RateLimit(_)), "{err:?}");
    assert!(out.is_empty());
}
