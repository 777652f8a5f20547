//! The checkpoint app's entry point: launches the Dioxus UI on the platform chosen by cargo feature.

mod app;

fn main() {
    dioxus::launch(app::App);
}
