//! The same end-to-end checks with `s4e::blocking::Client`, called from the
//! test thread outside any runtime; the sandbox runs on a runtime the test
//! owns (see `support::BlockingSandbox`).

use std::collections::BTreeMap;
use std::time::Duration;

use s4e::actions::{ActionType, ExecutionStatus};
use s4e::assets::{AssetStatus, AssetType, NewAsset};
use s4e::playbooks::{PlaybookStep, PlaybookTrigger, RunStatus};
use s4e::scans::{ScanStatus, ScanType};
use s4e::webhooks::{self, EventData, EventType};
use s4e::{Error, ExportFormat, Finding, FindingStatus, Severity};
use s4e_sandbox::Fault;
use serde_json::json;

use crate::support::{
    self, BlockingSandbox, TestResult, assert_distinct, assert_is_last_logged, ids, requests_to,
    sorted,
};

/// Fetches every page of `$handle.list()$(.$filter)*` one by one and checks
/// the iterators against them; evaluates to the number of items.
macro_rules! assert_auto_equals_pages {
    ($handle:expr, $per_page:expr $(, $filter:ident($value:expr))*) => {{
        let per_page: u32 = $per_page;
        let mut by_page: Vec<String> = Vec::new();
        let mut number = 1;
        let total = loop {
            let page = $handle.list()$(.$filter($value))*.page(number).per_page(per_page).send()?;
            assert_eq!(page.current_page, number);
            by_page.extend(page.iter().map(|item| item.id.to_string()));
            match page.next_page() {
                Some(next) => number = next,
                None => break page.total,
            }
        };
        assert_eq!(total, Some(by_page.len() as u64), "meta.total");
        assert_distinct(&by_page);
        let auto = $handle
            .list_auto()$(.$filter($value))*
            .per_page(per_page)
            .map(|item| item.map(|item| item.id.to_string()))
            .collect::<Result<Vec<String>, Error>>()?;
        assert_eq!(auto, by_page, "list_auto, one page at a time");
        let concurrent = $handle
            .list_auto()$(.$filter($value))*
            .per_page(per_page)
            .concurrency(4)
            .map(|item| item.map(|item| item.id.to_string()))
            .collect::<Result<Vec<String>, Error>>()?;
        assert_eq!(concurrent, by_page, "list_auto with concurrency(4)");
        let pages = $handle
            .list_auto()$(.$filter($value))*
            .per_page(per_page)
            .pages()
            .collect::<Result<Vec<_>, Error>>()?;
        let flat: Vec<String> = pages
            .iter()
            .flat_map(|p| p.iter().map(|item| item.id.to_string()))
            .collect();
        assert_eq!(flat, by_page, "pages()");
        by_page.len()
    }};
}

#[test]
fn blocking_auto_pagination_equals_the_pages_of_every_list() -> TestResult {
    let env = BlockingSandbox::start();
    let client = support::blocking_client(&env.sandbox);

    let findings = assert_auto_equals_pages!(client.findings(), 23);
    assert!(findings > 200);
    let critical = assert_auto_equals_pages!(
        client.findings(),
        5,
        severity([Severity::Critical]),
        status(FindingStatus::Open)
    );
    assert!(critical > 5, "{critical}");
    assert_eq!(assert_auto_equals_pages!(client.assets(), 10), 36);
    assert_eq!(assert_auto_equals_pages!(client.scans(), 6), 30);
    assert_eq!(assert_auto_equals_pages!(client.actions(), 5), 6);
    assert_eq!(assert_auto_equals_pages!(client.playbooks(), 2), 4);
    assert_eq!(assert_auto_equals_pages!(client.webhooks(), 1), 2);
    Ok(())
}

#[test]
fn blocking_assets_and_scans() -> TestResult {
    let env = BlockingSandbox::start();
    let controls = env.controls();
    let client = support::blocking_client(&env.sandbox);
    let tag = "e2e-blocking-91c2";

    assert_eq!(client.assets().list().send()?.total, Some(36));
    let asset = client
        .assets()
        .create("blocking.e2e.example", AssetType::Domain)
        .tags([tag])
        .send()?;
    assert_eq!(asset.status, Some(AssetStatus::PendingVerification));
    let bulk = client
        .assets()
        .bulk_create(vec![
            NewAsset::new("203.0.113.250", AssetType::Ip).tags([tag]),
            NewAsset::new("ftp://nope", AssetType::Url).tags([tag]),
        ])
        .send()?;
    assert_eq!((bulk.created.len(), bulk.failed.len()), (1, 1));
    let updated = client
        .assets()
        .update(asset.id.clone())
        .description("blocking")
        .send()?;
    assert_eq!(updated.description.as_deref(), Some("blocking"));
    let verified = client.assets().verify(asset.id.clone()).send()?;
    assert!(verified.verified);
    let got = client.assets().get(asset.id.clone()).send()?;
    assert!(got.verified);
    assert_eq!(got.status, Some(AssetStatus::Active));
    assert_eq!(got.description.as_deref(), Some("blocking"));
    let tagged = client.assets().list().tag(tag).send()?;
    assert_eq!(
        sorted(ids(&tagged.items, |a| &a.id)),
        sorted(vec![asset.id.to_string(), bulk.created[0].id.to_string()])
    );
    let auto = client
        .assets()
        .list_auto()
        .tag(tag)
        .collect::<Result<Vec<_>, Error>>()?;
    assert_eq!(ids(&auto, |a| &a.id), ids(&tagged.items, |a| &a.id));

    // The scan lifecycle on the clock.
    let scan = client
        .scans()
        .create(asset.id.clone(), ScanType::Quick)
        .send()?;
    assert_eq!(scan.status, Some(ScanStatus::Queued));
    assert_eq!(
        client.scans().status(scan.id.clone()).send()?.status,
        Some(ScanStatus::Queued)
    );
    controls.advance(Duration::from_secs(31));
    assert_eq!(
        client.scans().get(scan.id.clone()).send()?.status,
        Some(ScanStatus::Running)
    );
    let status_path = format!("/scans/{}/status", scan.id);
    let waited = std::thread::scope(|s| {
        s.spawn(|| {
            support::advance_after_blocking(
                controls,
                "GET",
                &status_path,
                2,
                Duration::from_secs(180),
            );
        });
        client
            .scans()
            .wait(scan.id.clone())
            .interval(Duration::from_millis(5))
            .timeout(support::PATIENCE)
            .send()
    })?;
    assert_eq!(waited.status, Some(ScanStatus::Completed));
    assert!(controls.count("GET", &status_path) >= 3, "wait polled");
    let count = waited.finding_count.unwrap_or_default();
    assert!(count > 0);
    let found = client.findings().list().scan_id(scan.id.clone()).send()?;
    assert_eq!(found.len() as u32, count);
    assert!(found.iter().all(|f| f.scan_id.as_ref() == Some(&scan.id)));

    let listed = client.scans().list().asset_id(asset.id.clone()).send()?;
    assert_eq!(ids(&listed.items, |s| &s.id), [scan.id.to_string()]);
    let auto = client
        .scans()
        .list_auto()
        .status(ScanStatus::Completed)
        .per_page(50)
        .collect::<Result<Vec<_>, Error>>()?;
    let completed = client
        .scans()
        .list()
        .status(ScanStatus::Completed)
        .per_page(1)
        .send()?;
    // 24 seeded, ours, and any seeded running scan the advances finished.
    assert_eq!(completed.total, Some(auto.len() as u64));
    assert!(auto.len() >= 25);
    assert!(auto.iter().all(|s| s.status == Some(ScanStatus::Completed)));
    assert!(auto.iter().any(|s| s.id == scan.id));

    let err = client.scans().cancel(scan.id.clone()).send().unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert_is_last_logged(controls, &err);
    let other = client.scans().create("a-1002", ScanType::Dns).send()?;
    let cancelled = client.scans().cancel(other.id.clone()).send()?;
    assert_eq!(cancelled.status, Some(ScanStatus::Cancelled));

    client.assets().delete(asset.id.clone()).send()?;
    let err = client.assets().get(asset.id.clone()).send().unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_is_last_logged(controls, &err);
    Ok(())
}

#[test]
fn blocking_findings_and_exports() -> TestResult {
    let env = BlockingSandbox::start();
    let client = support::blocking_client(&env.sandbox);

    let all = client
        .findings()
        .list_auto()
        .per_page(100)
        .collect::<Result<Vec<Finding>, Error>>()?;
    let high = client
        .findings()
        .list_auto()
        .severity([Severity::High])
        .per_page(100)
        .collect::<Result<Vec<Finding>, Error>>()?;
    assert!(!high.is_empty());
    assert_eq!(
        ids(&high, |f| &f.id),
        all.iter()
            .filter(|f| f.severity == Severity::High)
            .map(|f| f.id.to_string())
            .collect::<Vec<_>>()
    );
    let page = client
        .findings()
        .list()
        .status(FindingStatus::Confirmed)
        .send()?;
    let confirmed = all
        .iter()
        .filter(|f| f.status == Some(FindingStatus::Confirmed))
        .count();
    assert_eq!(page.total, Some(confirmed as u64));

    let first = &page.items[0];
    let got = client.findings().get(first.id.clone()).send()?;
    assert_eq!(got.id, first.id);
    let updated = client
        .findings()
        .update(first.id.clone())
        .status(FindingStatus::FalsePositive)
        .note("not reachable")
        .send()?;
    assert_eq!(updated.status, Some(FindingStatus::FalsePositive));
    let after = client
        .findings()
        .list()
        .status(FindingStatus::Confirmed)
        .per_page(1)
        .send()?;
    assert_eq!(after.total, Some(confirmed as u64 - 1));

    let mut csv = Vec::new();
    let written = client
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut csv)?;
    assert_eq!(written, csv.len() as u64);
    let rows = support::csv_ids(&csv);
    assert_eq!(rows.len(), all.len());
    assert_eq!(sorted(rows), sorted(ids(&all, |f| &f.id)));

    let mut json = Vec::new();
    let written = client
        .findings()
        .export(ExportFormat::Json)
        .severity([Severity::High])
        .write_to(&mut json)?;
    assert_eq!(written, json.len() as u64);
    let exported: Vec<Finding> = serde_json::from_slice(&json)?;
    assert_eq!(
        sorted(ids(&exported, |f| &f.id)),
        sorted(ids(&high, |f| &f.id))
    );
    Ok(())
}

#[test]
fn blocking_actions_and_playbooks() -> TestResult {
    let env = BlockingSandbox::start();
    let controls = env.controls();
    let client = support::blocking_client(&env.sandbox);

    let actions = client.actions().list().send()?;
    assert_eq!(actions.total, Some(6));
    let auto = client
        .actions()
        .list_auto()
        .per_page(2)
        .collect::<Result<Vec<_>, Error>>()?;
    assert_eq!(ids(&auto, |a| &a.id), ids(&actions.items, |a| &a.id));
    assert_eq!(
        client.actions().get("act-notify-slack").send()?.name,
        "Notify Slack"
    );
    let report = client
        .actions()
        .validate(json!({ "name": "Ping", "type": "webhook", "executor": "webhook" }))
        .send()?;
    assert!(report.valid);
    assert!(!report.warnings.is_empty(), "no description, no target");
    let created = client
        .actions()
        .create("Blocking ping", ActionType::Webhook)
        .send()?;
    let updated = client
        .actions()
        .update(created.id.clone())
        .name("Blocking ping v2")
        .send()?;
    assert_eq!(updated.name, "Blocking ping v2");
    let execution = client
        .actions()
        .trigger(created.id.clone())
        .sandbox(true)
        .send()?;
    assert_eq!(execution.status, Some(ExecutionStatus::Queued));
    controls.advance(Duration::from_secs(40));
    let done = client
        .actions()
        .execution_status(created.id.clone(), execution.id)
        .send()?;
    assert_eq!(done.status, Some(ExecutionStatus::Completed));
    // The blocking wait, driven by the sandbox clock, with progress reports.
    let second = client
        .actions()
        .trigger(created.id.clone())
        .sandbox(true)
        .send()?;
    let executions_path = format!("/actions/{}/executions/{}", created.id, second.id);
    let (reports, seen) = std::sync::mpsc::channel();
    let waited = std::thread::scope(|s| {
        s.spawn(|| {
            support::advance_after_blocking(
                controls,
                "GET",
                &executions_path,
                1,
                Duration::from_secs(40),
            );
        });
        client
            .actions()
            .wait_execution(created.id.clone(), second.id.clone())
            .interval(Duration::from_millis(5))
            .timeout(support::PATIENCE)
            .on_progress(move |e| reports.send(e.status.clone()).unwrap())
            .send()
    })?;
    assert_eq!(waited.status, Some(ExecutionStatus::Completed));
    let seen: Vec<_> = seen.try_iter().collect();
    assert_eq!(seen.len(), controls.count("GET", &executions_path));
    assert_eq!(seen.last(), Some(&Some(ExecutionStatus::Completed)));
    client.actions().delete(created.id.clone()).send()?;
    let err = client.actions().get(created.id).send().unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");

    let playbooks = client.playbooks().list().send()?;
    assert_eq!(playbooks.total, Some(4));
    let auto = client
        .playbooks()
        .list_auto()
        .per_page(3)
        .collect::<Result<Vec<_>, Error>>()?;
    assert_eq!(ids(&auto, |p| &p.id), ids(&playbooks.items, |p| &p.id));
    assert_eq!(
        client
            .playbooks()
            .get("pb-exposed-service")
            .send()?
            .steps
            .len(),
        2
    );
    let created = client
        .playbooks()
        .create(
            "Blocking playbook",
            "1.0",
            PlaybookTrigger::new(EventType::AssetCreated),
            vec![
                PlaybookStep::new("verify", "asset_verify"),
                PlaybookStep::new("announce", "action").action_ref("act-notify-slack"),
            ],
        )
        .send()?;
    let updated = client
        .playbooks()
        .update(created.id.clone())
        .description("two steps")
        .send()?;
    assert_eq!(updated.description.as_deref(), Some("two steps"));
    let run = client
        .playbooks()
        .run(created.id.clone(), "a-1003")
        .send()?;
    assert_eq!(run.status, Some(RunStatus::Pending));
    let runs_path = format!("/playbooks/{}/runs/{}", created.id, run.id);
    let finished = std::thread::scope(|s| {
        s.spawn(|| {
            support::advance_after_blocking(
                controls,
                "GET",
                &runs_path,
                1,
                Duration::from_secs(70),
            );
        });
        client
            .playbooks()
            .wait_run(created.id.clone(), run.id.clone())
            .interval(Duration::from_millis(5))
            .timeout(support::PATIENCE)
            .send()
    })?;
    assert_eq!(finished.status, Some(RunStatus::Completed));
    assert!(controls.count("GET", &runs_path) >= 2, "wait_run polled");
    let status = client
        .playbooks()
        .run_status(created.id.clone(), run.id)
        .send()?;
    assert_eq!(status, finished);
    client.playbooks().delete(created.id.clone()).send()?;
    let err = client.playbooks().get(created.id).send().unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    Ok(())
}

#[test]
fn blocking_webhooks_and_a_signed_delivery() -> TestResult {
    let env = BlockingSandbox::start();
    let client = support::blocking_client(&env.sandbox);
    let listener = env.listener();
    let secret = "whsec_e2e_blocking_77aa";

    let hook = client
        .webhooks()
        .create("blocking", listener.url(), [EventType::WebhookTest])
        .secret(secret)
        .headers(BTreeMap::from([("X-Env".to_owned(), "e2e".to_owned())]))
        .send()?;
    assert_eq!(client.webhooks().get(hook.id.clone()).send()?, hook);
    let all = client
        .webhooks()
        .list_auto()
        .collect::<Result<Vec<_>, Error>>()?;
    assert_eq!(
        ids(&all, |w| &w.id),
        ids(&client.webhooks().list().send()?.items, |w| &w.id)
    );
    assert_eq!(all.len(), 3);

    let test = client.webhooks().test(hook.id.clone()).send()?;
    assert!(test.delivered && test.status_code == Some(200), "{test:?}");
    let delivery = listener.next_blocking();
    let event = webhooks::verify(&delivery.body, &delivery.signature, secret)?;
    assert_eq!(event.event_type, EventType::WebhookTest);
    assert!(webhooks::verify(&delivery.body, &delivery.signature, "whsec_other").is_err());

    // Subscribe to scans too: a real event arrives, signed.
    let updated = client
        .webhooks()
        .update(hook.id.clone())
        .events([EventType::WebhookTest, EventType::ScanCreated])
        .send()?;
    assert_eq!(updated.events.len(), 2);
    let scan = client.scans().create("a-1004", ScanType::Port).send()?;
    let delivery = listener.next_blocking();
    assert_eq!(delivery.event, "scan.created");
    let event = webhooks::verify(&delivery.body, &delivery.signature, secret)?;
    match event.payload()? {
        EventData::Scan(created) => assert_eq!(created.id, scan.id),
        other => panic!("a scan event carries a scan: {other:?}"),
    }
    assert!(webhooks::verify(&delivery.body, &delivery.signature, "whsec_other").is_err());

    client.webhooks().delete(hook.id.clone()).send()?;
    let err = client.webhooks().get(hook.id).send().unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    Ok(())
}

#[test]
fn blocking_idempotency_auth_and_request_ids() -> TestResult {
    let env = BlockingSandbox::start();
    let controls = env.controls();
    let client = support::blocking_client(&env.sandbox);

    // With an explicit key: retried through the 503, created once.
    controls.inject(Fault::status(503).times(1).on("POST", "/assets"));
    let asset = client
        .assets()
        .create("keyed.blocking.example", AssetType::Domain)
        .idempotency_key("e2e-blocking-keyed-3c4d")
        .send()?;
    let posts = requests_to(controls, "POST", "/assets");
    assert_eq!(
        posts.iter().map(|p| p.status).collect::<Vec<_>>(),
        [Some(503), Some(201)]
    );
    let named = client
        .assets()
        .list()
        .search("keyed.blocking.example")
        .send()?;
    assert_eq!(ids(&named.items, |a| &a.id), [asset.id.to_string()]);

    // Without: one request, a 503 to the caller, nothing created.
    controls.clear_requests();
    controls.inject(Fault::status(503).times(1).on("POST", "/assets"));
    let err = client
        .assets()
        .create("unkeyed.blocking.example", AssetType::Domain)
        .send()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api(api) if api.status() == 503),
        "{err:?}"
    );
    assert_eq!(controls.count("POST", "/assets"), 1);
    assert_is_last_logged(controls, &err);
    let named = client
        .assets()
        .list()
        .search("unkeyed.blocking.example")
        .send()?;
    assert_eq!(named.total, Some(0));

    let read_only =
        support::client_builder(&env.sandbox, env.sandbox.read_only_key()).build_blocking()?;
    assert_eq!(read_only.scans().list().send()?.total, Some(30));
    let err = read_only
        .webhooks()
        .create("nope", "http://127.0.0.1:9/x", [EventType::ScanFailed])
        .send()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(api) if api.status() == 403),
        "{err:?}"
    );
    assert_is_last_logged(controls, &err);

    let wrong = support::client_builder(&env.sandbox, "sk_wrong").build_blocking()?;
    let err = wrong.findings().list().send().unwrap_err();
    assert!(
        matches!(&err, Error::Auth(api) if api.status() == 401),
        "{err:?}"
    );
    assert_is_last_logged(controls, &err);
    Ok(())
}
