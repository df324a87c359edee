//! When to retry and how long to wait: pure functions of the request and the
//! outcome, so they are tested without a server.

use std::time::{Duration, SystemTime};

use crate::Method;

/// What one attempt ended with, as far as retrying cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// No connection was made: the server never saw the request.
    NotSent,
    /// The attempt ran out of time; the server may have processed it.
    Timeout,
    /// The connection broke after the request may have been sent.
    Interrupted,
    /// The server answered with this status.
    Status(u16),
    /// The server answered with a redirect the client does not follow (a
    /// write, another origin, a loop): the same request meets it again.
    Redirect,
    /// The call's overall deadline passed: no time is left for another try.
    Deadline,
}

impl Outcome {
    /// Transient failures: worth another attempt if one is safe.
    pub(crate) fn is_transient(self) -> bool {
        match self {
            Outcome::NotSent | Outcome::Timeout | Outcome::Interrupted => true,
            Outcome::Status(status) => matches!(status, 429 | 500 | 502 | 503 | 504),
            Outcome::Redirect | Outcome::Deadline => false,
        }
    }

    /// Failures that prove the server did not act on the request.
    fn proves_not_processed(self) -> bool {
        matches!(self, Outcome::NotSent | Outcome::Status(429))
    }
}

/// What makes a request safe to repeat.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Safety {
    pub(crate) method: Method,
    /// The endpoint was declared `idempotent`.
    pub(crate) declared_idempotent: bool,
    /// The caller set its own `Idempotency-Key`, declaring the server dedupes.
    pub(crate) explicit_key: bool,
}

/// Whether an attempt that ended with `outcome` may be repeated.
///
/// GET, PUT, DELETE, `idempotent` endpoints and requests with a caller-set
/// idempotency key retry on any transient failure; other POST/PATCH only when
/// the failure proves the request was not processed.
pub(crate) fn may_retry(safety: Safety, outcome: Outcome) -> bool {
    if !outcome.is_transient() {
        return false;
    }
    let repeatable =
        safety.method.is_idempotent() || safety.declared_idempotent || safety.explicit_key;
    repeatable || outcome.proves_not_processed()
}

/// Exponential backoff with full jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    pub(crate) initial: Duration,
    pub(crate) max: Duration,
    /// Never wait longer than this, whatever the server asks.
    pub(crate) ceiling: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
            ceiling: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The wait before retry number `retry` (1-based): the server's hint when
    /// it gave one, else a random point in `[0, min(max, initial * 2^(retry-1))]`.
    /// `None` when the wait would exceed the ceiling: give up instead.
    pub(crate) fn delay(
        &self,
        retry: u32,
        server_hint: Option<Duration>,
        unit_random: f64,
    ) -> Option<Duration> {
        let wait = match server_hint {
            Some(hint) => hint,
            None => {
                let exp = self
                    .initial
                    .checked_mul(
                        1u32.checked_shl(retry.saturating_sub(1))
                            .unwrap_or(u32::MAX),
                    )
                    .unwrap_or(self.max)
                    .min(self.max);
                exp.mul_f64(unit_random.clamp(0.0, 1.0))
            }
        };
        (wait <= self.ceiling).then_some(wait)
    }
}

/// Parses `Retry-After`: delay-seconds, or an HTTP-date relative to `now`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::from_secs_f64(seconds.min(86_400.0)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn safety(method: Method) -> Safety {
        Safety {
            method,
            declared_idempotent: false,
            explicit_key: false,
        }
    }

    #[test]
    fn transient_outcomes() {
        for status in [429, 500, 502, 503, 504] {
            assert!(Outcome::Status(status).is_transient(), "{status}");
        }
        for status in [400, 401, 403, 404, 409, 422, 501] {
            assert!(!Outcome::Status(status).is_transient(), "{status}");
        }
        assert!(Outcome::NotSent.is_transient());
        assert!(Outcome::Timeout.is_transient());
        assert!(Outcome::Interrupted.is_transient());
    }

    #[test]
    fn refused_redirects_and_a_passed_deadline_are_never_retried() {
        for outcome in [Outcome::Redirect, Outcome::Deadline] {
            assert!(!outcome.is_transient(), "{outcome:?}");
            for method in [
                Method::Get,
                Method::Post,
                Method::Put,
                Method::Patch,
                Method::Delete,
            ] {
                let keyed = Safety {
                    declared_idempotent: true,
                    explicit_key: true,
                    ..safety(method)
                };
                assert!(!may_retry(safety(method), outcome), "{method} {outcome:?}");
                assert!(!may_retry(keyed, outcome), "{method} {outcome:?}");
            }
        }
    }

    #[test]
    fn reads_and_deletes_retry_on_any_transient_failure() {
        for method in [Method::Get, Method::Delete, Method::Put] {
            for outcome in [
                Outcome::NotSent,
                Outcome::Timeout,
                Outcome::Interrupted,
                Outcome::Status(500),
                Outcome::Status(503),
            ] {
                assert!(may_retry(safety(method), outcome), "{method} {outcome:?}");
            }
            assert!(!may_retry(safety(method), Outcome::Status(404)));
        }
    }

    #[test]
    fn writes_retry_only_when_not_processed() {
        for method in [Method::Post, Method::Patch] {
            assert!(may_retry(safety(method), Outcome::NotSent));
            assert!(may_retry(safety(method), Outcome::Status(429)));
            assert!(!may_retry(safety(method), Outcome::Status(500)));
            assert!(!may_retry(safety(method), Outcome::Status(503)));
            assert!(!may_retry(safety(method), Outcome::Timeout));
            assert!(!may_retry(safety(method), Outcome::Interrupted));
        }
    }

    #[test]
    fn declared_or_keyed_writes_retry_on_any_transient_failure() {
        let declared = Safety {
            declared_idempotent: true,
            ..safety(Method::Post)
        };
        let keyed = Safety {
            explicit_key: true,
            ..safety(Method::Post)
        };
        for s in [declared, keyed] {
            assert!(may_retry(s, Outcome::Status(503)));
            assert!(may_retry(s, Outcome::Timeout));
            assert!(!may_retry(s, Outcome::Status(422)));
        }
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
            ceiling: Duration::from_secs(60),
        };
        assert_eq!(b.delay(1, None, 1.0), Some(Duration::from_millis(100)));
        assert_eq!(b.delay(3, None, 1.0), Some(Duration::from_millis(400)));
        assert_eq!(b.delay(10, None, 1.0), Some(Duration::from_secs(1)));
        assert_eq!(b.delay(64, None, 1.0), Some(Duration::from_secs(1)));
        assert_eq!(b.delay(3, None, 0.5), Some(Duration::from_millis(200)));
        assert_eq!(b.delay(3, None, 0.0), Some(Duration::ZERO));
    }

    #[test]
    fn server_hint_wins_unless_above_the_ceiling() {
        let b = Backoff::default();
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(2)), 0.3),
            Some(Duration::from_secs(2))
        );
        assert_eq!(b.delay(1, Some(Duration::from_secs(61)), 0.3), None);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after(" 1.5 ", now),
            Some(Duration::from_millis(1500))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
