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

/// Declares an API operation: turns a struct into an [`Endpoint`] that
/// [`Client::execute`] sends (and [`Client::paginate`] walks, for a list).
///
/// Every operation of the SDK is declared this way, and yours can be too,
/// for an endpoint the SDK does not wrap yet:
///
/// ```text
/// #[endpoint(METHOD, "/path/{placeholder}", option, option = value, ...)]
/// struct Name { field: Type, ... }
/// ```
///
/// The struct is the request: each field is one input, sent in the path, the
/// query string, the JSON body or a header. The attribute adds an
/// [`Endpoint`] implementation and a setter per optional field, and keeps
/// the struct as written (its derives, docs and other attributes).
///
/// # Examples
///
/// ```
/// use s4e::{Client, Endpoint, Identified, Method, Page, endpoint};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, Deserialize)]
/// pub struct Tag {
///     pub id: u64,
///     pub name: String,
/// }
///
/// // Optional: lets the paginator drop a tag seen on an earlier page.
/// impl Identified for Tag {
///     fn identity(&self) -> impl std::hash::Hash {
///         self.id
///     }
/// }
///
/// #[derive(Debug, Clone, Copy, Serialize)]
/// #[serde(rename_all = "lowercase")]
/// pub enum Color {
///     Red,
///     Green,
/// }
///
/// /// `GET /assets/{asset_id}/tags?prefix=..&color=red,green&type=..`, a list.
/// #[endpoint(GET, "/assets/{asset_id}/tags", paginated, response = Tag)]
/// #[derive(Debug, Clone, Default)]
/// pub struct ListTags {
///     /// Fills `{asset_id}`: percent-encoded as one path segment.
///     pub asset_id: String,
///     /// Only tags starting with this (query parameter `prefix`).
///     pub prefix: Option<String>,
///     /// Only these colors: a list is sent comma-joined (`color=red,green`).
///     #[query(rename = "color")]
///     pub colors: Option<Vec<Color>>,
///     /// `type` is a keyword in Rust: send `kind` as `type`.
///     #[query(rename = "type")]
///     pub kind: Option<String>,
/// }
///
/// /// `POST /assets/{asset_id}/tags` with a JSON body; safe to retry.
/// #[endpoint(POST, "/assets/{asset_id}/tags", response = Tag, idempotent)]
/// pub struct AddTag {
///     pub asset_id: String,
///     /// Body field `name`.
///     pub name: String,
///     /// Body field `colour`.
///     #[body(rename = "colour")]
///     pub color: Option<Color>,
///     /// Sent in the query string, though this is a `POST`.
///     #[query]
///     pub notify: Option<bool>,
///     /// A request header, not sent when `None`.
///     #[header("X-Change-Ticket")]
///     pub ticket: Option<String>,
///     /// An object whose entries are merged into the body.
///     #[body(flatten)]
///     pub extra: Option<serde_json::Value>,
/// }
///
/// /// `DELETE /assets/{asset_id}/tags/{name}`: no `response`, answers 204.
/// #[endpoint(DELETE, "/assets/{asset_id}/tags/{name}")]
/// pub struct RemoveTag {
///     pub asset_id: String,
///     pub name: String,
/// }
///
/// /// `GET /assets/export`: a file, returned as bytes or streamed.
/// #[endpoint(GET, "/assets/export", download)]
/// pub struct ExportAssets {
///     pub format: String,
/// }
///
/// async fn tags(client: &Client) -> s4e::Result<()> {
///     let list = ListTags {
///         asset_id: "a-1".into(),
///         ..ListTags::default()
///     }
///     .prefix("env-")
///     .colors([Color::Red, Color::Green]);
///     // One page, or every item with `client.paginate(list)`.
///     let page: Page<Tag> = client.execute(list).page(1).await?;
///     for tag in page {
///         println!("{}", tag.name);
///     }
///
///     let add = AddTag {
///         asset_id: "a-1".into(),
///         name: "pci".into(),
///         color: None,
///         notify: None,
///         ticket: None,
///         extra: None,
///     }
///     .color(Color::Red)
///     .ticket("CHG-42");
///     let tag: Tag = client.execute(add).idempotency_key("add-pci-a-1").await?;
///
///     let remove = RemoveTag { asset_id: "a-1".into(), name: tag.name };
///     let (): () = client.execute(remove).await?;
///
///     let export = ExportAssets { format: "csv".into() };
///     let csv: Vec<u8> = client.execute(export).await?;
///     println!("{} bytes", csv.len());
///     Ok(())
/// }
///
/// // What the attribute declared, checked without a server:
/// assert_eq!(ListTags::METHOD, Method::Get);
/// assert_eq!(ListTags::PATH, "/assets/{asset_id}/tags");
/// assert!(ListTags::PAGINATED && AddTag::IDEMPOTENT && AddTag::HAS_BODY);
/// assert!(!RemoveTag::HAS_BODY && !RemoveTag::IDEMPOTENT);
/// ```
///
/// # The method and the path
///
/// The first argument is the HTTP method, in capitals: `GET`, `POST`, `PUT`,
/// `PATCH` or `DELETE`. The second is the path, a string starting with `/`,
/// relative to the client's base URL. Each `{name}` in it is a placeholder
/// filled by the field of that name (`{type}` is filled by a field
/// `r#type`); the value is serialized and percent-encoded as one segment,
/// so `a/b` cannot escape into another path. A placeholder's field cannot be
/// an `Option`: a path always needs its value. The path holds no query
/// string (`?`) or fragment (`#`): query parameters are fields.
///
/// # Options
///
/// After the path, in any order, each at most once:
///
/// | Option | Meaning |
/// |---|---|
/// | `response = Type` | What a success decodes to: the `data` of the answer, or the whole answer when it has no `data` envelope. `Type` must implement `serde::Deserialize`; the output of the call is `Type`. Without it (or with `response = ()`) the answer carries no data (204) and the output is `()`. |
/// | `paginated` | A `GET` list: the output is a [`Page<Type>`][Page] and the struct also implements [`Paginated`], so [`Client::paginate`] can walk every page. `response` is then the type of **one item**, not `Vec<Item>`. The paginator sets `page` and `per_page`, so the struct has no fields of those names. If the item implements [`Identified`], items already seen on an earlier page are skipped. |
/// | `idempotent` | A `POST` or `PATCH` that is safe to repeat, so the client retries it on a transient failure as it does `GET`, `PUT` and `DELETE` (which need no `idempotent`, and do not take it). Without it such a write is not retried, unless the call sets `.idempotency_key(..)`. |
/// | `download` | The answer is a file, not JSON: the output is the raw bytes (`Vec<u8>`), and [`Request::write_to`] streams them to a writer. The struct also implements [`Download`]. Not with `response` or `paginated`. |
/// | `crate = path` | Where the `s4e` crate is, for a crate that reaches it under another name (a renamed dependency, or a re-export: `crate = ::my_sdk::s4e`). The default is `::s4e`. |
///
/// # Fields
///
/// The struct has named fields (or none: `struct Ping;`), cannot be generic,
/// and every field's type implements `serde::Serialize`. Where a field is
/// sent:
///
/// - a field named in a `{placeholder}` fills it (and takes no attribute);
/// - otherwise, on `GET` and `DELETE`: a query parameter;
/// - otherwise, on `POST`, `PUT` and `PATCH`: a field of the JSON body.
///
/// Field attributes override this (one per field):
///
/// | Attribute | Sends the field as |
/// |---|---|
/// | `#[query]` | a query parameter named like the field, on any method |
/// | `#[query(rename = "type")]` | the query parameter `type` |
/// | `#[body]` | a body field named like the field (`POST`, `PUT`, `PATCH` only) |
/// | `#[body(rename = "type")]` | the body field `type` |
/// | `#[body(flatten)]` | the entries of the field, a JSON object, merged into the body |
/// | `#[header("X-Name")]` | the request header `X-Name`, its value as text |
///
/// Values are serialized with serde, so `#[serde(rename_all = ..)]` on an
/// enum shapes what is sent. A `None` field is not sent at all; a list
/// (`Vec<T>`) in a query parameter is comma-joined. Two fields cannot be sent
/// under the same query, body or header name.
///
/// # Setters
///
/// Every `Option<T>` field outside the path gets a setter of the same name
/// and visibility, taking `impl Into<T>` (for `Option<Vec<T>>`, any
/// `IntoIterator` of `impl Into<T>`) and returning the struct, so optional
/// inputs chain: `ListTags::default().prefix("env-")`. The field's doc
/// comment becomes the setter's.
///
/// # Compile-time checks
///
/// Mistakes are compile errors on the token at fault, all reported in one
/// build, with the fix: an unknown method or option (`GTE` gets "did you
/// mean `GET`?"), a misspelt field attribute (`#[qeury]`), a malformed path,
/// a placeholder without a field (or one edit away from one), an `Option`
/// in the path, a `paginated` endpoint with `response = Vec<_>`, a `#[body]`
/// on a `GET`, two fields sent under one name, a header name that is not
/// valid, a response type that is not `Deserialize` and a field type that is
/// not `Serialize` (both underlined where you wrote the type).
///
/// [`Endpoint`]: https://docs.rs/s4e/0.1/s4e/trait.Endpoint.html
/// [`Paginated`]: https://docs.rs/s4e/0.1/s4e/trait.Paginated.html
/// [`Identified`]: https://docs.rs/s4e/0.1/s4e/trait.Identified.html
/// [`Download`]: https://docs.rs/s4e/0.1/s4e/trait.Download.html
/// [Page]: https://docs.rs/s4e/0.1/s4e/struct.Page.html
/// [`Client::execute`]: https://docs.rs/s4e/0.1/s4e/struct.Client.html#method.execute
/// [`Client::paginate`]: https://docs.rs/s4e/0.1/s4e/struct.Client.html#method.paginate
/// [`Request::write_to`]: https://docs.rs/s4e/0.1/s4e/struct.Request.html#method.write_to
#[proc_macro_attribute]
pub fn endpoint(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::endpoint(args.into(), item.into()).into()
}
