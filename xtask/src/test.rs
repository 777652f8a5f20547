//! `cargo xtask test`: install what the suite needs, then fmt, clippy and every test in the workspace.

use std::time::Instant;

use crate::system::{self, cargo, ensure_apt, APT_PACKAGES};

pub fn run() -> anyhow::Result<()> {
    let started = Instant::now();
    ensure_apt(APT_PACKAGES)?;
    system::run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    system::run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    system::run(cargo().args(["test", "--workspace", "--no-fail-fast"]))?;
    eprintln!(
        "xtask: all checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

