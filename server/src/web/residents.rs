//! Admin pages for residents: CSV import with pass issuance, masked list, reissue, revoke, card sheets.

use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header;
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
use super::{form_field, local_time, page, WebError};
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

/// What an import brings: the compound and the CSV text (typed, pasted or uploaded as a file).
#[derive(Debug, Default)]
pub struct ImportForm {
    csrf: String,
    compound_id: String,
    csv: String,
}

/// The largest CSV file accepted (about 20,000 residents).
const MAX_CSV_BYTES: usize = 2 * 1024 * 1024;

fn bad(zh: &str, en: &str) -> WebError {
    WebError::BadRequest(format!("{zh} {en}"))
}

impl ImportForm {
    /// A form post (`application/x-www-form-urlencoded`) or a file upload (`multipart/form-data`,
    /// the file in `csv_file`, UTF-8 with or without a byte-order mark).
    async fn read(req: Request, state: &AppState) -> Result<Self, WebError> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let Form(pairs): Form<Vec<(String, String)>> = Form::from_request(req, state)
                .await
                .map_err(|e| bad("表单无效", &format!("invalid form: {e}")))?;
            let field = |k: &str| form_field(&pairs, k).to_owned();
            return Ok(Self {
                csrf: field("csrf"),
                compound_id: field("compound_id"),
                csv: field("csv"),
            });
        }
        let mut parts = Multipart::from_request(req, state)
            .await
            .map_err(|e| bad("上传无效", &format!("invalid upload: {e}")))?;
        let mut form = Self::default();
        while let Some(part) = parts
            .next_field()
            .await
            .map_err(|e| bad("上传无效", &format!("invalid upload: {e}")))?
        {
            let name = part.name().unwrap_or_default().to_owned();
            let bytes = part
                .bytes()
                .await
                .map_err(|e| bad("上传无效", &format!("invalid upload: {e}")))?;
            if bytes.len() > MAX_CSV_BYTES {
                return Err(bad(
                    "文件过大（最多 2 MB）",
                    "The file is too large (2 MB at most)",
                ));
            }
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| bad("文件须为 UTF-8 编码的 CSV", "The file must be CSV in UTF-8"))?;
            let text = text.trim_start_matches('\u{feff}').to_owned();
            match name.as_str() {
                "csrf" => form.csrf = text,
                "compound_id" => form.compound_id = text,
                "csv" | "csv_file" if !text.trim().is_empty() => form.csv = text,
                _ => {}
            }
        }
        Ok(form)
    }
}

/// `POST /admin/residents/import`: residents from CSV text or a CSV file, each with their passes.
pub async fn import(
    State(state): State<AppState>,
    admin: Admin,
    req: Request,
) -> Result<Response, WebError> {
    let f = ImportForm::read(req, &state).await?;
    admin.check_csrf(&f.csrf)?;
    import_text(&state, &admin, &f.compound_id, &f.csv).await
}

/// `POST /admin/residents/add`: one resident typed into the form, checked like an imported line.
pub async fn add(
    State(state): State<AppState>,
    admin: Admin,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    admin.check_csrf(form_field(&fields, "csrf"))?;
    let columns = [
        "name",
        "id_number",
        "phone",
        "building",
        "unit",
        "room",
        "plates",
    ];
    let mut line = csv::Writer::from_writer(Vec::new());
    line.write_record(columns.iter().map(|c| form_field(&fields, c).trim()))
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let bytes = line
        .into_inner()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    import_text(&state, &admin, form_field(&fields, "compound_id"), &text).await
}

async fn import_text(
    state: &AppState,
    admin: &Admin,
    compound_id: &str,
    text: &str,
) -> Result<Response, WebError> {
    admin.check_compound(compound_id)?;
    if !state
        .store
        .compounds()
        .await?
        .iter()
        .any(|(c, _)| c == compound_id)
    {
        return Err(WebError::BadRequest("未知小区 unknown compound".into()));
    }
    let rows = match parse_import(text, Lang::ZhCn) {
        Ok(rows) => rows,
        Err(errors) => {
            let lines = errors
                .into_iter()
                .map(|e| format!("第{}行 line {}: {}", e.line, e.line, e.message))
                .collect();
            let resp = render_list(state, admin, lines, None).await?;
            return Ok((axum::http::StatusCode::BAD_REQUEST, resp).into_response());
        }
    };
    let now = Utc::now();
    let issued = import_residents(
        &state.store,
        &state.signer,
        compound_id,
        &rows,
        now,
        &admin.username,
    )
    .await?;
    render_list(
        state,
        admin,
        Vec::new(),
        Some(format!(
            "已导入 {} 人，签发 {issued} 张通行证 Imported {} residents, issued {issued} passes",
            rows.len(),
            rows.len()
        )),
    )
    .await
}

/// `POST /admin/residents/{id}/move-out`: the resident's passes are revoked and their row deleted.
pub async fn move_out(
    State(state): State<AppState>,
    admin: Admin,
    Path(resident_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    check_owned(&state, &admin, Owned::Resident(&resident_id)).await?;
    let now = Utc::now().timestamp_millis();
    if !state
        .store
        .move_out(&resident_id, &admin.username, now)
        .await?
    {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/admin/residents").into_response())
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
