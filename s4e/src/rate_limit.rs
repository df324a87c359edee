//! The server's rate-limit state as its `X-RateLimit-*` headers state it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// The rate-limit state one answer announced in its `X-RateLimit-Limit`,
/// `X-RateLimit-Remaining` and `X-RateLimit-Reset` headers.
///
/// The API sends all three on every answer, errors and `204` included. An
/// answer that lacks one of them, or carries one that is not a number, states
/// no rate limit.
///
/// ```no_run
/// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
/// client.findings().list().await?;
/// if let Some(limit) = client.rate_limit() {
///     println!("{} of {} left, window resets in {:?}", limit.remaining, limit.limit, limit.resets_in());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed per window (`X-RateLimit-Limit`).
    pub limit: u64,
    /// Requests left in the current window (`X-RateLimit-Remaining`).
    pub remaining: u64,
    /// When the window resets and `remaining` is back to `limit`
    /// (`X-RateLimit-Reset`).
    pub reset: SystemTime,
}

/// `X-RateLimit-Reset` values below this are read as seconds from now rather
/// than as a Unix time: no reset lies before 2001-09-09, and some servers
/// (and proxies) send the delta.
const EARLIEST_UNIX_RESET: u64 = 1_000_000_000;

/// A reset further ahead than this is clamped to it: the header is a window
/// of seconds or minutes, and a value years ahead is a broken server.
const LONGEST_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

impl RateLimit {
    /// The time left until [`reset`](RateLimit::reset), zero when it has
    /// passed.
    pub fn resets_in(&self) -> Duration {
        self.reset
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
    }

    /// Whether the server said that no request is left before the reset.
    pub fn is_exhausted(&self) -> bool {
        self.remaining == 0
    }

    /// The state the headers of an answer received at `now` announce, if
    /// they announce one.
    pub(crate) fn from_headers(headers: &HeaderMap, now: SystemTime) -> Option<RateLimit> {
        let number =
            |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        let limit = number("x-ratelimit-limit")?;
        let remaining = number("x-ratelimit-remaining")?;
        let reset = number("x-ratelimit-reset")?;
        let latest = now + LONGEST_WINDOW;
        let reset = if reset < EARLIEST_UNIX_RESET {
            now + Duration::from_secs(reset).min(LONGEST_WINDOW)
        } else {
            (UNIX_EPOCH + Duration::from_secs(reset)).min(latest)
        };
        Some(RateLimit {
            limit,
            remaining,
            reset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn at(unix: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(unix)
    }

    #[test]
    fn reads_the_three_headers_with_a_unix_reset() {
        let now = at(1_800_000_000);
        let state = RateLimit::from_headers(
            &headers(&[
                ("x-ratelimit-limit", "100"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1800000042"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(state.limit, 100);
        assert_eq!(state.remaining, 0);
        assert!(state.is_exhausted());
        assert_eq!(state.reset, at(1_800_000_042));
    }

    #[test]
    fn a_small_reset_is_seconds_from_now() {
        let now = at(1_800_000_000);
        let state = RateLimit::from_headers(
            &headers(&[
                ("x-ratelimit-limit", "100"),
                ("x-ratelimit-remaining", "7"),
                ("x-ratelimit-reset", "30"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(state.reset, at(1_800_000_030));
        assert!(!state.is_exhausted());
    }

    #[test]
    fn a_reset_years_ahead_is_clamped_to_a_day() {
        let now = at(1_800_000_000);
        for reset in ["99999999999", "999999999"] {
            let state = RateLimit::from_headers(
                &headers(&[
                    ("x-ratelimit-limit", "100"),
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", reset),
                ]),
                now,
            )
            .unwrap();
            assert!(state.reset <= now + LONGEST_WINDOW, "{reset}");
        }
    }

    #[test]
    fn a_missing_or_malformed_header_states_nothing() {
        let now = at(1_800_000_000);
        assert_eq!(RateLimit::from_headers(&HeaderMap::new(), now), None);
        let partial = headers(&[("x-ratelimit-limit", "100"), ("x-ratelimit-remaining", "3")]);
        assert_eq!(RateLimit::from_headers(&partial, now), None);
        let malformed = headers(&[
            ("x-ratelimit-limit", "100"),
            ("x-ratelimit-remaining", "-1"),
            ("x-ratelimit-reset", "soon"),
        ]);
        assert_eq!(RateLimit::from_headers(&malformed, now), None);
    }
}
