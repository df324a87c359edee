//! Retries of creates under injected faults, with the async client, checked
//! in the sandbox's request log: a caller-set `Idempotency-Key` makes a POST
//! retryable and the server creates once; without one a 503 is not retried.

use s4e::{AssetType, Error};
use s4e_sandbox::Fault;

use crate::support::{self, TestResult, requests_to};

/// How many assets have exactly this name.
async fn named(client: &s4e::Client, name: &str) -> s4e::Result<usize> {
    let page = client.assets().list().search(name).per_page(100).await?;
    Ok(page.iter().filter(|a| a.domain == name).count())
}

#[tokio::test]
async fn a_keyed_create_is_retried_through_a_503_and_creates_once() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;
    let name = "keyed-503.e2e.example";
    let key = "e2e-keyed-503-2d9c";

    controls.inject(Fault::status(503).times(1).on("POST", "/assets"));
    let asset = client
        .assets()
        .create(name, AssetType::Domain)
        .idempotency_key(key)
        .await?;
    assert_eq!(asset.domain, name);
    assert!(controls.faults().is_empty(), "the fault was used up");

    let posts = requests_to(&controls, "POST", "/assets");
    assert_eq!(posts.len(), 2, "{posts:#?}");
    assert_eq!(controls.count("POST", "/assets"), 2);
    assert_eq!(posts[0].status, Some(503));
    assert_eq!(posts[0].fault.as_deref(), Some("status"));
    assert_eq!(posts[1].status, Some(201));
    assert_eq!(posts[1].fault, None);
    assert!(!posts[1].replayed, "the 503 stored nothing to replay");
    for post in &posts {
        assert_eq!(
            post.idempotency_key.as_deref(),
            Some(key),
            "the same key each time"
        );
    }
    assert_ne!(posts[0].request_id, posts[1].request_id);
    assert_eq!(named(&client, name).await?, 1, "exactly one asset");

    // Sending it again replays the stored answer instead of creating.
    let again = client
        .assets()
        .create(name, AssetType::Domain)
        .idempotency_key(key)
        .await?;
    assert_eq!(again, asset);
    let posts = requests_to(&controls, "POST", "/assets");
    assert_eq!(posts.len(), 3);
    assert!(posts[2].replayed);
    assert_eq!(named(&client, name).await?, 1, "still one asset");
    Ok(())
}

#[tokio::test]
async fn a_keyed_create_survives_a_dropped_answer_without_duplicating() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;
    let name = "keyed-drop.e2e.example";

    // The server creates, then the connection breaks before the answer.
    controls.inject(Fault::drop_before_headers().on("POST", "/assets"));
    let asset = client
        .assets()
        .create(name, AssetType::Domain)
        .idempotency_key("e2e-keyed-drop-81f0")
        .await?;
    let posts = requests_to(&controls, "POST", "/assets");
    assert_eq!(posts.len(), 2, "{posts:#?}");
    assert_eq!(posts[0].status, None, "no answer was sent");
    assert_eq!(posts[0].fault.as_deref(), Some("drop_before_headers"));
    assert!(posts[1].replayed, "the retry got the first answer");
    assert_eq!(posts[1].status, Some(201));
    assert_eq!(named(&client, name).await?, 1);
    assert_eq!(client.assets().get(asset.id.clone()).await?.domain, name);
    Ok(())
}

#[tokio::test]
async fn an_unkeyed_create_is_not_retried_after_a_503() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;
    let name = "unkeyed-503.e2e.example";

    controls.inject(Fault::status(503).times(1).on("POST", "/assets"));
    let err = client
        .assets()
        .create(name, AssetType::Domain)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.code(), Some("service_unavailable"));
    assert!(err.is_retryable(), "transient, yet not safe to repeat");
    let posts = requests_to(&controls, "POST", "/assets");
    assert_eq!(posts.len(), 1, "not retried: {posts:#?}");
    assert_eq!(controls.count("POST", "/assets"), 1);
    assert_eq!(posts[0].status, Some(503));
    assert_eq!(err.request_id(), Some(posts[0].request_id.as_str()));
    assert_eq!(named(&client, name).await?, 0, "no asset created");

    // The same call without a fault goes through once, under a fresh key:
    // the client generates one per call, but only a caller-set key makes it
    // retry a write.
    client.assets().create(name, AssetType::Domain).await?;
    let posts = requests_to(&controls, "POST", "/assets");
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1].status, Some(201));
    let generated: Vec<&str> = posts
        .iter()
        .map(|p| {
            p.idempotency_key
                .as_deref()
                .expect("every POST carries a key")
        })
        .collect();
    assert_ne!(generated[0], generated[1]);
    assert_eq!(named(&client, name).await?, 1);
    Ok(())
}

#[tokio::test]
async fn reset_forgets_created_data_and_stored_answers() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;
    let name = "reset.e2e.example";
    let key = "e2e-reset-4b6f";

    let first = client
        .assets()
        .create(name, AssetType::Domain)
        .idempotency_key(key)
        .await?;
    controls.inject(Fault::status(500).times(5));
    controls.reset();
    assert!(controls.faults().is_empty());
    assert!(controls.requests().is_empty());
    assert_eq!(
        client.assets().list().await?.total,
        Some(36),
        "the seed again"
    );
    let second = client
        .assets()
        .create(name, AssetType::Domain)
        .idempotency_key(key)
        .await?;
    assert!(!requests_to(&controls, "POST", "/assets")[0].replayed);
    assert_eq!(second.id, first.id, "ids restart with the seed");
    assert_eq!(named(&client, name).await?, 1);
    Ok(())
}

#[tokio::test]
async fn reads_are_retried_and_writes_give_up_after_the_retry_budget() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;

    // A GET retries through two 503s.
    controls.inject(Fault::status(503).times(2).on("GET", "/assets/a-1001"));
    let asset = client.assets().get("a-1001").await?;
    assert_eq!(asset.id, "a-1001");
    assert_eq!(controls.count("GET", "/assets/a-1001"), 3);

    // A keyed create gives up after 1 + retries attempts, with the last error.
    controls.clear_requests();
    controls.inject(Fault::status(502).times(10).on("POST", "/assets"));
    let err = client
        .assets()
        .create("budget.e2e.example", AssetType::Domain)
        .idempotency_key("e2e-budget-0a7e")
        .retries(2)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502), "{err:?}");
    assert_eq!(controls.count("POST", "/assets"), 3);
    support::assert_is_last_logged(&controls, &err);
    controls.clear_faults();
    assert_eq!(named(&client, "budget.e2e.example").await?, 0);
    Ok(())
}
