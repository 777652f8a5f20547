//! What a household does with its letter's token besides fetching its passes: upload the daily
//! health check-ins queued on a phone (`POST /api/v1/household/checkins`), invite a visitor
//! (`POST /api/v1/household/invitations`) and see its invitations with their arrivals (`GET`).
//! Errors carry both languages (`中文 English`), as the resident's phone shows them.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::{Duration, Utc};
use sync_core::health::{CheckinReceipt, CheckinUpload, MAX_PER_UPLOAD};
use sync_core::i18n::{Lang, Localized};
use sync_core::invitation::{
    Invitation, InvitationError, InvitationList, InvitationRequest, MAX_PER_DAY,
};
use sync_core::pass::{PassBody, PassKind};
use sync_core::validate::mask_name;

use super::household::{caller, Caller};
use crate::auth::{hash_token, random_token};
use crate::error::ApiError;
use crate::report::{day_bounds, local_day};
use crate::state::AppState;
use crate::store::{CheckinContext, InvitationRow, NewInvitation};

fn both(e: &dyn Localized) -> String {
    format!("{} {}", e.message(Lang::ZhCn), e.message(Lang::En))
}

/// `POST /api/v1/household/checkins`: each declaration stored, a duplicate, or refused with why.
pub async fn checkins(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(upload): Json<CheckinUpload>,
) -> Result<Json<CheckinReceipt>, ApiError> {
    let Caller { link, phone } = caller(&state, &headers).await?;
    if upload.checkins.len() > MAX_PER_UPLOAD {
        return Err(ApiError::BadRequest(format!(
            "一次最多上传 {MAX_PER_UPLOAD} 条打卡 at most {MAX_PER_UPLOAD} check-ins per upload"
        )));
    }
    let now = Utc::now();
    let ctx = CheckinContext {
        link: &link,
        phone_id: &phone,
        today: local_day(now, state.config.utc_offset_minutes),
        fever_threshold_c: state.config.fever_threshold_c,
        now_ms: now.timestamp_millis(),
    };
    let receipt = state.store.save_checkins(ctx, &upload.checkins).await?;
    tracing::info!(
        compound = %link.compound_id,
        stored = receipt.stored.len(),
        duplicate = receipt.duplicate.len(),
        refused = receipt.refused.len(),
        "health check-ins"
    );
    Ok(Json(receipt))
}

fn to_wire(row: InvitationRow, link: Option<String>) -> Invitation {
    Invitation {
        pass_id: row.pass_id,
        name: mask_name(&row.name),
        day: row.day.parse().unwrap_or_default(),
        plate: row.plate,
        reason: row.reason,
        link,
        arrivals: Vec::new(),
    }
}

/// `POST /api/v1/household/invitations`: the invited visitor's pass, with the link to send them.
pub async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<InvitationRequest>,
) -> Result<Json<Invitation>, ApiError> {
    let Caller { link, .. } = caller(&state, &headers).await?;
    if req.household.trim() != link.household {
        return Err(ApiError::Forbidden(both(&InvitationError::OtherHousehold)));
    }
    let offset = state.config.utc_offset_minutes;
    let now = Utc::now();
    let today = local_day(now, offset);
    let checked = req
        .check(today)
        .map_err(|e| ApiError::BadRequest(both(&e)))?;
    let (start, end) = day_bounds(checked.day, offset);
    let token = random_token(16).map_err(|e| ApiError::Internal(e.to_string()))?;
    let inv = NewInvitation {
        token_hash: hash_token(&token),
        phone: checked.phone,
        reason: checked.reason,
        made_day: today.to_string(),
        day: checked.day.to_string(),
        body: PassBody {
            kind: PassKind::Invited,
            pass_id: String::new(),
            serial: 1,
            district_id: state.signer.district_id().to_owned(),
            compound_id: link.compound_id.clone(),
            household: link.household.clone(),
            display_name: checked.name,
            plate: checked.plate,
            valid_from: start.max(now - Duration::minutes(crate::passes::BACKDATE_MINUTES)),
            valid_until: end,
        },
        now_ms: now.timestamp_millis(),
    };
    let row = state
        .store
        .invite(&state.signer, inv)
        .await
        .map_err(|e| match e {
            crate::store::InviteError::Limit => ApiError::TooMany(both(&InvitationError::Limit)),
            crate::store::InviteError::Db(e) => ApiError::Db(e),
            crate::store::InviteError::Issue(e) => ApiError::Internal(e.to_string()),
        })?;
    tracing::info!(compound = %link.compound_id, pass_id = %row.pass_id, "visitor invited");
    let url = format!(
        "{}/v/{token}",
        state.config.public_url.trim_end_matches('/')
    );
    Ok(Json(to_wire(row, Some(url))))
}

/// `GET /api/v1/household/invitations`: the household's invitations from yesterday on, with the
/// visitors' admitted passages, and how many it made today.
pub async fn invitations(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<InvitationList>, ApiError> {
    let Caller { link, .. } = caller(&state, &headers).await?;
    let today = local_day(Utc::now(), state.config.utc_offset_minutes);
    let from = (today - Duration::days(1)).to_string();
    let rows = state
        .store
        .household_invitations(&link.compound_id, &link.household, &from)
        .await?;
    let made = state
        .store
        .invitations_made(&link.compound_id, &link.household, &today.to_string())
        .await?;
    let invitations = rows
        .into_iter()
        .map(|(row, arrivals)| Invitation {
            arrivals,
            ..to_wire(row, None)
        })
        .collect();
    Ok(Json(InvitationList {
        invitations,
        made_today: u32::try_from(made).unwrap_or(MAX_PER_DAY),
    }))
}
