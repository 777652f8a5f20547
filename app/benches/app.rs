//! `cargo xtask bench app`: cold start to scan-ready of the desktop release build (under Xvfb, WebKit's
//! mock camera), memory after 1,000 camera frames through the real scan path (desktop with the mock
//! camera; served app in headless Chromium with a fake camera cycling through signed passes), and
//! frame-to-verdict latency, against peers measured in the same run; the time and taps to register a
//! visitor by staff (first visit and returning), and the release binaries' sizes. Prints a table and merges the figures into `target/bench/app.json`.

#[path = "../tests/browser/camera.rs"]
mod camera;
#[path = "app/size.rs"]
mod size;
#[path = "app/visitor.rs"]
mod visitor;

use checkpoint_tests::webdriver;
use checkpoint_tests::xvfb::{Reaped, Xvfb};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::Utc;
use serde_json::json;
use sync_core::pass::{verify, DistrictSigner, KeySet, PassBody, PassKind, Revocations};
use sync_core::scan::{LumaFrame, Scanner};
use sync_core::Ledger;

const DISTRICT: &str = "district-bench";
const FRAMES: u64 = 1_000;
const COLD_RUNS: usize = 5;
const GOAL_COLD_S: f64 = 1.5;
const GOAL_RSS_MB: f64 = 200.0;
const GOAL_P95_MS: f64 = 300.0;

fn passes(signer: &DistrictSigner, n: usize) -> anyhow::Result<Vec<String>> {
    let now = Utc::now();
    (0..n)
        .map(|i| {
            Ok(signer.sign(&PassBody {
                kind: PassKind::Resident,
                pass_id: format!("R{:06}", 500 + i),
                serial: 1,
                district_id: DISTRICT.into(),
                compound_id: "compound-1".into(),
                household: format!("3-2-{}", 401 + i),
                display_name: format!("住户{i}"),
                plate: None,
                valid_from: now - chrono::Duration::days(1),
                valid_until: now + chrono::Duration::days(30),
            })?)
        })
        .collect()
}

/// A device ledger as enrollment and a sync leave it (server unreachable: the app runs offline).
fn enrolled_ledger(path: &Path, signer: &DistrictSigner) -> anyhow::Result<()> {
    let mut l = Ledger::open(path)?;
    l.set_setting("server_url", "http://127.0.0.1:9")?;
    l.set_setting("device_token", "bench-token")?;
    l.replace_key_set(&[signer.key_record(None, None)])?;
    l.set_setting("district_id", DISTRICT)?;
    l.set_setting("clock_offset_ms", &0i64)?;
    Ok(())
}

/// Lines of a child's stdout and stderr, as they come.
fn lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let out = child
        .stdout
        .take()
        .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
    let err = child
        .stderr
        .take()
        .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
    for stream in [out, err].into_iter().flatten() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    rx
}

/// The desktop app on `display` (WebKit's mock camera), with its log lines.
fn spawn_desktop(
    app: &Path,
    display: &str,
    ledger: &Path,
) -> anyhow::Result<(Reaped, mpsc::Receiver<String>)> {
    let mut child = Command::new(app)
        .env("DISPLAY", display)
        .env("CHECKPOINT_LEDGER", ledger)
        .env("CHECKPOINT_MOCK_CAMERA", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", app.display()))?;
    let rx = lines(&mut child);
    Ok((Reaped(child), rx))
}

/// Wait for a log line containing `needle`.
fn wait_line(rx: &mpsc::Receiver<String>, needle: &str, limit: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        match rx.recv_timeout(limit.saturating_sub(started.elapsed())) {
            Ok(line) if line.contains(needle) => return Ok(()),
            Ok(_) => {}
            Err(_) => bail!("the desktop app did not log {needle:?} within {limit:?}"),
        }
    }
}

/// Spawn the desktop app and time it until it logs that the camera is live.
fn cold_start(app: &Path, display: &str, ledger: &Path) -> anyhow::Result<f64> {
    let started = Instant::now();
    let (_app, rx) = spawn_desktop(app, display, ledger)?;
    wait_line(&rx, "scan-ready", Duration::from_secs(30))?;
    Ok(started.elapsed().as_secs_f64())
}

/// Memory of the desktop app: (app alone, app + WebKit processes) at scan-ready and after `FRAMES` frames.
struct DesktopMemory {
    ready_mb: (f64, f64),
    after_mb: (f64, f64),
    seconds: f64,
}

fn desktop_memory(app: &Path, display: &str, ledger: &Path) -> anyhow::Result<DesktopMemory> {
    let (child, rx) = spawn_desktop(app, display, ledger)?;
    let pid = child.0.id();
    wait_line(&rx, "scan-ready", Duration::from_secs(30))?;
    let started = Instant::now();
    let ready_mb = (rss_mb(pid)?, tree_rss_mb(pid)?);
    wait_line(&rx, &format!("frames={FRAMES}"), Duration::from_secs(900))?;
    Ok(DesktopMemory {
        ready_mb,
        after_mb: (rss_mb(pid)?, tree_rss_mb(pid)?),
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn rss_mb(pid: u32) -> anyhow::Result<f64> {
    Ok(rss_kb(pid, "VmRSS:")? as f64 / 1024.0)
}

/// VmRSS of a process and all its descendants (the desktop app and its WebKit processes).
fn tree_rss_mb(pid: u32) -> anyhow::Result<f64> {
    let mut total = rss_mb(pid)?;
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))?;
    for task in tasks.flatten() {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            total += tree_rss_mb(child).unwrap_or(0.0);
        }
    }
    Ok(total)
}

fn rss_kb(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field} in /proc/{pid}/status"))
}

struct ScanRun {
    rss_ready_mb: f64,
    rss_after_mb: f64,
    hwm_mb: f64,
    frames: u64,
    seconds: f64,
    latencies: Vec<f64>,
}

/// Serve the app (release liveview) on `ledger`: the process (killed on drop) and its URL.
pub fn serve(live: &Path, ledger: &Path) -> anyhow::Result<(Reaped, String)> {
    serve_with_pid(live, ledger).map(|(r, url, _)| (r, url))
}

fn serve_with_pid(live: &Path, ledger: &Path) -> anyhow::Result<(Reaped, String, u32)> {
    let mut child = Command::new(live)
        .env("CHECKPOINT_LISTEN", "127.0.0.1:0")
        .env("CHECKPOINT_LEDGER", ledger)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", live.display()))?;
    let pid = child.id();
    let mut first = String::new();
    BufReader::new(child.stdout.take().context("no stdout")?).read_line(&mut first)?;
    let server = Reaped(child);
    let url = first
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    anyhow::ensure!(
        url.starts_with("http://127.0.0.1:"),
        "liveview said {first:?}"
    );
    Ok((server, url.replace("/home", ""), pid))
}

/// Serve the app (release liveview), point headless Chromium's fake camera at a clip cycling through
/// the passes, dismiss each verdict at once, and stop after `FRAMES` frames were scanned.
fn scan_run(live: &Path, dir: &Path, passes: &[String]) -> anyhow::Result<ScanRun> {
    let ledger = dir.join("live.db");
    let signer_ledger_src = dir.join("desktop.db");
    std::fs::copy(&signer_ledger_src, &ledger)?;
    let (_server, url, pid) = serve_with_pid(live, &ledger)?;

    let blank = camera::luma_frame(None)?;
    let codes: Vec<Vec<u8>> = passes
        .iter()
        .map(|p| camera::luma_frame(Some(p)))
        .collect::<anyhow::Result<_>>()?;
    let mut clip: Vec<(&[u8], usize)> = Vec::new();
    for c in &codes {
        clip.push((c, 12));
        clip.push((&blank, 8));
    }
    let video = dir.join("cycle.y4m");
    camera::write_clip(&video, &clip)?;

    let driver = webdriver::Driver::start()?;
    let profile = dir.join("profile");
    let b = driver.browser(&webdriver::BrowserOptions::phone_with_camera(
        &video, &profile,
    ))?;
    b.goto(&format!("{url}/home"))?;
    b.wait_js(
        "the camera to start",
        "return (window.__cpScanned || 0) > 0",
        json!([]),
        Duration::from_secs(60),
    )?;
    let rss_ready_mb = rss_kb(pid, "VmRSS:")? as f64 / 1024.0;
    let started = Instant::now();
    let frames = loop {
        let v = b.js(
            "const v = document.querySelector('#verdict');
             if (v && v.dataset.measured) { v.click(); }
             return window.__cpScanned || 0;",
            json!([]),
        )?;
        let n = v.as_u64().unwrap_or(0);
        if n >= FRAMES {
            break n;
        }
        if started.elapsed() > Duration::from_secs(900) {
            bail!("only {n} frames scanned in 15 minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let seconds = started.elapsed().as_secs_f64();
    let rss_after_mb = rss_kb(pid, "VmRSS:")? as f64 / 1024.0;
    let hwm_mb = rss_kb(pid, "VmHWM:")? as f64 / 1024.0;
    let lat = b.js("return window.__cpLatencies || []", json!([]))?;
    let latencies = lat
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default();
    Ok(ScanRun {
        rss_ready_mb,
        rss_after_mb,
        hwm_mb,
        frames,
        seconds,
        latencies,
    })
}

/// The floor under scan-to-verdict: decoding and verifying the same frame in-process (ms, median).
fn in_process_ms(signer: &DistrictSigner, pass: &str) -> anyhow::Result<f64> {
    let frame = camera::luma_frame(Some(pass))?;
    let keys = KeySet::from_records(&[signer.key_record(None, None)])?;
    let revocations = Revocations::from_records(&[]);
    let scanner = Scanner::default();
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let luma = LumaFrame::new(camera::W, camera::H, camera::W, &frame)?;
        let result = scanner.scan(&luma);
        let text = result
            .reads
            .first()
            .map(|r| r.text.clone())
            .context("no read")?;
        let v = verify(&text, &keys, &revocations, DISTRICT, Utc::now(), Some(0));
        anyhow::ensure!(v.pass.is_some(), "the bench pass did not verify");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(camera::quantile(&times, 0.5))
}

fn env_path(name: &str) -> anyhow::Result<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .with_context(|| format!("{name} is not set: run `cargo xtask bench app`"))
}

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; nothing to parse.
    let app = env_path("CHECKPOINT_APP_BIN")?;
    let live = env_path("CHECKPOINT_LIVEVIEW_BIN")?;
    let dir = tempfile::tempdir()?;
    let signer = DistrictSigner::generate(DISTRICT)?;
    let passes = passes(&signer, 6)?;
    let desktop_ledger = dir.path().join("desktop.db");
    enrolled_ledger(&desktop_ledger, &signer)?;

    // Cold start, under a private Xvfb display.
    let x = Xvfb::start()?;
    let display = x.display.clone();
    let mut cold = Vec::new();
    for run in 0..=COLD_RUNS {
        let s = cold_start(&app, &display, &desktop_ledger)?;
        // The first run warms the page cache (a "cold" process start, not a cold disk).
        if run > 0 {
            cold.push(s);
        }
    }
    cold.sort_by(f64::total_cmp);
    let cold_median = camera::quantile(&cold, 0.5);

    let desktop = desktop_memory(&app, &display, &desktop_ledger)?;
    let run = scan_run(&live, dir.path(), &passes)?;
    let floor = in_process_ms(&signer, &passes[0])?;
    let visits = visitor::run(&live, dir.path(), &desktop_ledger)?;
    let binaries = size::measured();
    let mut lat = run.latencies.clone();
    lat.sort_by(f64::total_cmp);
    anyhow::ensure!(!lat.is_empty(), "no verdict was measured");
    let (p50, p95) = (camera::quantile(&lat, 0.5), camera::quantile(&lat, 0.95));

    println!(
        "\napp bench (release builds; {} frames in {:.0} s, {} verdicts)",
        run.frames,
        run.seconds,
        lat.len()
    );
    println!(
        "{:<44} {:>10} {:>10} {:>28} {:>7}",
        "measure", "app", "goal", "peer (same run)", "ratio"
    );
    println!(
        "{:<44} {:>10.2} {:>10.2} {:>28} {:>7}",
        "cold start → scan-ready, desktop (s)",
        cold_median,
        GOAL_COLD_S,
        "—",
        format!("{:.2}×goal", cold_median / GOAL_COLD_S)
    );
    println!(
        "{:<44} {:>10.1} {:>10.1} {:>28} {:>7.2}",
        format!("RSS after {FRAMES} scans, desktop app (MB)"),
        desktop.after_mb.0,
        GOAL_RSS_MB,
        format!("{:.1} MB at scan-ready", desktop.ready_mb.0),
        desktop.after_mb.0 / desktop.ready_mb.0
    );
    println!(
        "{:<44} {:>10.1} {:>10.1} {:>28} {:>7.2}",
        format!("  + WebKit processes (MB)"),
        desktop.after_mb.1,
        GOAL_RSS_MB,
        format!("{:.1} MB at scan-ready", desktop.ready_mb.1),
        desktop.after_mb.1 / desktop.ready_mb.1
    );
    println!(
        "{:<44} {:>10.1} {:>10.1} {:>28} {:>7.2}",
        format!("RSS after {} scans, served app (MB)", run.frames),
        run.rss_after_mb,
        GOAL_RSS_MB,
        format!("{:.1} MB at scan-ready", run.rss_ready_mb),
        run.rss_after_mb / run.rss_ready_mb
    );
    println!(
        "{:<44} {:>10.0} {:>10.0} {:>28} {:>7.1}",
        "scan → verdict p50 (ms)",
        p50,
        "",
        format!("{floor:.1} ms decode+verify"),
        p50 / floor
    );
    println!(
        "{:<44} {:>10.0} {:>10.0} {:>28} {:>7.1}",
        "scan → verdict p95 (ms)",
        p95,
        GOAL_P95_MS,
        format!("{floor:.1} ms decode+verify"),
        p95 / floor
    );
    for (what, r) in [
        ("visitor, first visit", &visits.first),
        ("visitor, returning (1 tap fills)", &visits.returning),
    ] {
        println!(
            "{:<44} {:>10.2} {:>10} {:>28} {:>7.2}",
            format!("{what}: tab → verdict (s)"),
            r.median_s(),
            "",
            format!("{} taps, {} fields: {:.2} s", r.taps, r.fields, r.floor_s()),
            r.median_s() / r.floor_s()
        );
    }
    println!(
        "(every tap {} ms apart; the peer is the taps alone at that rate)",
        visitor::MS_PER_TAP
    );
    println!("peak RSS (VmHWM) of the served app: {:.1} MB", run.hwm_mb);
    for b in &binaries {
        println!(
            "release binary, {} {}: {:.1} MB as built, {} stripped",
            b.target,
            b.what,
            b.bytes as f64 / 1_048_576.0,
            b.stripped_bytes.map_or_else(
                || "—".into(),
                |n| format!("{:.1} MB", n as f64 / 1_048_576.0)
            )
        );
    }

    let path = std::env::var_os("CHECKPOINT_BENCH_DIR")
        .map(|d| PathBuf::from(d).join("app.json"))
        .unwrap_or_else(camera::bench_file);
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let mut doc: serde_json::Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| json!({}));
    for (k, v) in [
        ("cold_start_to_scan_ready_s", json!(cold_median)),
        ("cold_start_runs_s", json!(cold)),
        ("cold_start_goal_s", json!(GOAL_COLD_S)),
        ("rss_mb_after_1000_scans", json!(desktop.after_mb.0)),
        ("rss_mb_at_scan_ready", json!(desktop.ready_mb.0)),
        (
            "rss_mb_after_1000_scans_with_webkit",
            json!(desktop.after_mb.1),
        ),
        (
            "rss_mb_at_scan_ready_with_webkit",
            json!(desktop.ready_mb.1),
        ),
        ("desktop_1000_frames_s", json!(desktop.seconds)),
        ("liveview_rss_mb_after_1000_scans", json!(run.rss_after_mb)),
        ("liveview_rss_mb_at_scan_ready", json!(run.rss_ready_mb)),
        ("liveview_rss_peak_mb", json!(run.hwm_mb)),
        ("liveview_1000_frames_s", json!(run.seconds)),
        ("rss_goal_mb", json!(GOAL_RSS_MB)),
        ("frames_scanned", json!(run.frames)),
        ("scan_to_verdict_ms_p50", json!(p50)),
        ("scan_to_verdict_ms_p95", json!(p95)),
        ("scan_to_verdict_samples", json!(lat.len())),
        (
            "scan_to_verdict_source",
            json!("cargo xtask bench app (release liveview, headless Chromium)"),
        ),
        ("decode_verify_in_process_ms", json!(floor)),
        ("visitor_ms_per_tap", json!(visitor::MS_PER_TAP)),
        ("visitor_first_visit_s", json!(visits.first.median_s())),
        ("visitor_first_visit_runs_s", json!(visits.first.runs_s)),
        ("visitor_first_visit_taps", json!(visits.first.taps)),
        ("visitor_first_visit_fields", json!(visits.first.fields)),
        (
            "visitor_first_visit_taps_alone_s",
            json!(visits.first.floor_s()),
        ),
        ("visitor_returning_s", json!(visits.returning.median_s())),
        ("visitor_returning_runs_s", json!(visits.returning.runs_s)),
        ("visitor_returning_taps", json!(visits.returning.taps)),
        ("visitor_returning_fields", json!(visits.returning.fields)),
        (
            "visitor_returning_taps_alone_s",
            json!(visits.returning.floor_s()),
        ),
        (
            "release_binary_bytes",
            json!(binaries
                .iter()
                .map(
                    |b| json!({ "target": b.target, "what": b.what, "bytes": b.bytes,
                    "stripped_bytes": b.stripped_bytes })
                )
                .collect::<Vec<_>>()),
        ),
    ] {
        doc[k] = v;
    }
    std::fs::write(&path, serde_json::to_string_pretty(&doc)?)?;
    println!("wrote {}", path.display());
    Ok(())
}
