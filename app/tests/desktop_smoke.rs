//! Desktop smoke test: the real desktop binary starts under Xvfb, opens its window and shows the scan
//! screen; a screenshot of the X display goes to `target/app-desktop-scan.png`.
//!
//! Needs `Xvfb`, `xdotool` and ImageMagick's `import` (apt `xvfb xdotool imagemagick`).

#![cfg(all(feature = "desktop", target_os = "linux"))]
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap too

use std::path::Path;
use std::process::{Command, Stdio};

use checkpoint_tests::xvfb::{Reaped, Xvfb};
use std::time::{Duration, Instant};

fn tool(name: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .unwrap();
    assert!(
        found.status.success(),
        "{name} is needed for the desktop smoke test (apt xvfb xdotool imagemagick)"
    );
}

#[test]
fn desktop_window_shows_the_scan_screen_under_xvfb() {
    for t in ["Xvfb", "xdotool", "import"] {
        tool(t);
    }
    let x = Xvfb::start().unwrap();
    let display = x.display.clone();
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("device.db");
    {
        // Staff already enrolled at a gate: the home screen is Scan.
        let mut l = sync_core::Ledger::open(&ledger).unwrap();
        l.set_setting("server_url", "http://127.0.0.1:9").unwrap();
        l.set_setting("device_token", "test-token").unwrap();
    }
    let started = Instant::now();
    let _app = Reaped(
        Command::new(env!("CARGO_BIN_EXE_checkpoint"))
            .env("DISPLAY", &display)
            .env("CHECKPOINT_LEDGER", &ledger)
            .env("CHECKPOINT_MOCK_CAMERA", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let window_seen = loop {
        let out = Command::new("xdotool")
            .args(["search", "--name", "卡口登记"])
            .env("DISPLAY", &display)
            .output()
            .unwrap();
        if out.status.success() && !out.stdout.is_empty() {
            break started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no app window within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // Let the web view paint the first screen.
    std::thread::sleep(Duration::from_secs(4));
    let png = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/app-desktop-scan.png");
    let shot = Command::new("import")
        .args(["-window", "root"])
        .arg(&png)
        .env("DISPLAY", &display)
        .status()
        .unwrap();
    assert!(shot.success());
    // The scan screen has its theme, the blue "in" button and the camera frame: many colours.
    let colours = Command::new("identify")
        .args(["-format", "%k"])
        .arg(&png)
        .output()
        .unwrap();
    let n: u64 = String::from_utf8_lossy(&colours.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(n > 20, "the screenshot is (nearly) blank: {n} colours");
    println!("window after {window_seen:?}; screenshot {}", png.display());
}
