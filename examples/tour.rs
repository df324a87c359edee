//! The tour: the SDK end to end.
//!
//! With nothing set it serves a small in-process mock of the S4E API and walks
//! through the findings module: a filtered page, auto-pagination, a lookup,
//! triage, and a streamed CSV export. With `S4E_API_KEY` set (and optionally
//! `S4E_BASE_URL`) it runs the read-only part against that server instead.
//! The stateful sandbox and the six-module tour replace the mock with issue #4.
//!
//! ```sh
//! cargo run --example tour
//! ```

use futures_util::TryStreamExt;
use s4e::{ExportFormat, FindingStatus, Severity};

mod mock;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let live = std::env::var("S4E_API_KEY").is_ok_and(|k| !k.trim().is_empty());
    let (client, _server) = if live {
        let client = s4e::Client::from_env()?;
        println!(
            "Touring {} (read-only, because S4E_API_KEY is set)",
            client.base_url()
        );
        (client, None)
    } else {
        let server = mock::start().await;
        let client = s4e::Client::builder(mock::DEMO_KEY)
            .base_url(format!("{}/v1", server.uri()))
            .build()?;
        println!(
            "Touring an in-process mock S4E API at {} (set S4E_API_KEY to use a real one)",
            client.base_url()
        );
        (client, Some(server))
    };

    println!("\n== One page of critical and high findings");
    let page = client
        .findings()
        .list()
        .severity([Severity::Critical, Severity::High])
        .per_page(5)
        .await?;
    println!(
        "page {} of {:?}, {} of {:?} findings:",
        page.current_page,
        page.last_page,
        page.len(),
        page.total
    );
    for finding in &page {
        println!(
            "  {:<9} {:<8} {}",
            finding.id, finding.severity, finding.title
        );
    }

    println!("\n== Auto-pagination (lazy: pages are fetched as items are consumed)");
    let mut stream = client.findings().list_auto().per_page(10).max_items(25);
    let mut by_severity = std::collections::BTreeMap::<String, usize>::new();
    while let Some(finding) = stream.try_next().await? {
        *by_severity.entry(finding.severity.to_string()).or_default() += 1;
    }
    println!("  first 25 findings by severity: {by_severity:?}");

    let Some(first) = page.items.first() else {
        println!("\nNo findings to look at; done.");
        return Ok(());
    };

    println!("\n== One finding in detail");
    let detail = client.findings().get(first.id.clone()).await?;
    println!(
        "  {} — {} (CVSS {:?}, {:?})",
        detail.id, detail.title, detail.cvss, detail.status
    );

    if live {
        println!("\nRead-only tour done (triage and export change or load the server).");
        return Ok(());
    }

    println!("\n== Triage: mark it resolved");
    let updated = client
        .findings()
        .update(detail.id.clone())
        .status(FindingStatus::Resolved)
        .note("fixed by the tour")
        .await?;
    println!("  {} is now {:?}", updated.id, updated.status);

    println!("\n== Export critical findings as CSV, streamed to a file");
    let path = std::env::temp_dir().join("s4e-tour-findings.csv");
    let mut file = tokio::fs::File::create(&path).await?;
    let bytes = client
        .findings()
        .export(ExportFormat::Csv)
        .severity([Severity::Critical])
        .write_to(&mut file)
        .await?;
    println!("  wrote {bytes} bytes to {}", path.display());

    println!("\n== Errors are typed");
    match client.findings().get("f-does-not-exist").await {
        Err(s4e::Error::NotFound(e)) => println!("  not found, as expected: {e}"),
        other => println!("  unexpected: {other:?}"),
    }

    println!("\nTour done.");
    Ok(())
}
