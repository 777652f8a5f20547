//! The app part of `cargo xtask demo`: a fresh device ledger enrolled to the seeded demo district with a
//! new one-time code, then the desktop window (with a display) or the app served to a browser (without).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::system::{self, cargo, workspace_root};

/// The demo district's east gate checkpoint (seeded by `district-server demo-seed`).
const CHECKPOINT: &str = "cp-east";
const SERVER_URL: &str = "http://127.0.0.1:8080";
const APP_LISTEN: &str = "127.0.0.1:8090";

/// The dashboard's enrollment QR text for a fresh code (what the app would scan from the dashboard).
fn enrollment_qr() -> anyhow::Result<String> {
    let exe = workspace_root().join("target/debug/district-server");
    let db = format!(
        "sqlite:{}",
        workspace_root().join("target/demo/district.db").display()
    );
    let out = Command::new(&exe)
        .args(["--db", &db, "admin", "enroll-code", CHECKPOINT])
        .output()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    anyhow::ensure!(
        out.status.success(),
        "enroll-code failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = String::from_utf8_lossy(&out.stdout)
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
        .context("enroll-code printed no code")?;
    // Pin the district root key as the dashboard's QR would.
    let root = String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("root fingerprint: "))
        .map(str::trim)
        .map(str::to_owned)
        .context("enroll-code printed no root fingerprint")?;
    Ok(format!(
        r#"{{"server":"{SERVER_URL}","code":"{code}","root":"{root}"}}"#
    ))
}

/// Enroll a fresh demo ledger and run the app until it is closed (or Ctrl-C).
pub fn run() -> anyhow::Result<()> {
    let ledger = workspace_root().join("target/demo/app-ledger.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", ledger.display()));
    }
    let qr = enrollment_qr()?;
    eprintln!(
        "xtask demo: the app enrolls a fresh device ledger ({}) at checkpoint {CHECKPOINT} with a new one-time code",
        ledger.display()
    );
    let display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let mut cmd = cargo();
    cmd.env("CHECKPOINT_LEDGER", &ledger)
        .env("CHECKPOINT_ENROLL", &qr)
        .env("CHECKPOINT_STAFF", "演示值守员");
    if display {
        eprintln!(
            "xtask demo: opening the checkpoint app (desktop window); close it to stop the demo"
        );
        cmd.args(["run", "--quiet", "-p", "app", "--bin", "checkpoint"]);
    } else {
        eprintln!(
            "xtask demo: no display found (DISPLAY unset): serving the app to a browser instead; building it first"
        );
        system::run(cargo().args([
            "build",
            "--quiet",
            "-p",
            "app",
            "--bin",
            "checkpoint-liveview",
        ]))?;
        cmd.args([
            "run",
            "--quiet",
            "-p",
            "app",
            "--bin",
            "checkpoint-liveview",
        ])
        .env("CHECKPOINT_LISTEN", APP_LISTEN);
        return serve_when_ready(&mut cmd);
    }
    system::run(&mut cmd)
}

/// Start the browser-served app, print its address once it answers (not before: a click on a
/// link that does not answer yet is a bad first impression), and wait for it to end.
fn serve_when_ready(cmd: &mut Command) -> anyhow::Result<()> {
    eprintln!("xtask: running {cmd:?}");
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("the app stopped before it answered ({status})");
        }
        if answers(APP_LISTEN) {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            anyhow::bail!("the app did not answer on http://{APP_LISTEN}/home within 300 s");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    eprintln!(
        "\n  Checkpoint app: http://{APP_LISTEN}/home   (open it in a browser on this machine; allow the camera)\n  Press Ctrl-C to stop the demo.\n"
    );
    let status = child.wait()?;
    if !status.success() {
        anyhow::bail!("the app ended with {status}");
    }
    Ok(())
}

/// Does an HTTP server answer `GET /home` at `addr`?
fn answers(addr: &str) -> bool {
    let Ok(addr) = addr.parse() else {
        return false;
    };
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = "GET /home HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut first = [0u8; 12];
    stream.read_exact(&mut first).is_ok() && first.starts_with(b"HTTP/1.")
}
