//! The hostile-server suite (issue 9, section 6): a raw TCP server
//! ([`server`]) that misbehaves at the byte level, and for each misbehaviour
//! the outcome (error variant or value), the requests and connections the
//! server saw, and a bound on time (the call ends within a few seconds on a
//! 200 ms attempt timeout where the server never answers; where it does, the
//! timeout is 30 s, so that no load on the machine can turn an answer into a
//! timeout) and on memory (`max_response_size`, and the client hanging up
//! instead of reading on).
//!
//! One file per class: [`bodies`] (trickling and endless bodies), [`framing`]
//! (`Content-Length`, chunked, status lines, headers), [`json`] (pathological
//! JSON), [`retry_after`] (every odd `Retry-After`), [`redirects`] (reads)
//! and [`write_redirects`], [`pagination`] (over-announced lists) and
//! [`pagination_ends`] (pages that would never end), [`deadlines`] (the
//! deadline and the download stall rule) and [`evidence`] (error-body
//! excerpts, decode errors that name the failure). Both clients are tested
//! where the path differs (blocking calls run on the test thread, the server
//! on a runtime of its own).

mod bodies;
mod deadlines;
mod evidence;
mod framing;
mod json;
mod pagination;
mod pagination_ends;
mod redirects;
mod retry_after;
mod server;
mod write_redirects;

use std::time::{Duration, Instant};

use crate::support;
use server::Server;

/// The per-attempt timeout of the clients of tests in which the server never
/// answers (it hangs, trickles or stalls), so that the timeout is the
/// expected end: short, so that such answers cost little wall time.
const TIMEOUT: Duration = Duration::from_millis(200);

/// The per-attempt timeout of every other hostile test client: longer than
/// any load can delay an answer the server does send, so that a timeout, or
/// a retry after one, can only be the client's doing, never the machine's.
const PATIENT: Duration = Duration::from_secs(30);

/// The bound within which every call here must return: a few attempts of
/// [`TIMEOUT`] and millisecond backoff fit many times over; a call that ran
/// without bound would not.
const BOUND: Duration = Duration::from_secs(5);

/// How long a test waits for the client to close a connection it gave up on.
const HANGUP_WAIT: Duration = Duration::from_secs(2);

/// A builder for `server`: [`PATIENT`] per attempt, millisecond backoff and
/// `retries` retries.
fn builder(server: &Server, retries: u32) -> s4e::ClientBuilder {
    support::builder_at(&server.base_url())
        .timeout(PATIENT)
        .retries(retries)
}

/// An async client for `server` (see [`builder`]).
fn client(server: &Server, retries: u32) -> s4e::Client {
    builder(server, retries)
        .build()
        .expect("test client builds")
}

/// `findings().get("f-1")` by [`client`]: the call most cases make.
async fn get_f1(server: &Server, retries: u32) -> Result<s4e::Finding, s4e::Error> {
    client(server, retries).findings().get("f-1").await
}

/// `findings().get("f-1")` by [`timing_out_client`].
async fn timing_out_get_f1(server: &Server, retries: u32) -> Result<s4e::Finding, s4e::Error> {
    timing_out_client(server, retries)
        .findings()
        .get("f-1")
        .await
}

/// A blocking client for `server` (see [`builder`]).
fn blocking_client(server: &Server, retries: u32) -> s4e::blocking::Client {
    builder(server, retries)
        .build_blocking()
        .expect("blocking test client builds")
}

/// An async client for a `server` that never answers: [`TIMEOUT`] per
/// attempt.
fn timing_out_client(server: &Server, retries: u32) -> s4e::Client {
    builder(server, retries)
        .timeout(TIMEOUT)
        .build()
        .expect("test client builds")
}

/// A blocking client for a `server` that never answers: [`TIMEOUT`] per
/// attempt.
fn timing_out_blocking_client(server: &Server, retries: u32) -> s4e::blocking::Client {
    builder(server, retries)
        .timeout(TIMEOUT)
        .build_blocking()
        .expect("blocking test client builds")
}

/// Asserts that the call that started at `started` returned within `bound`.
#[track_caller]
fn assert_within(started: Instant, bound: Duration) {
    let elapsed = started.elapsed();
    assert!(
        elapsed < bound,
        "the call took {elapsed:?}, more than the {bound:?} bound"
    );
}

/// `{"data": <finding id>}` as bytes.
fn finding_body(id: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "data": support::finding_json(id) }))
        .expect("JSON serializes")
}

/// A finding with `id` whose `title` is the raw bytes `title` (not escaped:
/// the tests put invalid UTF-8 or raw text there).
fn finding_with_raw_title(id: &str, title: &[u8]) -> Vec<u8> {
    let mut body = format!(r#"{{"data":{{"id":"{id}","severity":"high","status":"open","title":""#)
        .into_bytes();
    body.extend_from_slice(title);
    body.extend_from_slice(br#""}}"#);
    body
}

/// A page of findings `ids`, with the `meta` object's text when given.
fn page_body(ids: &[&str], meta: Option<&str>) -> Vec<u8> {
    let data: Vec<serde_json::Value> = ids.iter().map(|id| support::finding_json(id)).collect();
    let data = serde_json::to_string(&data).expect("JSON serializes");
    match meta {
        Some(meta) => format!(r#"{{"data":{data},"meta":{meta}}}"#),
        None => format!(r#"{{"data":{data}}}"#),
    }
    .into_bytes()
}
