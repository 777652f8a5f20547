//! Vehicle registration: scan the vehicle pass or type the plate, then scan or count the occupants.

use dioxus::prelude::*;

use crate::components::camera::{CameraView, CodeRead};
use crate::components::field::Field as FieldInput;
use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows;
use crate::route::Route;
use crate::state::vehicle::VehicleAction;
use crate::state::visitor::{Field, VisitorAction};
use crate::text::tr;

#[component]
pub fn Vehicle() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let mut vehicle = ctx.vehicle;
    let v = vehicle.read().clone();
    let paused = ctx.verdict.read().current.is_some();
    let svc = services.clone();
    let on_code = move |read: CodeRead| {
        let checked = svc.checker().check(&read.text, chrono::Utc::now());
        vehicle.write().reduce(VehicleAction::Scanned(checked));
    };
    let nav = use_navigator();
    let submit = move |_| {
        let subject = vehicle.write().submit();
        let Some(subject) = subject else { return };
        // A plate without a scanned pass that the roster does not know is a visitor's car: the
        // driver registers as a visitor (phone and host household required).
        if let sync_core::Subject::Vehicle {
            plate,
            pass_id: None,
            ..
        } = &subject
        {
            if flows::plate_roster(&services, plate).is_empty() {
                let mut form = ctx.visitor;
                form.write()
                    .reduce(VisitorAction::Input(Field::Plate, plate.clone()));
                vehicle.write().reduce(VehicleAction::Reset);
                nav.push(Route::Visitor {});
                return;
            }
        }
        flows::register(ctx, &services, subject, None, false);
        vehicle.write().reduce(VehicleAction::Reset);
    };
    let notice = v.notice.as_ref().map(|(zh, en)| match lang {
        sync_core::i18n::Lang::ZhCn => zh.clone(),
        sync_core::i18n::Lang::En => en.clone(),
    });
    rsx! {
        section { class: "vehicle",
            h1 { {tr(lang, "车辆登记", "Vehicle")} }
            CameraView { on_code, paused }
            p { class: "hint", {tr(lang, "先扫车辆通行证或输入车牌，再逐个扫乘车人", "Scan the vehicle pass or type the plate, then scan each occupant")} }
            if let Some(n) = notice {
                p { class: "notice", role: "status", "{n}" }
            }
            FieldInput {
                id: "vehicle-plate",
                label: tr(lang, "车牌号", "Plate").to_string(),
                value: v.plate_text.clone(),
                error: v.plate_error_text(lang),
                keys: crate::state::keypad::Keys::Plate,
                oninput: move |t| vehicle.write().reduce(VehicleAction::PlateInput(t)),
            }
            if let Some(p) = &v.pass_id {
                p { class: "chip", {tr(lang, "车辆通行证 ", "Vehicle pass ")} "{p}" }
            }
            div { class: "row counter", role: "group", aria_label: tr(lang, "车内人数", "People aboard"),
                span { class: "counter-label", {tr(lang, "车内人数", "Aboard")} }
                button { class: "icon-btn", r#type: "button", aria_label: tr(lang, "减少一人", "One fewer"),
                    onclick: move |_| vehicle.write().reduce(VehicleAction::RemoveOccupant), "−" }
                span { class: "count", id: "occupants", aria_live: "polite", "{v.occupants}" }
                button { class: "icon-btn", r#type: "button", aria_label: tr(lang, "增加一人", "One more"),
                    onclick: move |_| vehicle.write().reduce(VehicleAction::AddOccupant), "+" }
            }
            if !v.occupant_pass_ids.is_empty() {
                p { class: "hint",
                    {tr(lang, "已扫乘车人：", "Occupants scanned: ")}
                    "{v.occupant_pass_ids.len()}"
                }
            }
            button { class: "wide primary", r#type: "button", id: "vehicle-submit", onclick: submit,
                {tr(lang, "登记通行", "Register passage")}
            }
        }
    }
}
