//! Named screen states for static renders (screenshots, render tests): each scene seeds a ledger and
//! the shared state the way a user would see that screen. Rendered with dioxus-ssr, no display needed.
//! This file names the scenes and routes them; `data.rs`, `staff.rs` and `resident.rs` seed them.

mod data;
mod resident;
mod staff;

use std::rc::Rc;
use std::time::Instant;

use chrono::{Duration, Utc};
use dioxus::prelude::*;
use sync_core::i18n::Lang;
use sync_core::sync::SyncStatus;

use data::verdict;
pub use data::{seed_ledger, signed_pass};
use resident::{seed_checkin, seed_household, seed_invite};
use staff::{seed_duty, seed_handbook, seed_incident, seed_notices, seed_patrol};

use crate::app::{Root, RootProps, Seed};
use crate::ctx::Ctx;
use crate::ports::SyncSnapshot;
use crate::services::Services;
use crate::state::duty::DutyAction;
use crate::state::settings::SettingsAction;
use crate::state::status::StatusAction;
use crate::state::vehicle::VehicleAction;
use crate::state::verdict::VerdictAction;
use crate::state::visitor::{Field, VisitorAction};

/// Every scene name, in screenshot order.
pub const SCENES: [&str; 29] = [
    "enroll",
    "scan",
    "verdict-green",
    "verdict-red",
    "verdict-amber",
    "verdict-other-compound",
    "verdict-typed",
    "verdict-visitor",
    "verdict-fever",
    "verdict-invited",
    "verdict-not-checked-in",
    "vehicle",
    "visitor",
    "records",
    "patrol",
    "incident",
    "status",
    "settings",
    "handbook",
    "handbook-list",
    "notices",
    "notice-urgent",
    "duty",
    "my-pass",
    "my-pass-revoked",
    "checkin",
    "invite",
    "add-pass",
    "locked",
];

fn path_of(scene: &str) -> &'static str {
    match scene {
        "enroll" => "/enroll",
        "vehicle" => "/vehicle",
        "visitor" => "/visitor",
        "records" => "/records",
        "patrol" => "/patrol",
        "incident" => "/incident",
        "status" => "/status",
        "settings" => "/settings",
        "handbook" | "handbook-list" => "/handbook",
        "notices" => "/notices",
        "duty" => "/duty",
        "my-pass" | "my-pass-revoked" => "/my-pass",
        "checkin" => "/my-pass/checkin",
        "invite" => "/my-pass/invite",
        "add-pass" => "/my-pass/add",
        _ => "/scan",
    }
}

/// The shared-state changes for a scene.
fn seed_for(scene: &'static str, lang: Lang) -> Seed {
    Seed(Rc::new(move |ctx: Ctx| {
        let mut prefs = ctx.prefs;
        prefs.write().reduce(SettingsAction::Lang(lang));
        prefs.write().reduce(SettingsAction::Staff("王师傅".into()));
        prefs.write().reduce(SettingsAction::Gate("east-1".into()));
        // 王师傅 signed on this morning (the duty scene says so on screen).
        let mut duty = ctx.duty;
        duty.write().reduce(DutyAction::Restored {
            on_duty: Some(sync_core::duty::OnDuty {
                staff_id: "S000001".into(),
                name: "王师傅".into(),
                since: Utc::now() - Duration::hours(2),
            }),
            guard: sync_core::duty::PinGuard::default(),
        });
        let mut status = ctx.status;
        let base = status.peek().sync.clone();
        status.write().reduce(StatusAction::Sync(SyncSnapshot {
            enrolled: scene != "enroll",
            status: SyncStatus {
                online: !matches!(scene, "scan" | "verdict-green" | "status"),
                last_success_at: Some(Utc::now() - Duration::minutes(4)),
                clock_offset_ms: Some(-800),
                last_error_zh: (scene == "status").then(|| "无法连接区级服务器（离线）".into()),
                last_error_en: (scene == "status")
                    .then(|| "the district server cannot be reached (connection refused)".into()),
                disabled_at: (scene == "locked").then(Utc::now),
                ..base.status.clone()
            },
            ..base
        }));
        match scene {
            v if v.starts_with("verdict-") => {
                if let Some(view) = verdict(v) {
                    ctx.verdict
                        .clone()
                        .write()
                        .reduce(VerdictAction::Show(view, Instant::now()));
                }
            }
            "vehicle" => {
                let mut v = ctx.vehicle;
                v.write()
                    .reduce(VehicleAction::PlateInput("京A12345".into()));
                v.write().reduce(VehicleAction::AddOccupant);
                v.write().reduce(VehicleAction::AddOccupant);
            }
            "visitor" => {
                let mut f = ctx.visitor;
                for (field, value) in [
                    (Field::Name, "刘洋"),
                    (Field::Phone, "1381234"),
                    (Field::Host, "3-2-401"),
                    (Field::Reason, "探亲"),
                    (Field::Temperature, "36.5"),
                ] {
                    f.write().reduce(VisitorAction::Input(field, value.into()));
                }
                let _ = f.write().submit(|_| true);
            }
            "my-pass" => seed_household(ctx),
            "my-pass-revoked" => {
                seed_household(ctx);
                let mut w = ctx.wallet;
                let mut held = w.peek().clone();
                if let Some(p) = held.passes.first_mut() {
                    p.revoked = true;
                }
                *w.write() = held;
            }
            "checkin" => {
                seed_household(ctx);
                seed_checkin(ctx);
            }
            "invite" => {
                seed_household(ctx);
                seed_invite(ctx);
            }
            "add-pass" => prefs.write().reduce(SettingsAction::ResidentMode(true)),
            "patrol" => seed_patrol(ctx),
            "incident" => seed_incident(ctx),
            "handbook" => seed_handbook(ctx, true),
            "handbook-list" => seed_handbook(ctx, false),
            "notices" => seed_notices(ctx, false),
            "notice-urgent" => seed_notices(ctx, true),
            "duty" => seed_duty(ctx),
            _ => {}
        }
    }))
}

/// Render one scene to a standalone HTML page.
pub fn render_scene(services: &Services, scene: &'static str, lang: Lang) -> String {
    let props = RootProps {
        services: services.clone(),
        start_path: Some(path_of(scene).to_string()),
        seed: Some(seed_for(scene, lang)),
    };
    let mut dom = VirtualDom::new_with_props(Root, props);
    dom.rebuild_in_place();
    let body = dioxus_ssr::render(&dom);
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{scene}</title></head><body style=\"margin:0\">{body}</body></html>",
        lang.code()
    )
}
