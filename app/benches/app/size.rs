//! The release binaries' sizes, per platform target built here (the Android and iOS apps need the
//! SDK/NDK or Xcode to link, so they are not among them).

use std::path::{Path, PathBuf};
use std::process::Command;

/// A built binary and what it is.
pub struct Binary {
    pub target: &'static str,
    pub what: &'static str,
    /// As built (the release profile keeps line tables for backtraces).
    pub bytes: u64,
    /// A copy with its symbols and debug info stripped: what an installer would carry.
    pub stripped_bytes: Option<u64>,
}

/// The size of a stripped copy of `path` (the target's own `strip`), if the tool is there.
fn stripped(path: &Path, strip: &str) -> Option<u64> {
    let copy = std::env::temp_dir().join(format!("checkpoint-size-{}", std::process::id()));
    std::fs::copy(path, &copy).ok()?;
    let ok = Command::new(strip)
        .arg(&copy)
        .status()
        .is_ok_and(|s| s.success());
    let bytes = std::fs::metadata(&copy).ok().map(|m| m.len());
    let _ = std::fs::remove_file(&copy);
    if ok {
        bytes
    } else {
        eprintln!("{strip} could not strip {}", path.display());
        None
    }
}

/// The binaries the xtask built, from their environment variables (an unset or missing one is
/// left out and named on stderr).
pub fn measured() -> Vec<Binary> {
    [
        (
            "CHECKPOINT_APP_BIN",
            "x86_64-unknown-linux-gnu",
            "desktop app (WebKitGTK)",
            "strip",
        ),
        (
            "CHECKPOINT_LIVEVIEW_BIN",
            "x86_64-unknown-linux-gnu",
            "served app (liveview)",
            "strip",
        ),
        (
            "CHECKPOINT_LIVEVIEW_ARM64_BIN",
            "aarch64-unknown-linux-gnu",
            "served app (liveview)",
            "aarch64-linux-gnu-strip",
        ),
    ]
    .into_iter()
    .filter_map(|(var, target, what, strip)| {
        let path = std::env::var_os(var).map(PathBuf::from)?;
        match std::fs::metadata(&path) {
            Ok(m) => Some(Binary {
                target,
                what,
                bytes: m.len(),
                stripped_bytes: stripped(&path, strip),
            }),
            Err(e) => {
                eprintln!("no {what} for {target} at {}: {e}", path.display());
                None
            }
        }
    })
    .collect()
}
