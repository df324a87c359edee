//! Client-side waiting for something that finishes on the server (a scan, a
//! playbook run): poll, sleep, repeat, within an optional deadline.

use std::future::Future;
use std::time::Duration;

use crate::{Error, Result};

/// Calls `check` every `interval` until it returns `Some`, and returns that.
/// The deadline bounds everything: a sleep ends at it and a call in flight is
/// abandoned, with [`Error::Timeout`].
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
    match timeout {
        None => polling.await,
        Some(limit) => tokio::time::timeout(limit, polling)
            .await
            .unwrap_or(Err(Error::Timeout(limit))),
    }
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

        let failed = poll_until(Duration::from_secs(1), None, || async {
            Err::<Option<()>, _>(Error::invalid_request("boom"))
        })
        .await;
        assert!(matches!(failed, Err(Error::InvalidRequest(_))));
    }
}
