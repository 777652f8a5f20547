//! Admin pages for residents: CSV import with pass issuance, masked list, reissue, revoke, card sheets.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use minijinja::context;
use serde::Deserialize;
use sync_core::i18n::Lang;
use sync_core::pass::parse;
use sync_core::render::{card_sheet_html, Card, SheetOptions};
use sync_core::validate::{mask_phone, validate_id_number};

use super::login::CsrfForm;
use super::scope::check_owned;
use super::session::Admin;
use super::{local_time, page, WebError};
use crate::passes::{import_residents, parse_import, reissue as reissue_pass, IssueError};
use crate::state::AppState;
use crate::store::Owned;

impl From<IssueError> for WebError {
    fn from(e: IssueError) -> Self {
        match e {
            IssueError::Db(db) => Self::Db(db),
            IssueError::Invalid(m) => Self::BadRequest(m),
            IssueError::Sign(s) => Self::BadRequest(format!("无法签发 cannot sign: {s}")),
        }
    }
}

fn mask_id(id: &str) -> String {
    validate_id_number(id).map_or_else(|_| "***".into(), |v| v.masked())
}

async fn render_list(
    state: &AppState,
    admin: &Admin,
    errors: Vec<String>,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let residents: Vec<_> = state
        .store
        .residents()
        .await?
        .into_iter()
        .filter(|r| admin.scope.holds(&r.compound_id))
        .map(|r| context! { id => r.id, compound_id => r.compound_id, name => r.name, id_number => mask_id(&r.id_number), phone => mask_phone(&r.phone), household => r.household, plates => r.plates.join(" ") })
        .collect();
    let passes: Vec<_> = state
        .store
        .passes()
        .await?
        .into_iter()
        .filter(|p| admin.scope.holds(&p.compound_id))
        .map(|p| context! { pass_id => p.pass_id, serial => p.serial, kind => p.kind.as_str(), name => p.display_name, household => p.household, plate => p.plate, issued => local_time(state, p.issued_at_ms), revoked => p.revoked_at_ms.map(|t| local_time(state, t)) })
        .collect();
    let compounds = admin.own_compounds(state.store.compounds().await?);
    page(
        state,
        "residents.html",
        Some(admin),
        context! { residents, passes, compounds, errors, notice },
    )
}

pub async fn list(State(state): State<AppState>, admin: Admin) -> Result<Response, WebError> {
    render_list(&state, &admin, Vec::new(), None).await
}

#[derive(Debug, Deserialize)]
pub struct ImportForm {
    csrf: String,
    compound_id: String,
    csv: String,
}

pub async fn import(
    State(state): State<AppState>,
    admin: Admin,
    Form(f): Form<ImportForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    admin.check_compound(&f.compound_id)?;
    if !state
        .store
        .compounds()
        .await?
        .iter()
        .any(|(c, _)| *c == f.compound_id)
    {
        return Err(WebError::BadRequest("未知小区 unknown compound".into()));
    }
    let rows = match parse_import(&f.csv, Lang::ZhCn) {
        Ok(rows) => rows,
        Err(errors) => {
            let lines = errors
                .into_iter()
                .map(|e| format!("第{}行 line {}: {}", e.line, e.line, e.message))
                .collect();
            let resp = render_list(&state, &admin, lines, None).await?;
            return Ok((axum::http::StatusCode::BAD_REQUEST, resp).into_response());
        }
    };
    let now = Utc::now();
    let issued = import_residents(
        &state.store,
        &state.signer,
        &f.compound_id,
        &rows,
        now,
        &admin.username,
    )
    .await?;
    render_list(
        &state,
        &admin,
        Vec::new(),
        Some(format!(
            "已导入 {} 人，签发 {issued} 张通行证 Imported {} residents, issued {issued} passes",
            rows.len(),
            rows.len()
        )),
    )
    .await
}

pub async fn reissue(
    State(state): State<AppState>,
    admin: Admin,
    Path(pass_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    check_owned(&state, &admin, Owned::Pass(&pass_id)).await?;
    let now = Utc::now();
    reissue_pass(&state.store, &state.signer, &pass_id, now, &admin.username).await?;
    Ok(Redirect::to("/admin/residents").into_response())
}

pub async fn revoke(
    State(state): State<AppState>,
    admin: Admin,
    Path((pass_id, serial)): Path<(String, u32)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    check_owned(&state, &admin, Owned::Pass(&pass_id)).await?;
    let now = Utc::now().timestamp_millis();
    if !state
        .store
        .revoke(&pass_id, serial, &admin.username, now)
        .await?
    {
        return Err(WebError::BadRequest(format!(
            "{pass_id} #{serial} 不存在或已注销 does not exist or is already revoked"
        )));
    }
    Ok(Redirect::to("/admin/residents").into_response())
}

#[derive(Debug, Deserialize)]
pub struct CardsQuery {
    compound: Option<String>,
    /// Only this household's passes (of the compound).
    household: Option<String>,
    /// Only this resident's passes (their own and their vehicles').
    resident: Option<String>,
}

fn asked(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Printable A4 card sheets of the live passes (newest serial, not revoked, not expired) of a
/// compound, or of one household or one resident for a reprint; each card names its compound.
pub async fn cards(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<CardsQuery>,
) -> Result<Response, WebError> {
    let compound = admin.compound_view(q.compound.as_deref())?;
    let (household, resident) = (asked(&q.household), asked(&q.resident));
    let now_ms = Utc::now().timestamp_millis();
    let mut cards = Vec::new();
    for p in state.store.passes().await? {
        let wanted = p.revoked_at_ms.is_none()
            && p.valid_until_ms > now_ms
            && compound.as_ref().is_none_or(|c| *c == p.compound_id)
            && household.is_none_or(|h| h == p.household)
            && resident.is_none_or(|r| p.resident_id.as_deref() == Some(r));
        if !wanted {
            continue;
        }
        let signed = parse(&p.payload).map_err(|e| {
            WebError::Internal(format!("stored pass {} does not parse: {e}", p.pass_id))
        })?;
        cards.push(Card {
            payload: p.payload,
            body: signed.body,
        });
    }
    if cards.is_empty() && (household.is_some() || resident.is_some()) {
        return Err(WebError::NotFound);
    }
    let title = format!("{} · 一卡一码", state.config.district_name);
    let html = card_sheet_html(
        &cards,
        &SheetOptions {
            title,
            utc_offset_minutes: state.config.utc_offset_minutes,
            lang: Lang::ZhCn,
            compound_names: state.store.compounds().await?,
        },
    )
    .map_err(|e| WebError::Internal(e.to_string()))?;
    state
        .store
        .audit(
            &admin.username,
            "print_cards",
            &format!("card sheet of {} passes", cards.len()),
            Utc::now().timestamp_millis(),
        )
        .await?;
    Ok(Html(html).into_response())
}
