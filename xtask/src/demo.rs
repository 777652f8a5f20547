//! `cargo xtask demo`: the main job on embedded defaults, saying what it does at each step.

use crate::system::{ensure_apt, APT_PACKAGES};

pub fn run() -> anyhow::Result<()> {
    ensure_apt(APT_PACKAGES)?;
    let mut server = crate::demo_server::start()?;
    // The app, enrolled to the seeded district: a desktop window, or served to a browser without a display.
    let app = crate::demo_app::run();
    crate::demo_server::stop(&mut server);
    app
}
