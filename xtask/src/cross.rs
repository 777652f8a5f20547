//! What the cross builds share (the Android compile check, the ARM64 served app): a Rust target
//! installed with rustup and Debian's aarch64 cross C compiler.

use std::process::Command;

use crate::system::ensure_apt;

const CROSS_APT: &[(&str, &str)] = &[
    (
        "gcc-aarch64-linux-gnu",
        "the aarch64 cross builds (C code of bundled SQLite and ring; the ARM64 linker)",
    ),
    (
        "libc6-dev-arm64-cross",
        "the aarch64 cross builds (C headers and library)",
    ),
];

fn target_installed(target: &str) -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == target)
        })
}

/// Install the Rust `target` and the cross compiler; `Err` says why they cannot be had here.
pub fn ready(target: &str, why: &str) -> Result<(), String> {
    if !target_installed(target) {
        eprintln!("xtask: installing the Rust target {target} ({why})");
        let added = Command::new("rustup")
            .args(["target", "add", target])
            .status()
            .is_ok_and(|s| s.success());
        if !added || !target_installed(target) {
            return Err(format!(
                "`rustup target add {target}` failed or rustup is missing"
            ));
        }
    }
    ensure_apt(CROSS_APT).map_err(|e| format!("the cross C compiler is not installed: {e}"))?;
    if !std::path::Path::new("/usr/bin/aarch64-linux-gnu-gcc").exists() {
        return Err("/usr/bin/aarch64-linux-gnu-gcc is missing (apt gcc-aarch64-linux-gnu)".into());
    }
    Ok(())
}
