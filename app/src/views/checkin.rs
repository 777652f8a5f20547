//! Resident mode: the daily health check-in (今日健康打卡) for each member of the household — who
//! has checked in today (uploaded, or waiting on this phone), the form, and the upload's state.
//! Works offline: a check-in is kept on the phone first and goes up when the network is back.

use dioxus::prelude::*;
use sync_core::health::Symptom;
use sync_core::i18n::Lang;

use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows::household::{district_today, submit_checkin, upload_checkins};
use crate::state::checkin::{CheckinAction, QueueStatus};
use crate::text::tr;

fn pick(lang: Lang, (zh, en): (String, String)) -> String {
    match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    }
}

/// Today's state of one member, as a short line.
fn member_status(lang: Lang, status: Option<&QueueStatus>) -> (String, &'static str) {
    match status {
        Some(QueueStatus::Sent) => (tr(lang, "今日已打卡", "Checked in today").into(), "ok"),
        Some(QueueStatus::Pending) => (
            tr(lang, "今日已打卡（待上传）", "Checked in today (to upload)").into(),
            "ok",
        ),
        Some(QueueStatus::Refused { zh, en }) => (
            pick(lang, (format!("未通过：{zh}"), format!("Refused: {en}"))),
            "error",
        ),
        None => (
            tr(lang, "今日未打卡", "Not checked in today").into(),
            "error",
        ),
    }
}

#[component]
pub fn Checkin() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let mut checkin = ctx.checkin;
    let wallet = ctx.wallet.read().clone();
    let today = district_today(wallet.household.as_ref());
    let household = wallet.household.as_ref().map(|s| s.household.clone());
    // The household's people (not its vehicles, not revoked passes).
    let members: Vec<(String, String)> = wallet
        .passes
        .iter()
        .filter(|p| !p.vehicle && !p.revoked)
        .filter(|p| household.as_ref().is_none_or(|h| &p.household == h))
        .map(|p| (p.pass_id.clone(), p.display_name.clone()))
        .collect();
    let s = checkin.read().clone();
    let chosen_name = members
        .iter()
        .find(|(id, _)| Some(id) == s.form.member.as_ref())
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let pending = s.pending().len();
    let (svc_submit, svc_upload) = (services.clone(), services);
    rsx! {
        section { class: "checkin",
            h1 { {tr(lang, "今日健康打卡", "Daily health check-in")} " · {today}" }
            if household.is_none() {
                p { class: "hint", role: "note", id: "checkin-no-letter",
                    {tr(lang, "用住户信添加本户通行证后即可打卡。", "Add the household's passes from the letter to check in.")}
                }
            }
            ul { class: "checkin-members", id: "checkin-members",
                for (id, name) in members.iter().cloned() {
                    {
                        let (line, class) = member_status(lang, s.latest(&id, today).map(|q| &q.status));
                        rsx! { li { class: "{class}", "data-member": "{id}", key: "{id}", b { "{name}" } " · {line}" } }
                    }
                }
            }
            form { class: "form", novalidate: true, id: "checkin-form",
                onsubmit: move |e| { e.prevent_default(); submit_checkin(ctx, &svc_submit, chosen_name.clone()); },
                fieldset {
                    legend { {tr(lang, "打卡人", "Who")} }
                    div { class: "chips",
                        for (id, name) in members.iter().cloned() {
                            button { r#type: "button", key: "{id}",
                                class: if s.form.member.as_ref() == Some(&id) { "chip on" } else { "chip" },
                                "data-member": "{id}",
                                onclick: move |_| checkin.write().reduce(CheckinAction::Member(id.clone())),
                                "{name}"
                            }
                        }
                    }
                }
                label { r#for: "checkin-temp", {tr(lang, "体温 °C", "Temperature °C")} }
                input { id: "checkin-temp", r#type: "text", inputmode: "decimal", placeholder: "36.5",
                    value: "{s.form.temperature}",
                    oninput: move |e| checkin.write().reduce(CheckinAction::Temperature(e.value())),
                }
                fieldset {
                    legend { {tr(lang, "症状（如有请勾选）", "Symptoms (tick any)")} }
                    for sym in Symptom::ALL {
                        label { class: "check", key: "{sym.as_str()}",
                            input { r#type: "checkbox", id: "symptom-{sym.as_str()}",
                                checked: s.form.symptoms.contains(&sym),
                                onchange: move |_| checkin.write().reduce(CheckinAction::ToggleSymptom(sym)),
                            }
                            " {sym.label(lang)}"
                        }
                    }
                }
                label { class: "check",
                    input { r#type: "checkbox", id: "checkin-left",
                        checked: s.form.left_city,
                        onchange: move |e| checkin.write().reduce(CheckinAction::LeftCity(e.checked())),
                    }
                    {tr(lang, " 14 天内离开过本市", " Left the city in the last 14 days")}
                }
                if s.form.left_city {
                    label { r#for: "checkin-left-to", {tr(lang, "去了哪里", "Where to")} }
                    input { id: "checkin-left-to", r#type: "text", value: "{s.form.left_to}",
                        oninput: move |e| checkin.write().reduce(CheckinAction::LeftTo(e.value())),
                    }
                }
                if let Some(err) = s.form.error.clone() {
                    p { class: "error", role: "alert", id: "checkin-error", {pick(lang, err)} }
                }
                button { class: "wide primary", r#type: "submit", id: "checkin-submit",
                    {tr(lang, "提交打卡", "Check in")}
                }
            }
            if pending > 0 {
                p { class: "hint", id: "checkin-pending",
                    {tr(lang, "待上传的打卡：", "Check-ins waiting to upload: ")} "{pending}"
                }
                button { class: "wide secondary", r#type: "button", id: "checkin-upload",
                    disabled: s.uploading,
                    onclick: move |_| upload_checkins(ctx, &svc_upload),
                    {tr(lang, "联网上传", "Upload (online)")}
                }
            }
            if let Some(err) = s.upload_error.clone() {
                p { class: "error", role: "alert", id: "checkin-upload-error", {pick(lang, err)} }
            }
        }
    }
}
