//! The district server part of `cargo xtask demo`: a fresh seeded demo district on embedded SQLite.

use std::process::{Child, Command};

use anyhow::Context;

use crate::system::{self, cargo, workspace_root};

/// The demo admin's password (a demo database only; set on every run).
pub const DEMO_ADMIN_PASSWORD: &str = "demo-admin-8080";
/// The demo team's password (the server's `demo::DEMO_TEAM_PASSWORD`; xtask does not link the server).
const DEMO_TEAM_PASSWORD: &str = "demo-team-8080";
const LISTEN: &str = "127.0.0.1:8080";

/// Build, seed and start the server in the background; prints the dashboard URL and login.
pub fn start() -> anyhow::Result<Child> {
    system::run(cargo().args(["build", "--quiet", "-p", "district-server"]))?;
    let exe = workspace_root()
        .join("target")
        .join("debug")
        .join("district-server");
    let dir = workspace_root().join("target").join("demo");
    std::fs::create_dir_all(&dir)?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("district.db{suffix}")));
    }
    let db = format!("sqlite:{}", dir.join("district.db").display());
    eprintln!("xtask demo: seeding a demo district (1 compound, 2 checkpoints, 50 residents with passes, today's traffic) into {db}");
    system::run(Command::new(&exe).args(["--db", &db, "demo-seed"]))?;
    system::run(
        Command::new(&exe)
            .args(["--db", &db, "admin", "set-password", "--username", "admin"])
            .env("DISTRICT_ADMIN_PASSWORD", DEMO_ADMIN_PASSWORD),
    )?;
    eprintln!("xtask demo: the admin password is now the demo one below (the random first-start one no longer works)");
    eprintln!("xtask demo: starting the district server on http://{LISTEN}");
    let mut child = Command::new(&exe)
        .args(["--db", &db, "serve", "--listen", LISTEN])
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    wait_healthy(&mut child)?;
    eprintln!(
        "\n  Dashboard:   http://{LISTEN}/admin\n  Admin login: admin / {DEMO_ADMIN_PASSWORD} (district administrator)\n  The team (password {DEMO_TEAM_PASSWORD}): manager-c1 (阳光小区), manager-c2 (和平小区), observer (reads only)\n  Card sheets: http://{LISTEN}/admin/cards\n  Visitor self-registration: http://{LISTEN}/register/cp-east\n  Staff sign-on at the phone (duty screen): 王师傅 PIN 1234, 刘志愿者 PIN 5678 (or their staff passes: http://{LISTEN}/admin/staff)\n  A resident's phone: the household letter link printed above (passes, daily check-in; the app's resident mode also invites visitors); check-ins: http://{LISTEN}/admin/health\n"
    );
    Ok(child)
}

/// Wait until `GET /health` answers 200 (a raw request: xtask has no HTTP client), at most 60 s.
fn wait_healthy(child: &mut Child) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(60) {
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("the district server exited with {status} (is {LISTEN} in use?)");
        }
        if let Ok(mut s) = std::net::TcpStream::connect(LISTEN) {
            let mut answer = String::new();
            let asked = s
                .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            if asked.is_ok()
                && s.read_to_string(&mut answer).is_ok()
                && answer.starts_with("HTTP/1.1 200")
            {
                return Ok(());
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    stop(child);
    anyhow::bail!("the district server did not answer http://{LISTEN}/health within 60 s")
}

pub fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}
