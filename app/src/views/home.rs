//! `/`: sends the user to the right first screen (enroll, scan, or resident pass).

use dioxus::prelude::*;

use crate::ctx::{use_ctx, use_services};
use crate::route::Route;

#[component]
pub fn Home() -> Element {
    let ctx = use_ctx();
    let services = use_services();
    let nav = use_navigator();
    let target = if ctx.prefs.read().resident_mode {
        Route::MyPass {}
    } else if services.is_enrolled() {
        Route::Scan {}
    } else {
        Route::Enroll {}
    };
    use_effect(move || {
        nav.replace(target.clone());
    });
    rsx! {}
}
