//! Client-side waiting for something that finishes on the server (a scan, an
//! action execution, a playbook run): poll, report, sleep, repeat, within a
//! deadline.

use std::future::Future;
use std::time::Duration;

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

/// What every wait is configured with: the sleep between two polls, the
/// overall timeout and the progress callback.
#[derive(Debug)]
pub(crate) struct WaitSettings<P> {
    pub(crate) interval: Duration,
    pub(crate) timeout: Option<Duration>,
    pub(crate) on_progress: OnProgress<P>,
}

impl<P> WaitSettings<P> {
    /// How long to sleep between two polls unless set: 10 s, as the API
    /// documentation polls.
    pub(crate) const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

    pub(crate) fn new() -> Self {
        WaitSettings {
            interval: Self::DEFAULT_INTERVAL,
            timeout: None,
            on_progress: OnProgress::none(),
        }
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
