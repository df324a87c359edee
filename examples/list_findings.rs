//! Lists open critical findings, page by page.
//!
//! Reads `S4E_API_KEY` and optionally `S4E_BASE_URL`; without a key it runs
//! against the embedded sandbox.
//!
//! ```sh
//! cargo run --example list_findings
//! ```

use s4e::{FindingStatus, Severity};

mod logging;
mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    logging::init();
    let (client, _guard) = support::client().await?;
    let mut pages = client
        .findings()
        .list_auto()
        .severity([Severity::Critical])
        .status(FindingStatus::Open)
        .per_page(10)
        .pages();
    while let Some(page) = pages.try_next().await? {
        let last = page.last_page.map_or("-".into(), |last| last.to_string());
        println!("page {} of {last}", page.current_page);
        for finding in page {
            println!("  {} {}", finding.id, finding.title);
        }
    }
    Ok(())
}
