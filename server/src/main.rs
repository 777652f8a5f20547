//! `district-server`: command-line entry point of the district server.

use clap::{Parser, Subcommand};

/// The district server of the "one card, one code" checkpoint system.
#[derive(Debug, Parser)]
#[command(name = "district-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API, dashboard and self-registration pages.
    Serve {
        /// Database URL: `sqlite:district.db` (default) or `postgres://…`.
        #[arg(long, env = "DISTRICT_DB", default_value = "sqlite:district.db")]
        db: String,
        /// Address to listen on.
        #[arg(long, env = "DISTRICT_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { db, listen } => {
            anyhow::bail!(
                "serving is not built yet (db {db}, listen {listen}); see the server issue"
            )
        }
    }
}
