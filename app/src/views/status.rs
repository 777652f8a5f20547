//! Sync and status: pending, oldest pending, last sync, last error, "sync now", clock, today's counts.

use dioxus::prelude::*;

use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows::district_offset;
use crate::state::status::StatusAction;
use crate::text::tr;

#[component]
pub fn Status() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let mut status = ctx.status;
    let s = status.read().clone();
    let offset = district_offset(&services);
    let fmt = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| {
            t.with_timezone(&offset)
                .format("%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| "—".to_string())
    };
    let online = s.server_line().text(lang);
    let clock = match s.sync.status.clock_offset_ms {
        Some(ms) => format!("{:+.1} s", ms as f64 / 1000.0),
        None => "—".into(),
    };
    let t = &s.today;
    rsx! {
        section { class: "status",
            h1 { {tr(lang, "同步与状态", "Sync & status")} }
            dl { class: "facts",
                dt { {tr(lang, "服务器", "Server")} } dd { id: "sync-online", "{online}" }
                dt { {tr(lang, "待上传", "Pending")} } dd { id: "sync-pending", "{s.sync.status.pending}" }
                dt { {tr(lang, "最早待上传", "Oldest pending")} } dd { "{fmt(s.sync.status.oldest_pending_at)}" }
                dt { {tr(lang, "上次同步", "Last sync")} } dd { id: "sync-last", "{fmt(s.sync.status.last_success_at)}" }
                dt { {tr(lang, "被拒记录", "Rejected")} } dd { "{s.sync.status.rejected}" }
                dt { {tr(lang, "时钟偏差", "Clock offset")} } dd { class: if s.sync.clock_warning() { "warn" } else { "" }, "{clock}" }
            }
            if let Some(err) = s.sync.last_error(lang) {
                p { class: "error", role: "alert", id: "sync-error", "{err}" }
            }
            button { class: "wide primary", r#type: "button", id: "sync-now",
                disabled: !s.sync.enrolled || s.sync_requested,
                onclick: move |_| {
                    status.write().reduce(StatusAction::SyncNow);
                    services.sync_now();
                },
                if s.sync_requested { {tr(lang, "正在同步…", "Syncing…")} } else { {tr(lang, "立即同步", "Sync now")} }
            }
            h2 { {tr(lang, "今日通行", "Today")} }
            table { class: "counts",
                thead { tr { th {} th { {tr(lang, "进", "In")} } th { {tr(lang, "出", "Out")} } } }
                tbody {
                    tr { th { {tr(lang, "居民", "Residents")} } td { "{t.resident.r#in}" } td { "{t.resident.out}" } }
                    tr { th { {tr(lang, "车辆", "Vehicles")} } td { "{t.vehicle.r#in}" } td { "{t.vehicle.out}" } }
                    tr { th { {tr(lang, "访客", "Visitors")} } td { "{t.visitor.r#in}" } td { "{t.visitor.out}" } }
                    tr { th { {tr(lang, "合计", "Total")} } td { "{t.total_in()}" } td { "{t.total_out()}" } }
                }
            }
            p { {tr(lang, "在院访客：", "Visitors inside: ")} strong { "{s.visitors_inside}" }
                "  ·  " {tr(lang, "拒绝：", "Denied: ")} strong { "{t.denied}" } }
        }
    }
}
