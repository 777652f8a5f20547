//! Staff accounts in the admin web: add one (its staff pass is issued), set or reset the PIN
//! (stored hashed), deactivate (the pass is revoked) or reactivate, reissue a lost pass, print
//! the pass. Every change audited.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use minijinja::{context, Value};
use serde::Deserialize;
use sync_core::i18n::Lang;
use sync_core::pass::parse;
use sync_core::render::{card_sheet_html, Card, SheetOptions};
use sync_core::validate::check_text;

use super::login::CsrfForm;
use super::scope::check_owned;
use super::session::Admin;
use super::{page, WebError};
use crate::passes::reissue;
use crate::staff::{add_staff, pin_hash, set_active, NewStaff};
use crate::state::AppState;
use crate::store::{Owned, StaffChange};

fn bad(zh: &str, en: &str) -> WebError {
    WebError::BadRequest(format!("{zh} {en}"))
}

/// `GET /admin/staff`
pub async fn list(State(state): State<AppState>, admin: Admin) -> Result<Response, WebError> {
    let compounds = admin.own_compounds(state.store.compounds().await?);
    let staff: Vec<Value> = state
        .store
        .staff()
        .await?
        .into_iter()
        .filter(|s| admin.scope.holds(&s.compound_id))
        .map(|s| {
            let compound = compounds
                .iter()
                .find(|c| c.0 == s.compound_id)
                .map_or("全街道 District".to_owned(), |c| c.1.clone());
            context! {
                staff_id => s.staff_id, name => s.name, compound, has_pin => s.has_pin,
                active => s.active,
            }
        })
        .collect();
    page(
        &state,
        "staff.html",
        Some(&admin),
        context! { staff, compounds },
    )
}

#[derive(Debug, Deserialize)]
pub struct AddForm {
    csrf: String,
    name: String,
    #[serde(default)]
    compound_id: String,
    #[serde(default)]
    pin: String,
}

/// `POST /admin/staff`: a new account and its staff pass.
pub async fn add(
    State(state): State<AppState>,
    admin: Admin,
    Form(f): Form<AddForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    let name = f.name.trim();
    if name.is_empty() || check_text(name, 20).is_err() {
        return Err(bad("姓名1–20字", "A name of 1–20 characters"));
    }
    let compound_id = f.compound_id.trim().to_owned();
    admin.check_compound(&compound_id)?;
    if !compound_id.is_empty()
        && !state
            .store
            .compounds()
            .await?
            .iter()
            .any(|c| c.0 == compound_id)
    {
        return Err(bad("小区不存在", "Unknown compound"));
    }
    let new = NewStaff {
        name: name.to_owned(),
        compound_id,
        pin: Some(f.pin.trim().to_owned()).filter(|p| !p.is_empty()),
    };
    add_staff(
        &state.store,
        &state.signer,
        &new,
        Utc::now(),
        &admin.username,
    )
    .await?;
    Ok(Redirect::to("/admin/staff").into_response())
}

#[derive(Debug, Deserialize)]
pub struct PinForm {
    csrf: String,
    pin: String,
}

/// `POST /admin/staff/{id}/pin`: set or reset the PIN.
pub async fn set_pin(
    State(state): State<AppState>,
    admin: Admin,
    Path(staff_id): Path<String>,
    Form(f): Form<PinForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    check_owned(&state, &admin, Owned::Staff(&staff_id)).await?;
    let hash = pin_hash(&f.pin)?;
    let now_ms = Utc::now().timestamp_millis();
    let changed = state
        .store
        .change_staff(&staff_id, &StaffChange::Pin(hash), &admin.username, now_ms)
        .await?;
    if !changed {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/admin/staff").into_response())
}

/// `POST /admin/staff/{id}/{verb}`: `deactivate`, `activate` or `reissue` (a lost pass).
pub async fn change(
    State(state): State<AppState>,
    admin: Admin,
    Path((staff_id, verb)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    check_owned(&state, &admin, Owned::Staff(&staff_id)).await?;
    let now = Utc::now();
    let (store, signer, actor) = (&state.store, &state.signer, admin.username.as_str());
    let known = match verb.as_str() {
        "deactivate" => set_active(store, signer, &staff_id, false, now, actor).await?,
        "activate" => set_active(store, signer, &staff_id, true, now, actor).await?,
        "reissue" => {
            let exists = store.staff().await?.iter().any(|s| s.staff_id == staff_id);
            if exists {
                reissue(store, signer, &staff_id, now, actor).await?;
            }
            exists
        }
        _ => return Err(WebError::NotFound),
    };
    if !known {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/admin/staff").into_response())
}

/// `GET /admin/staff/{id}/card`: the staff pass to print (its newest serial), audited.
pub async fn card(
    State(state): State<AppState>,
    admin: Admin,
    Path(staff_id): Path<String>,
) -> Result<Response, WebError> {
    check_owned(&state, &admin, Owned::Staff(&staff_id)).await?;
    let mut tx = state.store.begin().await?;
    let newest = tx.newest_pass(&staff_id).await?;
    tx.commit().await?;
    let pass = newest
        .filter(|p| p.kind == sync_core::pass::PassKind::Staff && p.revoked_at_ms.is_none())
        .ok_or(WebError::NotFound)?;
    let signed = parse(&pass.payload)
        .map_err(|e| WebError::Internal(format!("stored pass {staff_id} does not parse: {e}")))?;
    let cards = [Card {
        payload: pass.payload,
        body: signed.body,
    }];
    let html = card_sheet_html(
        &cards,
        &SheetOptions {
            title: format!("{} · 工作证", state.config.district_name),
            utc_offset_minutes: state.config.utc_offset_minutes,
            lang: Lang::ZhCn,
            compound_names: state.store.compounds().await?,
        },
    )
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let now_ms = Utc::now().timestamp_millis();
    let detail = format!("staff pass {staff_id} #{}", pass.serial);
    state
        .store
        .audit(&admin.username, "print_cards", &detail, now_ms)
        .await?;
    Ok(Html(html).into_response())
}
