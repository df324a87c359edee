//! Verification of signed deliveries (`docs/API.md` §5.1).
//!
//! A delivery carries `S4E-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`
//! where each `v1` is `HMAC-SHA256(secret, "<t>.<raw body>")`. Several `v1`
//! entries appear while a secret is rotated; any one matching is enough.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::Event;

type HmacSha256 = Hmac<Sha256>;

/// The name of the header that carries the signature of a delivery.
pub const SIGNATURE_HEADER: &str = "S4E-Signature";

/// How far the signature's timestamp may be from now, either way, unless
/// told otherwise: 5 minutes.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The hex length of one HMAC-SHA256 signature.
const SIGNATURE_HEX_LEN: usize = 64;

/// Why a delivery was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The signature header is absent or empty: the delivery is unsigned.
    #[error("the S4E-Signature header is missing or empty")]
    MissingHeader,

    /// The signature header is not `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`.
    #[error("the S4E-Signature header is malformed: {reason}")]
    MalformedHeader {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// No `v1` signature matches the body and secret: the body was changed,
    /// or the secret is not this webhook's.
    #[error("the signature does not match the payload and secret")]
    Mismatch,

    /// The signature is authentic but older than the tolerance: a replay, or
    /// a clock far behind.
    #[error("the signature is {}s old, beyond the tolerance of {}s", age.as_secs(), tolerance.as_secs())]
    StaleTimestamp {
        /// How old the signature's timestamp is.
        age: Duration,
        /// The tolerance it exceeds.
        tolerance: Duration,
    },

    /// The signature is authentic but its timestamp lies further in the
    /// future than the tolerance: a clock far ahead.
    #[error("the signature's timestamp is {}s in the future, beyond the tolerance of {}s", ahead.as_secs(), tolerance.as_secs())]
    FutureTimestamp {
        /// How far ahead of now the timestamp is.
        ahead: Duration,
        /// The tolerance it exceeds.
        tolerance: Duration,
    },

    /// The secret given to check with is empty, which would accept
    /// signatures anyone can make; check the receiver's configuration.
    #[error("the webhook secret is empty; configure the secret the webhook was created with")]
    EmptySecret,

    /// The signature is valid but the body is not an event
    /// (`{"id", "event", "timestamp", "data"}`).
    #[error("the signed payload is not a valid event: {message}")]
    InvalidPayload {
        /// What the JSON decoder reported.
        message: String,
    },
}

/// Verifies a delivery and decodes its event: the signature must match, and
/// its timestamp must be within [`DEFAULT_TOLERANCE`] (5 minutes) of the
/// system clock.
///
/// `payload` is the raw request body, exactly as received (not re-encoded
/// JSON); `signature_header` is the value of the [`SIGNATURE_HEADER`]
/// (`""` when absent); `secret` is the webhook's secret. Comparison is in
/// constant time.
///
/// ```
/// use s4e::webhooks::{self, EventType};
/// # let payload = br#"{"id":"evt-1","event":"scan.failed","data":{}}"#;
/// # let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
/// # let signature_header = webhooks::sign(payload, "whsec_test", now);
/// let event = webhooks::verify(payload, &signature_header, "whsec_test")?;
/// assert_eq!(event.event_type, EventType::ScanFailed);
///
/// let tampered = br#"{"id":"evt-1","event":"scan.completed","data":{}}"#;
/// let err = webhooks::verify(tampered, &signature_header, "whsec_test").unwrap_err();
/// assert_eq!(err, webhooks::SignatureError::Mismatch);
/// # Ok::<(), webhooks::SignatureError>(())
/// ```
pub fn verify(
    payload: &[u8],
    signature_header: &str,
    secret: &str,
) -> Result<Event, SignatureError> {
    verify_at(
        payload,
        signature_header,
        secret,
        DEFAULT_TOLERANCE,
        SystemTime::now(),
    )
}

/// [`verify`] with an explicit tolerance and current time, for tests and for
/// receivers with their own clock.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use s4e::webhooks::{self, SignatureError};
/// let payload = br#"{"id":"evt-1","event":"webhook.test","data":{}}"#;
/// let header = webhooks::sign(payload, "whsec_test", 1_777_802_820);
/// let signed_at = UNIX_EPOCH + Duration::from_secs(1_777_802_820);
///
/// let now = signed_at + Duration::from_secs(60);
/// assert!(webhooks::verify_at(payload, &header, "whsec_test", Duration::from_secs(300), now).is_ok());
///
/// let now = signed_at + Duration::from_secs(3_600);
/// let err = webhooks::verify_at(payload, &header, "whsec_test", Duration::from_secs(300), now);
/// assert!(matches!(err, Err(SignatureError::StaleTimestamp { .. })));
/// ```
pub fn verify_at(
    payload: &[u8],
    signature_header: &str,
    secret: &str,
    tolerance: Duration,
    now: SystemTime,
) -> Result<Event, SignatureError> {
    let signed = check(payload, signature_header, secret, tolerance, now)?;
    decode_event(payload, signed)
}

/// The body of a delivery whose signature checked out, as an [`Event`] that
/// remembers the signature (what [`Dedup`](super::Dedup) keys a delivery
/// without an ID by).
pub(super) fn decode_event(payload: &[u8], signed: Signed) -> Result<Event, SignatureError> {
    let mut event: Event =
        serde_json::from_slice(payload).map_err(|e| SignatureError::InvalidPayload {
            message: e.to_string(),
        })?;
    event.signed = Some(signed);
    Ok(event)
}

/// The signature a verified delivery carried: its timestamp and the `v1`
/// digest that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signed {
    pub(crate) timestamp: u64,
    pub(crate) digest: String,
}

/// Checks the signature and timestamp only, without decoding the body: for a
/// receiver that parses the body itself.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use s4e::webhooks;
/// let payload = b"not even JSON";
/// let now = SystemTime::now();
/// let t = now.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
/// let header = webhooks::sign(payload, "whsec_test", t);
/// webhooks::verify_signature(payload, &header, "whsec_test", webhooks::DEFAULT_TOLERANCE, now)?;
/// # Ok::<(), webhooks::SignatureError>(())
/// ```
pub fn verify_signature(
    payload: &[u8],
    signature_header: &str,
    secret: &str,
    tolerance: Duration,
    now: SystemTime,
) -> Result<(), SignatureError> {
    check(payload, signature_header, secret, tolerance, now).map(drop)
}

/// [`verify_signature`], answering which signature matched.
pub(super) fn check(
    payload: &[u8],
    signature_header: &str,
    secret: &str,
    tolerance: Duration,
    now: SystemTime,
) -> Result<Signed, SignatureError> {
    let header = parse_header(signature_header)?;
    if secret.is_empty() {
        return Err(SignatureError::EmptySecret);
    }
    let signed = signed_mac(secret, header.timestamp, payload);
    // The body is hashed once; each candidate only finalizes a copy.
    let matched = header
        .signatures
        .iter()
        .find(|signature| signed.clone().verify_slice(signature).is_ok())
        .ok_or(SignatureError::Mismatch)?;
    check_timestamp(header.timestamp, tolerance, now)?;
    Ok(Signed {
        timestamp: header.timestamp,
        digest: hex::encode(matched),
    })
}

/// The value of a [`SIGNATURE_HEADER`] for `payload` signed with `secret` at
/// `timestamp` (Unix seconds): `t=<timestamp>,v1=<hex>`. For tests of a
/// receiver, and for servers that deliver events.
///
/// ```
/// // $ printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
/// // SHA2-256(stdin)= 35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91
/// assert_eq!(
///     s4e::webhooks::sign(b"{}", "whsec_test", 1_700_000_000),
///     "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
/// );
/// ```
pub fn sign(payload: &[u8], secret: &str, timestamp: u64) -> String {
    let tag = signed_mac(secret, timestamp, payload)
        .finalize()
        .into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// The MAC of `"<timestamp>.<payload>"`, ready to finalize.
fn signed_mac(secret: &str, timestamp: u64, payload: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length; the error cannot happen.
    let mut mac = match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// What the header holds.
#[derive(Debug, PartialEq, Eq)]
struct SignatureHeader {
    timestamp: u64,
    signatures: Vec<Vec<u8>>,
}

/// Parses `t=<digits>,v1=<hex>[,v1=<hex>...]`. Entries of other schemes
/// (`v0=`, a future `v2=`) are ignored; blanks around entries are allowed.
/// Never panics, whatever the input.
fn parse_header(header: &str) -> Result<SignatureHeader, SignatureError> {
    let malformed = |reason| SignatureError::MalformedHeader { reason };
    let header = header.trim();
    if header.is_empty() {
        return Err(SignatureError::MissingHeader);
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for entry in header.split(',').map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        let Some((key, value)) = entry.split_once('=') else {
            return Err(malformed("an entry is not `key=value`"));
        };
        match key.trim() {
            "t" => {
                if timestamp.is_some() {
                    return Err(malformed("more than one `t=` timestamp"));
                }
                let value = value.trim();
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(malformed("`t` is not a Unix time in seconds"));
                }
                let seconds = value
                    .parse::<u64>()
                    .map_err(|_| malformed("`t` is not a Unix time in seconds"))?;
                timestamp = Some(seconds);
            }
            "v1" => {
                let value = value.trim();
                if value.len() != SIGNATURE_HEX_LEN {
                    return Err(malformed("a `v1` signature is not 64 hex digits"));
                }
                let bytes =
                    hex::decode(value).map_err(|_| malformed("a `v1` signature is not hex"))?;
                signatures.push(bytes);
            }
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return Err(malformed("no `t=` timestamp"));
    };
    if signatures.is_empty() {
        return Err(malformed("no `v1=` signature"));
    }
    Ok(SignatureHeader {
        timestamp,
        signatures,
    })
}

fn check_timestamp(
    timestamp: u64,
    tolerance: Duration,
    now: SystemTime,
) -> Result<(), SignatureError> {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let signed_at = Duration::from_secs(timestamp);
    if let Some(age) = now.checked_sub(signed_at) {
        if age > tolerance {
            return Err(SignatureError::StaleTimestamp { age, tolerance });
        }
    } else {
        let ahead = signed_at - now;
        if ahead > tolerance {
            return Err(SignatureError::FutureTimestamp { ahead, tolerance });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn header_shapes() {
        let parsed = parse_header(&format!(" t=12 , v1={SIG},v0=zz,,v1={SIG}")).unwrap();
        assert_eq!(parsed.timestamp, 12);
        assert_eq!(parsed.signatures.len(), 2);
        let reason = |header: &str| match parse_header(header) {
            Err(SignatureError::MalformedHeader { reason }) => reason,
            other => panic!("{header:?}: {other:?}"),
        };
        assert_eq!(reason(&format!("v1={SIG}")), "no `t=` timestamp");
        assert_eq!(reason("t=12"), "no `v1=` signature");
        assert_eq!(
            reason(&format!("t=+12,v1={SIG}")),
            "`t` is not a Unix time in seconds"
        );
        assert_eq!(
            reason(&format!("t=99999999999999999999999,v1={SIG}")),
            "`t` is not a Unix time in seconds"
        );
        assert_eq!(
            reason(&format!("t=1,t=2,v1={SIG}")),
            "more than one `t=` timestamp"
        );
        assert_eq!(
            reason("t=1,v1=abc"),
            "a `v1` signature is not 64 hex digits"
        );
        assert_eq!(
            reason(&format!("t=1,v1={}", "é".repeat(32))),
            "a `v1` signature is not hex"
        );
        assert_eq!(reason("garbage"), "an entry is not `key=value`");
        assert_eq!(parse_header("  "), Err(SignatureError::MissingHeader));
    }

    #[test]
    fn parsing_never_panics_on_odd_input() {
        let pieces = [
            "t", "=", ",", "v1", "é", "0", "ff", " ", "\u{0}", "9", "v1=",
        ];
        let mut header = String::new();
        for i in 0..2_000usize {
            header.push_str(pieces[(i * 7 + i / 3) % pieces.len()]);
            let _ = parse_header(&header);
            let tail: String = header.chars().skip(i % 5).collect();
            let _ = parse_header(&tail);
        }
    }

    #[test]
    fn timestamp_window_is_inclusive_both_ways() {
        let at = |s| UNIX_EPOCH + Duration::from_secs(s);
        let five = Duration::from_secs(300);
        assert!(check_timestamp(1_000, five, at(1_300)).is_ok());
        assert!(check_timestamp(1_300, five, at(1_000)).is_ok());
        assert!(matches!(
            check_timestamp(1_000, five, at(1_301)),
            Err(SignatureError::StaleTimestamp { age, .. }) if age == Duration::from_secs(301)
        ));
        assert!(matches!(
            check_timestamp(1_301, five, at(1_000)),
            Err(SignatureError::FutureTimestamp { ahead, .. }) if ahead == Duration::from_secs(301)
        ));
        assert!(check_timestamp(u64::MAX, five, at(0)).is_err());
    }
}
