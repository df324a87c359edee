//! Webhooks with the async client: CRUD, and signed deliveries received on a
//! local listener and checked with `s4e::webhooks::verify`.

use std::collections::BTreeMap;

use s4e::FindingStatus;
use s4e::webhooks::{self, EventData, EventType, SignatureError};

use crate::support::{self, Listener, TestResult, ids};

#[tokio::test]
async fn every_webhook_operation() -> TestResult {
    let sandbox = support::start().await?;
    let client = support::client(&sandbox);

    let seeded = client.webhooks().list().await?;
    assert_eq!(ids(&seeded.items, |w| &w.id), ["wh-001", "wh-002"]);
    assert!(
        seeded.iter().all(|w| !w.active),
        "seeded webhooks are inactive"
    );

    let created = client
        .webhooks()
        .create(
            "e2e hooks",
            "http://127.0.0.1:9/e2e",
            [EventType::ScanCompleted, EventType::ScanFailed],
        )
        .secret("whsec_e2e_crud")
        .headers(BTreeMap::from([("X-Team".to_owned(), "secops".to_owned())]))
        .await?;
    assert_eq!(created.id, "wh-003");
    assert!(created.active, "active by default");
    assert_eq!(
        created.events,
        [EventType::ScanCompleted, EventType::ScanFailed]
    );
    assert_eq!(
        created.headers.get("X-Team").map(String::as_str),
        Some("secops")
    );
    let got = client.webhooks().get(created.id.clone()).await?;
    assert_eq!(got, created);

    let updated = client
        .webhooks()
        .update(created.id.clone())
        .events([EventType::FindingNew])
        .active(false)
        .name("e2e hooks, paused")
        .await?;
    assert_eq!(updated.events, [EventType::FindingNew]);
    assert!(!updated.active);
    assert_eq!(updated.name, "e2e hooks, paused");
    assert_eq!(updated.url, created.url, "unchanged fields stay");
    assert_eq!(client.webhooks().get(created.id.clone()).await?, updated);

    let all: Vec<s4e::Webhook> = client
        .webhooks()
        .list_auto()
        .per_page(1)
        .try_collect()
        .await?;
    assert_eq!(ids(&all, |w| &w.id), ["wh-001", "wh-002", "wh-003"]);

    // `http://` is accepted only to a loopback host (https goes anywhere).
    let err = client
        .webhooks()
        .create(
            "remote",
            "http://hooks.example.com/s4e",
            [EventType::ScanCompleted],
        )
        .await
        .unwrap_err();
    support::assert_invalid_field(&err, "url");

    client.webhooks().delete(created.id.clone()).await?;
    support::not_found(client.webhooks().get(created.id.clone()).await);
    support::not_found(client.webhooks().test(created.id.clone()).await);
    assert_eq!(client.webhooks().list().await?.total, Some(2));
    Ok(())
}

#[tokio::test]
async fn signed_deliveries_verify_with_the_secret_only() -> TestResult {
    let sandbox = support::start().await?;
    let client = support::client(&sandbox);
    let listener = Listener::start().await?;
    let secret = "whsec_e2e_delivery_5b1e";

    let hook = client
        .webhooks()
        .create(
            "e2e listener",
            listener.url(),
            [EventType::WebhookTest, EventType::FindingStatusChanged],
        )
        .secret(secret)
        .await?;

    // 1. The test event, delivered before the call answers.
    let test = client.webhooks().test(hook.id.clone()).await?;
    assert!(test.delivered, "{test:?}");
    assert_eq!(test.status_code, Some(200));
    let delivery = listener.next().await;
    assert_eq!(delivery.event, "webhook.test");
    let event = webhooks::verify(&delivery.body, &delivery.signature, secret)?;
    assert_eq!(event.event_type, EventType::WebhookTest);
    assert!(
        event
            .id
            .as_ref()
            .is_some_and(|id| id.as_str().starts_with("evt-")),
        "{event:?}"
    );
    match event.payload()? {
        EventData::Test(data) => assert_eq!(data["webhook_id"], hook.id.as_str()),
        other => panic!("a test event carries test data: {other:?}"),
    }
    assert_eq!(
        webhooks::verify(&delivery.body, &delivery.signature, "whsec_wrong").unwrap_err(),
        SignatureError::Mismatch
    );
    let mut tampered = delivery.body.clone();
    let last = tampered.len() - 2;
    tampered[last] ^= 0x01;
    assert!(webhooks::verify(&tampered, &delivery.signature, secret).is_err());
    assert_eq!(
        webhooks::verify(&delivery.body, "", secret).unwrap_err(),
        SignatureError::MissingHeader
    );

    // 2. A real event: a finding changes status.
    let finding = client
        .findings()
        .list()
        .status(FindingStatus::Open)
        .per_page(1)
        .await?
        .items
        .remove(0);
    client
        .findings()
        .update(finding.id.clone())
        .status(FindingStatus::Confirmed)
        .await?;
    let delivery = listener.next().await;
    assert_eq!(delivery.event, "finding.status_changed");
    let event = webhooks::verify(&delivery.body, &delivery.signature, secret)?;
    assert_eq!(event.event_type, EventType::FindingStatusChanged);
    match event.payload()? {
        EventData::FindingStatusChanged(change) => {
            assert_eq!(change.finding_id, finding.id);
            assert_eq!(change.old_status, FindingStatus::Open);
            assert_eq!(change.new_status, FindingStatus::Confirmed);
            let whole = change.finding.expect("the sandbox sends the whole finding");
            assert_eq!(whole.status, Some(FindingStatus::Confirmed));
        }
        other => panic!("a status change carries the change: {other:?}"),
    }
    assert!(webhooks::verify(&delivery.body, &delivery.signature, "whsec_wrong").is_err());

    // Events it is not subscribed to (asset.created) are not sent to it.
    client
        .assets()
        .create("quiet.e2e.example", s4e::AssetType::Domain)
        .await?;
    // A later subscribed event arrives next, so nothing came in between.
    client.webhooks().test(hook.id.clone()).await?;
    assert_eq!(listener.next().await.event, "webhook.test");
    assert!(listener.rest().is_empty());

    let deliveries = sandbox.controls().deliveries();
    let events: Vec<&str> = deliveries.iter().map(|d| d.event.as_str()).collect();
    assert_eq!(
        events,
        ["webhook.test", "finding.status_changed", "webhook.test"]
    );
    assert!(deliveries.iter().all(|d| d.delivered
        && d.status_code == Some(200)
        && d.webhook_id.as_deref() == Some(hook.id.as_str())
        && d.url == listener.url()));
    Ok(())
}
