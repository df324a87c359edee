//! Response metadata (`send_with_meta`, `write_to_with_meta`, `Page::meta`)
//! and the user hooks (`default_header`, `on_request`, `on_response`) on the
//! wire.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use s4e::{Error, ExportFormat, Method};
use serde_json::json;
use wiremock::matchers::{header, query_param};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::{self, KEY, MountExpecting, ids, page_response};

fn with_meta(template: ResponseTemplate, request_id: &str, remaining: u64) -> ResponseTemplate {
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 60;
    template
        .insert_header("x-request-id", request_id)
        .insert_header("x-ratelimit-limit", "100")
        .insert_header("x-ratelimit-remaining", remaining.to_string().as_str())
        .insert_header("x-ratelimit-reset", reset.to_string().as_str())
        .insert_header("x-custom", "one")
        .append_header("x-custom", "two")
}

#[tokio::test]
async fn a_call_returns_its_value_with_status_request_id_rate_limit_and_headers() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(with_meta(support::finding_response("f-1"), "req-ok-1", 41))
        .mount_expecting(&server, 1)
        .await;
    let client = support::client_no_retry(&server);

    let answer = client.findings().get("f-1").send_with_meta().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.request_id(), Some("req-ok-1"));
    let limit = answer.rate_limit().expect("the answer stated a limit");
    assert_eq!((limit.limit, limit.remaining), (100, 41));
    assert_eq!(answer.headers().get("X-Request-Id"), Some("req-ok-1"));
    assert_eq!(
        answer.headers().get_all("x-custom").collect::<Vec<_>>(),
        ["one", "two"]
    );
    assert!(
        answer
            .headers()
            .iter()
            .any(|(name, value)| name == "content-type" && value.starts_with("application/json"))
    );
    assert_eq!(answer.meta().status(), 200);
    let (finding, meta) = answer.into_parts();
    assert_eq!(finding.id.as_str(), "f-1");
    assert_eq!(meta.request_id(), Some("req-ok-1"));
}

#[tokio::test]
async fn a_retried_call_reports_the_answer_that_succeeded() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(support::sequence([
            with_meta(
                support::error_body(503, "unavailable", "later"),
                "req-503",
                9,
            ),
            with_meta(support::finding_response("f-1"), "req-200", 8),
        ]))
        .mount_expecting(&server, 2)
        .await;
    let answer = support::client(&server)
        .findings()
        .get("f-1")
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(answer.request_id(), Some("req-200"));
    assert_eq!(answer.rate_limit().map(|l| l.remaining), Some(8));
}

#[tokio::test]
async fn a_single_list_call_returns_its_page_with_the_metadata() {
    let server = support::start().await;
    support::route("GET", "/v1/findings")
        .and(query_param("per_page", "2"))
        .respond_with(with_meta(
            page_response(&ids(1, 2), Some(json!({"total": 2}))),
            "req-list",
            77,
        ))
        .mount_expecting(&server, 1)
        .await;
    let answer = support::client_no_retry(&server)
        .findings()
        .list()
        .per_page(2)
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(answer.request_id(), Some("req-list"));
    assert_eq!(answer.value().len(), 2);
    assert_eq!(answer.value().total, Some(2));
}

async fn mount_three_pages(server: &MockServer) {
    for number in 1..=3u32 {
        let from = (number as usize - 1) * 2 + 1;
        support::route("GET", "/v1/findings")
            .and(query_param("page", number.to_string().as_str()))
            .respond_with(with_meta(
                page_response(
                    &ids(from, from + 1),
                    Some(json!({"total": 6, "page": number, "per_page": 2})),
                ),
                &format!("req-page-{number}"),
                100 - u64::from(number),
            ))
            .mount_expecting(server, 1)
            .await;
    }
}

#[tokio::test]
async fn each_walked_page_carries_the_metadata_of_its_own_answer() {
    let server = support::start().await;
    mount_three_pages(&server).await;
    let pages: Vec<s4e::Page<s4e::Finding>> = support::client_no_retry(&server)
        .findings()
        .list_auto()
        .per_page(2)
        .concurrency(2)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let seen: Vec<(u32, Option<String>, Option<u64>)> = pages
        .iter()
        .map(|page| {
            let meta = page.meta().expect("a walked page has its metadata");
            assert_eq!(meta.status(), 200);
            (
                page.current_page,
                meta.request_id().map(str::to_owned),
                meta.rate_limit().map(|l| l.remaining),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, Some("req-page-1".to_owned()), Some(99)),
            (2, Some("req-page-2".to_owned()), Some(98)),
            (3, Some("req-page-3".to_owned()), Some(97)),
        ]
    );
}

#[tokio::test]
async fn a_download_reports_its_metadata() {
    let server = support::start().await;
    support::route("POST", "/v1/findings/export")
        .respond_with(with_meta(
            ResponseTemplate::new(200).set_body_raw(b"id,title\nf-1,x\n".to_vec(), "text/csv"),
            "req-export",
            50,
        ))
        .mount_expecting(&server, 1)
        .await;
    let mut out = Vec::new();
    let export = support::client_no_retry(&server)
        .findings()
        .export(ExportFormat::Csv)
        .write_to_with_meta(&mut out)
        .await
        .unwrap();
    assert_eq!(*export.value(), out.len() as u64);
    assert_eq!(out, b"id,title\nf-1,x\n");
    assert_eq!(export.request_id(), Some("req-export"));
    assert_eq!(export.headers().get("content-type"), Some("text/csv"));
}

#[test]
fn the_blocking_client_returns_the_same_metadata() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = support::start().await;
        support::route("GET", "/v1/findings/f-1")
            .respond_with(with_meta(support::finding_response("f-1"), "req-b", 12))
            .mount_expecting(&server, 1)
            .await;
        mount_three_pages(&server).await;
        support::route("POST", "/v1/findings/export")
            .respond_with(with_meta(
                ResponseTemplate::new(200).set_body_raw(b"a,b\n".to_vec(), "text/csv"),
                "req-b-export",
                11,
            ))
            .mount_expecting(&server, 1)
            .await;
        server
    });
    let client = support::builder(&server)
        .retries(0)
        .build_blocking()
        .unwrap();
    let answer = client.findings().get("f-1").send_with_meta().unwrap();
    assert_eq!(answer.request_id(), Some("req-b"));
    assert_eq!(answer.rate_limit().map(|l| l.remaining), Some(12));
    let ids: Vec<Option<String>> = client
        .findings()
        .list_auto()
        .per_page(2)
        .pages()
        .map(|page| {
            page.unwrap()
                .meta()
                .and_then(|m| m.request_id().map(str::to_owned))
        })
        .collect();
    assert_eq!(
        ids,
        [
            Some("req-page-1".to_owned()),
            Some("req-page-2".to_owned()),
            Some("req-page-3".to_owned())
        ]
    );
    let mut out = Vec::new();
    let export = client
        .findings()
        .export(ExportFormat::Csv)
        .write_to_with_meta(&mut out)
        .unwrap();
    assert_eq!(
        (*export.value(), export.request_id()),
        (4, Some("req-b-export"))
    );
    drop(client);
    runtime.block_on(server.verify());
}

#[tokio::test]
async fn default_headers_go_with_every_request_to_the_api() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .and(header("x-tenant", "acme-eu"))
        .and(header("x-team", "soc"))
        .respond_with(support::finding_response("f-1"))
        .mount_expecting(&server, 1)
        .await;
    support::route("POST", "/v1/assets")
        .and(header("x-tenant", "acme-eu"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "data": {"id": "a-1", "name": "x.example", "type": "domain"}
        })))
        .mount_expecting(&server, 1)
        .await;
    let client = support::builder(&server)
        .retries(0)
        .default_header("X-Tenant", "first")
        .default_header("X-Tenant", "acme-eu")
        .default_header("x-team", "soc")
        .build()
        .unwrap();
    client.findings().get("f-1").await.unwrap();
    client
        .assets()
        .create("x.example", s4e::AssetType::Domain)
        .await
        .unwrap();
    let requests = support::received(&server).await;
    for request in &requests {
        assert_eq!(
            request.headers.get_all("x-tenant").iter().count(),
            1,
            "a later default replaces an earlier one"
        );
        assert_eq!(
            support::header(request, "authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
    }
}

#[tokio::test]
async fn the_sdks_own_headers_cannot_be_default_headers() {
    for name in [
        "Authorization",
        "x-api-key",
        "Idempotency-Key",
        "Content-Type",
        "Host",
    ] {
        let result = s4e::Client::builder("k").default_header(name, "x").build();
        assert!(
            matches!(&result, Err(Error::Config(m)) if m.contains(name)),
            "{name}: {result:?}"
        );
    }
    for (name, value) in [("bad name", "x"), ("X-Ok", "a\r\nb"), ("", "x")] {
        let result = s4e::Client::builder("k")
            .default_header(name, value)
            .build_blocking();
        assert!(
            matches!(result, Err(Error::Config(_))),
            "{name:?}: {value:?}"
        );
    }
}

/// What the hooks saw, in order.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Request {
        method: Method,
        template: &'static str,
        url: String,
        attempt: u32,
        headers: Vec<(String, String)>,
    },
    Response {
        template: &'static str,
        attempt: u32,
        status: Option<u16>,
        request_id: Option<String>,
        error_type: Option<String>,
    },
}

fn recording(server: &MockServer) -> (s4e::ClientBuilder, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let on_request = seen.clone();
    let on_response = seen.clone();
    let builder = support::builder(server)
        .on_request(move |request| {
            request.set_header("x-tenant", "acme").unwrap();
            request
                .set_header("x-attempt", &request.attempt().to_string())
                .unwrap();
            let mut headers: Vec<(String, String)> = request
                .headers()
                .iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect();
            headers.sort();
            on_request.lock().unwrap().push(Seen::Request {
                method: request.method(),
                template: request.url_template(),
                url: request.url().to_owned(),
                attempt: request.attempt(),
                headers,
            });
        })
        .on_response(move |outcome| {
            assert_eq!(outcome.method(), Method::Get);
            assert_eq!(outcome.is_success(), outcome.error().is_none());
            on_response.lock().unwrap().push(Seen::Response {
                template: outcome.url_template(),
                attempt: outcome.attempt(),
                status: outcome.status(),
                request_id: outcome.request_id().map(str::to_owned),
                error_type: outcome.error_type(),
            });
        });
    (builder, seen)
}

#[tokio::test]
async fn hooks_see_every_attempt_and_may_add_headers_but_never_see_the_key() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .and(header("x-tenant", "acme"))
        .respond_with(support::sequence([
            support::error_body(503, "unavailable", "later").insert_header("x-request-id", "r-1"),
            support::finding_response("f-1").insert_header("x-request-id", "r-2"),
        ]))
        .mount_expecting(&server, 2)
        .await;
    let (builder, seen) = recording(&server);
    let client = builder.build().unwrap();
    client.findings().get("f-1").await.unwrap();

    let url = format!("{}/findings/f-1", support::base_url(&server));
    let headers = |attempt: u32| {
        vec![
            ("accept".to_owned(), "application/json".to_owned()),
            ("user-agent".to_owned(), support::USER_AGENT.to_owned()),
            ("x-attempt".to_owned(), attempt.to_string()),
            ("x-tenant".to_owned(), "acme".to_owned()),
        ]
    };
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            Seen::Request {
                method: Method::Get,
                template: "/findings/{id}",
                url: url.clone(),
                attempt: 1,
                headers: headers(1),
            },
            Seen::Response {
                template: "/findings/{id}",
                attempt: 1,
                status: Some(503),
                request_id: Some("r-1".to_owned()),
                error_type: Some("503".to_owned()),
            },
            Seen::Request {
                method: Method::Get,
                template: "/findings/{id}",
                url,
                attempt: 2,
                headers: headers(2),
            },
            Seen::Response {
                template: "/findings/{id}",
                attempt: 2,
                status: Some(200),
                request_id: Some("r-2".to_owned()),
                error_type: None,
            },
        ]
    );
    let text = format!("{seen:?}");
    assert!(!text.contains(KEY), "a hook saw the key: {text}");
    let received = support::received(&server).await;
    let attempts: Vec<Option<&str>> = received
        .iter()
        .map(|r| support::header(r, "x-attempt"))
        .collect();
    assert_eq!(attempts, [Some("1"), Some("2")]);
}

#[tokio::test]
async fn a_hook_sees_a_failure_without_an_answer() {
    let (builder, seen) = recording_at(&support::closed_port_url());
    let err = support::get_once(builder).await.unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        seen[1],
        Seen::Response {
            template: "/findings/{id}",
            attempt: 1,
            status: None,
            request_id: None,
            error_type: Some("connect".to_owned()),
        }
    );
}

fn recording_at(base_url: &str) -> (s4e::ClientBuilder, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let on_response = seen.clone();
    let on_request = seen.clone();
    let builder = support::builder_at(base_url)
        .on_request(move |request| {
            on_request.lock().unwrap().push(Seen::Request {
                method: request.method(),
                template: request.url_template(),
                url: request.url().to_owned(),
                attempt: request.attempt(),
                headers: Vec::new(),
            });
        })
        .on_response(move |outcome| {
            on_response.lock().unwrap().push(Seen::Response {
                template: outcome.url_template(),
                attempt: outcome.attempt(),
                status: outcome.status(),
                request_id: outcome.request_id().map(str::to_owned),
                error_type: outcome.error_type(),
            });
        });
    (builder, seen)
}

#[tokio::test]
async fn a_hook_cannot_replace_the_key_or_the_idempotency_key() {
    let server = support::start().await;
    support::route("POST", "/v1/assets")
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "data": {"id": "a-1", "name": "x.example", "type": "domain"}
        })))
        .mount_expecting(&server, 1)
        .await;
    let refused = Arc::new(Mutex::new(Vec::new()));
    let record = refused.clone();
    let client = support::builder(&server)
        .on_request(move |request| {
            let mut record = record.lock().unwrap();
            for name in ["Authorization", "Idempotency-Key", "Content-Type"] {
                record.push(request.set_header(name, "hijacked").is_err());
                record.push(request.remove_header(name).is_err());
            }
            // The hook sees the write's idempotency key and content type.
            record.push(request.headers().contains("idempotency-key"));
            record.push(request.headers().get("content-type") == Some("application/json"));
        })
        .build()
        .unwrap();
    client
        .assets()
        .create("x.example", s4e::AssetType::Domain)
        .idempotency_key("job-7")
        .await
        .unwrap();
    let refused = refused.lock().unwrap().clone();
    assert!(!refused.is_empty(), "the hook saw the request");
    assert!(refused.iter().all(|r| *r), "{refused:?}");
    let requests = support::received(&server).await;
    assert_eq!(
        support::header(&requests[0], "idempotency-key"),
        Some("job-7")
    );
    assert_eq!(
        support::header(&requests[0], "authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(
        support::header(&requests[0], "content-type"),
        Some("application/json")
    );
}

#[tokio::test]
async fn a_panicking_hook_neither_fails_the_call_nor_poisons_the_client() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .and(support::header_missing("x-from-panicking-hook"))
        .respond_with(support::finding_response("f-1"))
        .mount_expecting(&server, 3)
        .await;
    let client = support::builder(&server)
        .retries(0)
        .on_request(|request| {
            request.set_header("x-from-panicking-hook", "1").unwrap();
            panic!("a bug in the request hook");
        })
        .on_response(|_| panic!("a bug in the response hook"))
        .build()
        .unwrap();
    for _ in 0..2 {
        client.findings().get("f-1").await.unwrap();
    }
    // The blocking client, sharing the same hooks, is unharmed too.
    let blocking = s4e::blocking::Client::from_async(client.clone()).unwrap();
    // On a thread of its own (outside the runtime), joined without blocking
    // the runtime that serves the mock.
    tokio::task::spawn_blocking(move || {
        std::thread::spawn(move || blocking.findings().get("f-1").send())
            .join()
            .unwrap()
    })
    .await
    .unwrap()
    .unwrap();
}

/// Default and hook headers may carry a gateway's credentials: like the key,
/// they follow a redirect on the API's origin and never one elsewhere.
#[tokio::test]
async fn default_and_hook_headers_stay_on_the_apis_origin() {
    let origin = support::start().await;
    let elsewhere = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .and(header("x-gateway-token", "gw-secret"))
        .and(header("x-tenant", "acme"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/v1/findings/f-2"))
        .mount_expecting(&origin, 1)
        .await;
    support::route("GET", "/v1/findings/f-2")
        .and(header("x-gateway-token", "gw-secret"))
        .and(header("x-tenant", "acme"))
        .respond_with(ResponseTemplate::new(307).insert_header(
            "location",
            format!("{}/v1/findings/f-3", elsewhere.uri()).as_str(),
        ))
        .mount_expecting(&origin, 1)
        .await;
    support::route("GET", "/v1/findings/f-3")
        .and(support::header_missing("x-gateway-token"))
        .and(support::header_missing("x-tenant"))
        .and(support::header_missing("authorization"))
        .respond_with(support::finding_response("f-3"))
        .mount_expecting(&elsewhere, 1)
        .await;
    let finding = support::builder(&origin)
        .default_header("X-Gateway-Token", "gw-secret")
        .on_request(|request| {
            request.set_header("x-tenant", "acme").unwrap();
        })
        .build()
        .unwrap()
        .findings()
        .get("f-1")
        .await
        .unwrap();
    assert_eq!(finding.id.as_str(), "f-3");
}

/// The blocking builder forwards the three settings to the async one.
#[test]
fn the_blocking_builder_has_the_hooks_and_default_headers() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = support::start().await;
        support::route("GET", "/v1/findings/f-1")
            .and(header("x-tenant", "acme"))
            .and(header("x-job", "sync"))
            .respond_with(support::finding_response("f-1").insert_header("x-request-id", "r-b"))
            .mount_expecting(&server, 1)
            .await;
        server
    });
    let ids = Arc::new(Mutex::new(Vec::new()));
    let record = ids.clone();
    let client = s4e::blocking::Client::builder(KEY)
        .base_url(support::base_url(&server))
        .default_header("X-Tenant", "acme")
        .on_request(|request| request.set_header("x-job", "sync").unwrap())
        .on_response(move |outcome| {
            record
                .lock()
                .unwrap()
                .push(outcome.request_id().map(str::to_owned));
        })
        .build()
        .unwrap();
    client.findings().get("f-1").send().unwrap();
    assert_eq!(*ids.lock().unwrap(), [Some("r-b".to_owned())]);
    assert!(matches!(
        s4e::blocking::Client::builder(KEY)
            .default_header("Idempotency-Key", "fixed")
            .build(),
        Err(Error::Config(_))
    ));
    drop(client);
    runtime.block_on(server.verify());
}

/// With `X-API-Key` the key travels in a header of its own; a hook sees it
/// no more than `Authorization`.
#[tokio::test]
async fn a_hook_never_sees_the_key_header_of_either_scheme() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .and(header("x-api-key", KEY))
        .respond_with(support::finding_response("f-1"))
        .mount_expecting(&server, 1)
        .await;
    let seen = Arc::new(Mutex::new(String::new()));
    let record = seen.clone();
    support::builder(&server)
        .auth_scheme(s4e::AuthScheme::ApiKeyHeader)
        .on_request(move |request| {
            *record.lock().unwrap() = format!(
                "{request:?} {:?}",
                request.headers().iter().collect::<Vec<_>>()
            );
        })
        .build()
        .unwrap()
        .findings()
        .get("f-1")
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert!(seen.contains("user-agent"), "{seen}");
    assert!(
        !seen.contains(KEY) && !seen.to_ascii_lowercase().contains("x-api-key"),
        "{seen}"
    );
}
