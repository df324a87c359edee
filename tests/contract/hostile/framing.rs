//! Malformed or conflicting framing: `Content-Length` against chunked,
//! truncated chunks, bodies shorter than announced, garbage status lines and
//! headers without end. Each is a typed error (or, where HTTP/1.1 says how to
//! read it, the value), within the bound, after the attempts the retry rules
//! allow: a GET retries a broken connection, a plain POST does not.

use std::time::{Duration, Instant};

use s4e::Error;
use s4e::assets::AssetType;

use super::server::{Reply, Server, case, chunk, head};
use super::{
    BOUND, HANGUP_WAIT, TIMEOUT, assert_within, client, finding_body, get_f1, timing_out_get_f1,
};

const JSON: (&str, &str) = ("content-type", "application/json");
const CHUNKED: (&str, &str) = ("transfer-encoding", "chunked");

/// Asks for finding `f-1` with one retry allowed; returns the result, with
/// the bound checked.
async fn get_once_retried(server: &Server) -> s4e::Result<s4e::Finding> {
    let started = Instant::now();
    let result = client(server, 1).findings().get("f-1").await;
    assert_within(started, BOUND);
    result
}

#[track_caller]
fn assert_transport(result: s4e::Result<s4e::Finding>) {
    match result {
        Err(Error::Transport { .. }) => {}
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn chunked_wins_over_a_conflicting_content_length() {
    // RFC 9112 6.3: Transfer-Encoding overrides Content-Length.
    let body = finding_body("f-1");
    let server = Server::always(
        Reply::raw(head(200, &[JSON, CHUNKED, ("content-length", "5")]))
            .write(chunk(&body[..10]))
            .write(chunk(&body[10..]))
            .write(*b"0\r\n\r\n"),
    );
    let finding = get_once_retried(&server)
        .await
        .expect("the chunked body is the body");
    assert_eq!(finding.id, "f-1");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn two_different_content_lengths_are_a_transport_error() {
    let body = finding_body("f-1");
    let length = body.len().to_string();
    let server = Server::always(
        Reply::raw(head(
            200,
            &[JSON, ("content-length", &length), ("content-length", "7")],
        ))
        .write(body),
    );
    assert_transport(get_once_retried(&server).await);
    // Broken framing is a broken connection: a GET tries once more.
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_content_length_that_is_not_a_number_is_a_transport_error() {
    let server = Server::always(
        Reply::raw(head(200, &[JSON, ("content-length", "12abc")])).write(finding_body("f-1")),
    );
    assert_transport(get_once_retried(&server).await);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_truncated_chunk_is_a_transport_error() {
    // The chunk announces 0x100 bytes, 10 arrive, then the connection closes.
    let server = Server::always(
        Reply::raw(head(200, &[JSON, CHUNKED]))
            .write(*b"100\r\n")
            .write(&finding_body("f-1")[..10]),
    );
    assert_transport(get_once_retried(&server).await);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn an_invalid_chunk_size_is_a_transport_error() {
    let server =
        Server::always(Reply::raw(head(200, &[JSON, CHUNKED])).write(*b"zz\r\n{}\r\n0\r\n\r\n"));
    assert_transport(get_once_retried(&server).await);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_chunked_body_without_its_last_chunk_is_a_transport_error() {
    let server =
        Server::always(Reply::raw(head(200, &[JSON, CHUNKED])).write(chunk(&finding_body("f-1"))));
    assert_transport(get_once_retried(&server).await);
    assert_eq!(server.request_count(), 2);
}

/// 1000 bytes announced, a whole finding sent (fewer), then close.
fn short_body_then_close() -> Reply {
    Reply::raw(head(200, &[JSON, ("content-length", "1000")])).write(finding_body("f-1"))
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_a_transport_error() {
    let server = Server::always(short_body_then_close());
    assert_transport(get_once_retried(&server).await);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_cut_answer_to_a_plain_post_is_not_retried() {
    // The server may have created the asset: the SDK says so instead of
    // sending the create again.
    let server = Server::always(short_body_then_close());
    let started = Instant::now();
    let err = client(&server, 3)
        .assets()
        .create("example.com", AssetType::Domain)
        .await
        .expect_err("the answer is cut");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_then_silence_times_out() {
    let server = Server::always(short_body_then_close().then_hang());
    let started = Instant::now();
    let err = timing_out_get_f1(&server, 0)
        .await
        .expect_err("the rest never comes");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(d) if d == TIMEOUT), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[tokio::test]
async fn bytes_after_the_content_length_are_not_read_as_anything() {
    // A second, smuggled answer after the first: the first is the answer.
    let mut smuggled = head(200, &[JSON, ("content-length", "2")]);
    smuggled.extend_from_slice(b"{}");
    let server = Server::always(Reply::json(200, finding_body("f-1")).write(smuggled));
    let finding = get_once_retried(&server).await.expect("the first answer");
    assert_eq!(finding.id, "f-1");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn garbage_instead_of_a_status_line_is_a_transport_error() {
    let garbage: [&[u8]; 6] = [
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"HTTP/1.1 2OO OK\r\ncontent-length: 0\r\n\r\n",
        b"HTTP/9.9 200 OK\r\ncontent-length: 0\r\n\r\n",
        b"HTTP/1.1 42 Small\r\ncontent-length: 0\r\n\r\n",
        b"\x00\x01\x02\x03\xff\xfe\r\n\r\n",
        // HTTP/0.9 style: a body and no head at all.
        br#"{"data":{"id":"f-1","title":"t","severity":"high"}}"#,
    ];
    let server = Server::cases(garbage.iter().map(|bytes| vec![Reply::raw(*bytes)]));
    let client = client(&server, 1);
    for (n, bytes) in garbage.iter().enumerate() {
        let started = Instant::now();
        let result = client.findings().get(case(n)).await;
        assert_within(started, BOUND);
        assert!(
            matches!(result, Err(Error::Transport { .. })),
            "{:?}: {result:?}",
            String::from_utf8_lossy(bytes)
        );
        assert_eq!(server.case_requests(n), 2, "{bytes:?}");
    }
}

#[tokio::test]
async fn transfer_encoding_on_http_1_0_is_a_transport_error() {
    let mut answer =
        b"HTTP/1.0 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
            .to_vec();
    answer.extend_from_slice(&chunk(&finding_body("f-1")));
    answer.extend_from_slice(b"0\r\n\r\n");
    let server = Server::always(Reply::raw(answer));
    assert_transport(get_once_retried(&server).await);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn an_unknown_status_code_is_an_api_error_and_not_retried() {
    let statuses = [299_u16, 599, 999];
    let server = Server::cases(
        statuses
            .iter()
            .map(|status| vec![Reply::full(*status, &[("content-type", "text/plain")], "?")]),
    );
    let client = client(&server, 1);
    for (n, status) in statuses.into_iter().enumerate() {
        let result = client.findings().get(case(n)).await;
        match (status, result) {
            // Any 2xx is success: the body is then decoded (and fails here).
            (299, Err(Error::Decode(decode))) => assert_eq!(decode.status, 299),
            (_, Err(Error::Api(api))) => {
                assert_eq!(api.status(), status);
                assert_eq!(api.raw_body(), Some("?"));
            }
            (_, other) => panic!("HTTP {status}: {other:?}"),
        }
        assert_eq!(server.case_requests(n), 1, "HTTP {status}");
    }
}

#[tokio::test]
async fn endless_informational_answers_time_out() {
    // 1xx answers are skipped while waiting for the final one, which never
    // comes.
    let server = Server::always(Reply::nothing().endless(
        head(102, &[("x-progress", "still working")]),
        Duration::from_millis(10),
    ));
    let started = Instant::now();
    let err = timing_out_get_f1(&server, 0)
        .await
        .expect_err("no final answer");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(d) if d == TIMEOUT), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[tokio::test]
async fn a_switching_protocols_answer_nobody_asked_for_is_an_error() {
    let server = Server::always(
        Reply::raw(head(
            101,
            &[("upgrade", "websocket"), ("connection", "upgrade")],
        ))
        .write(*b"\x81\x05hello")
        .then_hang(),
    );
    let err = get_once_retried(&server)
        .await
        .expect_err("not an answer to a GET");
    // A status outside 2xx, like any other: an API error, not retried.
    assert!(
        matches!(&err, Error::Api(api) if api.status() == 101),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn headers_that_never_end_time_out() {
    let server = Server::always(
        Reply::raw(*b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n").then_hang(),
    );
    let started = Instant::now();
    let err = timing_out_get_f1(&server, 0)
        .await
        .expect_err("the head never ends");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Timeout(d) if d == TIMEOUT), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[tokio::test]
async fn endless_headers_are_refused_long_before_the_timeout() {
    // Header lines as fast as the client reads: the HTTP layer's head limit
    // (a few hundred KiB) ends it, not memory and not the timeout.
    let line = format!("x-junk: {}\r\n", "a".repeat(1000));
    let server = Server::always(
        Reply::raw(*b"HTTP/1.1 200 OK\r\n").endless(line.into_bytes(), Duration::ZERO),
    );
    let started = Instant::now();
    let err = get_f1(&server, 0).await.expect_err("the head is too large");
    assert_within(started, BOUND);
    // A transport error, not a timeout: the head limit ended it.
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[tokio::test]
async fn one_endless_header_line_is_refused_long_before_the_timeout() {
    let server = Server::always(
        Reply::raw(*b"HTTP/1.1 200 OK\r\nx-junk: ").endless(vec![b'a'; 16 * 1024], Duration::ZERO),
    );
    let started = Instant::now();
    let err = get_f1(&server, 0).await.expect_err("the head is too large");
    assert_within(started, BOUND);
    // A transport error, not a timeout: the head limit ended it.
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.wait_for_hangups(1, HANGUP_WAIT).await, 1);
}

#[tokio::test]
async fn too_many_headers_are_a_transport_error() {
    let headers: Vec<(String, String)> = (0..500)
        .map(|n| (format!("x-h{n}"), "v".to_owned()))
        .collect();
    let mut all: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    all.push(JSON);
    let server = Server::always(Reply::raw(head(200, &all)).write(finding_body("f-1")));
    let result = get_once_retried(&server).await;
    assert_transport(result);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_connection_closed_before_any_byte_is_retried_for_a_get_only() {
    let server = Server::always(Reply::nothing());
    assert_transport(get_once_retried(&server).await);
    assert_eq!(server.request_count(), 2);

    let server = Server::always(Reply::nothing());
    let err = client(&server, 3)
        .assets()
        .create("example.com", AssetType::Domain)
        .await
        .expect_err("no answer");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    // The request was sent: a plain POST may have acted, so it is not sent
    // again.
    assert_eq!(server.request_count(), 1);
}
