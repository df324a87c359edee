//! Invalid and pathological JSON in well-framed answers: deep nesting, huge
//! numbers, invalid UTF-8, a byte-order mark, trailing garbage, an empty 200.
//! Each is `Error::Decode` (or the value, where the JSON is fine), after one
//! request (a body that does not decode is not transient), without a panic or
//! a stack overflow, and within the bound.

use std::time::Instant;

use futures_util::StreamExt;
use s4e::{Error, Finding};

use super::server::{Reply, Server, case};
use super::{
    BOUND, assert_within, client, finding_body, finding_with_raw_title, get_f1, page_body,
};
use crate::support;

/// `GET /findings/f-1` answered with `body` as a 200 JSON answer; the
/// result and how many requests the server saw.
async fn get_with_body(body: impl Into<Vec<u8>>) -> (s4e::Result<Finding>, usize) {
    let mut results = get_with_bodies([body.into()]).await;
    results.pop().expect("one result")
}

/// One `GET` per body, each answered with it as a 200 JSON answer, all on
/// one server and one client; each result with the requests its case saw.
async fn get_with_bodies(
    bodies: impl IntoIterator<Item = Vec<u8>>,
) -> Vec<(s4e::Result<Finding>, usize)> {
    let bodies: Vec<Vec<u8>> = bodies.into_iter().collect();
    let count = bodies.len();
    let server = Server::cases(bodies.into_iter().map(|body| vec![Reply::json(200, body)]));
    let client = client(&server, 3);
    let mut results = Vec::new();
    for n in 0..count {
        let started = Instant::now();
        let result = client.findings().get(case(n)).await;
        assert_within(started, BOUND);
        results.push((result, server.case_requests(n)));
    }
    results
}

/// Unwraps a decode error, checking that it came from a single request.
#[track_caller]
fn decode_error((result, requests): (s4e::Result<Finding>, usize)) -> Box<s4e::DecodeError> {
    assert_eq!(requests, 1, "decode failures are not retried");
    match result {
        Err(Error::Decode(decode)) => {
            assert_eq!(decode.status, 200);
            decode
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

/// `depth` nested arrays around `1`.
fn nested(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

const DEEP: usize = 200_000;

#[tokio::test]
async fn deep_nesting_in_a_free_form_field_is_a_decode_error() {
    // `evidence` is free-form JSON: decoded as a value, whose depth serde_json
    // limits (128) instead of recursing until the stack overflows.
    let body = format!(
        r#"{{"data":{{"id":"f-1","title":"t","severity":"high","evidence":{}}}}}"#,
        nested(DEEP)
    );
    let decode = decode_error(get_with_body(body).await);
    assert!(decode.message.contains("recursion limit"), "{decode:?}");
    // The path leads into the nesting, cut where the limit struck.
    assert!(decode.path.starts_with("data.evidence[0][0]"), "{decode:?}");
}

#[tokio::test]
async fn deep_nesting_in_an_unknown_field_is_skipped() {
    // Unknown fields are skipped without recursion: the finding decodes.
    let body = format!(
        r#"{{"data":{{"id":"f-1","title":"t","severity":"high","x_vendor":{}}}}}"#,
        nested(DEEP)
    );
    let (result, requests) = get_with_body(body).await;
    assert_eq!(result.expect("the unknown field is ignored").id, "f-1");
    assert_eq!(requests, 1);
}

#[tokio::test]
async fn deep_nesting_at_the_root_is_a_decode_error() {
    decode_error(get_with_body(nested(DEEP)).await);
}

#[tokio::test]
async fn deep_nesting_in_a_page_is_a_decode_error() {
    let server = Server::always(Reply::json(200, format!(r#"{{"data":{}}}"#, nested(DEEP))));
    let started = Instant::now();
    let err = client(&server, 3)
        .findings()
        .list()
        .await
        .expect_err("not a page of findings");
    assert_within(started, BOUND);
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn deep_nesting_in_an_error_body_keeps_the_status() {
    let server = Server::always(Reply::json(
        500,
        // Under the 64 KiB the client reads of an error body (a larger one is
        // in `evidence.rs`).
        format!(r#"{{"error":{{"message":{}}}}}"#, nested(20_000)),
    ));
    let started = Instant::now();
    let err = get_f1(&server, 1).await.expect_err("a 500");
    assert_within(started, BOUND);
    assert!(
        matches!(&err, Error::Api(api) if api.status() == 500),
        "{err:?}"
    );
    // Kept as text: the body is not the error envelope.
    assert!(
        err.api_error()
            .unwrap()
            .raw_body()
            .unwrap()
            .starts_with("{\"error\":{\"message\":[[["),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn nesting_deeper_than_the_size_limit_allows_is_refused_unread() {
    // The size limit is what bounds memory for any JSON shape.
    let limit = 64 * 1024;
    let server = Server::always(Reply::json(200, nested(1024 * 1024)));
    let err = support::get_f1_by(super::builder(&server, 3).max_response_size(limit))
        .await
        .expect_err("larger than the limit");
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: l } if l == limit),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_number_beyond_f64_is_a_decode_error() {
    let numbers = ["1e400".to_owned(), "-1e400".to_owned(), "9".repeat(100_000)];
    let bodies = numbers.iter().map(|cvss| {
        format!(r#"{{"data":{{"id":"f-1","title":"t","severity":"high","cvss":{cvss}}}}}"#)
            .into_bytes()
    });
    for result in get_with_bodies(bodies).await {
        let decode = decode_error(result);
        assert_eq!(decode.path, "data.cvss", "{decode:?}");
        assert!(decode.message.contains("out of range"), "{decode:?}");
    }
}

#[tokio::test]
async fn page_metadata_out_of_range_is_a_decode_error() {
    for meta in [
        r#"{"page":-1,"per_page":2}"#,
        r#"{"page":"one","per_page":2}"#,
    ] {
        let server = Server::always(Reply::json(200, page_body(&["f-1", "f-2"], Some(meta))));
        let walk = client(&server, 3).findings().list_auto().per_page(2);
        let items: Vec<_> = walk.collect().await;
        assert_eq!(items.len(), 1, "{meta}: only the error: {items:?}");
        match &items[0] {
            Err(Error::Decode(decode)) => assert!(decode.path.starts_with("meta"), "{decode:?}"),
            other => panic!("{meta}: {other:?}"),
        }
        assert_eq!(server.request_count(), 1, "{meta}");
    }
}

#[tokio::test]
async fn a_page_count_beyond_u32_saturates_and_the_walk_still_ends() {
    // Counts have a minimum and no maximum in the OpenAPI file, so a huge one
    // is a valid answer: it saturates instead of failing the page, and the
    // walk's own checks end it (here the server always answers page 1).
    for meta in [
        r#"{"page":1,"per_page":2,"total_pages":4294967296}"#,
        r#"{"page":1,"per_page":2,"total":1e30}"#,
    ] {
        let server = Server::always(Reply::json(200, page_body(&["f-1", "f-2"], Some(meta))));
        let walk = client(&server, 3).findings().list_auto().per_page(2);
        let items: Vec<_> = walk.collect().await;
        assert_eq!(items.len(), 3, "{meta}: {items:?}");
        assert!(items[..2].iter().all(Result::is_ok), "{items:?}");
        assert!(
            matches!(
                items[2],
                Err(Error::Pagination(s4e::PaginationError::PageMismatch {
                    requested: 2,
                    answered: 1
                }))
            ),
            "{items:?}"
        );
        assert_eq!(server.request_count(), 2);
    }
}

#[tokio::test]
async fn invalid_utf8_in_a_string_is_a_decode_error() {
    let decode =
        decode_error(get_with_body(finding_with_raw_title("f-1", b"caf\xe9 \xff\xfe")).await);
    // The excerpt shows the bytes, replaced, for diagnosis.
    assert!(decode.body_excerpt.contains('\u{fffd}'), "{decode:?}");
}

#[tokio::test]
async fn invalid_utf8_in_an_error_body_is_kept_as_text() {
    let server = Server::always(Reply::full(
        502,
        &[("content-type", "text/html")],
        b"<h1>Bad \xff gateway</h1>".to_vec(),
    ));
    let err = get_f1(&server, 0).await.expect_err("a 502");
    let api = err.api_error().expect("an API error");
    assert_eq!(api.status(), 502);
    assert_eq!(api.raw_body(), Some("<h1>Bad \u{fffd} gateway</h1>"));
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_byte_order_mark_is_a_decode_error() {
    // RFC 8259 forbids sending one and lets parsers refuse it; the SDK, like
    // serde_json and reqwest's `json()`, refuses it with a typed error.
    let mut body = b"\xef\xbb\xbf".to_vec();
    body.extend_from_slice(&finding_body("f-1"));
    let decode = decode_error(get_with_body(body).await);
    assert!(decode.body_excerpt.starts_with('\u{feff}'), "{decode:?}");
}

#[tokio::test]
async fn trailing_garbage_is_a_decode_error() {
    let trailers = [
        &b" garbage"[..],
        b"{}",
        b"\x00",
        br#"{"data":{"id":"f-2"}}"#,
    ];
    let bodies = trailers.iter().map(|trailer| {
        let mut body = finding_body("f-1");
        body.extend_from_slice(trailer);
        body
    });
    for result in get_with_bodies(bodies).await {
        decode_error(result);
    }
}

#[tokio::test]
async fn duplicate_keys_are_a_decode_error() {
    let body = br#"{"data":{"id":"f-1","id":"f-2","title":"t","severity":"high"}}"#.to_vec();
    let decode = decode_error(get_with_body(body).await);
    assert!(decode.message.contains("duplicate field"), "{decode:?}");
}

#[tokio::test]
async fn non_json_literals_are_a_decode_error() {
    let literals = [
        "NaN",
        "Infinity",
        "-Infinity",
        "0x10",
        "01",
        "1.",
        "+1",
        "'1'",
    ];
    let bodies = literals.iter().map(|cvss| {
        format!(r#"{{"data":{{"id":"f-1","title":"t","severity":"high","cvss":{cvss}}}}}"#)
            .into_bytes()
    });
    for result in get_with_bodies(bodies).await {
        decode_error(result);
    }
}

#[tokio::test]
async fn an_empty_200_is_a_decode_error_where_data_is_expected() {
    let bodies = [
        "",
        "null",
        "{}",
        r#"{"data":null}"#,
        "[]",
        r#""""#,
        " \r\n\t",
    ];
    let results = get_with_bodies(bodies.iter().map(|body| body.as_bytes().to_vec())).await;
    for (body, result) in bodies.iter().zip(results) {
        let decode = decode_error(result);
        if body.trim().is_empty() {
            assert!(decode.message.contains("EOF"), "{decode:?}");
        }
    }

    let server = Server::always(Reply::json(200, Vec::new()));
    let err = client(&server, 3)
        .findings()
        .list()
        .await
        .expect_err("an empty body is not a page");
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn an_empty_200_is_fine_where_no_data_is_expected() {
    let server = Server::always(Reply::json(200, Vec::new()));
    client(&server, 3)
        .assets()
        .delete("a-1")
        .await
        .expect("a delete needs no body");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.requests()[0].method, "DELETE");
}
