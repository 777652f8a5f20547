//! Visitor registration: scan a self-registration day pass, or fill the form (inline errors).

use dioxus::prelude::*;

use crate::components::camera::{CameraView, CodeRead};
use crate::components::field::Field as FieldInput;
use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows;
use crate::state::visitor::{Field, VisitorAction};
use crate::text::{mask_name, tr};

#[component]
pub fn Visitor() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let mut form = ctx.visitor;
    let mut show_camera = use_signal(|| false);
    let paused = ctx.verdict.read().current.is_some();
    let f = form.read().clone();
    let inside: Vec<String> = services
        .ledger()
        .ok()
        .and_then(|l| l.visitors_inside().ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.body.subject.name().map(mask_name))
        .collect();
    let svc = services.clone();
    let on_code = move |read: CodeRead| flows::gate_code(ctx, &svc, &read.text, Some(read.frame_t));
    let svc_submit = services.clone();
    let submit = move |e: FormEvent| {
        e.prevent_default();
        let entry = form
            .write()
            .submit(|h| flows::household_known(&svc_submit, h));
        if let Some(entry) = entry {
            flows::register(
                ctx,
                &svc_submit,
                entry.subject,
                entry.temperature_c,
                entry.fever,
            );
            form.write().reduce(VisitorAction::Clear);
        }
    };
    let svc_input = services.clone();
    let on_input = use_callback(move |(field, text): (Field, String)| {
        form.write().reduce(VisitorAction::Input(field, text));
        if field == Field::Phone {
            let found = form
                .peek()
                .valid_phone()
                .and_then(|phone| flows::returning_visitor(&svc_input, &phone));
            form.write().reduce(VisitorAction::Returning(found));
        }
    });
    let offer = f.returning.as_ref().map(|r| {
        let day = r
            .last_seen
            .with_timezone(&flows::district_offset(&services))
            .format("%m-%d");
        format!("{day} · {} → {} · {}", mask_name(&r.name), r.host, r.reason)
    });
    rsx! {
        section { class: "visitor",
            div { class: "title-row",
                h1 { {tr(lang, "访客登记", "Visitor")} }
                if !*show_camera.read() {
                    button { class: "secondary", r#type: "button", id: "visitor-scan",
                        onclick: move |_| show_camera.set(true),
                        {tr(lang, "扫自助码", "Scan day pass")}
                    }
                }
            }
            if *show_camera.read() {
                CameraView { on_code, paused }
            }
            form { class: "form visitor-form", id: "visitor-form", novalidate: true, onsubmit: submit,
                for field in f.shown() {
                    FieldInput {
                        key: "{field.id()}",
                        id: field.id().to_string(),
                        label: field.label(lang).to_string(),
                        value: f.value(field).to_string(),
                        error: f.error(field, lang),
                        keys: field.keys(),
                        placeholder: field.placeholder(lang).to_string(),
                        wide: !field.required(f.id_required),
                        oninput: move |t| on_input.call((field, t)),
                    }
                }
                if let Some(offer) = offer {
                    button { class: "wide secondary returning", r#type: "button", id: "visitor-returning",
                        onclick: move |_| form.write().reduce(VisitorAction::FillReturning),
                        span { class: "returning-label", {tr(lang, "上次来访，轻触填入", "Visited before: tap to fill in")} }
                        span { class: "returning-who", "{offer}" }
                    }
                }
                if f.has_errors() {
                    p { class: "error", role: "alert", id: "visitor-errors",
                        {tr(lang, "请改正标红的项目", "Please correct the fields marked in red")}
                    }
                }
                div { class: "form-actions",
                    button { class: "secondary", r#type: "button", id: "visitor-more",
                        aria_expanded: f.more_open,
                        onclick: move |_| form.write().reduce(VisitorAction::ToggleMore),
                        if f.more_open { {tr(lang, "收起选填", "Fewer fields")} } else { {tr(lang, "更多（选填）", "More (optional)")} }
                    }
                    button { class: "primary", r#type: "submit", id: "visitor-submit",
                        {tr(lang, "登记并放行", "Register and admit")}
                    }
                }
            }
            h2 { {tr(lang, "在院访客", "Visitors inside")} " ({inside.len()})" }
            ul { class: "list compact",
                for (i, name) in inside.iter().enumerate() {
                    li { key: "{i}", "{name}" }
                }
            }
        }
    }
}
