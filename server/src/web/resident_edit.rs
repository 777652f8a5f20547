//! Editing one resident in the admin web: the form (ID number and phone masked, a blank phone
//! keeps the stored one) and its post, checked like an imported line; the passes follow
//! (`crate::resident_edit`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use minijinja::context;
use sync_core::i18n::Lang;
use sync_core::validate::mask_phone;

use super::scope::check_owned;
use super::session::Admin;
use super::{form_field, page, WebError};
use crate::passes::parse_import;
use crate::resident_edit::edit_resident;
use crate::state::AppState;
use crate::store::{Owned, Resident};

/// The form's fields, in the import's column order (the ID number comes from the store).
const FIELDS: [&str; 6] = ["name", "phone", "building", "unit", "room", "plates"];

async fn stored(state: &AppState, resident_id: &str) -> Result<Resident, WebError> {
    let mut tx = state.store.begin().await?;
    let found = tx.resident(resident_id).await?;
    tx.commit().await?;
    found.ok_or(WebError::NotFound)
}

fn form_page(
    state: &AppState,
    admin: &Admin,
    r: &Resident,
    errors: Vec<String>,
) -> Result<Response, WebError> {
    let mut parts = r.household.splitn(3, '-');
    let mut next = || parts.next().unwrap_or_default().to_owned();
    let (building, unit, room) = (next(), next(), next());
    page(
        state,
        "resident_edit.html",
        Some(admin),
        context! {
            id => r.id, name => r.name, phone => mask_phone(&r.phone), household => r.household,
            building, unit, room, plates => r.plates.join(" "), errors,
        },
    )
}

/// `GET /admin/residents/{id}/edit`.
pub async fn form(
    State(state): State<AppState>,
    admin: Admin,
    Path(resident_id): Path<String>,
) -> Result<Response, WebError> {
    check_owned(&state, &admin, Owned::Resident(&resident_id)).await?;
    let r = stored(&state, &resident_id).await?;
    form_page(&state, &admin, &r, Vec::new())
}

/// `POST /admin/residents/{id}/edit`: nothing changes unless every field is valid.
pub async fn save(
    State(state): State<AppState>,
    admin: Admin,
    Path(resident_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    admin.check_csrf(form_field(&fields, "csrf"))?;
    check_owned(&state, &admin, Owned::Resident(&resident_id)).await?;
    let r = stored(&state, &resident_id).await?;
    let typed = |k: &str| form_field(&fields, k).trim().to_owned();
    let phone = Some(typed("phone"))
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| r.phone.clone());
    let mut line = csv::Writer::from_writer(Vec::new());
    let values = [
        typed(FIELDS[0]),
        r.id_number.clone(),
        phone,
        typed(FIELDS[2]),
        typed(FIELDS[3]),
        typed(FIELDS[4]),
        typed(FIELDS[5]),
    ];
    line.write_record(&values)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let bytes = line
        .into_inner()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let row = match parse_import(&String::from_utf8_lossy(&bytes), Lang::ZhCn) {
        Ok(mut rows) if rows.len() == 1 => rows.remove(0),
        Ok(_) => return Err(WebError::BadRequest("表单无效 invalid form".into())),
        Err(errors) => {
            let lines = errors.into_iter().map(|e| e.message).collect();
            let resp = form_page(&state, &admin, &r, lines)?;
            return Ok((StatusCode::BAD_REQUEST, resp).into_response());
        }
    };
    let now = Utc::now();
    edit_resident(
        &state.store,
        &state.signer,
        &resident_id,
        &row,
        now,
        &admin.username,
    )
    .await?
    .ok_or(WebError::NotFound)?;
    Ok(Redirect::to("/admin/residents").into_response())
}
