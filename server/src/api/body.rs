//! Reading a request body within the batch limit, gzip or plain, turning overruns into 413.

use std::io::Read;

use axum::body::Body;
use axum::http::{header, HeaderMap};
use flate2::read::GzDecoder;

use crate::error::ApiError;
use sync_core::protocol::BatchLimits;

/// The body's bytes, decompressed when `Content-Encoding: gzip`; at most `limits.max_bytes` of either.
pub async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limits: &BatchLimits,
) -> Result<Vec<u8>, ApiError> {
    let max = limits.max_bytes;
    let raw = axum::body::to_bytes(body, max).await.map_err(|e| {
        let inner = e.into_inner();
        if inner.is::<http_body_util::LengthLimitError>() {
            ApiError::TooLarge(limits.clone())
        } else {
            // A body read timeout or a dropped client: nothing was applied.
            ApiError::BadRequest(format!("the request body could not be read: {inner}"))
        }
    })?;
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity")
        .trim()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "identity" | "" => Ok(raw.to_vec()),
        "gzip" | "x-gzip" => {
            let mut out = Vec::new();
            // Read one byte past the limit to tell "exactly at the limit" from "over it".
            GzDecoder::new(raw.as_ref())
                .take(max as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| {
                    ApiError::BadRequest(format!("the gzip body cannot be decompressed: {e}"))
                })?;
            if out.len() > max {
                return Err(ApiError::TooLarge(limits.clone()));
            }
            Ok(out)
        }
        other => Err(ApiError::Unsupported(format!(
            "Content-Encoding {other:?} is not supported (use gzip or none)"
        ))),
    }
}
