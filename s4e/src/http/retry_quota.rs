//! The retry quota: one token bucket per client (shared by every clone) that
//! each retry draws on and successes refill, as in the AWS SDKs' standard
//! retry mode. While a server fails every request, retries stop once the
//! bucket is empty, so a storm of errors does not multiply the load on it;
//! first attempts never wait on the bucket.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::http::retry::Outcome;

/// What a retry after most failures takes.
pub(crate) const RETRY_COST: u32 = 5;
/// What a retry after a timeout takes: a server that does not answer in time
/// is the most likely to be overloaded.
pub(crate) const TIMEOUT_RETRY_COST: u32 = 10;
/// What a call that succeeds without a retry gives back.
pub(crate) const SUCCESS_REFUND: u32 = 1;

/// The client's bucket; `None` capacity means no quota.
#[derive(Debug)]
pub(crate) struct RetryQuota {
    capacity: Option<u32>,
    tokens: AtomicU32,
}

impl RetryQuota {
    /// A full bucket of `capacity` tokens, or no quota at all.
    pub(crate) fn new(capacity: Option<u32>) -> RetryQuota {
        RetryQuota {
            capacity,
            tokens: AtomicU32::new(capacity.unwrap_or(0)),
        }
    }

    /// What a retry after `outcome` costs.
    pub(crate) fn cost(outcome: Outcome) -> u32 {
        match outcome {
            Outcome::Timeout => TIMEOUT_RETRY_COST,
            _ => RETRY_COST,
        }
    }

    /// Takes what a retry after `outcome` costs and returns it, or `None`
    /// when the bucket cannot pay: then the retry is not made.
    pub(crate) fn take(&self, outcome: Outcome) -> Option<u32> {
        if self.capacity.is_none() {
            return Some(0);
        }
        let cost = Self::cost(outcome);
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                tokens.checked_sub(cost)
            })
            .ok()
            .map(|_| cost)
    }

    /// A call succeeded after its retries took `taken` tokens: they go back,
    /// or [`SUCCESS_REFUND`] when it took none; never above the capacity.
    pub(crate) fn refund(&self, taken: u32) {
        let Some(capacity) = self.capacity else {
            return;
        };
        let refund = if taken == 0 { SUCCESS_REFUND } else { taken };
        // `fetch_update` returns `Err` only when the closure does, and it
        // never does.
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                Some(tokens.saturating_add(refund).min(capacity))
            });
    }

    #[cfg(test)]
    fn tokens(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_draw_until_the_bucket_cannot_pay() {
        let quota = RetryQuota::new(Some(22));
        assert_eq!(quota.take(Outcome::Status(503)), Some(RETRY_COST));
        assert_eq!(quota.take(Outcome::Timeout), Some(TIMEOUT_RETRY_COST));
        assert_eq!(quota.tokens(), 7);
        assert_eq!(quota.take(Outcome::Timeout), None, "10 > 7");
        assert_eq!(quota.take(Outcome::NotSent), Some(RETRY_COST));
        assert_eq!(quota.take(Outcome::Status(429)), None, "5 > 2");
        assert_eq!(quota.tokens(), 2);
    }

    #[test]
    fn successes_refill_up_to_the_capacity() {
        let quota = RetryQuota::new(Some(20));
        quota.take(Outcome::Timeout).unwrap();
        quota.refund(0);
        assert_eq!(quota.tokens(), 11);
        quota.refund(TIMEOUT_RETRY_COST);
        assert_eq!(quota.tokens(), 20, "capped at the capacity");
    }

    #[test]
    fn without_a_quota_every_retry_is_paid() {
        let quota = RetryQuota::new(None);
        for _ in 0..10_000 {
            assert_eq!(quota.take(Outcome::Timeout), Some(0));
        }
        quota.refund(0);
    }
}
