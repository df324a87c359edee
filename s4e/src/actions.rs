//! Actions: remediation and notification units of work (`shared/API.md` §4.4).

use crate::Client;
use crate::request::Async;

/// The actions operations; from [`Client::actions`] or
/// [`blocking::Client::actions`](crate::blocking::Client::actions).
#[derive(Debug, Clone)]
pub struct Actions<M = Async> {
    client: Client,
    mode: M,
}

impl<M: Clone> Actions<M> {
    pub(crate) fn new(client: Client, mode: M) -> Self {
        Actions { client, mode }
    }
}
