//! Client-side waiting for something that finishes on the server (a scan, a
//! playbook run): poll, sleep, repeat, within a deadline.

use std::future::Future;
use std::time::Duration;

use crate::{Error, Result};

/// How long [`scans().wait`](crate::scans::Scans::wait) and
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

/// Calls `check` every `interval` until it returns `Some`, and returns that.
/// The timeout (default [`DEFAULT_WAIT_TIMEOUT`]) bounds everything: a sleep
/// ends at it and a call in flight is abandoned, with [`Error::Timeout`].
pub(crate) async fn poll_until<T, F, Fut>(
    interval: Duration,
    timeout: Option<Duration>,
    mut check: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let polling = async {
        loop {
            if let Some(done) = check().await? {
                return Ok(done);
            }
            tokio::time::sleep(interval).await;
        }
    };
    let limit = timeout.unwrap_or(DEFAULT_WAIT_TIMEOUT);
    tokio::time::timeout(limit, polling)
        .await
        .unwrap_or(Err(Error::Timeout(limit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn returns_the_first_final_value_and_times_out_otherwise() {
        let mut calls = 0;
        let done = poll_until(Duration::from_secs(10), None, || {
            calls += 1;
            let value = calls;
            async move { Ok((value == 3).then_some(value)) }
        })
        .await
        .unwrap();
        assert_eq!(done, 3);

        let never = poll_until(
            Duration::from_secs(10),
            Some(Duration::from_secs(25)),
            || async { Ok(None::<()>) },
        )
        .await;
        assert!(matches!(never, Err(Error::Timeout(d)) if d == Duration::from_secs(25)));

        // Without a timeout, the default one ends a wait that never ends.
        let start = tokio::time::Instant::now();
        let forever = poll_until(Duration::from_secs(10), None, || async { Ok(None::<()>) }).await;
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

        let failed = poll_until(Duration::from_secs(1), None, || async {
            Err::<Option<()>, _>(Error::invalid_request("boom"))
        })
        .await;
        assert!(matches!(failed, Err(Error::InvalidRequest(_))));
    }
}
