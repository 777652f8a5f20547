//! The notices of the admin web: publish one (title, text, priority, who it is for, when it is in
//! force), edit it (a new version, read again at the gates) or withdraw it; and per notice its
//! read receipts — which checkpoint acknowledged which version, who, on which phone, when — and
//! the checkpoints still to acknowledge.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDateTime, Utc};
use minijinja::{context, Value};
use sync_core::handbook::render_markdown;
use sync_core::i18n::Lang;
use sync_core::notice::{NoticePriority, NoticeTarget};
use sync_core::validate::check_text;

use super::scope::CheckpointsInView;
use super::session::{Admin, NOT_YOUR_COMPOUND};
use super::{local_time, page, WebError};
use crate::state::AppState;
use crate::store::{new_patrol_id, Checkpoint, NoticeEdit, NoticeRecord};

/// Longest notice text, in characters.
const MAX_BODY_CHARS: usize = 5_000;
const MAX_TITLE_CHARS: usize = 60;

fn bad(zh: &str, en: &str) -> WebError {
    WebError::BadRequest(format!("{zh} {en}"))
}

/// Where a notice stands at `now_ms`: word, zh, en.
fn standing(n: &NoticeRecord, now_ms: i64) -> (&'static str, &'static str, &'static str) {
    let from = n.notice.effective_from.timestamp_millis();
    let over = n
        .notice
        .effective_until
        .is_some_and(|u| u.timestamp_millis() <= now_ms);
    if n.retired {
        ("withdrawn", "已撤回", "Withdrawn")
    } else if over {
        ("over", "已过期", "Over")
    } else if from > now_ms {
        ("upcoming", "未生效", "Upcoming")
    } else {
        ("in_force", "生效中", "In force")
    }
}

/// The checkpoints a target reaches.
fn reached<'a>(target: &NoticeTarget, checkpoints: &'a [Checkpoint]) -> Vec<&'a Checkpoint> {
    checkpoints
        .iter()
        .filter(|cp| target.reaches(&cp.id, &cp.compound_id))
        .collect()
}

/// `datetime-local` text in the district's local time to UTC milliseconds.
fn parse_local(state: &AppState, text: &str) -> Option<i64> {
    let local = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok()?;
    let offset_ms = i64::from(state.config.utc_offset_minutes) * 60_000;
    Some(local.and_utc().timestamp_millis() - offset_ms)
}

/// UTC milliseconds as `datetime-local` text in the district's local time.
fn form_time(state: &AppState, ms: i64) -> String {
    local_time(state, ms).replacen(' ', "T", 1)
}

fn notice_view(
    state: &AppState,
    n: &NoticeRecord,
    checkpoints: &[Checkpoint],
    now_ms: i64,
) -> Value {
    let (word, zh, en) = standing(n, now_ms);
    let p = n.notice.priority;
    let t = &n.notice;
    context! {
        notice_id => t.notice_id, version => t.version, title => t.title, body => t.body,
        body_html => render_markdown(&t.body),
        urgent => t.is_urgent(), priority => p.as_str(),
        priority_zh => p.label(Lang::ZhCn), priority_en => p.label(Lang::En),
        standing => word, standing_zh => zh, standing_en => en,
        target_kind => n.target.kind_word(), target_ids => n.target.ids(),
        reached => reached(&n.target, checkpoints).iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        from => local_time(state, t.effective_from.timestamp_millis()),
        from_form => form_time(state, t.effective_from.timestamp_millis()),
        until => t.effective_until.map(|u| local_time(state, u.timestamp_millis())),
        until_form => t.effective_until.map(|u| form_time(state, u.timestamp_millis())),
        published_at => local_time(state, t.published_at.timestamp_millis()),
        published_by => n.published_by,
    }
}

/// The form's choices: the compounds and checkpoints the account may target.
async fn choices(
    state: &AppState,
    admin: &Admin,
) -> Result<(Vec<(String, String)>, Vec<Checkpoint>), WebError> {
    let checkpoints = admin
        .scope
        .filter(state.store.checkpoints().await?, |c| &c.compound_id);
    Ok((
        admin.own_compounds(state.store.compounds().await?),
        checkpoints,
    ))
}

/// Does the account see this notice: district-wide ones, and those reaching any of its gates?
/// (`checkpoints` are the account's own.)
fn sees(admin: &Admin, target: &NoticeTarget, checkpoints: &[Checkpoint]) -> bool {
    match target {
        NoticeTarget::District => true,
        _ => admin.scope.is_all() || !reached(target, checkpoints).is_empty(),
    }
}

/// May the account publish to this target: all of it within its compounds?
fn may_target(admin: &Admin, target: &NoticeTarget, checkpoints: &[Checkpoint]) -> bool {
    match target {
        NoticeTarget::District => admin.scope.is_all(),
        NoticeTarget::Compounds(ids) => ids.iter().all(|c| admin.scope.holds(c)),
        NoticeTarget::Checkpoints(ids) => {
            admin.scope.is_all() || ids.iter().all(|id| checkpoints.iter().any(|c| &c.id == id))
        }
    }
}

/// `GET /admin/notices`
pub async fn list(State(state): State<AppState>, admin: Admin) -> Result<Response, WebError> {
    let now_ms = Utc::now().timestamp_millis();
    let (compounds, checkpoints) = choices(&state, &admin).await?;
    let notices: Vec<Value> = state
        .store
        .notices()
        .await?
        .iter()
        .filter(|n| sees(&admin, &n.target, &checkpoints))
        .map(|n| notice_view(&state, n, &checkpoints, now_ms))
        .collect();
    let in_view = CheckpointsInView::scoped(&state, &admin.scope).await?;
    let overdue = overdue_views(&state, now_ms, &in_view).await?;
    page(
        &state,
        "notices.html",
        Some(&admin),
        context! {
            notices, compounds, checkpoints => checkpoint_views(&checkpoints), overdue,
            now_form => form_time(&state, now_ms),
            ack_minutes => state.config.notice_ack_minutes,
        },
    )
}

fn checkpoint_views(checkpoints: &[Checkpoint]) -> Vec<Value> {
    checkpoints
        .iter()
        .map(|c| context! { id => c.id, name => c.name, compound_id => c.compound_id })
        .collect()
}

/// The checkpoints late with a receipt, as the dashboard and the notices page show them.
pub async fn overdue_views(
    state: &AppState,
    now_ms: i64,
    in_view: &CheckpointsInView,
) -> Result<Vec<Value>, WebError> {
    Ok(state
        .store
        .overdue_receipts(now_ms, state.config.notice_ack_minutes)
        .await?
        .into_iter()
        .filter(|o| in_view.holds(&o.checkpoint_id))
        .map(|o| {
            context! {
                notice_id => o.notice_id, title => o.title, urgent => o.urgent,
                checkpoint_id => o.checkpoint_id, checkpoint_name => o.checkpoint_name,
                since => local_time(state, o.since_ms),
                minutes => (now_ms - o.since_ms) / 60_000,
            }
        })
        .collect())
}

/// `GET /admin/notices/{id}`: the notice, its versions and its receipts.
pub async fn show(
    State(state): State<AppState>,
    admin: Admin,
    Path(notice_id): Path<String>,
) -> Result<Response, WebError> {
    let now_ms = Utc::now().timestamp_millis();
    let versions = state.store.notice_versions(&notice_id).await?;
    let Some(current) = versions.first() else {
        return Err(WebError::NotFound);
    };
    let (compounds, checkpoints) = choices(&state, &admin).await?;
    if !sees(&admin, &current.target, &checkpoints) {
        return Err(WebError::Forbidden(NOT_YOUR_COMPOUND.into()));
    }
    let receipts = state.store.notice_receipts(&notice_id).await?;
    let newest = current.notice.version;
    let per_checkpoint: Vec<Value> = reached(&current.target, &checkpoints)
        .into_iter()
        .map(|cp| {
            let first = receipts
                .iter()
                .find(|r| r.checkpoint_id == cp.id && r.version == newest);
            context! {
                id => cp.id, name => cp.name, acked => first.is_some(),
                staff => first.map(|r| r.staff.clone()),
                device_id => first.map(|r| r.device_id.clone()),
                at => first.map(|r| local_time(&state, r.at_ms)),
            }
        })
        .collect();
    let receipts: Vec<Value> = receipts
        .iter()
        .map(|r| {
            context! {
                version => r.version, checkpoint_id => r.checkpoint_id, device_id => r.device_id,
                staff => r.staff, at => local_time(&state, r.at_ms),
            }
        })
        .collect();
    let history: Vec<Value> = versions
        .iter()
        .map(|v| notice_view(&state, v, &checkpoints, now_ms))
        .collect();
    page(
        &state,
        "notice.html",
        Some(&admin),
        context! {
            notice => notice_view(&state, current, &checkpoints, now_ms),
            history, receipts, per_checkpoint, compounds,
            checkpoints => checkpoint_views(&checkpoints),
        },
    )
}

/// `POST /admin/notices`: a new notice (no id yet), a new version of one, or its withdrawal.
/// Fields: `csrf`, `notice_id`, `title`, `body`, `priority`, `target` (district / compounds /
/// checkpoints), `compound` and `checkpoint` (repeated), `from`, `until` (`datetime-local`),
/// `withdraw`.
pub async fn save(
    State(state): State<AppState>,
    admin: Admin,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |k: &str| super::form_field(&fields, k);
    admin.check_csrf(field("csrf"))?;
    let all = |k: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    };
    let (compounds, checkpoints) = choices(&state, &admin).await?;
    let target = read_target(field("target"), all("compound"), all("checkpoint"))?;
    if !may_target(&admin, &target, &checkpoints) {
        return Err(WebError::Forbidden(NOT_YOUR_COMPOUND.into()));
    }
    let known = |ids: &[String], valid: &dyn Fn(&str) -> bool| ids.iter().all(|i| valid(i));
    let valid = match &target {
        NoticeTarget::District => true,
        NoticeTarget::Compounds(ids) => known(ids, &|i| compounds.iter().any(|c| c.0 == i)),
        NoticeTarget::Checkpoints(ids) => known(ids, &|i| checkpoints.iter().any(|c| c.id == i)),
    };
    if !valid {
        return Err(bad(
            "所选小区或卡口不存在",
            "An unknown compound or checkpoint",
        ));
    }
    let notice_id = match field("notice_id").trim() {
        "" => new_patrol_id("nt"),
        id => {
            let versions = state.store.notice_versions(id).await?;
            let current = versions.first().ok_or(WebError::NotFound)?;
            if !may_target(&admin, &current.target, &checkpoints) {
                return Err(WebError::Forbidden(NOT_YOUR_COMPOUND.into()));
            }
            id.to_owned()
        }
    };
    let edit = read_edit(&state, &fields, notice_id, target)?;
    state
        .store
        .save_notice(&edit, &admin.username, Utc::now().timestamp_millis())
        .await?;
    Ok(Redirect::to(&format!("/admin/notices/{}", edit.notice_id)).into_response())
}

fn read_target(
    kind: &str,
    compounds: Vec<String>,
    checkpoints: Vec<String>,
) -> Result<NoticeTarget, WebError> {
    let ids = match kind {
        "compounds" => compounds,
        "checkpoints" => checkpoints,
        _ => Vec::new(),
    };
    NoticeTarget::from_parts(kind, ids).ok_or_else(|| {
        bad(
            "请选择发给谁：全街道，或至少一个小区/卡口",
            "Choose who it is for: the district, or at least one compound or checkpoint",
        )
    })
}

/// The text, priority and times of the form, checked.
fn read_edit(
    state: &AppState,
    fields: &[(String, String)],
    notice_id: String,
    target: NoticeTarget,
) -> Result<NoticeEdit, WebError> {
    let field = |k: &str| super::form_field(fields, k);
    let title = field("title").trim();
    let body = field("body").replace("\r\n", "\n");
    if title.is_empty() || body.trim().is_empty() {
        return Err(bad("通知需要标题和正文", "A notice needs a title and text"));
    }
    if check_text(title, MAX_TITLE_CHARS).is_err() || check_text(&body, MAX_BODY_CHARS).is_err() {
        return Err(bad(
            &format!("标题最多{MAX_TITLE_CHARS}字，正文最多{MAX_BODY_CHARS}字，不能含隐藏字符"),
            &format!("Title at most {MAX_TITLE_CHARS} characters, text at most {MAX_BODY_CHARS}, no hidden characters"),
        ));
    }
    let priority = NoticePriority::parse(field("priority"))
        .ok_or_else(|| bad("请选择紧急程度", "Choose a priority"))?;
    let now_ms = Utc::now().timestamp_millis();
    let from = match field("from").trim() {
        "" => now_ms,
        text => parse_local(state, text)
            .ok_or_else(|| bad("生效时间格式不对", "The start time is not a date and time"))?,
    };
    let until = match field("until").trim() {
        "" => None,
        text => Some(
            parse_local(state, text)
                .ok_or_else(|| bad("截止时间格式不对", "The end time is not a date and time"))?,
        ),
    };
    if until.is_some_and(|u| u <= from) {
        return Err(bad(
            "截止时间须晚于生效时间",
            "The end must be after the start",
        ));
    }
    Ok(NoticeEdit {
        notice_id,
        title: title.to_owned(),
        body,
        priority,
        target,
        effective_from_ms: from,
        effective_until_ms: until,
        retired: !field("withdraw").is_empty(),
    })
}
