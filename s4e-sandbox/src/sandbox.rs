//! The handle: start, address, keys, controls, shutdown.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware::{from_fn_with_state, map_response};
use chrono::{DateTime, DurationRound, Utc};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::cassette::{self, CassetteError};
use crate::controls::{Controls, DOCUMENTED_KEY_LIMIT, LimitedEndpoint};
use crate::state::{Config, Settings, Shared};
use crate::{admin, api, delivery, pipeline, server};

/// The full-access demo key.
pub const DEFAULT_API_KEY: &str = "sk_sandbox_full_access";
/// The read-only demo key: reads work, writes answer 403.
pub const DEFAULT_READ_ONLY_KEY: &str = "sk_sandbox_read_only";
/// The seed used unless [`SandboxBuilder::seed`] sets one.
pub const DEFAULT_SEED: u64 = 42;
/// Jobs run this many times faster than their nominal durations by default:
/// a quick scan (3 nominal minutes) completes in about 3.5 seconds.
pub const DEFAULT_SCAN_SPEED: f64 = 60.0;

/// How often a background task brings jobs up to the clock (so events fire
/// without anyone polling).
const TICK: Duration = Duration::from_millis(100);

/// Why the sandbox could not start.
#[derive(Debug)]
pub struct Error(ErrorKind);

#[derive(Debug)]
enum ErrorKind {
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    Cassette(CassetteError),
}

impl Error {
    fn listen(addr: SocketAddr, source: std::io::Error) -> Error {
        Error(ErrorKind::Listen { addr, source })
    }

    /// The cassette problem, when the sandbox could not start because its
    /// cassette could not be read, recorded or trusted.
    pub fn cassette(&self) -> Option<&CassetteError> {
        match &self.0 {
            ErrorKind::Cassette(e) => Some(e),
            ErrorKind::Listen { .. } => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            ErrorKind::Listen { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            ErrorKind::Cassette(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0 {
            ErrorKind::Listen { source, .. } => Some(source),
            ErrorKind::Cassette(e) => Some(e),
        }
    }
}

impl From<CassetteError> for Error {
    fn from(e: CassetteError) -> Error {
        Error(ErrorKind::Cassette(e))
    }
}

/// Configures a [`Sandbox`] before it starts.
///
/// # Examples
///
/// ```no_run
/// # async fn demo() -> Result<(), s4e_sandbox::Error> {
/// let sandbox = s4e_sandbox::Sandbox::builder()
///     .seed(7)
///     .manual_clock()
///     .rate_limit(100)
///     .start()
///     .await?;
/// println!("{}", sandbox.base_url());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `start` is awaited"]
pub struct SandboxBuilder {
    seed: u64,
    host: IpAddr,
    port: u16,
    scan_speed: f64,
    manual_clock: bool,
    start_time: Option<DateTime<Utc>>,
    rate_limit: Option<u32>,
    rate_window_seconds: i64,
    endpoint_limits: [Option<u32>; LimitedEndpoint::ALL.len()],
    latency: Duration,
    api_key: String,
    read_only_key: String,
    cassette: cassette::Settings,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            seed: DEFAULT_SEED,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            scan_speed: DEFAULT_SCAN_SPEED,
            manual_clock: false,
            start_time: None,
            rate_limit: None,
            rate_window_seconds: 60,
            endpoint_limits: [None; LimitedEndpoint::ALL.len()],
            latency: Duration::ZERO,
            api_key: DEFAULT_API_KEY.into(),
            read_only_key: DEFAULT_READ_ONLY_KEY.into(),
            cassette: cassette::Settings::default(),
        }
    }
}

impl SandboxBuilder {
    /// The seed of the generated data (default [`DEFAULT_SEED`]).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The address to listen on (default `127.0.0.1`).
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// The port to listen on (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How many times faster than nominal scans, executions and playbook runs
    /// progress (default [`DEFAULT_SCAN_SPEED`]; 1.0 is real time, 0 freezes them).
    pub fn scan_speed(mut self, speed: f64) -> Self {
        self.scan_speed = if speed.is_finite() {
            speed.max(0.0)
        } else {
            0.0
        };
        self
    }

    /// Starts with the clock paused: time moves only through
    /// [`Controls::advance`], so tests are deterministic.
    pub fn manual_clock(mut self) -> Self {
        self.manual_clock = true;
        self
    }

    /// The clock's start time (default: now, to the second). With
    /// [`manual_clock`](Self::manual_clock) and a seed, every answer is the
    /// same from run to run.
    pub fn start_time(mut self, at: DateTime<Utc>) -> Self {
        self.start_time = Some(at);
        self
    }

    /// Limits each key to `per_minute` requests per window of a minute
    /// (default: none).
    pub fn rate_limit(mut self, per_minute: u32) -> Self {
        self.rate_limit = Some(per_minute).filter(|n| *n > 0);
        self
    }

    /// How long a rate-limit window lasts, in whole seconds (default a
    /// minute, as the API's); the limits count per window. For tests whose
    /// windows must pass quickly.
    pub fn rate_limit_window(mut self, length: Duration) -> Self {
        self.rate_window_seconds = i64::try_from(length.as_secs().max(1)).unwrap_or(i64::MAX);
        self
    }

    /// Limits each key to `per_minute` requests on `endpoint`, on top of the
    /// per-key limit (default: none; `0` also means none).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), s4e_sandbox::Error> {
    /// use s4e_sandbox::{LimitedEndpoint, Sandbox};
    ///
    /// let sandbox = Sandbox::builder()
    ///     .endpoint_limit(LimitedEndpoint::ScanCreate, 2)
    ///     .start()
    ///     .await?;
    /// assert_eq!(sandbox.controls().endpoint_limit(LimitedEndpoint::ScanCreate), Some(2));
    /// # Ok(()) }
    /// ```
    pub fn endpoint_limit(mut self, endpoint: LimitedEndpoint, per_minute: u32) -> Self {
        self.endpoint_limits[endpoint.index()] = Some(per_minute).filter(|n| *n > 0);
        self
    }

    /// The limits the contract documents: 100 requests per minute per key,
    /// and each [`LimitedEndpoint`] at its
    /// [`documented_limit`](LimitedEndpoint::documented_limit).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), s4e_sandbox::Error> {
    /// use s4e_sandbox::{LimitedEndpoint, Sandbox};
    ///
    /// let sandbox = Sandbox::builder().documented_limits().start().await?;
    /// assert_eq!(sandbox.controls().rate_limit(), Some(100));
    /// assert_eq!(sandbox.controls().endpoint_limit(LimitedEndpoint::FindingsExport), Some(5));
    /// # Ok(()) }
    /// ```
    pub fn documented_limits(mut self) -> Self {
        self.rate_limit = Some(DOCUMENTED_KEY_LIMIT);
        for e in LimitedEndpoint::ALL {
            self.endpoint_limits[e.index()] = Some(e.documented_limit());
        }
        self
    }

    /// Every API answer takes at least `latency` from the request's arrival,
    /// the server's own work included.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// The full-access key (default [`DEFAULT_API_KEY`]).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// The read-only key (default [`DEFAULT_READ_ONLY_KEY`]).
    pub fn read_only_key(mut self, key: impl Into<String>) -> Self {
        self.read_only_key = key.into();
        self
    }

    /// Serves the answers recorded in the cassette directory `dir` instead of
    /// the stateful sandbox, without opening any network connection (see
    /// [`cassette`](crate::cassette)). A request the cassette does not hold
    /// is answered `501` with error code `cassette_miss` and a message that
    /// names the nearest recorded request and what differs. Any key is
    /// accepted: the cassette holds no credentials.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), s4e_sandbox::Error> {
    /// let sandbox = s4e_sandbox::Sandbox::builder()
    ///     .replay("tests/cassettes/triage")
    ///     .start()
    ///     .await?;
    /// // point the client at sandbox.base_url()
    /// # Ok(()) }
    /// ```
    pub fn replay(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cassette.mode = Some(cassette::Mode::Replay(dir.into()));
        self
    }

    /// Serves a recording proxy to `upstream_url` (e.g.
    /// `https://api.s4e.io/v1`) instead of the stateful sandbox: each request
    /// is forwarded unchanged, answered with the upstream's answer, and
    /// written to the cassette directory `dir`, scrubbed of credentials and
    /// secrets. An existing cassette there is replaced.
    pub fn record(mut self, upstream_url: impl Into<String>, dir: impl Into<PathBuf>) -> Self {
        self.cassette.mode = Some(cassette::Mode::Record {
            upstream: upstream_url.into(),
            dir: dir.into(),
        });
        self
    }

    /// With [`replay`](Self::replay): a request the cassette lacks is
    /// forwarded to `upstream_url` and added to the cassette instead of
    /// answered `501`.
    pub fn record_missing(mut self, upstream_url: impl Into<String>) -> Self {
        self.cassette.record_missing = Some(upstream_url.into());
        self
    }

    /// Replaces every match of the regular expression `pattern` (syntax of
    /// the `regex` crate) with `REDACTED` before anything is written to a
    /// cassette: path, query, headers and both bodies. Also applied to
    /// replayed requests before matching, so a recorded `REDACTED` matches.
    /// An invalid pattern makes [`start`](Self::start) fail.
    pub fn redact(mut self, pattern: impl Into<String>) -> Self {
        self.cassette.redact.push(pattern.into());
        self
    }

    /// With [`replay`](Self::replay): leaves the body field at `pointer` (a
    /// JSON pointer such as `/options/started_at`; `*` matches every item or
    /// member) out of request matching.
    pub fn ignore_body_path(mut self, pointer: impl Into<String>) -> Self {
        self.cassette.ignore_body_paths.push(pointer.into());
        self
    }

    /// With [`replay`](Self::replay): a request made more often than it was
    /// recorded gets the last recorded answer again instead of a miss.
    pub fn allow_repeats(mut self) -> Self {
        self.cassette.allow_repeats = true;
        self
    }

    /// With [`replay`](Self::replay): warns (see
    /// [`on_cassette_notice`](Self::on_cassette_notice)) when the cassette
    /// was recorded longer ago than `age`; with
    /// [`strict_age`](Self::strict_age), refuses to start.
    pub fn max_age(mut self, age: Duration) -> Self {
        self.cassette.max_age = Some(age);
        self
    }

    /// With [`max_age`](Self::max_age): an older cassette makes
    /// [`start`](Self::start) fail instead of warning.
    pub fn strict_age(mut self) -> Self {
        self.cassette.strict_age = true;
        self
    }

    /// Calls `notice` with each cassette miss and stale-cassette warning (they
    /// are also `tracing` warnings, target `s4e_sandbox::cassette`).
    pub fn on_cassette_notice(mut self, notice: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.cassette.notify = cassette::Notify::new(notice);
        self
    }

    /// Binds the listener and starts serving on the current Tokio runtime.
    pub async fn start(self) -> Result<Sandbox, Error> {
        let cassette_app = match &self.cassette.mode {
            Some(mode) => Some(cassette::app(mode, &self.cassette)?),
            None => None,
        };
        let wanted = SocketAddr::new(self.host, self.port);
        let listener = TcpListener::bind(wanted)
            .await
            .map_err(|source| Error::listen(wanted, source))?;
        let addr = listener
            .local_addr()
            .map_err(|source| Error::listen(wanted, source))?;
        let origin = self.start_time.unwrap_or_else(|| {
            let now = Utc::now();
            now.duration_trunc(chrono::Duration::seconds(1))
                .unwrap_or(now)
        });
        let config = Config {
            seed: self.seed,
            origin,
            api_key: self.api_key,
            read_only_key: self.read_only_key,
            rate_window_seconds: self.rate_window_seconds,
            settings: Settings {
                scan_speed: self.scan_speed,
                latency: self.latency,
                rate_limit: self.rate_limit,
                endpoint_limits: self.endpoint_limits,
            },
        };
        let (shared, deliveries) = Shared::new(config, !self.manual_clock);
        let shared = Arc::new(shared);
        let host = match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let (shutdown, shutdown_rx) = watch::channel(false);
        if let Some((app, base_path)) = cassette_app {
            // The cassette answers every route; the stateful sandbox's data
            // stays idle behind `controls`.
            let server = tokio::spawn(server::serve(listener, app, shutdown_rx));
            return Ok(Sandbox {
                addr,
                base_url: format!("http://{host}:{}{base_path}", addr.port()),
                controls: Controls { shared },
                shutdown,
                server: Some(server),
                background: Vec::new(),
            });
        }

        let app = Router::new()
            .nest("/v1", api::routes())
            .nest("/__sandbox", admin::routes())
            .fallback(pipeline::not_found)
            .layer(map_response(pipeline::envelope_rejections))
            .layer(from_fn_with_state(shared.clone(), pipeline::pipeline))
            .with_state(shared.clone());

        let server = tokio::spawn(server::serve(listener, app, shutdown_rx));
        let ticker = tokio::spawn({
            let shared = shared.clone();
            async move {
                let mut interval = tokio::time::interval(TICK);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                loop {
                    interval.tick().await;
                    drop(shared.db());
                }
            }
        });
        let dispatcher = tokio::spawn(delivery::dispatch(shared.clone(), deliveries));
        Ok(Sandbox {
            addr,
            base_url: format!("http://{host}:{}/v1", addr.port()),
            controls: Controls { shared },
            shutdown,
            server: Some(server),
            background: vec![ticker, dispatcher],
        })
    }
}

/// A running sandbox. It stops when dropped (or with [`shutdown`](Self::shutdown)).
///
/// # Examples
///
/// ```no_run
/// #[tokio::test]
/// async fn lists_assets() {
///     let sandbox = s4e_sandbox::Sandbox::start().await.unwrap();
///     let url = format!("{}/assets?per_page=5", sandbox.base_url());
///     // send `Authorization: Bearer {sandbox.api_key()}` with any HTTP client
///     # let _ = url;
/// }
/// ```
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    controls: Controls,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    background: Vec<JoinHandle<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox with the defaults on `127.0.0.1` and a free port.
    pub async fn start() -> Result<Sandbox, Error> {
        Sandbox::builder().start().await
    }

    /// Configures one first.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The API's base URL, e.g. `http://127.0.0.1:38211/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The full-access key.
    pub fn api_key(&self) -> &str {
        &self.controls.shared.config.api_key
    }

    /// The read-only key.
    pub fn read_only_key(&self) -> &str {
        &self.controls.shared.config.read_only_key
    }

    /// The seed of its data.
    pub fn seed(&self) -> u64 {
        self.controls.shared.config.seed
    }

    /// The clock, faults, rate limit, latency, request log and deliveries.
    pub fn controls(&self) -> &Controls {
        &self.controls
    }

    /// Stops accepting connections, lets open ones finish (up to 5 s), and
    /// stops the background tasks.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        for task in self.background.drain(..) {
            task.abort();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            server.abort();
        }
        for task in self.background.drain(..) {
            task.abort();
        }
    }
}
