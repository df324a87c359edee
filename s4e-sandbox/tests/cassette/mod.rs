//! Record and replay (`s4e_sandbox::cassette`) over real HTTP: secrets never
//! reach the disk, recordings are byte-identical from run to run, misses
//! explain themselves, repeats, faithful export and error replays, stale
//! cassettes, and drift.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::Full;
use hyper::{Method, StatusCode};
use s4e_sandbox::Sandbox;
use s4e_sandbox::cassette::{ChangeKind, Severity, VerifyOptions, verify};
use serde_json::{Value, json};

use super::upstream::{Answer, upstream};
use super::{Http, Reply, Req, start_time};

/// A fresh directory under the system's temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("s4e-cassette-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn cassette(&self) -> Vec<u8> {
        std::fs::read(self.0.join("cassette.json")).expect("a cassette file")
    }

    fn cassette_json(&self) -> Value {
        serde_json::from_slice(&self.cassette()).unwrap()
    }

    /// Every byte of every file under the directory.
    fn all_bytes(&self) -> Vec<u8> {
        fn walk(dir: &Path, out: &mut Vec<u8>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.extend(std::fs::read(&path).unwrap());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &mut out);
        out
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn json_answer(status: u16, headers: &[(&str, &str)], body: &Value) -> Answer {
    let mut response = hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json");
    for (name, value) in headers {
        response = response.header(*name, *value);
    }
    response
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

async fn send(request: Req) -> Reply {
    let response = request.send().await.expect("an answer");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.expect("a body");
    let text = String::from_utf8_lossy(&body).into_owned();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text,
        json,
    }
}

/// The deterministic upstream of the byte-identity tests.
async fn sandbox_upstream() -> Sandbox {
    Sandbox::builder()
        .seed(42)
        .manual_clock()
        .start_time(start_time())
        .start()
        .await
        .unwrap()
}

/// The scenario recorded twice: a few writes one after the other, then
/// reads (pages, filters, ids, a repeated poll, a miss) `in_flight` at once.
async fn scenario(base: &str, key: &str, in_flight: usize) {
    let http = Http::new();
    let call = |method: Method, path: &str, body: Option<Value>| {
        let mut request = http
            .request(method, format!("{base}{path}"))
            .bearer_auth(key)
            .header("Idempotency-Key", uuid_like());
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        request
    };
    let created = send(call(
        Method::POST,
        "/assets",
        Some(json!({"name": "cassette.example.com", "type": "domain", "tags": ["rec"]})),
    ))
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let asset = created.json["data"]["id"].as_str().unwrap().to_owned();
    let scan = send(call(
        Method::POST,
        "/scans",
        Some(json!({"asset_id": asset, "scan_type": "quick"})),
    ))
    .await;
    let scan = scan.json["data"]["id"].as_str().unwrap().to_owned();
    let mut reads: Vec<String> = (1..=6)
        .map(|page| format!("/findings?page={page}&per_page=10"))
        .collect();
    reads.extend([
        "/assets?per_page=5&type=domain".to_owned(),
        "/findings?severity=critical&severity=high".to_owned(),
        format!("/assets/{asset}"),
        format!("/scans/{scan}/status"),
        format!("/scans/{scan}/status"),
        format!("/scans/{scan}/status"),
        "/actions".into(),
        "/playbooks".into(),
        "/webhooks".into(),
        "/assets/a-nope".into(),
    ]);
    futures_util::stream::iter(reads)
        .map(|path| send(call(Method::GET, &path, None)))
        .buffer_unordered(in_flight)
        .collect::<Vec<_>>()
        .await;
}

/// A random header value, as an SDK's Idempotency-Key is.
fn uuid_like() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{:x}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Records the scenario against `upstream`, from its seed data.
async fn record(upstream: &Sandbox, dir: &Path, in_flight: usize) {
    upstream.controls().reset();
    let recorder = Sandbox::builder()
        .record(upstream.base_url(), dir)
        .start()
        .await
        .unwrap();
    scenario(recorder.base_url(), upstream.api_key(), in_flight).await;
    recorder.shutdown().await;
}

#[tokio::test]
async fn recording_twice_gives_the_same_bytes_also_with_16_in_flight() {
    let (first, again, parallel) = (
        TempDir::new("same-1"),
        TempDir::new("same-2"),
        TempDir::new("same-16"),
    );
    // One upstream (the cassette records its URL), back to its seed data
    // before each recording; its clock is manual, so no answer moves.
    let upstream = sandbox_upstream().await;
    let day = chrono::Utc::now().date_naive();
    record(&upstream, first.path(), 1).await;
    record(&upstream, again.path(), 1).await;
    record(&upstream, parallel.path(), 16).await;
    let mut files = [first.cassette(), again.cassette(), parallel.cassette()];
    if chrono::Utc::now().date_naive() != day {
        // Recorded across midnight: only the day may differ.
        for file in &mut files {
            let text = String::from_utf8(file.clone()).unwrap();
            *file = text
                .lines()
                .filter(|l| !l.contains("\"recorded_on\""))
                .collect::<Vec<_>>()
                .join("\n")
                .into_bytes();
        }
    }
    assert!(files[0] == files[1], "two sequential recordings differ");
    assert!(
        files[0] == files[2],
        "a recording with 16 in flight differs"
    );

    let cassette = first.cassette_json();
    let interactions = cassette["interactions"].as_array().unwrap();
    assert_eq!(interactions.len(), 18);
    assert_eq!(cassette["base_url"], upstream.base_url());
    assert_eq!(cassette["recorded_on"], day.to_string());
    // The three polls of one status are one request at sequences 1, 2, 3.
    let polls: Vec<u64> = interactions
        .iter()
        .filter(|i| i["request"]["path"].as_str().unwrap().ends_with("/status"))
        .map(|i| i["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(polls, [1, 2, 3]);
    let text = String::from_utf8(first.cassette()).unwrap();
    for volatile in [
        "idempotency-key",
        "x-request-id",
        "\"date\"",
        "x-ratelimit",
        "authorization",
    ] {
        assert!(!text.contains(volatile), "{volatile} was stored");
    }
}

const CANARY_KEY: &str = "sk_live_CANARYKEY0001";
const CANARY_SECRET: &str = "whsec_CANARYSECRET0002";
const CANARY_ANSWER_SECRET: &str = "whsec_CANARYANSWER0003";
const CANARY_COOKIE: &str = "CANARYCOOKIE0004";
const CANARY_SET_COOKIE: &str = "CANARYSETCOOKIE0005";
const CANARY_PATTERN: &str = "tok_canary0006";

#[tokio::test]
async fn no_canary_byte_reaches_the_cassette() {
    // An upstream that echoes the key and the secrets back in every place
    // an answer has: a header, a cookie, the body, a `secret` field.
    let upstream = upstream(|_, target, _, body| {
        let echoed = String::from_utf8_lossy(&body).into_owned();
        json_answer(
            201,
            &[
                ("set-cookie", &format!("session={CANARY_SET_COOKIE}")),
                ("x-echo-key", CANARY_KEY),
                ("x-echo-pattern", CANARY_PATTERN),
            ],
            &json!({"data": {
                "target": target,
                "echo": echoed,
                "secret": CANARY_ANSWER_SECRET,
                "signing_secret": CANARY_ANSWER_SECRET,
                "note": format!("key {CANARY_KEY} and {CANARY_PATTERN}"),
            }}),
        )
    })
    .await;
    let dir = TempDir::new("canary");
    let recorder = Sandbox::builder()
        .record(&upstream.base_url, dir.path())
        .redact("tok_[a-z0-9]+")
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let base = recorder.base_url();
    let body = json!({
        "url": "https://hooks.example.com/in",
        "secret": CANARY_SECRET,
        "events": ["scan.completed"],
        "description": format!("made with {CANARY_KEY} for {CANARY_PATTERN}"),
    });
    let answer = send(
        http.post(format!(
            "{base}/webhooks/{CANARY_KEY}?api_key={CANARY_KEY}&t={CANARY_PATTERN}"
        ))
        .bearer_auth(CANARY_KEY)
        .header("X-API-Key", CANARY_KEY)
        .header("Cookie", format!("session={CANARY_COOKIE}"))
        .header("X-Forwarded-Key", format!("key={CANARY_KEY}"))
        .header("Content-Type", "application/json")
        .body(body.to_string()),
    )
    .await;
    // The client got the upstream's answer unchanged...
    assert_eq!(answer.status, 201);
    assert_eq!(answer.json["data"]["secret"], CANARY_ANSWER_SECRET);
    assert_eq!(answer.header("x-echo-key"), CANARY_KEY);
    // ...and the secret learned from one interaction is scrubbed from the next.
    send(
        http.get(format!("{base}/webhooks?note={CANARY_SECRET}"))
            .header("X-API-Key", "sk_live_OTHERKEY"),
    )
    .await;
    recorder.shutdown().await;

    let stored = dir.all_bytes();
    let text = String::from_utf8_lossy(&stored);
    assert!(text.contains("\"interactions\""), "a cassette was written");
    for canary in [
        CANARY_KEY,
        CANARY_SECRET,
        CANARY_ANSWER_SECRET,
        CANARY_COOKIE,
        CANARY_SET_COOKIE,
        CANARY_PATTERN,
        "sk_live_OTHERKEY",
    ] {
        let needle = canary.as_bytes();
        assert!(
            !stored.windows(needle.len()).any(|w| w == needle),
            "{canary} was written to the cassette:\n{text}"
        );
    }
    // The scrubbed places are still there, marked.
    let cassette = dir.cassette_json();
    let first = &cassette["interactions"][0];
    assert_eq!(first["request"]["path"], "/v1/webhooks");
    let posted = &cassette["interactions"][1];
    assert_eq!(posted["request"]["path"], "/v1/webhooks/REDACTED");
    assert_eq!(posted["request"]["query"]["api_key"], "REDACTED");
    assert_eq!(posted["request"]["body"]["json"]["secret"], "REDACTED");
    assert_eq!(
        posted["response"]["body"]["json"]["data"]["signing_secret"],
        "REDACTED"
    );
    assert!(posted["request"]["headers"].get("authorization").is_none());
    assert!(posted["response"]["headers"].get("set-cookie").is_none());
}

/// The notices a replay sends, and the callback that collects them.
fn notices() -> (
    Arc<Mutex<Vec<String>>>,
    impl Fn(&str) + Send + Sync + 'static,
) {
    let notices = Arc::new(Mutex::new(Vec::new()));
    let collect = notices.clone();
    (notices, move |m: &str| {
        collect.lock().unwrap().push(m.to_owned())
    })
}

/// Records `requests` (method, path, body) against `upstream_url`.
async fn record_calls(
    upstream_url: &str,
    dir: &Path,
    requests: &[(Method, &str, Option<Value>)],
) -> Vec<Reply> {
    let recorder = Sandbox::builder()
        .record(upstream_url, dir)
        .start()
        .await
        .unwrap();
    let mut replies = Vec::new();
    for (method, path, body) in requests {
        replies.push(call(recorder.base_url(), method.clone(), path, body.clone()).await);
    }
    recorder.shutdown().await;
    replies
}

async fn call(base: &str, method: Method, path: &str, body: Option<Value>) -> Reply {
    let mut request = Http::new()
        .request(method, format!("{base}{path}"))
        .bearer_auth(s4e_sandbox::DEFAULT_API_KEY);
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    send(request).await
}

#[tokio::test]
async fn a_miss_is_a_501_naming_the_nearest_request_and_what_differs() {
    let upstream = sandbox_upstream().await;
    let dir = TempDir::new("miss");
    let asset = json!({"name": "a.example.com", "type": "domain", "tags": ["x"]});
    record_calls(
        upstream.base_url(),
        dir.path(),
        &[
            (Method::POST, "/assets", Some(asset.clone())),
            (Method::GET, "/assets?page=1&per_page=5", None),
        ],
    )
    .await;
    upstream.shutdown().await;

    let (notices, notify) = notices();
    let replay = Sandbox::builder()
        .replay(dir.path())
        .on_cassette_notice(notify)
        .start()
        .await
        .unwrap();
    let base = replay.base_url();
    // Key order and query order do not matter; the recorded answer comes.
    let reordered = json!({"tags": ["x"], "type": "domain", "name": "a.example.com"});
    assert_eq!(
        call(base, Method::POST, "/assets", Some(reordered))
            .await
            .status,
        201
    );
    assert_eq!(
        call(base, Method::GET, "/assets?per_page=5&page=1", None)
            .await
            .status,
        200
    );

    let other = json!({"name": "b.example.com", "type": "domain", "tags": ["x"]});
    let miss = call(base, Method::POST, "/assets", Some(other)).await;
    assert_eq!(miss.status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(miss.json["status"], "error");
    assert_eq!(miss.json["error"]["code"], "cassette_miss");
    let message = miss.json["error"]["message"].as_str().unwrap();
    assert_eq!(
        message,
        "no recorded answer for POST /v1/assets; the nearest recorded request is POST /v1/assets \
         (body field `/name`: recorded \"a.example.com\", asked \"b.example.com\")"
    );
    let page = call(base, Method::GET, "/assets?page=2&per_page=5", None).await;
    assert!(
        page.json["error"]["message"].as_str().unwrap().ends_with(
            "the nearest recorded request is GET /v1/assets?page=1&per_page=5 \
             (query `page`: recorded 1, asked 2)"
        ),
        "{}",
        page.text
    );
    assert_eq!(
        notices.lock().unwrap().len(),
        2,
        "the replay reports each miss"
    );
    assert_eq!(notices.lock().unwrap()[0], message);

    // An ignored body path does not take part in matching.
    let lenient = Sandbox::builder()
        .replay(dir.path())
        .ignore_body_path("/name")
        .start()
        .await
        .unwrap();
    let other = json!({"name": "c.example.com", "type": "domain", "tags": ["x"]});
    assert_eq!(
        call(lenient.base_url(), Method::POST, "/assets", Some(other))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn repeats_replay_in_recorded_order_then_miss_unless_allowed() {
    let polls = Arc::new(AtomicUsize::new(0));
    let upstream = upstream({
        let polls = polls.clone();
        move |_, _, _, _| {
            let n = polls.fetch_add(1, Ordering::SeqCst) + 1;
            let status = if n < 3 { "running" } else { "completed" };
            json_answer(200, &[], &json!({"data": {"status": status, "poll": n}}))
        }
    })
    .await;
    let dir = TempDir::new("repeats");
    let path = "/scans/s-1/status";
    let recorded = record_calls(
        &upstream.base_url,
        dir.path(),
        &[
            (Method::GET, path, None),
            (Method::GET, path, None),
            (Method::GET, path, None),
        ],
    )
    .await;
    drop(upstream);
    let recorded: Vec<String> = recorded.into_iter().map(|r| r.text).collect();

    let strict = Sandbox::builder().replay(dir.path()).start().await.unwrap();
    let mut replayed = Vec::new();
    for _ in 0..3 {
        replayed.push(call(strict.base_url(), Method::GET, path, None).await.text);
    }
    assert_eq!(replayed, recorded);
    let fourth = call(strict.base_url(), Method::GET, path, None).await;
    assert_eq!(fourth.status, 501);
    assert!(
        fourth.json["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("GET /v1/scans/s-1/status was recorded 3 time(s) and this is call 4; replay with --allow-repeats"),
        "{}",
        fourth.text
    );

    let lenient = Sandbox::builder()
        .replay(dir.path())
        .allow_repeats()
        .start()
        .await
        .unwrap();
    let mut replayed = Vec::new();
    for _ in 0..5 {
        replayed.push(call(lenient.base_url(), Method::GET, path, None).await.text);
    }
    assert_eq!(replayed[..3], recorded[..]);
    assert_eq!(replayed[3], recorded[2]);
    assert_eq!(replayed[4], recorded[2]);
}

#[tokio::test]
async fn exports_and_errors_replay_byte_for_byte_and_successes_never_throttle() {
    let upstream = sandbox_upstream().await;
    let dir = TempDir::new("faithful");
    let export = json!({"format": "csv", "severity": ["critical", "high"]});
    let requests = [
        (Method::POST, "/findings/export", Some(export)),
        (
            Method::POST,
            "/findings/export",
            Some(json!({"format": "json"})),
        ),
        (Method::GET, "/findings/f-does-not-exist", None),
        (
            Method::POST,
            "/assets",
            Some(json!({"name": "", "type": "domain"})),
        ),
        (Method::GET, "/assets?per_page=1", None),
        (Method::GET, "/assets?per_page=2", None),
    ];
    // Five requests a minute: the sixth is a 429 with Retry-After.
    upstream.controls().set_rate_limit(Some(5));
    let recorded = record_calls(upstream.base_url(), dir.path(), &requests).await;
    upstream.shutdown().await;
    let statuses: Vec<u16> = recorded.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses, [200, 200, 404, 422, 200, 429]);
    assert_eq!(recorded[0].header("content-type"), "text/csv");
    assert!(recorded[0].text.lines().count() > 2, "{}", recorded[0].text);
    assert!(
        !recorded[3].json["error"]["details"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(recorded[4].header("x-ratelimit-remaining"), "0");

    let replay = Sandbox::builder().replay(dir.path()).start().await.unwrap();
    for ((method, path, body), recorded) in requests.iter().zip(&recorded) {
        let replayed = call(replay.base_url(), method.clone(), path, body.clone()).await;
        assert_eq!(replayed.status, recorded.status, "{method} {path}");
        assert!(
            replayed.text == recorded.text,
            "{method} {path}: the body differs"
        );
        assert_eq!(
            replayed.header("content-type"),
            recorded.header("content-type")
        );
        if recorded.status == 429 {
            assert_eq!(
                replayed.header("retry-after"),
                recorded.header("retry-after")
            );
            assert!(!replayed.header("retry-after").is_empty());
            assert_eq!(replayed.header("x-ratelimit-remaining"), "0");
        } else {
            // A replayed success says nothing that would make a client wait.
            for name in [
                "x-ratelimit-remaining",
                "x-ratelimit-limit",
                "x-ratelimit-reset",
                "retry-after",
            ] {
                assert_eq!(replayed.header(name), "", "{method} {path} replays {name}");
            }
        }
    }
}

#[tokio::test]
async fn a_stale_cassette_warns_and_strict_age_refuses_it() {
    let upstream = sandbox_upstream().await;
    let dir = TempDir::new("stale");
    record_calls(
        upstream.base_url(),
        dir.path(),
        &[(Method::GET, "/assets", None)],
    )
    .await;
    upstream.shutdown().await;
    let mut cassette = dir.cassette_json();
    let long_ago = chrono::Utc::now().date_naive() - chrono::Days::new(45);
    cassette["recorded_on"] = json!(long_ago.to_string());
    std::fs::write(
        dir.path().join("cassette.json"),
        serde_json::to_vec_pretty(&cassette).unwrap(),
    )
    .unwrap();

    let (notices, notify) = notices();
    let thirty_days = s4e_sandbox::cassette::parse_age("30d").unwrap();
    let warned = Sandbox::builder()
        .replay(dir.path())
        .max_age(thirty_days)
        .on_cassette_notice(notify)
        .start()
        .await
        .unwrap();
    assert_eq!(
        call(warned.base_url(), Method::GET, "/assets", None)
            .await
            .status,
        200
    );
    let notices = notices.lock().unwrap().clone();
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0].contains(&format!(
            "recorded on {long_ago} against {}, 45 day(s) ago, older than the allowed 30d",
            upstream_url_of(&cassette)
        )),
        "{notices:?}"
    );
    // Younger than the limit: no warning.
    assert!(
        Sandbox::builder()
            .replay(dir.path())
            .max_age(s4e_sandbox::cassette::parse_age("60d").unwrap())
            .strict_age()
            .start()
            .await
            .is_ok()
    );

    let refused = Sandbox::builder()
        .replay(dir.path())
        .max_age(thirty_days)
        .strict_age()
        .start()
        .await
        .unwrap_err();
    assert!(matches!(
        refused.cassette(),
        Some(s4e_sandbox::cassette::CassetteError::Stale { .. })
    ));
    assert!(
        refused.to_string().contains("is too old: recorded on"),
        "{refused}"
    );
}

fn upstream_url_of(cassette: &Value) -> String {
    cassette["base_url"].as_str().unwrap().to_owned()
}

/// The repository's OpenAPI document.
fn repo_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/s4e-v1.yaml")
}

#[tokio::test]
async fn verify_reports_added_removed_and_retyped_fields_and_spec_violations() {
    let thing = |drifted: bool| {
        move |_: Method, target: String, _: hyper::HeaderMap, _: Bytes| {
            if target.starts_with("/v1/assets/") {
                // Breaks the spec: `id` must be a string, `name` is required.
                return json_answer(200, &[], &json!({"data": {"id": 7, "type": "domain"}}));
            }
            let body = if drifted {
                json!({"data": [{"id": "t-1", "size": "large", "added": true}], "meta": {"page": 1}})
            } else {
                json!({"data": [{"id": "t-1", "size": 3, "removed": "x"}], "meta": {"page": 1}})
            };
            json_answer(200, &[], &body)
        }
    };
    let recorded_from = upstream(thing(false)).await;
    let dir = TempDir::new("verify");
    record_calls(
        &recorded_from.base_url,
        dir.path(),
        &[
            (Method::GET, "/things", None),
            (Method::GET, "/assets/a-1", None),
        ],
    )
    .await;
    drop(recorded_from);

    let live = upstream(thing(true)).await;
    let report =
        verify(&VerifyOptions::new(dir.path()).against(&live.base_url, Some("sk_live_x".into())))
            .await
            .unwrap();
    assert!(report.has_errors());
    assert_eq!(report.operations.len(), 1, "{report}");
    let things = &report.operations[0];
    assert_eq!(things.operation, "GET /things");
    let found: Vec<(Severity, ChangeKind, &str)> = things
        .changes
        .iter()
        .map(|c| (c.severity, c.kind, c.field.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        [
            (Severity::Error, ChangeKind::Removed, "data[].removed"),
            (Severity::Error, ChangeKind::Retyped, "data[].size"),
            (Severity::Info, ChangeKind::Added, "data[].added"),
        ]
    );
    let text = report.to_string();
    assert!(
        text.contains("error `data[].size` changed type: recorded number, live string"),
        "{text}"
    );

    let report = verify(&VerifyOptions::new(dir.path()).spec(repo_spec()))
        .await
        .unwrap();
    assert!(report.has_errors());
    let names: Vec<&str> = report
        .operations
        .iter()
        .map(|o| o.operation.as_str())
        .collect();
    assert_eq!(names, ["GET /assets/{id}", "GET /things"]);
    let messages: Vec<&str> = report.operations[0]
        .changes
        .iter()
        .map(|c| c.message.as_str())
        .collect();
    assert!(
        messages.contains(&"recorded 200 answer: $.data.id: is number, the schema says string"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"recorded 200 answer: $.data: the required field `name` is missing"),
        "{messages:?}"
    );
    assert!(
        report.operations[1].changes[0]
            .message
            .contains("is not an operation of the spec")
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["operations"][0]["changes"][0]["kind"],
        "spec_violation"
    );
}

#[tokio::test]
async fn answers_recorded_from_the_sandbox_fit_the_spec() {
    let upstream = sandbox_upstream().await;
    let dir = TempDir::new("fits");
    record(&upstream, dir.path(), 4).await;
    let report = verify(&VerifyOptions::new(dir.path()).spec(repo_spec()))
        .await
        .unwrap();
    assert!(!report.has_errors(), "{report}");
    assert_eq!(report.interactions, 18);
    // Against the live sandbox from its seed data again, reads alone meet
    // none of what the recorded writes made...
    upstream.controls().reset();
    let against = || {
        VerifyOptions::new(dir.path()).against(upstream.base_url(), Some(upstream.api_key().into()))
    };
    let report = verify(&against()).await.unwrap();
    let statuses: Vec<&str> = report
        .operations
        .iter()
        .flat_map(|o| &o.changes)
        .filter(|c| c.kind == ChangeKind::Status)
        .map(|c| c.message.as_str())
        .collect();
    assert_eq!(statuses, ["answered 404, recorded 200"; 2], "{report}");
    // ...and with the writes re-sent it has not drifted from its recording.
    upstream.controls().reset();
    let report = verify(&against().include_writes(true)).await.unwrap();
    assert!(!report.has_errors(), "{report}");
}

/// A running `s4e-sandbox` process, stopped with Ctrl-C (SIGINT) when dropped.
#[cfg(unix)]
struct Process {
    child: std::process::Child,
    base_url: String,
}

#[cfg(unix)]
impl Process {
    /// Starts the binary with `args` and reads the URL its first line ends with.
    fn start(args: &[&str]) -> Process {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_s4e-sandbox"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let base_url = first.rsplit(' ').next().unwrap().to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{first}");
        // Keep reading so the process never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Process { child, base_url }
    }

    fn stop(mut self) {
        let killed = std::process::Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_binary_records_replays_offline_and_verifies() {
    let dir = TempDir::new("binary");
    let cassette = dir.path().to_str().unwrap().to_owned();
    let upstream = Process::start(&[
        "--port",
        "0",
        "--manual-clock",
        "--start-time",
        "2026-05-01T09:00:00Z",
    ]);
    let recorder = Process::start(&[
        "record",
        "--upstream",
        &upstream.base_url,
        "--cassette",
        &cassette,
        "--port",
        "0",
    ]);
    let calls = [
        (Method::GET, "/assets?per_page=3", None),
        (
            Method::POST,
            "/findings/export",
            Some(json!({"format": "csv"})),
        ),
        (Method::GET, "/findings/f-nope", None),
    ];
    let mut recorded = Vec::new();
    for (method, path, body) in &calls {
        recorded.push(call(&recorder.base_url, method.clone(), path, body.clone()).await);
    }
    recorder.stop();
    upstream.stop();

    // The upstream is gone: every answer comes from the cassette.
    let replayer = Process::start(&["replay", "--cassette", &cassette, "--port", "0"]);
    for ((method, path, body), recorded) in calls.iter().zip(&recorded) {
        let replayed = call(&replayer.base_url, method.clone(), path, body.clone()).await;
        assert_eq!(
            (replayed.status, &replayed.text),
            (recorded.status, &recorded.text),
            "{method} {path}"
        );
    }
    let miss = call(&replayer.base_url, Method::GET, "/assets?per_page=4", None).await;
    assert_eq!(miss.json["error"]["code"], "cassette_miss");
    replayer.stop();

    let verify = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_s4e-sandbox"))
            .args(["verify", "--cassette", &cassette])
            .args(extra)
            .output()
            .unwrap()
    };
    let spec = repo_spec();
    let fits = verify(&["--spec", spec.to_str().unwrap(), "-o", "json"]);
    assert_eq!(
        fits.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fits.stdout)
    );
    let report: Value = serde_json::from_slice(&fits.stdout).unwrap();
    assert_eq!(report["interactions"], 3);
    assert_eq!(report["operations"], json!([]));
    // Against an upstream that is gone, every re-sent read is an error: exit 1.
    let gone = verify(&["--no-spec", "--against", &recorder_gone_url()]);
    assert_eq!(
        gone.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&gone.stdout)
    );
    assert!(String::from_utf8_lossy(&gone.stdout).contains("error the live API did not answer"));
    let missing = verify(&["--spec", "/nonexistent/spec.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
}

/// A loopback URL nothing listens on.
#[cfg(unix)]
fn recorder_gone_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/v1")
}

#[tokio::test]
async fn record_missing_forwards_and_keeps_only_what_the_cassette_lacked() {
    let upstream = sandbox_upstream().await;
    let dir = TempDir::new("record-missing");
    record_calls(
        upstream.base_url(),
        dir.path(),
        &[(Method::GET, "/assets?per_page=1", None)],
    )
    .await;
    let replay = Sandbox::builder()
        .replay(dir.path())
        .record_missing(upstream.base_url())
        .start()
        .await
        .unwrap();
    let known = call(replay.base_url(), Method::GET, "/assets?per_page=1", None).await;
    let added = call(replay.base_url(), Method::GET, "/assets?per_page=2", None).await;
    assert_eq!(
        (known.status, added.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(added.json["data"].as_array().map(Vec::len), Some(2));
    // The upstream saw only the request the cassette lacked.
    let asked: Vec<String> = upstream
        .controls()
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        asked,
        ["GET /v1/assets", "GET /v1/assets"],
        "the recording and the missing one"
    );
    let queries: Vec<Value> = dir.cassette_json()["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["request"]["query"].clone())
        .collect();
    assert_eq!(
        queries,
        [json!({"per_page": "1"}), json!({"per_page": "2"})]
    );
}
