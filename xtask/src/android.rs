//! The Android compile check of `cargo xtask test`: `cargo check` of the app's `mobile` build for
//! aarch64-linux-android, with Debian's aarch64 cross C compiler standing in for the NDK's clang (bundled
//! SQLite and ring only need their C compiled for a check, not linked). Prints a clear SKIPPED line when
//! the Rust target or the compiler cannot be installed; a failing check fails the run.

use std::process::Command;

use crate::system::{self, cargo, ensure_apt};

const TARGET: &str = "aarch64-linux-android";
const CROSS_APT: &[(&str, &str)] = &[
    (
        "gcc-aarch64-linux-gnu",
        "the Android compile check (C code of bundled SQLite, ring)",
    ),
    (
        "libc6-dev-arm64-cross",
        "the Android compile check (C headers)",
    ),
];

fn skip(why: &str) {
    eprintln!("xtask: SKIPPED the Android compile check (cargo check -p app --features mobile --target {TARGET}): {why}");
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

pub fn check() -> anyhow::Result<()> {
    if !target_installed() {
        eprintln!("xtask: installing the Rust target {TARGET} (for the Android compile check)");
        let added = Command::new("rustup")
            .args(["target", "add", TARGET])
            .status()
            .is_ok_and(|s| s.success());
        if !added || !target_installed() {
            skip("`rustup target add aarch64-linux-android` failed or rustup is missing");
            return Ok(());
        }
    }
    if let Err(e) = ensure_apt(CROSS_APT) {
        skip(&format!("the cross C compiler is not installed: {e}"));
        return Ok(());
    }
    if !std::path::Path::new("/usr/bin/aarch64-linux-gnu-gcc").exists() {
        skip("/usr/bin/aarch64-linux-gnu-gcc is missing (apt gcc-aarch64-linux-gnu)");
        return Ok(());
    }
    system::run(
        cargo()
            .args([
                "check",
                "-p",
                "app",
                "--no-default-features",
                "--features",
                "mobile",
                "--target",
                TARGET,
            ])
            .env("CC_aarch64_linux_android", "aarch64-linux-gnu-gcc")
            .env("AR_aarch64_linux_android", "aarch64-linux-gnu-ar"),
    )?;
    eprintln!("xtask: Android compile check passed (a check only: an APK needs the Android SDK/NDK and `dx`)");
    Ok(())
}
