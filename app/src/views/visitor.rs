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
    let submit = move |e: FormEvent| {
        e.prevent_default();
        let entry = form
            .write()
            .submit(|h| flows::household_known(&services, h));
        if let Some(entry) = entry {
            flows::register(
                ctx,
                &services,
                entry.subject,
                entry.temperature_c,
                entry.fever,
            );
            form.write().reduce(VisitorAction::Clear);
        }
    };
    rsx! {
        section { class: "visitor",
            h1 { {tr(lang, "访客登记", "Visitor")} }
            if *show_camera.read() {
                CameraView { on_code, paused }
            } else {
                button { class: "wide secondary", r#type: "button", onclick: move |_| show_camera.set(true),
                    {tr(lang, "扫访客自助登记码", "Scan a visitor day pass")}
                }
            }
            form { class: "form", id: "visitor-form", novalidate: true, onsubmit: submit,
                for field in Field::ALL {
                    FieldInput {
                        key: "{field.id()}",
                        id: field.id().to_string(),
                        label: field.label(lang).to_string(),
                        value: f.value(field).to_string(),
                        error: f.error(field, lang),
                        kind: if field == Field::Phone { "tel".to_string() } else { "text".to_string() },
                        inputmode: match field {
                            Field::Phone => Some("tel".to_string()),
                            Field::Temperature => Some("decimal".to_string()),
                            _ => None,
                        },
                        oninput: move |t| form.write().reduce(VisitorAction::Input(field, t)),
                    }
                }
                if f.has_errors() {
                    p { class: "error", role: "alert", id: "visitor-errors",
                        {tr(lang, "请改正标红的项目", "Please correct the fields marked in red")}
                    }
                }
                button { class: "wide primary", r#type: "submit", id: "visitor-submit",
                    {tr(lang, "登记并放行", "Register and admit")}
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
