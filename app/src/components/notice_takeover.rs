//! An urgent notice the staff on duty has not acknowledged takes the whole screen, over any staff
//! screen, until they read it and tap "I have read it" (the receipt goes into the journal first).

use chrono::Utc;
use dioxus::prelude::*;
use sync_core::handbook::render_markdown;

use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows;
use crate::state::notices::NoticesAction;
use crate::text::tr;

#[component]
pub fn NoticeTakeover() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let staff = crate::flows::duty::staff_of(&ctx.duty.read(), &ctx.prefs.read());
    let s = ctx.notices.read();
    let Some(n) = s.takeover(Utc::now(), &staff) else {
        return rsx! {};
    };
    let (id, version, title) = (n.notice_id.clone(), n.version, n.title.clone());
    // `render_markdown` shows raw HTML in the text as text, so its HTML is safe to insert.
    let html = render_markdown(&n.body);
    let error = s.error.clone().map(|w| w.pick(lang));
    drop(s);
    rsx! {
        div { class: "notice-takeover", id: "notice-takeover", role: "alertdialog",
            aria_modal: "true", aria_labelledby: "takeover-title",
            p { class: "badge urgent", {tr(lang, "紧急通知", "Urgent notice")} }
            h1 { id: "takeover-title", "{title}" }
            div { class: "handbook-body takeover-body", dangerous_inner_html: "{html}" }
            if let Some(e) = error { p { class: "error", role: "alert", "{e}" } }
            button { r#type: "button", id: "takeover-ack", class: "wide primary big",
                onclick: move |_| flows::notices::act(ctx, &services, NoticesAction::Acknowledge {
                    notice_id: id.clone(),
                    version,
                }),
                {tr(lang, "已阅，确认", "I have read it")}
            }
        }
    }
}
