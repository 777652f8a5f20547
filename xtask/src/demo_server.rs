//! The district server part of `cargo xtask demo`: a fresh seeded demo district on embedded SQLite.

use std::process::{Child, Command};

use anyhow::Context;

use crate::system::{self, cargo, workspace_root};

/// The demo admin's password (a demo database only; set on every run).
pub const DEMO_ADMIN_PASSWORD: &str = "demo-admin-8080";
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
    eprintln!("xtask demo: starting the district server on http://{LISTEN}");
    let child = Command::new(&exe)
        .args(["--db", &db, "serve", "--listen", LISTEN])
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    std::thread::sleep(std::time::Duration::from_secs(2));
    eprintln!(
        "\n  Dashboard:   http://{LISTEN}/admin\n  Admin login: admin / {DEMO_ADMIN_PASSWORD}\n  Card sheets: http://{LISTEN}/admin/cards\n  Visitor self-registration: http://{LISTEN}/register/cp-east\n"
    );
    Ok(child)
}

pub fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}
