//! `cargo xtask demo`: the main job on embedded defaults, saying what it does at each step.

use crate::system::{self, cargo, ensure_apt, APT_PACKAGES};

pub fn run() -> anyhow::Result<()> {
    ensure_apt(APT_PACKAGES)?;
    eprintln!("xtask demo: writing sample passages to a local ledger (target/demo/ledger.db) and reading today's counts");
    system::run(cargo().args([
        "run",
        "--quiet",
        "-p",
        "sync-core",
        "--example",
        "ledger_demo",
    ]))?;
    let mut server = crate::demo_server::start()?;
    if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some() {
        eprintln!("xtask demo: opening the checkpoint app (desktop window)");
        let app = system::run(cargo().args(["run", "--quiet", "-p", "app"]));
        crate::demo_server::stop(&mut server);
        app?;
    } else {
        eprintln!("xtask demo: no display found (DISPLAY unset); the desktop window is skipped");
        eprintln!("xtask demo: the district server keeps running; press Ctrl-C to stop it");
        server.wait()?;
    }
    Ok(())
}
