//! The sans-IO description of one API operation, as `#[endpoint]` generates it.

use std::hash::{Hash, Hasher};

use crate::http::wire::{BodyBuilder, HeaderBuilder, PathBuilder, QueryBuilder, RawResponse};
use crate::{Page, Result};

/// An HTTP method the S4E API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`: reads; always safe to retry.
    Get,
    /// `POST`: creates and commands; retried only when proven safe.
    Post,
    /// `PUT`: full replacement.
    Put,
    /// `PATCH`: partial update; retried only when proven safe.
    Patch,
    /// `DELETE`: removal; idempotent by HTTP semantics.
    Delete,
}

impl Method {
    /// The method as it goes on the wire (`"GET"`, ...).
    ///
    /// ```
    /// use s4e::Method;
    /// const VERB: &str = Method::Patch.as_str();
    /// assert_eq!(VERB, "PATCH");
    /// assert_eq!(Method::Get.to_string(), Method::Get.as_str());
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Whether HTTP semantics make a repeat of this method harmless.
    ///
    /// ```
    /// use s4e::Method;
    /// assert!(Method::Put.is_idempotent());
    /// assert!(!Method::Post.is_idempotent());
    /// ```
    pub const fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One API operation: how to build its request and decode its answer.
///
/// Implemented by [`#[endpoint]`](crate::endpoint); both clients execute it, so
/// the implementation holds no I/O. Writing it by hand is possible but the
/// attribute is the supported way.
pub trait Endpoint {
    /// What a successful call returns: the response type, a [`Page`] of it for
    /// paginated endpoints, `()` for answers without a body.
    type Output;

    /// The HTTP method.
    const METHOD: Method;

    /// The path template as declared (`/findings/{id}`), used in logs and errors.
    const PATH: &'static str;

    /// Declared safe to retry although the method is not idempotent.
    const IDEMPOTENT: bool = false;

    /// Whether the request carries a JSON object body.
    const HAS_BODY: bool = false;

    /// Whether this is a paginated list (the client adds `page` and `per_page`).
    const PAGINATED: bool = false;

    /// Appends the path (relative to the base URL), percent-encoding parameters.
    fn write_path(&self, path: &mut PathBuilder) -> Result<()>;

    /// Appends the query parameters that are set.
    fn write_query(&self, query: &mut QueryBuilder) -> Result<()> {
        let _ = query;
        Ok(())
    }

    /// Writes the body fields that are set.
    fn write_body(&self, body: &mut BodyBuilder) -> Result<()> {
        let _ = body;
        Ok(())
    }

    /// Adds the headers that are set.
    fn write_headers(&self, headers: &mut HeaderBuilder) -> Result<()> {
        let _ = headers;
        Ok(())
    }

    /// Decodes a successful (2xx) answer.
    fn decode(response: RawResponse<'_>) -> Result<Self::Output>;
}

/// A paginated list endpoint: its answer is a [`Page`] of `Item`.
///
/// [`#[endpoint(..., paginated, response = T)]`](crate::endpoint) implements
/// it, with [`item_identity`](Paginated::item_identity) taken from
/// [`Identified`] when `T` implements it.
pub trait Paginated: Endpoint<Output = Page<Self::Item>> {
    /// The type of one listed item.
    type Item;

    /// Feeds the identity of `item` (usually its ID) to `state` and returns
    /// `true`; returns `false` when the items of this list have no identity.
    ///
    /// Auto-pagination uses it to yield each item once when data shifts
    /// between pages, and to tell a page that brings nothing new
    /// ([`PaginationError::NoProgress`](crate::PaginationError::NoProgress)).
    /// The default, `false`, skips both; the page-number checks and the page
    /// bounds apply either way.
    ///
    /// ```
    /// use std::hash::{DefaultHasher, Hasher};
    /// use s4e::Paginated;
    /// use s4e::findings::ListFindings;
    /// # let finding: s4e::Finding = serde_json::from_str(r#"{"id": "f-1", "severity": "low"}"#).unwrap();
    /// let mut state = DefaultHasher::new();
    /// assert!(ListFindings::item_identity(&finding, &mut state));
    /// ```
    fn item_identity(item: &Self::Item, state: &mut dyn Hasher) -> bool {
        let _ = (item, state);
        false
    }
}

/// A listed item with a stable identity: two answers about the same record
/// have the same identity, two records never do. Usually the record's ID.
///
/// Auto-pagination yields each identity once and ends a walk whose page
/// brings no new identity. Every model the SDK lists implements it with its
/// ID; implement it for the response type of your own paginated
/// [`#[endpoint]`](crate::endpoint) and the attribute picks it up (without
/// it, your list is walked without those two checks).
///
/// ```
/// use s4e::{Identified, endpoint};
///
/// #[derive(serde::Deserialize)]
/// pub struct Tag {
///     pub id: u64,
///     pub name: String,
/// }
///
/// impl Identified for Tag {
///     fn identity(&self) -> impl std::hash::Hash {
///         self.id
///     }
/// }
///
/// /// `GET /tags`: each tag is yielded once even if the list shifts while it is walked.
/// #[endpoint(GET, "/tags", paginated, response = Tag)]
/// #[derive(Default)]
/// pub struct ListTags {}
/// ```
pub trait Identified {
    /// This item's identity.
    ///
    /// ```
    /// use std::hash::{BuildHasher, RandomState};
    /// use s4e::{Finding, Identified};
    /// let before: Finding = serde_json::from_str(r#"{"id": "f-1", "severity": "low"}"#)?;
    /// let after: Finding = serde_json::from_str(r#"{"id": "f-1", "severity": "high"}"#)?;
    /// let hashes = RandomState::new();
    /// assert_eq!(hashes.hash_one(before.identity()), hashes.hash_one(after.identity()));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    fn identity(&self) -> impl Hash;
}

/// An endpoint whose answer is a file to stream (e.g. a findings export),
/// not JSON to decode.
pub trait Download: Endpoint<Output = Vec<u8>> {}
