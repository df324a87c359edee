//! `Retry-After` in every odd form. A value the client can use is honoured
//! up to `max_retry_wait` (here 2 s), above which the error comes back at once;
//! a value it cannot use (negative, garbage, not a number, not ASCII) falls
//! back to the normal backoff (here milliseconds). Either way the call ends
//! within the bound after at most `1 + retries` requests.

use std::time::{Duration, Instant, SystemTime};

use s4e::chrono::{DateTime, Utc};
use s4e::{Error, Finding};

use super::server::{Reply, Server, case, head};
use super::{BOUND, assert_within, builder, finding_body};
use crate::support;

/// The retry ceiling of these tests.
const CEILING: Duration = Duration::from_secs(2);

/// A 429 with these headers and the API's error envelope.
fn rate_limited(headers: &[(&str, &str)]) -> Reply {
    let mut all = headers.to_vec();
    all.push(("content-type", "application/json"));
    Reply::full(
        429,
        &all,
        r#"{"status":"error","error":{"code":"rate_limited","message":"slow down"}}"#,
    )
}

/// What one case ended with.
struct Run {
    result: s4e::Result<Finding>,
    requests: usize,
    elapsed: Duration,
}

/// Runs one `GET` per reply, on one server and one client with one retry
/// and the 2 s ceiling: case `n` is first answered with `firsts[n]`, then
/// with a 200.
async fn run(firsts: impl IntoIterator<Item = Reply>) -> Vec<Run> {
    let firsts: Vec<Reply> = firsts.into_iter().collect();
    let count = firsts.len();
    let server = Server::cases(
        firsts
            .into_iter()
            .map(|first| vec![first, Reply::json(200, finding_body("f-1"))]),
    );
    let client = builder(&server, 1).max_retry_wait(CEILING).build().unwrap();
    let mut runs = Vec::new();
    for n in 0..count {
        let started = Instant::now();
        let result = client.findings().get(case(n)).await;
        assert_within(started, BOUND);
        runs.push(Run {
            result,
            requests: server.case_requests(n),
            elapsed: started.elapsed(),
        });
    }
    runs
}

/// One 429 per value list, each value a `Retry-After` header of it.
fn rate_limited_with(values: &[&[&str]]) -> Vec<Reply> {
    values
        .iter()
        .map(|values| {
            let headers: Vec<(&str, &str)> = values.iter().map(|v| ("retry-after", *v)).collect();
            rate_limited(&headers)
        })
        .collect()
}

/// Asserts that the first answer was retried after a wait well under the
/// ceiling, and the retry succeeded.
#[track_caller]
fn assert_retried_quickly(run: Run, label: &dyn std::fmt::Debug) {
    let finding = run.result.unwrap_or_else(|e| panic!("{label:?}: {e:?}"));
    assert_eq!(finding.id, "f-1");
    assert_eq!(run.requests, 2, "{label:?}");
    assert!(
        run.elapsed < CEILING / 2,
        "{label:?} waited {:?}",
        run.elapsed
    );
}

/// Asserts that the first answer came back at once as the error, with a
/// reported wait above the ceiling; returns that wait.
#[track_caller]
fn assert_given_up_at_once(run: Run, label: &dyn std::fmt::Debug) -> Duration {
    let err = run.result.expect_err("the server asks for too long a wait");
    assert!(
        matches!(err, Error::RateLimit(_) | Error::Api(_)),
        "{label:?}: {err:?}"
    );
    assert_eq!(run.requests, 1, "{label:?}");
    assert!(
        run.elapsed < CEILING / 2,
        "{label:?} waited {:?}",
        run.elapsed
    );
    let wait = err.retry_after().expect("the server's wait is reported");
    assert!(wait > CEILING, "{label:?}: {wait:?}");
    wait
}

/// Runs the 429s of `values` and asserts each was retried quickly.
async fn all_retried_quickly(values: &[&[&str]]) {
    let runs = run(rate_limited_with(values)).await;
    assert_eq!(runs.len(), values.len());
    for (run, label) in runs.into_iter().zip(values) {
        assert_retried_quickly(run, label);
    }
}

/// Runs the 429s of `values` and asserts each was given up at once; returns
/// the reported waits.
async fn all_given_up_at_once(values: &[&[&str]]) -> Vec<Duration> {
    let runs = run(rate_limited_with(values)).await;
    assert_eq!(runs.len(), values.len());
    runs.into_iter()
        .zip(values)
        .map(|(run, label)| assert_given_up_at_once(run, label))
        .collect()
}

/// An IMF-fixdate `offset` from now.
fn http_date(now: SystemTime, offset: i64) -> String {
    let at = if offset >= 0 {
        now + Duration::from_secs(offset.unsigned_abs())
    } else {
        now - Duration::from_secs(offset.unsigned_abs())
    };
    DateTime::<Utc>::from(at)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

#[tokio::test]
async fn zero_retries_at_once() {
    all_retried_quickly(&[&["0"], &["00"], &[" 0 "]]).await;
}

#[tokio::test]
async fn a_negative_value_is_ignored() {
    all_retried_quickly(&[&["-1"], &["-86400"], &["-0.5"]]).await;
}

#[tokio::test]
async fn garbage_is_ignored() {
    all_retried_quickly(&[
        &["soon"],
        &[""],
        &["1, 2"],
        &["0x10"],
        &["1 minute"],
        &["NaN"],
        &["inf"],
        &["-inf"],
        &["1e999"],
        &["Mon, 32 Foo 2026 99:99:99 GMT"],
    ])
    .await;
}

#[tokio::test]
async fn bytes_that_are_not_text_are_ignored() {
    let mut answer = head(429, &[("content-length", "0"), ("connection", "close")]);
    // `retry-after: <0xff 0xfe>` before the blank line.
    answer.truncate(answer.len() - 2);
    answer.extend_from_slice(b"retry-after: \xff\xfe\r\n\r\n");
    let mut runs = run([Reply::raw(answer)]).await;
    assert_retried_quickly(runs.remove(0), &"bytes 0xff 0xfe");
}

#[tokio::test]
async fn a_fraction_of_a_second_is_honoured() {
    let mut runs = run(rate_limited_with(&[&["0.1"]])).await;
    let run = runs.remove(0);
    assert!(
        run.elapsed >= Duration::from_millis(100),
        "waited {:?}",
        run.elapsed
    );
    assert_retried_quickly(run, &"0.1");
}

#[tokio::test]
async fn a_wait_above_the_ceiling_is_not_waited() {
    let waits = all_given_up_at_once(&[
        &["86400"],
        // Beyond u64, and as floats: capped, never an overflow.
        &["99999999999999999999999"],
        &["1e21"],
        &["3.5"],
    ])
    .await;
    assert_eq!(waits[0], Duration::from_secs(86_400));
    assert_eq!(waits[3], Duration::from_millis(3500));
}

#[tokio::test]
async fn a_date_in_the_past_retries_at_once() {
    let past = http_date(SystemTime::now(), -3600);
    all_retried_quickly(&[
        &[&past],
        // The two obsolete formats HTTP still requires recipients to read.
        &["Sunday, 06-Nov-94 08:49:37 GMT"],
        &["Sun Nov  6 08:49:37 1994"],
    ])
    .await;
}

#[tokio::test]
async fn a_date_in_the_future_beyond_the_ceiling_is_not_waited() {
    let future = http_date(SystemTime::now(), 3600);
    let waits = all_given_up_at_once(&[&[&future], &["Fri, 31 Dec 9999 23:59:59 GMT"]]).await;
    assert!(
        waits[0] > Duration::from_secs(3590) && waits[0] <= Duration::from_secs(3600),
        "{waits:?}"
    );
}

#[tokio::test]
async fn of_several_headers_the_first_counts() {
    // `Retry-After` is a singleton field; a server that sends two is broken.
    // The client reads the first, as `HeaderMap::get` does.
    all_retried_quickly(&[&["0", "86400"]]).await;
    all_given_up_at_once(&[&["86400", "0"]]).await;
}

#[tokio::test]
async fn zero_forever_ends_after_the_retries() {
    let server = Server::always(rate_limited(&[("retry-after", "0")]));
    let started = Instant::now();
    let err = support::get_f1_by(builder(&server, 3))
        .await
        .expect_err("always rate limited");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::RateLimit(_)), "{err:?}");
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn a_503_retry_after_is_honoured_too() {
    let unavailable = |value: &'static str| {
        Reply::full(
            503,
            &[("retry-after", value), ("content-type", "text/plain")],
            "maintenance",
        )
    };
    let mut runs = run([unavailable("0.1"), unavailable("86400")]).await;
    let given_up = runs.pop().unwrap();
    let retried = runs.pop().unwrap();
    assert!(
        retried.elapsed >= Duration::from_millis(100),
        "{:?}",
        retried.elapsed
    );
    assert_retried_quickly(retried, &"503 0.1");
    assert!(
        matches!(&given_up.result, Err(Error::Api(api)) if api.status() == 503),
        "{:?}",
        given_up.result
    );
    assert_given_up_at_once(given_up, &"503 86400");
}

#[tokio::test]
async fn odd_retry_after_in_the_body() {
    let in_body = |value: &str| {
        Reply::json(
            429,
            format!(
                r#"{{"status":"error","error":{{"code":"rate_limited","message":"slow","retry_after":{value}}}}}"#
            ),
        )
    };
    let ignored = ["-5", r#""soon""#, "null", "[1]", "{}"];
    let huge = ["1e308", "86400", "18446744073709551616"];
    let runs = run(ignored.iter().chain(&huge).map(|value| in_body(value))).await;
    assert_eq!(runs.len(), ignored.len() + huge.len());
    let mut runs = runs.into_iter();
    for (value, run) in ignored.iter().zip(runs.by_ref()) {
        assert_retried_quickly(run, value);
    }
    for (value, run) in huge.iter().zip(runs) {
        assert_given_up_at_once(run, value);
    }
}

#[tokio::test]
async fn a_rate_limited_create_is_retried_with_the_same_key() {
    // A 429 proves the server did not act: even a plain POST is sent again,
    // with the same Idempotency-Key.
    let server = Server::sequence([
        rate_limited(&[("retry-after", "0")]),
        Reply::json(
            201,
            r#"{"data":{"id":"a-1","name":"example.com","type":"domain"}}"#,
        ),
    ]);
    let asset = builder(&server, 1)
        .build()
        .unwrap()
        .assets()
        .create("example.com", s4e::AssetType::Domain)
        .await
        .expect("the retry creates it");
    assert_eq!(asset.id, "a-1");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let keys: Vec<Option<&str>> = requests
        .iter()
        .map(|r| r.header("idempotency-key"))
        .collect();
    assert!(keys[0].is_some() && keys[0] == keys[1], "{keys:?}");
    assert_eq!(requests[0].body, requests[1].body);
}
