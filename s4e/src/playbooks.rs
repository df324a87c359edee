//! Playbooks: automated response workflows (`shared/API.md` §4.5).

use crate::Client;
use crate::request::Async;

/// The playbooks operations; from [`Client::playbooks`] or
/// [`blocking::Client::playbooks`](crate::blocking::Client::playbooks).
#[derive(Debug, Clone)]
pub struct Playbooks<M = Async> {
    client: Client,
    mode: M,
}

impl<M: Clone> Playbooks<M> {
    pub(crate) fn new(client: Client, mode: M) -> Self {
        Playbooks { client, mode }
    }
}
