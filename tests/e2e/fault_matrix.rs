//! The fault matrix: a GET, a POST create (with and without an explicit
//! idempotency key), a PATCH and a paginated list, each under every fault the
//! sandbox injects. Each cell asserts the outcome, the number of attempts the
//! server saw, and — through the sandbox's state — that no create ever
//! happened twice. The table is printed at the end (`-- --nocapture`) and
//! written to `<target>/tmp/fault-matrix.md`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use s4e::{AssetType, FindingStatus};
use s4e_sandbox::{Fault, Sandbox};

/// The per-attempt timeout: an answer the sandbox gives at once beats it
/// even on a loaded machine, so that only the "slower than timeout" fault,
/// 10 times as long, times out.
const TIMEOUT: Duration = Duration::from_secs(2);

/// How long the slow fault holds an answer.
const SLOW: Duration = Duration::from_secs(20);
const RETRIES: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Get,
    Create,
    CreateWithKey,
    Patch,
    List,
}

impl Op {
    const ALL: [Op; 5] = [Op::Get, Op::Create, Op::CreateWithKey, Op::Patch, Op::List];

    fn label(self) -> &'static str {
        match self {
            Op::Get => "GET /findings/{id}",
            Op::Create => "POST /assets",
            Op::CreateWithKey => "POST /assets + key",
            Op::Patch => "PATCH /findings/{id}",
            Op::List => "GET /findings (list_auto)",
        }
    }

    fn method(self) -> &'static str {
        match self {
            Op::Get | Op::List => "GET",
            Op::Create | Op::CreateWithKey => "POST",
            Op::Patch => "PATCH",
        }
    }

    fn is_create(self) -> bool {
        matches!(self, Op::Create | Op::CreateWithKey)
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    UnderBudget,
    OverBudget,
    RateLimited,
    DropBeforeHeaders,
    DropMidBody,
    Truncated,
    Slow,
    Html502,
}

impl Kind {
    const ALL: [Kind; 8] = [
        Kind::UnderBudget,
        Kind::OverBudget,
        Kind::RateLimited,
        Kind::DropBeforeHeaders,
        Kind::DropMidBody,
        Kind::Truncated,
        Kind::Slow,
        Kind::Html502,
    ];

    fn label(self) -> &'static str {
        match self {
            Kind::UnderBudget => "503 ×2 (< budget)",
            Kind::OverBudget => "503 ×5 (> budget)",
            Kind::RateLimited => "429, Retry-After: 1",
            Kind::DropBeforeHeaders => "drop before headers",
            Kind::DropMidBody => "drop mid-body",
            Kind::Truncated => "truncated JSON",
            Kind::Slow => "slower than timeout",
            Kind::Html502 => "HTML 502 page",
        }
    }

    fn fault(self) -> Fault {
        match self {
            Kind::UnderBudget => Fault::status(503).times(2),
            Kind::OverBudget => Fault::status(503).times(5),
            Kind::RateLimited => Fault::status(429),
            Kind::DropBeforeHeaders => Fault::drop_before_headers(),
            Kind::DropMidBody => Fault::drop_after_headers(),
            Kind::Truncated => Fault::truncated_body(),
            Kind::Slow => Fault::delay(SLOW),
            Kind::Html502 => Fault::html_error(502),
        }
    }
}

/// What a cell must end with.
#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Ok,
    Api(u16),
    Transport,
    Decode,
    Timeout,
}

/// The contract: retries only where they are safe, and the right variant.
fn expected(op: Op, kind: Kind) -> (Expect, usize) {
    use Expect::*;
    let repeatable = matches!(op, Op::Get | Op::List | Op::CreateWithKey);
    match (kind, repeatable) {
        (Kind::UnderBudget, true) => (Ok, 3),
        (Kind::UnderBudget, false) => (Api(503), 1),
        (Kind::OverBudget, true) => (Api(503), 1 + RETRIES as usize),
        (Kind::OverBudget, false) => (Api(503), 1),
        // A 429 proves the request was not processed: every method retries.
        (Kind::RateLimited, _) => (Ok, 2),
        (Kind::DropBeforeHeaders, true) | (Kind::DropMidBody, true) | (Kind::Slow, true) => (Ok, 2),
        (Kind::DropBeforeHeaders, false) | (Kind::DropMidBody, false) => (Transport, 1),
        (Kind::Slow, false) => (Timeout, 1),
        // A well-framed but cut body is not a transient failure.
        (Kind::Truncated, _) => (Decode, 1),
        (Kind::Html502, true) => (Ok, 2),
        (Kind::Html502, false) => (Api(502), 1),
    }
}

fn classify(result: &Result<(), s4e::Error>) -> Expect {
    match result {
        Ok(()) => Expect::Ok,
        Err(s4e::Error::Transport { .. }) => Expect::Transport,
        Err(s4e::Error::Decode(_)) => Expect::Decode,
        Err(s4e::Error::Timeout(_)) => Expect::Timeout,
        Err(e) => match e.status() {
            Some(status) => Expect::Api(status),
            None => panic!("unexpected error {e:?}"),
        },
    }
}

struct Row {
    op: Op,
    kind: Kind,
    outcome: String,
    attempts: usize,
    creates: Option<usize>,
    elapsed: Duration,
}

async fn run_cell(client: &s4e::Client, op: Op, cell: usize) -> (Result<(), s4e::Error>, String) {
    let name = format!("fault-{cell}.example.com");
    let result = match op {
        Op::Get => client.findings().get("f-70001").await.map(drop),
        Op::Create => client
            .assets()
            .create(name.clone(), AssetType::Domain)
            .await
            .map(drop),
        Op::CreateWithKey => client
            .assets()
            .create(name.clone(), AssetType::Domain)
            .idempotency_key(format!("fault-matrix-{cell}"))
            .await
            .map(drop),
        Op::Patch => client
            .findings()
            .update("f-70001")
            .status(if cell % 2 == 0 {
                FindingStatus::Confirmed
            } else {
                FindingStatus::Open
            })
            .await
            .map(drop),
        Op::List => client
            .findings()
            .list_auto()
            .per_page(100)
            .try_collect::<Vec<_>>()
            .await
            .map(drop),
    };
    (result, name)
}

fn path_of(op: Op) -> &'static str {
    match op {
        Op::Get | Op::Patch => "/findings/f-70001",
        Op::Create | Op::CreateWithKey => "/assets",
        Op::List => "/findings",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_under_every_fault() {
    // One sandbox per operation, all at once: a cell's faults and request
    // log are its operation's own, and the slow cells' timeouts overlap.
    let per_op = futures_util::future::join_all(
        Op::ALL
            .into_iter()
            .enumerate()
            .map(|(index, op)| every_fault(op, index * Kind::ALL.len())),
    )
    .await;
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (op_rows, op_failures) in per_op {
        rows.extend(op_rows);
        failures.extend(op_failures);
    }

    assert_eq!(
        rows.len(),
        Op::ALL.len() * Kind::ALL.len(),
        "one row a cell"
    );
    let table = render(&rows);
    println!("{table}");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fault-matrix.md");
    std::fs::write(&path, &table).unwrap();
    println!("(written to {})", path.display());
    assert!(
        failures.is_empty(),
        "fault matrix failures:\n{}",
        failures.join("\n")
    );
}

/// The cells of `op`, on a sandbox of its own; `first_cell` numbers them
/// (and the assets they create) apart from the other operations'.
async fn every_fault(op: Op, first_cell: usize) -> (Vec<Row>, Vec<String>) {
    let sandbox = Sandbox::builder()
        .rate_limit(1_000_000)
        .start()
        .await
        .unwrap();
    let controls = sandbox.controls();
    let client = s4e::Client::builder(sandbox.api_key())
        .base_url(sandbox.base_url())
        .timeout(TIMEOUT)
        .retries(RETRIES)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let pages = {
        let all = client.findings().list().per_page(100).await.unwrap();
        all.last_page.unwrap() as usize
    };

    let mut rows = Vec::new();
    let mut failures = Vec::new();
    let mut cell = first_cell;
    for kind in Kind::ALL {
        cell += 1;
        controls.clear_faults();
        controls.clear_requests();
        controls.inject(kind.fault().on(op.method(), path_of(op)));
        let started = Instant::now();
        let (result, name) = run_cell(&client, op, cell).await;
        let elapsed = started.elapsed();
        controls.clear_faults();
        // The sandbox logs a request before it delays the answer, so
        // the log of a timed-out attempt is complete once the client
        // returns; a moment for the last one's handler all the same.
        if matches!(kind, Kind::Slow) {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let outcome = classify(&result);
        let attempts = controls
            .requests()
            .iter()
            .filter(|r| r.method == op.method() && r.path == format!("/v1{}", path_of(op)))
            .count();
        let creates = if op.is_create() {
            let found = client.assets().list().search(name.clone()).await.unwrap();
            Some(found.iter().filter(|a| a.domain == name).count())
        } else {
            None
        };

        let (want, want_attempts) = expected(op, kind);
        let want_attempts = match op {
            // Every page after the first succeeds at once.
            Op::List if want == Expect::Ok => want_attempts + pages - 1,
            _ => want_attempts,
        };
        if outcome != want || attempts != want_attempts {
            failures.push(format!(
                "{} under {}: got {outcome:?} after {attempts} attempts, want {want:?} after {want_attempts} ({result:?})",
                op.label(),
                kind.label()
            ));
        }
        if let Some(n) = creates {
            if n > 1 {
                failures.push(format!(
                    "{} under {}: created {n} times",
                    op.label(),
                    kind.label()
                ));
            }
        }
        if let Err(e) = &result {
            if e.status().is_some()
                && e.request_id().is_none()
                && !matches!(e, s4e::Error::Decode(_))
            {
                failures.push(format!(
                    "{} under {}: no request id on {e:?}",
                    op.label(),
                    kind.label()
                ));
            }
            if matches!(kind, Kind::Html502) {
                if let Some(api) = e.api_error() {
                    if !api.raw_body().is_some_and(|b| b.contains("<html")) {
                        failures.push(format!("{}: the HTML page was not kept", op.label()));
                    }
                }
            }
        }
        rows.push(Row {
            op,
            kind,
            outcome: match &result {
                Ok(()) => "ok".to_owned(),
                Err(e) => format!(
                    "{:?}{}",
                    outcome,
                    e.code().map(|c| format!(" `{c}`")).unwrap_or_default()
                ),
            },
            attempts,
            creates,
            elapsed,
        });
    }
    (rows, failures)
}

fn render(rows: &[Row]) -> String {
    let mut out = String::from(
        "| operation | fault | outcome | attempts | assets created | time |\n|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} ms |",
            row.op.label(),
            row.kind.label(),
            row.outcome,
            row.attempts,
            row.creates.map_or("–".to_owned(), |n| n.to_string()),
            row.elapsed.as_millis()
        );
    }
    out
}
