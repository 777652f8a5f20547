//! The served app's release build for 64-bit ARM Linux (a gate's single-board computer, and the
//! nearest thing to a phone's CPU this machine can link), for `cargo xtask bench app`'s binary
//! sizes: Debian's aarch64 cross compiler links it. Says SKIPPED, and returns `None`, when the Rust
//! target or the compiler cannot be installed.

use std::path::PathBuf;
use std::process::Command;

use crate::system::{self, cargo, ensure_apt, workspace_root};

const TARGET: &str = "aarch64-unknown-linux-gnu";
const CROSS_APT: &[(&str, &str)] = &[
    (
        "gcc-aarch64-linux-gnu",
        "the served app's ARM64 build (linker, C code of bundled SQLite and ring)",
    ),
    (
        "libc6-dev-arm64-cross",
        "the served app's ARM64 build (C library)",
    ),
];

fn skip(why: &str) {
    eprintln!("xtask: SKIPPED the ARM64 build of the served app (its size is left out): {why}");
}

fn target_installed() -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == TARGET)
        })
}

/// Build `checkpoint-liveview` for ARM64 in release mode; its path, or `None` when it cannot be built here.
pub fn liveview() -> anyhow::Result<Option<PathBuf>> {
    if !target_installed() {
        eprintln!(
            "xtask: installing the Rust target {TARGET} (for the ARM64 build of the served app)"
        );
        let added = Command::new("rustup")
            .args(["target", "add", TARGET])
            .status()
            .is_ok_and(|s| s.success());
        if !added || !target_installed() {
            skip("`rustup target add aarch64-unknown-linux-gnu` failed or rustup is missing");
            return Ok(None);
        }
    }
    if let Err(e) = ensure_apt(CROSS_APT) {
        skip(&format!("the cross compiler is not installed: {e}"));
        return Ok(None);
    }
    system::run(
        cargo()
            .args([
                "build",
                "--release",
                "-p",
                "app",
                "--bin",
                "checkpoint-liveview",
            ])
            .args([
                "--no-default-features",
                "--features",
                "liveview",
                "--target",
                TARGET,
            ])
            .env(
                "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER",
                "aarch64-linux-gnu-gcc",
            )
            .env("CC_aarch64_unknown_linux_gnu", "aarch64-linux-gnu-gcc")
            .env("AR_aarch64_unknown_linux_gnu", "aarch64-linux-gnu-ar"),
    )?;
    Ok(Some(
        workspace_root()
            .join("target")
            .join(TARGET)
            .join("release")
            .join("checkpoint-liveview"),
    ))
}
