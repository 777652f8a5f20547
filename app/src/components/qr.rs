//! A pass payload drawn as a QR code (SVG from sync-core's renderer), large and high-contrast.

use dioxus::prelude::*;

use crate::ctx::use_lang;
use crate::text::tr;

#[component]
pub fn QrImage(payload: String, label: String) -> Element {
    let lang = use_lang();
    match sync_core::render::qr_svg(&payload) {
        Ok(svg) => rsx! {
            div { class: "qr", role: "img", aria_label: "{label}", dangerous_inner_html: "{svg}" }
        },
        Err(e) => rsx! {
            p { class: "error", role: "alert",
                {tr(lang, "无法生成二维码：", "Cannot draw the QR code: ")}
                "{e}"
            }
        },
    }
}
