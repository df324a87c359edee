//! The tour: the whole SDK, end to end.
//!
//! With nothing set it starts the S4E sandbox (a stateful local S4E API) in
//! this process and walks through all six modules: assets, scans, findings,
//! actions, playbooks and webhooks, ending with a signed webhook delivery
//! received on a local listener and verified. With `S4E_API_KEY` set (and
//! optionally `S4E_BASE_URL`) it runs the read-only part against that server.
//!
//! The scan and the playbook run report their progress through the waits'
//! `on_progress`: as a progress bar on a terminal, as plain lines (one per
//! change, no carriage returns) when the output is a file or a CI log.
//!
//! ```sh
//! cargo run --example tour
//! ```

use std::fmt::Display;
use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use s4e::assets::{AssetType, NewAsset};
use s4e::playbooks::StepStatus;
use s4e::{ExportFormat, FindingStatus, ScanType, Severity};

mod listener;
mod logging;

type Outcome = Result<(), Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Outcome {
    logging::init();
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

/// A value the answer may leave out, printed as itself or `-`.
fn or_dash<T: Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |value| value.to_string())
}

/// Shows a wait's progress: a bar on a terminal; otherwise a plain line each
/// time the reported text changes, so a log gets no `\r` and no repeats.
#[derive(Clone)]
struct Progress {
    bar: Option<ProgressBar>,
    last_line: String,
}

impl Progress {
    fn new(what: &str, length: u64) -> Result<Self, Box<dyn std::error::Error>> {
        if !std::io::stdout().is_terminal() {
            return Ok(Progress {
                bar: None,
                last_line: String::new(),
            });
        }
        // On stdout with the rest of the tour (indicatif draws on stderr by default).
        let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stdout());
        bar.set_style(
            ProgressStyle::with_template("  {prefix:<9} [{bar:30}] {pos:>3}/{len:3} {wide_msg}")?
                .progress_chars("=> "),
        );
        bar.set_prefix(what.to_owned());
        Ok(Progress {
            bar: Some(bar),
            last_line: String::new(),
        })
    }

    /// `position` of `length` done, then what the server says.
    fn update(&mut self, position: u64, length: u64, message: String) {
        match &self.bar {
            Some(bar) => {
                bar.set_length(length);
                bar.set_position(position);
                bar.set_message(message);
            }
            None => {
                let line = format!("  {position:>3}/{length:<3} {message}");
                if line != self.last_line {
                    println!("{line}");
                    self.last_line = line;
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

/// What a read-only key may do: look around every module.
async fn read_only(client: &s4e::Client) -> Outcome {
    section("Assets");
    let assets = client.assets().list().per_page(5).await?;
    println!(
        "{} assets; the first {}:",
        or_dash(assets.total),
        assets.len()
    );
    for asset in &assets {
        println!(
            "  {:<10} {:<28} {:<8} score {}",
            asset.id,
            asset.domain,
            asset.asset_type,
            or_dash(asset.security_score)
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
        "page {} of {}: {} of {} critical/high findings",
        page.current_page,
        or_dash(page.last_page),
        page.len(),
        or_dash(page.total)
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
        "{} scans, {} actions, {} playbooks, {} webhooks",
        or_dash(scans.total),
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
    println!(
        "created {} {} ({})",
        asset.id,
        asset.domain,
        or_dash(asset.status)
    );
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
    println!("scan {} is {}", scan.id, or_dash(scan.status));
    let progress = Progress::new("scan", 100)?;
    let scan = client
        .scans()
        .wait(scan.id)
        .interval(Duration::from_millis(100))
        .timeout(Duration::from_secs(60))
        .on_progress({
            let mut progress = progress.clone();
            move |p| {
                let percent = u64::from(p.progress.unwrap_or(0).min(100));
                let status = or_dash(p.status.as_ref());
                // The phase, when it says more than the status.
                let message = match p.current_phase.as_deref() {
                    Some(phase) if phase != status => format!("{status} ({phase})"),
                    _ => status,
                };
                progress.update(percent, 100, message);
            }
        })
        .await?;
    progress.finish();
    println!(
        "scan {} finished {} with {} findings",
        scan.id,
        or_dash(scan.status),
        or_dash(scan.finding_count)
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
            "{} \"{}\" is now {}",
            resolved.id,
            resolved.title,
            or_dash(resolved.status)
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
            // A `null` default is no value: the server would refuse it.
            let value = parameter
                .default
                .clone()
                .filter(|value| !value.is_null())
                .unwrap_or_else(|| sample(&parameter.parameter_type));
            trigger = trigger.parameter(parameter.name.clone(), value);
        }
        let execution = trigger.await?;
        let execution = client
            .actions()
            .wait_execution(action.id.clone(), execution.id)
            .interval(Duration::from_millis(100))
            .timeout(Duration::from_secs(60))
            .await?;
        println!(
            "triggered {} ({}): execution {} {}",
            action.id,
            action.name,
            execution.id,
            or_dash(execution.status)
        );
    }

    section("Run a playbook and wait");
    let playbook = client.playbooks().list().await?.items.into_iter().next();
    if let Some(playbook) = playbook {
        let run = client
            .playbooks()
            .run(playbook.id.clone(), asset.id.clone())
            .await?;
        println!("run {} of {} ({})", run.id, playbook.id, playbook.name);
        let progress = Progress::new("playbook", 1)?;
        let run = client
            .playbooks()
            .wait_run(playbook.id.clone(), run.id)
            .interval(Duration::from_millis(100))
            .timeout(Duration::from_secs(60))
            .on_progress({
                let mut progress = progress.clone();
                move |run| {
                    let ended = |s: &&s4e::playbooks::StepRun| {
                        matches!(
                            s.status,
                            Some(StepStatus::Completed | StepStatus::Failed | StepStatus::Skipped)
                        )
                    };
                    let done = run.steps.iter().filter(ended).count() as u64;
                    let steps = (run.steps.len() as u64).max(1);
                    progress.update(done, steps, or_dash(run.status.as_ref()));
                }
            })
            .await?;
        progress.finish();
        println!(
            "run {} ended {} ({} steps)",
            run.id,
            or_dash(run.status),
            run.steps.len()
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
        "asked for a test delivery: delivered {} (HTTP {})",
        test.delivered,
        or_dash(test.status_code)
    );
    let delivery = listener.next(Duration::from_secs(10)).await?;
    match s4e::webhooks::verify(&delivery.body, &delivery.signature, secret) {
        Ok(event) => println!(
            "verified delivery {}: {}",
            or_dash(event.id),
            event.event_type
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
