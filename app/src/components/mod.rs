//! Shared pieces of the screens: shell layout, status bar, tab bar, camera, verdict overlay, form field, QR.

pub mod camera;
pub mod field;
pub mod icon;
pub mod locked;
pub mod notice_takeover;
pub mod qr;
pub mod shell;
pub mod status_bar;
pub mod temperature_pad;
pub mod verdict;
