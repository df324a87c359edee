//! The `#[endpoint]` attribute of the [s4e](https://docs.rs/s4e) SDK.
//!
//! Use it through the `s4e` crate (`s4e::endpoint`): the generated code refers
//! to items of `s4e` that are not public API, and `s4e` pins this crate to its
//! exact version.

#![deny(missing_docs)]

mod ast;
mod attr;
mod expand;
mod fallback;
mod valid;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Declares an API operation: turns a struct into an `s4e::Endpoint`.
///
/// ```
/// use s4e::endpoint;
/// use s4e::{ExportFormat, Finding, FindingId, Severity};
///
/// #[endpoint(GET, "/findings/{id}", response = Finding)]
/// pub struct GetFinding {
///     pub id: FindingId,
/// }
///
/// #[endpoint(GET, "/findings", paginated, response = Finding)]
/// pub struct ListFindings {
///     pub severity: Option<Vec<Severity>>,
///     #[query(rename = "type")]
///     pub kind: Option<String>,
/// }
///
/// #[endpoint(POST, "/findings/export", idempotent, download)]
/// pub struct ExportFindings {
///     pub format: ExportFormat,
///     #[header("X-Trace")]
///     pub trace: Option<String>,
///     #[body(flatten)]
///     pub extra: Option<serde_json::Value>,
/// }
///
/// assert_eq!(<GetFinding as s4e::Endpoint>::PATH, "/findings/{id}");
/// ```
///
/// # Arguments
///
/// `#[endpoint(METHOD, "/path", options...)]`: the method is one of `GET`,
/// `POST`, `PUT`, `PATCH`, `DELETE`; the path starts with `/` and may hold
/// `{field}` placeholders. Options, in any order:
///
/// - `response = Type`: what a success decodes to (must be `Deserialize`).
///   Without it the answer carries no data and the output is `()`.
/// - `paginated`: a `GET` list whose answer is a `Page` of `response`.
/// - `idempotent`: a `POST` or `PATCH` that is safe to retry.
/// - `download`: the answer is a file, returned as `Vec<u8>`.
///
/// # Fields
///
/// Every field must be `Serialize`. A field named in a `{placeholder}` fills
/// it; the others are query parameters on `GET` and `DELETE` and JSON body
/// fields on `POST`, `PUT` and `PATCH`. To override:
///
/// - `#[query]`, `#[query(rename = "type")]`: a query parameter.
/// - `#[body]`, `#[body(rename = "type")]`: a body field (not on `GET` or `DELETE`).
/// - `#[body(flatten)]`: the field, an object, is merged into the body.
/// - `#[header("X-Name")]`: a request header.
///
/// `None` values are not sent. Every optional field outside the path gets a
/// setter taking `impl Into<T>` (`impl IntoIterator<Item = impl Into<T>>`
/// for `Option<Vec<T>>`).
#[proc_macro_attribute]
pub fn endpoint(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::endpoint(args.into(), item.into()).into()
}
