//! The async client: a handle on the engine (its pooled HTTP client and
//! settings), behind an `Arc`.

use std::sync::Arc;

use crate::config::ClientBuilder;
use crate::endpoint::{Endpoint, Paginated};
use crate::http::engine::Engine;
use crate::http::paginate::Paginator;
use crate::http::request::{Async, Request};
use crate::rate_limit::RateLimit;
use crate::{ApiKey, Result};

/// The asynchronous S4E client.
///
/// Cheap to clone (an `Arc`); clones share one connection pool. Every call
/// starts from a resource handle ([`findings`](Client::findings), ...) or from
/// [`execute`](Client::execute) / [`paginate`](Client::paginate) for endpoints
/// declared with [`#[endpoint]`](macro@crate::endpoint).
///
/// ```no_run
/// # async fn demo() -> s4e::Result<()> {
/// let client = s4e::Client::new("sk_live_...")?;
/// let page = client.findings().list().severity([s4e::Severity::Critical]).await?;
/// println!("{} critical findings", page.total.unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Engine>,
}

/// What requests, paginators and waits hold: the engine, without the client
/// around it, so that the engine needs nothing from the client layer.
impl From<Client> for Arc<Engine> {
    fn from(client: Client) -> Self {
        client.inner
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("timeout", &self.inner.timeout)
            .field("deadline", &self.inner.deadline)
            .field("retries", &self.inner.retries)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn from_engine(inner: Arc<Engine>) -> Self {
        Client { inner }
    }

    /// A client with the default settings (`https://api.s4e.io/v1`, 30 s
    /// timeout, 3 retries, 5 min deadline per call).
    ///
    /// ```no_run
    /// let client = s4e::Client::new("sk_live_...")?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn new(api_key: impl Into<ApiKey>) -> Result<Client> {
        ClientBuilder::new(api_key).build()
    }

    /// Starts configuring a client.
    ///
    /// ```no_run
    /// let client = s4e::Client::builder("sk_live_...").retries(0).build()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn builder(api_key: impl Into<ApiKey>) -> ClientBuilder {
        ClientBuilder::new(api_key)
    }

    /// A client configured from `S4E_API_KEY`, `S4E_BASE_URL`, `S4E_TIMEOUT`,
    /// `S4E_RETRIES` and `S4E_PROXY`.
    ///
    /// ```no_run
    /// let client = s4e::Client::from_env()?;
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The API root this client talks to.
    ///
    /// ```
    /// let client = s4e::Client::builder("sk_test").base_url("https://s4e.corp.example/api/v1/").build()?;
    /// assert_eq!(client.base_url(), "https://s4e.corp.example/api/v1");
    /// # Ok::<(), s4e::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The rate-limit state the latest answer to this client (or any clone of
    /// it) announced; `None` before the first answer that stated one.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// client.assets().list().await?;
    /// if let Some(limit) = client.rate_limit() {
    ///     println!("{}/{} left", limit.remaining, limit.limit);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.pacer.latest()
    }

    /// Assets: the domains, IPs, URLs and networks S4E monitors.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.assets().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn assets(&self) -> crate::resources::assets::Assets {
        crate::resources::assets::Assets::new(self.clone(), Async)
    }

    /// Scans: vulnerability scans of one asset.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.scans().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn scans(&self) -> crate::resources::scans::Scans {
        crate::resources::scans::Scans::new(self.clone(), Async)
    }

    /// Actions: remediation and notification units of work.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.actions().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn actions(&self) -> crate::resources::actions::Actions {
        crate::resources::actions::Actions::new(self.clone(), Async)
    }

    /// Playbooks: automated response workflows.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.playbooks().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn playbooks(&self) -> crate::resources::playbooks::Playbooks {
        crate::resources::playbooks::Playbooks::new(self.clone(), Async)
    }

    /// Webhooks: event subscriptions.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.webhooks().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn webhooks(&self) -> crate::resources::webhooks::Webhooks {
        crate::resources::webhooks::Webhooks::new(self.clone(), Async)
    }

    /// Findings: discovered vulnerabilities.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let finding = client.findings().get("f-91827").await?;
    /// # Ok(()) }
    /// ```
    pub fn findings(&self) -> crate::resources::findings::Findings {
        crate::resources::findings::Findings::new(self.clone(), Async)
    }

    /// Prepares a call of any endpoint, including your own; `.await` it.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::findings::GetFinding;
    /// let finding = client.execute(GetFinding::new("f-1")).await?;
    /// # Ok(()) }
    /// ```
    pub fn execute<E: Endpoint>(&self, endpoint: E) -> Request<E> {
        Request::new(self.clone(), Async, endpoint)
    }

    /// Streams every item of a paginated endpoint, fetching pages as needed.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::findings::ListFindings;
    /// let all: Vec<s4e::Finding> = client.paginate(ListFindings::default()).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn paginate<E: Paginated>(&self, endpoint: E) -> Paginator<E> {
        Paginator::new(self.clone(), Async, endpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEFAULT_MAX_PAGES;

    #[test]
    fn a_paginator_starts_bounded_by_default_max_pages() {
        let client = Client::builder("sk_test_unit")
            .base_url("http://127.0.0.1:9/v1")
            .build()
            .unwrap();
        let findings = crate::findings::ListFindings::default();
        assert_eq!(client.paginate(findings).max_pages, DEFAULT_MAX_PAGES);
        assert_eq!(client.findings().list_auto().max_pages, DEFAULT_MAX_PAGES);
    }
}
