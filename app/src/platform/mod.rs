//! Platform launchers: the desktop window (with the Linux camera permission fix) and the browser-served mode;
//! where the app keeps its files on each platform.

pub mod data_dir;
#[cfg(feature = "desktop")]
pub mod desktop;
#[cfg(feature = "liveview")]
pub mod liveview;
pub mod provision;

pub use data_dir::ledger_path;
