//! The layout around every screen: status bar on top, the verdict overlay, and the tab bar below.

use dioxus::prelude::*;

use super::status_bar::StatusBar;
use super::verdict::VerdictOverlay;
use crate::ctx::{use_ctx, use_lang};
use crate::route::Route;
use crate::text::tr;

/// How often resident mode refreshes the household's passes, check-ins and invitations.
const RESIDENT_REFRESH: std::time::Duration = std::time::Duration::from_secs(300);

/// One tab of the bar: where it goes, its words, its icon and its element id.
#[derive(Clone)]
struct Tab {
    route: Route,
    zh: &'static str,
    en: &'static str,
    icon: &'static str,
    id: &'static str,
}

const fn tab(
    route: Route,
    zh: &'static str,
    en: &'static str,
    icon: &'static str,
    id: &'static str,
) -> Tab {
    Tab {
        route,
        zh,
        en,
        icon,
        id,
    }
}

/// The tab bar is in thumb reach, so 上报 (report an incident) is here on every staff screen;
/// the sync screen opens from the pending count on top.
const STAFF_TABS: [Tab; 7] = [
    tab(Route::Scan {}, "扫码", "Scan", "scan", "tab-scan"),
    tab(
        Route::Vehicle {},
        "车辆",
        "Vehicle",
        "vehicle",
        "tab-vehicle",
    ),
    tab(
        Route::Visitor {},
        "访客",
        "Visitor",
        "visitor",
        "tab-visitor",
    ),
    tab(
        Route::Records {},
        "记录",
        "Records",
        "records",
        "tab-records",
    ),
    tab(Route::Patrol {}, "巡查", "Patrol", "patrol", "tab-patrol"),
    tab(
        Route::Incident {},
        "上报",
        "Report",
        "alert",
        "incident-open",
    ),
    tab(
        Route::Settings {},
        "设置",
        "Settings",
        "settings",
        "tab-settings",
    ),
];

const RESIDENT_TABS: [Tab; 5] = [
    tab(
        Route::MyPass {},
        "我的通行证",
        "My pass",
        "pass",
        "tab-pass",
    ),
    tab(
        Route::Checkin {},
        "打卡",
        "Check-in",
        "thermometer",
        "tab-checkin",
    ),
    tab(Route::Invite {}, "邀请", "Invite", "visitor", "tab-invite"),
    tab(Route::AddPass {}, "添加", "Add", "add", "tab-add"),
    tab(
        Route::Settings {},
        "设置",
        "Settings",
        "settings",
        "tab-settings",
    ),
];

#[component]
pub fn Shell() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let resident = ctx.prefs.read().resident_mode;
    let route = use_route::<Route>();
    let tabs: &[Tab] = if resident {
        &RESIDENT_TABS
    } else {
        &STAFF_TABS
    };
    let services = crate::ctx::use_services();
    // Keep counts, pending and the offline banner fresh on every screen.
    use_future(move || {
        let services = services.clone();
        async move {
            loop {
                crate::flows::refresh_counts(ctx, &services);
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    });
    // Resident mode, while online: the household's passes, check-ins and invitations, every few
    // minutes (the first time at once).
    let svc_resident = crate::ctx::use_services();
    use_future(move || {
        let services = svc_resident.clone();
        async move {
            loop {
                if ctx.prefs.peek().resident_mode {
                    crate::flows::household::refresh_all(ctx, &services);
                }
                tokio::time::sleep(RESIDENT_REFRESH).await;
            }
        }
    });
    // The handbook and the notices open from Settings: its tab stays lit there.
    let tab_of = match route {
        Route::Handbook {} | Route::Notices {} | Route::Status {} => Route::Settings {},
        Route::Duty {} => Route::Scan {},
        ref r => r.clone(),
    };
    let show_tabs = !matches!(route, Route::Enroll {} | Route::Home {});
    // A device the district switched off shows no gate screen (and so gives no verdict).
    let locked = !resident
        && ctx.status.read().sync.status.disabled_at.is_some()
        && matches!(
            route,
            Route::Scan {}
                | Route::Vehicle {}
                | Route::Visitor {}
                | Route::Records {}
                | Route::Patrol {}
                | Route::Incident {}
                | Route::Notices {}
                | Route::Home {}
        );
    // An unacknowledged urgent notice takes any staff screen but enrollment.
    let takeover = !resident && !locked && !matches!(route, Route::Enroll {});
    rsx! {
        div { class: "shell",
            StatusBar {}
            main { class: "screen",
                if locked {
                    super::locked::Locked {}
                } else {
                    Outlet::<Route> {}
                }
            }
            if show_tabs {
                nav { class: "tabs", aria_label: tr(lang, "主菜单", "Main menu"),
                    for Tab { route: target, zh, en, icon, id } in tabs.iter().cloned() {
                        Link {
                            id,
                            class: match (target == tab_of, icon == "alert") {
                                (true, true) => "tab active report",
                                (true, false) => "tab active",
                                (false, true) => "tab report",
                                (false, false) => "tab",
                            },
                            to: target.clone(),
                            aria_current: if target == route { "page" } else { "false" },
                            super::icon::Icon { name: icon }
                            span { class: "tab-label", {tr(lang, zh, en)} }
                        }
                    }
                }
            }
            if takeover {
                super::notice_takeover::NoticeTakeover {}
            }
            super::temperature_pad::TemperaturePad {}
            VerdictOverlay {}
        }
    }
}
