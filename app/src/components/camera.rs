//! The live camera viewfinder: runs the JS bridge, scans each luma frame with sync-core's scanner,
//! and hands stable reads (verified, or read twice) to the screen.

use std::cell::RefCell;
use std::rc::Rc;

use base64::Engine;
use chrono::Utc;
use dioxus::prelude::*;
use serde::Deserialize;
use sync_core::scan::{BudgetedScanner, LumaFrame, StableReader};

use crate::ctx::{use_ctx, use_lang, use_services};
use crate::state::scan::{Camera as CameraStatus, ScanAction};
use crate::text::tr;

const BRIDGE_JS: &str = include_str!("camera.js");
/// Asks the running bridge for a still; answers once through `dioxus.send` (never `dioxus.recv`).
const STILL_JS: &str = "dioxus.send(window.__cpStill ? window.__cpStill() : null);";
/// How long a still may take before the photo counts as failed.
const STILL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// How often the scanned-frame count is logged.
const FRAME_LOG_EVERY: u64 = 500;

/// A message from the bridge.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum BridgeMsg {
    Live {
        torch: bool,
    },
    Error {
        error: String,
    },
    Frame {
        w: usize,
        h: usize,
        t: f64,
        d: String,
    },
}

/// A stable code read from the camera, with the capture time of its frame (JS ms since epoch).
#[derive(Debug, Clone, PartialEq)]
pub struct CodeRead {
    pub text: String,
    pub frame_t: f64,
}

#[component]
pub fn CameraView(on_code: EventHandler<CodeRead>, paused: bool) -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let mut scan = ctx.scan;
    let services = use_services();
    let reader = use_hook(|| Rc::new(RefCell::new(StableReader::default())));
    let paused_sig = use_signal(|| paused);
    let mut paused_w = paused_sig;
    if *paused_sig.peek() != paused {
        paused_w.set(paused);
    }

    use_future(move || {
        let services = services.clone();
        let reader = reader.clone();
        async move {
            let mut bridge = document::eval(BRIDGE_JS);
            // A time budget per frame: a hard frame's remaining attempts go to the next frames.
            let mut scanner = BudgetedScanner::default();
            let (mut frames, mut next_log): (u64, u64) = (0, FRAME_LOG_EVERY);
            loop {
                let msg = match bridge.recv::<serde_json::Value>().await {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!("camera bridge closed: {e}");
                        scan.write().reduce(ScanAction::CameraFailed(e.to_string()));
                        break;
                    }
                };
                match serde_json::from_value::<BridgeMsg>(msg) {
                    Ok(BridgeMsg::Live { torch }) => {
                        // `cargo xtask bench app` waits for this line (cold start to scan-ready).
                        tracing::info!("scan-ready: camera live");
                        scan.write().reduce(ScanAction::CameraLive);
                        scan.write().reduce(ScanAction::TorchSupported(torch));
                    }
                    Ok(BridgeMsg::Error { error }) => {
                        scan.write().reduce(ScanAction::CameraFailed(error));
                    }
                    Ok(BridgeMsg::Frame { w, h, t, d }) => {
                        let reads = scan_frame(&mut scanner, &reader, &services, w, h, &d);
                        let _ = document::eval("window.__cpAck && window.__cpAck()");
                        frames += 1;
                        if frames == next_log {
                            next_log += FRAME_LOG_EVERY;
                            // `cargo xtask bench app` reads this (memory after 1,000 scans).
                            tracing::info!(frames, "camera frames scanned");
                        }
                        if *paused_sig.peek() {
                            continue;
                        }
                        for text in reads {
                            on_code.call(CodeRead { text, frame_t: t });
                        }
                    }
                    Err(e) => tracing::warn!("camera bridge sent an unknown message: {e}"),
                }
            }
        }
    });

    use_effect(move || {
        let on = scan.read().torch == crate::state::scan::Torch::On;
        let _ = document::eval(&format!("window.__cpTorch && window.__cpTorch({on})"));
    });
    let state = scan.read();
    use_drop(|| {
        let _ = document::eval("window.__cpStop && window.__cpStop()");
    });
    let failed = match &state.camera {
        CameraStatus::Failed(why) => Some(why.clone()),
        _ => None,
    };
    rsx! {
        div { class: "viewfinder", role: "img",
            aria_label: tr(lang, "相机取景框，对准二维码即可自动识别", "Camera viewfinder: point at a QR code to scan"),
            video { id: "cp-video", autoplay: true, muted: true, playsinline: true }
            div { class: "reticle" }
            if state.camera == CameraStatus::Starting {
                p { class: "camera-note", {tr(lang, "正在打开相机…", "Starting camera…")} }
            }
            if let Some(why) = failed {
                p { class: "camera-note error", role: "alert",
                    {tr(lang, "相机不可用，请手工录入", "Camera unavailable, type the code")}
                    br {}
                    small { "{why}" }
                }
            }
        }
    }
}

/// Decode one frame and return the payloads that became stable with it.
fn scan_frame(
    scanner: &mut BudgetedScanner,
    reader: &RefCell<StableReader>,
    services: &crate::services::Services,
    w: usize,
    h: usize,
    data: &str,
) -> Vec<String> {
    let bytes = match base64::engine::general_purpose::STANDARD.decode(data) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!("camera frame not base64: {e}");
            return Vec::new();
        }
    };
    let frame = match LumaFrame::new(w, h, w, &bytes) {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!("camera frame rejected: {e}");
            return Vec::new();
        }
    };
    let result = scanner.scan(&frame);
    if result.reads.is_empty() {
        // Still advance the reader so codes leaving the view are forgotten.
        let _ = reader.borrow_mut().push(&result, |_| false);
        return Vec::new();
    }
    let now = Utc::now();
    let checker = services.checker();
    // A code that verifies (a pass, or a patrol point of this compound) counts at its first read.
    let verifies = |text: &str| {
        if crate::state::patrol::is_point_label(text) {
            checker.check_point(text).is_ok()
        } else {
            !checker.check(text, now).pass_id.is_empty()
        }
    };
    reader
        .borrow_mut()
        .push(&result, verifies)
        .into_iter()
        .map(|r| r.text)
        .collect()
}

/// Take a still from the live camera: a JPEG (or PNG) data URL, or why there is none.
pub async fn take_still() -> Result<String, crate::state::recorded::Words> {
    let failed = |en: &str| crate::state::recorded::Words {
        zh: "相机没有画面，无法拍照".into(),
        en: format!("No camera picture: {en}"),
    };
    let mut eval = document::eval(STILL_JS);
    match tokio::time::timeout(STILL_TIMEOUT, eval.recv::<Option<String>>()).await {
        Ok(Ok(Some(url))) => Ok(url),
        Ok(Ok(None)) => Err(failed("the camera is not running")),
        Ok(Err(e)) => Err(failed(&e.to_string())),
        Err(_) => Err(failed("no answer from the camera")),
    }
}
