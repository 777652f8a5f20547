//! Resident mode: show my pass (large QR, offline, brightness hint) and add a pass from a card or link.

use chrono::Utc;
use dioxus::prelude::*;

use crate::components::camera::{CameraView, CodeRead};
use crate::components::qr::QrImage;
use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows;
use crate::route::Route;
use crate::services::save_wallet;
use crate::state::wallet::{extract_payload, WalletAction};
use crate::text::tr;
use sync_core::household::HouseholdLink;

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
    // Passes from a household letter: when they were last refreshed, and a refresh.
    let source = w.household.clone().map(|s| {
        let at = s
            .refreshed_at
            .with_timezone(&offset)
            .format("%m-%d %H:%M")
            .to_string();
        (s.link, at)
    });
    let error = w.error.clone().map(|(zh, en)| match lang {
        sync_core::i18n::Lang::ZhCn => zh,
        sync_core::i18n::Lang::En => en,
    });
    let svc = services.clone();
    let refresh = use_callback(move |link: String| {
        flows::household::fetch_link(ctx, &svc, link, || {});
    });
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
                if current.revoked {
                    p { class: "error pass-revoked", role: "alert", id: "pass-revoked",
                        {tr(lang, "此通行证已被注销，不能使用", "This pass was revoked and cannot be used")}
                    }
                } else {
                    QrImage { payload: current.payload.clone(), label: format!("{} {}", tr(lang, "通行证二维码", "Pass QR code"), title) }
                }
                p { class: "pass-name", "{title}" }
                p { class: "pass-sub", "{current.household}" }
                p { class: if expired { "pass-valid expired" } else { "pass-valid" },
                    {tr(lang, "有效期至 ", "Valid until ")} "{until}"
                }
            }
            p { class: "hint", role: "note", {tr(lang, "☀ 出示时请把屏幕亮度调到最高。无需联网。", "☀ Turn screen brightness up when showing. Works offline.")} }
            if let Some((link, at)) = source {
                p { class: "hint", id: "household-refreshed", {tr(lang, "住户信通行证，上次更新 ", "From the household letter, last refreshed ")} "{at}" }
                if let Some(msg) = error {
                    p { class: "error", role: "alert", "{msg}" }
                }
                button { class: "wide secondary", r#type: "button", id: "household-refresh",
                    disabled: w.fetching,
                    onclick: move |_| refresh.call(link.clone()),
                    {tr(lang, "联网更新", "Refresh (online)")}
                }
            }
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
    let svc_link = services.clone();
    let add = use_callback(move |text: String| {
        // A household letter's link: the household's passes, fetched and verified.
        if HouseholdLink::parse(&text).is_ok() {
            if !wallet.peek().fetching {
                not_a_pass.set(false);
                let to_my_pass = move || {
                    nav.push(Route::MyPass {});
                };
                flows::household::fetch_link(ctx, &svc_link, text, to_my_pass);
            }
            return;
        }
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
    let fetching = wallet.read().fetching;
    let error = wallet.read().error.clone().map(|(zh, en)| match lang {
        sync_core::i18n::Lang::ZhCn => zh,
        sync_core::i18n::Lang::En => en,
    });
    rsx! {
        section { class: "add-pass",
            h1 { {tr(lang, "添加通行证", "Add a pass")} }
            p { class: "hint", {tr(lang, "扫描纸质卡片或住户信上的二维码，或粘贴链接。", "Scan the QR on the printed card or the household letter, or paste the link.")} }
            if fetching {
                p { class: "ok", role: "status", id: "household-fetching", {tr(lang, "正在取得本户通行证…", "Fetching the household's passes…")} }
            }
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
