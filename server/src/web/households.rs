//! Household letters (住户信): the admin web makes one per household — a link with a fresh token
//! (only its hash is kept; the household's earlier link stops working) as QR code and text, to print
//! beside the card sheet — and revokes a household's link. The link's page (`/h/{token}`, public)
//! shows the household's live passes as QR codes on a resident's own phone without the app; the
//! app reads the same link (its `#fp=` names the district root key's fingerprint) and fetches the
//! signed bundle from `GET /api/v1/household`.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use minijinja::{context, Value};
use serde::Deserialize;
use sync_core::health::{Checkin, Symptom};
use sync_core::i18n::Lang;
use sync_core::pass::{parse, PassKind};
use sync_core::render::qr_svg;

use super::session::Admin;
use super::{page, WebError};
use crate::auth::{hash_token, random_token};
use crate::report::local_day;
use crate::state::AppState;
use crate::store::{CheckinContext, HouseholdLink};

#[derive(Debug, Deserialize)]
pub struct HouseholdForm {
    csrf: String,
    compound_id: String,
    household: String,
}

/// `POST /admin/households/letter`: a new link for the household, shown as a printable letter.
pub async fn letter(
    State(state): State<AppState>,
    admin: Admin,
    Form(f): Form<HouseholdForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    let (compound_id, household) = (f.compound_id.trim(), f.household.trim());
    admin.check_compound(compound_id)?;
    let passes = state.store.household_passes(compound_id, household).await?;
    if passes.is_empty() {
        return Err(WebError::BadRequest(
            "该户没有通行证 This household has no passes".into(),
        ));
    }
    let token = random_token(16).map_err(|e| WebError::Internal(e.to_string()))?;
    let now_ms = Utc::now().timestamp_millis();
    state
        .store
        .new_household_link(
            compound_id,
            household,
            &hash_token(&token),
            &admin.username,
            now_ms,
        )
        .await?;
    let link = format!(
        "{}/h/{token}#fp={}",
        state.config.public_url.trim_end_matches('/'),
        state.root.fingerprint()
    );
    let qr = qr_svg(&link).map_err(|e| WebError::Internal(e.to_string()))?;
    let compound = state
        .store
        .compounds()
        .await?
        .into_iter()
        .find(|c| c.0 == compound_id)
        .map_or_else(|| compound_id.to_owned(), |c| c.1);
    page(
        &state,
        "household_letter.html",
        Some(&admin),
        context! { compound, household, link, qr, passes => passes.len() },
    )
}

/// `POST /admin/households/revoke`: the household's link stops working.
pub async fn revoke(
    State(state): State<AppState>,
    admin: Admin,
    Form(f): Form<HouseholdForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    admin.check_compound(f.compound_id.trim())?;
    let now_ms = Utc::now().timestamp_millis();
    let revoked = state
        .store
        .revoke_household_link(
            f.compound_id.trim(),
            f.household.trim(),
            &admin.username,
            now_ms,
        )
        .await?;
    if !revoked {
        return Err(WebError::BadRequest(
            "该户没有有效的住户信链接 This household has no live letter link".into(),
        ));
    }
    Ok(Redirect::to("/admin/residents").into_response())
}

/// The live link a letter's token names (404 unknown, 403 revoked).
async fn live_link(state: &AppState, token: &str) -> Result<HouseholdLink, WebError> {
    let link = state
        .store
        .household_link(&hash_token(token))
        .await?
        .ok_or(WebError::NotFound)?;
    if link.revoked {
        return Err(WebError::Forbidden(
            "此链接已停用，请向社区索取新的住户信 This link was revoked; ask the community office for a new letter".into(),
        ));
    }
    Ok(link)
}

/// `GET /h/{token}`: the household's live passes, large, for a phone without the app, and the
/// daily check-in form for its residents (who has checked in today).
pub async fn passes_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let link = live_link(&state, &token).await?;
    let today = local_day(Utc::now(), state.config.utc_offset_minutes);
    let checked_in = state
        .store
        .checked_in_on(&link.compound_id, &link.household, today)
        .await?;
    let mut cards: Vec<Value> = Vec::new();
    for p in state
        .store
        .household_passes(&link.compound_id, &link.household)
        .await?
        .into_iter()
        .filter(|p| p.revoked_at_ms.is_none())
    {
        let name = parse(&p.payload)
            .map(|s| s.body.display_name)
            .unwrap_or_default();
        let qr = qr_svg(&p.payload).map_err(|e| WebError::Internal(e.to_string()))?;
        let resident = p.kind == PassKind::Resident;
        let done = checked_in.contains(&p.pass_id);
        cards.push(context! { pass_id => p.pass_id, name, plate => p.plate, qr, resident, done });
    }
    let symptoms: Vec<Value> = Symptom::ALL
        .iter()
        .map(
            |s| context! { word => s.as_str(), zh => s.label(Lang::ZhCn), en => s.label(Lang::En) },
        )
        .collect();
    let html = state.templates.render(
        "household_passes.html",
        context! {
            household => link.household, cards, symptoms, token, today => today.to_string(),
            district_name => state.config.district_name.clone(),
        },
    )?;
    Ok(Html(html).into_response())
}

/// `POST /h/{token}/checkin`: today's check-in from the mobile web page (the same checks and
/// storage as the app's upload); back to the page, which shows it.
pub async fn web_checkin(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let link = live_link(&state, &token).await?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    };
    let temperature_c: f32 = field("temperature").parse().map_err(|_| {
        WebError::BadRequest("请填写体温，如 36.5 Enter the temperature, e.g. 36.5".into())
    })?;
    let now = Utc::now();
    let checkin = Checkin {
        id: uuid::Uuid::now_v7().to_string(),
        pass_id: field("pass_id").to_owned(),
        day: local_day(now, state.config.utc_offset_minutes),
        temperature_c,
        symptoms: fields
            .iter()
            .filter(|(k, _)| k == "symptom")
            .filter_map(|(_, v)| Symptom::parse(v))
            .collect(),
        left_city_to: (field("left_city") == "on").then(|| field("left_to").to_owned()),
        declared_at: now,
    };
    let ctx = CheckinContext {
        link: &link,
        phone_id: "web",
        today: checkin.day,
        fever_threshold_c: state.config.fever_threshold_c,
        now_ms: now.timestamp_millis(),
    };
    let receipt = state.store.save_checkins(ctx, &[checkin]).await?;
    if let Some(r) = receipt.refused.first() {
        return Err(WebError::BadRequest(format!("{} {}", r.zh, r.en)));
    }
    Ok(Redirect::to(&format!("/h/{token}#checkin")).into_response())
}
