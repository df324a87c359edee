//! Success envelopes (API.md §2): `{"data": ...}` and list pages with `meta`.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut response = Response::new(Body::from(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `{"data": value}` with `status`.
pub(crate) fn data(status: StatusCode, value: Value) -> Response {
    json_response(status, &json!({ "data": value }))
}

pub(crate) fn ok(value: Value) -> Response {
    data(StatusCode::OK, value)
}

pub(crate) fn created(value: Value) -> Response {
    data(StatusCode::CREATED, value)
}

pub(crate) fn no_content() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// A list page: `{"data": items, "meta": {...}}`.
pub(crate) fn page(paging: super::page::Paging, total: usize, items: Vec<Value>) -> Response {
    json_response(StatusCode::OK, &paging.envelope(total, items))
}
