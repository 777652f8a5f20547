//! The temperature pad: shown when the compound requires a resident's temperature before the
//! verdict. Big keys for gloves; nothing is recorded until a plausible value is entered.

use dioxus::prelude::*;

use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows;
use crate::state::pad::PadAction;
use crate::text::tr;

const KEYS: [char; 12] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '.', '0', '<'];

#[component]
pub fn TemperaturePad() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let mut pad = ctx.pad;
    let Some(waiting) = ctx.gate.read().awaiting_temperature().cloned() else {
        return rsx! {};
    };
    let text = pad.read().text.clone();
    let value = pad.read().value();
    let (svc_ok, svc_cancel) = (services.clone(), services);
    rsx! {
        div { class: "pad-overlay", id: "temperature-pad", role: "dialog",
            aria_label: tr(lang, "测体温", "Temperature"),
            h1 { {tr(lang, "请测体温并输入", "Take the temperature and enter it")} }
            p { class: "pad-who", "{waiting.who} · {waiting.detail(lang)}" }
            p { class: "pad-value", id: "pad-value", aria_live: "polite",
                if text.is_empty() { "—" } else { "{text} °C" }
            }
            div { class: "pad-keys",
                for key in KEYS {
                    button { class: "pad-key", r#type: "button",
                        aria_label: if key == '<' { tr(lang, "删除", "Delete") } else { "" },
                        onclick: move |_| {
                            let action = if key == '<' { PadAction::Back } else { PadAction::Key(key) };
                            pad.write().reduce(action);
                        },
                        if key == '<' { "⌫" } else { "{key}" }
                    }
                }
            }
            div { class: "row pad-actions",
                button { class: "wide secondary", r#type: "button", id: "pad-cancel",
                    onclick: move |_| {
                        pad.write().reduce(PadAction::Clear);
                        flows::temperature(ctx, &svc_cancel, None);
                    },
                    {tr(lang, "取消", "Cancel")}
                }
                button { class: "wide primary", r#type: "button", id: "pad-ok", disabled: value.is_none(),
                    onclick: move |_| {
                        if let Some(c) = value {
                            pad.write().reduce(PadAction::Clear);
                            flows::temperature(ctx, &svc_ok, Some(c));
                        }
                    },
                    {tr(lang, "确定", "OK")}
                }
            }
        }
    }
}
