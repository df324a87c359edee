//! Success envelopes (API.md §2): `{"data": ...}` and list pages with `meta`.
//!
//! Answers are serialised straight from typed values. Every object of the
//! contract is written with its keys in alphabetical order, which is what a
//! `serde_json::Value` tree prints (its maps are sorted), so typed views and
//! `Value` views give the same bytes; the structs below declare their fields
//! in that order.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;

use super::page::Paging;

pub(crate) fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    // Serialising plain data into memory cannot fail; if it ever did, the
    // client would get an empty body rather than a panic.
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[derive(Serialize)]
struct Data<T> {
    data: T,
}

/// `{"data": value}` with `status`.
pub(crate) fn data(status: StatusCode, value: impl Serialize) -> Response {
    json_response(status, &Data { data: value })
}

pub(crate) fn ok(value: impl Serialize) -> Response {
    data(StatusCode::OK, value)
}

pub(crate) fn created(value: impl Serialize) -> Response {
    data(StatusCode::CREATED, value)
}

pub(crate) fn no_content() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// A list page's `meta`.
#[derive(Debug, PartialEq, Serialize)]
pub(crate) struct Meta {
    pub(crate) page: u64,
    pub(crate) per_page: u64,
    pub(crate) total: u64,
    pub(crate) total_pages: u64,
}

impl Meta {
    pub(crate) fn new(paging: Paging, total: usize) -> Meta {
        let total = total as u64;
        Meta {
            page: paging.page,
            per_page: paging.per_page,
            total,
            total_pages: total.div_ceil(paging.per_page),
        }
    }
}

#[derive(Serialize)]
struct Page<T> {
    data: T,
    meta: Meta,
}

/// A list page: `{"data": items, "meta": {...}}`, `items` being this page of
/// `total` items.
pub(crate) fn page(paging: Paging, total: usize, items: impl Serialize) -> Response {
    json_response(
        StatusCode::OK,
        &Page {
            data: items,
            meta: Meta::new(paging, total),
        },
    )
}

/// Checks that `value` prints exactly as the `serde_json::Value` tree of the
/// same data would (keys sorted at every level), so typed views changed
/// nothing on the wire.
#[cfg(test)]
pub(crate) fn assert_prints_like_a_tree(value: &impl Serialize) {
    let typed = serde_json::to_string(value).unwrap();
    let tree: serde_json::Value = serde_json::from_str(&typed).unwrap();
    assert_eq!(typed, tree.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_prints_like_a_tree() {
        let paging = Paging {
            page: 2,
            per_page: 3,
        };
        assert_prints_like_a_tree(&Page {
            data: [1, 2, 3],
            meta: Meta::new(paging, 8),
        });
    }

    #[test]
    fn keys_out_of_order_are_caught() {
        #[derive(Serialize)]
        struct Unsorted {
            b: u8,
            a: u8,
        }
        let caught =
            std::panic::catch_unwind(|| assert_prints_like_a_tree(&Unsorted { b: 1, a: 2 }));
        assert!(caught.is_err());
    }
}
