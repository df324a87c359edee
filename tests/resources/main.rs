//! Contract tests of the resource modules (assets, scans, actions, playbooks,
//! webhooks): exact wire format and decoding, on the async and blocking
//! clients, against wiremock.

mod support;

mod actions;
mod assets;
mod crud;
mod drift;
mod models;
mod playbooks;
mod scans;
mod spec;
mod webhooks;
