//! The incident report (事件上报) screen: what happened (big buttons), urgent, a note, up to three
//! photos, report; then this device's incidents of today with their upload state. Opened from the
//! 上报 button in the status bar, on every screen.

use chrono::{DateTime, FixedOffset, Utc};
use dioxus::prelude::*;
use sync_core::i18n::{Lang, Localized};
use sync_core::incident::{IncidentCategory, MAX_INCIDENT_NOTE_CHARS};

use crate::components::camera::{take_still, CameraView};
use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows::{self, district_offset};
use crate::state::incident::{
    IncidentAction, IncidentForm, IncidentRecord, IncidentState, Upload, MAX_PHOTOS,
};
use crate::text::tr;

/// How often today's list is read again while the screen is open.
const TICK: std::time::Duration = std::time::Duration::from_secs(20);

#[component]
pub fn Incident() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let incident = ctx.incident;
    // Today's incidents: on opening, then whenever the pending count moves (a report stored, an
    // upload acknowledged).
    let pending = use_memo(move || ctx.status.read().sync.status.pending);
    let svc = services.clone();
    use_effect(move || {
        let _ = pending();
        flows::incident::refresh(ctx, &svc);
    });
    // Photos of an acknowledged report upload without moving the pending count: look again now
    // and then while the screen is open.
    let svc = services.clone();
    use_future(move || {
        let svc = svc.clone();
        async move {
            loop {
                tokio::time::sleep(TICK).await;
                flows::incident::refresh(ctx, &svc);
            }
        }
    });
    let svc = services.clone();
    let act = use_callback(move |a: IncidentAction| flows::incident::act(ctx, &svc, a));
    let svc = services.clone();
    let photo = use_callback(move |()| {
        // One still at a time, and only while another photo fits (the state says why not).
        let may = incident.peek().form.can_take_photo();
        act.call(IncidentAction::TakingPhoto);
        if !may {
            return;
        }
        let svc = svc.clone();
        spawn(async move {
            let taken = take_still().await;
            flows::incident::still(ctx, &svc, taken);
        });
    });

    let s = incident.read().clone();
    let offset = district_offset(&services);
    rsx! {
        section { class: "incident", aria_label: tr(lang, "事件上报", "Report an incident"),
            h1 { {tr(lang, "事件上报", "Report an incident")} }
            if let Some(n) = s.notice.clone() {
                div { class: "row",
                    p { class: if n.is_error() { "error" } else { "ok" },
                        id: if n.is_error() { "incident-error" } else { "incident-done" },
                        role: if n.is_error() { "alert" } else { "status" },
                        style: "flex: 1; font-size: 20px;",
                        "{n.message(lang)}"
                    }
                    button { r#type: "button", class: "secondary",
                        onclick: move |_| act.call(IncidentAction::Dismiss),
                        {tr(lang, "知道了", "OK")}
                    }
                }
            }
            form { id: "incident-form",
                onsubmit: move |e| { e.prevent_default(); act.call(IncidentAction::Submit); },
                h2 { {tr(lang, "发生了什么？", "What happened?")} }
                {categories(lang, &s.form, act)}
                button { r#type: "button", id: "incident-urgent",
                    class: if s.form.urgent { "wide danger big" } else { "wide secondary big" },
                    aria_pressed: if s.form.urgent { "true" } else { "false" },
                    onclick: move |_| act.call(IncidentAction::ToggleUrgent),
                    if s.form.urgent { {tr(lang, "紧急 ✓", "Urgent ✓")} } else { {tr(lang, "标为紧急", "Mark as urgent")} }
                }
                label { r#for: "incident-note", class: "hint",
                    {tr(lang, "说明（选填；“其他”须写说明或拍照）", "Note (optional; \u{201c}Other\u{201d} needs a note or a photo)")}
                }
                textarea { id: "incident-note", rows: "3", maxlength: "{MAX_INCIDENT_NOTE_CHARS}",
                    value: "{s.form.note}",
                    oninput: move |e| act.call(IncidentAction::NoteInput(e.value())),
                }
                {photos(lang, &s.form, act, photo)}
                button { class: "wide primary big", r#type: "submit", id: "incident-submit",
                    disabled: s.form.taking_photo,
                    {tr(lang, "提交上报", "Send report")}
                }
            }
            {today(lang, &s, offset)}
        }
    }
}

/// One big button per category, the chosen one marked.
fn categories(lang: Lang, form: &IncidentForm, act: Callback<IncidentAction>) -> Element {
    rsx! {
        div { class: "incident-cats", role: "group", aria_label: tr(lang, "事件类别", "Category"),
            for c in IncidentCategory::ALL {
                button { r#type: "button", id: "incident-category-{c.as_str()}",
                    class: if form.category == Some(c) { "big cat chosen" } else { "big cat" },
                    aria_pressed: if form.category == Some(c) { "true" } else { "false" },
                    onclick: move |_| act.call(IncidentAction::Category(c)),
                    {c.label(lang)}
                }
            }
        }
    }
}

/// The photos taken (each removable), the viewfinder and the button taking the next one.
fn photos(
    lang: Lang,
    form: &IncidentForm,
    act: Callback<IncidentAction>,
    photo: Callback<()>,
) -> Element {
    let count = form.photos.len();
    rsx! {
        div { class: "row", style: "justify-content: space-between; flex-wrap: wrap;",
            strong { id: "incident-photo-count", {tr(lang, "照片 ", "Photos ")} "{count}/{MAX_PHOTOS}" }
            for i in 0..count {
                button { class: "secondary", r#type: "button", key: "{form.photos[i]}",
                    aria_label: tr(lang, "删除这张照片", "Remove this photo"),
                    onclick: move |_| act.call(IncidentAction::RemovePhoto(i)),
                    {tr(lang, "照片", "Photo")} " {i + 1} ✕"
                }
            }
        }
        if count < MAX_PHOTOS {
            // The viewfinder runs the camera the still is taken from; it reads no codes here.
            CameraView { on_code: move |_| {}, paused: true }
            button { class: "wide secondary big", r#type: "button", id: "incident-photo",
                disabled: !form.can_take_photo(),
                onclick: move |_| photo.call(()),
                if form.taking_photo { {tr(lang, "正在拍照…", "Taking photo…")} } else { {tr(lang, "拍照", "Take photo")} }
            }
        }
    }
}

fn hm(t: DateTime<Utc>, offset: FixedOffset) -> String {
    t.with_timezone(&offset).format("%H:%M").to_string()
}

/// This device's incidents of today, newest first, with their upload state.
fn today(lang: Lang, s: &IncidentState, offset: FixedOffset) -> Element {
    let items: Vec<(IncidentRecord, String)> = s
        .today
        .iter()
        .rev()
        .map(|r| (r.clone(), hm(r.recorded_at, offset)))
        .collect();
    rsx! {
        h2 { {tr(lang, "今日上报", "Reported today")} }
        ul { class: "list", id: "incident-list",
            if items.is_empty() {
                li { class: "empty", {tr(lang, "今天还没有上报", "Nothing reported today")} }
            }
            for (r, at) in items {
                li { key: "{r.seq}",
                    div { class: "rec-main",
                        span { class: "rec-time", "{at}" }
                        span { class: "rec-title", style: "flex: 1;", {r.category.label(lang)} }
                        if r.urgent {
                            span { class: "up rejected", {tr(lang, "紧急", "Urgent")} }
                        }
                    }
                    div { class: "rec-sub",
                        if !r.note.is_empty() {
                            span { class: "incident-note-line", "{r.note}" }
                        }
                        if !r.photos.is_empty() {
                            span { {tr(lang, "照片 ", "Photos ")} "{r.photos.len()}" }
                        }
                        {upload(lang, &r.upload)}
                    }
                }
            }
        }
    }
}

fn upload(lang: Lang, u: &Upload) -> Element {
    match u {
        Upload::Pending => {
            rsx! { span { class: "up pending", {tr(lang, "待上传", "waiting to upload")} } }
        }
        Upload::PhotosPending => {
            rsx! { span { class: "up pending", {tr(lang, "照片待上传", "photos uploading")} } }
        }
        Upload::Uploaded => rsx! { span { class: "up done", {tr(lang, "已上传", "uploaded")} } },
        Upload::Rejected(reason) => {
            rsx! { span { class: "up rejected", {tr(lang, "被退回：", "refused: ")} "{reason}" } }
        }
    }
}
