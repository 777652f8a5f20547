//! Settings: language, theme, mode, gate and direction, fever threshold (shown), the handbook
//! (标准化手册), un-enroll.

use dioxus::prelude::*;
use sync_core::i18n::Lang;
use sync_core::Direction;

use crate::ctx::{use_ctx, use_lang, use_services};
use crate::route::Route;
use crate::services::save_prefs;
use crate::state::settings::{SettingsAction, Theme, UnenrollState};
use crate::text::tr;

/// The theme choices in the order shown, with their labels.
const THEMES: [(Theme, &str, &str); 4] = [
    (Theme::System, "跟随系统", "Phone setting"),
    (Theme::Sunset, "日落后深色", "Dark after sunset"),
    (Theme::Light, "浅色（日光）", "Light (sun)"),
    (Theme::Dark, "深色（夜班）", "Dark (night)"),
];

#[component]
pub fn Settings() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let nav = use_navigator();
    let mut prefs = ctx.prefs;
    let mut unenroll = use_signal(UnenrollState::default);
    let p = prefs.read().clone();
    let fever = ctx.visitor.read().fever_threshold_c;
    let gates: Vec<String> = services
        .checkpoint_config()
        .map(|c| c.gates)
        .unwrap_or_default();
    let svc = services.clone();
    let set = use_callback(move |a: SettingsAction| {
        prefs.write().reduce(a);
        let snapshot = prefs.peek().clone();
        if let Ok(mut l) = svc.ledger() {
            if let Err(e) = save_prefs(&mut l, &snapshot) {
                tracing::warn!("settings not saved: {e}");
            }
        }
    });
    let pending = ctx.status.read().sync.status.pending;
    let u = *unenroll.read();
    rsx! {
        section { class: "settings",
            h1 { {tr(lang, "设置", "Settings")} }
            h2 { {tr(lang, "语言", "Language")} }
            div { class: "segmented", role: "group", aria_label: tr(lang, "语言", "Language"),
                button { r#type: "button", class: if p.lang == Lang::ZhCn { "dir on" } else { "dir" },
                    onclick: move |_| set.call(SettingsAction::Lang(Lang::ZhCn)), "中文" }
                button { r#type: "button", class: if p.lang == Lang::En { "dir on" } else { "dir" },
                    onclick: move |_| set.call(SettingsAction::Lang(Lang::En)), "English" }
            }
            h2 { {tr(lang, "主题", "Theme")} }
            div { class: "segmented grid2", role: "group", aria_label: tr(lang, "主题", "Theme"),
                for (theme, zh, en) in THEMES {
                    button { r#type: "button", class: if p.theme == theme { "dir on" } else { "dir" },
                        aria_pressed: p.theme == theme,
                        onclick: move |_| set.call(SettingsAction::Theme(theme)), {tr(lang, zh, en)} }
                }
            }
            h2 { {tr(lang, "语音播报", "Spoken verdict")} }
            div { class: "segmented", role: "group", aria_label: tr(lang, "语音播报", "Spoken verdict"),
                button { r#type: "button", id: "speak-on", class: if p.speak { "dir on" } else { "dir" },
                    onclick: move |_| set.call(SettingsAction::Speak(true)), {tr(lang, "开", "On")} }
                button { r#type: "button", id: "speak-off", class: if p.speak { "dir" } else { "dir on" },
                    onclick: move |_| set.call(SettingsAction::Speak(false)), {tr(lang, "关", "Off")} }
            }
            h2 { {tr(lang, "默认方向", "Default direction")} }
            div { class: "segmented", role: "group",
                button { r#type: "button", class: if p.direction == Direction::In { "dir on" } else { "dir" },
                    onclick: move |_| set.call(SettingsAction::Direction(Direction::In)), {tr(lang, "进", "In")} }
                button { r#type: "button", class: if p.direction == Direction::Out { "dir on" } else { "dir" },
                    onclick: move |_| set.call(SettingsAction::Direction(Direction::Out)), {tr(lang, "出", "Out")} }
            }
            if !gates.is_empty() {
                label { r#for: "gate-select", h2 { {tr(lang, "卡口", "Gate")} } }
                select { id: "gate-select", value: "{p.gate}",
                    onchange: move |e| set.call(SettingsAction::Gate(e.value())),
                    for g in gates { option { value: "{g}", "{g}" } }
                }
            }
            dl { class: "facts",
                dt { {tr(lang, "值守人员", "Staff")} } dd { "{p.staff}" }
                dt { {tr(lang, "发热阈值", "Fever threshold")} } dd { "{fever:.1} °C" }
            }
            Link { id: "handbook-open", class: "button wide secondary big", to: Route::Handbook {},
                {tr(lang, "手册", "Handbook")}
            }
            Link { id: "notices-open", class: "button wide secondary big", to: Route::Notices {},
                {tr(lang, "通知", "Notices")}
            }
            h2 { {tr(lang, "模式", "Mode")} }
            button { class: "wide secondary", r#type: "button", id: "mode-switch",
                onclick: move |_| {
                    let resident = !prefs.peek().resident_mode;
                    set.call(SettingsAction::ResidentMode(resident));
                    nav.push(if resident { Route::MyPass {} } else { Route::Home {} });
                },
                if p.resident_mode { {tr(lang, "切换到值守模式", "Switch to staff mode")} } else { {tr(lang, "切换到居民模式（出示通行证）", "Switch to resident mode (show my pass)")} }
            }
            if services.is_enrolled() {
                h2 { {tr(lang, "注销本机", "Un-enroll this device")} }
                match u {
                    UnenrollState::BlockedPending(n) => rsx! { p { class: "error", role: "alert",
                        {tr(lang, "还有未上传的记录，请先同步：", "Records still waiting for upload, sync first: ")} "{n}" } },
                    UnenrollState::Confirming => rsx! { p { class: "notice", role: "alert",
                        {tr(lang, "再点一次确认注销", "Tap again to confirm")} } },
                    _ => rsx! {},
                }
                button { class: "wide danger", r#type: "button",
                    onclick: move |_| {
                        unenroll.write().reduce(pending);
                        if *unenroll.peek() == UnenrollState::Done {
                            let svc = services.clone();
                            spawn(async move {
                                if let Err(e) = svc.unenroll().await {
                                    tracing::warn!("un-enroll failed: {e}");
                                }
                                nav.replace(Route::Enroll {});
                            });
                        }
                    },
                    {tr(lang, "注销", "Un-enroll")}
                }
            }
        }
    }
}
