//! `cargo xtask screenshots`: every app screen in zh-CN and en at phone size (390×844; the gate's
//! all-day screens also at 360×640 and in the night theme), rendered
//! statically from the real components and photographed with Debian's Chromium into docs/screenshots/.

use std::process::Command;

use anyhow::{bail, Context};

use crate::system::{self, cargo, ensure_apt, workspace_root, APT_PACKAGES};

const CHROMIUM: &str = "/usr/bin/chromium";

/// The phone every screen is photographed on (CSS pixels).
const PHONE: (u32, u32) = (390, 844);

/// A small cheap phone.
const SMALL_PHONE: (u32, u32) = (360, 640);

/// The gate's all-day screens, photographed on the small phone too and in the night theme.
const SMALL_PHONE_SCENES: [&str; 6] = [
    "scan",
    "visitor",
    "vehicle",
    "verdict-green",
    "status",
    "settings",
];

/// Photograph one page at `size` with headless Chromium.
fn shoot(
    page: &std::path::Path,
    png: &std::path::Path,
    size: (u32, u32),
    profile: &std::path::Path,
) -> anyhow::Result<()> {
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
        ])
        .arg(format!("--window-size={},{}", size.0, size.1))
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
    Ok(())
}

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
                "--features",
                "scenes",
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
    let mut shots = 0;
    for page in &pages {
        let stem = page
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("screen");
        shoot(page, &out_dir.join(format!("{stem}.png")), PHONE, &profile)?;
        shots += 1;
        // The small cheap phone, for the screens used at the gate all day.
        if SMALL_PHONE_SCENES
            .iter()
            .any(|s| stem.starts_with(&format!("app-{s}-")))
        {
            let png = out_dir.join(format!("{stem}-{}x{}.png", SMALL_PHONE.0, SMALL_PHONE.1));
            shoot(page, &png, SMALL_PHONE, &profile)?;
            shots += 1;
        }
        // The night theme (chosen by hand or after sunset), for the same screens at phone size.
        if SMALL_PHONE_SCENES
            .iter()
            .any(|s| stem == format!("app-{s}-zh-CN"))
        {
            let html = std::fs::read_to_string(page)?.replacen(
                "class=\"app auto\"",
                "class=\"app dark\"",
                1,
            );
            let dark = html_dir.join(format!("{stem}-dark.html"));
            std::fs::write(&dark, html)?;
            shoot(
                &dark,
                &out_dir.join(format!("{stem}-dark.png")),
                PHONE,
                &profile,
            )?;
            std::fs::remove_file(&dark)?;
            shots += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&profile);
    eprintln!(
        "xtask: {} screenshots of {} screens in {}",
        shots,
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
