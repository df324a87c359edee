//! An axum 0.8 extractor for signed deliveries (feature `axum`).
//!
//! [`Verified`] reads the raw body (up to the [`Secrets`]' body limit),
//! checks the [`SIGNATURE_HEADER`] against the secrets in the router's
//! state, and only then decodes the [`Event`]. It consumes the body, so a
//! handler cannot parse the body first and verify later; a delivery that
//! fails is answered with a [`Rejection`] and the handler never runs.
//!
//! ```
//! use axum::{Router, http::StatusCode, routing::post};
//! use s4e::webhooks::{Secrets, axum::Verified};
//!
//! async fn hook(Verified(event): Verified) -> StatusCode {
//!     println!("{} {:?}", event.event_type, event.id);
//!     StatusCode::NO_CONTENT
//! }
//!
//! let app: Router = Router::new()
//!     .route("/hooks/s4e", post(hook))
//!     .with_state(Secrets::new(["whsec_current", "whsec_previous"]));
//! ```
//!
//! With more state, let [`Secrets`] come out of it through
//! [`FromRef`](::axum::extract::FromRef) (`#[derive(FromRef)]` with axum's
//! `macros` feature, or by hand).

use ::axum::body::Body;
use ::axum::extract::{FromRef, FromRequest, Request};
use ::axum::http::StatusCode;
use ::axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use super::signature::{SIGNATURE_HEADER, SignatureError};
use super::{Event, Secrets};

/// A delivery whose signature checked out: the handler's argument,
/// `Verified(event): Verified`.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified(pub Event);

/// Why [`Verified`] refused a delivery; its response is the status below
/// with a one-line text body naming the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// 400: no `S4E-Signature` header.
    #[error("missing S4E-Signature header")]
    MissingSignature,
    /// 400: the header is not `t=…,v1=…`.
    #[error("malformed S4E-Signature header: {0}")]
    MalformedSignature(&'static str),
    /// 400: the body could not be read (the connection broke).
    #[error("unreadable body")]
    UnreadableBody,
    /// 413: the body is larger than the [`Secrets::body_limit`].
    #[error("body larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// 400: the signature matches but the body is not an event.
    #[error("signed body is not an event: {0}")]
    MalformedBody(String),
    /// 401: no secret produces this signature for this body.
    #[error("bad signature")]
    BadSignature,
    /// 401: the signature matches but its timestamp is outside the
    /// tolerance (a replay, or a clock far off).
    #[error("stale timestamp")]
    StaleTimestamp,
    /// 500: the receiver has no usable secret configured.
    #[error("no webhook secret configured")]
    NoSecret,
}

impl Rejection {
    /// The HTTP status it answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::MissingSignature
            | Rejection::MalformedSignature(_)
            | Rejection::UnreadableBody
            | Rejection::MalformedBody(_) => StatusCode::BAD_REQUEST,
            Rejection::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::BadSignature | Rejection::StaleTimestamp => StatusCode::UNAUTHORIZED,
            Rejection::NoSecret => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<SignatureError> for Rejection {
    fn from(error: SignatureError) -> Self {
        match error {
            SignatureError::MissingHeader => Rejection::MissingSignature,
            SignatureError::MalformedHeader { reason } => Rejection::MalformedSignature(reason),
            SignatureError::Mismatch => Rejection::BadSignature,
            SignatureError::StaleTimestamp { .. } | SignatureError::FutureTimestamp { .. } => {
                Rejection::StaleTimestamp
            }
            SignatureError::EmptySecret => Rejection::NoSecret,
            SignatureError::InvalidPayload { message } => Rejection::MalformedBody(message),
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        (self.status(), format!("{self}\n")).into_response()
    }
}

impl<S> FromRequest<S> for Verified
where
    Secrets: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Rejection> {
        let secrets = Secrets::from_ref(state);
        let (parts, body) = request.into_parts();
        // A header that is not text cannot be a signature.
        let header = match parts.headers.get(SIGNATURE_HEADER) {
            None => return Err(Rejection::MissingSignature),
            Some(value) => value
                .to_str()
                .map_err(|_| Rejection::MalformedSignature("the header is not ASCII text"))?,
        };
        if header.trim().is_empty() {
            return Err(Rejection::MissingSignature);
        }
        let body = read_bounded(body, secrets.current_body_limit()).await?;
        Ok(Verified(secrets.verify(&body, header)?))
    }
}

/// The body, refused as soon as it grows past `limit` (whatever its
/// `Content-Length` claims).
async fn read_bounded(body: Body, limit: usize) -> Result<Vec<u8>, Rejection> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Rejection::UnreadableBody)?;
        if bytes.len() + chunk.len() > limit {
            return Err(Rejection::BodyTooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
