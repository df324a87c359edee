//! Assets: the domains, IPs, URLs and networks S4E monitors (`docs/API.md` §4.1).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Client;
use crate::endpoint;
use crate::enums::string_enum;
use crate::http::paginate::Paginator;
use crate::http::request::{Async, Request};

pub use crate::enums::SortOrder;
pub use crate::ids::AssetId;

string_enum!(
    /// What kind of thing an asset is.
    AssetType {
        /// A domain name.
        Domain = "domain",
        /// An IP address.
        Ip = "ip",
        /// A URL.
        Url = "url",
        /// A CIDR network.
        Network = "network",
    }
);

string_enum!(
    /// Whether an asset is monitored.
    AssetStatus {
        /// Monitored.
        Active = "active",
        /// Not monitored.
        Inactive = "inactive",
        /// Waiting for ownership verification.
        PendingVerification = "pending_verification",
    }
);

string_enum!(
    /// What an asset list can be sorted by.
    AssetSortBy {
        /// By name.
        Name = "name",
        /// By type.
        Type = "type",
        /// By creation time.
        CreatedAt = "created_at",
        /// By risk score.
        RiskScore = "risk_score",
    }
);

/// A monitored asset.
///
/// The API calls the first two fields `name` and `risk_score`; like the Python
/// SDK this model names them [`domain`](Asset::domain) and
/// [`security_score`](Asset::security_score), and accepts every spelling the
/// API uses (`name`, `domain`, `hostname`; `risk_score`, `security_score`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AssetWire")]
#[non_exhaustive]
pub struct Asset {
    /// The asset's ID (the manual sends `asset_id`, a number).
    pub id: AssetId,
    /// The domain, IP, URL or CIDR itself (the API's `name`).
    #[serde(rename = "name")]
    pub domain: String,
    /// What kind of asset this is (the API's `type`).
    #[serde(rename = "type")]
    pub asset_type: AssetType,
    /// Whether it is monitored (`None` when the answer leaves it out).
    pub status: Option<AssetStatus>,
    /// Whether ownership was verified.
    pub verified: bool,
    /// Risk from 0 (none) to 100 (the API's `risk_score`).
    #[serde(rename = "risk_score")]
    pub security_score: Option<u32>,
    /// Free-form labels.
    pub tags: Vec<String>,
    /// A description.
    pub description: Option<String>,
    /// When it was last scanned.
    pub last_scan: Option<DateTime<Utc>>,
    /// When it was added.
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: Option<DateTime<Utc>>,
    /// Discovery details (on `get` only).
    pub metadata: Option<AssetMetadata>,
    /// Open findings per severity (on `get` only).
    pub finding_summary: Option<FindingSummary>,
}

// Alternate spellings are separate wire fields, not serde aliases: a page that
// sends two of them at once (`name` and `domain`) must still decode.
#[derive(Deserialize)]
struct AssetWire {
    #[serde(default)]
    id: Option<AssetId>,
    /// The manual's spelling (an integer there).
    #[serde(default)]
    asset_id: Option<AssetId>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    hostname: Option<String>,
    #[serde(rename = "type")]
    asset_type: AssetType,
    #[serde(default)]
    status: Option<AssetStatus>,
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    verified: bool,
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    risk_score: Option<u32>,
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    security_score: Option<u32>,
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    tags: Vec<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    last_scan: Option<DateTime<Utc>>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    metadata: Option<AssetMetadata>,
    #[serde(default)]
    finding_summary: Option<FindingSummary>,
}

impl TryFrom<AssetWire> for Asset {
    type Error = &'static str;

    fn try_from(wire: AssetWire) -> Result<Self, Self::Error> {
        let domain = wire
            .name
            .or(wire.domain)
            .or(wire.hostname)
            .ok_or("missing field `name` (or `domain`, `hostname`)")?;
        Ok(Asset {
            id: wire
                .id
                .or(wire.asset_id)
                .ok_or("missing field `id` (or `asset_id`)")?,
            domain,
            asset_type: wire.asset_type,
            status: wire.status,
            verified: wire.verified,
            security_score: wire.risk_score.or(wire.security_score),
            tags: wire.tags,
            description: wire.description,
            last_scan: wire.last_scan,
            created_at: wire.created_at,
            updated_at: wire.updated_at,
            metadata: wire.metadata,
            finding_summary: wire.finding_summary,
        })
    }
}

impl Asset {
    /// The API's name for [`domain`](Asset::domain).
    ///
    /// ```
    /// let asset: s4e::Asset = serde_json::from_str(
    ///     r#"{"id": "a-1001", "name": "shop.example.com", "type": "domain"}"#,
    /// )?;
    /// assert_eq!(asset.name(), "shop.example.com");
    /// assert_eq!(asset.name(), asset.domain);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.domain
    }

    /// The API's name for [`security_score`](Asset::security_score).
    ///
    /// ```
    /// let asset: s4e::Asset = serde_json::from_str(
    ///     r#"{"id": "a-1001", "name": "shop.example.com", "type": "domain", "risk_score": 72}"#,
    /// )?;
    /// assert_eq!(asset.risk_score(), Some(72));
    /// assert_eq!(asset.risk_score(), asset.security_score);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn risk_score(&self) -> Option<u32> {
        self.security_score
    }
}

/// What discovery learned about an asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AssetMetadata {
    /// The domain's registrar.
    #[serde(default)]
    pub registrar: Option<String>,
    /// Addresses the asset resolves to.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub ip_addresses: Vec<String>,
    /// Technologies detected on it.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub technologies: Vec<String>,
}

/// Open findings per severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FindingSummary {
    /// Critical.
    #[serde(default, deserialize_with = "crate::de::u32_or_zero")]
    pub critical: u32,
    /// High.
    #[serde(default, deserialize_with = "crate::de::u32_or_zero")]
    pub high: u32,
    /// Medium.
    #[serde(default, deserialize_with = "crate::de::u32_or_zero")]
    pub medium: u32,
    /// Low.
    #[serde(default, deserialize_with = "crate::de::u32_or_zero")]
    pub low: u32,
    /// Informational.
    #[serde(default, deserialize_with = "crate::de::u32_or_zero")]
    pub info: u32,
}

/// One asset of a [`bulk_create`](Assets::bulk_create).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NewAsset {
    /// The domain, IP, URL or CIDR.
    pub name: String,
    /// What kind of asset it is.
    #[serde(rename = "type")]
    pub asset_type: AssetType,
    /// Labels.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl NewAsset {
    /// An asset to create.
    ///
    /// ```
    /// use s4e::assets::{AssetType, NewAsset};
    /// let asset = NewAsset::new("shop.example.com", AssetType::Domain);
    /// assert!(asset.tags.is_empty());
    /// ```
    pub fn new(name: impl Into<String>, asset_type: AssetType) -> Self {
        NewAsset {
            name: name.into(),
            asset_type,
            tags: Vec::new(),
        }
    }

    /// Adds labels to the asset (keeping those added before).
    ///
    /// ```
    /// use s4e::assets::{AssetType, NewAsset};
    /// let asset = NewAsset::new("10.0.0.0/24", AssetType::Network).tags(["lab", "internal"]);
    /// assert_eq!(asset.tags, ["lab", "internal"]);
    /// ```
    pub fn tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }
}

/// The answer of a bulk create: what was created and what was not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BulkCreateResult {
    /// The assets created.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub created: Vec<Asset>,
    /// The assets refused, with why.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub failed: Vec<BulkFailure>,
}

/// One asset a bulk create refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BulkFailure {
    /// The name that was sent.
    pub name: String,
    /// Why it was refused.
    pub error: String,
}

/// `GET /assets`: one page of assets.
///
/// Every field is a filter with a setter of the same name, here and on the
/// request and paginator that [`Assets::list`] and [`Assets::list_auto`] return.
#[endpoint(GET, "/assets", paginated, response = Asset, crate = crate)]
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ListAssets {
    /// Only assets of this type (the API's `type`).
    #[query(rename = "type")]
    pub asset_type: Option<AssetType>,
    /// Only assets in this status.
    pub status: Option<AssetStatus>,
    /// Only assets with this tag.
    pub tag: Option<String>,
    /// Only assets matching this free-text search.
    pub search: Option<String>,
    /// Sorts by this key.
    pub sort_by: Option<AssetSortBy>,
    /// Sorts in this direction (`desc` by default).
    pub sort_order: Option<SortOrder>,
}

/// `GET /assets/{id}`: one asset with `metadata` and `finding_summary`.
#[endpoint(GET, "/assets/{id}", response = Asset, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetAsset {
    /// The asset to read.
    pub id: AssetId,
}

/// `POST /assets`: adds an asset (status `pending_verification`).
#[endpoint(POST, "/assets", response = Asset, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateAsset {
    /// The domain, IP, URL or CIDR.
    pub name: String,
    /// What kind of asset it is (the API's `type`).
    #[body(rename = "type")]
    pub asset_type: AssetType,
    /// Labels the asset (`.tags(["prod", "pci"])`).
    pub tags: Option<Vec<String>>,
}

/// `POST /assets/bulk`: adds up to 500 assets at once.
#[endpoint(POST, "/assets/bulk", response = BulkCreateResult, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BulkCreateAssets {
    /// The assets to add (1 to 500).
    pub assets: Vec<NewAsset>,
}

/// `PATCH /assets/{id}`: changes tags or description.
#[endpoint(PATCH, "/assets/{id}", response = Asset, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UpdateAsset {
    /// The asset to change.
    pub id: AssetId,
    /// Replaces the tags (`.tags(["prod"])`; an empty list clears them).
    pub tags: Option<Vec<String>>,
    /// Replaces the description.
    pub description: Option<String>,
}

/// `DELETE /assets/{id}`: stops monitoring and removes an asset.
#[endpoint(DELETE, "/assets/{id}", crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeleteAsset {
    /// The asset to remove.
    pub id: AssetId,
}

/// `POST /assets/{id}/verify`: checks ownership now. Safe to repeat.
#[endpoint(POST, "/assets/{id}/verify", idempotent, response = Asset, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifyAsset {
    /// The asset to verify.
    pub id: AssetId,
}

/// The asset operations; from [`Client::assets`] or
/// [`blocking::Client::assets`](crate::blocking::Client::assets).
#[derive(Debug, Clone)]
pub struct Assets<M = Async> {
    client: Client,
    mode: M,
}

impl<M: Clone> Assets<M> {
    pub(crate) fn new(client: Client, mode: M) -> Self {
        Assets { client, mode }
    }

    fn request<E>(&self, endpoint: E) -> Request<E, M> {
        Request::new(self.client.clone(), self.mode.clone(), endpoint)
    }

    /// One page of assets, narrowed by the filter setters of [`ListAssets`]
    /// (one per field, the same on the returned request):
    /// [`asset_type`](method@ListAssets::asset_type),
    /// [`status`](method@ListAssets::status), [`tag`](method@ListAssets::tag),
    /// [`search`](method@ListAssets::search),
    /// [`sort_by`](method@ListAssets::sort_by) and
    /// [`sort_order`](method@ListAssets::sort_order) (`asset_type` is the API's
    /// `type`).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::assets::AssetType;
    /// let page = client.assets().list().asset_type(AssetType::Domain).tag("prod").await?;
    /// for asset in &page {
    ///     println!("{} {:?}", asset.domain, asset.security_score);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<ListAssets, M> {
        self.request(ListAssets::default())
    }

    /// Every asset matching the filters, as a lazy stream (an iterator on the
    /// blocking client). The filter setters are those of [`ListAssets`], as on
    /// [`list`](Assets::list): [`asset_type`](method@ListAssets::asset_type),
    /// [`status`](method@ListAssets::status), [`tag`](method@ListAssets::tag),
    /// [`search`](method@ListAssets::search),
    /// [`sort_by`](method@ListAssets::sort_by) and
    /// [`sort_order`](method@ListAssets::sort_order).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let all: Vec<s4e::Asset> = client.assets().list_auto().per_page(100).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_auto(&self) -> Paginator<ListAssets, M> {
        Paginator::new(
            self.client.clone(),
            self.mode.clone(),
            ListAssets::default(),
        )
    }

    /// One asset, with `metadata` and `finding_summary`.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let asset = client.assets().get("a-1001").await?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<AssetId>) -> Request<GetAsset, M> {
        self.request(GetAsset { id: id.into() })
    }

    /// Adds an asset; it starts as `pending_verification`.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::assets::AssetType;
    /// let asset = client
    ///     .assets()
    ///     .create("shop.example.com", AssetType::Domain)
    ///     .tags(["prod", "pci"])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(
        &self,
        name: impl Into<String>,
        asset_type: AssetType,
    ) -> Request<CreateAsset, M> {
        self.request(CreateAsset {
            name: name.into(),
            asset_type,
            tags: None,
        })
    }

    /// Adds up to 500 assets in one call; the answer lists what was created
    /// and what was refused.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::assets::{AssetType, NewAsset};
    /// let result = client
    ///     .assets()
    ///     .bulk_create(vec![
    ///         NewAsset::new("a.example.com", AssetType::Domain),
    ///         NewAsset::new("10.0.0.0/24", AssetType::Network).tags(["lab"]),
    ///     ])
    ///     .await?;
    /// println!("{} created, {} failed", result.created.len(), result.failed.len());
    /// # Ok(()) }
    /// ```
    pub fn bulk_create(&self, assets: Vec<NewAsset>) -> Request<BulkCreateAssets, M> {
        self.request(BulkCreateAssets { assets })
    }

    /// Changes an asset's tags or description.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let asset = client.assets().update("a-1001").description("checkout").await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, id: impl Into<AssetId>) -> Request<UpdateAsset, M> {
        self.request(UpdateAsset {
            id: id.into(),
            tags: None,
            description: None,
        })
    }

    /// Removes an asset.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// client.assets().delete("a-1001").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<AssetId>) -> Request<DeleteAsset, M> {
        self.request(DeleteAsset { id: id.into() })
    }

    /// Checks ownership of an asset now.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let asset = client.assets().verify("a-1001").await?;
    /// println!("verified: {}", asset.verified);
    /// # Ok(()) }
    /// ```
    pub fn verify(&self, id: impl Into<AssetId>) -> Request<VerifyAsset, M> {
        self.request(VerifyAsset { id: id.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_spellings_at_once_still_decode() {
        let a: Asset = serde_json::from_str(
            r#"{"id":"a-1","name":"shop.example","domain":"other","type":"domain","risk_score":40,"security_score":41}"#,
        )
        .unwrap();
        assert_eq!(
            (a.domain.as_str(), a.security_score),
            ("shop.example", Some(40))
        );
        let a: Asset = serde_json::from_str(
            r#"{"id":"a-1","hostname":"h.example","type":"ip","security_score":7}"#,
        )
        .unwrap();
        assert_eq!((a.name(), a.risk_score()), ("h.example", Some(7)));
        let a: Asset = serde_json::from_str(
            r#"{"asset_id":1001,"id":"a-1001","name":"n.example","type":"domain"}"#,
        )
        .unwrap();
        assert_eq!(a.id, "a-1001");
        let a: Asset =
            serde_json::from_str(r#"{"asset_id":1001,"name":"n.example","type":"domain"}"#)
                .unwrap();
        assert_eq!(a.id, "1001");
    }
}
