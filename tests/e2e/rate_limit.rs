//! The client reads the sandbox's rate-limit windows (`docs/API.md` 3) and
//! paces to them: once a window is spent, no request is sent to collect a
//! 429.

use std::time::Duration;

use crate::support::{self, TestResult};

#[tokio::test]
async fn a_spent_window_is_not_asked_again() -> TestResult {
    let sandbox = support::builder().rate_limit(5).start().await?;
    let controls = sandbox.controls();
    // The window resets within the minute; waiting for it is not allowed.
    let client = support::client_builder(&sandbox, sandbox.api_key())
        .max_retry_wait(Duration::from_secs(1))
        .build()?;
    let listed = client.findings().list().per_page(1).await?;
    let id = listed.items[0].id.clone();
    for _ in 0..4 {
        client.findings().get(id.clone()).await?;
    }
    let state = client.rate_limit().expect("the sandbox states its limit");
    assert_eq!((state.limit, state.remaining), (5, 0));
    assert!(state.resets_in() <= Duration::from_secs(60));

    let error = client.findings().get(id.clone()).await.unwrap_err();
    assert!(
        matches!(&error, s4e::Error::RateLimit(api) if api.request_id().is_none()),
        "{error:?}"
    );
    assert!(
        error
            .retry_after()
            .is_some_and(|wait| wait <= Duration::from_secs(60))
    );
    let statuses: Vec<Option<u16>> = controls.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(200); 5], "five answers, no 429");

    // Without pacing the same call is sent and the sandbox answers 429.
    let unpaced = support::client_builder(&sandbox, sandbox.api_key())
        .retries(0)
        .rate_limit_pacing(false)
        .build()?;
    let error = unpaced.findings().get(id).await.unwrap_err();
    assert!(
        matches!(&error, s4e::Error::RateLimit(api) if api.request_id().is_some()),
        "{error:?}"
    );
    assert_eq!(support::last_request(controls).status, Some(429));
    Ok(())
}
