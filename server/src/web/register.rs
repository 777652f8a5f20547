//! Public visitor self-registration (自助登记): a mobile form per checkpoint that returns a signed day pass QR.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, Path, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{Duration, Utc};
use minijinja::context;
use serde::Deserialize;
use sync_core::i18n::{Lang, Localized};
use sync_core::pass::{PassBody, PassKind};
use sync_core::render::qr_svg;
use sync_core::rules::CompoundRules;
use sync_core::validate::{
    check_text, validate_id_number, validate_phone, validate_plate, ValidationError,
};

use super::{local_time, page, WebError};
use crate::client_ip::client_ip;
use crate::passes::issue;
use crate::report::{day_bounds, local_day};
use crate::state::AppState;
use crate::store::{RateLimit, VisitorPass};

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
    /// Asked only when the compound wants visitors' ID numbers; only its last 4 are kept.
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    lang: String,
}

fn lang_of(code: &str) -> Lang {
    Lang::parse(code).unwrap_or_default()
}

/// Each field's error message in the visitor's language.
fn check(f: &RegisterForm, lang: Lang, need_id: bool) -> Vec<(&'static str, String)> {
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
    if need_id {
        if let Err(e) = validate_id_number(&f.id_number) {
            errors.push(("id_number", e.message(lang)));
        }
    }
    errors
}

/// The form page again, with the visitor's input and the errors under their fields.
fn form_again(
    state: &AppState,
    cp: &crate::store::Checkpoint,
    rules: &CompoundRules,
    f: RegisterForm,
    errors: BTreeMap<&str, String>,
) -> Result<Response, WebError> {
    let resp = page(
        state,
        "register.html",
        None,
        context! { checkpoint => cp.name, checkpoint_id => cp.id, f, errors, need_id => rules.visitors_need_id },
    )?;
    Ok((StatusCode::BAD_REQUEST, resp).into_response())
}

/// Self-registration closed by the compound: a plain page saying so.
fn closed(state: &AppState, cp: &crate::store::Checkpoint) -> Result<Response, WebError> {
    let resp = page(
        state,
        "message.html",
        None,
        context! {
            heading => "访客自助登记已关闭 Self-registration closed", kind => "notice",
            message => format!("{} 暂不开放访客自助登记，请到卡口由工作人员登记。{} does not take visitor self-registration now; please register with the staff at the gate.", cp.name, cp.name),
        },
    )?;
    Ok((StatusCode::FORBIDDEN, resp).into_response())
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
    let rules = state.store.compound_rules(&cp.compound_id).await?;
    if !rules.self_registration_open {
        return closed(&state, &cp);
    }
    page(
        &state,
        "register.html",
        None,
        context! { checkpoint => cp.name, checkpoint_id => cp.id, f => RegisterForm::default(), errors => BTreeMap::<&str, String>::new(), need_id => rules.visitors_need_id },
    )
}

pub async fn submit(
    State(state): State<AppState>,
    Path(checkpoint_id): Path<String>,
    request: Request<axum::body::Body>,
) -> Result<Response, WebError> {
    let addr = client_ip(&request, &state.config.trusted_proxies);
    let Form(f): Form<RegisterForm> = Form::from_request(request, &state)
        .await
        .map_err(|e| WebError::BadRequest(format!("表单无效 invalid form: {e}")))?;
    let cp = state
        .store
        .checkpoint(&checkpoint_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let per_network = RateLimit {
        per_window: state.config.register_per_hour,
        window_ms: 3_600_000,
    };
    let key = format!(
        "register:{}",
        addr.map_or_else(|| "unknown".to_owned(), |a| a.to_string())
    );
    let now_ms = Utc::now().timestamp_millis();
    if !state.store.rate_allow(&key, per_network, now_ms).await? {
        return Err(WebError::TooMany(
            "登记过于频繁，请稍后再试 Too many registrations from this network; try again later"
                .into(),
        ));
    }
    let rules = state.store.compound_rules(&cp.compound_id).await?;
    if !rules.self_registration_open {
        return closed(&state, &cp);
    }
    let lang = lang_of(&f.lang);
    let mut errors: BTreeMap<&str, String> = check(&f, lang, rules.visitors_need_id)
        .into_iter()
        .collect();
    let host_given = !errors.contains_key("host_household");
    if host_given
        && !state
            .store
            .household_exists(&cp.compound_id, f.host_household.trim())
            .await?
    {
        errors.insert(
            "host_household",
            ValidationError::UnknownHousehold.message(lang),
        );
    }
    if !errors.is_empty() {
        return form_again(&state, &cp, &rules, f, errors);
    }
    let now = Utc::now();
    let (day_start, day_end) = day_bounds(
        local_day(now, state.config.utc_offset_minutes),
        state.config.utc_offset_minutes,
    );
    let phone = validate_phone(&f.phone).map_err(|e| WebError::BadRequest(e.message(lang)))?;
    let today = state
        .store
        .visitor_passes_of_phone(&phone, day_start.timestamp_millis())
        .await?;
    if today >= i64::from(state.config.register_per_phone_day) {
        let message = match lang {
            Lang::ZhCn => "此手机号今日登记次数已满，请到卡口由工作人员登记",
            Lang::En => "This phone number has registered too often today; please register with the staff at the gate",
        };
        errors.insert("phone", message.to_owned());
        return form_again(&state, &cp, &rules, f, errors);
    }
    let id_tail = rules
        .visitors_need_id
        .then(|| crate::store::id_tail(f.id_number.trim()));
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
    let body = PassBody {
        kind: PassKind::VisitorDay,
        pass_id: pass_id.clone(),
        serial: 1,
        district_id: state.signer.district_id().to_owned(),
        compound_id: cp.compound_id.clone(),
        household: host.to_owned(),
        display_name: name.to_owned(),
        plate: plate.clone(),
        valid_from: now - Duration::minutes(crate::passes::BACKDATE_MINUTES),
        valid_until: day_end,
    };
    let issued = issue(&state.store, &state.signer, body, None).await?;
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
            id_tail,
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
