//! Contract tests of the `scans` module (`docs/API.md` §4.2, §5.2): every
//! operation on the async and the blocking client, `wait` with a status
//! sequence and with a deadline, and the tolerant decoding of scans.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use s4e::scans::{Scan, ScanDepth, ScanOptions, ScanPriority, ScanProgress, ScanStatus, ScanType};
use serde_json::json;
use wiremock::matchers::{body_json, header, header_exists};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::{
    self, MountExpecting, at, fixture, header_missing, json, no_body, no_query, on_both_clients,
};

fn scan_json(id: &str, status: &str) -> serde_json::Value {
    json!({ "id": id, "asset_id": "a-1001", "scan_type": "quick", "status": status })
}

fn progress_response(id: &str, status: &str, progress: u32) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "data": { "scan_id": id, "status": status, "progress": progress, "current_phase": "crawl" }
    }))
}

// ---------------------------------------------------------------- list

pub(crate) fn check_list(page: &s4e::Page<Scan>) {
    let ids: Vec<&str> = page.items.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["sc-1", "sc-2"]);
    assert_eq!(page.items[0].scan_type, Some(ScanType::Ssl));
    assert_eq!(page.items[1].scan_type, Some(ScanType::Dns));
    assert_eq!(page.items[0].finding_count, Some(1));
    assert_eq!(page.total, Some(12));
    assert_eq!(page.current_page, 3);
    assert_eq!(page.last_page, Some(3));
}

// ---------------------------------------------------------------- list_auto

/// A running scan on a page `crud::list_auto` walks.
pub(crate) fn list_auto_item(id: &str) -> serde_json::Value {
    scan_json(id, "running")
}

pub(crate) fn check_list_auto(scans: &[Scan]) {
    let ids: Vec<&str> = scans.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["sc-1", "sc-2", "sc-3"]);
    assert!(scans.iter().all(|s| s.status == Some(ScanStatus::Running)));
}

// ---------------------------------------------------------------- get

pub(crate) fn check_full_scan(scan: &Scan) {
    assert_eq!(scan.id, "sc-44021");
    assert_eq!(scan.asset_id, Some("a-1001".into()));
    assert_eq!(scan.scan_type, Some(ScanType::Full));
    assert_eq!(scan.status, Some(ScanStatus::Completed));
    assert!(scan.status.as_ref().is_some_and(|s| s.is_final()));
    assert_eq!(scan.priority, Some(ScanPriority::High));
    assert_eq!(scan.progress, Some(100));
    assert_eq!(scan.created_at, Some(at("2026-05-03T10:00:00Z")));
    assert_eq!(scan.started_at, Some(at("2026-05-03T10:01:30Z")));
    assert_eq!(scan.finished_at, Some(at("2026-05-03T10:47:12Z")));
    assert_eq!(scan.finding_count, Some(23));
    assert_eq!(
        scan.estimated_duration(),
        Some(Duration::from_secs(45 * 60))
    );
}

// ---------------------------------------------------------------- create

async fn mount_create(server: &MockServer) {
    support::route("POST", "/v1/scans")
        .and(no_query)
        .and(body_json(json!({
            "asset_id": "a-1001",
            "scan_type": "web_app",
            "options": {
                "depth": "deep",
                "include_subdomains": true,
                "categories": ["xss", "sqli"],
                "follow_redirects": false,
                "max_depth": 4,
                "timeout": 1801,
                "user_agent": "s4e-test",
            },
            "priority": "high",
            "callback_url": "https://hooks.example.com/s4e?x=1",
        })))
        .and(header("content-type", "application/json"))
        .and(header_exists("idempotency-key"))
        .respond_with(json(201, fixture!("scans/scan_created_bare.json")))
        .mount_expecting(server, 1)
        .await;
    support::route("POST", "/v1/scans")
        .and(body_json(json!({ "asset_id": "a-7", "scan_type": "full" })))
        .respond_with(json(201, fixture!("scans/scan_created_bare.json")))
        .mount_expecting(server, 1)
        .await;
}

fn full_options() -> ScanOptions {
    ScanOptions::new()
        .depth(ScanDepth::Deep)
        .include_subdomains(true)
        .categories(["xss", "sqli"])
        .follow_redirects(false)
        .max_depth(4)
        .timeout(Duration::from_millis(1_800_500))
        .extra("user_agent", "s4e-test")
}

fn check_created(scan: &Scan) {
    assert_eq!(scan.id, "sc-44022");
    assert_eq!(scan.asset_id, Some("1001".into()));
    assert_eq!(scan.scan_type, Some(ScanType::WebApp));
    assert_eq!(scan.status, Some(ScanStatus::Queued));
    assert!(!scan.status.as_ref().is_some_and(|s| s.is_final()));
    assert_eq!(scan.priority, Some(ScanPriority::Normal));
    assert_eq!(scan.started_at, None);
    assert_eq!(scan.finished_at, None);
    assert_eq!(
        scan.estimated_duration(),
        Some(Duration::from_secs(30 * 60))
    );
}

on_both_clients!(
    create_sends_required_fields_and_only_the_options_set,
    mount(mount_create),
    |client| {
        let scan = send!(
            client
                .scans()
                .create("a-1001", ScanType::WebApp)
                .options(full_options())
                .priority(ScanPriority::High)
                .callback_url("https://hooks.example.com/s4e?x=1")
        )
        .expect("create succeeds");
        check_created(&scan);
        send!(client.scans().create("a-7", ScanType::Full)).expect("minimal create");
    }
);

#[tokio::test]
async fn create_is_not_retried_after_a_server_error() {
    let server = support::server().await;
    support::route("POST", "/v1/scans")
        .respond_with(ResponseTemplate::new(503))
        .mount_expecting(&server, 1)
        .await;
    let err = support::client(&server)
        .scans()
        .create("a-1", ScanType::Quick)
        .await
        .expect_err("503");
    assert_eq!(err.status(), Some(503));
}

#[test]
fn scan_options_round_trip_unknown_keys_and_skip_unset_ones() {
    let text = r#"{"depth":"exhaustive","categories":["ssl"],"rate_limit":{"rps":5}}"#;
    let options: ScanOptions = serde_json::from_str(text).expect("decodes");
    assert_eq!(options.depth, Some(ScanDepth::Other("exhaustive".into())));
    assert_eq!(options.categories.as_deref(), Some(&["ssl".to_owned()][..]));
    assert_eq!(options.include_subdomains, None);
    assert_eq!(options.extra.get("rate_limit"), Some(&json!({ "rps": 5 })));
    let back: serde_json::Value = serde_json::to_value(&options).expect("encodes");
    assert_eq!(
        back,
        serde_json::from_str::<serde_json::Value>(text).unwrap()
    );
    assert_eq!(serde_json::to_value(ScanOptions::new()).unwrap(), json!({}));
    assert_eq!(
        ScanOptions::new().timeout(Duration::from_secs(60)).timeout,
        Some(60)
    );
}

// ---------------------------------------------------------------- status

async fn mount_status(server: &MockServer) {
    support::route("GET", "/v1/scans/sc%2F44021/status")
        .and(no_query)
        .and(header_missing("content-type"))
        .respond_with(json(200, fixture!("scans/scan_progress.json")))
        .mount_expecting(server, 1)
        .await;
}

fn check_progress(progress: &ScanProgress) {
    assert_eq!(progress.id, "sc/44021");
    assert_eq!(progress.status, Some(ScanStatus::Running));
    assert_eq!(progress.progress, Some(45));
    assert_eq!(
        progress.current_phase.as_deref(),
        Some("vulnerability_detection")
    );
}

on_both_clients!(status_reads_the_progress, mount(mount_status), |client| {
    let progress = send!(client.scans().status("sc/44021")).expect("status");
    check_progress(&progress);
});

// ---------------------------------------------------------------- cancel

async fn mount_cancel(server: &MockServer) {
    support::route("POST", "/v1/scans/sc%2F44021/cancel")
        .and(no_query)
        .and(no_body)
        .and(header_missing("content-type"))
        .respond_with(json(200, fixture!("scans/scan_cancelled.json")))
        .mount_expecting(server, 1)
        .await;
}

fn check_cancelled(scan: &Scan) {
    assert_eq!(scan.id, "sc/44021");
    assert_eq!(scan.status, Some(ScanStatus::Cancelled));
    assert!(scan.status.as_ref().is_some_and(|s| s.is_final()));
    assert_eq!(scan.priority, Some(ScanPriority::Low));
    assert_eq!(scan.estimated_duration(), None);
}

on_both_clients!(cancel_posts_without_a_body, mount(mount_cancel), |client| {
    let scan = send!(client.scans().cancel("sc/44021")).expect("cancel");
    check_cancelled(&scan);
});

#[tokio::test]
async fn cancel_is_retried_after_a_server_error_as_it_is_idempotent() {
    let server = support::server().await;
    support::route("POST", "/v1/scans/sc-1/cancel")
        .respond_with(support::sequence([
            ResponseTemplate::new(502),
            json(200, fixture!("scans/scan_cancelled.json")),
        ]))
        .mount_expecting(&server, 2)
        .await;
    let scan = support::client(&server)
        .scans()
        .cancel("sc-1")
        .await
        .expect("retried");
    assert_eq!(scan.status, Some(ScanStatus::Cancelled));
}

#[tokio::test]
async fn cancel_of_a_finished_scan_is_a_validation_error() {
    let server = support::server().await;
    support::route("POST", "/v1/scans/sc-1/cancel")
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "status": "error",
            "error": { "code": "validation_failed", "message": "scan already completed" }
        })))
        .mount_expecting(&server, 1)
        .await;
    let err = support::client(&server)
        .scans()
        .cancel("sc-1")
        .await
        .expect_err("422");
    assert!(matches!(err, s4e::Error::Validation(_)), "{err:?}");
    assert_eq!(err.message(), "scan already completed");
}

// ---------------------------------------------------------------- wait

/// `status` answers queued, running, completed (in that order, once each);
/// then `get` answers the final scan.
async fn mount_wait_sequence(server: &MockServer) {
    support::route("GET", "/v1/scans/sc%2F9/status")
        .respond_with(support::sequence([
            progress_response("sc/9", "queued", 0),
            progress_response("sc/9", "running", 40),
            progress_response("sc/9", "completed", 100),
        ]))
        .mount_expecting(server, 3)
        .await;
    support::route("GET", "/v1/scans/sc%2F9")
        .respond_with(json(200, fixture!("scans/scan.json")))
        .mount_expecting(server, 1)
        .await;
}

/// What `on_progress` saw in [`mount_wait_sequence`]: every poll, in order.
fn check_reported(seen: &[(Option<ScanStatus>, Option<u32>)]) {
    assert_eq!(
        seen,
        [
            (Some(ScanStatus::Queued), Some(0)),
            (Some(ScanStatus::Running), Some(40)),
            (Some(ScanStatus::Completed), Some(100)),
        ]
    );
}

#[tokio::test]
async fn wait_polls_until_completed_then_returns_the_scan() {
    let server = support::server().await;
    mount_wait_sequence(&server).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let scan = support::client(&server)
        .scans()
        .wait("sc/9")
        .interval(Duration::from_millis(5))
        .timeout(Duration::from_secs(5))
        .on_progress({
            let seen = seen.clone();
            move |p| seen.lock().unwrap().push((p.status.clone(), p.progress))
        })
        .await
        .expect("the scan completes");
    check_full_scan(&scan);
    check_reported(&seen.lock().unwrap());
}

#[test]
fn wait_polls_until_completed_then_returns_the_scan_blocking() {
    let bs = support::blocking_server();
    bs.runtime.block_on(mount_wait_sequence(&bs.server));
    let (sender, receiver) = std::sync::mpsc::channel();
    let scan = support::blocking_client(&bs.server)
        .scans()
        .wait("sc/9")
        .interval(Duration::from_millis(5))
        .on_progress(move |p| sender.send((p.status.clone(), p.progress)).unwrap())
        .send()
        .expect("the scan completes");
    check_full_scan(&scan);
    check_reported(&receiver.try_iter().collect::<Vec<_>>());
}

#[tokio::test]
async fn wait_returns_a_failed_or_cancelled_scan_without_polling_again() {
    let server = support::server().await;
    for (id, status) in [("sc-f", "failed"), ("sc-c", "cancelled")] {
        support::route("GET", format!("/v1/scans/{id}/status"))
            .respond_with(progress_response(id, status, 10))
            .mount_expecting(&server, 1)
            .await;
        support::route("GET", format!("/v1/scans/{id}"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({ "data": scan_json(id, status) })),
            )
            .mount_expecting(&server, 1)
            .await;
    }
    let client = support::client(&server);
    // A second poll would come after the deadline: a timeout, not a scan.
    for (id, status) in [
        ("sc-f", ScanStatus::Failed),
        ("sc-c", ScanStatus::Cancelled),
    ] {
        let scan = client
            .scans()
            .wait(id)
            .interval(Duration::from_secs(60))
            .timeout(Duration::from_secs(5))
            .await
            .expect("a final scan");
        assert_eq!(scan.status, Some(status));
    }
}

/// `status` always answers `running`.
async fn mount_forever_running(server: &MockServer) {
    support::route("GET", "/v1/scans/sc-slow/status")
        .respond_with(progress_response("sc-slow", "running", 50))
        .mount_expecting(server, 1)
        .await;
    support::route("GET", "/v1/scans/sc-slow")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "data": scan_json("sc-slow", "running") })),
        )
        .mount_expecting(server, 0)
        .await;
}

fn check_timed_out(result: s4e::Result<Scan>, started: Instant, limit: Duration) {
    let elapsed = started.elapsed();
    match result {
        Err(s4e::Error::Timeout(d)) => assert_eq!(d, limit),
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    // It slept until the deadline, not past it to the end of an interval.
    assert!(
        elapsed >= limit,
        "returned before the deadline: {elapsed:?}"
    );
    assert!(
        elapsed < support::CUT_BOUND,
        "slept past the deadline: {elapsed:?}"
    );
}

on_both_clients!(
    wait_gives_up_at_the_deadline_even_inside_an_interval,
    mount(mount_forever_running),
    |client| {
        let limit = support::DEADLINE;
        let started = Instant::now();
        let result = send!(
            client
                .scans()
                .wait("sc-slow")
                .interval(Duration::from_secs(60))
                .timeout(limit)
        );
        check_timed_out(result, started, limit);
    }
);

#[tokio::test]
async fn wait_keeps_polling_until_the_deadline() {
    let server = support::server().await;
    support::route("GET", "/v1/scans/sc-slow/status")
        .respond_with(progress_response("sc-slow", "running", 50))
        .mount_expecting(&server, 2..)
        .await;
    let limit = support::DEADLINE;
    let started = Instant::now();
    let result = support::client(&server)
        .scans()
        .wait("sc-slow")
        .interval(Duration::from_millis(100))
        .timeout(limit)
        .await;
    check_timed_out(result, started, limit);
}

#[tokio::test]
async fn wait_abandons_a_status_call_still_running_at_the_deadline() {
    let server = support::server().await;
    support::route("GET", "/v1/scans/sc-hang/status")
        .respond_with(
            progress_response("sc-hang", "completed", 100).set_delay(Duration::from_secs(60)),
        )
        .mount_expecting(&server, 1)
        .await;
    let limit = support::DEADLINE;
    let started = Instant::now();
    let result = support::client(&server)
        .scans()
        .wait("sc-hang")
        .timeout(limit)
        .await;
    let elapsed = started.elapsed();
    assert!(
        matches!(result, Err(s4e::Error::Timeout(d)) if d == limit),
        "{result:?}"
    );
    assert!(
        elapsed < support::CUT_BOUND,
        "waited for the slow call: {elapsed:?}"
    );
}

#[tokio::test]
async fn wait_ends_with_the_error_of_a_status_call() {
    let server = support::server().await;
    support::route("GET", "/v1/scans/sc-gone/status")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "status": "error", "error": { "code": "not_found", "message": "no scan sc-gone" }
        })))
        .mount_expecting(&server, 1)
        .await;
    let err = support::client(&server)
        .scans()
        .wait("sc-gone")
        .interval(Duration::from_millis(5))
        .await
        .expect_err("404");
    assert!(matches!(err, s4e::Error::NotFound(_)), "{err:?}");
}

/// Without `.interval`, a wait polls every 10 s, as the API documentation
/// polls: on tokio's paused clock the status requests of a scan that
/// completes on the third are exactly 10 s apart.
#[tokio::test(start_paused = true)]
async fn wait_polls_every_ten_seconds_by_default() {
    let polls = Arc::new(Mutex::new(Vec::new()));
    let seen = polls.clone();
    let status = move || {
        let seen = seen.clone();
        async move {
            let mut seen = seen.lock().unwrap();
            seen.push(tokio::time::Instant::now());
            let status = if seen.len() < 3 {
                "running"
            } else {
                "completed"
            };
            axum::Json(json!({
                "data": { "scan_id": "sc-1", "status": status, "progress": 50 }
            }))
        }
    };
    let app = axum::Router::new()
        .route("/v1/scans/sc-1/status", axum::routing::get(status))
        .route(
            "/v1/scans/sc-1",
            axum::routing::get(|| async {
                axum::Json(json!({ "data": scan_json("sc-1", "completed") }))
            }),
        );
    let client = support::serve_on_this_runtime(app).await;
    let started = tokio::time::Instant::now();
    let scan = client
        .scans()
        .wait("sc-1")
        .await
        .expect("the scan completes");
    assert_eq!(scan.status, Some(ScanStatus::Completed));
    let polls = polls.lock().unwrap();
    let gaps: Vec<Duration> = polls.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps, [Duration::from_secs(10); 2]);
    assert_eq!(polls[0], started, "the first poll does not wait");
    assert_eq!(started.elapsed(), Duration::from_secs(20));
}

// ---------------------------------------------------------------- decoding

#[tokio::test]
async fn keeps_unknown_enum_values_and_ignores_unknown_fields() {
    let server = support::server().await;
    support::route("GET", "/v1/scans/sc-9000")
        .respond_with(json(200, fixture!("scans/scan_unknown_values.json")))
        .mount_expecting(&server, 1)
        .await;
    let scan = support::client(&server)
        .scans()
        .get("sc-9000")
        .await
        .expect("decodes");
    assert_eq!(
        scan.scan_type,
        Some(ScanType::Other("container_image".into()))
    );
    assert_eq!(scan.status, Some(ScanStatus::Other("paused".into())));
    assert!(!scan.status.as_ref().is_some_and(|s| s.is_final()));
    assert_eq!(scan.priority, Some(ScanPriority::Other("urgent".into())));
    assert_eq!(
        serde_json::to_value(&scan.scan_type).unwrap(),
        json!("container_image")
    );
    assert_eq!(serde_json::to_value(&scan.status).unwrap(), json!("paused"));
    assert_eq!(
        serde_json::to_value(scan.priority.as_ref().unwrap()).unwrap(),
        json!("urgent")
    );
    assert_eq!(scan.progress, Some(61));
    assert_eq!(scan.finished_at, None);
}

#[tokio::test]
async fn decodes_a_page_with_total_count() {
    let server = support::server().await;
    support::route("GET", "/v1/scans")
        .respond_with(json(200, fixture!("scans/scans_page_total_count.json")))
        .mount_expecting(&server, 1)
        .await;
    let page = support::client(&server)
        .scans()
        .list()
        .await
        .expect("decodes");
    assert_eq!(page.total, Some(61));
    assert_eq!(page.last_page, Some(4));
    assert_eq!(page.items[0].scan_type, Some(ScanType::Port));
}

#[test]
fn decodes_scan_id_spelling_and_numeric_ids_from_the_bare_object() {
    let scan: Scan =
        serde_json::from_str(fixture!("scans/scan_created_bare.json")).expect("decodes");
    assert_eq!(scan.id, "sc-44022");
    assert_eq!(scan.asset_id, Some("1001".into()));
    let progress: ScanProgress =
        serde_json::from_str(r#"{"id":"sc-1","status":"running"}"#).expect("id for scan_id");
    assert_eq!(progress.id, "sc-1");
    assert_eq!(progress.progress, None);
}
