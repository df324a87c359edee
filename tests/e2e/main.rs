//! End-to-end tests: the SDK, async and blocking, against the stateful local
//! S4E API of `s4e-sandbox` — every operation of the six modules, pagination,
//! filters, the scan lifecycle on the sandbox clock, retries checked in the
//! sandbox's request log, signed webhook deliveries, keys and request ids.
//!
//! Each test starts its own sandbox (seed 42, paused clock), so tests share
//! no state and run in parallel. One binary with modules, so the workspace
//! links it once.

mod support;

mod actions;
mod assets;
mod auth;
mod blocking;
mod cassette;
mod fault_matrix;
mod findings;
mod idempotency;
mod load;
mod meta;
mod pagination;
mod playbooks;
mod rate_limit;
mod redis_server;
mod scans;
mod shared_quota;
mod webhook_receiver;
mod webhooks;
