//! Record and replay: capture real S4E traffic once, replay it offline, and
//! find out when the real API drifts from the recording or the contract.
//!
//! - **Record**: [`SandboxBuilder::record`](crate::SandboxBuilder::record)
//!   (`s4e-sandbox record`) starts a proxy on a loopback port. A client
//!   pointed at it with a real key gets the upstream's answers unchanged,
//!   and each interaction is scrubbed of secrets and written to
//!   `DIR/cassette.json`.
//! - **Replay**: [`SandboxBuilder::replay`](crate::SandboxBuilder::replay)
//!   (`s4e-sandbox replay`) answers from the cassette and never opens a
//!   network connection. A request the cassette does not hold is answered
//!   `501` with error code `cassette_miss` and a message naming the nearest
//!   recorded request and what differs.
//! - **Verify**: [`verify`] re-sends the recorded safe requests to a live API
//!   and reports the fields that were added, removed or changed type, and
//!   checks every recorded answer against an OpenAPI document.
//!
//! The cassette is one pretty-printed JSON file whose layout does not depend
//! on timing: interactions are ordered by request identity and sequence,
//! volatile headers are left out, so re-recording an unchanged scenario
//! gives the same bytes and a changed one gives a readable diff.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body as AxumBody;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

mod age;
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub mod cli;
mod format;
mod json;
mod matcher;
mod player;
mod recorder;
mod schema;
mod scrub;
mod upstream;
mod verify;

pub use age::parse_age;
pub use verify::{
    Change, ChangeKind, OperationReport, Severity, VerifyOptions, VerifyReport, verify,
};

use format::CassetteFile;
use matcher::Ignored;
use player::Player;
use recorder::Recorder;
use scrub::Scrubber;
use upstream::Upstream;

/// The largest request body a recorder or player reads.
const MAX_REQUEST_BODY: usize = 64 * 1024 * 1024;

/// Why a cassette could not be recorded, replayed or verified.
#[derive(Debug)]
#[non_exhaustive]
pub enum CassetteError {
    /// The cassette file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The cassette file could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The cassette file is not one this version reads.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        message: String,
    },
    /// The cassette is older than the allowed age and strict age is on.
    Stale {
        /// The file.
        path: PathBuf,
        /// What the cassette records of its age.
        message: String,
    },
    /// The upstream URL cannot be used.
    Upstream {
        /// The URL, without credentials.
        url: String,
        /// Why.
        message: String,
    },
    /// An option is invalid (a `--redact` pattern, an ignored body path, a
    /// spec file, ...); the message names it.
    Option(String),
}

impl fmt::Display for CassetteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CassetteError::Read { path, source } => {
                write!(f, "cannot read the cassette {}: {source}", path.display())
            }
            CassetteError::Write { path, source } => {
                write!(f, "cannot write the cassette {}: {source}", path.display())
            }
            CassetteError::Invalid { path, message } => {
                write!(f, "the cassette {} is not valid: {message}", path.display())
            }
            CassetteError::Stale { path, message } => {
                write!(f, "the cassette {} is too old: {message}", path.display())
            }
            CassetteError::Upstream { url, message } => {
                write!(f, "the upstream {url} cannot be used: {message}")
            }
            CassetteError::Option(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CassetteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CassetteError::Read { source, .. } | CassetteError::Write { source, .. } => {
                Some(source)
            }
            _ => None,
        }
    }
}

/// Where misses and stale-cassette warnings go: always a `tracing` warning
/// (target `s4e_sandbox::cassette`), and the user's callback when set.
#[derive(Clone, Default)]
pub(crate) struct Notify(Option<Arc<NoticeFn>>);

type NoticeFn = dyn Fn(&str) + Send + Sync;

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Notify(callback)"
        } else {
            "Notify(tracing)"
        })
    }
}

impl Notify {
    pub(crate) fn new(callback: impl Fn(&str) + Send + Sync + 'static) -> Notify {
        Notify(Some(Arc::new(callback)))
    }

    pub(crate) fn send(&self, message: &str) {
        tracing::warn!(target: "s4e_sandbox::cassette", "{message}");
        if let Some(callback) = &self.0 {
            callback(message);
        }
    }
}

/// What a sandbox does with a cassette.
#[derive(Debug, Clone)]
pub(crate) enum Mode {
    Replay(PathBuf),
    Record { upstream: String, dir: PathBuf },
}

/// The cassette options of a [`SandboxBuilder`](crate::SandboxBuilder).
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    pub(crate) mode: Option<Mode>,
    pub(crate) record_missing: Option<String>,
    pub(crate) redact: Vec<String>,
    pub(crate) ignore_body_paths: Vec<String>,
    pub(crate) allow_repeats: bool,
    pub(crate) max_age: Option<Duration>,
    pub(crate) strict_age: bool,
    pub(crate) notify: Notify,
}

enum Server {
    Record(Box<Recorder>),
    Replay(Box<Player>),
}

/// The envelope of the API's errors, so an SDK surfaces `message`.
pub(crate) fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "status": "error",
        "error": { "code": code, "message": message },
    });
    let mut response = Response::new(AxumBody::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn handle(State(server): State<Arc<Server>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_REQUEST_BODY).await else {
        return error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "cassette_request_too_large",
            &format!("the request body could not be read whole (at most {MAX_REQUEST_BODY} bytes)"),
        );
    };
    match &*server {
        Server::Record(recorder) => recorder.forward(&parts, body).await,
        Server::Replay(player) => player.answer(&parts, body).await,
    }
}

/// Warns about (or, with `strict`, refuses) a cassette older than `max_age`.
fn check_age(file: &CassetteFile, dir: &Path, settings: &Settings) -> Result<(), CassetteError> {
    let Some(max_age) = settings.max_age else {
        return Ok(());
    };
    let today = chrono::Utc::now().date_naive();
    let days = (today - file.recorded_on).num_days().max(0);
    let age = Duration::from_secs(u64::try_from(days).unwrap_or(0) * 86_400);
    if age <= max_age {
        return Ok(());
    }
    let message = format!(
        "recorded on {} against {}, {days} day(s) ago, older than the allowed {}; re-record it",
        file.recorded_on,
        file.base_url,
        age::display(max_age)
    );
    if settings.strict_age {
        return Err(CassetteError::Stale {
            path: format::file_path(dir),
            message,
        });
    }
    settings.notify.send(&format!(
        "the cassette {} is stale: {message}",
        format::file_path(dir).display()
    ));
    Ok(())
}

/// The router serving `mode`, and the base path its API answers under.
pub(crate) fn app(mode: &Mode, settings: &Settings) -> Result<(Router, String), CassetteError> {
    let scrubber = Scrubber::new(&settings.redact).map_err(CassetteError::Option)?;
    let (server, base_path) = match mode {
        Mode::Record { upstream, dir } => {
            let upstream = Upstream::new(upstream)?;
            let recorder = Recorder::new(upstream, dir.clone(), scrubber, None)?;
            let base_path = recorder.base_path();
            (Server::Record(Box::new(recorder)), base_path)
        }
        Mode::Replay(dir) => {
            let file = CassetteFile::load(dir)?;
            check_age(&file, dir, settings)?;
            let ignored =
                Ignored::new(&settings.ignore_body_paths).map_err(CassetteError::Option)?;
            let base_path = upstream::base_path_of(&file.base_url);
            let recorder = match &settings.record_missing {
                Some(url) => Some(Recorder::new(
                    Upstream::new(url)?,
                    dir.clone(),
                    scrubber.clone(),
                    Some(file.clone()),
                )?),
                None => None,
            };
            let player = Player::new(
                file,
                &format::file_path(dir),
                ignored,
                scrubber,
                settings.allow_repeats,
                recorder,
                settings.notify.clone(),
            )?;
            (Server::Replay(Box::new(player)), base_path)
        }
    };
    let router = Router::new().fallback(handle).with_state(Arc::new(server));
    Ok((router, base_path))
}
