//! Adds an asset, starts a quick scan of it and waits for the result.
//!
//! Writes, so without `S4E_API_KEY` it runs against the embedded sandbox;
//! with a key it changes that account.
//!
//! ```sh
//! cargo run --example create_scan
//! ```

use std::time::Duration;

use s4e::{AssetType, ScanType};

mod logging;
mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    logging::init();
    let (client, _guard) = support::client().await?;
    let asset = client
        .assets()
        .create("scan-me.example.com", AssetType::Domain)
        .await?;
    let scan = client.scans().create(asset.id, ScanType::Quick).await?;
    println!("scan {} queued; waiting", scan.id);
    let scan = client
        .scans()
        .wait(scan.id)
        .interval(Duration::from_millis(250))
        .timeout(Duration::from_secs(15 * 60))
        .on_progress(|p| println!("  {}%", p.progress.unwrap_or(0)))
        .await?;
    let status = scan.status.as_ref().map_or("-", |s| s.as_str());
    let findings = scan.finding_count.map_or("-".into(), |n| n.to_string());
    println!("{} {status} with {findings} findings", scan.id);
    Ok(())
}
