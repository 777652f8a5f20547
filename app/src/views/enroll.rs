//! Enrollment: scan the dashboard's enrollment QR or type server and code; then gate, direction, staff.

use dioxus::prelude::*;
use sync_core::Direction;

use crate::components::camera::{CameraView, CodeRead};
use crate::components::field::Field;
use crate::ctx::{use_ctx, use_lang, use_services, Ctx};
use crate::route::Route;
use crate::services::{save_prefs, Services};
use crate::state::enroll::{EnrollAction, EnrollStep, EnrollTarget, Enrolled, Refusal};
use crate::state::gate::GateAction;
use crate::state::settings::SettingsAction;
use crate::state::visitor::VisitorAction;
use crate::text::tr;

fn call_server(ctx: Ctx, services: Services, target: EnrollTarget) {
    let mut enroll = ctx.enroll;
    spawn(async move {
        match services.enroll(target).await {
            Ok(resp) => {
                ctx.gate.clone().write().reduce(GateAction::Enrolled {
                    checkpoint_id: resp.checkpoint.checkpoint_id.clone(),
                });
                ctx.visitor
                    .clone()
                    .write()
                    .reduce(VisitorAction::FeverThreshold(
                        resp.checkpoint.fever_threshold_c,
                    ));
                enroll.write().reduce(EnrollAction::Succeeded(Enrolled {
                    checkpoint_name: resp.checkpoint.checkpoint_name,
                    gates: resp.checkpoint.gates,
                }));
            }
            Err(e) => {
                enroll.write().reduce(EnrollAction::Failed(Refusal::new(e)));
            }
        }
    });
}

#[component]
pub fn Enroll() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let nav = use_navigator();
    let mut enroll = ctx.enroll;
    let s = enroll.read().clone();
    let error = s.error.as_ref().map(|e| e.text(lang));
    let svc = services.clone();
    let on_code = move |read: CodeRead| {
        if let Some(target) = enroll.write().reduce(EnrollAction::ScannedLink(read.text)) {
            call_server(ctx, svc.clone(), target);
        }
    };
    let svc = services.clone();
    let submit = move |e: FormEvent| {
        e.prevent_default();
        if let Some(target) = enroll.write().reduce(EnrollAction::Submit) {
            call_server(ctx, svc.clone(), target);
        }
    };
    let recovered = services.ledger().ok().and_then(|l| l.recovered());
    let finish = move |e: FormEvent| {
        e.prevent_default();
        enroll.write().reduce(EnrollAction::Finish);
        let done = enroll.peek().clone();
        if done.step == EnrollStep::Done {
            let mut prefs = ctx.prefs;
            prefs
                .write()
                .reduce(SettingsAction::Gate(done.gate.clone()));
            prefs
                .write()
                .reduce(SettingsAction::Direction(done.direction));
            prefs
                .write()
                .reduce(SettingsAction::Staff(done.staff.trim().to_owned()));
            let mut scan = ctx.scan;
            scan.write()
                .reduce(crate::state::scan::ScanAction::SetDirection(done.direction));
            if let Ok(mut l) = services.ledger() {
                if let Err(e) = save_prefs(&mut l, &prefs.peek()) {
                    tracing::warn!("settings not saved: {e}");
                }
            }
            nav.replace(Route::Scan {});
        }
    };
    rsx! {
        section { class: "enroll",
            h1 { {tr(lang, "本机登记", "Enroll this device")} }
            if let Some(r) = recovered {
                div { class: "error", role: "alert", id: "ledger-recovered",
                    p { strong { {tr(lang, "本机记录文件无法读取", "This phone's ledger file could not be read")} } }
                    p { {if lang == sync_core::i18n::Lang::ZhCn { r.error_zh.clone() } else { r.error_en.clone() }} }
                    p { {tr(lang, "原文件已完整保留，请交给管理员上传：", "The file was kept, untouched, for an administrator to upload: ")} code { "{r.kept_at.display()}" } }
                    p { {tr(lang, "本机已换用新的记录文件和新的设备编号，请重新登记。", "This phone now uses a new ledger with a new device id: enroll it again.")} }
                }
            }
            match s.step {
                EnrollStep::Server | EnrollStep::Contacting => rsx! {
                    p { class: "hint", {tr(lang, "扫描区级后台的登记二维码，或手工输入服务器地址和登记码。", "Scan the enrollment QR from the district dashboard, or type the server address and code.")} }
                    if s.scanning {
                        CameraView { on_code, paused: false }
                    } else {
                        button { class: "wide secondary", r#type: "button", id: "enroll-scan", onclick: move |_| { enroll.write().reduce(EnrollAction::Camera(true)); },
                            {tr(lang, "扫描登记二维码", "Scan enrollment QR")}
                        }
                    }
                    form { class: "form", id: "enroll-form", novalidate: true, onsubmit: submit,
                        Field { id: "enroll-server", label: tr(lang, "服务器地址", "Server address").to_string(),
                            value: s.server_url.clone(), error: None, keys: crate::state::keypad::Keys::Url,
                            oninput: move |t| { enroll.write().reduce(EnrollAction::ServerUrl(t)); } }
                        Field { id: "enroll-code", label: tr(lang, "登记码", "Enrollment code").to_string(),
                            value: s.code.clone(), error: None,
                            oninput: move |t| { enroll.write().reduce(EnrollAction::Code(t)); } }
                        if let Some(msg) = error.clone() {
                            p { class: "error", role: "alert", id: "enroll-error", "{msg}" }
                        }
                        button { class: "wide primary", r#type: "submit", id: "enroll-submit",
                            disabled: s.step == EnrollStep::Contacting,
                            if s.step == EnrollStep::Contacting { {tr(lang, "正在连接…", "Contacting…")} } else { {tr(lang, "登记", "Enroll")} }
                        }
                    }
                },
                EnrollStep::Place | EnrollStep::Done => rsx! {
                    p { class: "ok", {tr(lang, "已登记到卡口：", "Enrolled at checkpoint: ")} strong { "{s.checkpoint_name}" } }
                    form { class: "form", id: "place-form", novalidate: true, onsubmit: finish,
                        label { r#for: "enroll-gate", {tr(lang, "卡口通道", "Gate")} }
                        select { id: "enroll-gate", value: "{s.gate}",
                            onchange: move |e| { enroll.write().reduce(EnrollAction::Gate(e.value())); },
                            for g in s.gates.clone() { option { value: "{g}", "{g}" } }
                        }
                        div { class: "segmented", role: "group", aria_label: tr(lang, "默认方向", "Default direction"),
                            button { r#type: "button", class: if s.direction == Direction::In { "dir on" } else { "dir" },
                                onclick: move |_| { enroll.write().reduce(EnrollAction::Direction(Direction::In)); }, {tr(lang, "进", "In")} }
                            button { r#type: "button", class: if s.direction == Direction::Out { "dir on" } else { "dir" },
                                onclick: move |_| { enroll.write().reduce(EnrollAction::Direction(Direction::Out)); }, {tr(lang, "出", "Out")} }
                        }
                        Field { id: "enroll-staff", label: tr(lang, "值守人员姓名", "Staff name").to_string(),
                            value: s.staff.clone(), error: None,
                            oninput: move |t| { enroll.write().reduce(EnrollAction::Staff(t)); } }
                        if let Some(msg) = error {
                            p { class: "error", role: "alert", "{msg}" }
                        }
                        button { class: "wide primary", r#type: "submit", id: "enroll-finish", {tr(lang, "开始值守", "Start the shift")} }
                    }
                },
            }
        }
    }
}
