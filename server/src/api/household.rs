//! `GET /api/v1/household`: a household's passes for its residents' own phones, which were never
//! enrolled. The token of the household letter (`Authorization: Household <token>`) names the
//! household; the answer carries the district's key set and root key and is signed with the root
//! key, so the phone verifies the bundle against the fingerprint in the letter's link and each
//! pass offline. A revoked link gets 403 with its reason; each phone (`X-Phone-Id`) is remembered.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use chrono::Utc;
use sync_core::protocol::{HouseholdBundle, HouseholdPass};
use sync_core::validate::check_text;

use super::device::Nonce;
use crate::auth::hash_token;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::HouseholdLink;

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Household ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Who is asking: the live link a household token names, and the phone it is on (remembered).
pub(super) struct Caller {
    pub link: HouseholdLink,
    pub phone: String,
}

/// The caller of a household request, or 401 (no or unknown token), 403 (revoked), 400 (no phone id).
pub(super) async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let token = bearer(headers).ok_or(ApiError::Unauthorized)?;
    let token_hash = hash_token(token);
    let link = state
        .store
        .household_link(&token_hash)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if link.revoked {
        return Err(ApiError::Forbidden(
            "此住户信链接已停用，请向社区索取新的住户信 this household link was revoked; ask the community office for a new letter".into(),
        ));
    }
    let phone = headers
        .get("x-phone-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|p| !p.is_empty() && check_text(p, 64).is_ok())
        .ok_or_else(|| {
            ApiError::BadRequest("X-Phone-Id must be 1–64 printable characters".into())
        })?;
    state
        .store
        .note_link_phone(&token_hash, &link, phone, Utc::now().timestamp_millis())
        .await?;
    Ok(Caller {
        link,
        phone: phone.to_owned(),
    })
}

/// `GET /api/v1/household?nonce=N`
pub async fn bundle(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Nonce>,
) -> Result<Json<HouseholdBundle>, ApiError> {
    let nonce = q.checked()?;
    let Caller { link, .. } = caller(&state, &headers).await?;
    let now = Utc::now();
    let passes = state
        .store
        .household_passes(&link.compound_id, &link.household)
        .await?
        .into_iter()
        .map(|p| HouseholdPass {
            pass_id: p.pass_id,
            serial: p.serial,
            payload: p.payload,
            revoked: p.revoked_at_ms.is_some(),
        })
        .collect();
    let compound_name = state
        .store
        .compounds()
        .await?
        .into_iter()
        .find(|c| c.0 == link.compound_id)
        .map(|c| c.1)
        .unwrap_or_default();
    let district_id = state.config.district_id.clone();
    let keys = state.store.key_set(&district_id).await?;
    Ok(Json(state.root.sign(HouseholdBundle {
        district_id,
        root_public_key: state.root.public_key_hex(),
        compound_id: link.compound_id,
        compound_name,
        household: link.household,
        passes,
        keys,
        server_time: now,
        utc_offset_minutes: state.config.utc_offset_minutes,
        nonce,
        signature: String::new(),
    })))
}
