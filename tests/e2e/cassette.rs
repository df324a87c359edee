//! Record and replay through the SDK: the tour's calls recorded through the
//! sandbox's recording proxy, then replayed with the upstream stopped, every
//! answer from the cassette; a miss surfaces as an `s4e::Error` carrying the
//! replay's explanation.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use s4e::assets::{AssetType, NewAsset};
use s4e::{ExportFormat, FindingStatus, ScanType, Severity};
use s4e_sandbox::Sandbox;

use crate::support::TestResult;

/// What the tour saw, to compare a replay with its recording.
type Transcript = Vec<String>;

fn client(base_url: &str) -> Result<s4e::Client, s4e::Error> {
    s4e::Client::builder(s4e_sandbox::DEFAULT_API_KEY)
        .base_url(base_url)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .timeout(Duration::from_secs(10))
        .build()
}

/// The calls of `examples/tour.rs` (read-only part, then the full part; the
/// webhook goes to a fixed URL instead of the tour's local listener, whose
/// port changes from run to run).
async fn tour(client: &s4e::Client) -> Result<Transcript, Box<dyn std::error::Error>> {
    let mut seen = Transcript::new();
    let assets = client.assets().list().per_page(5).await?;
    seen.push(format!(
        "{:?} assets, first {:?}",
        assets.total,
        assets.items.first().map(|a| &a.id)
    ));
    let page = client
        .findings()
        .list()
        .severity([Severity::Critical, Severity::High])
        .per_page(5)
        .await?;
    seen.push(format!("critical/high: {:?}", page.total));
    let mut stream = client.findings().list_auto().per_page(100).concurrency(4);
    let mut count = 0;
    while stream.try_next().await?.is_some() {
        count += 1;
    }
    seen.push(format!("{count} findings"));
    let scans = client.scans().list().per_page(1).await?;
    let actions = client.actions().list().await?;
    let playbooks = client.playbooks().list().await?;
    let webhooks = client.webhooks().list().await?;
    seen.push(format!(
        "{:?} scans, {} actions, {} playbooks, {} webhooks",
        scans.total,
        actions.len(),
        playbooks.len(),
        webhooks.len()
    ));

    let asset = client
        .assets()
        .create("tour.example.com", AssetType::Domain)
        .tags(["tour"])
        .await?;
    let bulk = client
        .assets()
        .bulk_create(vec![
            NewAsset::new("10.20.0.0/24", AssetType::Network).tags(["tour"]),
            NewAsset::new("https://tour.example.com/login", AssetType::Url),
        ])
        .await?;
    seen.push(format!("bulk {} created", bulk.created.len()));
    let asset = client.assets().verify(asset.id).await?;
    let scan = client
        .scans()
        .create(asset.id.clone(), ScanType::Quick)
        .await?;
    let scan = client
        .scans()
        .wait(scan.id)
        .interval(Duration::from_millis(20))
        .timeout(Duration::from_secs(30))
        .await?;
    seen.push(format!(
        "scan {} {:?} {:?}",
        scan.id, scan.status, scan.finding_count
    ));
    let found = client.findings().list().scan_id(scan.id.clone()).await?;
    if let Some(first) = found.items.first() {
        let resolved = client
            .findings()
            .update(first.id.clone())
            .status(FindingStatus::Resolved)
            .note("fixed during the tour")
            .await?;
        seen.push(format!("resolved {} {:?}", resolved.id, resolved.status));
    }
    let mut csv = Vec::new();
    client
        .findings()
        .export(ExportFormat::Csv)
        .severity([Severity::Critical])
        .write_to(&mut csv)
        .await?;
    seen.push(String::from_utf8(csv)?);
    let report = client
        .actions()
        .validate(serde_json::json!({"name": "Notify the SOC", "type": "notification", "executor": "webhook"}))
        .await?;
    seen.push(format!("valid {}", report.valid));
    if let Some(action) = client.actions().list().await?.items.into_iter().next() {
        let mut trigger = client.actions().trigger(action.id.clone()).sandbox(true);
        for parameter in action.parameters.iter().filter(|p| p.required) {
            let value = parameter
                .default
                .clone()
                .filter(|v| !v.is_null())
                .unwrap_or_else(|| serde_json::json!("203.0.113.7"));
            trigger = trigger.parameter(parameter.name.clone(), value);
        }
        let execution = trigger.await?;
        let execution = client
            .actions()
            .wait_execution(action.id.clone(), execution.id)
            .interval(Duration::from_millis(20))
            .timeout(Duration::from_secs(30))
            .await?;
        seen.push(format!("execution {} {:?}", execution.id, execution.status));
    }
    if let Some(playbook) = client.playbooks().list().await?.items.into_iter().next() {
        let run = client
            .playbooks()
            .run(playbook.id.clone(), asset.id.clone())
            .await?;
        let run = client
            .playbooks()
            .wait_run(playbook.id.clone(), run.id)
            .interval(Duration::from_millis(20))
            .timeout(Duration::from_secs(30))
            .await?;
        seen.push(format!("run {} {:?}", run.id, run.status));
    }
    let webhook = client
        .webhooks()
        .create(
            "tour",
            "http://127.0.0.1:9/hook",
            [s4e::EventType::WebhookTest],
        )
        .secret("whsec_tour_secret")
        .await?;
    let test = client.webhooks().test(webhook.id.clone()).await?;
    seen.push(format!("test delivery {}", test.delivered));
    client.webhooks().delete(webhook.id).await?;
    match client.findings().get("f-does-not-exist").await {
        Err(s4e::Error::NotFound(e)) => seen.push(format!("not found: {}", e.message())),
        other => return Err(format!("unexpected: {other:?}").into()),
    }
    Ok(seen)
}

#[tokio::test]
async fn the_tour_replays_offline_from_its_recording() -> TestResult {
    let dir = std::env::temp_dir().join(format!("s4e-e2e-tour-cassette-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let upstream = Sandbox::builder().scan_speed(1_200.0).start().await?;
    let upstream_url = upstream.base_url().to_owned();
    let recorder = Sandbox::builder()
        .record(&upstream_url, &dir)
        .start()
        .await?;
    let recorded = tour(&client(recorder.base_url())?).await?;
    recorder.shutdown().await;
    upstream.shutdown().await;
    assert!(
        tokio::net::TcpStream::connect(
            upstream_url
                .trim_start_matches("http://")
                .trim_end_matches("/v1")
        )
        .await
        .is_err(),
        "the upstream is stopped"
    );

    let misses = Arc::new(Mutex::new(Vec::new()));
    let replay = Sandbox::builder()
        .replay(&dir)
        .on_cassette_notice({
            let misses = misses.clone();
            move |m| misses.lock().unwrap().push(m.to_owned())
        })
        .start()
        .await?;
    let client = client(replay.base_url())?;
    let replayed = tour(&client).await?;
    assert_eq!(replayed, recorded);
    assert_eq!(
        *misses.lock().unwrap(),
        Vec::<String>::new(),
        "every request was in the cassette"
    );
    assert!(
        recorded
            .iter()
            .any(|line| line.starts_with("id,title,severity")),
        "{recorded:?}"
    );
    let secret_written = std::fs::read_to_string(PathBuf::from(&dir).join("cassette.json"))?
        .contains("whsec_tour_secret");
    assert!(!secret_written, "the webhook secret was scrubbed");

    // A request the tour did not make: the SDK's error carries the replay's
    // explanation.
    match client.assets().list().per_page(7).await {
        Err(s4e::Error::Api(api)) => {
            assert_eq!(api.status(), 501);
            assert_eq!(api.code(), Some("cassette_miss"));
            assert!(
                api.message().contains("nearest recorded request is GET /v1/assets?per_page=5 (query `per_page`: recorded 5, asked 7)"),
                "{}",
                api.message()
            );
        }
        other => panic!("expected a cassette miss, got {other:?}"),
    }
    assert_eq!(misses.lock().unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
