//! The secrets a receiver checks deliveries with, and how strictly.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::signature::{self, DEFAULT_TOLERANCE, SignatureError};
use super::{Event, WebhookSecret};

/// The most bytes of a delivery body a receiver reads unless told
/// otherwise: 1 MiB, far above any event S4E documents.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// A receiver's webhook secrets: one, or several while a secret is rotated
/// (a delivery signed with any of them is accepted), with the timestamp
/// tolerance and the body size limit deliveries are checked against.
///
/// Cheap to clone; its `Debug` never shows a secret. It is the state the
/// `axum::Verified` extractor (feature `axum`) takes its secrets
/// from, and it can check a delivery by itself:
///
/// ```
/// use s4e::webhooks::{self, Secrets};
/// let secrets = Secrets::new(["whsec_new", "whsec_old"]);
/// # let body = br#"{"id":"evt-1","event":"scan.failed","data":{"scan_id":"sc-1","error":"timeout"}}"#;
/// # let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
/// // A delivery still signed with the old secret is accepted.
/// let header = webhooks::sign(body, "whsec_old", now);
/// let event = secrets.verify(body, &header)?;
/// assert_eq!(event.event_type, webhooks::EventType::ScanFailed);
/// assert!(format!("{secrets:?}").contains("***"));
/// # Ok::<(), webhooks::SignatureError>(())
/// ```
#[derive(Clone)]
pub struct Secrets {
    secrets: Arc<[WebhookSecret]>,
    tolerance: Duration,
    body_limit: usize,
}

impl Secrets {
    /// The secrets to accept, newest first (the order only decides which is
    /// tried first). An empty list, or an empty secret, accepts nothing:
    /// every delivery is refused with [`SignatureError::EmptySecret`].
    pub fn new(secrets: impl IntoIterator<Item = impl Into<WebhookSecret>>) -> Self {
        Secrets {
            secrets: secrets.into_iter().map(Into::into).collect(),
            tolerance: DEFAULT_TOLERANCE,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }

    /// How far a signature's timestamp may be from now, either way
    /// ([`DEFAULT_TOLERANCE`], 5 minutes, unless set).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The most bytes of body the extractor reads before refusing a
    /// delivery as too large ([`DEFAULT_BODY_LIMIT`] unless set).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The timestamp tolerance in force.
    pub fn current_tolerance(&self) -> Duration {
        self.tolerance
    }

    /// The body size limit in force.
    pub fn current_body_limit(&self) -> usize {
        self.body_limit
    }

    /// Verifies a delivery against every secret and decodes its event, as
    /// [`verify`](super::verify) does for one secret.
    ///
    /// When no secret matches, the error is [`SignatureError::Mismatch`];
    /// when one matches but the timestamp is out of the tolerance, it is the
    /// timestamp's error.
    pub fn verify(&self, payload: &[u8], signature_header: &str) -> Result<Event, SignatureError> {
        self.verify_at(payload, signature_header, SystemTime::now())
    }

    /// [`verify`](Self::verify) at a given time.
    pub fn verify_at(
        &self,
        payload: &[u8],
        signature_header: &str,
        now: SystemTime,
    ) -> Result<Event, SignatureError> {
        let mut failure = SignatureError::EmptySecret;
        for secret in self.secrets.iter() {
            let outcome = signature::check(
                payload,
                signature_header,
                secret.expose(),
                self.tolerance,
                now,
            );
            match outcome {
                Err(SignatureError::EmptySecret) => {}
                Err(SignatureError::Mismatch) => failure = SignatureError::Mismatch,
                // A match, or what another secret cannot make right (the
                // header, the timestamp of a matching signature).
                outcome => return signature::decode_event(payload, outcome?),
            }
        }
        Err(failure)
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("secrets", &format_args!("[{} × ***]", self.secrets.len()))
            .field("tolerance", &self.tolerance)
            .field("body_limit", &self.body_limit)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::sign;
    use std::time::UNIX_EPOCH;

    const BODY: &[u8] = br#"{"id":"evt-1","event":"webhook.test","data":{}}"#;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn any_secret_may_match_and_an_empty_list_matches_none() {
        let secrets = Secrets::new(["new", "", "old"]);
        for secret in ["new", "old"] {
            let header = sign(BODY, secret, 1_000);
            let event = secrets.verify_at(BODY, &header, at(1_000)).unwrap();
            assert_eq!(event.id.unwrap().as_str(), "evt-1");
        }
        let header = sign(BODY, "other", 1_000);
        assert_eq!(
            secrets.verify_at(BODY, &header, at(1_000)),
            Err(SignatureError::Mismatch)
        );
        let none = Secrets::new(Vec::<String>::new());
        assert_eq!(
            none.verify_at(BODY, &sign(BODY, "new", 1_000), at(1_000)),
            Err(SignatureError::EmptySecret)
        );
    }

    #[test]
    fn a_matching_but_stale_signature_is_reported_as_stale() {
        let secrets = Secrets::new(["new", "old"]).tolerance(Duration::from_secs(10));
        let header = sign(BODY, "old", 1_000);
        assert!(matches!(
            secrets.verify_at(BODY, &header, at(1_011)),
            Err(SignatureError::StaleTimestamp { .. })
        ));
        assert!(secrets.verify_at(BODY, &header, at(1_010)).is_ok());
    }

    #[test]
    fn debug_hides_the_secrets() {
        let printed = format!("{:?}", Secrets::new(["whsec_do_not_print"]));
        assert!(!printed.contains("whsec_do_not_print"), "{printed}");
    }
}
