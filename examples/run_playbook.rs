//! Runs the first playbook against the first asset and waits for the run.
//!
//! ```sh
//! cargo run --example run_playbook
//! ```

use std::time::Duration;

mod logging;
mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    logging::init();
    let (client, _guard) = support::client().await?;
    let playbook = client.playbooks().list().await?.items.into_iter().next();
    let asset = client.assets().list().await?.items.into_iter().next();
    let (Some(playbook), Some(asset)) = (playbook, asset) else {
        println!("need a playbook and an asset");
        return Ok(());
    };
    let run = client
        .playbooks()
        .run(playbook.id.clone(), asset.id)
        .dry_run(true)
        .await?;
    let run = client
        .playbooks()
        .wait_run(playbook.id, run.id)
        .interval(Duration::from_millis(250))
        .timeout(Duration::from_secs(300))
        .await?;
    let status = run.status.as_ref().map_or("-", |s| s.as_str());
    println!("run {} {status} ({} steps)", run.id, run.steps.len());
    Ok(())
}
