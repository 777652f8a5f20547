//! The Android compile check of `cargo xtask test`: `cargo check` of the app's `mobile` build for
//! aarch64-linux-android, with Debian's aarch64 cross C compiler standing in for the NDK's clang (bundled
//! SQLite and ring only need their C compiled for a check, not linked). Prints a clear SKIPPED line when
//! the Rust target or the compiler cannot be installed; a failing check fails the run.

use crate::system::{self, cargo};

const TARGET: &str = "aarch64-linux-android";

pub fn check() -> anyhow::Result<()> {
    if let Err(why) = crate::cross::ready(TARGET, "for the Android compile check") {
        eprintln!("xtask: SKIPPED the Android compile check (cargo check -p app --features mobile --target {TARGET}): {why}");
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
