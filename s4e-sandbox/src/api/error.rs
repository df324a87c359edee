//! The error envelope (API.md §3):
//! `{"status":"error","error":{"code","message","details":[{"field","message"}]}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

use super::envelope::json_response;

/// One field problem of a 422.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Detail {
    pub(crate) field: String,
    pub(crate) message: String,
}

#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<Detail>,
    retry_after: Option<u64>,
}

pub(crate) type ApiResult<T = Response> = Result<T, ApiError>;

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    /// A 422 naming every field that was wrong.
    pub(crate) fn validation(details: Vec<Detail>) -> Self {
        let message = match details.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        ApiError {
            details,
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                message,
            )
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::validation(vec![Detail {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// 404 for an id in the path or the body.
    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} `{id}` not found"),
        )
    }

    pub(crate) fn rate_limited(retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("rate limit exceeded; retry in {retry_after} s"),
            )
        }
    }

    /// An error for an arbitrary status, as a fault answers it.
    pub(crate) fn for_status(status: StatusCode) -> Self {
        let code = match status.as_u16() {
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            409 => "conflict",
            422 => "validation_failed",
            429 => return ApiError::rate_limited(1),
            500 => "internal_error",
            502 => "bad_gateway",
            503 => "service_unavailable",
            504 => "gateway_timeout",
            _ => "error",
        };
        let reason = status.canonical_reason().unwrap_or("error");
        ApiError::new(status, code, format!("{reason} (injected by the sandbox)"))
    }

    pub(crate) fn details(&self) -> &[Detail] {
        &self.details
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if self.status == StatusCode::UNPROCESSABLE_ENTITY {
            error["details"] = json!(self.details);
        }
        if let Some(secs) = self.retry_after {
            error["retry_after"] = json!(secs);
        }
        let mut response =
            json_response(self.status, &json!({ "status": "error", "error": error }));
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_message_names_the_field() {
        let e = ApiError::invalid("scan_type", "unknown value `fulll`");
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.message, "scan_type: unknown value `fulll`");
    }

    #[test]
    fn rate_limited_has_retry_after_header() {
        let r = ApiError::rate_limited(7).into_response();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()[header::RETRY_AFTER], "7");
    }
}
