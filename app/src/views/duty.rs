//! Duty (值班): who is on duty at this phone; sign on with the staff pass (camera) or by picking
//! a name and typing the PIN; sign off. Opened from the status bar's name and the scan screen's
//! banner when nobody is on duty. Works offline: the roster comes with the signed config.

use chrono::Utc;
use dioxus::prelude::*;

use crate::components::camera::{CameraView, CodeRead};
use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows;
use crate::state::duty::DutyAction;
use crate::text::tr;

#[component]
pub fn Duty() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let svc = services.clone();
    let act = use_callback(move |a: DutyAction| flows::duty::act(ctx, &svc, a));
    let svc2 = services.clone();
    let on_code = move |read: CodeRead| flows::duty::pass_read(ctx, &svc2, &read.text);
    let d = ctx.duty.read();
    let offset = chrono::Duration::minutes(i64::from(d.offset_minutes));
    let on = d.on_duty.as_ref().map(|o| {
        (
            o.name.clone(),
            (o.since + offset).format("%H:%M").to_string(),
        )
    });
    let notice = d.notice.as_ref().map(|n| (n.is_error(), n.message(lang)));
    let roster: Vec<(String, String, bool)> = d
        .roster
        .iter()
        .map(|m| {
            (
                m.staff_id.clone(),
                m.name.clone(),
                d.picked.as_deref() == Some(&m.staff_id),
            )
        })
        .collect();
    let picked = d.picked().map(|m| m.name.clone());
    let (pin, scanning) = (d.pin.clone(), d.scanning);
    drop(d);

    rsx! {
        section { class: "duty", aria_label: tr(lang, "值班", "Duty"),
            h1 { {tr(lang, "值班", "Duty")} }
            if let Some((name, since)) = on {
                div { class: "on-duty", id: "duty-on",
                    p { class: "big-name", "{name}" }
                    p { class: "hint", {tr(lang, "在岗，自 ", "On duty since ")} "{since}" }
                }
                button { r#type: "button", id: "duty-signoff", class: "wide secondary big",
                    onclick: move |_| act.call(DutyAction::SignOff),
                    {tr(lang, "下岗（签退）", "Sign off")}
                }
            } else {
                p { id: "duty-nobody", class: "banner warn",
                    {tr(lang, "无人上岗：记录将以本机名义保存", "Nobody signed on: records carry this phone's name")}
                }
            }
            if let Some((error, text)) = notice {
                p { id: if error { "duty-error" } else { "duty-done" },
                    class: if error { "error" } else { "ok" },
                    role: if error { "alert" } else { "status" },
                    "{text}"
                }
            }
            h2 { {tr(lang, "上岗", "Sign on")} }
            if scanning {
                CameraView { on_code, paused: false }
                button { r#type: "button", id: "duty-camera-close", class: "wide secondary",
                    onclick: move |_| act.call(DutyAction::Camera(false)),
                    {tr(lang, "关闭相机", "Close the camera")}
                }
            } else {
                button { r#type: "button", id: "duty-scan", class: "wide primary big",
                    onclick: move |_| act.call(DutyAction::Camera(true)),
                    {tr(lang, "刷工作证上岗", "Sign on with the staff pass")}
                }
            }
            p { class: "hint", {tr(lang, "或选择姓名并输入密码：", "Or pick your name and type your PIN:")} }
            if roster.is_empty() {
                p { id: "duty-roster-empty", class: "empty",
                    {tr(lang, "还没有值班名单：同步后出现", "No roster yet: it comes with a sync")}
                }
            }
            ul { class: "list duty-roster", id: "duty-roster",
                for (id, name, chosen) in roster {
                    li { key: "{id}",
                        button { r#type: "button", id: "duty-pick-{id}",
                            class: if chosen { "wide primary big" } else { "wide secondary big" },
                            aria_pressed: if chosen { "true" } else { "false" },
                            onclick: move |_| act.call(DutyAction::Pick(id.clone())),
                            "{name}"
                        }
                    }
                }
            }
            if let Some(name) = picked {
                label { r#for: "duty-pin", "{name} · " {tr(lang, "密码（4–6位数字）", "PIN (4–6 digits)")} }
                input { id: "duty-pin", r#type: "password", inputmode: "numeric",
                    autocomplete: "off", maxlength: "6", value: "{pin}",
                    oninput: move |e| act.call(DutyAction::Pin(e.value())),
                }
                button { r#type: "button", id: "duty-signon", class: "wide primary big",
                    onclick: move |_| act.call(DutyAction::SubmitPin { now: Utc::now() }),
                    {tr(lang, "上岗", "Sign on")}
                }
            }
        }
    }
}
