//! Disk space for the test run: a clean build needs room, and the run says how much it used.

use std::path::Path;
use std::process::Command;

/// Free bytes on the file system holding `path`, read from `df` (None if `df` cannot tell).
pub fn free_bytes(path: &Path) -> Option<u64> {
    let out = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().nth(1)?.trim().parse().ok()
}

/// Bytes held under `dir`, read from `du` (hard links counted once; 0 if `du` cannot tell).
pub fn tree_bytes(dir: &Path) -> u64 {
    let out = Command::new("du").arg("-sb").arg(dir).output();
    let Ok(out) = out else { return 0 };
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

pub fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// A clean `cargo xtask test` wrote 4.5 GiB under `target/` (2026-12-03, with CARGO_INCREMENTAL=0
/// as `.ci/run` sets it); this leaves room for growth.
pub const TEST_BUILD_NEEDS: u64 = 7 << 30;

/// Say before building when the disk looks too small for the run, so a failure later is no surprise.
pub fn warn_if_short(root: &Path) {
    let target = root.join("target");
    let Some(free) = free_bytes(root) else {
        return;
    };
    let have = tree_bytes(&target);
    let want = TEST_BUILD_NEEDS.saturating_sub(have);
    if free < want {
        eprintln!(
            "xtask: WARNING: {} free on this disk; a clean test build needs about {} (target/ holds {} now)",
            gib(free),
            gib(TEST_BUILD_NEEDS),
            gib(have)
        );
    }
}

/// One line on what the run left on disk.
pub fn report(root: &Path) {
    let target = tree_bytes(&root.join("target"));
    let free = free_bytes(root)
        .map(gib)
        .unwrap_or_else(|| "unknown".into());
    eprintln!("xtask: target/ holds {}; {free} free", gib(target));
}
