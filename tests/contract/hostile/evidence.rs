//! Evidence: error bodies keep an excerpt, decode errors name the real
//! failure.

use std::time::Duration;

use s4e::Error;

use super::server::{Reply, Server, chunk, chunked_head};
use super::{finding_body, finding_with_raw_title, get_f1};

#[tokio::test]
async fn an_error_body_larger_than_64_kib_keeps_an_excerpt() {
    let page = format!(
        "<html><body>{}</body></html>",
        "<p>upstream failed</p>".repeat(50_000)
    );
    let server = Server::always(Reply::full(502, &[("content-type", "text/html")], page));
    let err = get_f1(&server, 0).await.expect_err("a 502");
    let api = err.api_error().expect("an API error");
    assert_eq!(api.status(), 502);
    let raw = api.raw_body().expect("an excerpt");
    assert!(
        raw.starts_with("<html><body><p>upstream failed</p>"),
        "{raw}"
    );
    assert!(
        raw.len() < 64 * 1024,
        "an excerpt, not the body: {}",
        raw.len()
    );
}

#[tokio::test]
async fn an_endless_error_body_keeps_an_excerpt() {
    let server = Server::always(
        Reply::raw(chunked_head(500, "text/html"))
            .endless(chunk(&b"<p>internal error</p>".repeat(500)), Duration::ZERO),
    );
    let err = get_f1(&server, 0).await.expect_err("a 500");
    let raw = err
        .api_error()
        .and_then(|api| api.raw_body())
        .expect("an excerpt");
    assert!(raw.starts_with("<p>internal error</p>"), "{raw}");
}

#[tokio::test]
async fn invalid_utf8_is_reported_where_it_is() {
    let server = Server::always(Reply::json(200, finding_with_raw_title("f-1", b"caf\xe9")));
    let err = get_f1(&server, 0).await.expect_err("not UTF-8");
    let Error::Decode(decode) = err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.path, "data.title", "{decode:?}");
    assert!(!decode.message.contains("missing field"), "{decode:?}");
}

#[tokio::test]
async fn trailing_garbage_is_reported_as_such() {
    let mut body = finding_body("f-1");
    body.extend_from_slice(b" garbage");
    let server = Server::always(Reply::json(200, body));
    let err = get_f1(&server, 0).await.expect_err("trailing characters");
    let Error::Decode(decode) = err else {
        panic!("{err:?}")
    };
    assert!(decode.message.contains("trailing"), "{decode:?}");
    assert!(!decode.message.contains("missing field"), "{decode:?}");
}
