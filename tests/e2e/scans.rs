//! Scans with the async client: the lifecycle on the sandbox clock, findings
//! it produces, cancel, wait, and every other operation.

use std::time::Duration;

use s4e::scans::{ScanOptions, ScanPriority, ScanStatus, ScanType};
use s4e::{AssetType, Error, FindingStatus};

use crate::support::{self, TestResult, ids};

#[tokio::test]
async fn scan_lifecycle_on_the_sandbox_clock_produces_findings() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;

    let asset = client
        .assets()
        .create("lifecycle.e2e.example", AssetType::Domain)
        .await?;
    client.assets().verify(asset.id.clone()).await?;
    let scan = client
        .scans()
        .create(asset.id.clone(), ScanType::Quick)
        .await?;
    assert_eq!(scan.status, Some(ScanStatus::Queued));
    assert_eq!(scan.asset_id, Some(asset.id.clone()));
    assert_eq!(scan.scan_type, Some(ScanType::Quick));
    assert_eq!(scan.priority, Some(ScanPriority::Normal));
    assert_eq!(scan.estimated_duration(), Some(Duration::from_secs(180)));
    assert_eq!(scan.started_at, None);

    // The clock is paused: nothing moves until it is advanced.
    let status = client.scans().status(scan.id.clone()).await?;
    assert_eq!(status.id, scan.id);
    assert_eq!(status.status, Some(ScanStatus::Queued));
    assert_eq!(status.progress, Some(0));
    assert_eq!(status.current_phase.as_deref(), Some("queued"));

    // A normal-priority scan queues for 30 nominal seconds.
    controls.advance(Duration::from_secs(29));
    let status = client.scans().status(scan.id.clone()).await?;
    assert_eq!(status.status, Some(ScanStatus::Queued));
    controls.advance(Duration::from_secs(2));
    let status = client.scans().status(scan.id.clone()).await?;
    assert_eq!(status.status, Some(ScanStatus::Running));
    assert!(status.progress.is_some_and(|p| p < 5), "{status:?}");
    assert_eq!(status.current_phase.as_deref(), Some("discovery"));
    let running = client.scans().get(scan.id.clone()).await?;
    assert_eq!(running.status, Some(ScanStatus::Running));
    assert!(running.started_at.is_some());
    let no_findings_yet = client.findings().list().scan_id(scan.id.clone()).await?;
    assert!(no_findings_yet.is_empty());

    // Halfway through its 180 s run.
    controls.advance(Duration::from_secs(90));
    let status = client.scans().status(scan.id.clone()).await?;
    assert_eq!(status.status, Some(ScanStatus::Running));
    assert!(
        status.progress.is_some_and(|p| (45..=55).contains(&p)),
        "{status:?}"
    );

    controls.advance(Duration::from_secs(90));
    let status = client.scans().status(scan.id.clone()).await?;
    assert_eq!(status.status, Some(ScanStatus::Completed));
    assert_eq!(status.progress, Some(100));
    let done = client.scans().get(scan.id.clone()).await?;
    assert_eq!(done.status, Some(ScanStatus::Completed));
    assert!(done.finished_at.is_some() && done.finished_at >= done.started_at);
    let count = done
        .finding_count
        .expect("a completed scan counts its findings");
    assert!(
        (2..=4).contains(&count),
        "a quick scan finds 2 to 4: {count}"
    );

    let found = client.findings().list().scan_id(scan.id.clone()).await?;
    assert_eq!(found.len() as u32, count);
    assert_eq!(found.total, Some(u64::from(count)));
    for finding in &found {
        assert_eq!(finding.scan_id.as_ref(), Some(&scan.id));
        assert_eq!(finding.status, Some(FindingStatus::Open));
        let on = finding.asset.as_ref().expect("a finding names its asset");
        assert_eq!(on.id, asset.id);
        assert_eq!(on.domain.as_deref(), Some("lifecycle.e2e.example"));
    }
    let by_asset = client.findings().list().asset_id(asset.id.clone()).await?;
    assert_eq!(
        ids(&by_asset.items, |f| &f.id),
        ids(&found.items, |f| &f.id)
    );
    let asset = client.assets().get(asset.id.clone()).await?;
    assert!(asset.last_scan.is_some());
    Ok(())
}

#[tokio::test]
async fn list_get_cancel_and_wait() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;

    let all = client.scans().list().per_page(100).await?;
    assert_eq!(all.total, Some(30));
    let completed = client
        .scans()
        .list()
        .status(ScanStatus::Completed)
        .per_page(100)
        .await?;
    assert_eq!(completed.len(), 24);
    assert!(
        completed
            .iter()
            .all(|s| s.status == Some(ScanStatus::Completed))
    );
    let expected: Vec<String> = all
        .iter()
        .filter(|s| s.status == Some(ScanStatus::Completed))
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(ids(&completed.items, |s| &s.id), expected);
    let auto: Vec<s4e::Scan> = client
        .scans()
        .list_auto()
        .status(ScanStatus::Completed)
        .per_page(5)
        .try_collect()
        .await?;
    assert_eq!(ids(&auto, |s| &s.id), expected);

    let seeded = &completed.items[0];
    let got = client.scans().get(seeded.id.clone()).await?;
    assert_eq!(got, *seeded);

    // A finished scan cannot be cancelled.
    let err = client.scans().cancel(seeded.id.clone()).await.unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert_eq!(err.status(), Some(422));
    let api = err.api_error().expect("the server answered");
    assert_eq!(api.details()[0].field, "status");
    support::assert_is_last_logged(&controls, &err);

    let asset = "a-1001";
    let scan = client
        .scans()
        .create(asset, ScanType::Ssl)
        .priority(ScanPriority::High)
        .options(ScanOptions::new().include_subdomains(true))
        .await?;
    let cancelled = client.scans().cancel(scan.id.clone()).await?;
    assert_eq!(cancelled.status, Some(ScanStatus::Cancelled));
    let err = client.scans().cancel(scan.id.clone()).await.unwrap_err();
    assert!(
        matches!(err, Error::Validation(_)),
        "cancelling twice: {err:?}"
    );
    controls.advance(Duration::from_secs(3600));
    let still = client.scans().get(scan.id.clone()).await?;
    assert_eq!(
        still.status,
        Some(ScanStatus::Cancelled),
        "time does not revive it"
    );
    assert_eq!(
        client
            .findings()
            .list()
            .scan_id(scan.id.clone())
            .await?
            .total,
        Some(0)
    );

    // `wait` polls until the clock, moved after its first poll, finishes it.
    let scan = client.scans().create(asset, ScanType::Dns).await?;
    let status_path = format!("/scans/{}/status", scan.id);
    let advancer = support::jump_after(&controls, &status_path, 1, Duration::from_secs(3600));
    let waited = client
        .scans()
        .wait(scan.id.clone())
        .interval(Duration::from_millis(5))
        .timeout(support::PATIENCE)
        .await?;
    advancer.await?;
    assert_eq!(waited.id, scan.id);
    assert_eq!(waited.status, Some(ScanStatus::Completed));
    assert!(controls.count("GET", &status_path) >= 2);

    // A scan told to fail ends `failed`, which also ends the wait.
    let failing = client
        .scans()
        .create(asset, ScanType::Quick)
        .options(ScanOptions::new().extra("sandbox_outcome", "failed"))
        .await?;
    controls.advance(Duration::from_secs(3600));
    let failed = client
        .scans()
        .wait(failing.id.clone())
        .interval(Duration::from_millis(5))
        .await?;
    assert_eq!(failed.status, Some(ScanStatus::Failed));

    // With the clock paused, a wait with a timeout gives up.
    let stuck = client.scans().create(asset, ScanType::Full).await?;
    let err = client
        .scans()
        .wait(stuck.id.clone())
        .interval(Duration::from_millis(5))
        .timeout(Duration::from_millis(60))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");

    let mine = client.scans().list().asset_id(asset).per_page(100).await?;
    for id in [&scan.id, &failing.id, &stuck.id] {
        assert!(mine.iter().any(|s| &s.id == id), "{id} listed by asset");
    }
    assert!(
        mine.iter()
            .all(|s| s.asset_id.as_ref().is_some_and(|id| id == asset))
    );
    support::not_found(
        client
            .scans()
            .create("a-does-not-exist", ScanType::Quick)
            .await,
    );
    Ok(())
}

#[tokio::test]
async fn scans_progress_in_real_time_at_the_scan_speed() -> TestResult {
    // A running clock this time; paused while the scan is created.
    let sandbox = s4e_sandbox::Sandbox::builder().seed(42).start().await?;
    let client = support::client(&sandbox);
    let controls = sandbox.controls();
    controls.pause_clock();
    assert!(controls.is_clock_paused());
    controls.set_scan_speed(6_000.0);

    let scan = client.scans().create("a-1001", ScanType::Quick).await?;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let status = client.scans().status(scan.id.clone()).await?;
    assert_eq!(
        status.status,
        Some(ScanStatus::Queued),
        "a paused clock holds it"
    );

    // 210 nominal seconds at 6000x: about 35 ms of real time.
    controls.resume_clock();
    let done = client
        .scans()
        .wait(scan.id.clone())
        .interval(Duration::from_millis(5))
        .timeout(support::PATIENCE)
        .await?;
    assert_eq!(done.status, Some(ScanStatus::Completed));
    assert!(done.finding_count.is_some_and(|n| n > 0));
    let found = client.findings().list().scan_id(scan.id.clone()).await?;
    assert_eq!(found.total, done.finding_count.map(u64::from));
    Ok(())
}
