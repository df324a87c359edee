// The workspace's README.md, wherever build.rs found it (in the repository or
// in the published package).
#![doc = include_str!(env!("S4E_README"))]
//!
//! # Crate features
//!
//! - `blocking` (default): [`blocking::Client`], the same API without async,
//!   driving the async client on the calling thread with a runtime of its own.
//! - `axum`: `webhooks::axum::Verified`, an axum 0.8 extractor that verifies
//!   a webhook delivery before the handler runs.
//! - `redis`: `webhooks::Dedup::redis`, exactly-once webhook intake shared
//!   through Redis.
#![deny(missing_docs)]
// docs.rs (nightly, `--cfg docsrs`) marks each item that needs a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod config;
mod de;
mod endpoint;
mod enums;
mod error;
mod http;
mod ids;
mod meta;
mod page;
mod rate_limit;
pub mod ratelimit;
mod resources;
mod secret;
mod wire;

pub use resources::{actions, assets, findings, playbooks, scans, webhooks};

/// This SDK's version (what `s4e --version` reports beside its own).
///
/// ```
/// assert!(!s4e::VERSION.is_empty());
/// ```
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;

#[cfg(test)]
mod bad_input_tests;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use actions::{Action, ActionExecution, ActionType};
pub use assets::{Asset, AssetType};
pub use chrono;
pub use client::Client;
pub use config::{
    AuthScheme, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_DEADLINE, DEFAULT_DOWNLOAD_DEADLINE,
    DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_RETRIES, DEFAULT_RETRY_QUOTA, DEFAULT_TIMEOUT,
};
pub use endpoint::{Download, Endpoint, Identified, Method, Paginated};
pub use enums::SortOrder;
pub use error::{
    ApiError, DecodeError, Error, FieldError, PaginationError, RedirectReason, Result,
};
pub use findings::{ExportFormat, Finding, FindingStatus, Severity};
pub use http::hooks::{AttemptOutcome, OutgoingRequest};
pub use http::paginate::{DEFAULT_MAX_PAGES, Pages, Paginator};
pub use http::poll::{DEFAULT_WAIT_TIMEOUT, Finished, LongRunning, Wait};
pub use http::request::{Async, Request};
pub use ids::{
    ActionId, AssetId, EventId, ExecutionId, FindingId, PlaybookId, RunId, ScanId, WebhookId,
};
pub use meta::{Headers, Response, ResponseMeta};
pub use page::{DEFAULT_PER_PAGE, MAX_PER_PAGE, Page, PageRequest};
pub use playbooks::{Playbook, PlaybookRun};
pub use rate_limit::RateLimit;
pub use scans::{Scan, ScanOptions, ScanStatus, ScanType};
pub use secret::ApiKey;
pub use webhooks::{Event, EventType, Webhook};
pub use wire::{BodyBuilder, HeaderBuilder, PathBuilder, QueryBuilder, RawResponse};

// No doc comment here: rustdoc shows the attribute's own complete docs (every
// option, every field attribute, an example), and would put a comment written
// here in front of them.
pub use s4e_macros::endpoint;

#[allow(dead_code)]
fn _assert_impls() {
    fn send_sync_clone<T: Send + Sync + Clone>() {}
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    fn send_static<T: Send + 'static>() {}
    send_sync_clone::<Client>();
    error::<Error>();
    send_static::<Paginator<findings::ListFindings>>();
    send_static::<Pages<findings::ListFindings>>();
    send_static::<<scans::ScanWait as std::future::IntoFuture>::IntoFuture>();
    send_static::<<Request<findings::GetFinding> as std::future::IntoFuture>::IntoFuture>();
    #[cfg(feature = "blocking")]
    send_sync_clone::<blocking::Client>();
}
