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
