//! Findings: the vulnerabilities scans discover (`shared/API.md` §4.3).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::endpoint;
pub use crate::enums::SortOrder;
use crate::enums::string_enum;
use crate::paginate::Paginator;
use crate::request::{Async, Request};
use crate::Client;

pub use crate::ids::{AssetId, FindingId, ScanId};

string_enum!(
    /// How severe a finding is.
    Severity {
        /// Critical.
        Critical = "critical",
        /// High.
        High = "high",
        /// Medium.
        Medium = "medium",
        /// Low.
        Low = "low",
        /// Informational.
        Info = "info",
    }
);

string_enum!(
    /// Where a finding stands in triage.
    FindingStatus {
        /// Not yet triaged.
        Open = "open",
        /// Confirmed as real.
        Confirmed = "confirmed",
        /// Fixed.
        Resolved = "resolved",
        /// Not a real problem.
        FalsePositive = "false_positive",
        /// Known and accepted (older pages send `accepted`).
        AcceptedRisk = "accepted_risk" | "accepted",
    }
);

string_enum!(
    /// What a findings list can be sorted by.
    FindingSortBy {
        /// By severity.
        Severity = "severity",
        /// By CVSS score.
        Cvss = "cvss",
        /// By discovery time.
        DiscoveredAt = "discovered_at",
        /// By title.
        Title = "title",
    }
);

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ExportFormat {
    /// `text/csv`, columns `id,title,severity,cvss,status,asset,scan_id,discovered_at`.
    Csv,
    /// `application/json`.
    Json,
}

/// The asset a finding was found on, as embedded in the finding.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct FindingAsset {
    /// The asset's ID.
    pub id: AssetId,
    /// The domain, IP, URL or CIDR.
    #[serde(default, alias = "domain", alias = "hostname")]
    pub name: Option<String>,
    /// `domain`, `ip`, `url` or `network`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// A discovered vulnerability.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// The finding's ID.
    pub id: FindingId,
    /// A one-line summary.
    #[serde(default)]
    pub title: String,
    /// How severe it is.
    pub severity: Severity,
    /// The CVSS base score.
    #[serde(default)]
    pub cvss: Option<f64>,
    /// The CVSS vector (detail view).
    #[serde(default)]
    pub cvss_vector: Option<String>,
    /// The triage status.
    #[serde(default)]
    pub status: Option<FindingStatus>,
    /// The asset it was found on.
    #[serde(default)]
    pub asset: Option<FindingAsset>,
    /// The scan that found it.
    #[serde(default)]
    pub scan_id: Option<ScanId>,
    /// What is wrong.
    #[serde(default)]
    pub description: Option<String>,
    /// How to fix it.
    #[serde(default)]
    pub remediation: Option<String>,
    /// Links to advisories.
    #[serde(default)]
    pub references: Vec<String>,
    /// Raw evidence (detail view).
    #[serde(default)]
    pub evidence: Option<serde_json::Value>,
    /// When it was found (some pages send `created_at`).
    #[serde(default, alias = "created_at")]
    pub discovered_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// `GET /findings`: one page of findings.
#[endpoint(GET, "/findings", paginated, response = Finding, crate = crate)]
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ListFindings {
    /// Only these severities (sent comma-joined: `critical,high`).
    pub severity: Option<Vec<Severity>>,
    /// Only this status.
    pub status: Option<FindingStatus>,
    /// Only findings on this asset.
    pub asset_id: Option<AssetId>,
    /// Only findings of this scan.
    pub scan_id: Option<ScanId>,
    /// Only CVSS at or above.
    pub cvss_min: Option<f64>,
    /// Only CVSS at or below.
    pub cvss_max: Option<f64>,
    /// Free-text search.
    pub search: Option<String>,
    /// Only found at or after.
    pub from: Option<DateTime<Utc>>,
    /// Only found at or before.
    pub to: Option<DateTime<Utc>>,
    /// Sort key.
    pub sort_by: Option<FindingSortBy>,
    /// Sort direction (`desc` by default).
    pub sort_order: Option<SortOrder>,
}

/// `GET /findings/{id}`: one finding with its detail.
#[endpoint(GET, "/findings/{id}", response = Finding, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetFinding {
    /// The finding to read.
    pub id: FindingId,
}

impl GetFinding {
    /// Reads finding `id`.
    pub fn new(id: impl Into<FindingId>) -> Self {
        GetFinding { id: id.into() }
    }
}

/// `PATCH /findings/{id}`: changes a finding's status or adds a note.
#[endpoint(PATCH, "/findings/{id}", response = Finding, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UpdateFinding {
    /// The finding to change.
    pub id: FindingId,
    /// The new status.
    pub status: Option<FindingStatus>,
    /// A note for the audit trail.
    pub note: Option<String>,
}

impl UpdateFinding {
    /// Changes finding `id`; set what to change with the setters.
    pub fn new(id: impl Into<FindingId>) -> Self {
        UpdateFinding {
            id: id.into(),
            status: None,
            note: None,
        }
    }
}

/// `POST /findings/export`: the findings matching the filters, as a file.
#[endpoint(POST, "/findings/export", idempotent, download, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExportFindings {
    /// CSV or JSON.
    pub format: ExportFormat,
    /// Only these severities.
    pub severity: Option<Vec<Severity>>,
    /// Only this status.
    pub status: Option<FindingStatus>,
    /// Only findings on this asset.
    pub asset_id: Option<AssetId>,
    /// Only findings of this scan.
    pub scan_id: Option<ScanId>,
    /// Only CVSS at or above.
    pub cvss_min: Option<f64>,
    /// Only CVSS at or below.
    pub cvss_max: Option<f64>,
    /// Free-text search.
    pub search: Option<String>,
    /// Only found at or after.
    pub from: Option<DateTime<Utc>>,
    /// Only found at or before.
    pub to: Option<DateTime<Utc>>,
}

impl ExportFindings {
    /// Exports every finding in `format`; narrow it with the setters.
    pub fn new(format: ExportFormat) -> Self {
        ExportFindings {
            format,
            severity: None,
            status: None,
            asset_id: None,
            scan_id: None,
            cvss_min: None,
            cvss_max: None,
            search: None,
            from: None,
            to: None,
        }
    }
}

/// The findings operations; from [`Client::findings`] or
/// [`blocking::Client::findings`](crate::blocking::Client::findings).
#[derive(Debug, Clone)]
pub struct Findings<M = Async> {
    client: Client,
    mode: M,
}

impl<M: Clone> Findings<M> {
    pub(crate) fn new(client: Client, mode: M) -> Self {
        Findings { client, mode }
    }

    /// One page of findings, filtered by the setters.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::{FindingStatus, Severity};
    /// let page = client
    ///     .findings()
    ///     .list()
    ///     .severity([Severity::Critical, Severity::High])
    ///     .status(FindingStatus::Open)
    ///     .per_page(50)
    ///     .await?;
    /// for finding in &page {
    ///     println!("{} {}", finding.severity, finding.title);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<ListFindings, M> {
        Request::new(self.client.clone(), self.mode.clone(), ListFindings::default())
    }

    /// Every finding matching the filters, as a lazy stream (an iterator on
    /// the blocking client).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let open: Vec<s4e::Finding> = client
    ///     .findings()
    ///     .list_auto()
    ///     .status(s4e::FindingStatus::Open)
    ///     .max_items(1_000)
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list_auto(&self) -> Paginator<ListFindings, M> {
        Paginator::new(self.client.clone(), self.mode.clone(), ListFindings::default())
    }

    /// One finding, with `cvss_vector` and `evidence`.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let finding = client.findings().get("f-91827").await?;
    /// println!("{:?} {}", finding.cvss, finding.title);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<FindingId>) -> Request<GetFinding, M> {
        Request::new(self.client.clone(), self.mode.clone(), GetFinding::new(id))
    }

    /// Changes a finding's status or adds a note.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let finding = client
    ///     .findings()
    ///     .update("f-91827")
    ///     .status(s4e::FindingStatus::Resolved)
    ///     .note("patched in 2.4.1")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, id: impl Into<FindingId>) -> Request<UpdateFinding, M> {
        Request::new(self.client.clone(), self.mode.clone(), UpdateFinding::new(id))
    }

    /// Exports the findings matching the filters. Stream it to a writer with
    /// `write_to` (nothing is held in memory), or `.await` it for the bytes.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let mut file = tokio::fs::File::create("findings.csv").await?;
    /// let bytes = client
    ///     .findings()
    ///     .export(s4e::ExportFormat::Csv)
    ///     .severity([s4e::Severity::Critical])
    ///     .write_to(&mut file)
    ///     .await?;
    /// println!("wrote {bytes} bytes");
    /// # Ok(()) }
    /// ```
    pub fn export(&self, format: ExportFormat) -> Request<ExportFindings, M> {
        Request::new(self.client.clone(), self.mode.clone(), ExportFindings::new(format))
    }
}
