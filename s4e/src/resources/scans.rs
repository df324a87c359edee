//! Scans: vulnerability scans of one asset (`docs/API.md` §4.2).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::endpoint;
use crate::enums::string_enum;
use crate::http::paginate::Paginator;
use crate::http::poll::{Finished, LongRunning, Wait};
use crate::http::request::{Async, Request};
use crate::{Client, Result};

pub use crate::ids::{AssetId, ScanId};

string_enum!(
    /// What a scan looks for.
    ScanType {
        /// Every check.
        Full = "full",
        /// A fast subset of checks.
        Quick = "quick",
        /// The checks chosen in the [`ScanOptions`].
        Custom = "custom",
        /// Web application checks.
        WebApp = "web_app",
        /// Network checks.
        Network = "network",
        /// API checks.
        Api = "api",
        /// API endpoint discovery.
        ApiDiscovery = "api_discovery",
        /// TLS/SSL configuration.
        Ssl = "ssl",
        /// DNS configuration.
        Dns = "dns",
        /// Open ports.
        Port = "port",
    }
);

string_enum!(
    /// Where a scan stands.
    ScanStatus {
        /// Waiting to start.
        Queued = "queued",
        /// In progress.
        Running = "running",
        /// Finished successfully.
        Completed = "completed",
        /// Finished with an error.
        Failed = "failed",
        /// Stopped by a user.
        Cancelled = "cancelled",
    }
);

impl ScanStatus {
    /// Whether the scan will not change any more: `completed`, `failed` or
    /// `cancelled`. A status this SDK does not know counts as not final.
    ///
    /// ```
    /// use s4e::scans::ScanStatus;
    /// assert!(ScanStatus::Completed.is_final());
    /// assert!(!ScanStatus::Running.is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            ScanStatus::Completed | ScanStatus::Failed | ScanStatus::Cancelled
        )
    }
}

string_enum!(
    /// How soon a scan runs compared with others.
    ScanPriority {
        /// After the others.
        Low = "low",
        /// The default.
        Normal = "normal",
        /// Before the others.
        High = "high",
    }
);

string_enum!(
    /// How deep a scan goes.
    ScanDepth {
        /// Surface checks only.
        Shallow = "shallow",
        /// The default.
        Normal = "normal",
        /// Every reachable page and endpoint.
        Deep = "deep",
    }
);

/// A vulnerability scan of one asset.
///
/// Only the ID and the status are always there: the scan guide answers a
/// create with `{"scan_id", "status", "created_at", "estimated_duration"}`,
/// the reference with the full object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ScanWire")]
#[non_exhaustive]
pub struct Scan {
    /// The scan's ID (`id` on the wire; some pages send `scan_id`).
    pub id: ScanId,
    /// The asset scanned (not in the scan guide's create answer).
    pub asset_id: Option<AssetId>,
    /// What the scan looks for (not in the scan guide's create answer).
    pub scan_type: Option<ScanType>,
    /// Where it stands (`None` when the answer leaves it out); see
    /// [`ScanStatus::is_final`].
    pub status: Option<ScanStatus>,
    /// Its priority.
    pub priority: Option<ScanPriority>,
    /// Percent done, 0 to 100.
    pub progress: Option<u32>,
    /// When it was requested.
    pub created_at: Option<DateTime<Utc>>,
    /// When it started (`None` while queued).
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished, whether completed, failed or cancelled (`None` until
    /// then; `completed_at` on the wire, also read from `finished_at`).
    #[serde(rename = "completed_at")]
    pub finished_at: Option<DateTime<Utc>>,
    /// How many findings it produced.
    pub finding_count: Option<u32>,
    /// See [`Scan::estimated_duration`]; serialised in seconds, as the
    /// scan guide's `estimated_duration` (lossless, unlike minutes).
    #[serde(serialize_with = "seconds")]
    estimated_duration: Option<Duration>,
}

impl Scan {
    /// The server's estimate of the scan's run time, whichever way the
    /// answer spelled it: `estimated_duration_minutes` (the reference) or
    /// `estimated_duration` in seconds (the scan guide). `None` when the
    /// answer gives neither, or `null`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let guide: s4e::Scan = serde_json::from_str(
    ///     r#"{"scan_id": "sc-1", "status": "queued", "estimated_duration": 90}"#,
    /// )?;
    /// assert_eq!(guide.estimated_duration(), Some(Duration::from_secs(90)));
    /// let reference: s4e::Scan = serde_json::from_str(
    ///     r#"{"id": "sc-1", "status": "queued", "estimated_duration_minutes": 6}"#,
    /// )?;
    /// assert_eq!(reference.estimated_duration(), Some(Duration::from_secs(360)));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn estimated_duration(&self) -> Option<Duration> {
        self.estimated_duration
    }
}

/// `estimated_duration` in whole seconds, `null` when unknown.
fn seconds<S: serde::Serializer>(
    duration: &Option<Duration>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    duration.map(|d| d.as_secs()).serialize(serializer)
}

// The two spellings of the ID are separate wire fields, not serde aliases: a
// page that sends both must still decode.
#[derive(Deserialize)]
struct ScanWire {
    #[serde(default)]
    id: Option<ScanId>,
    #[serde(default)]
    scan_id: Option<ScanId>,
    #[serde(default)]
    asset_id: Option<AssetId>,
    #[serde(default)]
    scan_type: Option<ScanType>,
    #[serde(default)]
    status: Option<ScanStatus>,
    #[serde(default)]
    priority: Option<ScanPriority>,
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    progress: Option<u32>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    completed_at: Option<DateTime<Utc>>,
    /// The executions' and runs' spelling of the end time.
    #[serde(default)]
    finished_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    finding_count: Option<u32>,
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    estimated_duration_minutes: Option<u64>,
    /// Seconds (the scan guide).
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    estimated_duration: Option<u64>,
}

impl TryFrom<ScanWire> for Scan {
    type Error = &'static str;

    fn try_from(wire: ScanWire) -> std::result::Result<Self, Self::Error> {
        // The reference's minutes first (the contract's field), else the
        // guide's seconds.
        let estimated_duration = wire
            .estimated_duration_minutes
            .map(|minutes| Duration::from_secs(minutes.saturating_mul(60)))
            .or(wire.estimated_duration.map(Duration::from_secs));
        Ok(Scan {
            id: wire
                .id
                .or(wire.scan_id)
                .ok_or("missing field `id` (or `scan_id`)")?,
            asset_id: wire.asset_id,
            scan_type: wire.scan_type,
            status: wire.status,
            priority: wire.priority,
            progress: wire.progress,
            created_at: wire.created_at,
            started_at: wire.started_at,
            finished_at: wire.completed_at.or(wire.finished_at),
            finding_count: wire.finding_count,
            estimated_duration,
        })
    }
}

/// The progress of a running scan, as [`Scans::status`] reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ScanProgressWire")]
#[non_exhaustive]
pub struct ScanProgress {
    /// The scan's ID (`scan_id` on the wire; some pages send `id`).
    #[serde(rename = "scan_id")]
    pub id: ScanId,
    /// Where it stands (`None` when the answer leaves it out); see
    /// [`ScanStatus::is_final`].
    pub status: Option<ScanStatus>,
    /// Percent done, 0 to 100.
    pub progress: Option<u32>,
    /// What it is doing now (`crawling`, `port_scan`, ...).
    pub current_phase: Option<String>,
}

#[derive(Deserialize)]
struct ScanProgressWire {
    #[serde(default)]
    scan_id: Option<ScanId>,
    #[serde(default)]
    id: Option<ScanId>,
    #[serde(default)]
    status: Option<ScanStatus>,
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    progress: Option<u32>,
    #[serde(default)]
    current_phase: Option<String>,
}

impl TryFrom<ScanProgressWire> for ScanProgress {
    type Error = &'static str;

    fn try_from(wire: ScanProgressWire) -> std::result::Result<Self, Self::Error> {
        Ok(ScanProgress {
            id: wire
                .scan_id
                .or(wire.id)
                .ok_or("missing field `scan_id` (or `id`)")?,
            status: wire.status,
            progress: wire.progress,
            current_phase: wire.current_phase,
        })
    }
}

/// How a scan runs; every setting is optional and only those set are sent.
///
/// Keys this SDK does not model go in [`extra`](ScanOptions::extra) and are
/// sent (and decoded) unchanged.
///
/// ```
/// use std::time::Duration;
/// use s4e::scans::{ScanDepth, ScanOptions};
/// let options = ScanOptions::new()
///     .depth(ScanDepth::Deep)
///     .include_subdomains(true)
///     .categories(["xss", "sqli"])
///     .timeout(Duration::from_secs(3600))
///     .extra("user_agent", "s4e-scanner");
/// assert_eq!(
///     serde_json::to_value(&options).unwrap(),
///     serde_json::json!({
///         "depth": "deep",
///         "include_subdomains": true,
///         "categories": ["xss", "sqli"],
///         "timeout": 3600,
///         "user_agent": "s4e-scanner",
///     }),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScanOptions {
    /// How deep to go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<ScanDepth>,
    /// Whether to scan subdomains too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_subdomains: Option<bool>,
    /// Which check categories to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Whether to follow HTTP redirects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_redirects: Option<bool>,
    /// How many links deep to crawl.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<u32>,
    /// The longest the scan may run, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Options this SDK does not model, sent as they are.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ScanOptions {
    /// No option set: the server's defaults.
    ///
    /// ```
    /// use s4e::scans::ScanOptions;
    /// let options = ScanOptions::new();
    /// assert_eq!(serde_json::to_value(&options).unwrap(), serde_json::json!({}));
    /// ```
    pub fn new() -> Self {
        ScanOptions::default()
    }

    /// Sets how deep the scan goes (`depth`).
    ///
    /// ```
    /// use s4e::scans::{ScanDepth, ScanOptions};
    /// let options = ScanOptions::new().depth(ScanDepth::Shallow);
    /// assert_eq!(options.depth, Some(ScanDepth::Shallow));
    /// ```
    #[must_use]
    pub fn depth(mut self, depth: ScanDepth) -> Self {
        self.depth = Some(depth);
        self
    }

    /// Sets whether subdomains are scanned too (`include_subdomains`).
    ///
    /// ```
    /// use s4e::scans::ScanOptions;
    /// let options = ScanOptions::new().include_subdomains(false);
    /// assert_eq!(options.include_subdomains, Some(false));
    /// ```
    #[must_use]
    pub fn include_subdomains(mut self, include: bool) -> Self {
        self.include_subdomains = Some(include);
        self
    }

    /// Sets which check categories run (`categories`: `xss`, `sqli`, ...).
    ///
    /// ```
    /// use s4e::scans::ScanOptions;
    /// let options = ScanOptions::new().categories(["xss", "sqli"]);
    /// assert_eq!(options.categories, Some(vec!["xss".to_owned(), "sqli".to_owned()]));
    /// ```
    #[must_use]
    pub fn categories(mut self, categories: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.categories = Some(categories.into_iter().map(Into::into).collect());
        self
    }

    /// Sets whether the scan follows HTTP redirects (`follow_redirects`).
    ///
    /// ```
    /// use s4e::scans::ScanOptions;
    /// let options = ScanOptions::new().follow_redirects(true);
    /// assert_eq!(options.follow_redirects, Some(true));
    /// ```
    #[must_use]
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = Some(follow);
        self
    }

    /// Sets how many links deep the crawler goes (`max_depth`).
    ///
    /// ```
    /// use s4e::scans::ScanOptions;
    /// let options = ScanOptions::new().max_depth(3);
    /// assert_eq!(options.max_depth, Some(3));
    /// ```
    #[must_use]
    pub fn max_depth(mut self, max_depth: u32) -> Self {
        self.max_depth = Some(max_depth);
        self
    }

    /// Sets the longest the scan may run (`timeout`); the API counts whole
    /// seconds, so a fraction of a second rounds up.
    ///
    /// ```
    /// use std::time::Duration;
    /// use s4e::scans::ScanOptions;
    /// let options = ScanOptions::new().timeout(Duration::from_millis(1500));
    /// assert_eq!(options.timeout, Some(2));
    /// ```
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        let seconds = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
        self.timeout = Some(seconds);
        self
    }

    /// Sets an option this SDK does not model; it is sent as given.
    ///
    /// ```
    /// use s4e::scans::ScanOptions;
    /// let options = ScanOptions::new().extra("user_agent", "s4e-scanner");
    /// assert_eq!(options.extra["user_agent"], "s4e-scanner");
    /// ```
    #[must_use]
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }
}

/// `GET /scans`: one page of scans.
///
/// Every field is a filter with a setter of the same name, here and on the
/// request and paginator that [`Scans::list`] and [`Scans::list_auto`] return.
#[endpoint(GET, "/scans", paginated, response = Scan, crate = crate)]
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ListScans {
    /// Only scans in this status.
    pub status: Option<ScanStatus>,
    /// Only scans of this asset.
    pub asset_id: Option<AssetId>,
    /// Only scans of this type.
    pub scan_type: Option<ScanType>,
    /// Only scans created at or after this time.
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// use s4e::chrono::{Duration, Utc};
    /// let today = client.scans().list().from(Utc::now() - Duration::hours(24));
    /// # }
    /// ```
    pub from: Option<DateTime<Utc>>,
    /// Only scans created at or before this time.
    pub to: Option<DateTime<Utc>>,
}

/// `GET /scans/{id}`: one scan.
#[endpoint(GET, "/scans/{id}", response = Scan, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetScan {
    /// The scan to read.
    pub id: ScanId,
}

/// `POST /scans`: starts a scan (status `queued`).
#[endpoint(POST, "/scans", response = Scan, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateScan {
    /// The asset to scan.
    pub asset_id: AssetId,
    /// What to look for.
    pub scan_type: ScanType,
    /// How to run it: depth, subdomains, categories and more, as [`ScanOptions`].
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// use s4e::scans::{ScanDepth, ScanOptions, ScanType};
    /// let create = client
    ///     .scans()
    ///     .create("a-1001", ScanType::Full)
    ///     .options(ScanOptions::new().depth(ScanDepth::Deep).include_subdomains(true));
    /// # }
    /// ```
    pub options: Option<ScanOptions>,
    /// How soon to run it compared with other scans (`normal` by default).
    pub priority: Option<ScanPriority>,
    /// A URL the server calls when the scan finishes.
    pub callback_url: Option<String>,
}

/// `GET /scans/{id}/status`: how far a scan got.
#[endpoint(GET, "/scans/{id}/status", response = ScanProgress, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetScanStatus {
    /// The scan to check.
    pub id: ScanId,
}

/// `POST /scans/{id}/cancel`: stops a scan (a 422 if it already finished).
/// Safe to repeat.
#[endpoint(POST, "/scans/{id}/cancel", idempotent, response = Scan, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CancelScan {
    /// The scan to stop.
    pub id: ScanId,
}

/// The scan operations; from [`Client::scans`] or
/// [`blocking::Client::scans`](crate::blocking::Client::scans).
#[derive(Debug, Clone)]
pub struct Scans<M = Async> {
    client: Client,
    mode: M,
}

impl<M: Clone> Scans<M> {
    pub(crate) fn new(client: Client, mode: M) -> Self {
        Scans { client, mode }
    }

    fn request<E>(&self, endpoint: E) -> Request<E, M> {
        Request::new(self.client.clone(), self.mode.clone(), endpoint)
    }

    /// One page of scans, narrowed by the filter setters of [`ListScans`] (one
    /// per field, the same on the returned request):
    /// [`status`](method@ListScans::status),
    /// [`asset_id`](method@ListScans::asset_id),
    /// [`scan_type`](method@ListScans::scan_type),
    /// [`from`](method@ListScans::from) and [`to`](method@ListScans::to).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::scans::ScanStatus;
    /// let page = client.scans().list().asset_id("a-1001").status(ScanStatus::Running).await?;
    /// for scan in &page {
    ///     println!("{} {:?} {:?}%", scan.id, scan.scan_type, scan.progress);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<ListScans, M> {
        self.request(ListScans::default())
    }

    /// Every scan matching the filters, as a lazy stream (an iterator on the
    /// blocking client). The filter setters are those of [`ListScans`], as on
    /// [`list`](Scans::list): [`status`](method@ListScans::status),
    /// [`asset_id`](method@ListScans::asset_id),
    /// [`scan_type`](method@ListScans::scan_type),
    /// [`from`](method@ListScans::from) and [`to`](method@ListScans::to).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::scans::{Scan, ScanStatus};
    /// let failed: Vec<Scan> = client
    ///     .scans()
    ///     .list_auto()
    ///     .status(ScanStatus::Failed)
    ///     .per_page(100)
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list_auto(&self) -> Paginator<ListScans, M> {
        Paginator::new(self.client.clone(), self.mode.clone(), ListScans::default())
    }

    /// One scan.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let scan = client.scans().get("sc-44021").await?;
    /// if let (Some(status), Some(findings)) = (&scan.status, scan.finding_count) {
    ///     println!("{status}: {findings} findings");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<ScanId>) -> Request<GetScan, M> {
        self.request(GetScan { id: id.into() })
    }

    /// Starts a scan of an asset; it begins `queued`.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::scans::{ScanDepth, ScanOptions, ScanPriority, ScanType};
    /// let scan = client
    ///     .scans()
    ///     .create("a-1001", ScanType::Full)
    ///     .options(ScanOptions::new().depth(ScanDepth::Deep).include_subdomains(true))
    ///     .priority(ScanPriority::High)
    ///     .callback_url("https://hooks.example.com/s4e")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(
        &self,
        asset_id: impl Into<AssetId>,
        scan_type: ScanType,
    ) -> Request<CreateScan, M> {
        self.request(CreateScan {
            asset_id: asset_id.into(),
            scan_type,
            options: None,
            priority: None,
            callback_url: None,
        })
    }

    /// How far a scan got: its status, percent done and current phase.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let progress = client.scans().status("sc-44021").await?;
    /// if let (Some(status), Some(percent)) = (&progress.status, progress.progress) {
    ///     let phase = progress.current_phase.as_deref().unwrap_or("-");
    ///     println!("{status} {percent}% {phase}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn status(&self, id: impl Into<ScanId>) -> Request<GetScanStatus, M> {
        self.request(GetScanStatus { id: id.into() })
    }

    /// Stops a scan; the answer is the scan, `cancelled`. A scan that already
    /// finished gives [`Error::Validation`](crate::Error::Validation).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let scan = client.scans().cancel("sc-44021").await?;
    /// # Ok(()) }
    /// ```
    pub fn cancel(&self, id: impl Into<ScanId>) -> Request<CancelScan, M> {
        self.request(CancelScan { id: id.into() })
    }

    /// Waits for a scan to finish: polls [`status`](Scans::status) every
    /// [`interval`](Wait::interval) (10 s unless set) until the scan is
    /// `completed`, `failed` or `cancelled`, then returns the final [`Scan`].
    /// [`on_progress`](Wait::on_progress) sees every status polled.
    ///
    /// It waits at most [`timeout`](Wait::timeout)
    /// ([`DEFAULT_WAIT_TIMEOUT`](crate::DEFAULT_WAIT_TIMEOUT), 2 h, unless
    /// set). A failed or cancelled scan is returned, not an error: check its
    /// [`status`](Scan::status). Errors of the polling calls (after the
    /// client's usual retries) end the wait.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use std::time::Duration;
    /// use s4e::scans::{ScanStatus, ScanType};
    /// let scan = client.scans().create("a-1001", ScanType::Quick).await?;
    /// let scan = client
    ///     .scans()
    ///     .wait(&scan.id)
    ///     .interval(Duration::from_secs(5))
    ///     .timeout(Duration::from_secs(30 * 60))
    ///     .on_progress(|p| println!("{}%", p.progress.unwrap_or(0)))
    ///     .await?;
    /// if scan.status == Some(ScanStatus::Completed) {
    ///     println!("{} findings", scan.finding_count.unwrap_or(0));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn wait(&self, id: impl Into<ScanId>) -> ScanWait<M> {
        let status = GetScanStatus { id: id.into() };
        Wait::new(self.client.clone(), self.mode.clone(), status)
    }
}

/// A wait for a scan to finish, from [`Scans::wait`]: its progress is the
/// [`ScanProgress`] of each poll, its value the final [`Scan`]; `.await` it
/// (or `.send()` it on the blocking client).
pub type ScanWait<M = Async> = Wait<Scan, M>;

impl LongRunning for Scan {
    type Progress = ScanProgress;
    type Status = GetScanStatus;
    type Fetch = GetScan;

    fn is_final(progress: &ScanProgress) -> bool {
        progress.status.as_ref().is_some_and(ScanStatus::is_final)
    }

    /// The status holds no findings count or times: the scan is fetched.
    fn finish(status: &GetScanStatus, _last: ScanProgress) -> Finished<Scan> {
        Finished::Fetch(GetScan {
            id: status.id.clone(),
        })
    }
}

impl<M> ScanWait<M> {
    /// The scan waited for.
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// let wait = client.scans().wait("sc-44021");
    /// assert_eq!(wait.scan_id(), "sc-44021");
    /// # }
    /// ```
    pub fn scan_id(&self) -> &ScanId {
        &self.status().id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_id_spellings_at_once_still_decode() {
        let scan: Scan = serde_json::from_str(
            r#"{"id":"sc-1","scan_id":"sc-1","asset_id":"a-1","scan_type":"full","status":"queued"}"#,
        )
        .unwrap();
        assert_eq!(scan.id, "sc-1");
        let scan: Scan = serde_json::from_str(
            r#"{"scan_id":"sc-2","asset_id":"a-1","scan_type":"full","status":"queued"}"#,
        )
        .unwrap();
        assert_eq!(scan.id, "sc-2");
        let missing = serde_json::from_str::<Scan>(
            r#"{"asset_id":"a-1","scan_type":"full","status":"queued"}"#,
        );
        assert!(missing.unwrap_err().to_string().contains("`id`"));
        let progress: ScanProgress =
            serde_json::from_str(r#"{"id":"sc-3","scan_id":"sc-3","status":"running"}"#).unwrap();
        assert_eq!(progress.id, "sc-3");
    }

    #[test]
    fn the_end_time_is_finished_at_whichever_way_it_is_spelled() {
        let scan: Scan =
            serde_json::from_str(r#"{"id":"sc-1","completed_at":"2026-05-03T10:09:30Z"}"#).unwrap();
        assert_eq!(
            scan.finished_at.unwrap().to_rfc3339(),
            "2026-05-03T10:09:30+00:00"
        );
        assert_eq!(scan.status, None);
        let scan: Scan =
            serde_json::from_str(r#"{"id":"sc-1","finished_at":"2026-05-03T10:09:31Z"}"#).unwrap();
        assert_eq!(
            scan.finished_at.unwrap().to_rfc3339(),
            "2026-05-03T10:09:31+00:00"
        );
        // Both at once: the scans' own spelling wins.
        let scan: Scan = serde_json::from_str(
            r#"{"id":"sc-1","completed_at":"2026-05-03T10:09:30Z","finished_at":"2026-05-03T10:09:31Z"}"#,
        )
        .unwrap();
        assert_eq!(
            scan.finished_at.unwrap().to_rfc3339(),
            "2026-05-03T10:09:30+00:00"
        );
        let progress: ScanProgress = serde_json::from_str(r#"{"scan_id":"sc-1"}"#).unwrap();
        assert_eq!((progress.id.as_str(), progress.status), ("sc-1", None));
    }
}
