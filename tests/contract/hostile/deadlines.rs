//! Deadlines and the download stall rule: with defaults or a deadline, no
//! body keeps a call running without bound.

use std::time::{Duration, Instant};

use s4e::{Error, ExportFormat};

use super::server::{Reply, Server, chunk, chunked_head, head};
use super::{
    BOUND, HANGUP_WAIT, TIMEOUT, assert_within, builder, client, timing_out_blocking_client,
    timing_out_client,
};
use crate::support;

/// An export that announces 1000 bytes and sends one every 50 ms (20 B/s),
/// for at most 10 s, then closes: slower than any download that is alive,
/// and finite so that a missing stall rule fails the test instead of hanging
/// it.
fn trickling_export() -> Reply {
    Reply::raw(head(
        200,
        &[("content-type", "text/csv"), ("content-length", "1000")],
    ))
    .drip(*b"x", Duration::from_millis(50), 200)
}

/// A healthy export that never ends: 16 KiB every 5 ms.
fn endless_export() -> Reply {
    Reply::raw(chunked_head(200, "text/csv"))
        .endless(chunk(&[b'x'; 16 * 1024]), Duration::from_millis(5))
}

#[tokio::test]
async fn a_trickling_download_ends_with_a_timeout_by_default() {
    let server = Server::always(trickling_export());
    let started = Instant::now();
    let err = timing_out_client(&server, 3)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut tokio::io::sink())
        .await
        .expect_err("the stall rule ends it");
    assert_within(started, BOUND);
    // A timeout, not the short body the export ends with after 10 s: the
    // stall rule ended it.
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[test]
fn a_trickling_download_ends_with_a_timeout_by_default_on_the_blocking_client() {
    let server = Server::always(trickling_export());
    let started = Instant::now();
    let err = timing_out_blocking_client(&server, 3)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut std::io::sink())
        .expect_err("the stall rule ends it");
    assert_within(started, BOUND);
    // A timeout, not the short body the export ends with after 10 s: the
    // stall rule ended it.
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups_blocking(1, HANGUP_WAIT), 1);
}

const DEADLINE: Duration = Duration::from_millis(400);

#[tokio::test]
async fn a_deadline_bounds_an_endless_download() {
    let server = Server::always(endless_export());
    let started = Instant::now();
    let err = client(&server, 3)
        .findings()
        .export(ExportFormat::Csv)
        .deadline(DEADLINE)
        .write_to(&mut tokio::io::sink())
        .await
        .expect_err("the deadline ends it");
    assert!(started.elapsed() >= DEADLINE, "{:?}", started.elapsed());
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[test]
fn a_deadline_bounds_an_endless_download_on_the_blocking_client() {
    let server = Server::always(endless_export());
    let started = Instant::now();
    let err = builder(&server, 3)
        .deadline(DEADLINE)
        .build_blocking()
        .unwrap()
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut std::io::sink())
        .expect_err("the deadline ends it");
    assert!(started.elapsed() >= DEADLINE, "{:?}", started.elapsed());
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups_blocking(1, HANGUP_WAIT), 1);
}

#[tokio::test]
async fn a_deadline_bounds_the_attempts_of_a_trickling_answer() {
    // Ten retries of a 200 ms attempt would take over 2 s; the deadline
    // stops the call at 500 ms.
    let server = Server::always(
        Reply::raw(head(
            200,
            &[
                ("content-type", "application/json"),
                ("content-length", "1000"),
            ],
        ))
        .drip(*b" ", Duration::from_millis(20), 500),
    );
    let deadline = Duration::from_millis(500);
    let started = Instant::now();
    let err = support::get_f1_by(builder(&server, 10).timeout(TIMEOUT).deadline(deadline))
        .await
        .expect_err("the deadline ends it");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    // The deadline, not the attempts, ended it: eleven would have been sent.
    assert!(server.request_count() <= 3, "{}", server.request_count());
}

#[tokio::test]
async fn a_deadline_bounds_retry_after_waits() {
    let server = Server::always(Reply::full(
        503,
        &[("retry-after", "0.15"), ("content-type", "text/plain")],
        "maintenance",
    ));
    let deadline = Duration::from_millis(400);
    let started = Instant::now();
    let err = client(&server, 10)
        .findings()
        .get("f-1")
        .deadline(deadline)
        .await
        .expect_err("always unavailable");
    assert_within(started, BOUND);
    // The deadline's timeout, or the last answer when the next wait would
    // cross the deadline anyway; either way not eleven attempts.
    assert!(
        matches!(&err, Error::Timeout(_)) || matches!(&err, Error::Api(api) if api.status() == 503),
        "{err:?}"
    );
    assert!(server.request_count() <= 4, "{}", server.request_count());
}
