//! `/assets` (API.md §4.1).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::api::check::{Check, Object, json_object};
use crate::api::envelope::{created, no_content, ok, page};
use crate::api::error::{ApiError, ApiResult};
use crate::api::page::{Paging, directed, sort_order};
use crate::api::query::Query;
use crate::enums::{AssetSort, AssetStatus, AssetType, Severity, Wire};
use crate::state::{Db, Shared, ts, ts_opt};

#[derive(Debug, Clone)]
pub(crate) struct Asset {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: AssetType,
    pub(crate) status: AssetStatus,
    pub(crate) verified: bool,
    pub(crate) tags: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) last_scan: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) metadata: Metadata,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Metadata {
    pub(crate) registrar: Option<String>,
    pub(crate) ip_addresses: Vec<String>,
    pub(crate) technologies: Vec<String>,
}

/// Live findings per severity, in `Severity::ALL` order.
pub(crate) type Summary = [u32; 5];

/// Summaries of every asset with live findings, in one pass.
pub(crate) fn summaries(db: &Db) -> HashMap<&str, Summary> {
    let mut out: HashMap<&str, Summary> = HashMap::new();
    for f in db.findings.iter().filter(|f| f.status.is_live()) {
        out.entry(f.asset_id.as_str()).or_default()[f.severity as usize] += 1;
    }
    out
}

/// 0-100 from the live findings.
pub(crate) fn risk_score(s: &Summary) -> u32 {
    (25 * s[0] + 10 * s[1] + 4 * s[2] + s[3]).min(100)
}

impl Asset {
    pub(crate) fn view(&self, summary: &Summary, detail: bool) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "type": self.kind,
            "status": self.status,
            "verified": self.verified,
            "risk_score": risk_score(summary),
            "tags": self.tags,
            "description": self.description,
            "last_scan": ts_opt(self.last_scan),
            "created_at": ts(self.created_at),
            "updated_at": ts(self.updated_at),
        });
        if detail {
            v["metadata"] = json!({
                "registrar": self.metadata.registrar,
                "ip_addresses": self.metadata.ip_addresses,
                "technologies": self.metadata.technologies,
            });
            let mut fs = serde_json::Map::new();
            for sev in Severity::ALL {
                fs.insert(sev.as_str().into(), json!(summary[*sev as usize]));
            }
            v["finding_summary"] = Value::Object(fs);
        }
        v
    }

    fn view_in(&self, db: &Db, detail: bool) -> Value {
        let summary = summaries(db)
            .get(self.id.as_str())
            .copied()
            .unwrap_or_default();
        self.view(&summary, detail)
    }
}

/// Checks that `name` is a `kind`: an IP, a CIDR, an http(s) URL or a domain.
pub(crate) fn name_error(kind: AssetType, name: &str) -> Option<String> {
    let ok = match kind {
        AssetType::Ip => name.parse::<IpAddr>().is_ok(),
        AssetType::Network => name.split_once('/').is_some_and(|(addr, bits)| {
            match (addr.parse::<IpAddr>(), bits.parse::<u8>()) {
                (Ok(IpAddr::V4(_)), Ok(b)) => b <= 32,
                (Ok(IpAddr::V6(_)), Ok(b)) => b <= 128,
                _ => false,
            }
        }),
        AssetType::Url => ["http://", "https://"].iter().any(|scheme| {
            name.strip_prefix(scheme).is_some_and(|rest| {
                !rest.is_empty() && !rest.starts_with('/') && !rest.contains(' ')
            })
        }),
        AssetType::Domain => is_domain(name),
    };
    (!ok).then(|| match kind {
        AssetType::Ip => format!("`{name}` is not an IP address"),
        AssetType::Network => {
            format!("`{name}` is not a network in CIDR notation (e.g. 192.0.2.0/24)")
        }
        AssetType::Url => format!("`{name}` is not an http or https URL"),
        AssetType::Domain => format!("`{name}` is not a domain name"),
    })
}

fn is_domain(name: &str) -> bool {
    let name = name.strip_prefix("*.").unwrap_or(name);
    name.len() <= 253
        && name.contains('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

struct NewAsset {
    name: String,
    kind: AssetType,
    tags: Vec<String>,
    description: Option<String>,
}

/// The schema checks of one new asset (types, required fields, enums).
fn read_new_shape(obj: &Object, check: &mut Check) -> Option<NewAsset> {
    let name = check.req_string(obj, "name");
    let kind = check.req_enum::<AssetType>(obj, "type");
    let tags = check.opt_string_list(obj, "tags").unwrap_or_default();
    let description = check.opt_string(obj, "description");
    let (name, kind) = (name?, kind?);
    check.is_ok().then_some(NewAsset {
        name,
        kind,
        tags,
        description,
    })
}

/// The semantic rule a schema cannot state: `name` is a well-formed `type`.
fn well_formed(mut new: NewAsset) -> Result<NewAsset, String> {
    if let Some(message) = name_error(new.kind, &new.name) {
        return Err(message);
    }
    if new.kind == AssetType::Domain {
        new.name = new.name.to_ascii_lowercase();
    }
    Ok(new)
}

fn read_new(obj: &Object, check: &mut Check) -> Option<NewAsset> {
    match well_formed(read_new_shape(obj, check)?) {
        Ok(new) => Some(new),
        Err(message) => {
            check.fail("name", message);
            None
        }
    }
}

fn insert(db: &mut Db, new: NewAsset, now: DateTime<Utc>) -> Value {
    db.next.asset += 1;
    let seq = db.seq();
    let asset = Asset {
        seq,
        id: format!("a-{}", 1000 + db.next.asset),
        metadata: Metadata {
            registrar: None,
            ip_addresses: if new.kind == AssetType::Ip {
                vec![new.name.clone()]
            } else {
                Vec::new()
            },
            technologies: Vec::new(),
        },
        name: new.name,
        kind: new.kind,
        status: AssetStatus::PendingVerification,
        verified: false,
        tags: dedup(new.tags),
        description: new.description,
        last_scan: None,
        created_at: now,
        updated_at: now,
    };
    let view = asset.view(&Summary::default(), false);
    db.assets.push(asset);
    db.emit("asset.created", now, view.clone());
    view
}

fn dedup(tags: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for t in tags {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

pub(crate) async fn list(State(sh): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let mut check = Check::default();
    let paging = Paging::read(&query, &mut check);
    let kind = check.query_enum::<AssetType>(&query, "type");
    let status = check.query_enum::<AssetStatus>(&query, "status");
    let sort_by = check.query_enum::<AssetSort>(&query, "sort_by");
    let order = sort_order(&query, &mut check);
    check.finish()?;
    let tag = query.get("tag");
    let search = query.get("search").map(str::to_lowercase);

    let db = sh.db();
    let sums = summaries(&db);
    let summary = |a: &Asset| sums.get(a.id.as_str()).copied().unwrap_or_default();
    let mut items: Vec<&Asset> = db
        .assets
        .iter()
        .filter(|a| kind.is_none_or(|k| a.kind == k))
        .filter(|a| status.is_none_or(|s| a.status == s))
        .filter(|a| tag.is_none_or(|t| a.tags.iter().any(|x| x == t)))
        .filter(|a| {
            search.as_deref().is_none_or(|s| {
                a.name.to_lowercase().contains(s)
                    || a.tags.iter().any(|t| t.to_lowercase().contains(s))
                    || a.description
                        .as_deref()
                        .is_some_and(|d| d.to_lowercase().contains(s))
            })
        })
        .collect();
    items.sort_by(|a, b| {
        let primary = match sort_by.unwrap_or(AssetSort::CreatedAt) {
            AssetSort::Name => a.name.cmp(&b.name),
            AssetSort::Type => a.kind.as_str().cmp(b.kind.as_str()),
            AssetSort::CreatedAt => a.created_at.cmp(&b.created_at),
            AssetSort::RiskScore => risk_score(&summary(a)).cmp(&risk_score(&summary(b))),
        };
        directed(primary.then(a.seq.cmp(&b.seq)), order)
    });
    let data = paging
        .slice(&items)
        .iter()
        .map(|a| a.view(&summary(a), false))
        .collect::<Vec<Value>>();
    Ok(page(paging, items.len(), data))
}

pub(crate) async fn get(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let db = sh.db();
    let asset = db
        .asset(&id)
        .ok_or_else(|| ApiError::not_found("asset", &id))?;
    Ok(ok(asset.view_in(&db, true)))
}

pub(crate) async fn create(State(sh): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let new = read_new(&obj, &mut check);
    check.finish()?;
    let new = new.ok_or_else(|| ApiError::invalid("body", "is invalid"))?;
    let now = sh.now();
    let mut db = sh.db();
    Ok(created(insert(&mut db, new, now)))
}

/// Most assets one bulk create takes.
const BULK_MAX: usize = 500;

pub(crate) async fn bulk(State(sh): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let items = check.req_array(&obj, "assets");
    check.finish()?;
    let items = items.unwrap_or_default();
    if items.is_empty() || items.len() > BULK_MAX {
        return Err(ApiError::invalid(
            "assets",
            format!("must hold 1 to {BULK_MAX} assets, got {}", items.len()),
        ));
    }
    let now = sh.now();
    let mut db = sh.db();
    let mut created_views = Vec::new();
    let mut failed = Vec::new();
    // A body that breaks the schema is a 422 as a whole (the contract);
    // `failed` lists only well-formed items the semantic rules refuse.
    let mut check = Check::default();
    let mut shaped = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = format!("assets[{i}]");
        match item {
            Value::Object(obj) => {
                shaped.push(check.nested(&field, |c| read_new_shape(obj, c)));
            }
            _ => check.fail(&field, "must be an object"),
        }
    }
    check.finish()?;
    for new in shaped.into_iter().flatten() {
        let name = new.name.clone();
        match well_formed(new) {
            Ok(new) => created_views.push(insert(&mut db, new, now)),
            Err(error) => failed.push(json!({ "name": name, "error": format!("name: {error}") })),
        }
    }
    Ok(ok(json!({ "created": created_views, "failed": failed })))
}

pub(crate) async fn update(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let tags = check.opt_string_list(&obj, "tags");
    let description = check.opt_string(&obj, "description");
    check.finish()?;
    let now = sh.now();
    let mut db = sh.db();
    let asset = db
        .assets
        .iter_mut()
        .find(|a| a.id == id)
        .ok_or_else(|| ApiError::not_found("asset", &id))?;
    if let Some(tags) = tags {
        asset.tags = dedup(tags);
    } else if obj.get("tags").is_some_and(Value::is_null) {
        asset.tags.clear();
    }
    if description.is_some() || obj.get("description").is_some_and(Value::is_null) {
        asset.description = description;
    }
    asset.updated_at = now;
    let asset = asset.clone();
    Ok(ok(asset.view_in(&db, true)))
}

pub(crate) async fn delete(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut db = sh.db();
    let before = db.assets.len();
    db.assets.retain(|a| a.id != id);
    if db.assets.len() == before {
        return Err(ApiError::not_found("asset", &id));
    }
    Ok(no_content())
}

pub(crate) async fn verify(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let now = sh.now();
    let mut db = sh.db();
    let asset = db
        .assets
        .iter_mut()
        .find(|a| a.id == id)
        .ok_or_else(|| ApiError::not_found("asset", &id))?;
    let newly = !asset.verified;
    asset.verified = true;
    if asset.status == AssetStatus::PendingVerification {
        asset.status = AssetStatus::Active;
    }
    asset.updated_at = now;
    let asset = asset.clone();
    let view = asset.view_in(&db, true);
    if newly {
        db.emit("asset.verified", now, view.clone());
    }
    Ok(ok(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_their_type() {
        assert_eq!(name_error(AssetType::Ip, "203.0.113.7"), None);
        assert_eq!(name_error(AssetType::Ip, "::1"), None);
        assert!(name_error(AssetType::Ip, "example.com").is_some());
        assert_eq!(name_error(AssetType::Network, "192.0.2.0/24"), None);
        assert!(name_error(AssetType::Network, "192.0.2.0/33").is_some());
        assert_eq!(
            name_error(AssetType::Url, "https://shop.example.com/cart"),
            None
        );
        assert!(name_error(AssetType::Url, "ftp://x").is_some());
        assert_eq!(name_error(AssetType::Domain, "api.example.com"), None);
        assert_eq!(name_error(AssetType::Domain, "*.example.com"), None);
        assert!(name_error(AssetType::Domain, "not a domain").is_some());
        assert!(name_error(AssetType::Domain, "localhost").is_some());
    }

    #[test]
    fn risk_is_capped() {
        assert_eq!(risk_score(&[0, 0, 0, 0, 9]), 0);
        assert_eq!(risk_score(&[1, 1, 1, 1, 0]), 40);
        assert_eq!(risk_score(&[9, 0, 0, 0, 0]), 100);
    }
}
