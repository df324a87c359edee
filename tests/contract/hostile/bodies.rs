//! Bodies that trickle, stall or never end: every call returns within its
//! bound, holds at most `max_response_size` of a JSON answer, and closes the
//! connection it gave up on instead of reading on.

use std::time::{Duration, Instant};

use s4e::{Error, ExportFormat};

use super::server::{Reply, Server, chunk, chunked_head, head};
use super::{
    BOUND, HANGUP_WAIT, TIMEOUT, assert_within, builder, get_f1, timing_out_blocking_client,
    timing_out_client, timing_out_get_f1,
};
use crate::support;

/// Headers of a JSON answer that announces 1000 bytes, then one byte every
/// 20 ms, forever: each byte arrives well within the timeout, the whole
/// never does.
fn trickling_json() -> Reply {
    Reply::raw(head(
        200,
        &[
            ("content-type", "application/json"),
            ("content-length", "1000"),
        ],
    ))
    .endless(*b" ", Duration::from_millis(20))
}

/// A chunked JSON answer that never ends, sent as fast as the client reads.
fn endless_chunked_json() -> Reply {
    Reply::raw(chunked_head(200, "application/json"))
        .write(chunk(b"{\"data\":["))
        .endless(chunk(&b"0,".repeat(8 * 1024)), Duration::ZERO)
}

const LIMIT: u64 = 256 * 1024;

/// What the server may have written after the client stopped reading: the
/// kernel's socket buffers on both sides, a few MiB on loopback. A client that
/// read on would take the whole endless stream.
const SOCKET_BUFFERS: u64 = 32 * 1024 * 1024;

#[tokio::test]
async fn a_trickling_json_answer_times_out_on_every_attempt() {
    let server = Server::always(trickling_json());
    let started = Instant::now();
    let err = timing_out_get_f1(&server, 1)
        .await
        .expect_err("the body never completes");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(d) if d == TIMEOUT), "{err:?}");
    // A GET is retried after a timeout: two attempts, two connections.
    assert_eq!(server.request_count(), 2);
    assert_eq!(server.connections(), 2);
    assert_eq!(server.wait_for_hangups(2, HANGUP_WAIT).await, 2);
}

#[test]
fn a_trickling_json_answer_times_out_on_the_blocking_client() {
    let server = Server::always(trickling_json());
    let started = Instant::now();
    let err = timing_out_blocking_client(&server, 1)
        .findings()
        .get("f-1")
        .send()
        .expect_err("the body never completes");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(d) if d == TIMEOUT), "{err:?}");
    assert_eq!(server.request_count(), 2);
    assert_eq!(server.wait_for_hangups_blocking(2, HANGUP_WAIT), 2);
}

#[tokio::test]
async fn the_timeout_bounds_the_whole_attempt_not_each_read() {
    // The head comes after 60% of the timeout, the body after another 60%:
    // each wait is shorter than the timeout, the attempt is not.
    let body = super::finding_body("f-1");
    let length = body.len().to_string();
    let pause = TIMEOUT * 3 / 5;
    let server = Server::always(
        Reply::nothing()
            .sleep(pause)
            .write(head(
                200,
                &[
                    ("content-type", "application/json"),
                    ("content-length", &length),
                ],
            ))
            .sleep(pause)
            .write(body),
    );
    let started = Instant::now();
    let err = timing_out_get_f1(&server, 0)
        .await
        .expect_err("the whole answer takes longer than the timeout");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(d) if d == TIMEOUT), "{err:?}");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_trickling_chunked_answer_times_out() {
    let server = Server::always(
        Reply::raw(chunked_head(200, "application/json"))
            .endless(chunk(b" "), Duration::from_millis(20)),
    );
    let started = Instant::now();
    let err = timing_out_get_f1(&server, 0)
        .await
        .expect_err("the body never completes");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(d) if d == TIMEOUT), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[tokio::test]
async fn an_endless_json_answer_stops_at_the_size_limit() {
    let server = Server::always(endless_chunked_json());
    let started = Instant::now();
    let err = support::get_f1_by(builder(&server, 3).max_response_size(LIMIT))
        .await
        .expect_err("the body is larger than the limit");
    assert_within(started, BOUND);
    assert!(
        matches!(err, Error::ResponseTooLarge { limit } if limit == LIMIT),
        "{err:?}"
    );
    // Not retried: the same server would send the same endless answer.
    assert_eq!(server.request_count(), 1);
    // The client hung up instead of draining the stream.
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
    assert!(
        server.bytes_sent() < LIMIT + SOCKET_BUFFERS,
        "{} bytes sent",
        server.bytes_sent()
    );
}

#[test]
fn an_endless_json_answer_stops_at_the_size_limit_on_the_blocking_client() {
    let server = Server::always(endless_chunked_json());
    let started = Instant::now();
    let err = builder(&server, 3)
        .max_response_size(LIMIT)
        .build_blocking()
        .unwrap()
        .findings()
        .get("f-1")
        .send()
        .expect_err("the body is larger than the limit");
    assert_within(started, BOUND);
    assert!(
        matches!(err, Error::ResponseTooLarge { limit } if limit == LIMIT),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups_blocking(1, HANGUP_WAIT), 1);
    assert!(server.bytes_sent() < LIMIT + SOCKET_BUFFERS);
}

#[tokio::test]
async fn an_endless_body_without_framing_stops_at_the_size_limit() {
    // No Content-Length, no chunked: the body runs until the server closes,
    // which it never does.
    let server = Server::always(
        Reply::raw(head(
            200,
            &[
                ("content-type", "application/json"),
                ("connection", "close"),
            ],
        ))
        .endless(vec![b' '; 16 * 1024], Duration::ZERO),
    );
    let started = Instant::now();
    let err = support::get_f1_by(builder(&server, 3).max_response_size(LIMIT))
        .await
        .expect_err("the body is larger than the limit");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[tokio::test]
async fn a_content_length_above_the_limit_is_refused_before_reading() {
    // A petabyte announced; the first megabyte would already be too much.
    let server = Server::always(
        Reply::raw(head(
            200,
            &[
                ("content-type", "application/json"),
                ("content-length", "1000000000000000"),
            ],
        ))
        .endless(vec![b' '; 16 * 1024], Duration::from_millis(5)),
    );
    let started = Instant::now();
    let err = support::get_f1_by(builder(&server, 3).max_response_size(LIMIT))
        .await
        .expect_err("announced larger than the limit");
    assert_within(started, BOUND);
    assert!(
        matches!(err, Error::ResponseTooLarge { limit } if limit == LIMIT),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[tokio::test]
async fn an_endless_error_body_is_cut_and_its_status_kept() {
    let server = Server::always(
        Reply::raw(chunked_head(500, "text/html"))
            .endless(chunk(&b"<p>internal error</p>".repeat(500)), Duration::ZERO),
    );
    let started = Instant::now();
    let err = get_f1(&server, 1).await.expect_err("a 500 is an error");
    assert_within(started, BOUND);
    assert!(
        matches!(&err, Error::Api(api) if api.status() == 500),
        "{err:?}"
    );
    // A 500 on a GET is retried once, and each endless body is abandoned.
    assert_eq!(server.request_count(), 2);
    assert_eq!(server.wait_for_hangups(2, HANGUP_WAIT).await, 2);
}

/// An export that sends its header line, then nothing, keeping the
/// connection open.
fn stalled_export() -> Reply {
    Reply::raw(chunked_head(200, "text/csv"))
        .write(chunk(b"id,title\n"))
        .then_hang()
}

#[tokio::test]
async fn a_download_that_stalls_times_out() {
    let server = Server::always(stalled_export());
    let mut out = Vec::new();
    let started = Instant::now();
    let err = timing_out_client(&server, 3)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut out)
        .await
        .expect_err("the export stalls");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    // What arrived before the stall was written; nothing is retried once a
    // byte reached the writer.
    assert_eq!(out, b"id,title\n");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[test]
fn a_download_that_stalls_times_out_on_the_blocking_client() {
    let server = Server::always(stalled_export());
    let mut out = Vec::new();
    let started = Instant::now();
    let err = timing_out_blocking_client(&server, 3)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut out)
        .expect_err("the export stalls");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(out, b"id,title\n");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups_blocking(1, HANGUP_WAIT), 1);
}

#[tokio::test]
async fn a_download_that_keeps_moving_is_not_cut() {
    // 1.5 MiB in 64 KiB chunks, one every 20 ms: about 480 ms in all, longer
    // than two attempt timeouts, at a healthy rate. Neither the per-attempt
    // timeout nor a stall rule may cut it.
    const CHUNKS: u64 = 24;
    let piece = vec![b'x'; 64 * 1024];
    let server = Server::always(
        Reply::raw(chunked_head(200, "text/csv"))
            .drip(chunk(&piece), Duration::from_millis(20), CHUNKS)
            .write(*b"0\r\n\r\n"),
    );
    let started = Instant::now();
    let written = timing_out_client(&server, 0)
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut tokio::io::sink())
        .await
        .expect("a moving download completes");
    let elapsed = started.elapsed();
    assert_eq!(written, CHUNKS * piece.len() as u64);
    assert!(elapsed > 2 * TIMEOUT, "the transfer took only {elapsed:?}");
    assert_within(started, BOUND);
    assert_eq!(server.request_count(), 1);
}
