//! Resident mode: show my pass (large QR, offline, brightness hint) and add a pass from a card or link.

use chrono::Utc;
use dioxus::prelude::*;

use crate::components::camera::{CameraView, CodeRead};
use crate::components::qr::QrImage;
use crate::ctx::{use_ctx, use_lang, use_services};
use crate::route::Route;
use crate::services::save_wallet;
use crate::state::wallet::{extract_payload, WalletAction};
use crate::text::tr;

#[component]
pub fn MyPass() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let mut wallet = ctx.wallet;
    let w = wallet.read().clone();
    let offset = crate::flows::district_offset(&services);
    let Some(current) = w.current().cloned() else {
        return rsx! {
            section { class: "my-pass",
                h1 { {tr(lang, "我的通行证", "My pass")} }
                p { class: "empty", {tr(lang, "还没有通行证。", "No pass on this phone yet.")} }
                Link { class: "wide primary button", to: Route::AddPass {}, {tr(lang, "添加通行证", "Add a pass")} }
            }
        };
    };
    let until = current
        .valid_until
        .map(|t| t.with_timezone(&offset).format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".into());
    let expired = current.valid_until.is_some_and(|t| t < Utc::now());
    let title = current
        .plate
        .clone()
        .filter(|_| current.vehicle)
        .unwrap_or(current.display_name.clone());
    rsx! {
        section { class: "my-pass",
            if w.passes.len() > 1 {
                div { class: "chips", role: "tablist",
                    for (i, p) in w.passes.iter().enumerate() {
                        button { r#type: "button", role: "tab", key: "{p.pass_id}",
                            class: if i == w.selected { "chip on" } else { "chip" },
                            aria_selected: if i == w.selected { "true" } else { "false" },
                            onclick: move |_| wallet.write().reduce(WalletAction::Select(i)),
                            {p.plate.clone().filter(|_| p.vehicle).unwrap_or(p.display_name.clone())}
                        }
                    }
                }
            }
            div { class: "pass-card",
                QrImage { payload: current.payload.clone(), label: format!("{} {}", tr(lang, "通行证二维码", "Pass QR code"), title) }
                p { class: "pass-name", "{title}" }
                p { class: "pass-sub", "{current.household}" }
                p { class: if expired { "pass-valid expired" } else { "pass-valid" },
                    {tr(lang, "有效期至 ", "Valid until ")} "{until}"
                }
            }
            p { class: "hint", role: "note", {tr(lang, "☀ 出示时请把屏幕亮度调到最高。无需联网。", "☀ Turn screen brightness up when showing. Works offline.")} }
        }
    }
}

#[component]
pub fn AddPass() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let nav = use_navigator();
    let mut wallet = ctx.wallet;
    let mut link = use_signal(String::new);
    let mut not_a_pass = use_signal(|| false);
    let svc = services.clone();
    let add = use_callback(move |text: String| {
        let Some(payload) = extract_payload(&text) else {
            not_a_pass.set(true);
            return;
        };
        not_a_pass.set(false);
        let checked = svc.checker().check(&payload, Utc::now());
        wallet.write().reduce(WalletAction::Add(payload, checked));
        if wallet.peek().error.is_none() {
            if let Ok(mut l) = svc.ledger() {
                if let Err(e) = save_wallet(&mut l, &wallet.peek()) {
                    tracing::warn!("pass not saved: {e}");
                }
            }
            nav.push(Route::MyPass {});
        }
    });
    let error = wallet.read().error.clone().map(|(zh, en)| match lang {
        sync_core::i18n::Lang::ZhCn => zh,
        sync_core::i18n::Lang::En => en,
    });
    rsx! {
        section { class: "add-pass",
            h1 { {tr(lang, "添加通行证", "Add a pass")} }
            p { class: "hint", {tr(lang, "扫描纸质卡片上的二维码，或粘贴通行证链接。", "Scan the QR on the printed card, or paste the pass link.")} }
            CameraView { on_code: move |r: CodeRead| add.call(r.text), paused: false }
            form { class: "form", novalidate: true,
                onsubmit: move |e| { e.prevent_default(); add.call(link.peek().clone()); },
                label { r#for: "pass-link", {tr(lang, "通行证链接", "Pass link")} }
                input { id: "pass-link", r#type: "text", value: "{link}", oninput: move |e| link.set(e.value()) }
                if *not_a_pass.read() {
                    p { class: "error", role: "alert", {tr(lang, "这不是通行证链接", "This is not a pass link")} }
                }
                if let Some(msg) = error {
                    p { class: "error", role: "alert", "{msg}" }
                }
                button { class: "wide primary", r#type: "submit", {tr(lang, "添加", "Add")} }
            }
        }
    }
}
