//! The served app's release build for 64-bit ARM Linux (a gate's single-board computer, and the
//! nearest thing to a phone's CPU this machine can link), for `cargo xtask bench app`'s binary
//! sizes: Debian's aarch64 cross compiler links it. Says SKIPPED, and returns `None`, when the Rust
//! target or the compiler cannot be installed.

use std::path::PathBuf;

use crate::system::{self, cargo, workspace_root};

const TARGET: &str = "aarch64-unknown-linux-gnu";

/// Build `checkpoint-liveview` for ARM64 in release mode; its path, or `None` when it cannot be built here.
pub fn liveview() -> anyhow::Result<Option<PathBuf>> {
    if let Err(why) = crate::cross::ready(TARGET, "for the ARM64 build of the served app") {
        eprintln!("xtask: SKIPPED the ARM64 build of the served app (its size is left out): {why}");
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
