//! The request engine: everything between an [`Endpoint`](crate::Endpoint)
//! value and a decoded answer. Building the wire request, sending it,
//! classifying and retrying failures, decoding, walking pages and polling.
//! Nothing here knows about a particular resource.
//!
//! The layering rule: the crate reads top-down. The handle layer (the
//! clients in `client.rs` and `blocking.rs`, the builder in `config.rs`, the
//! resources in `resources/`) uses this engine, and the engine uses only
//! leaf modules (`error`, `endpoint`, `wire`, `page`, `meta`, `rate_limit`,
//! `ids`, `secret`, `enums`, `de`), never the layer above it: its state is
//! the [`Engine`](engine::Engine) value the builder hands it, and requests,
//! paginators and waits hold that, not a `Client`. So the engine can change
//! (a shared rate-limit store, record and replay) without touching the
//! clients, a new resource or client cannot change how calls behave, and
//! each layer can be read and tested without the one above it.
//! `.ci/layers` checks the rule in CI and prints the remaining import
//! circles.

pub(crate) mod budget;
pub(crate) mod decode;
pub(crate) mod engine;
pub(crate) mod hooks;
pub(crate) mod observe;
pub(crate) mod origin;
pub(crate) mod pacing;
pub(crate) mod paginate;
pub(crate) mod poll;
pub(crate) mod request;
pub(crate) mod retry;
pub(crate) mod retry_quota;
pub(crate) mod transport;
