//! Contract tests of the s4e client against a wiremock server: what goes on
//! the wire (method, path, query, headers, body) and how every answer is
//! decoded, retried, paginated, streamed and logged (`docs/API.md`).
//!
//! One binary with modules, so the workspace links it once.

/// The text of a file under `contract/fixtures/`, embedded at compile time.
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/contract/fixtures/",
            $name
        ))
    };
}

mod blocking;
mod concurrency;
mod config;
mod decoding;
mod errors;
mod export;
mod findings;
mod hostile;
mod limits;
mod meta;
mod observability;
mod pagination;
mod pagination_pathologies;
mod pathologies;
mod proxy;
mod rate_limit;
mod redaction;
mod redirects;
mod retries;
mod slow;
mod support;
mod timeouts;
mod tls;
