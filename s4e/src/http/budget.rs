//! The time one call has in all: its deadline, from the request, the client
//! or the defaults, as an instant every attempt, wait and transfer of the
//! call is measured against.

use std::time::Duration;

use tokio::time::Instant;

use crate::{Error, Result};

/// How long one call may take in all, over every attempt and every wait
/// between attempts, unless the client or the request sets a deadline:
/// 5 minutes, the longest the default retry policy can take (4 attempts of
/// 30 s and 3 waits of at most 60 s). Streamed downloads
/// ([`write_to`](crate::Request::write_to)) have
/// [`DEFAULT_DOWNLOAD_DEADLINE`] instead.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5 * 60);
/// How long a streamed download ([`write_to`](crate::Request::write_to)) may
/// take in all, transfer included, unless the client or the request sets a
/// deadline: 1 hour (3.6 GB at 1 MB/s).
pub const DEFAULT_DOWNLOAD_DEADLINE: Duration = Duration::from_secs(60 * 60);

/// What a call is, as far as its default deadline goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// Read to the end into memory (JSON, pages, an awaited export).
    Call,
    /// Streamed to a writer, transfer included.
    Download,
}

/// The time one call has in all: fixed when the call starts, shared by its
/// attempts, waits and (for downloads) the transfer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// As set, for the error.
    pub(crate) limit: Duration,
    pub(crate) until: Instant,
}

impl Budget {
    /// The budget of a call starting now: the request's deadline, else the
    /// client's, else the default for its kind.
    pub(crate) fn start(
        requested: Option<Duration>,
        client: Option<Duration>,
        kind: CallKind,
    ) -> Result<Budget> {
        let limit = requested.or(client).unwrap_or(match kind {
            CallKind::Call => DEFAULT_DEADLINE,
            CallKind::Download => DEFAULT_DOWNLOAD_DEADLINE,
        });
        if limit.is_zero() {
            return Err(Error::invalid_request("deadline must be greater than zero"));
        }
        Ok(Budget {
            limit,
            until: instant_after(Instant::now(), limit),
        })
    }
}

/// Longer than any call; an `Instant` this far ahead cannot overflow.
const FAR_FUTURE: Duration = Duration::from_secs(30 * 365 * 86_400);

/// `now + span`, saturating at a point no call reaches.
pub(crate) fn instant_after(now: Instant, span: Duration) -> Instant {
    now + span.min(FAR_FUTURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_budget_takes_the_request_then_the_client_then_the_kind() {
        let limit = |requested, client, kind| Budget::start(requested, client, kind).unwrap().limit;
        assert_eq!(limit(None, None, CallKind::Call), DEFAULT_DEADLINE);
        assert_eq!(
            limit(None, None, CallKind::Download),
            DEFAULT_DOWNLOAD_DEADLINE
        );
        let client = Some(Duration::from_secs(7));
        for kind in [CallKind::Call, CallKind::Download] {
            assert_eq!(limit(None, client, kind), Duration::from_secs(7));
        }
        let own = Some(Duration::from_secs(3));
        let started = Budget::start(own, client, CallKind::Download).unwrap();
        assert_eq!(started.limit, Duration::from_secs(3));
        assert_eq!(started.until - Instant::now(), Duration::from_secs(3));
        assert!(matches!(
            Budget::start(Some(Duration::ZERO), None, CallKind::Call),
            Err(Error::InvalidRequest(_))
        ));
        // A deadline too far to represent saturates instead of panicking.
        assert_eq!(
            limit(Some(Duration::MAX), None, CallKind::Call),
            Duration::MAX
        );
    }
}
