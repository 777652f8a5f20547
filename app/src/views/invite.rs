//! Resident mode: invite a visitor (邀请访客). The form goes to the district, which signs the
//! visitor's day pass for this household; the link to send the visitor is shown with its QR code.
//! Below, the household's invitations and when each visitor came in and went out.

use dioxus::prelude::*;
use sync_core::i18n::Lang;
use sync_core::invitation::MAX_PER_DAY;
use sync_core::Direction;

use crate::components::qr::QrImage;
use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows::household::{list_invitations, send_invitation};
use crate::state::invite::InviteAction;
use crate::text::tr;

#[component]
pub fn Invite() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let mut invite = ctx.invite;
    let svc_list = services.clone();
    use_hook(move || list_invitations(ctx, &svc_list));
    let offset = crate::flows::district_offset(&services);
    let s = invite.read().clone();
    let error = s.error.clone().map(|(zh, en)| match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    });
    let (svc_send, svc_refresh) = (services.clone(), services);
    // Each invitation with its passages in words: "到达 12-03 10:32 east-1".
    let listed: Vec<(String, String, String, Vec<String>)> = s
        .list
        .invitations
        .iter()
        .map(|inv| {
            let moves = inv
                .arrivals
                .iter()
                .map(|a| {
                    let word = match a.direction {
                        Direction::In => tr(lang, "到达", "arrived"),
                        Direction::Out => tr(lang, "离开", "left"),
                    };
                    let at = a.at.with_timezone(&offset).format("%m-%d %H:%M");
                    format!("{word} {at} {}", a.gate)
                })
                .collect();
            (
                inv.pass_id.clone(),
                inv.name.clone(),
                inv.day.to_string(),
                moves,
            )
        })
        .collect();
    let days = [
        (0, tr(lang, "今天", "Today")),
        (1, tr(lang, "明天", "Tomorrow")),
        (2, tr(lang, "后天", "The day after")),
    ];
    rsx! {
        section { class: "invite",
            h1 { {tr(lang, "邀请访客", "Invite a visitor")} }
            p { class: "hint", {tr(lang, "访客凭链接中的二维码在卡口直接通行，无需您再确认。每户每天最多 ", "The visitor shows the link's code at the gate and is let in without calling you. At most ")}
                "{MAX_PER_DAY}" {tr(lang, " 位，今日已邀请 ", " a day per household; today so far ")} "{s.list.made_today}"
            }
            form { class: "form", novalidate: true, id: "invite-form",
                onsubmit: move |e| { e.prevent_default(); send_invitation(ctx, &svc_send); },
                label { r#for: "invite-name", {tr(lang, "访客姓名", "Visitor's name")} }
                input { id: "invite-name", r#type: "text", value: "{s.form.name}",
                    oninput: move |e| invite.write().reduce(InviteAction::Name(e.value())) }
                label { r#for: "invite-phone", {tr(lang, "访客手机号", "Visitor's phone")} }
                input { id: "invite-phone", r#type: "tel", inputmode: "tel", value: "{s.form.phone}",
                    oninput: move |e| invite.write().reduce(InviteAction::Phone(e.value())) }
                div { class: "chips", role: "radiogroup", aria_label: tr(lang, "来访日期", "Day of the visit"),
                    for (d, label) in days {
                        button { r#type: "button", key: "{d}", id: "invite-day-{d}",
                            class: if s.form.days_ahead == d { "chip on" } else { "chip" },
                            onclick: move |_| invite.write().reduce(InviteAction::DaysAhead(d)),
                            "{label}"
                        }
                    }
                }
                crate::components::field::Field { id: "invite-plate",
                    label: tr(lang, "车牌（选填）", "Plate (optional)").to_string(),
                    value: s.form.plate.clone(), error: None,
                    keys: crate::state::keypad::Keys::Plate,
                    oninput: move |t| invite.write().reduce(InviteAction::Plate(t)) }
                label { r#for: "invite-reason", {tr(lang, "事由", "Reason")} }
                input { id: "invite-reason", r#type: "text", value: "{s.form.reason}",
                    oninput: move |e| invite.write().reduce(InviteAction::Reason(e.value())) }
                if let Some(msg) = error {
                    p { class: "error", role: "alert", id: "invite-error", "{msg}" }
                }
                button { class: "wide primary", r#type: "submit", id: "invite-send", disabled: s.busy,
                    {tr(lang, "发送邀请（需联网）", "Send the invitation (online)")}
                }
            }
            if let Some(made) = s.made.clone() {
                if let Some(link) = made.link.clone() {
                    div { class: "pass-card", id: "invite-made",
                        p { class: "ok", {tr(lang, "已邀请，请把链接发给访客：", "Invited; send this link to the visitor:")} }
                        QrImage { payload: link.clone(), label: tr(lang, "访客链接二维码", "Visitor link QR code").to_owned() }
                        p { class: "invite-link", id: "invite-link", "{link}" }
                        p { class: "pass-sub", "{made.name} · {made.day} · {made.pass_id}" }
                    }
                }
            }
            h2 { {tr(lang, "我的邀请", "My invitations")} }
            button { class: "wide secondary", r#type: "button", id: "invite-refresh",
                onclick: move |_| list_invitations(ctx, &svc_refresh),
                {tr(lang, "刷新到访情况", "Refresh arrivals")}
            }
            ul { class: "invitations", id: "invitations",
                for (pass_id, name, day, moves) in listed {
                    li { key: "{pass_id}", "data-pass": "{pass_id}",
                        b { "{name}" } " · {day}"
                        if moves.is_empty() {
                            span { class: "muted", {tr(lang, " · 未到访", " · not arrived")} }
                        }
                        for m in moves {
                            span { class: "arrival", " · {m}" }
                        }
                    }
                }
            }
        }
    }
}
