//! The six API resources, one module each: models, endpoint declarations and
//! the handle a [`Client`](crate::Client) hands out. They sit on the engine
//! in [`crate::http`] and never on each other's internals.

pub mod actions;
pub mod assets;
pub mod findings;
mod identity;
pub mod playbooks;
pub mod scans;
pub mod webhooks;
