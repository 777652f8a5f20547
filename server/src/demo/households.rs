//! The demo district's residents' phones (issue 14): a household of 阳光小区 with a live letter
//! link under a fixed demo token (its page `/h/<token>` works at once), this morning's check-ins —
//! the last member flagged with a cough for the follow-up list, any others normal — and one
//! invitation.

use chrono::{DateTime, Duration, Utc};
use sync_core::health::{Checkin, Symptom};
use sync_core::pass::{DistrictSigner, PassBody, PassKind};

use crate::auth::hash_token;
use crate::passes::IssueError;
use crate::report::{day_bounds, local_day};
use crate::store::{CheckinContext, NewInvitation, Store};

/// The demo household's letter token (a demo database only; `cargo xtask demo` prints its page).
pub const DEMO_HOUSEHOLD_TOKEN: &str = "de30de30de30de30de30de30de30de30";

pub async fn seed_households(
    store: &Store,
    signer: &DistrictSigner,
    now: DateTime<Utc>,
    utc_offset_minutes: i32,
) -> Result<(), IssueError> {
    let token_hash = hash_token(DEMO_HOUSEHOLD_TOKEN);
    if store.household_link(&token_hash).await?.is_some() {
        return Ok(());
    }
    let passes = store.passes().await?;
    let Some(first) = passes
        .iter()
        .find(|p| p.compound_id == "c1" && p.kind == PassKind::Resident)
    else {
        return Ok(());
    };
    let household = first.household.clone();
    let now_ms = now.timestamp_millis();
    store
        .new_household_link("c1", &household, &token_hash, "demo", now_ms)
        .await?;
    let link = store
        .household_link(&token_hash)
        .await?
        .ok_or_else(|| IssueError::Invalid("the demo link was not stored".into()))?;
    let today = local_day(now, utc_offset_minutes);
    let members: Vec<&str> = passes
        .iter()
        .filter(|p| p.compound_id == "c1" && p.household == household)
        .filter(|p| p.kind == PassKind::Resident)
        .map(|p| p.pass_id.as_str())
        .collect();
    // The last member declares a cough (flagged for follow-up); any others are normal.
    let last = members.len().saturating_sub(1);
    let checkins: Vec<Checkin> = members
        .iter()
        .enumerate()
        .map(|(i, pass_id)| Checkin {
            id: uuid::Uuid::now_v7().to_string(),
            pass_id: (*pass_id).to_owned(),
            day: today,
            temperature_c: if i == last { 37.6 } else { 36.4 },
            symptoms: if i == last {
                vec![Symptom::Cough]
            } else {
                vec![]
            },
            left_city_to: None,
            declared_at: now - Duration::hours(2),
        })
        .collect();
    let ctx = CheckinContext {
        link: &link,
        phone_id: "demo-phone",
        today,
        fever_threshold_c: sync_core::validate::DEFAULT_FEVER_THRESHOLD_C,
        now_ms,
    };
    store.save_checkins(ctx, &checkins).await?;
    let (_, end) = day_bounds(today, utc_offset_minutes);
    let invitation = NewInvitation {
        token_hash: hash_token("demo-invitation"),
        phone: "13800138000".into(),
        reason: "探亲 Family visit".into(),
        made_day: today.to_string(),
        day: today.to_string(),
        body: PassBody {
            kind: PassKind::Invited,
            pass_id: String::new(),
            serial: 1,
            district_id: signer.district_id().to_owned(),
            compound_id: "c1".into(),
            household,
            display_name: "孙来宾".into(),
            plate: None,
            valid_from: now - Duration::minutes(crate::passes::BACKDATE_MINUTES),
            valid_until: end,
        },
        now_ms,
    };
    store
        .invite(signer, invitation)
        .await
        .map_err(|e| IssueError::Invalid(e.to_string()))?;
    Ok(())
}
