//! A household letter's link on a resident's phone: the phone's own id (made once, kept in the
//! ledger), and the household's passes fetched with sync-core's `household::fetch` — the bundle
//! checked against the root key the printed link names, every pass verified offline — turned into
//! wallet passes.

use std::time::Duration;

use chrono::Utc;
use sync_core::household::{fetch, HeldPass as Fetched, HouseholdLink};
use sync_core::i18n::{Lang, Localized};
use sync_core::ledger::Ledger;
use sync_core::pass::{PassKind, PassVerdict};
use sync_core::LedgerError;

use crate::state::checkin::{CheckinState, CHECKIN_KEY};
use crate::state::wallet::{HeldPass, HouseholdSource};

const SETTING_PHONE_ID: &str = "resident_phone_id";
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

/// This phone's id for household links (a UUIDv7 made the first time).
pub fn phone_id(ledger: &mut Ledger) -> Result<String, LedgerError> {
    if let Some(id) = ledger.setting::<String>(SETTING_PHONE_ID)? {
        return Ok(id);
    }
    let id = uuid::Uuid::now_v7().to_string();
    ledger.set_setting(SETTING_PHONE_ID, &id)?;
    Ok(id)
}

/// A verified pass as the wallet keeps it; one whose signature did not verify is dropped.
fn to_wallet(p: Fetched) -> Option<HeldPass> {
    let body = p.body?;
    Some(HeldPass {
        payload: p.payload,
        pass_id: p.pass_id,
        display_name: body.display_name,
        household: body.household,
        plate: body.plate,
        vehicle: body.kind == PassKind::Vehicle,
        valid_until: Some(body.valid_until),
        revoked: p.verdict == PassVerdict::Revoked,
    })
}

/// Fetch the household's passes a link opens; the error in both languages.
pub async fn fetch_household(
    link_text: &str,
    phone_id: &str,
) -> Result<(HouseholdSource, Vec<HeldPass>), (String, String)> {
    let words = |e: &dyn Localized| (e.message(Lang::ZhCn), e.message(Lang::En));
    let link = HouseholdLink::parse(link_text).map_err(|e| words(&e))?;
    let fetched = fetch(&link, phone_id, FETCH_TIMEOUT).await.map_err(|e| {
        tracing::warn!("household link not fetched: {e}");
        (
            "无法取得本户通行证（请联网后重试）".to_owned(),
            format!("The household's passes could not be fetched: {e}"),
        )
    })?;
    let passes: Vec<HeldPass> = fetched.passes.into_iter().filter_map(to_wallet).collect();
    let source = HouseholdSource {
        link: link_text.trim().to_owned(),
        household: fetched.household,
        refreshed_at: Utc::now(),
        utc_offset_minutes: fetched.utc_offset_minutes,
    };
    Ok((source, passes))
}

/// The check-in queue kept on this phone (an unreadable one is logged and starts empty).
pub fn load_checkins(ledger: &Ledger) -> CheckinState {
    ledger
        .setting::<CheckinState>(CHECKIN_KEY)
        .unwrap_or_else(|e| {
            tracing::warn!("check-in queue unreadable: {e}");
            None
        })
        .unwrap_or_default()
}

pub fn save_checkins(ledger: &mut Ledger, state: &CheckinState) -> Result<(), LedgerError> {
    ledger.set_setting(CHECKIN_KEY, state)
}

/// The link and a client for the household's own requests; the error in both languages.
fn household_client(
    link_text: &str,
) -> Result<(HouseholdLink, sync_core::sync::ServerClient), (String, String)> {
    let words = |e: &dyn Localized| (e.message(Lang::ZhCn), e.message(Lang::En));
    let link = HouseholdLink::parse(link_text).map_err(|e| words(&e))?;
    let client = sync_core::household::client_for(&link, FETCH_TIMEOUT).map_err(|e| words(&e))?;
    Ok((link, client))
}

/// A failed household request as the resident reads it (the server's words when it gave some).
fn request_failed(e: &sync_core::sync::SyncError) -> (String, String) {
    use sync_core::sync::SyncError;
    match e {
        SyncError::Refused { message, .. } => (message.clone(), message.clone()),
        SyncError::Unauthorized => (
            "住户信链接已停用，请向社区索取新的住户信".to_owned(),
            "The household link was revoked; ask the community office for a new letter".to_owned(),
        ),
        other => (
            "无法连接服务器，稍后自动重试".to_owned(),
            format!("The server could not be reached; retrying later ({other})"),
        ),
    }
}

/// Upload queued check-ins with the household link's token.
pub async fn upload_checkins(
    link_text: &str,
    phone_id: &str,
    checkins: Vec<sync_core::health::Checkin>,
) -> Result<sync_core::health::CheckinReceipt, (String, String)> {
    let (link, client) = household_client(link_text)?;
    let upload = sync_core::health::CheckinUpload { checkins };
    client
        .household_checkins(&link.token, phone_id, &upload)
        .await
        .map_err(|e| request_failed(&e))
}

/// Invite a visitor with the household link's token.
pub async fn invite(
    link_text: &str,
    phone_id: &str,
    request: sync_core::invitation::InvitationRequest,
) -> Result<sync_core::invitation::Invitation, (String, String)> {
    let (link, client) = household_client(link_text)?;
    client
        .invite(&link.token, phone_id, &request)
        .await
        .map_err(|e| request_failed(&e))
}

/// The household's invitations and their arrivals.
pub async fn invitations(
    link_text: &str,
    phone_id: &str,
) -> Result<sync_core::invitation::InvitationList, (String, String)> {
    let (link, client) = household_client(link_text)?;
    client
        .invitations(&link.token, phone_id)
        .await
        .map_err(|e| request_failed(&e))
}
