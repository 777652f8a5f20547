//! The app's screens as one `Routable` enum, inside the shell layout (status bar, verdict overlay, tabs).

use dioxus::prelude::*;

use crate::components::shell::Shell;
use crate::views::{
    checkin::Checkin, duty::Duty, enroll::Enroll, handbook::Handbook, home::Home,
    incident::Incident, invite::Invite, my_pass::AddPass, my_pass::MyPass, notices::Notices,
    patrol::Patrol, records::Records, scan::Scan, settings::Settings, status::Status,
    vehicle::Vehicle, visitor::Visitor,
};

#[derive(Debug, Clone, PartialEq, Routable)]
#[rustfmt::skip]
pub enum Route {
    #[layout(Shell)]
        #[route("/")]
        #[redirect("/home", || Route::Home {})]
        Home {},
        #[route("/enroll")]
        Enroll {},
        #[route("/scan")]
        Scan {},
        #[route("/vehicle")]
        Vehicle {},
        #[route("/visitor")]
        Visitor {},
        #[route("/records")]
        Records {},
        #[route("/patrol")]
        Patrol {},
        #[route("/incident")]
        Incident {},
        #[route("/status")]
        Status {},
        #[route("/settings")]
        Settings {},
        #[route("/handbook")]
        Handbook {},
        #[route("/notices")]
        Notices {},
        #[route("/duty")]
        Duty {},
        #[route("/my-pass")]
        MyPass {},
        #[route("/my-pass/add")]
        AddPass {},
        #[route("/my-pass/checkin")]
        Checkin {},
        #[route("/my-pass/invite")]
        Invite {},
}

impl Route {
    /// Every screen, for screenshots and render tests.
    pub fn all() -> Vec<Route> {
        vec![
            Route::Enroll {},
            Route::Scan {},
            Route::Vehicle {},
            Route::Visitor {},
            Route::Records {},
            Route::Patrol {},
            Route::Incident {},
            Route::Status {},
            Route::Settings {},
            Route::Handbook {},
            Route::Notices {},
            Route::Duty {},
            Route::MyPass {},
            Route::AddPass {},
            Route::Checkin {},
            Route::Invite {},
        ]
    }
}
