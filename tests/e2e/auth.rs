//! Keys and errors with the async client: the read-only key reads but cannot
//! write (403), a wrong key is refused (401), and every error carries the
//! `X-Request-Id` the sandbox logged for it.

use s4e::{AssetType, Error, ExportFormat};
use serde_json::json;

use crate::support::{self, TestResult, assert_is_last_logged};

#[tokio::test]
async fn the_read_only_key_reads_but_cannot_write() -> TestResult {
    let sandbox = support::start().await?;
    let controls = sandbox.controls();
    let read_only = support::client_builder(&sandbox, sandbox.read_only_key()).build()?;

    assert_eq!(read_only.assets().list().await?.total, Some(36));
    assert_eq!(read_only.findings().get("f-70001").await?.id, "f-70001");
    assert_eq!(read_only.webhooks().list().await?.len(), 2);
    // Export and validate only read, so they are allowed.
    let mut csv = Vec::new();
    read_only
        .findings()
        .export(ExportFormat::Csv)
        .severity([s4e::Severity::Critical])
        .write_to(&mut csv)
        .await?;
    assert!(!support::csv_ids(&csv).is_empty());
    let report = read_only
        .actions()
        .validate(json!({ "name": "x", "type": "script" }))
        .await?;
    assert!(report.valid);

    let err = read_only
        .assets()
        .create("read-only.e2e.example", AssetType::Domain)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(api) if api.status() == 403),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("forbidden"));
    assert!(!err.is_retryable());
    assert_is_last_logged(controls, &err);
    assert_eq!(controls.count("POST", "/assets"), 1, "a 403 is not retried");

    for err in [
        read_only.assets().delete("a-1001").await.unwrap_err(),
        read_only
            .scans()
            .create("a-1001", s4e::ScanType::Quick)
            .await
            .unwrap_err(),
        read_only
            .findings()
            .update("f-70001")
            .status(s4e::FindingStatus::Resolved)
            .await
            .unwrap_err(),
        read_only.webhooks().test("wh-001").await.unwrap_err(),
    ] {
        assert!(
            matches!(&err, Error::Auth(api) if api.status() == 403),
            "{err:?}"
        );
    }
    // Nothing was written.
    let client = support::client(&sandbox);
    assert_eq!(client.assets().list().await?.total, Some(36));
    assert_eq!(client.scans().list().await?.total, Some(30));
    Ok(())
}

#[tokio::test]
async fn a_wrong_key_is_refused() -> TestResult {
    let sandbox = support::start().await?;
    let controls = sandbox.controls();
    let wrong = support::client_builder(&sandbox, "sk_sandbox_not_a_key").build()?;

    let err = wrong.assets().list().await.unwrap_err();
    assert!(
        matches!(&err, Error::Auth(api) if api.status() == 401),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("unauthorized"));
    assert_is_last_logged(controls, &err);
    let err = wrong
        .assets()
        .create("wrong-key.e2e.example", AssetType::Domain)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(api) if api.status() == 401),
        "{err:?}"
    );
    assert_eq!(controls.requests().len(), 2, "401s are not retried");
    Ok(())
}

#[tokio::test]
async fn errors_carry_the_request_id_of_the_log() -> TestResult {
    let sandbox = support::start().await?;
    let controls = sandbox.controls();
    let client = support::client(&sandbox);

    let err = support::not_found(client.scans().get("sc-1").await);
    assert_is_last_logged(controls, &err);

    let err = client
        .assets()
        .create("not a domain", AssetType::Domain)
        .await
        .unwrap_err();
    support::assert_invalid_field(&err, "name");
    assert_is_last_logged(controls, &err);

    controls.fail_next(1, 500);
    let err = client
        .actions()
        .trigger("act-block-ip")
        .parameter("ip", "203.0.113.1")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_is_last_logged(controls, &err);

    // Successful answers are logged with their own ids too, all distinct.
    client.assets().get("a-1001").await?;
    let log = controls.requests();
    let distinct: std::collections::HashSet<&str> =
        log.iter().map(|r| r.request_id.as_str()).collect();
    assert_eq!(distinct.len(), log.len());
    assert_eq!(log.last().map(|r| r.status), Some(Some(200)));
    Ok(())
}
