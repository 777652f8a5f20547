//! The fake camera: Y4M clips (what Chromium's `--use-file-for-fake-video-capture` plays, looped) of a
//! pass's QR code on a card-white background, and the scan-to-verdict figures written for the bench.
//! Shared with `benches/app.rs`, which uses a different subset.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

pub const W: usize = 640;
pub const H: usize = 480;

/// A 640×480 luma frame: the QR of `payload` centred on card white (or an empty view).
pub fn luma_frame(payload: Option<&str>) -> anyhow::Result<Vec<u8>> {
    let mut y = vec![235u8; W * H];
    if let Some(payload) = payload {
        let qr = sync_core::render::qr_luma(payload, 5)?;
        let (qw, qh) = (qr.width() as usize, qr.height() as usize);
        anyhow::ensure!(qw < W && qh < H, "QR {qw}×{qh} does not fit the frame");
        let (ox, oy) = ((W - qw) / 2, (H - qh) / 2);
        for row in 0..qh {
            for col in 0..qw {
                y[(oy + row) * W + ox + col] = qr.get_pixel(col as u32, row as u32).0[0];
            }
        }
    }
    Ok(y)
}

/// A 640×480 luma frame showing a screenshot (PNG) centred on white, as a phone held to a screen sees it.
pub fn luma_from_png(png: &[u8]) -> anyhow::Result<Vec<u8>> {
    let shot = image::load_from_memory_with_format(png, image::ImageFormat::Png)?.to_luma8();
    let (sw, sh) = (shot.width() as usize, shot.height() as usize);
    anyhow::ensure!(
        sw < W && sh < H,
        "screenshot {sw}×{sh} does not fit the frame"
    );
    let mut y = vec![235u8; W * H];
    let (ox, oy) = ((W - sw) / 2, (H - sh) / 2);
    for row in 0..sh {
        for col in 0..sw {
            y[(oy + row) * W + ox + col] = shot.get_pixel(col as u32, row as u32).0[0];
        }
    }
    Ok(y)
}

/// A 4:2:0 Y4M clip at 10 fps: each `(frame, count)` repeated `count` times; Chromium loops it.
pub fn write_clip(path: &Path, frames: &[(&[u8], usize)]) -> anyhow::Result<()> {
    let chroma = vec![128u8; (W / 2) * (H / 2)];
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(f, "YUV4MPEG2 W{W} H{H} F10:1 Ip A1:1 C420jpeg")?;
    for (y, count) in frames {
        for _ in 0..*count {
            f.write_all(b"FRAME\n")?;
            f.write_all(y)?;
            f.write_all(&chroma)?;
            f.write_all(&chroma)?;
        }
    }
    f.flush()?;
    Ok(())
}

/// A clip that shows the QR of `payload` (or an empty view) all the time.
pub fn write_y4m(payload: Option<&str>, path: &Path) -> anyhow::Result<()> {
    let y = luma_frame(payload)?;
    write_clip(path, &[(&y, 10)])
}

/// The value at quantile `q` (nearest rank) of sorted samples.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub fn bench_file() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("bench").join("app.json")
}

/// Print p50/p95 of frame capture → verdict on screen, and merge them into `target/bench/app.json`.
pub fn report_latency(samples: &[f64]) -> anyhow::Result<()> {
    anyhow::ensure!(
        !samples.is_empty(),
        "no scan-to-verdict samples were recorded"
    );
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (p50, p95) = (quantile(&sorted, 0.5), quantile(&sorted, 0.95));
    println!(
        "scan to verdict (frame capture → verdict painted), {} samples, liveview in headless Chromium: \
         p50 {p50:.0} ms, p95 {p95:.0} ms (goal p95 ≤ 300 ms){}",
        sorted.len(),
        if p95 <= 300.0 { "" } else { " — OVER THE GOAL" }
    );
    let path = bench_file();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut doc: serde_json::Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::json!({}));
    doc["scan_to_verdict_ms_p50"] = p50.into();
    doc["scan_to_verdict_ms_p95"] = p95.into();
    doc["scan_to_verdict_samples"] = sorted.len().into();
    doc["scan_to_verdict_source"] = "browser end-to-end test (liveview, headless Chromium)".into();
    std::fs::write(&path, serde_json::to_string_pretty(&doc)?)?;
    println!("wrote {}", path.display());
    Ok(())
}
