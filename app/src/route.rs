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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every screen is a static route (no parameters): the router's own site map lists them, and
    /// each path reads back as the same screen.
    #[test]
    fn every_screen_is_a_static_route() {
        let routes = Route::static_routes();
        for screen in [
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
        ] {
            assert!(routes.contains(&screen), "{screen} is not in the site map");
        }
        for route in routes {
            let path = route.to_string();
            assert_eq!(path.parse::<Route>().ok(), Some(route), "{path}");
        }
    }
}
