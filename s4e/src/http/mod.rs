//! The request engine: everything between an [`Endpoint`](crate::Endpoint)
//! value and a decoded answer. Building the wire request, sending it,
//! classifying and retrying failures, decoding, walking pages and polling.
//! Nothing here knows about a particular resource.

pub(crate) mod decode;
pub(crate) mod engine;
pub(crate) mod hooks;
pub(crate) mod observe;
pub(crate) mod pacing;
pub(crate) mod paginate;
pub(crate) mod poll;
pub(crate) mod request;
pub(crate) mod retry;
pub(crate) mod retry_quota;
pub(crate) mod transport;
