//! The district server's part of `cargo xtask screenshots`: runs the server's real-browser test
//! (tests/tests/server_browser.rs) with `CHECKPOINT_SCREENSHOTS` set, so the pages it checks in
//! headless Chromium at 1280×800 and 390×844 are written to docs/screenshots/server-*.png.

use crate::system::{self, cargo, ensure_apt, workspace_root};

pub fn run() -> anyhow::Result<()> {
    ensure_apt(&[
        ("chromium", "photographing the server's pages (headless)"),
        (
            "chromium-driver",
            "driving Chromium through the server's pages (WebDriver)",
        ),
        ("fonts-droid-fallback", "Chinese glyphs in the screenshots"),
    ])?;
    // The test starts real `district-server` processes: build the binary it runs.
    system::run(cargo().args(["build", "-p", "district-server", "--bin", "district-server"]))?;
    let out_dir = workspace_root().join("docs").join("screenshots");
    std::fs::create_dir_all(&out_dir)?;
    system::run(
        cargo()
            .args(["test", "-p", "checkpoint-tests", "--test", "server_browser"])
            .env("CHECKPOINT_SCREENSHOTS", &out_dir),
    )?;
    eprintln!(
        "xtask: server screenshots written to {}/server-*.png",
        out_dir.display()
    );
    Ok(())
}
