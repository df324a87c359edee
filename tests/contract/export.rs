//! `POST /findings/export`: the filters in the body, the file streamed to a
//! writer, retried as the idempotent call it is (`docs/API.md` 4.3, 5.3).

use std::time::{Duration, Instant};

use s4e::{Error, ExportFormat, FindingStatus, Severity};
use serde_json::json;
use wiremock::matchers::{body_json, header, header_exists};
use wiremock::{MockServer, ResponseTemplate};

use crate::slow::{self, Script};
use crate::support::{self, CUT_BOUND, KEY, MountExpecting, no_query};

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
    support::route("POST", "/v1/findings/export")
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
        .mount_expecting(server, 1)
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
    support::route("POST", "/v1/findings/export")
        .and(body_json(json!({ "format": "json" })))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"[{"id":"f-1"}]"#, "application/json"),
        )
        .mount_expecting(&server, 1)
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
    support::route("POST", "/v1/findings/export")
        .and(body_json(json!({ "format": "csv" })))
        .respond_with(support::sequence([
            support::error_body(503, "unavailable", "try again"),
            csv_response(b"id,title\nf-1,x\n".to_vec()),
        ]))
        .mount_expecting(&server, 2)
        .await;

    let mut out = Vec::new();
    let written = export_csv(&server, &mut out)
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
    support::route("POST", "/v1/findings/export")
        .respond_with(
            support::error_body(429, "rate_limited", "5 exports per minute")
                .insert_header("retry-after", "600"),
        )
        .mount_expecting(&server, 1)
        .await;

    let mut out = Vec::new();
    let err = export_csv(&server, &mut out)
        .await
        .expect_err("rate limited beyond the ceiling");
    assert!(matches!(err, Error::RateLimit(_)), "{err:?}");
    assert!(out.is_empty());
}

fn client_of(server: &slow::Server, timeout: Duration) -> s4e::Client {
    s4e::Client::builder(KEY)
        .base_url(&server.base_url)
        .timeout(timeout)
        .build()
        .unwrap()
}

/// The bug this fixes: the timeout bounded each chunk, so one byte every
/// second kept an export open forever. Now a body that moves less than
/// 16 KiB per timeout has stalled.
#[tokio::test]
async fn an_export_that_trickles_stalls_within_a_few_timeouts() {
    let server = slow::serve(Script {
        first: b"id,title\n".to_vec(),
        piece: b"x".to_vec(),
        every: Duration::from_millis(20),
        pieces: None,
        ..Script::ok("text/csv", Some(1_000_000))
    });
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let mut out = Vec::new();
    let err = client_of(&server, timeout)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut out)
        .await
        .expect_err("one byte per 20 ms is a stall");
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout(d) if d == timeout), "{err:?}");
    // Within a window or two on a quiet machine (the paused-clock tests of
    // the stall rule pin that); here, well before the server's 20 s.
    assert!(elapsed >= timeout && elapsed < CUT_BOUND, "{elapsed:?}");
    assert!(out.starts_with(b"id,title\n") && out.len() < 16 * 1024);
    assert_eq!(server.requests(), 1, "a download is not retried once begun");
}

/// A body that keeps moving is never cut by the stall rule, even when the
/// whole transfer takes several timeouts.
#[tokio::test]
async fn an_export_longer_than_the_timeout_that_keeps_moving_completes() {
    // 8 KiB every 20 ms for 3.2 s, under a 1 s stall window that wants
    // 16 KiB: only a pause of almost a second could look like a stall.
    let pieces = 160;
    let piece = vec![b'x'; 8 * 1024];
    let server = slow::serve(Script {
        piece: piece.clone(),
        every: Duration::from_millis(20),
        pieces: Some(pieces),
        ..Script::ok("text/csv", Some(pieces * piece.len()))
    });
    let timeout = Duration::from_secs(1);
    let started = Instant::now();
    let written = client_of(&server, timeout)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut tokio::io::sink())
        .await
        .expect("a moving body is not a stall");
    assert_eq!(written, (pieces * piece.len()) as u64);
    assert!(started.elapsed() > 3 * timeout, "{:?}", started.elapsed());
}

/// A body that never ends, at a healthy rate, ends at the deadline: the
/// request's own, or the client's.
#[tokio::test]
async fn an_endless_export_ends_at_the_deadline() {
    let server = slow::serve(Script {
        piece: vec![b'x'; 64 * 1024],
        every: Duration::from_millis(5),
        pieces: None,
        ..Script::ok("text/csv", None)
    });
    let deadline = Duration::from_millis(500);
    let started = Instant::now();
    let mut out = Vec::new();
    let err = client_of(&server, Duration::from_secs(30))
        .findings()
        .export(ExportFormat::Csv)
        .deadline(deadline)
        .write_to(&mut out)
        .await
        .expect_err("the deadline covers the transfer");
    assert!(matches!(err, Error::Timeout(d) if d == deadline), "{err:?}");
    assert!(started.elapsed() < CUT_BOUND, "{:?}", started.elapsed());
    assert!(out.len() > 64 * 1024, "the body was moving: {}", out.len());

    let client = s4e::Client::builder(KEY)
        .base_url(&server.base_url)
        .deadline(deadline)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut tokio::io::sink())
        .await
        .expect_err("the client's deadline covers downloads too");
    assert!(matches!(err, Error::Timeout(d) if d == deadline), "{err:?}");
    assert!(started.elapsed() < CUT_BOUND, "{:?}", started.elapsed());
}

/// A CSV export of every finding by [`support::client`], written to `out`.
async fn export_csv(server: &MockServer, out: &mut Vec<u8>) -> Result<u64, Error> {
    support::client(server)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(out)
        .await
}
