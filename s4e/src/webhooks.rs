//! Webhooks: event subscriptions and signed deliveries (`shared/API.md` §4.6, §5.1).

use crate::Client;
use crate::request::Async;

/// The webhooks operations; from [`Client::webhooks`] or
/// [`blocking::Client::webhooks`](crate::blocking::Client::webhooks).
#[derive(Debug, Clone)]
pub struct Webhooks<M = Async> {
    client: Client,
    mode: M,
}

impl<M: Clone> Webhooks<M> {
    pub(crate) fn new(client: Client, mode: M) -> Self {
        Webhooks { client, mode }
    }
}
