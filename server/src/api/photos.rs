//! `PUT /api/v1/blobs/{sha256}`: a device uploads a photo after the entry that names it. The name
//! is the SHA-256 of the bytes, so the upload is idempotent and the server checks it: bytes that
//! do not match are refused (400) and nothing is stored; more than the cap gets 413.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use sync_core::photo::{is_blob_id, is_jpeg, sha256_hex};
use sync_core::protocol::PhotoReceipt;

use super::device::AuthedDevice;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::NewPhoto;

/// `PUT /api/v1/blobs/{sha256}`: 201 stored now, 200 held already; both with a signed receipt.
pub async fn put(
    State(state): State<AppState>,
    AuthedDevice(device): AuthedDevice,
    Path(sha256): Path<String>,
    body: Body,
) -> Result<(StatusCode, Json<PhotoReceipt>), ApiError> {
    if !is_blob_id(&sha256) {
        return Err(ApiError::BadRequest(
            "a photo's name is the SHA-256 of its bytes: 64 lowercase hex characters".into(),
        ));
    }
    let max = state.config.photo_max_bytes;
    let bytes = axum::body::to_bytes(body, max).await.map_err(|e| {
        let inner = e.into_inner();
        if inner.is::<http_body_util::LengthLimitError>() {
            ApiError::PhotoTooLarge { max }
        } else {
            ApiError::BadRequest(format!("the photo could not be read: {inner}"))
        }
    })?;
    if sha256_hex(&bytes) != sha256 {
        return Err(ApiError::BadRequest(
            "the bytes do not match the photo's name (SHA-256); nothing was stored".into(),
        ));
    }
    if !is_jpeg(&bytes) {
        return Err(ApiError::Unsupported("a photo must be a JPEG".into()));
    }
    let stored = state
        .store
        .put_photo(NewPhoto {
            sha256: &sha256,
            device_id: &device.device_id,
            bytes: &bytes,
            now_ms: Utc::now().timestamp_millis(),
        })
        .await?;
    tracing::info!(device_id = %device.device_id, size = bytes.len(), stored, "photo received");
    let status = if stored {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let receipt = state.root.sign(PhotoReceipt {
        sha256,
        size: bytes.len() as u64,
        device_id: device.device_id,
        signature: String::new(),
    });
    Ok((status, Json(receipt)))
}
