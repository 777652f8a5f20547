//! `district-server`: command-line entry point of the district server (serve, admin, demo-seed).

mod cli;

use std::path::PathBuf;

use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use cli::admin::AdminAction;
use cli::announce;
use district_server::{demo, setup, Config};

/// The district server of the "one card, one code" checkpoint system.
#[derive(Debug, Parser)]
#[command(name = "district-server", version, about)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Common {
    /// Database URL: `sqlite:district.db` (default) or `postgres://…`.
    #[arg(long, env = "DISTRICT_DB", global = true)]
    db: Option<String>,
    /// A JSON config file (see server/API.md); flags and environment variables override it.
    #[arg(long, env = "DISTRICT_CONFIG", global = true)]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API, dashboard and self-registration pages.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "DISTRICT_LISTEN")]
        listen: Option<String>,
        /// The URL phones and visitors reach this server at (printed into QR codes).
        #[arg(long, env = "DISTRICT_PUBLIC_URL")]
        public_url: Option<String>,
        /// Seed the demo district first (a compound, 2 checkpoints, 50 residents, today's traffic).
        #[arg(long)]
        seed_demo: bool,
    },
    /// Seed the demo district into the database and exit.
    DemoSeed,
    /// Headless administration.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
}

fn load_config(common: &Common) -> anyhow::Result<Config> {
    let mut config = match &common.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    if let Some(db) = &common.db {
        config.db.clone_from(db);
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    let config = load_config(&cli.common)?;
    match cli.command {
        Command::Serve {
            listen,
            public_url,
            seed_demo,
        } => {
            let args = cli::serve::ServeArgs {
                listen,
                public_url,
                seed_demo,
                from_file: cli.common.config.is_some(),
            };
            cli::serve::run(config, args).await
        }
        Command::DemoSeed => {
            let (state, first) = setup::start(config).await?;
            announce(&first, &state.config);
            let n = demo::seed(
                &state.store,
                &state.signer,
                Utc::now(),
                state.config.utc_offset_minutes,
            )
            .await?;
            println!(
                "district-server: demo district seeded into {} ({n} passages added)",
                state.config.db_redacted()
            );
            println!(
                "district-server: a demo household letter's link (open it in a phone's browser, or paste it into the app's resident mode): {}/h/{}#fp={}",
                state.config.public_url.trim_end_matches('/'),
                demo::DEMO_HOUSEHOLD_TOKEN,
                state.root.fingerprint()
            );
            Ok(())
        }
        Command::Admin { action } => {
            let (state, first) = setup::start(config).await?;
            announce(&first, &state.config);
            cli::admin::run(&state, action).await
        }
    }
}
