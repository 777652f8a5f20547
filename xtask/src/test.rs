//! `cargo xtask test`: install what the suite needs, then fmt, clippy and every test in the workspace.

use std::time::Instant;

use crate::disk;
use crate::postgres::{TempPostgres, PG_CA_ENV, PG_REQUIRED_ENV, PG_URL_ENV};
use crate::system::{self, cargo, ensure_apt, APT_PACKAGES};

/// The app's demo scenes (render tests, the screenshots' pages): in the test build, never in a
/// release build.
pub const APP_TEST_FEATURES: &str = "app/scenes";

pub fn run() -> anyhow::Result<()> {
    let started = Instant::now();
    ensure_apt(APT_PACKAGES)?;
    let root = system::workspace_root();
    disk::warn_if_short(&root);
    system::run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    system::run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--features",
        APP_TEST_FEATURES,
        "--",
        "-D",
        "warnings",
    ]))?;
    // The app's mobile code paths compile for Android (or a clear SKIPPED line says why not).
    crate::android::check()?;
    // The sync tests start real `district-server` processes: build the binary they run.
    system::run(cargo().args(["build", "-p", "district-server", "--bin", "district-server"]))?;
    // The server's storage and HTTP tests run on a real PostgreSQL too; stopped when `pg` drops.
    let pg = TempPostgres::start()?;
    system::run(
        cargo()
            .args(["test", "--workspace", "--no-fail-fast"])
            .args(["--features", APP_TEST_FEATURES])
            .env(PG_URL_ENV, pg.url())
            .env(PG_CA_ENV, pg.ca_path())
            .env(PG_REQUIRED_ENV, "1"),
    )?;
    drop(pg);
    disk::report(&root);
    eprintln!(
        "xtask: all checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
