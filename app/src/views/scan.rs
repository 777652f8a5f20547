//! The home screen of staff mode: live viewfinder, direction toggle, torch, manual entry.

use dioxus::prelude::*;
use sync_core::i18n::Localized;
use sync_core::Direction;

use crate::components::camera::{CameraView, CodeRead};
use crate::components::field::Field as FieldInput;
use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows;
use crate::route::Route;
use crate::state::patrol::PatrolAction;
use crate::state::records::RecordsAction;
use crate::state::scan::{ManualQuery, ScanAction, Torch, MANUAL_KINDS};
use crate::state::vehicle::VehicleAction;
use crate::text::tr;

#[component]
pub fn Scan() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let nav = use_navigator();
    let mut scan = ctx.scan;
    let s = scan.read().clone();
    // Notices the staff on duty has not read: a banner; an urgent one covers this screen.
    let (unread, urgent) = {
        let staff = crate::flows::duty::staff_of(&ctx.duty.read(), &ctx.prefs.read());
        let n = ctx.notices.read();
        let unread = n.unread(chrono::Utc::now(), &staff);
        (unread.len(), unread.iter().any(|x| x.is_urgent()))
    };
    let nobody_on_duty = ctx.duty.read().on_duty.is_none();
    // A patrol point's offer or an urgent notice is open: no pass is read behind it.
    let on_screen = ctx.verdict.read().current.is_some() || s.point.is_some() || urgent;
    let svc = services.clone();
    let on_code = move |read: CodeRead| flows::gate_code(ctx, &svc, &read.text, Some(read.frame_t));
    let svc2 = services.clone();
    let mut submit = move || {
        let query = scan.write().reduce(ScanAction::SubmitManual);
        match query {
            Some(ManualQuery::Plate(plate)) => {
                let mut v = ctx.vehicle;
                v.write().reduce(VehicleAction::Reset);
                v.write().reduce(VehicleAction::PlateInput(plate));
                nav.push(Route::Vehicle {});
            }
            Some(ManualQuery::IdTail(tail)) => {
                let matches = flows::id_tail_matches(&svc2, &tail);
                scan.write().reduce(ScanAction::ShowMatches(matches));
            }
            Some(ManualQuery::PassId(id)) => flows::typed_pass(ctx, &svc2, id),
            None => {}
        }
    };
    let svc3 = services.clone();
    let pick = use_callback(move |picked: Option<String>| {
        if let Some(ManualQuery::PassId(id)) = scan.write().reduce(ScanAction::PickMatch(picked)) {
            flows::typed_pass(ctx, &svc3, id);
        }
    });
    let svc4 = services.clone();
    let patrol_point = use_callback(move |point: sync_core::patrol::PatrolPoint| {
        scan.write().reduce(ScanAction::PointClosed);
        // Routes pulled since the app started are known before the point is placed.
        flows::patrol::refresh(ctx, &svc4);
        flows::patrol::act(ctx, &svc4, PatrolAction::Scanned(Ok(point)));
        nav.push(Route::Patrol {});
    });
    let (in_cls, out_cls) = match s.direction {
        Direction::In => ("dir on", "dir"),
        Direction::Out => ("dir", "dir on"),
    };
    let stale = ctx.status.read().sync.revocations_warn_hours;
    rsx! {
        section { class: "scan", aria_label: tr(lang, "扫码登记", "Scan"),
            if let Some(hours) = stale {
                p { class: "banner warn", role: "status", id: "revocations-age",
                    {
                        let (zh, en) = crate::state::gate::stale_age(hours);
                        if lang == sync_core::i18n::Lang::ZhCn {
                            format!("注销名单{zh}，请联网同步")
                        } else {
                            format!("Revocation list {en}: connect and sync")
                        }
                    }
                }
            }
            if nobody_on_duty {
                Link { class: "banner warn", id: "duty-banner", to: Route::Duty {},
                    {tr(lang, "无人上岗 · 点此签到", "Nobody signed on · tap to sign on")}
                }
            }
            if unread > 0 {
                Link { class: "banner info", id: "notices-banner", to: Route::Notices {},
                    if lang == sync_core::i18n::Lang::ZhCn {
                        "{unread} 条新通知，点此阅读"
                    } else {
                        "{unread} new notice(s): tap to read"
                    }
                }
            }
            CameraView { on_code, paused: on_screen }
            if let Some(read) = s.point.clone() {
                div { class: "matches", id: "point-offer", role: "dialog",
                    match read {
                        Ok(point) => rsx! {
                            h2 { {tr(lang, "巡查点：", "Patrol point: ")} "{point.name}" }
                            button { class: "wide primary big", r#type: "button", id: "point-patrol",
                                onclick: move |_| patrol_point.call(point.clone()),
                                {tr(lang, "开始/继续巡查", "Start or continue the round")}
                            }
                        },
                        Err(e) => rsx! {
                            h2 { {tr(lang, "巡查点标签", "Patrol point label")} }
                            p { class: "error", role: "alert", "{e.message(lang)}" }
                        },
                    }
                    button { class: "wide secondary", r#type: "button", id: "point-close",
                        onclick: move |_| { scan.write().reduce(ScanAction::PointClosed); },
                        {tr(lang, "关闭", "Close")}
                    }
                }
            }
            div { class: "row controls",
                div { class: "segmented", role: "group", aria_label: tr(lang, "通行方向", "Direction"),
                    button { class: in_cls, r#type: "button", id: "dir-in",
                        aria_pressed: if s.direction == Direction::In { "true" } else { "false" },
                        onclick: move |_| { scan.write().reduce(ScanAction::SetDirection(Direction::In)); },
                        {tr(lang, "进", "In")}
                    }
                    button { class: out_cls, r#type: "button", id: "dir-out",
                        aria_pressed: if s.direction == Direction::Out { "true" } else { "false" },
                        onclick: move |_| { scan.write().reduce(ScanAction::SetDirection(Direction::Out)); },
                        {tr(lang, "出", "Out")}
                    }
                }
                button { class: "icon-btn", r#type: "button",
                    disabled: s.torch == Torch::Unavailable,
                    aria_pressed: if s.torch == Torch::On { "true" } else { "false" },
                    aria_label: tr(lang, "手电筒", "Torch"),
                    title: if s.torch == Torch::Unavailable { tr(lang, "此设备不支持手电筒", "No torch on this device") } else { "" },
                    onclick: move |_| { scan.write().reduce(ScanAction::ToggleTorch); },
                    crate::components::icon::Icon { name: "torch" }
                }
            }
            if let Some(m) = s.matches.clone() {
                div { class: "matches", id: "tail-matches", role: "dialog",
                    h2 { {tr(lang, "身份证后4位 ", "ID ending ")} "{m.tail}" }
                    if m.people.is_empty() {
                        p { class: "notice", role: "status",
                            {tr(lang, "本小区名册中无此人；访客请查今日记录", "Nobody in this compound's roster; for visitors, search today's records")}
                        }
                        button { class: "wide secondary", r#type: "button",
                            onclick: move |_| {
                                let tail = m.tail.clone();
                                scan.write().reduce(ScanAction::PickMatch(None));
                                let mut r = ctx.records;
                                r.write().reduce(RecordsAction::ClearFilters);
                                r.write().reduce(RecordsAction::Search(tail));
                                nav.push(Route::Records {});
                            },
                            {tr(lang, "查今日记录", "Search today's records")}
                        }
                    }
                    for p in m.people.iter().cloned() {
                        button { class: "wide match", r#type: "button",
                            onclick: move |_| pick.call(Some(p.pass_id.clone())),
                            span { class: "match-name", "{p.name}" }
                            span { class: "match-household", "{p.household}" }
                        }
                    }
                    button { class: "wide secondary", r#type: "button", id: "matches-close",
                        onclick: move |_| pick.call(None),
                        {tr(lang, "取消", "Cancel")}
                    }
                }
            }
            if s.manual_open {
                form { class: "manual",
                    onsubmit: move |e| { e.prevent_default(); submit(); },
                    div { class: "chips", role: "group", aria_label: tr(lang, "录入内容", "What to type"),
                        for (keys, id, zh, en) in MANUAL_KINDS {
                            button { r#type: "button", id, key: "{id}",
                                class: if s.manual_keys == keys { "chip on" } else { "chip" },
                                aria_pressed: s.manual_keys == keys,
                                onclick: move |_| { scan.write().reduce(ScanAction::ManualKeys(keys)); },
                                {tr(lang, zh, en)}
                            }
                        }
                    }
                    FieldInput {
                        id: "manual-entry",
                        label: MANUAL_KINDS.iter().find(|k| k.0 == s.manual_keys).map_or("", |k| tr(lang, k.2, k.3)).to_string(),
                        value: s.manual_text.clone(),
                        keys: s.manual_keys,
                        error: s.manual_invalid.then(|| tr(lang, "无法识别：请输入通行证号、身份证后4位或车牌号", "Not recognised: enter a pass id, the last 4 of an ID number, or a plate").to_string()),
                        oninput: move |t| { scan.write().reduce(ScanAction::ManualInput(t)); },
                    }
                    button { class: "wide primary", r#type: "submit", id: "manual-go", {tr(lang, "确定", "Go")} }
                }
            } else {
                button { class: "wide secondary", r#type: "button", id: "open-manual",
                    onclick: move |_| { scan.write().reduce(ScanAction::OpenManual); },
                    crate::components::icon::Icon { name: "keyboard" }
                    {tr(lang, "手工录入", "Type instead")}
                }
            }
        }
    }
}
