//! Platform launchers: the desktop window (with the Linux camera permission fix) and the browser-served mode.

#[cfg(feature = "desktop")]
pub mod desktop;
#[cfg(feature = "liveview")]
pub mod liveview;
pub mod provision;

/// Where the ledger lives: `$CHECKPOINT_LEDGER`, else the platform data dir, else `./checkpoint-ledger.db`.
pub fn ledger_path() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("CHECKPOINT_LEDGER") {
        return p.into();
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        });
    match base {
        Some(b) => b.join("checkpoint").join("ledger.db"),
        None => "checkpoint-ledger.db".into(),
    }
}
