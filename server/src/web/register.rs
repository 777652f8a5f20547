//! Public visitor self-registration (自助登记): a mobile form per checkpoint that returns a signed day pass QR.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, Path, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{Duration, Utc};
use minijinja::context;
use serde::Deserialize;
use sync_core::i18n::{Lang, Localized};
use sync_core::pass::PassKind;
use sync_core::render::qr_svg;
use sync_core::validate::{check_text, validate_phone, validate_plate, ValidationError};

use super::{local_time, page, WebError};
use crate::passes::issue;
use crate::report::{day_bounds, local_day};
use crate::state::AppState;
use crate::store::VisitorPass;

#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    host_household: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    plate: String,
    #[serde(default)]
    lang: String,
}

fn lang_of(code: &str) -> Lang {
    Lang::parse(code).unwrap_or_default()
}

/// Each field's error message in the visitor's language.
fn check(f: &RegisterForm, lang: Lang) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    // Limits in UTF-8 bytes keep the visitor pass within its QR version.
    let mut text = |field: &'static str, value: &str, max_bytes: usize| {
        if value.trim().is_empty() {
            errors.push((field, ValidationError::Required.message(lang)));
        } else if value.trim().len() > max_bytes {
            errors.push((
                field,
                ValidationError::TooLong { max: max_bytes / 3 }.message(lang),
            ));
        } else if let Err(e) = check_text(value, max_bytes) {
            errors.push((field, e.message(lang)));
        }
    };
    text("name", &f.name, 32);
    text("host_household", &f.host_household, 24);
    text("reason", &f.reason, 60);
    if let Err(e) = validate_phone(&f.phone) {
        errors.push(("phone", e.message(lang)));
    }
    if !f.plate.trim().is_empty() {
        if let Err(e) = validate_plate(&f.plate) {
            errors.push(("plate", e.message(lang)));
        }
    }
    errors
}

pub async fn form(
    State(state): State<AppState>,
    Path(checkpoint_id): Path<String>,
) -> Result<Response, WebError> {
    let cp = state
        .store
        .checkpoint(&checkpoint_id)
        .await?
        .ok_or(WebError::NotFound)?;
    page(
        &state,
        "register.html",
        None,
        context! { checkpoint => cp.name, checkpoint_id => cp.id, f => RegisterForm::default(), errors => BTreeMap::<&str, String>::new() },
    )
}

pub async fn submit(
    State(state): State<AppState>,
    Path(checkpoint_id): Path<String>,
    request: Request<axum::body::Body>,
) -> Result<Response, WebError> {
    let addr = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let Form(f): Form<RegisterForm> = Form::from_request(request, &state)
        .await
        .map_err(|e| WebError::BadRequest(format!("表单无效 invalid form: {e}")))?;
    let cp = state
        .store
        .checkpoint(&checkpoint_id)
        .await?
        .ok_or(WebError::NotFound)?;
    if !state.limiter.allow(addr) {
        return Err(WebError::TooMany(
            "登记过于频繁，请稍后再试 Too many registrations from this network; try again later"
                .into(),
        ));
    }
    let lang = lang_of(&f.lang);
    let errors: BTreeMap<&str, String> = check(&f, lang).into_iter().collect();
    if !errors.is_empty() {
        let resp = page(
            &state,
            "register.html",
            None,
            context! { checkpoint => cp.name, checkpoint_id => cp.id, f, errors },
        )?;
        return Ok((StatusCode::BAD_REQUEST, resp).into_response());
    }
    let now = Utc::now();
    let (_, day_end) = day_bounds(
        local_day(now, state.config.utc_offset_minutes),
        state.config.utc_offset_minutes,
    );
    let phone = validate_phone(&f.phone).map_err(|e| WebError::BadRequest(e.message(lang)))?;
    let plate = match f.plate.trim() {
        "" => None,
        p => Some(
            validate_plate(p)
                .map_err(|e| WebError::BadRequest(e.message(lang)))?
                .text,
        ),
    };
    let n = state.store.next_counter("visitor").await?;
    let pass_id = format!("G{n:07}");
    let (name, host, reason) = (f.name.trim(), f.host_household.trim(), f.reason.trim());
    let issued = issue(
        &state.store,
        &state.signer,
        PassKind::VisitorDay,
        &pass_id,
        1,
        None,
        &cp.compound_id,
        host,
        name,
        plate.as_deref(),
        now - Duration::minutes(crate::passes::BACKDATE_MINUTES),
        day_end,
    )
    .await?;
    state
        .store
        .store_visitor_pass(&VisitorPass {
            pass_id: pass_id.clone(),
            checkpoint_id: cp.id.clone(),
            name: name.into(),
            phone,
            host_household: host.into(),
            reason: reason.into(),
            plate,
            payload: issued.payload.clone(),
            issued_at_ms: now.timestamp_millis(),
            valid_until_ms: day_end.timestamp_millis(),
        })
        .await?;
    tracing::info!(checkpoint = %cp.id, pass_id, "visitor day pass issued");
    let qr = qr_svg(&issued.payload).map_err(|e| WebError::Internal(e.to_string()))?;
    page(
        &state,
        "visitor_pass.html",
        None,
        context! { checkpoint => cp.name, pass_id, name, host, qr, until => local_time(&state, day_end.timestamp_millis() - 60_000) },
    )
}
