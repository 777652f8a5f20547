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
use sync_core::pass::parse;
use sync_core::render::qr_svg;

use super::session::Admin;
use super::{page, WebError};
use crate::auth::{hash_token, random_token};
use crate::state::AppState;

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

/// `GET /h/{token}`: the household's live passes, large, for a phone without the app.
pub async fn passes_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let link = state
        .store
        .household_link(&hash_token(&token))
        .await?
        .ok_or(WebError::NotFound)?;
    if link.revoked {
        return Err(WebError::Forbidden(
            "此链接已停用，请向社区索取新的住户信 This link was revoked; ask the community office for a new letter".into(),
        ));
    }
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
        cards.push(context! { pass_id => p.pass_id, name, plate => p.plate, qr });
    }
    let html = state.templates.render(
        "household_passes.html",
        context! { household => link.household, cards, district_name => state.config.district_name.clone() },
    )?;
    Ok(Html(html).into_response())
}
