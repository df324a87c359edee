//! Findings: the vulnerabilities scans discover (`docs/API.md` §4.3).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Client;
use crate::endpoint;
pub use crate::enums::SortOrder;
use crate::enums::string_enum;
use crate::http::paginate::Paginator;
use crate::http::request::{Async, Request};

pub use crate::ids::{AssetId, FindingId, ScanId};
use crate::resources::assets::AssetType;

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

impl ExportFormat {
    /// The media type of the file (`text/csv`, `application/json`).
    ///
    /// ```
    /// use s4e::ExportFormat;
    /// assert_eq!(ExportFormat::Csv.media_type(), "text/csv");
    /// assert_eq!(ExportFormat::Json.media_type(), "application/json");
    /// ```
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv",
            ExportFormat::Json => "application/json",
        }
    }
}

/// The asset a finding was found on, as embedded in the finding.
///
/// Named as [`Asset`](crate::Asset) names the same fields:
/// [`domain`](FindingAsset::domain) is the API's `name`,
/// [`asset_type`](FindingAsset::asset_type) its `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "FindingAssetWire")]
#[non_exhaustive]
pub struct FindingAsset {
    /// The asset's ID.
    pub id: AssetId,
    /// The domain, IP, URL or CIDR (`name` on the wire; some pages say
    /// `domain` or `hostname`).
    #[serde(rename = "name")]
    pub domain: Option<String>,
    /// What kind of asset it is (`type` on the wire).
    #[serde(rename = "type")]
    pub asset_type: Option<AssetType>,
}

impl FindingAsset {
    /// The API's name for [`domain`](FindingAsset::domain).
    ///
    /// ```
    /// let finding: s4e::Finding = serde_json::from_str(
    ///     r#"{"id": "f-1", "severity": "low", "asset": {"id": "a-1", "name": "shop.example.com", "type": "domain"}}"#,
    /// )?;
    /// let asset = finding.asset.unwrap();
    /// assert_eq!(asset.name(), Some("shop.example.com"));
    /// assert_eq!(asset.asset_type, Some(s4e::AssetType::Domain));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.domain.as_deref()
    }
}

// Alternate spellings are separate wire fields, not serde aliases: a page that
// sends two of them at once must still decode.
#[derive(Deserialize)]
struct FindingAssetWire {
    id: AssetId,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    hostname: Option<String>,
    #[serde(default, rename = "type")]
    asset_type: Option<AssetType>,
}

impl From<FindingAssetWire> for FindingAsset {
    fn from(wire: FindingAssetWire) -> Self {
        FindingAsset {
            id: wire.id,
            domain: wire.name.or(wire.domain).or(wire.hostname),
            asset_type: wire.asset_type,
        }
    }
}

/// A discovered vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FindingWire")]
#[non_exhaustive]
pub struct Finding {
    /// The finding's ID (webhook data may send `finding_id`).
    pub id: FindingId,
    /// A one-line summary.
    pub title: String,
    /// How severe it is.
    pub severity: Severity,
    /// The CVSS base score.
    pub cvss: Option<f64>,
    /// The CVSS vector (detail view).
    pub cvss_vector: Option<String>,
    /// The triage status (`None` when the answer leaves it out).
    pub status: Option<FindingStatus>,
    /// The asset it was found on.
    pub asset: Option<FindingAsset>,
    /// The scan that found it.
    pub scan_id: Option<ScanId>,
    /// What is wrong.
    pub description: Option<String>,
    /// How to fix it.
    pub remediation: Option<String>,
    /// Links to advisories.
    pub references: Vec<String>,
    /// Raw evidence (detail view).
    pub evidence: Option<serde_json::Value>,
    /// When it was found (some pages send `created_at`).
    pub discovered_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct FindingWire {
    #[serde(default)]
    id: Option<FindingId>,
    /// The webhook data of `finding.new` (SIEM guide) names the ID so.
    #[serde(default)]
    finding_id: Option<FindingId>,
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    title: String,
    severity: Severity,
    #[serde(default)]
    cvss: Option<f64>,
    #[serde(default)]
    cvss_vector: Option<String>,
    #[serde(default)]
    status: Option<FindingStatus>,
    #[serde(default)]
    asset: Option<FindingAsset>,
    #[serde(default)]
    scan_id: Option<ScanId>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    remediation: Option<String>,
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    references: Vec<String>,
    #[serde(default)]
    evidence: Option<serde_json::Value>,
    #[serde(default)]
    discovered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
}

impl TryFrom<FindingWire> for Finding {
    type Error = &'static str;

    fn try_from(wire: FindingWire) -> Result<Self, Self::Error> {
        Ok(Finding {
            id: wire
                .id
                .or(wire.finding_id)
                .ok_or("missing field `id` (or `finding_id`)")?,
            title: wire.title,
            severity: wire.severity,
            cvss: wire.cvss,
            cvss_vector: wire.cvss_vector,
            status: wire.status,
            asset: wire.asset,
            scan_id: wire.scan_id,
            description: wire.description,
            remediation: wire.remediation,
            references: wire.references,
            evidence: wire.evidence,
            discovered_at: wire.discovered_at.or(wire.created_at),
            updated_at: wire.updated_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_at_once_still_decode() {
        let f: Finding = serde_json::from_str(
            r#"{"id":"f-1","title":"t","severity":"high",
                "created_at":"2026-01-01T00:00:00Z","discovered_at":"2026-02-01T00:00:00Z",
                "asset":{"id":7,"domain":"a.example","hostname":"b.example"}}"#,
        )
        .unwrap();
        assert_eq!(
            f.discovered_at.unwrap().to_rfc3339(),
            "2026-02-01T00:00:00+00:00"
        );
        let asset = f.asset.unwrap();
        assert_eq!(
            (asset.id.as_str(), asset.domain.as_deref()),
            ("7", Some("a.example"))
        );
        let f: Finding = serde_json::from_str(
            r#"{"id":"f-1","severity":"low","created_at":"2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert!(f.discovered_at.is_some());
    }
}

/// `GET /findings`: one page of findings.
///
/// Every field is a filter with a setter of the same name, here and on the
/// request and paginator that [`Findings::list`] and [`Findings::list_auto`]
/// return.
#[endpoint(GET, "/findings", paginated, response = Finding, crate = crate)]
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ListFindings {
    /// Only findings of these severities (sent comma-joined: `critical,high`).
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// use s4e::Severity;
    /// let request = client.findings().list().severity([Severity::Critical, Severity::High]);
    /// # }
    /// ```
    pub severity: Option<Vec<Severity>>,
    /// Only findings in this triage status.
    pub status: Option<FindingStatus>,
    /// Only findings on this asset.
    pub asset_id: Option<AssetId>,
    /// Only findings of this scan.
    pub scan_id: Option<ScanId>,
    /// Only findings with a CVSS score at or above this.
    pub cvss_min: Option<f64>,
    /// Only findings with a CVSS score at or below this.
    pub cvss_max: Option<f64>,
    /// Only findings matching this free-text search.
    pub search: Option<String>,
    /// Only findings found at or after this time.
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// use s4e::chrono::{Duration, Utc};
    /// let last_week = client.findings().list().from(Utc::now() - Duration::days(7));
    /// # }
    /// ```
    pub from: Option<DateTime<Utc>>,
    /// Only findings found at or before this time.
    pub to: Option<DateTime<Utc>>,
    /// Sorts by this key.
    pub sort_by: Option<FindingSortBy>,
    /// Sorts in this direction (`desc` by default).
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
    /// Moves the finding to this triage status.
    pub status: Option<FindingStatus>,
    /// Adds a note to the audit trail.
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
    /// Only findings of these severities (`.severity([Severity::Critical])`).
    pub severity: Option<Vec<Severity>>,
    /// Only findings in this triage status.
    pub status: Option<FindingStatus>,
    /// Only findings on this asset.
    pub asset_id: Option<AssetId>,
    /// Only findings of this scan.
    pub scan_id: Option<ScanId>,
    /// Only findings with a CVSS score at or above this.
    pub cvss_min: Option<f64>,
    /// Only findings with a CVSS score at or below this.
    pub cvss_max: Option<f64>,
    /// Only findings matching this free-text search.
    pub search: Option<String>,
    /// Only findings found at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only findings found at or before this time.
    pub to: Option<DateTime<Utc>>,
    /// The media type asked for, matching `format`.
    #[header("Accept")]
    accept: &'static str,
}

impl ExportFindings {
    /// Exports every finding in `format`; narrow it with the setters.
    pub fn new(format: ExportFormat) -> Self {
        ExportFindings {
            format,
            accept: format.media_type(),
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

    /// One page of findings, narrowed by the filter setters of [`ListFindings`]
    /// (one per field, the same on the returned request):
    /// [`severity`](method@ListFindings::severity),
    /// [`status`](method@ListFindings::status),
    /// [`asset_id`](method@ListFindings::asset_id),
    /// [`scan_id`](method@ListFindings::scan_id),
    /// [`cvss_min`](method@ListFindings::cvss_min),
    /// [`cvss_max`](method@ListFindings::cvss_max),
    /// [`search`](method@ListFindings::search),
    /// [`from`](method@ListFindings::from), [`to`](method@ListFindings::to),
    /// [`sort_by`](method@ListFindings::sort_by) and
    /// [`sort_order`](method@ListFindings::sort_order).
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
        Request::new(
            self.client.clone(),
            self.mode.clone(),
            ListFindings::default(),
        )
    }

    /// Every finding matching the filters, as a lazy stream (an iterator on the
    /// blocking client). The filter setters are those of [`ListFindings`], as
    /// on [`list`](Findings::list):
    /// [`severity`](method@ListFindings::severity),
    /// [`status`](method@ListFindings::status),
    /// [`asset_id`](method@ListFindings::asset_id),
    /// [`scan_id`](method@ListFindings::scan_id),
    /// [`cvss_min`](method@ListFindings::cvss_min),
    /// [`cvss_max`](method@ListFindings::cvss_max),
    /// [`search`](method@ListFindings::search),
    /// [`from`](method@ListFindings::from), [`to`](method@ListFindings::to),
    /// [`sort_by`](method@ListFindings::sort_by) and
    /// [`sort_order`](method@ListFindings::sort_order).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
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
        Paginator::new(
            self.client.clone(),
            self.mode.clone(),
            ListFindings::default(),
        )
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
        Request::new(
            self.client.clone(),
            self.mode.clone(),
            UpdateFinding::new(id),
        )
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
        Request::new(
            self.client.clone(),
            self.mode.clone(),
            ExportFindings::new(format),
        )
    }
}
