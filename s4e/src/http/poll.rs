//! Client-side waiting for something that finishes on the server (a scan, an
//! action execution, a playbook run): poll, report, sleep, repeat, within a
//! deadline.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::endpoint::Endpoint;
use crate::http::engine::Engine;
use crate::http::request::{Async, Request};
use crate::{Error, Result};

/// How long [`scans().wait`](crate::scans::Scans::wait),
/// [`actions().wait_execution`](crate::actions::Actions::wait_execution) and
/// [`playbooks().wait_run`](crate::playbooks::Playbooks::wait_run) wait in
/// all unless given a `timeout`: 2 hours, twice the API's default scan
/// timeout (3600 s). A server that never reports a final status ends the
/// wait with [`Error::Timeout`] then.
///
/// ```no_run
/// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
/// // A scan given a 3-hour scan timeout needs a longer wait than the default.
/// let wait = client.scans().wait("sc-44021").timeout(2 * s4e::DEFAULT_WAIT_TIMEOUT);
/// let scan = wait.await?;
/// # Ok(()) }
/// ```
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(2 * 60 * 60);

/// A boxed progress callback; `Send` because a wait runs on the runtime
/// thread on the blocking client.
type Callback<P> = Box<dyn FnMut(&P) + Send>;

/// A caller's progress callback: called with every status a wait polls.
pub(crate) struct OnProgress<P>(Option<Callback<P>>);

impl<P> OnProgress<P> {
    /// No callback.
    pub(crate) fn none() -> Self {
        OnProgress(None)
    }

    /// Calls `callback` with every polled status.
    pub(crate) fn new(callback: impl FnMut(&P) + Send + 'static) -> Self {
        OnProgress(Some(Box::new(callback)))
    }

    fn report(&mut self, progress: &P) {
        if let Some(callback) = &mut self.0 {
            callback(progress);
        }
    }
}

impl<P> std::fmt::Debug for OnProgress<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}

/// Something that runs on the server until it reaches a final status (a
/// [`Scan`](crate::Scan), an [`ActionExecution`](crate::ActionExecution), a
/// [`PlaybookRun`](crate::PlaybookRun)): what a [`Wait`] needs to know to
/// wait for it. The wait polls [`Status`](LongRunning::Status) until
/// [`is_final`](LongRunning::is_final) accepts the answer, then returns what
/// [`finish`](LongRunning::finish) makes of it.
///
/// ```
/// use s4e::{LongRunning, Scan};
/// use s4e::scans::{ScanProgress, ScanStatus};
/// fn done<T: LongRunning<Progress = ScanProgress>>(progress: &ScanProgress) -> bool {
///     T::is_final(progress)
/// }
/// let progress: ScanProgress = serde_json::from_str(r#"{"id":"sc-1","status":"failed"}"#)?;
/// assert!(done::<Scan>(&progress));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub trait LongRunning: Sized + Send + 'static {
    /// What one poll answers, and what [`on_progress`](Wait::on_progress)
    /// sees.
    type Progress: Send + 'static;
    /// The call that polls the status.
    type Status: Endpoint<Output = Self::Progress> + Clone + Send + Sync + 'static;
    /// The call that fetches the final value when the last status is not it.
    type Fetch: Endpoint<Output = Self> + Send + 'static;

    /// Whether `progress` is a final status: the wait ends with it.
    fn is_final(progress: &Self::Progress) -> bool;

    /// What the wait returns, from the call it polled and the final status:
    /// the status itself, or a call that fetches the value.
    fn finish(status: &Self::Status, last: Self::Progress) -> Finished<Self>;
}

/// How a [`Wait`] ends once the status is final, as
/// [`LongRunning::finish`] decides.
#[derive(Debug)]
pub enum Finished<T: LongRunning> {
    /// The final status is the value.
    Value(T),
    /// One more call fetches the value (within the wait's timeout).
    Fetch(T::Fetch),
}

/// A wait for something long-running to finish ([`LongRunning`]): from
/// [`scans().wait`](crate::scans::Scans::wait) ([`ScanWait`](crate::scans::ScanWait)),
/// [`actions().wait_execution`](crate::actions::Actions::wait_execution)
/// ([`ExecutionWait`](crate::actions::ExecutionWait)) and
/// [`playbooks().wait_run`](crate::playbooks::Playbooks::wait_run)
/// ([`RunWait`](crate::playbooks::RunWait)); `.await` it (or `.send()` it on
/// the blocking client).
///
/// It polls every [`interval`](Wait::interval) (10 s unless set), reports
/// each status to [`on_progress`](Wait::on_progress), and ends with the
/// first final one, within [`timeout`](Wait::timeout)
/// ([`DEFAULT_WAIT_TIMEOUT`], 2 h, unless set). A final status that means
/// failure is returned, not an error: check it. Errors of the polling calls
/// (after the client's usual retries) end the wait.
///
/// ```no_run
/// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
/// use std::time::Duration;
/// let scan = client
///     .scans()
///     .wait("sc-44021")
///     .interval(Duration::from_secs(5))
///     .on_progress(|p| println!("{}%", p.progress.unwrap_or(0)))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a wait does nothing until it is sent with `.await` or `.send()`"]
pub struct Wait<T: LongRunning, M = Async> {
    engine: Arc<Engine>,
    // Only the blocking client reads it, to pick its runtime.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    mode: M,
    status: T::Status,
    interval: Duration,
    timeout: Option<Duration>,
    on_progress: OnProgress<T::Progress>,
}

impl<T: LongRunning, M> std::fmt::Debug for Wait<T, M>
where
    T::Status: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wait")
            .field("status", &self.status)
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .field("on_progress", &self.on_progress)
            .finish_non_exhaustive()
    }
}

impl<T: LongRunning, M> Wait<T, M> {
    /// How long to sleep between two polls unless set: 10 s, as the API
    /// documentation polls.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

    /// A wait that polls `status`.
    pub(crate) fn new(engine: impl Into<Arc<Engine>>, mode: M, status: T::Status) -> Self {
        Wait {
            engine: engine.into(),
            mode,
            status,
            interval: Self::DEFAULT_INTERVAL,
            timeout: None,
            on_progress: OnProgress::none(),
        }
    }

    /// Sleeps `interval` between two polls (default 10 s).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use std::time::Duration;
    /// let scan = client.scans().wait("sc-44021").interval(Duration::from_secs(30)).await?;
    /// let wait = client.actions().wait_execution("act-block-ip", "exec-7781");
    /// let execution = wait.interval(Duration::from_secs(1)).await?;
    /// # Ok(()) }
    /// ```
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Gives up after `timeout` in all, with [`Error::Timeout`]. The timeout
    /// bounds everything: a sleep ends at it (a timeout shorter than the
    /// interval does not wait a whole interval), and a call still in flight
    /// then is abandoned. Each poll keeps the client's own request timeout,
    /// retries and deadline. Default: [`DEFAULT_WAIT_TIMEOUT`] (2 h).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use std::time::Duration;
    /// match client.scans().wait("sc-44021").timeout(Duration::from_secs(600)).await {
    ///     Ok(scan) => println!("scan ended {:?}", scan.status),
    ///     Err(s4e::Error::Timeout(_)) => println!("still running after 10 minutes"),
    ///     Err(err) => return Err(err),
    /// }
    /// let wait = client.playbooks().wait_run("pb-tls-expiry", "run-7");
    /// match wait.timeout(Duration::from_secs(300)).await {
    ///     Ok(run) => println!("run ended {:?}", run.status),
    ///     Err(s4e::Error::Timeout(_)) => println!("still running after 5 minutes"),
    ///     Err(err) => return Err(err),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Calls `callback` with every status polled, the final one included, so
    /// a caller can show progress without a polling loop of its own. It runs
    /// on the task that polls (the calling thread on the blocking client):
    /// keep it short.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::playbooks::StepStatus;
    /// let scan = client
    ///     .scans()
    ///     .wait("sc-44021")
    ///     .on_progress(|progress| {
    ///         let phase = progress.current_phase.as_deref().unwrap_or("-");
    ///         println!("{:>3}% {phase}", progress.progress.unwrap_or(0));
    ///     })
    ///     .await?;
    /// let run = client
    ///     .playbooks()
    ///     .wait_run("pb-tls-expiry", "run-7")
    ///     .on_progress(|run| {
    ///         let done = run.steps.iter().filter(|s| s.status == Some(StepStatus::Completed));
    ///         println!("{} of {} steps done", done.count(), run.steps.len());
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn on_progress(mut self, callback: impl FnMut(&T::Progress) + Send + 'static) -> Self {
        self.on_progress = OnProgress::new(callback);
        self
    }

    /// The call this wait polls.
    pub(crate) fn status(&self) -> &T::Status {
        &self.status
    }

    /// Swaps the mode, keeping everything else (the blocking client's bridge).
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn with_mode<N>(self, mode: N) -> (Wait<T, N>, M) {
        let Wait {
            engine,
            mode: old,
            status,
            interval,
            timeout,
            on_progress,
        } = self;
        let wait = Wait {
            engine,
            mode,
            status,
            interval,
            timeout,
            on_progress,
        };
        (wait, old)
    }
}

impl<T: LongRunning> Wait<T, Async> {
    /// Waits; the same as `.await`.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let scan = client.scans().wait("sc-44021").send().await?;
    /// println!("{} findings", scan.finding_count.unwrap_or(0));
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<T> {
        let Wait {
            engine,
            status,
            interval,
            timeout,
            mut on_progress,
            ..
        } = self;
        within(timeout, async {
            let poll = || Request::new(engine.clone(), Async, status.clone()).send();
            let last = poll_until(interval, &mut on_progress, poll, T::is_final).await?;
            match T::finish(&status, last) {
                Finished::Value(value) => Ok(value),
                Finished::Fetch(fetch) => Request::new(engine.clone(), Async, fetch).send().await,
            }
        })
        .await
    }
}

impl<T: LongRunning> IntoFuture for Wait<T, Async> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Calls `poll` every `interval`, reports each answer to `on_progress`, and
/// returns the first one `is_final` accepts. Unbounded on its own: run it
/// inside [`within`].
pub(crate) async fn poll_until<P, F, Fut>(
    interval: Duration,
    on_progress: &mut OnProgress<P>,
    mut poll: F,
    is_final: impl Fn(&P) -> bool,
) -> Result<P>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<P>>,
{
    loop {
        let progress = poll().await?;
        on_progress.report(&progress);
        if is_final(&progress) {
            return Ok(progress);
        }
        tokio::time::sleep(interval).await;
    }
}

/// Runs a whole wait within its timeout (default [`DEFAULT_WAIT_TIMEOUT`]):
/// a sleep ends at it and a call in flight is abandoned, with
/// [`Error::Timeout`].
pub(crate) async fn within<T>(
    timeout: Option<Duration>,
    wait: impl Future<Output = Result<T>>,
) -> Result<T> {
    let limit = timeout.unwrap_or(DEFAULT_WAIT_TIMEOUT);
    tokio::time::timeout(limit, wait)
        .await
        .unwrap_or(Err(Error::Timeout(limit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn returns_the_first_final_value_and_times_out_otherwise() {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut on_progress = OnProgress::new({
            let seen = seen.clone();
            move |value: &i32| seen.lock().unwrap().push(*value)
        });
        let mut calls = 0;
        let polling = poll_until(
            Duration::from_secs(10),
            &mut on_progress,
            || {
                calls += 1;
                let value = calls;
                async move { Ok(value) }
            },
            |value| *value == 3,
        );
        let done = within(None, polling).await.unwrap();
        assert_eq!(done, 3);
        // Every polled value is reported, the final one included.
        assert_eq!(*seen.lock().unwrap(), [1, 2, 3]);

        let never = within(
            Some(Duration::from_secs(25)),
            poll_until(
                Duration::from_secs(10),
                &mut OnProgress::none(),
                || async { Ok(()) },
                |_| false,
            ),
        )
        .await;
        assert!(matches!(never, Err(Error::Timeout(d)) if d == Duration::from_secs(25)));

        // Without a timeout, the default one ends a wait that never ends.
        let start = tokio::time::Instant::now();
        let forever = within(
            None,
            poll_until(
                Duration::from_secs(10),
                &mut OnProgress::none(),
                || async { Ok(()) },
                |_| false,
            ),
        )
        .await;
        assert!(
            matches!(forever, Err(Error::Timeout(d)) if d == DEFAULT_WAIT_TIMEOUT),
            "{forever:?}"
        );
        let waited = start.elapsed();
        assert!(
            waited >= DEFAULT_WAIT_TIMEOUT
                && waited < DEFAULT_WAIT_TIMEOUT + Duration::from_secs(10),
            "{waited:?}"
        );

        let failed = within(
            None,
            poll_until(
                Duration::from_secs(1),
                &mut OnProgress::none(),
                || async { Err::<(), _>(Error::invalid_request("boom")) },
                |_| true,
            ),
        )
        .await;
        assert!(matches!(failed, Err(Error::InvalidRequest(_))));
    }
}
