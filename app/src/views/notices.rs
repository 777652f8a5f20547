//! Notices (通知): every notice the district sent this gate, newest first, unread ones marked for
//! the staff on duty; open one to read it and acknowledge it with one tap. Reached from the scan
//! screen's banner and from Settings. Readable offline: the notices come with the signed config.

use chrono::Utc;
use dioxus::prelude::*;
use sync_core::handbook::render_markdown;

use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows;
use crate::state::notices::NoticesAction;
use crate::text::tr;

#[component]
pub fn Notices() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let act = use_callback(move |a: NoticesAction| flows::notices::act(ctx, &services, a));
    let staff = crate::flows::duty::staff_of(&ctx.duty.read(), &ctx.prefs.read());
    let s = ctx.notices.read();
    let now = Utc::now();
    let error = s.error.clone().map(|w| w.pick(lang));
    // `render_markdown` shows raw HTML in the text as text, so its HTML is safe to insert.
    let open = s.opened().map(|n| {
        (
            n.notice_id.clone(),
            n.version,
            n.title.clone(),
            render_markdown(&n.body),
            n.is_urgent(),
            s.is_read(n, &staff),
        )
    });
    let items: Vec<(String, String, bool, bool, bool)> = s
        .board
        .all()
        .iter()
        .map(|n| {
            (
                n.notice_id.clone(),
                n.title.clone(),
                n.is_urgent(),
                s.is_read(n, &staff),
                n.in_force(now),
            )
        })
        .collect();
    drop(s);

    rsx! {
        section { class: "notices", aria_label: tr(lang, "通知", "Notices"),
            if let Some((id, version, title, html, urgent, read)) = open {
                button { r#type: "button", id: "notice-back", class: "wide secondary big",
                    onclick: move |_| act.call(NoticesAction::Close),
                    {tr(lang, "← 全部通知", "← All notices")}
                }
                article {
                    if urgent { p { class: "badge urgent", {tr(lang, "紧急", "Urgent")} } }
                    h1 { id: "notice-title", "{title}" }
                    div { id: "notice-body", class: "handbook-body", dangerous_inner_html: "{html}" }
                }
                if let Some(e) = error { p { class: "error", role: "alert", "{e}" } }
                if read {
                    p { id: "notice-read", class: "done", {tr(lang, "✓ 您已确认本通知", "✓ You acknowledged this notice")} }
                } else {
                    button { r#type: "button", id: "notice-ack", class: "wide primary big",
                        onclick: move |_| act.call(NoticesAction::Acknowledge { notice_id: id.clone(), version }),
                        {tr(lang, "已阅，确认", "I have read it")}
                    }
                }
            } else {
                h1 { {tr(lang, "通知", "Notices")} }
                if items.is_empty() {
                    p { id: "notices-empty", class: "empty",
                        {tr(lang, "没有通知：同步后到达", "No notices. They arrive with a sync")}
                    }
                }
                ul { id: "notices-list", class: "list",
                    for (id, title, urgent, read, in_force) in items {
                        li { key: "{id}",
                            button { r#type: "button", id: "notice-{id}",
                                class: if read { "wide secondary big" } else { "wide primary big" },
                                onclick: move |_| act.call(NoticesAction::Open(id.clone())),
                                if urgent { span { class: "badge urgent", {tr(lang, "紧急", "Urgent")} } " " }
                                "{title}"
                                if read { {format!(" · ✓ {}", tr(lang, "已读", "read"))} }
                                if !read && in_force { {format!(" · {}", tr(lang, "未读", "unread"))} }
                                if !in_force { {format!(" · {}", tr(lang, "未生效", "not in force"))} }
                            }
                        }
                    }
                }
            }
        }
    }
}
