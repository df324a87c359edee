//! The sandbox binary, `s4e-sandbox`, run as its own process on a free
//! loopback port, as a user or a CI job runs it; the tests drive it only over
//! HTTP: the API under `/v1` and its admin routes under `/__sandbox/`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use s4e_sandbox::{Fault, FaultKind};
use serde::Deserialize;
use serde_json::{Value, json};

/// A running `s4e-sandbox`; dropping it stops the process.
pub(crate) struct SandboxProcess {
    child: Child,
    base_url: String,
    api_key: String,
    admin: Admin,
}

impl SandboxProcess {
    /// Starts `s4e-sandbox --port 0 ARGS` and reads the address and key from
    /// its banner.
    pub(crate) fn start(args: &[&str]) -> SandboxProcess {
        let mut child = Command::new(binary())
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the sandbox binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut base_url = None;
        let mut api_key = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("the banner is text");
            if let Some(url) = line.strip_prefix("S4E sandbox listening on ") {
                base_url = Some(url.trim().to_owned());
            } else if let Some(key) = line.trim().strip_prefix("full-access key") {
                api_key = Some(key.trim().to_owned());
            } else if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        let (Some(base_url), Some(api_key)) = (base_url, api_key) else {
            let status = child.wait();
            panic!("the sandbox printed no address and key (it ended: {status:?})");
        };
        let root = base_url
            .strip_suffix("/v1")
            .expect("the base URL ends in /v1");
        let admin = Admin::new(format!("{root}/__sandbox"));
        SandboxProcess {
            child,
            base_url,
            api_key,
            admin,
        }
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The full-access key.
    pub(crate) fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The admin routes: faults, settings, the clock, the request log.
    pub(crate) fn controls(&self) -> &Admin {
        &self.admin
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request in the sandbox's log, as `GET /__sandbox/requests` lists it.
#[derive(Debug, Deserialize)]
pub(crate) struct LoggedRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) body: Option<String>,
}

/// A webhook delivery, as `GET /__sandbox/deliveries` lists it.
#[derive(Debug, Deserialize)]
pub(crate) struct LoggedDelivery {
    pub(crate) delivery_id: String,
    pub(crate) event_id: String,
}

/// The sandbox's admin routes over HTTP (`/__sandbox/...`), with the
/// binary's own HTTP/1.1 client stack (hyper) on a runtime of its own.
pub(crate) struct Admin {
    root: String,
    http: Client<HttpConnector, Full<Bytes>>,
    runtime: tokio::runtime::Runtime,
}

impl Admin {
    fn new(root: String) -> Admin {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let http = Client::builder(TokioExecutor::new()).build_http();
        Admin {
            root,
            http,
            runtime,
        }
    }

    fn call(&self, method: Method, route: &str, body: Option<Value>) -> Value {
        let url = format!("{}{route}", self.root);
        let request = Request::builder()
            .method(method.clone())
            .uri(&url)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(
                body.map(|b| b.to_string()).unwrap_or_default(),
            )))
            .expect("a request");
        let (status, bytes) = self.runtime.block_on(async {
            let response = self
                .http
                .request(request)
                .await
                .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .unwrap_or_else(|e| panic!("{method} {url}: {e}"))
                .to_bytes();
            (status, bytes)
        });
        let text = String::from_utf8_lossy(&bytes);
        assert!(status.is_success(), "{method} {url}: {status} {text}");
        let answer: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{method} {url}: not JSON ({e}): {text}"));
        answer["data"].clone()
    }

    /// Stops the sandbox's clock, so nothing moves on by itself.
    pub(crate) fn pause_clock(&self) {
        self.call(Method::POST, "/clock/pause", None);
    }

    /// Scan progress per second of the clock; 0 freezes scans where they are.
    pub(crate) fn set_scan_speed(&self, speed: f64) {
        self.call(
            Method::PATCH,
            "/settings",
            Some(json!({ "scan_speed": speed })),
        );
    }

    /// Injects `fault` into the requests it matches.
    pub(crate) fn inject(&self, fault: Fault) {
        let mut body = json!({ "kind": fault.kind().name(), "times": fault.remaining() });
        match fault.kind() {
            FaultKind::Status(status) | FaultKind::HtmlError(status) => {
                body["status"] = json!(status);
            }
            FaultKind::Delay(delay) => body["delay_ms"] = json!(delay.as_millis() as u64),
            _ => {}
        }
        if let Some(method) = fault.method_filter() {
            body["method"] = json!(method);
        }
        if let Some(path) = fault.path_filter() {
            body["path"] = json!(path);
        }
        self.call(Method::POST, "/faults", Some(body));
    }

    /// How many logged requests match `method` and `path` (`*` ends a prefix).
    pub(crate) fn count(&self, method: &str, path: &str) -> usize {
        let query = form(&[("method", method), ("path", path)]);
        let answer = self.call(Method::GET, &format!("/requests/count?{query}"), None);
        answer["count"].as_u64().expect("a count") as usize
    }

    /// Every API request so far, oldest first.
    pub(crate) fn requests(&self) -> Vec<LoggedRequest> {
        serde_json::from_value(self.call(Method::GET, "/requests", None)).expect("the request log")
    }

    /// Empties the request log.
    pub(crate) fn clear_requests(&self) {
        self.call(Method::DELETE, "/requests", None);
    }

    /// Every webhook delivery attempt so far.
    pub(crate) fn deliveries(&self) -> Vec<LoggedDelivery> {
        serde_json::from_value(self.call(Method::GET, "/deliveries", None))
            .expect("the delivery log")
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| {
            let value =
                percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
            format!("{name}={value}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The `s4e-sandbox` binary of the build under test: beside `s4e` in the
/// target directory, where `cargo test --workspace` puts it (the sandbox's
/// own tests need it). When it is missing or older than the sandbox's
/// sources (`cargo test -p s4e-cli` does not build it), cargo builds it once.
fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let s4e = assert_cmd::cargo::cargo_bin!("s4e");
        let profile_dir = s4e.parent().expect("the binary has a directory");
        let binary = profile_dir.join(format!("s4e-sandbox{}", std::env::consts::EXE_SUFFIX));
        let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("../s4e-sandbox");
        let built = modified(&binary);
        if built.is_none() || built < newest_in(&sources) {
            build(profile_dir);
        }
        assert!(binary.exists(), "no sandbox binary at {}", binary.display());
        binary
    })
}

fn build(profile_dir: &Path) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(["build", "-p", "s4e-sandbox", "--bin", "s4e-sandbox"]);
    match profile_dir.file_name().and_then(|name| name.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            command.arg("--release");
        }
        Some(profile) => {
            command.args(["--profile", profile]);
        }
    }
    let status = command.status().expect("cargo runs");
    assert!(status.success(), "cargo could not build the sandbox binary");
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of the files under `dir` (its `src/` and
/// manifest are what the binary is built from).
fn newest_in(dir: &Path) -> Option<SystemTime> {
    let mut newest = modified(&dir.join("Cargo.toml"));
    let mut pending = vec![dir.join("src")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                newest = newest.max(modified(&path));
            }
        }
    }
    newest
}
