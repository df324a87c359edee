//! The blocking client sends the same requests and gives the same answers.
//! These are plain `#[test]`s: the mock server runs on a runtime this module
//! owns, and the calls block the test thread.

use std::time::{Duration, Instant};

use s4e::{Error, ExportFormat, Finding, FindingStatus, RedirectReason, Severity};
use serde_json::json;
use wiremock::matchers::{body_json, header, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::slow::{self, Script};
use crate::support::{self, CUT_BOUND, KEY, USER_AGENT, ids, page_response};

/// A mock server and the runtime that mounts mocks on it and verifies it.
struct Harness {
    runtime: tokio::runtime::Runtime,
    server: Option<MockServer>,
}

impl Harness {
    fn start() -> Harness {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime for the mock server");
        let server = runtime.block_on(support::start());
        Harness {
            runtime,
            server: Some(server),
        }
    }

    fn server(&self) -> &MockServer {
        self.server.as_ref().expect("server is running")
    }

    fn mount(&self, mock: Mock) {
        self.runtime.block_on(mock.mount(self.server()));
    }

    fn client(&self) -> s4e::blocking::Client {
        support::builder(self.server())
            .build_blocking()
            .expect("blocking client builds")
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // Verify the `expect`s (the server's own drop) while the runtime lives.
        let _guard = self.runtime.enter();
        self.server.take();
    }
}

fn id_list(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.id.to_string()).collect()
}

#[test]
fn list_sends_the_filters_and_decodes_the_page() {
    let h = Harness::start();
    h.mount(
        support::route("GET", "/v1/findings")
            .and(query_param("severity", "critical,high"))
            .and(query_param("status", "open"))
            .and(query_param("per_page", "2"))
            .and(header("authorization", format!("Bearer {KEY}").as_str()))
            .and(header("user-agent", USER_AGENT))
            .respond_with(support::json(200, fixture!("findings_page.json")))
            .expect(1),
    );

    let page = h
        .client()
        .findings()
        .list()
        .severity([Severity::Critical, Severity::High])
        .status(FindingStatus::Open)
        .per_page(2)
        .send()
        .expect("list succeeds");
    assert_eq!(page.total, Some(156));
    assert_eq!(page.items[1].id, "f-70002");
}

#[test]
fn get_and_update() {
    let h = Harness::start();
    h.mount(
        support::route("GET", "/v1/findings/f-91827")
            .respond_with(support::json(200, fixture!("finding_detail.json")))
            .expect(1),
    );
    h.mount(
        support::route("PATCH", "/v1/findings/f-1")
            .and(body_json(json!({ "status": "resolved", "note": "done" })))
            .and(header("content-type", "application/json"))
            .respond_with(support::finding_response("f-1"))
            .expect(1),
    );

    let client = h.client();
    let finding = client.findings().get("f-91827").send().expect("get");
    assert_eq!(finding.severity, Severity::Critical);
    let updated = client
        .findings()
        .update("f-1")
        .status(FindingStatus::Resolved)
        .note("done")
        .send()
        .expect("update");
    assert_eq!(updated.id, "f-1");
}

#[test]
fn errors_are_the_same_variants() {
    let h = Harness::start();
    h.mount(
        support::route("GET", "/v1/findings/nope")
            .respond_with(
                support::error_body(404, "not_found", "no such finding")
                    .insert_header("x-request-id", "req-b404"),
            )
            .expect(1),
    );

    let err = h
        .client()
        .findings()
        .get("nope")
        .send()
        .expect_err("not found");
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(err.request_id(), Some("req-b404"));
}

#[test]
fn retries_work_the_same() {
    let h = Harness::start();
    h.mount(
        support::route("GET", "/v1/findings/f-1")
            .respond_with(support::sequence([
                support::error_body(503, "unavailable", "try again"),
                support::finding_response("f-1"),
            ]))
            .expect(2),
    );

    h.client()
        .findings()
        .get("f-1")
        .send()
        .expect("the retry succeeds");
}

#[test]
fn export_write_to_a_std_writer() {
    let h = Harness::start();
    let csv = crate::export::big_csv();
    h.mount(
        support::route("POST", "/v1/findings/export")
            .and(body_json(
                json!({ "format": "csv", "severity": ["critical"] }),
            ))
            .respond_with(crate::export::csv_response(csv.clone()))
            .expect(1),
    );

    let mut out: Vec<u8> = Vec::new();
    let written = h
        .client()
        .findings()
        .export(ExportFormat::Csv)
        .severity([Severity::Critical])
        .write_to(&mut out)
        .expect("the export streams");
    assert_eq!(written, csv.len() as u64);
    assert!(out == csv, "the file arrives byte for byte");
}

#[test]
fn the_deadline_bounds_a_blocking_call() {
    let h = Harness::start();
    h.mount(
        support::route("GET", "/v1/findings/f-1")
            .respond_with(support::finding_response("f-1").set_delay(Duration::from_secs(60)))
            .expect(1),
    );
    let deadline = Duration::from_millis(300);
    let client = support::builder(h.server())
        .deadline(deadline)
        .build_blocking()
        .unwrap();
    let started = Instant::now();
    let err = client
        .findings()
        .get("f-1")
        .send()
        .expect_err("the answer comes after the deadline");
    assert!(matches!(err, Error::Timeout(d) if d == deadline), "{err:?}");
    assert!(started.elapsed() < CUT_BOUND, "{:?}", started.elapsed());
}

#[test]
fn a_blocking_export_that_trickles_stalls() {
    let server = slow::serve(Script {
        first: b"id,title\n".to_vec(),
        piece: b"x".to_vec(),
        every: Duration::from_millis(20),
        pieces: None,
        ..Script::ok("text/csv", None)
    });
    let timeout = Duration::from_millis(300);
    let client = s4e::blocking::Client::builder(KEY)
        .base_url(&server.base_url)
        .timeout(timeout)
        .build()
        .unwrap();
    let started = Instant::now();
    let mut out = Vec::new();
    let err = client
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut out)
        .expect_err("one byte per 20 ms is a stall");
    assert!(matches!(err, Error::Timeout(d) if d == timeout), "{err:?}");
    assert!(started.elapsed() < CUT_BOUND, "{:?}", started.elapsed());
    assert!(out.starts_with(b"id,title\n") && out.len() < 16 * 1024);
    assert_eq!(server.requests(), 1, "a download is not retried once begun");
}

#[test]
fn a_blocking_export_ends_at_its_deadline() {
    let server = slow::serve(Script {
        piece: vec![b'x'; 64 * 1024],
        every: Duration::from_millis(5),
        pieces: None,
        ..Script::ok("text/csv", None)
    });
    let client = s4e::blocking::Client::builder(KEY)
        .base_url(&server.base_url)
        .build()
        .unwrap();
    let deadline = Duration::from_millis(500);
    let started = Instant::now();
    let mut out = std::io::sink();
    let err = client
        .findings()
        .export(ExportFormat::Csv)
        .deadline(deadline)
        .write_to(&mut out)
        .expect_err("an endless body ends at the deadline");
    assert!(matches!(err, Error::Timeout(d) if d == deadline), "{err:?}");
    assert!(started.elapsed() < CUT_BOUND, "{:?}", started.elapsed());
}

#[test]
fn a_blocking_write_is_never_redirected() {
    let h = Harness::start();
    let target = format!("{}/v1/assets/moved", h.server().uri());
    h.mount(
        support::route("POST", "/v1/assets")
            .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
            .expect(1),
    );
    let err = h
        .client()
        .assets()
        .create("shop.example.com", s4e::AssetType::Domain)
        .send()
        .expect_err("a redirected create is not a create");
    assert!(
        matches!(&err, Error::Redirect { status: 302, location: Some(to), reason: RedirectReason::Write, .. } if *to == target),
        "{err:?}"
    );
}

#[test]
fn a_redirect_loop_costs_the_blocking_client_eleven_requests() {
    let h = Harness::start();
    let here = format!("{}/v1/findings/loop", h.server().uri());
    h.mount(
        support::route("GET", "/v1/findings/loop")
            .respond_with(ResponseTemplate::new(308).insert_header("location", here.as_str()))
            .expect(11),
    );
    let err = h
        .client()
        .findings()
        .get("loop")
        .send()
        .expect_err("a loop never ends in an answer");
    assert!(
        matches!(
            &err,
            Error::Redirect {
                status: 308,
                reason: RedirectReason::TooMany,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn list_auto_is_an_iterator_over_every_page() {
    let h = Harness::start();
    for (page, items) in [(1, ids(1, 2)), (2, ids(3, 4)), (3, ids(5, 5))] {
        h.mount(
            support::route("GET", "/v1/findings")
                .and(query_param("page", page.to_string()))
                .and(query_param("per_page", "2"))
                .respond_with(page_response(
                    &items,
                    Some(json!({ "total": 5, "page": page, "per_page": 2 })),
                ))
                .expect(1),
        );
    }

    let client = h.client();
    let all: Vec<Finding> = client
        .findings()
        .list_auto()
        .per_page(2)
        .collect::<s4e::Result<_>>()
        .expect("every page loads");
    assert_eq!(id_list(&all), ids(1, 5));
}

#[test]
fn list_auto_is_lazy_and_pages_and_paginate_work() {
    let h = Harness::start();
    h.mount(
        support::route("GET", "/v1/findings")
            .and(query_param("page", "1"))
            .respond_with(page_response(
                &ids(1, 20),
                Some(json!({ "total": 40, "page": 1, "per_page": 20, "total_pages": 2 })),
            ))
            .expect(3),
    );
    h.mount(
        support::route("GET", "/v1/findings")
            .and(query_param("page", "2"))
            .respond_with(page_response(
                &ids(21, 40),
                Some(json!({ "total": 40, "page": 2, "per_page": 20, "total_pages": 2 })),
            ))
            .expect(1),
    );

    let client = h.client();
    // Five items: page 1 only.
    let first: Vec<Finding> = client
        .findings()
        .list_auto()
        .take(5)
        .collect::<s4e::Result<_>>()
        .expect("page 1 loads");
    assert_eq!(id_list(&first), ids(1, 5));
    // Whole pages: both.
    let pages: Vec<s4e::Page<Finding>> = client
        .findings()
        .list_auto()
        .pages()
        .collect::<s4e::Result<_>>()
        .expect("both pages load");
    assert_eq!(
        pages.iter().map(|p| p.current_page).collect::<Vec<_>>(),
        [1, 2]
    );
    // A declared endpoint, capped at the first page.
    let capped: Vec<Finding> = client
        .paginate(s4e::findings::ListFindings::default())
        .max_items(20)
        .collect::<s4e::Result<_>>()
        .expect("page 1 loads");
    assert_eq!(capped.len(), 20);
}

#[test]
fn list_auto_ends_after_an_error() {
    let h = Harness::start();
    h.mount(
        support::route("GET", "/v1/findings")
            .and(query_param("page", "1"))
            .respond_with(page_response(
                &ids(1, 2),
                Some(json!({ "total": 6, "page": 1, "per_page": 2, "total_pages": 3 })),
            ))
            .expect(1),
    );
    h.mount(
        support::route("GET", "/v1/findings")
            .and(query_param("page", "2"))
            .respond_with(support::error_body(403, "forbidden", "no"))
            .expect(1),
    );

    let items: Vec<s4e::Result<Finding>> = h.client().findings().list_auto().per_page(2).collect();
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert!(matches!(items[2], Err(Error::Auth(_))), "{:?}", items[2]);
}

#[test]
fn from_async_shares_the_settings() {
    let h = Harness::start();
    h.mount(
        support::route("GET", "/v1/findings/f-1")
            .and(header("x-api-key", KEY))
            .respond_with(support::finding_response("f-1"))
            .expect(1),
    );

    let async_client = support::builder(h.server())
        .auth_scheme(s4e::AuthScheme::ApiKeyHeader)
        .build()
        .unwrap();
    let client = s4e::blocking::Client::from_async(async_client).expect("blocking client");
    assert_eq!(client.as_async().base_url(), support::base_url(h.server()));
    client
        .execute(s4e::findings::GetFinding::new("f-1"))
        .send()
        .expect("get");
}

#[tokio::test]
async fn inside_an_async_runtime_calls_are_refused_without_panicking() {
    let server = support::start().await;
    let client = support::builder(&server)
        .build_blocking()
        .expect("building is fine anywhere");

    let err = client.findings().get("f-1").send().expect_err("refused");
    let Error::InvalidRequest(message) = &err else {
        panic!("expected InvalidRequest, got {err:?}");
    };
    assert!(message.contains("async"), "{message}");

    let err = client
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut Vec::new())
        .expect_err("refused");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");

    let first = client.findings().list_auto().next().expect("an error item");
    assert!(matches!(first, Err(Error::InvalidRequest(_))), "{first:?}");

    // Nothing reached the server.
    assert!(support::received(&server).await.is_empty());
    // Dropping the client (joining its thread) must not block this runtime
    // for long or panic.
    drop(client);
}

#[test]
fn the_blocking_builder_takes_every_setting_and_builds_a_blocking_client() {
    let h = Harness::start();
    h.mount(
        support::route("GET", "/v1/findings/f-1")
            .and(header("x-api-key", KEY))
            .and(header(
                "user-agent",
                format!("{USER_AGENT} sync-job/1").as_str(),
            ))
            .respond_with(support::sequence([
                support::error_body(503, "unavailable", "try again"),
                support::finding_response("f-1"),
            ]))
            .expect(2),
    );
    let base_url = format!("{}/v1/", h.server().uri());
    // The type is the point: `build()` gives the blocking client.
    let client: s4e::blocking::Client = s4e::blocking::Client::builder(KEY)
        .base_url(base_url.as_str())
        .auth_scheme(s4e::AuthScheme::ApiKeyHeader)
        .user_agent("sync-job/1")
        .timeout(Duration::from_secs(5))
        .deadline(Duration::from_secs(10))
        .retries(1)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .max_retry_wait(Duration::from_secs(1))
        .max_response_size(1024 * 1024)
        .allow_http(false)
        .build()
        .expect("the blocking builder builds");
    assert_eq!(client.base_url(), base_url.trim_end_matches('/'));
    let finding = client.findings().get("f-1").send().expect("retried once");
    assert_eq!(finding.id.to_string(), "f-1");

    // The same checks as the async builder, with the same messages.
    for (builder, setting) in [
        (
            s4e::blocking::Client::builder(KEY).timeout(Duration::ZERO),
            "timeout",
        ),
        (
            s4e::blocking::Client::builder(KEY).deadline(Duration::ZERO),
            "deadline",
        ),
        (s4e::blocking::Client::builder(KEY).proxy("::nope"), "proxy"),
        (
            s4e::blocking::Client::builder(KEY).ca_certificate("junk"),
            "ca_certificate",
        ),
        (
            s4e::blocking::Client::builder(KEY).base_url("http://s4e.corp.example/v1"),
            "allow_http",
        ),
    ] {
        match builder.build() {
            Err(Error::Config(message)) => assert!(message.contains(setting), "{message}"),
            other => panic!("{setting}: expected a config error, got {other:?}"),
        }
    }
    let lab = s4e::blocking::Client::builder(KEY)
        .base_url("http://s4e.lab.internal/v1")
        .allow_http(true)
        .build()
        .expect("allow_http(true) reaches the async builder");
    assert_eq!(lab.base_url(), "http://s4e.lab.internal/v1");
    // An async builder continues as a blocking one.
    let from_async: s4e::blocking::ClientBuilder = s4e::Client::builder(KEY).retries(0).into();
    assert!(format!("{from_async:?}").contains("retries: 0"));
    assert!(
        !format!("{from_async:?}").contains(KEY),
        "the key stays secret"
    );
}

/// Calls from several threads at once share one blocking client (whichever
/// thread is inside a call drives the others' connections too), also while
/// an iterator with `concurrency` above 1 keeps its helper thread driving.
#[test]
fn threads_share_one_blocking_client_while_a_concurrent_iterator_runs() {
    let h = Harness::start();
    h.mount(
        support::route("GET", "/v1/findings/f-1").respond_with(support::finding_response("f-1")),
    );
    for page in 1..=4usize {
        let first = page * 2 - 1;
        h.mount(
            support::route("GET", "/v1/findings")
                .and(query_param("page", page.to_string()))
                .respond_with(page_response(
                    &ids(first, first + 1),
                    Some(json!({ "total": 8, "page": page, "per_page": 2, "total_pages": 4 })),
                )),
        );
    }

    let client = h.client();
    let get_many = |client: &s4e::blocking::Client| {
        for _ in 0..25 {
            let finding = client.findings().get("f-1").send().expect("get");
            assert_eq!(finding.id, "f-1");
        }
    };
    // Calls only.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| get_many(&client));
        }
    });
    // Calls beside iterators that are taken slowly, so that the helper thread
    // drives the runtime for most of the time.
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let walk = client.findings().list_auto().per_page(2).concurrency(4);
                let mut all = Vec::new();
                for finding in walk {
                    all.push(finding.expect("page loads").id.to_string());
                    std::thread::sleep(Duration::from_millis(5));
                }
                assert_eq!(all, ids(1, 8));
            });
        }
        for _ in 0..4 {
            s.spawn(|| get_many(&client));
        }
    });
    // And alone again, once the iterators are gone.
    get_many(&client);
}
