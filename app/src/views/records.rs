//! Today's passages, newest first, with kind/direction filters, search and upload state; PII masked.

use chrono::Utc;
use dioxus::prelude::*;
use sync_core::ledger::UploadState;
use sync_core::{Direction, SubjectKind};

use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows::district_offset;
use crate::state::records::{day_start, row, RecordsAction};
use crate::text::tr;

#[component]
pub fn Records() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let mut records = ctx.records;
    // Re-read when a verdict or sync changes something.
    let _ = ctx.status.read();
    let state = records.read().clone();
    let offset = district_offset(&services);
    let rows = match services.ledger() {
        Ok(l) => l
            .records(&state.filter(day_start(Utc::now(), offset)))
            .map(|ps| {
                ps.iter()
                    .map(|p| {
                        row(
                            p,
                            l.upload_state(p.body.id).unwrap_or(UploadState::Pending),
                            offset,
                            lang,
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .map_err(|e| sync_core::i18n::Localized::message(&e, lang)),
        Err(e) => Err(sync_core::i18n::Localized::message(&e, lang)),
    };
    let kinds = [
        (None, tr(lang, "全部", "All")),
        (Some(SubjectKind::Resident), tr(lang, "居民", "Residents")),
        (Some(SubjectKind::Vehicle), tr(lang, "车辆", "Vehicles")),
        (Some(SubjectKind::Visitor), tr(lang, "访客", "Visitors")),
    ];
    let dirs = [
        (None, tr(lang, "进出", "In & out")),
        (Some(Direction::In), tr(lang, "进", "In")),
        (Some(Direction::Out), tr(lang, "出", "Out")),
    ];
    rsx! {
        section { class: "records",
            h1 { {tr(lang, "今日记录", "Today's records")} }
            input { class: "search", r#type: "search", id: "records-search",
                aria_label: tr(lang, "搜索车牌、姓名或身份证后4位", "Search plate, name or last 4 of ID"),
                placeholder: tr(lang, "车牌 / 姓名 / 身份证后4位", "Plate / name / last 4 of ID"),
                value: "{state.search}",
                oninput: move |e| records.write().reduce(RecordsAction::Search(e.value())),
            }
            div { class: "chips", role: "group", aria_label: tr(lang, "类别", "Kind"),
                for (k, label) in kinds {
                    button { r#type: "button",
                        class: if state.kind == k { "chip on" } else { "chip" },
                        aria_pressed: if state.kind == k { "true" } else { "false" },
                        onclick: move |_| records.write().reduce(RecordsAction::Kind(k)),
                        "{label}"
                    }
                }
            }
            div { class: "chips", role: "group", aria_label: tr(lang, "方向", "Direction"),
                for (d, label) in dirs {
                    button { r#type: "button",
                        class: if state.direction == d { "chip on" } else { "chip" },
                        aria_pressed: if state.direction == d { "true" } else { "false" },
                        onclick: move |_| records.write().reduce(RecordsAction::Direction(d)),
                        "{label}"
                    }
                }
            }
            match rows {
                Err(msg) => rsx! { p { class: "error", role: "alert", "{msg}" } },
                Ok(rows) if rows.is_empty() => rsx! { p { class: "empty", {tr(lang, "今天还没有记录", "No records today")} } },
                Ok(rows) => rsx! {
                    ul { class: "list", id: "records-list",
                        for r in rows {
                            li { key: "{r.seq}", class: if r.admitted { "rec" } else { "rec denied" },
                                div { class: "rec-main",
                                    span { class: "rec-time", "{r.time}" }
                                    span { class: "rec-dir", {match r.direction { Direction::In => tr(lang, "进", "In"), Direction::Out => tr(lang, "出", "Out") }} }
                                    span { class: "rec-title", "{r.title}" }
                                }
                                div { class: "rec-sub",
                                    span { "{r.detail}" }
                                    span { class: "upload",
                                        match &r.upload {
                                            UploadState::Pending => rsx! { span { class: "up pending", {tr(lang, "待上传", "pending")} } },
                                            UploadState::Uploaded => rsx! { span { class: "up done", {tr(lang, "已上传", "uploaded")} } },
                                            UploadState::Rejected { reason } => rsx! { span { class: "up rejected", {tr(lang, "被拒：", "rejected: ")} "{reason}" } },
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
            }
        }
    }
}
