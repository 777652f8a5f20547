//! `cargo xtask bench …`: run one benchmark in release mode; each writes `target/bench/<name>.json`.

use clap::Subcommand;

use crate::system::{self, cargo, workspace_root};

#[derive(Debug, Clone, Subcommand)]
pub enum Which {
    /// Durable write latency vs raw write+fsync, counts query on 100k passages, bytes per passage.
    Ledger,
    /// QR scan pipeline vs zxing-cpp (installed by this command into a venv under target/) on real photos
    /// and generated pass frames; also pass-verification time.
    Scan {
        /// Images with `N.txt` expected text beside them (default: ../shared/qr-corpus/zxing).
        #[arg(long)]
        corpus: Option<std::path::PathBuf>,
    },
    /// District server ingest over loopback on SQLite and PostgreSQL vs a raw PostgreSQL COPY,
    /// and 1,000 simulated devices' batch latency, in process and through HAProxy to two server
    /// processes (starts a throwaway PostgreSQL).
    Server,
    /// The checkpoint app: cold start to scan-ready (desktop release build, Xvfb), RSS after 1,000
    /// camera frames and scan-to-verdict latency (release liveview in headless Chromium).
    App,
    /// The hostile-input campaign (generated batches and URLs) on SQLite and PostgreSQL: cases per
    /// second and total cases, with zero server failures (starts a throwaway PostgreSQL).
    Attack,
    /// The gate with a 15,000-pass compound roster: verdict time of the scanned and typed paths,
    /// roster bytes in the device ledger, the sync round with the full roster and with a delta.
    Gate,
    /// A 100k-passage backlog drained to fresh servers (SQLite, PostgreSQL) vs one POST per record,
    /// bytes on the wire, and 50 devices x 2,000 passages through a flapping proxy.
    Sync,
}

/// A Python with the `zxing-cpp` package: a venv under target/bench, created and filled on first use.
fn zxing_python(out: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    let venv = out.join("zxing-venv");
    let python = venv.join("bin").join("python");
    let ready = |py: &std::path::Path| {
        std::process::Command::new(py)
            .args(["-c", "import zxingcpp, numpy"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !ready(&python) {
        eprintln!(
            "xtask: installing the peer decoder: zxing-cpp 3.1.1 and numpy from PyPI into {}",
            venv.display()
        );
        system::run(
            std::process::Command::new("python3")
                .arg("-m")
                .arg("venv")
                .arg(&venv),
        )?;
        system::run(std::process::Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "zxing-cpp==3.1.1",
            "numpy",
        ]))?;
    }
    Ok(python)
}

pub fn run(which: Which) -> anyhow::Result<()> {
    let out = workspace_root().join("target").join("bench");
    std::fs::create_dir_all(&out)?;
    match which {
        Which::Ledger => system::run(
            cargo()
                .args([
                    "bench",
                    "-p",
                    "sync-core",
                    "--features",
                    "fixtures",
                    "--bench",
                    "ledger",
                ])
                .env("CHECKPOINT_BENCH_DIR", &out),
        ),
        Which::App => {
            system::run(cargo().args(["build", "--release", "-p", "app", "--bins"]))?;
            let release = workspace_root().join("target").join("release");
            let mut bench = cargo();
            bench
                .args(["bench", "-p", "app", "--bench", "app"])
                .env("CHECKPOINT_BENCH_DIR", &out)
                .env("CHECKPOINT_APP_BIN", release.join("checkpoint"))
                .env(
                    "CHECKPOINT_LIVEVIEW_BIN",
                    release.join("checkpoint-liveview"),
                );
            if let Some(arm64) = crate::arm64::liveview()? {
                bench.env("CHECKPOINT_LIVEVIEW_ARM64_BIN", arm64);
            }
            system::run(&mut bench)
        }
        Which::Server => {
            let pg = crate::postgres::TempPostgres::start()?;
            for part in ["patrol", "duty", "health", "records"] {
                system::run(
                    cargo()
                        .args(["bench", "-p", "district-server", "--bench", part])
                        .env("CHECKPOINT_BENCH_DIR", &out)
                        .env(crate::postgres::PG_URL_ENV, pg.url()),
                )?;
            }
            system::run(
                cargo()
                    .args(["bench", "-p", "district-server", "--bench", "server"])
                    .env("CHECKPOINT_BENCH_DIR", &out)
                    .env(crate::postgres::PG_URL_ENV, pg.url()),
            )?;
            system::ensure_apt(&[(
                "haproxy",
                "the load balancer in front of two server instances for the fleet bench",
            )])?;
            system::run(cargo().args([
                "build",
                "--release",
                "-p",
                "district-server",
                "--bin",
                "district-server",
            ]))?;
            system::run(
                cargo()
                    .args(["bench", "-p", "checkpoint-tests", "--bench", "fleet"])
                    .env("CHECKPOINT_BENCH_DIR", &out)
                    .env(
                        "CHECKPOINT_SERVER_BIN",
                        workspace_root().join("target/release/district-server"),
                    )
                    .env(crate::postgres::PG_URL_ENV, pg.url()),
            )
        }
        Which::Gate => {
            system::run(cargo().args([
                "build",
                "--release",
                "-p",
                "district-server",
                "--bin",
                "district-server",
            ]))?;
            system::run(
                cargo()
                    .args(["bench", "-p", "app", "--bench", "gate"])
                    .env("CHECKPOINT_BENCH_DIR", &out)
                    .env(
                        "CHECKPOINT_SERVER_BIN",
                        workspace_root().join("target/release/district-server"),
                    ),
            )
        }
        Which::Attack => {
            let pg = crate::postgres::TempPostgres::start()?;
            system::run(
                cargo()
                    .args(["bench", "-p", "checkpoint-tests", "--bench", "attack"])
                    .env("CHECKPOINT_BENCH_DIR", &out)
                    .env(crate::postgres::PG_URL_ENV, pg.url()),
            )
        }
        Which::Sync => {
            system::run(cargo().args([
                "build",
                "--release",
                "-p",
                "district-server",
                "--bin",
                "district-server",
            ]))?;
            let server_bin = workspace_root().join("target/release/district-server");
            let pg = crate::postgres::TempPostgres::start()?;
            system::run(
                cargo()
                    .args(["bench", "-p", "checkpoint-tests", "--bench", "sync"])
                    .env("CHECKPOINT_BENCH_DIR", &out)
                    .env("CHECKPOINT_SERVER_BIN", &server_bin)
                    .env(crate::postgres::PG_URL_ENV, pg.url()),
            )?;
            eprintln!(
                "xtask: 50 devices x 2,000 passages through a flapping proxy (release build)"
            );
            system::run(
                cargo()
                    .args([
                        "test",
                        "--release",
                        "-p",
                        "checkpoint-tests",
                        "--test",
                        "sync_multi",
                    ])
                    .args(["--", "--nocapture"])
                    .env("CHECKPOINT_SERVER_BIN", &server_bin)
                    .env("CHECKPOINT_SYNC_PER_DEVICE", "2000"),
            )
        }
        Which::Scan { corpus } => {
            let corpus = corpus.unwrap_or_else(|| {
                workspace_root()
                    .join("..")
                    .join("shared")
                    .join("qr-corpus")
                    .join("zxing")
            });
            let python = zxing_python(&out)?;
            system::run(
                cargo()
                    .args([
                        "bench",
                        "-p",
                        "sync-core",
                        "--features",
                        "fixtures",
                        "--bench",
                        "scan",
                    ])
                    .env("CHECKPOINT_BENCH_DIR", &out)
                    .env("CHECKPOINT_SCAN_CORPUS", corpus)
                    .env("CHECKPOINT_ZXING_PYTHON", python),
            )
        }
    }
}
