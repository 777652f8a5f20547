//! The always-visible status line: pending uploads (to the sync screen), who is on duty (to the
//! duty screen), offline banner, clock warning and the language switch. Nothing here is a step of
//! scanning or registering: those sit in the lower part of the screen, in thumb reach.

use dioxus::prelude::*;
use sync_core::i18n::Lang;

use crate::ctx::{use_ctx, use_lang, use_services};
use crate::route::Route;
use crate::services::save_prefs;
use crate::state::settings::SettingsAction;
use crate::text::tr;

#[component]
pub fn StatusBar() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let mut prefs = ctx.prefs;
    let status = ctx.status.read();
    let pending = status.sync.status.pending;
    let offline = status.offline();
    let clock = status.sync.clock_warning();
    // Staff report an incident from any screen; a resident's phone or one not enrolled has none.
    let report = status.sync.enrolled && !ctx.prefs.read().resident_mode;
    let route = use_route::<Route>();
    let on_duty_screen = matches!(route, Route::Duty {});
    // Who is on duty, one tap from the duty screen.
    let on_duty = ctx.duty.read().on_duty.as_ref().map(|o| o.name.clone());
    let other = match lang {
        Lang::ZhCn => "EN",
        Lang::En => "中文",
    };
    rsx! {
        header { class: "status-bar",
            div { class: "status-line",
                span { class: "brand", {tr(lang, "一卡一码", "One card, one code")} }
                if report {
                    // The count opens the sync screen (its tab gave way to 上报 at the bottom).
                    Link { class: if pending > 0 { "pending has" } else { "pending" },
                        id: "pending-count",
                        to: Route::Status {},
                        aria_label: tr(lang, "待上传记录数（同步）", "Records waiting for upload (sync)"),
                        "⇡ {pending}"
                    }
                } else {
                    span { class: if pending > 0 { "pending has" } else { "pending" },
                        id: "pending-count",
                        aria_label: tr(lang, "待上传记录数", "Records waiting for upload"),
                        "⇡ {pending}"
                    }
                }
                if report {
                    Link { class: if on_duty_screen { "duty-chip on" } else { "duty-chip" },
                        id: "duty-open",
                        to: Route::Duty {},
                        aria_label: tr(lang, "值班", "Duty"),
                        super::icon::Icon { name: "visitor" }
                        if let Some(name) = on_duty { span { class: "duty-name", "{name}" } } else { span { class: "duty-name", {tr(lang, "上岗", "Sign on")} } }
                    }
                }
                button { class: "lang", r#type: "button",
                    aria_label: tr(lang, "切换语言", "Switch language"),
                    onclick: move |_| {
                        prefs.write().reduce(SettingsAction::ToggleLang);
                        if let Ok(mut l) = services.ledger() {
                            if let Err(e) = save_prefs(&mut l, &prefs.peek()) {
                                tracing::warn!("language not saved: {e}");
                            }
                        }
                    },
                    "{other}"
                }
            }
            if offline {
                div { class: "banner offline", role: "status", id: "offline-banner",
                    {tr(lang, "离线：记录已安全保存在本机，联网后自动上传", "Offline: records are safe on this phone and upload when back online")}
                }
            }
            if clock {
                div { class: "banner clock", role: "status",
                    {tr(lang, "本机时间与服务器相差超过5分钟，请校准时间", "Device clock is more than 5 minutes off the server; set the time")}
                }
            }
        }
    }
}
