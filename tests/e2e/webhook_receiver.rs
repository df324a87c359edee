//! Receiving webhooks (issue 20): the `Verified` extractor in a real axum
//! server on a loopback port, exactly-once intake with `Dedup` in memory and
//! on a real `redis-server`, and sandbox deliveries and redeliveries.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use s4e::webhooks::axum::Verified;
use s4e::webhooks::{self, Claim, Dedup, Event, EventData, EventType, Secrets};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{self, TestResult};

const SECRET: &str = "whsec_receiver_current";
const OLD_SECRET: &str = "whsec_receiver_previous";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// What the handler saw: the events it ran for.
#[derive(Clone)]
struct Receiver {
    secrets: Secrets,
    handled: Arc<Mutex<Vec<Event>>>,
}

impl FromRef<Receiver> for Secrets {
    fn from_ref(receiver: &Receiver) -> Secrets {
        receiver.secrets.clone()
    }
}

async fn hook(State(receiver): State<Receiver>, Verified(event): Verified) -> StatusCode {
    receiver.handled.lock().unwrap().push(event);
    StatusCode::NO_CONTENT
}

/// Serves `router` on a free loopback port; answers its address.
async fn serve(router: axum::Router) -> SocketAddr {
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = socket.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(socket, router).await.unwrap() });
    address
}

/// POSTs `body` over a fresh connection; answers the status and body.
async fn post_raw(address: SocketAddr, signature: Option<&str>, body: &[u8]) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut head = format!(
        "POST /hook HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(signature) = signature {
        head.push_str(&format!("S4E-Signature: {signature}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer (413) and close before reading all of a large body.
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.trim().to_string())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn the_extractor_lets_only_authentic_fresh_deliveries_through() {
    let receiver = Receiver {
        secrets: Secrets::new([SECRET, OLD_SECRET]).body_limit(4 * 1024),
        handled: Arc::default(),
    };
    let address = serve(
        axum::Router::new()
            .route("/hook", post(hook))
            .with_state(receiver.clone()),
    )
    .await;
    let body = br#"{"id":"evt-good","event":"scan.failed","timestamp":"2026-05-03T10:20:00Z","data":{"scan_id":"sc-1","error":"timeout"}}"#;
    let good = webhooks::sign(body, SECRET, now());

    let tampered = body
        .to_vec()
        .iter()
        .map(|b| if *b == b'1' { b'2' } else { *b })
        .collect::<Vec<_>>();
    let stale = webhooks::sign(body, SECRET, now() - 3_600);
    let oversized = format!(
        r#"{{"id":"evt-big","event":"webhook.test","data":{{"pad":"{}"}}}}"#,
        "x".repeat(8 * 1024)
    );
    let oversized_signature = webhooks::sign(oversized.as_bytes(), SECRET, now());
    let not_an_event = b"[1,2,3]";
    // (case, signature header, body, status, start of the answer)
    type Case<'a> = (&'a str, Option<&'a str>, &'a [u8], u16, &'a str);
    let cases: [Case<'_>; 6] = [
        ("tampered", Some(&good), &tampered, 401, "bad signature"),
        ("stale", Some(&stale), body, 401, "stale timestamp"),
        (
            "missing header",
            None,
            body,
            400,
            "missing S4E-Signature header",
        ),
        (
            "malformed header",
            Some("t=1"),
            body,
            400,
            "malformed S4E-Signature header",
        ),
        (
            "oversized",
            Some(&oversized_signature),
            oversized.as_bytes(),
            413,
            "body larger than 4096 bytes",
        ),
        (
            "signed but not an event",
            Some(&webhooks::sign(not_an_event, SECRET, now())),
            not_an_event,
            400,
            "signed body is not an event",
        ),
    ];
    for (name, signature, body, status, reason) in cases {
        let (got, text) = post_raw(address, signature, body).await;
        assert_eq!(got, status, "{name}: {text}");
        assert!(text.starts_with(reason), "{name}: {text}");
    }
    assert!(
        receiver.handled.lock().unwrap().is_empty(),
        "no handler call for a refused delivery"
    );

    let (status, text) = post_raw(address, Some(&good), body).await;
    assert_eq!(status, 204, "{text}");
    // Rotation: a delivery still signed with the previous secret passes.
    let rotated = webhooks::sign(body, OLD_SECRET, now());
    assert_eq!(post_raw(address, Some(&rotated), body).await.0, 204);
    let handled = receiver.handled.lock().unwrap().clone();
    assert_eq!(handled.len(), 2);
    assert_eq!(handled[0].id.as_ref().unwrap().as_str(), "evt-good");
    let Ok(EventData::Scan(scan)) = handled[0].payload() else {
        panic!("a scan event: {:?}", handled[0])
    };
    assert_eq!(scan.id, "sc-1");
}

/// One delivery as a receiver handles it: claim, side effect, done.
async fn handle(dedup: &Dedup, event: &Event, effects: &Mutex<HashMap<String, usize>>) -> u16 {
    match dedup.claim(event).await.expect("the store answers") {
        Claim::New(token) => {
            // Other deliveries of this event arrive while it is processed.
            tokio::task::yield_now().await;
            let id = event.id.as_ref().unwrap().as_str().to_string();
            *effects.lock().unwrap().entry(id).or_default() += 1;
            token.done().await.expect("the store answers");
            200
        }
        Claim::Done => 200,
        Claim::InProgress => 409,
    }
}

/// Event `n` of this run: IDs differ between runs, since a Redis server
/// shared with other tests keeps what earlier runs stored.
fn event(run: u128, n: usize) -> Event {
    serde_json::from_value(serde_json::json!({
        "id": format!("evt-{run}-{n:03}"), "event": "finding.new",
        "data": {"finding_id": format!("f-{n}"), "title": "t", "severity": "high"},
    }))
    .unwrap()
}

/// 10,000 concurrent deliveries: 100 events, each sent 100 times and
/// retried while the answer is 409. Every side effect runs exactly once.
async fn exactly_once(dedup: Dedup) {
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let effects: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let retries = Arc::new(AtomicUsize::new(0));
    let mut deliveries = Vec::new();
    for copy in 0..100 {
        for n in 0..100 {
            let (dedup, effects, retries) = (dedup.clone(), effects.clone(), retries.clone());
            deliveries.push(tokio::spawn(async move {
                let event = event(run, (n + copy) % 100);
                while handle(&dedup, &event, &effects).await == 409 {
                    retries.fetch_add(1, Ordering::Relaxed);
                    tokio::task::yield_now().await;
                }
            }));
        }
    }
    assert_eq!(deliveries.len(), 10_000);
    for delivery in deliveries {
        delivery.await.unwrap();
    }
    {
        let effects = effects.lock().unwrap();
        assert_eq!(effects.len(), 100, "every event processed");
        assert!(effects.values().all(|n| *n == 1), "{effects:?}");
    }

    // A handler that fails (drops its token) lets the retry run it again, once.
    let failing = event(run, 500);
    let Claim::New(token) = dedup.claim(&failing).await.unwrap() else {
        panic!("a new event")
    };
    drop(token);
    let once = Mutex::default();
    // The release of a Redis claim is sent from the drop: retry until it lands.
    let mut status = handle(&dedup, &failing, &once).await;
    for _ in 0..1_000 {
        if status != 409 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        status = handle(&dedup, &failing, &once).await;
    }
    assert_eq!(status, 200);
    assert_eq!(handle(&dedup, &failing, &once).await, 200);
    assert_eq!(
        once.lock().unwrap().get(&format!("evt-{run}-500")),
        Some(&1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_once_in_memory() {
    exactly_once(Dedup::in_memory()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_once_on_redis() {
    let Some(redis) = crate::redis_server::redis("exactly_once_on_redis") else {
        return;
    };
    exactly_once(Dedup::redis(&redis.url).unwrap()).await;
}

/// The sandbox delivers to a `Verified` + `Dedup` receiver; its redelivery
/// (same event, signed anew) is recognised as done.
#[tokio::test]
async fn a_sandbox_redelivery_is_recognised_as_a_duplicate() -> TestResult {
    #[derive(Clone)]
    struct Intake {
        secrets: Secrets,
        dedup: Dedup,
        effects: Arc<Mutex<Vec<Event>>>,
        duplicates: Arc<AtomicUsize>,
    }
    impl FromRef<Intake> for Secrets {
        fn from_ref(intake: &Intake) -> Secrets {
            intake.secrets.clone()
        }
    }
    async fn intake(State(intake): State<Intake>, Verified(event): Verified) -> StatusCode {
        match intake.dedup.claim(&event).await {
            Ok(Claim::New(token)) => {
                intake.effects.lock().unwrap().push(event);
                match token.done().await {
                    Ok(()) => StatusCode::OK,
                    Err(_) => StatusCode::SERVICE_UNAVAILABLE,
                }
            }
            Ok(Claim::Done) => {
                intake.duplicates.fetch_add(1, Ordering::SeqCst);
                StatusCode::OK
            }
            Ok(Claim::InProgress) => StatusCode::CONFLICT,
            Err(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
    let state = Intake {
        secrets: Secrets::new([SECRET]),
        dedup: Dedup::in_memory(),
        effects: Arc::default(),
        duplicates: Arc::default(),
    };
    let address = serve(
        axum::Router::new()
            .route("/hook", post(intake))
            .with_state(state.clone()),
    )
    .await;
    let sandbox = support::start().await?;
    let client = support::client(&sandbox);
    client
        .webhooks()
        .create(
            "receiver",
            format!("http://{address}/hook"),
            [EventType::AssetCreated],
        )
        .secret(SECRET)
        .await?;
    let asset = client
        .assets()
        .create("receiver.e2e.example", s4e::AssetType::Domain)
        .await?;
    let controls = sandbox.controls();
    let first = wait_for(|| {
        controls
            .deliveries()
            .into_iter()
            .find(|d| d.event == "asset.created")
    })
    .await;
    assert_eq!(first.status_code, Some(200), "{first:?}");
    let again = controls
        .redeliver(&first.delivery_id)
        .await
        .expect("a recorded delivery");
    assert_eq!(
        (again.event_id.as_str(), again.status_code),
        (first.event_id.as_str(), Some(200))
    );
    assert_ne!(again.delivery_id, first.delivery_id);
    assert!(controls.redeliver("dlv-none").await.is_none());

    let effects = state.effects.lock().unwrap().clone();
    assert_eq!(effects.len(), 1, "{effects:?}");
    assert_eq!(state.duplicates.load(Ordering::SeqCst), 1);
    let Ok(EventData::Asset(created)) = effects[0].payload() else {
        panic!("an asset event: {:?}", effects[0])
    };
    assert_eq!(created.id, asset.id);
    assert_eq!(effects[0].data["asset_id"], asset.id.as_str());
    Ok(())
}

/// Polls `found` (the sandbox delivers on its own task) for up to 10 s.
async fn wait_for<T>(mut found: impl FnMut() -> Option<T>) -> T {
    for _ in 0..1_000 {
        if let Some(value) = found() {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("nothing arrived within 10 s")
}
