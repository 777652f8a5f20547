//! `cargo xtask bench …`: run one benchmark in release mode; each writes `target/bench/<name>.json`.

use clap::Subcommand;

use crate::system::{self, cargo, workspace_root};

#[derive(Debug, Clone, Subcommand)]
pub enum Which {
    /// Durable write latency vs raw write+fsync, counts query on 100k passages, bytes per passage.
    Ledger,
}

pub fn run(which: Which) -> anyhow::Result<()> {
    let out = workspace_root().join("target").join("bench");
    std::fs::create_dir_all(&out)?;
    match which {
        Which::Ledger => system::run(cargo()
            .args(["bench", "-p", "sync-core", "--features", "fixtures", "--bench", "ledger"])
            .env("CHECKPOINT_BENCH_DIR", &out)),
    }
}

