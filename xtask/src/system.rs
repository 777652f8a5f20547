//! System setup shared by the commands: the workspace root, running cargo, and installing Debian packages.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context};

/// Debian packages the build and tests need, with the reason shown to the user.
pub const APT_PACKAGES: &[(&str, &str)] = &[
    ("pkg-config", "building the desktop app"),
    (
        "build-essential",
        "building bundled SQLite and other C code",
    ),
    ("libssl-dev", "building the desktop app"),
    (
        "libwebkit2gtk-4.1-dev",
        "the desktop app's web view (WebKitGTK)",
    ),
    ("libgtk-3-dev", "the desktop app's window"),
    ("libsoup-3.0-dev", "the desktop app's web view"),
    ("libxdo-dev", "the desktop app (linking fails without it)"),
    (
        "chromium",
        "the app's real-browser test (fake camera) and screenshots",
    ),
    (
        "chromium-driver",
        "the app's browser end-to-end test (WebDriver)",
    ),
    ("xvfb", "the desktop app's smoke test (virtual display)"),
    (
        "xdotool",
        "the desktop app's smoke test (finding its window)",
    ),
    ("imagemagick", "the desktop app's smoke test (screenshot)"),
    (
        "fonts-droid-fallback",
        "Chinese glyphs in browser tests and screenshots",
    ),
    (
        "haproxy",
        "the load balancer in front of two server instances (multi-instance test)",
    ),
];

pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

/// Run a command, echoing it first, and fail with its exit status.
pub fn run(cmd: &mut Command) -> anyhow::Result<()> {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

fn is_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn is_debian() -> bool {
    std::path::Path::new("/etc/debian_version").exists()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Make sure the given Debian packages are installed, installing the missing ones with apt-get.
pub fn ensure_apt(packages: &[(&str, &str)]) -> anyhow::Result<()> {
    if !is_debian() {
        let names: Vec<&str> = packages.iter().map(|(p, _)| *p).collect();
        eprintln!(
            "xtask: not a Debian system; install the equivalents of these packages yourself:\n  sudo apt-get install -y {}",
            names.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&(&str, &str)> = packages.iter().filter(|(p, _)| !is_installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = missing.iter().map(|(p, _)| *p).collect();
    for (p, why) in &missing {
        eprintln!("xtask: installing Debian package {p} (needed for {why})");
    }
    if !is_root() {
        bail!(
            "missing Debian packages; run:\n  sudo apt-get update && sudo apt-get install -y {}",
            names.join(" ")
        );
    }
    let log = workspace_root().join("target").join("xtask-apt.log");
    eprintln!("xtask: apt-get's own output goes to {}", log.display());
    run_logged(Command::new("apt-get").arg("update"), &log)?;
    run_logged(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&names),
        &log,
    )?;
    eprintln!("xtask: installed {}", names.join(", "));
    Ok(())
}

/// Run a command with its output appended to `log`; on failure show the log's last lines.
fn run_logged(cmd: &mut Command, log: &std::path::Path) -> anyhow::Result<()> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("cannot write {}", log.display()))?;
    let status = cmd
        .stdout(file.try_clone()?)
        .stderr(file)
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!(
            "{cmd:?} failed with {status}; the last lines of {}:\n{}",
            log.display(),
            tail.join("\n")
        );
    }
    Ok(())
}
