//! Lists the monitored domains with their security score, as the Python SDK's
//! quick start does.
//!
//! Reads `S4E_API_KEY` and optionally `S4E_BASE_URL`; without a key it runs
//! against the embedded sandbox.
//!
//! ```sh
//! cargo run --example list_assets
//! ```

use s4e::AssetType;

mod logging;
mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    logging::init();
    let (client, _guard) = support::client().await?;
    let mut assets = client.assets().list_auto().asset_type(AssetType::Domain);
    while let Some(asset) = assets.try_next().await? {
        let score = asset
            .security_score
            .map_or("-".into(), |score| score.to_string());
        println!("{:<32} {score}", asset.domain);
    }
    Ok(())
}
