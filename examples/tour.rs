//! The tour: the whole SDK, end to end.
//!
//! With nothing set it starts the S4E sandbox (a stateful local S4E API) in
//! this process and walks through all six modules: assets, scans, findings,
//! actions, playbooks and webhooks, ending with a signed webhook delivery
//! received on a local listener and verified. With `S4E_API_KEY` set (and
//! optionally `S4E_BASE_URL`) it runs the read-only part against that server.
//!
//! ```sh
//! cargo run --example tour
//! ```

use std::io::Write as _;
use std::time::{Duration, Instant};

use s4e::assets::{AssetType, NewAsset};
use s4e::{ExportFormat, FindingStatus, ScanType, Severity};

mod listener;

type Outcome = Result<(), Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Outcome {
    let live = std::env::var("S4E_API_KEY").is_ok_and(|k| !k.trim().is_empty());
    if live {
        let client = s4e::Client::from_env()?;
        println!(
            "Touring {} read-only (S4E_API_KEY is set).",
            client.base_url()
        );
        return read_only(&client).await;
    }
    let sandbox = s4e_sandbox::Sandbox::builder()
        .scan_speed(1_200.0)
        .start()
        .await?;
    println!(
        "No S4E_API_KEY set: touring the embedded sandbox at {} (seed {}).",
        sandbox.base_url(),
        sandbox.seed()
    );
    let client = s4e::Client::builder(sandbox.api_key())
        .base_url(sandbox.base_url())
        .build()?;
    read_only(&client).await?;
    full(&client).await?;
    sandbox.shutdown().await;
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title}");
}

/// What a read-only key may do: look around every module.
async fn read_only(client: &s4e::Client) -> Outcome {
    section("Assets");
    let assets = client.assets().list().per_page(5).await?;
    println!(
        "{} assets; the first {}:",
        assets.total.unwrap_or_default(),
        assets.len()
    );
    for asset in &assets {
        println!(
            "  {:<10} {:<28} {:<8} score {:?}",
            asset.id, asset.domain, asset.asset_type, asset.security_score
        );
    }

    section("Findings");
    let page = client
        .findings()
        .list()
        .severity([Severity::Critical, Severity::High])
        .per_page(5)
        .await?;
    println!(
        "page {} of {:?}: {} of {:?} critical/high findings",
        page.current_page,
        page.last_page,
        page.len(),
        page.total
    );
    for finding in &page {
        println!(
            "  {:<10} {:<8} {}",
            finding.id, finding.severity, finding.title
        );
    }
    let started = Instant::now();
    let mut stream = client.findings().list_auto().per_page(100).concurrency(4);
    let (mut count, mut open) = (0usize, 0usize);
    while let Some(finding) = stream.try_next().await? {
        count += 1;
        open += usize::from(finding.status == Some(FindingStatus::Open));
    }
    println!(
        "auto-paginated all {count} findings ({open} open) in {:?}, 4 pages in flight",
        started.elapsed()
    );

    section("Scans, actions, playbooks, webhooks");
    let scans = client.scans().list().per_page(1).await?;
    let actions = client.actions().list().await?;
    let playbooks = client.playbooks().list().await?;
    let webhooks = client.webhooks().list().await?;
    println!(
        "{:?} scans, {} actions, {} playbooks, {} webhooks",
        scans.total,
        actions.len(),
        playbooks.len(),
        webhooks.len()
    );
    Ok(())
}

/// Everything that writes, on the sandbox.
async fn full(client: &s4e::Client) -> Outcome {
    section("Add assets");
    let asset = client
        .assets()
        .create("tour.example.com", AssetType::Domain)
        .tags(["tour"])
        .await?;
    println!("created {} {} ({:?})", asset.id, asset.domain, asset.status);
    let bulk = client
        .assets()
        .bulk_create(vec![
            NewAsset::new("10.20.0.0/24", AssetType::Network).tags(["tour"]),
            NewAsset::new("https://tour.example.com/login", AssetType::Url),
        ])
        .await?;
    println!(
        "bulk: {} created, {} refused",
        bulk.created.len(),
        bulk.failed.len()
    );
    let asset = client.assets().verify(asset.id).await?;
    println!("verified: {}", asset.verified);

    section("Scan it and wait");
    let scan = client
        .scans()
        .create(asset.id.clone(), ScanType::Quick)
        .await?;
    println!("scan {} is {}", scan.id, scan.status);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let progress = client.scans().status(scan.id.clone()).await?;
        print!(
            "\r  {:<9} {:>3}%  {:<30}",
            progress.status,
            progress.progress.unwrap_or_default(),
            progress.current_phase.unwrap_or_default()
        );
        std::io::stdout().flush()?;
        if progress.status.is_final() || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!();
    let scan = client
        .scans()
        .wait(scan.id)
        .interval(Duration::from_millis(100))
        .timeout(Duration::from_secs(60))
        .await?;
    println!(
        "scan {} finished {} with {:?} findings",
        scan.id, scan.status, scan.finding_count
    );

    section("Triage its findings");
    let found = client.findings().list().scan_id(scan.id.clone()).await?;
    println!("{} findings from this scan", found.len());
    if let Some(first) = found.items.first() {
        let resolved = client
            .findings()
            .update(first.id.clone())
            .status(FindingStatus::Resolved)
            .note("fixed during the tour")
            .await?;
        println!(
            "{} \"{}\" is now {:?}",
            resolved.id, resolved.title, resolved.status
        );
    }

    section("Export critical findings as CSV, streamed to a file");
    let path = std::env::temp_dir().join("s4e-tour-findings.csv");
    let mut file = tokio::fs::File::create(&path).await?;
    let bytes = client
        .findings()
        .export(ExportFormat::Csv)
        .severity([Severity::Critical])
        .write_to(&mut file)
        .await?;
    println!("wrote {bytes} bytes to {}", path.display());

    section("Validate and trigger an action");
    let report = client
        .actions()
        .validate(serde_json::json!({
            "name": "Notify the SOC",
            "type": "notification",
            "executor": "webhook",
        }))
        .await?;
    println!(
        "definition valid: {} ({} warnings)",
        report.valid,
        report.warnings.len()
    );
    let action = client.actions().list().await?.items.into_iter().next();
    if let Some(action) = action {
        // Fill the parameters the action requires with sample values.
        let mut trigger = client.actions().trigger(action.id.clone()).sandbox(true);
        for parameter in action.parameters.iter().filter(|p| p.required) {
            let value = parameter
                .default
                .clone()
                .unwrap_or_else(|| sample(&parameter.param_type));
            trigger = trigger.parameter(parameter.name.clone(), value);
        }
        let execution = trigger.await?;
        let execution = client
            .actions()
            .execution(action.id.clone(), execution.execution_id)
            .await?;
        println!(
            "triggered {} ({}): {}",
            action.id, action.name, execution.status
        );
    }

    section("Run a playbook and wait");
    let playbook = client.playbooks().list().await?.items.into_iter().next();
    if let Some(playbook) = playbook {
        let run = client
            .playbooks()
            .run(playbook.id.clone(), asset.id.clone())
            .await?;
        let run = client
            .playbooks()
            .wait_run(playbook.id.clone(), run.run_id)
            .interval(Duration::from_millis(100))
            .timeout(Duration::from_secs(60))
            .await?;
        println!(
            "playbook {} ({}) run {}: {}",
            playbook.id, playbook.name, run.run_id, run.status
        );
    }

    section("Receive a signed webhook delivery");
    let secret = "whsec_tour_secret";
    let listener = listener::Listener::start().await?;
    let webhook = client
        .webhooks()
        .create("tour", listener.url(), [s4e::EventType::WebhookTest])
        .secret(secret)
        .await?;
    let test = client.webhooks().test(webhook.id.clone()).await?;
    println!(
        "asked for a test delivery: delivered {} ({:?})",
        test.delivered, test.status_code
    );
    let delivery = listener.next(Duration::from_secs(10)).await?;
    match s4e::webhooks::verify(&delivery.body, &delivery.signature, secret) {
        Ok(event) => println!(
            "verified delivery {:?}: {} ",
            event.id.map(|id| id.into_string()),
            event.kind
        ),
        Err(e) => println!("delivery REJECTED: {e}"),
    }
    match s4e::webhooks::verify(&delivery.body, &delivery.signature, "whsec_wrong") {
        Err(e) => println!("with the wrong secret it is refused, as it should be: {e}"),
        Ok(_) => println!("the wrong secret was accepted (this is a bug)"),
    }
    client.webhooks().delete(webhook.id).await?;

    section("Errors are typed");
    match client.findings().get("f-does-not-exist").await {
        Err(s4e::Error::NotFound(e)) => println!("not found, as expected: {e}"),
        other => println!("unexpected: {other:?}"),
    }

    println!("\nTour done.");
    Ok(())
}

/// A plausible value for a required action parameter of this type.
fn sample(kind: &s4e::actions::ParameterType) -> serde_json::Value {
    use s4e::actions::ParameterType;
    match kind {
        ParameterType::Integer => serde_json::json!(1),
        ParameterType::Boolean => serde_json::json!(true),
        _ => serde_json::json!("203.0.113.7"),
    }
}
