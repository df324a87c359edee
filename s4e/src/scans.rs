//! Scans: vulnerability scans of one asset (`shared/API.md` §4.2).

use crate::Client;
use crate::request::Async;

/// The scans operations; from [`Client::scans`] or
/// [`blocking::Client::scans`](crate::blocking::Client::scans).
#[derive(Debug, Clone)]
pub struct Scans<M = Async> {
    client: Client,
    mode: M,
}

impl<M: Clone> Scans<M> {
    pub(crate) fn new(client: Client, mode: M) -> Self {
        Scans { client, mode }
    }
}
