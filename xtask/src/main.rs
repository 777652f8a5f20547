//! `cargo xtask`: the project's commands (demo, test, bench), each installing what it needs and saying so.

mod android;
mod arm64;
mod bench;
mod cross;
mod demo;
mod demo_app;
mod demo_server;
mod disk;
mod postgres;
mod screenshots;
mod screenshots_server;
mod system;
mod test;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Checkpoint project commands")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the main job on embedded defaults.
    Demo,
    /// Run every test, plus `cargo fmt --check` and clippy with warnings denied.
    Test,
    /// Run a benchmark and write its JSON summary under target/bench/.
    Bench {
        #[command(subcommand)]
        which: bench::Which,
    },
    /// Render every app screen in zh-CN and en at phone size, and the district server's pages, into docs/screenshots/.
    Screenshots,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo => demo::run(),
        Command::Test => test::run(),
        Command::Bench { which } => bench::run(which),
        Command::Screenshots => screenshots::run(),
    }
}
