//! Response metadata and hooks against the sandbox: the request id a call
//! (and the response hook) sees is the one the server logged, and every
//! answer states the rate limit.

use std::sync::{Arc, Mutex};

use crate::support::{self, TestResult};

#[tokio::test]
async fn a_call_returns_the_request_id_the_server_logged() -> TestResult {
    let sandbox = support::start().await?;
    let outcomes: Arc<Mutex<Vec<(u16, String)>>> = Arc::default();
    let record = outcomes.clone();
    let client = support::client_builder(&sandbox, sandbox.api_key())
        .default_header("X-Tenant", "acme-eu")
        .on_response(move |outcome| {
            record.lock().unwrap().push((
                outcome.status().unwrap_or_default(),
                outcome.request_id().unwrap_or_default().to_owned(),
            ));
        })
        .build()?;

    let page = client
        .findings()
        .list()
        .per_page(3)
        .send_with_meta()
        .await?;
    assert_eq!(page.status(), 200);
    let limit = page
        .rate_limit()
        .expect("every answer states the rate limit");
    assert!(limit.remaining <= limit.limit, "{limit:?}");
    let first = page.value().items[0].id.clone();
    let got = client.findings().get(first).send_with_meta().await?;

    let logged: Vec<String> = sandbox
        .controls()
        .requests()
        .into_iter()
        .map(|record| record.request_id)
        .collect();
    let returned = [page.request_id(), got.request_id()].map(|id| id.unwrap().to_owned());
    assert_eq!(logged, returned);
    assert_eq!(
        outcomes.lock().unwrap().clone(),
        returned.map(|id| (200, id)).to_vec()
    );
    Ok(())
}
