//! One error type for every handler: a clear status and `ErrorBody` for clients, details only in logs.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use sync_core::protocol::{BatchLimits, DisabledNotice, ErrorBody};

use crate::store::DbError;

/// Seconds a client is asked to wait after a 503.
const RETRY_AFTER_SECS: &str = "5";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("missing or invalid device token")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("batch too large")]
    TooLarge(BatchLimits),
    #[error("the photo is larger than {max} bytes; nothing was stored")]
    PhotoTooLarge { max: usize },
    #[error("{0}")]
    Unsupported(String),
    #[error("too many requests; try again later")]
    RateLimited,
    /// A limit of the service was reached (e.g. a household's invitations per day).
    #[error("{0}")]
    TooMany(String),
    #[error("storage: {0}")]
    Db(#[from] DbError),
    #[error("{0}")]
    Internal(String),
    /// The device was switched off: 403 with the district-signed notice.
    #[error("this device has been disabled by the district")]
    Disabled(Box<DisabledNotice>),
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::TooLarge(_) | Self::PhotoTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
            }
            Self::Unsupported(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            Self::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::TooMany(_) => (StatusCode::TOO_MANY_REQUESTS, "limit"),
            Self::Db(e) if e.is_transient() => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Db(_) | Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            Self::Disabled(_) => (StatusCode::FORBIDDEN, DisabledNotice::CODE),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        if let Self::TooLarge(limits) = self {
            return (status, Json(limits)).into_response();
        }
        if let Self::Disabled(notice) = self {
            return (status, Json(notice)).into_response();
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(error = %self, "request deferred: the database is unavailable");
            let body = ErrorBody {
                code: code.into(),
                message: "the district database is busy or failing over; send again later \
                          (nothing sent is lost)"
                    .into(),
            };
            return (
                status,
                [(axum::http::header::RETRY_AFTER, RETRY_AFTER_SECS)],
                Json(body),
            )
                .into_response();
        }
        let message = match &self {
            Self::Db(_) | Self::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                "internal error; the request was not applied".to_owned()
            }
            other => other.to_string(),
        };
        (
            status,
            Json(ErrorBody {
                code: code.into(),
                message,
            }),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_that_cannot_answer_now_is_a_503_with_retry_after() {
        let deferred = ApiError::Db(DbError::Unavailable("commit not confirmed".into()));
        let response = deferred.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers().get(axum::http::header::RETRY_AFTER),
            Some(&axum::http::HeaderValue::from_static(RETRY_AFTER_SECS))
        );
        let broken = ApiError::Db(DbError::Invalid("a bug".into())).into_response();
        assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(broken
            .headers()
            .get(axum::http::header::RETRY_AFTER)
            .is_none());
    }
}
