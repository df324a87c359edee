//! `s4e webhooks verify`: a delivery signed with the SDK's `sign` passes, a
//! tampered body or a wrong secret does not.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::{bare, parse, stderr};

const SECRET: &str = "whsec_cli_test";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_good_signature_prints_the_event() {
    let body = br#"{"id":"evt-1","event":"finding.new","timestamp":"2026-05-03T10:07:00Z","data":{"id":"f-1","severity":"high"}}"#;
    let header = s4e::webhooks::sign(body, SECRET, now());
    let out = bare()
        .env("S4E_WEBHOOK_SECRET", SECRET)
        .args([
            "webhooks",
            "verify",
            "--signature",
            &header,
            "-",
            "-o",
            "json",
        ])
        .write_stdin(body.to_vec())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let event = parse(&out.stdout);
    assert_eq!(event["event"], "finding.new");
    assert_eq!(event["data"]["id"], "f-1");
}

#[test]
fn a_tampered_body_or_a_wrong_secret_is_rejected() {
    let body = br#"{"id":"evt-2","event":"scan.completed","data":{"id":"sc-1"}}"#;
    let header = s4e::webhooks::sign(body, SECRET, now());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.json");
    std::fs::write(
        &file,
        br#"{"id":"evt-2","event":"scan.completed","data":{"id":"sc-2"}}"#,
    )
    .unwrap();
    let out = bare()
        .args([
            "webhooks",
            "verify",
            "--secret",
            SECRET,
            "--signature",
            &header,
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("delivery rejected: the signature does not match"),
        "{err}"
    );
    assert!(!err.contains(SECRET));

    let out = bare()
        .args([
            "webhooks",
            "verify",
            "--secret",
            "whsec_other",
            "--signature",
            &header,
            "-",
        ])
        .write_stdin(body.to_vec())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    // A stale signature passes only with a wider tolerance.
    let old = s4e::webhooks::sign(body, SECRET, now() - 3_600);
    let verify = |tolerance: &str| {
        bare()
            .args([
                "webhooks",
                "verify",
                "--secret",
                SECRET,
                "--signature",
                &old,
                "--tolerance",
                tolerance,
            ])
            .write_stdin(body.to_vec())
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(verify("300"), Some(1));
    assert_eq!(verify("7200"), Some(0));
}

// ---- listen, trigger, resend (issue 20) ----

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use s4e::webhooks::axum::Verified;
use s4e::webhooks::{Event, Secrets};

use crate::Api;

/// A receiver verifying with `Verified`, on its own runtime; the secret can
/// be set after it starts (`listen` prints its own).
struct Receiver {
    address: SocketAddr,
    secret: Arc<OnceLock<Secrets>>,
    events: Arc<Mutex<Vec<Event>>>,
    _runtime: tokio::runtime::Runtime,
}

#[derive(Clone)]
struct ReceiverState {
    secret: Arc<OnceLock<Secrets>>,
    events: Arc<Mutex<Vec<Event>>>,
}

impl FromRef<ReceiverState> for Secrets {
    fn from_ref(state: &ReceiverState) -> Secrets {
        state
            .secret
            .get()
            .cloned()
            .unwrap_or_else(|| Secrets::new(Vec::<String>::new()))
    }
}

async fn receive(State(state): State<ReceiverState>, Verified(event): Verified) -> StatusCode {
    state.events.lock().unwrap().push(event);
    StatusCode::OK
}

impl Receiver {
    fn start() -> Receiver {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let state = ReceiverState {
            secret: Arc::default(),
            events: Arc::default(),
        };
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(state.clone());
        let socket = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let address = socket.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(socket, app).await.unwrap() });
        Receiver {
            address,
            secret: state.secret,
            events: state.events,
            _runtime: runtime,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/hooks/s4e", self.address)
    }

    fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap().clone()
    }
}

/// Every event type the contract lists (`WebhookEvent` in spec/s4e-v1.yaml).
fn contract_events() -> Vec<String> {
    let spec = include_str!("../../../spec/s4e-v1.yaml");
    let start = spec
        .find("\n    WebhookEvent:\n")
        .expect("WebhookEvent in the spec");
    spec[start..]
        .lines()
        .skip_while(|l| l.trim() != "enum:")
        .skip(1)
        .take_while(|l| l.trim_start().starts_with("- "))
        .map(|l| l.trim_start()[2..].trim().to_string())
        .collect()
}

#[test]
fn trigger_sends_every_event_of_the_contract_verified_and_decodable() {
    let receiver = Receiver::start();
    let _ = receiver.secret.set(Secrets::new([SECRET]));
    let events = contract_events();
    assert_eq!(events.len(), 14, "{events:?}");
    for event in &events {
        let out = bare()
            .env("S4E_WEBHOOK_SECRET", SECRET)
            .args([
                "webhooks",
                "trigger",
                event,
                "--forward-to",
                &receiver.url(),
                "-o",
                "json",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{event}: {}", stderr(&out));
        let line = parse(&out.stdout);
        assert_eq!(
            (line["event"].as_str(), line["forward_status"].as_u64()),
            (Some(event.as_str()), Some(200))
        );
    }
    let received = receiver.events();
    let names: Vec<String> = received.iter().map(|e| e.event_type.to_string()).collect();
    assert_eq!(names, events);
    for event in &received {
        event
            .payload()
            .unwrap_or_else(|e| panic!("{}: {e}: {}", event.event_type, event.data));
    }
    // A --set lands in the delivery.
    let out = bare()
        .args([
            "webhooks",
            "trigger",
            "finding.new",
            "--forward-to",
            &receiver.url(),
            "--secret",
            SECRET,
        ])
        .args([
            "--set",
            "severity=critical",
            "--set",
            "asset.name=shop.example",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let last = receiver.events().pop().unwrap();
    assert_eq!(last.data["severity"], "critical");
    assert_eq!(last.data["asset"]["name"], "shop.example");
}

#[test]
fn trigger_refuses_an_unknown_field_a_wrong_type_or_an_unknown_event() {
    let receiver = Receiver::start();
    let _ = receiver.secret.set(Secrets::new([SECRET]));
    let cases: [(&str, &[&str], &str); 4] = [
        ("finding.new", &["--set", "colour=red"], "no field `colour`"),
        (
            "scan.completed",
            &["--set", "finding_count=many"],
            "expected integer",
        ),
        (
            "finding.status_changed",
            &["--set", "new_status=closed"],
            "is not one of",
        ),
        (
            "scan.exploded",
            &[],
            "invalid value 'scan.exploded' for '<EVENT>'",
        ),
    ];
    for (event, sets, message) in cases {
        let out = bare()
            .args([
                "webhooks",
                "trigger",
                event,
                "--forward-to",
                &receiver.url(),
                "--secret",
                SECRET,
            ])
            .args(sets)
            .output()
            .unwrap();
        let stderr = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{event} {sets:?}: {stderr}");
        assert!(stderr.contains(message), "{event} {sets:?}: {stderr}");
    }
    assert!(receiver.events().is_empty(), "nothing was sent");
}

#[cfg(unix)]
#[test]
fn listen_forwards_sandbox_deliveries_and_deletes_its_webhook_on_ctrl_c() {
    listen_then_stop_with("-INT");
}

#[cfg(unix)]
#[test]
fn listen_deletes_its_webhook_on_sigterm_too() {
    listen_then_stop_with("-TERM");
}

/// A running `s4e webhooks listen` and the first line it printed.
#[cfg(unix)]
struct Listening {
    child: std::process::Child,
    stderr: std::io::BufReader<std::process::ChildStderr>,
    ready: String,
}

#[cfg(unix)]
impl Listening {
    /// Starts `s4e webhooks listen --forward-to RECEIVER ARGS` against `api`
    /// and waits for its "Ready" line.
    fn start(api: &Api, receiver: &Receiver, args: &[&str]) -> Listening {
        use std::io::BufRead;
        use std::process::Stdio;

        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("s4e"))
            .env("S4E_BASE_URL", api.sandbox.base_url())
            .env("S4E_API_KEY", api.sandbox.api_key())
            .env("S4E_CONFIG", "/nonexistent/s4e-test-config.toml")
            .args(["webhooks", "listen", "--forward-to", &receiver.url()])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut ready = String::new();
        stderr.read_line(&mut ready).unwrap();
        Listening {
            child,
            stderr,
            ready,
        }
    }

    /// Sends `signal` (`-INT`, `-TERM`) and returns the exit status, the rest
    /// of stderr and all of stdout.
    fn stop_with(mut self, signal: &str) -> (std::process::ExitStatus, String, String) {
        use std::io::Read;

        let sent = std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = self.child.wait().unwrap();
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).unwrap();
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        (status, rest, stdout)
    }
}

/// Runs `listen` against the sandbox, checks the forwarded deliveries, stops
/// it with `signal` and checks that the temporary webhook is gone.
#[cfg(unix)]
fn listen_then_stop_with(signal: &str) {
    let api = Api::start();
    let receiver = Receiver::start();
    let listening = Listening::start(
        &api,
        &receiver,
        &["--events", "asset.created,scan.completed", "-o", "json"],
    );
    let ready = &listening.ready;
    let secret = ready
        .split("Signing secret: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no secret in {ready:?}"))
        .trim()
        .to_string();
    let _ = receiver.secret.set(Secrets::new([secret.as_str()]));
    assert_eq!(temporary_webhooks(&api).len(), 1);

    let asset = api.json(&["assets", "create", "listen.cli.example", "--type", "domain"]);
    let asset_id = asset["id"].as_str().unwrap();
    api.json(&["scans", "create", asset_id, "--type", "quick"]);
    // Seeded scans complete too; ours are the two about this asset.
    let ours = |received: &[Event]| -> Vec<String> {
        let mut names: Vec<String> = received
            .iter()
            .filter(|e| e.data["asset_id"] == asset_id)
            .map(|e| e.event_type.to_string())
            .collect();
        names.sort();
        names
    };
    let mut received = Vec::new();
    for _ in 0..1_000 {
        received = receiver.events();
        if ours(&received).len() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        ours(&received),
        ["asset.created", "scan.completed"],
        "{received:?}"
    );
    for event in &received {
        event.payload().unwrap();
    }

    let (status, rest, stdout) = listening.stop_with(signal);
    assert_eq!(status.code(), Some(0), "{rest}");
    assert!(rest.contains("deleted temporary webhook"), "{rest}");
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| parse(l.as_bytes())).collect();
    // One line per forwarded delivery; a seeded scan's delivery may reach
    // the receiver before it knows the secret (500), which is forwarded too.
    let accepted = lines.iter().filter(|l| l["forward_status"] == 200).count();
    // (Read after the exit: deliveries may arrive until the very end.)
    assert_eq!(accepted, receiver.events().len(), "{stdout}");
    assert!(
        lines.iter().all(|l| l["forward_status"].is_u64()),
        "{stdout}"
    );

    assert_eq!(temporary_webhooks(&api), Vec::<String>::new());
}

/// A temporary webhook that cannot be deleted is never a quiet success: the
/// exit is 5 and the message says how to delete it by hand.
#[cfg(unix)]
#[test]
fn listen_says_how_to_delete_a_webhook_it_could_not_delete() {
    let api = Api::start();
    let receiver = Receiver::start();
    let listening = Listening::start(&api, &receiver, &[]);
    let ready = listening.ready.clone();
    let webhook = ready
        .split_whitespace()
        .nth(2)
        .unwrap_or_else(|| panic!("no webhook in {ready:?}"))
        .to_owned();
    assert!(webhook.starts_with("wh-"), "{ready}");
    // More failures than the CLI makes attempts (1 + S4E_RETRIES' default 3).
    api.sandbox.controls().inject(
        s4e_sandbox::Fault::status(500)
            .times(5)
            .on("DELETE", "/webhooks/*"),
    );

    let (status, rest, _) = listening.stop_with("-TERM");
    assert_eq!(status.code(), Some(5), "{rest}");
    assert!(
        rest.contains(&format!("could not delete temporary webhook {webhook}"))
            && rest.contains(&format!("delete it with `s4e webhooks delete {webhook}`")),
        "{rest}"
    );
    assert_eq!(
        temporary_webhooks(&api),
        [webhook],
        "it is still there, as the message says"
    );
}

/// The IDs of the webhooks `listen` creates for itself.
#[cfg(unix)]
fn temporary_webhooks(api: &Api) -> Vec<String> {
    let hooks = api.json(&["webhooks", "list"]);
    hooks
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["name"] == "s4e webhooks listen (temporary)")
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn resend_redelivers_a_sandbox_delivery_and_names_an_unknown_one() {
    let api = Api::start();
    let tested = api.json(&["webhooks", "test", "wh-001"]);
    assert!(tested.is_object(), "{tested}");
    let recorded = api.sandbox.controls().deliveries();
    let first = recorded.first().expect("the test delivery is recorded");
    let again = api.json(&["webhooks", "resend", &first.delivery_id]);
    assert_eq!(again["event_id"], first.event_id.as_str());
    assert_ne!(again["delivery_id"], first.delivery_id.as_str());

    let out = api
        .s4e()
        .args(["webhooks", "resend", "dlv-none"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
}
