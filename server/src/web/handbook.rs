//! The handbook page of the admin web: every published section rendered as the phones show it,
//! an edit form for each (a save is a new version), a form for a new section, and retiring one.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use minijinja::{context, Value};
use serde::Deserialize;
use sync_core::handbook::render_markdown;
use sync_core::validate::check_text;

use super::session::Admin;
use super::{page, WebError};
use crate::state::AppState;
use crate::store::SectionEdit;

/// Longest section text, in characters (a page of the handbook, not a book).
const MAX_BODY_CHARS: usize = 20_000;

/// `GET /admin/handbook`
pub async fn show(State(state): State<AppState>, admin: Admin) -> Result<Response, WebError> {
    let sections: Vec<Value> = state
        .store
        .handbook()
        .await?
        .into_iter()
        .map(|s| {
            context! {
                preview_zh => render_markdown(&s.body_zh),
                preview_en => render_markdown(&s.body_en),
                section_id => s.section_id, version => s.version, position => s.position,
                title_zh => s.title_zh, body_zh => s.body_zh, title_en => s.title_en,
                body_en => s.body_en,
            }
        })
        .collect();
    page(&state, "handbook.html", Some(&admin), context! { sections })
}

#[derive(Debug, Deserialize)]
pub struct SectionForm {
    csrf: String,
    #[serde(default)]
    section_id: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    title_zh: String,
    #[serde(default)]
    body_zh: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    body_en: String,
    /// Present when "retire" was pressed.
    #[serde(default)]
    retire: String,
}

fn bad(zh: &str, en: &str) -> WebError {
    WebError::BadRequest(format!("{zh} {en}"))
}

/// `POST /admin/handbook`: a new section (no id yet), a new version of one, or its retirement.
pub async fn save(
    State(state): State<AppState>,
    admin: Admin,
    Form(f): Form<SectionForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    let section_id = match f.section_id.trim() {
        "" => crate::store::new_patrol_id("hb"),
        id if id.len() <= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => {
            id.to_owned()
        }
        _ => return Err(bad("章节编号无效", "Invalid section id")),
    };
    let (title_zh, title_en) = (f.title_zh.trim(), f.title_en.trim());
    if title_zh.is_empty() || f.body_zh.trim().is_empty() {
        return Err(bad(
            "章节需要中文标题和正文",
            "A section needs a Chinese title and text",
        ));
    }
    for (text, max) in [
        (title_zh, 60),
        (title_en, 80),
        (f.body_zh.as_str(), MAX_BODY_CHARS),
        (f.body_en.as_str(), MAX_BODY_CHARS),
    ] {
        check_text(text, max).map_err(|_| {
            bad(
                &format!("标题最多60/80字，正文最多{MAX_BODY_CHARS}字，不能含隐藏字符"),
                &format!("Titles at most 60/80 characters, text at most {MAX_BODY_CHARS}, no hidden characters"),
            )
        })?;
    }
    let edit = SectionEdit {
        section_id,
        position: f.position.trim().parse().unwrap_or(100),
        title_zh: title_zh.to_owned(),
        body_zh: f.body_zh.replace("\r\n", "\n"),
        title_en: title_en.to_owned(),
        body_en: f.body_en.replace("\r\n", "\n"),
        retired: !f.retire.is_empty(),
    };
    state
        .store
        .save_handbook_section(&edit, &admin.username, Utc::now().timestamp_millis())
        .await?;
    Ok(Redirect::to("/admin/handbook").into_response())
}
