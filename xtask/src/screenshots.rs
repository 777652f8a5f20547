//! `cargo xtask screenshots`: every app screen in zh-CN and en at phone size (390×844), rendered
//! statically from the real components and photographed with Debian's Chromium into docs/screenshots/.

use std::process::Command;

use anyhow::{bail, Context};

use crate::system::{self, cargo, ensure_apt, workspace_root, APT_PACKAGES};

const CHROMIUM: &str = "/usr/bin/chromium";

pub fn run() -> anyhow::Result<()> {
    ensure_apt(APT_PACKAGES)?;
    ensure_apt(&[
        ("chromium", "photographing the screens (headless)"),
        ("fonts-droid-fallback", "Chinese glyphs in the screenshots"),
    ])?;
    let root = workspace_root();
    let html_dir = root.join("target").join("screens");
    let out_dir = root.join("docs").join("screenshots");
    std::fs::create_dir_all(&out_dir)?;
    system::run(
        cargo()
            .args([
                "run",
                "--quiet",
                "-p",
                "app",
                "--example",
                "screens_html",
                "--",
            ])
            .arg(&html_dir),
    )?;
    let profile = tempdir_in(&root.join("target"))?;
    let mut pages: Vec<_> = std::fs::read_dir(&html_dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    pages.sort();
    if pages.is_empty() {
        bail!("no screen pages were written to {}", html_dir.display());
    }
    for page in &pages {
        let stem = page
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("screen");
        let png = out_dir.join(format!("{stem}.png"));
        let status = Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=390,844",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .with_context(|| format!("cannot run {CHROMIUM}"))?;
        if !status.status.success() || !png.exists() {
            bail!(
                "chromium failed on {}: {}",
                page.display(),
                String::from_utf8_lossy(&status.stderr)
            );
        }
        eprintln!("xtask: wrote {}", png.display());
    }
    let _ = std::fs::remove_dir_all(&profile);
    eprintln!(
        "xtask: {} screenshots in {}",
        pages.len(),
        out_dir.display()
    );
    crate::screenshots_server::run()
}

fn tempdir_in(base: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    let dir = base.join(format!("chromium-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
