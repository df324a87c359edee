//! Flags that name a resource take its ID or, for assets, its name; one that
//! names nothing is exit 4 with a message, never an empty success.

use s4e::assets::Asset;

use crate::exit::{self, Failure};

/// The ID of the asset `text` names: an asset ID, or an asset's exact name
/// (`shop.example.com`).
pub(crate) async fn asset(client: &s4e::Client, text: &str) -> Result<String, Failure> {
    match client.assets().get(text).await {
        Ok(asset) => return Ok(asset.id.to_string()),
        Err(s4e::Error::NotFound(_)) => {}
        Err(other) => return Err(other.into()),
    }
    let candidates: Vec<Asset> = client
        .assets()
        .list_auto()
        .search(text)
        .per_page(s4e::MAX_PER_PAGE)
        .try_collect()
        .await?;
    let named: Vec<&Asset> = candidates
        .iter()
        .filter(|asset| asset.domain.eq_ignore_ascii_case(text))
        .collect();
    match named.as_slice() {
        [one] => Ok(one.id.to_string()),
        [] => Err(Failure::Other {
            code: exit::NOT_FOUND,
            message: format!("no asset has the ID or name `{text}`"),
        }),
        several => Err(Failure::Usage(format!(
            "`{text}` names {} assets ({}); give one of their IDs",
            several.len(),
            several
                .iter()
                .map(|asset| asset.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `id` when scan `id` exists; exit 4 otherwise.
pub(crate) async fn scan(client: &s4e::Client, id: &str) -> Result<String, Failure> {
    match client.scans().get(id).await {
        Ok(scan) => Ok(scan.id.to_string()),
        Err(s4e::Error::NotFound(_)) => Err(Failure::Other {
            code: exit::NOT_FOUND,
            message: format!("no scan has the ID `{id}`"),
        }),
        Err(other) => Err(other.into()),
    }
}

/// Resolves an optional asset flag.
pub(crate) async fn optional_asset(
    client: &s4e::Client,
    text: Option<String>,
) -> Result<Option<String>, Failure> {
    match text {
        Some(text) => Ok(Some(asset(client, &text).await?)),
        None => Ok(None),
    }
}
