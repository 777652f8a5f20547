//! `district-server`: command-line entry point of the district server (serve, admin, demo-seed).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::{Duration, Utc};
use clap::{Args, Parser, Subcommand};
use district_server::auth::{enrollment_code, hash_token};
use district_server::passes::{import_residents, parse_import};
use district_server::setup::{self, FirstStart};
use district_server::{app, demo, Config};
use sync_core::i18n::Lang;

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

#[derive(Debug, Subcommand)]
enum AdminAction {
    /// Set an admin's password (read from DISTRICT_ADMIN_PASSWORD, or a new random one is printed).
    SetPassword {
        #[arg(long, default_value = "admin")]
        username: String,
    },
    /// Add or change a compound.
    Compound { id: String, name: String },
    /// Add or change a checkpoint: `checkpoint ID COMPOUND NAME --gate G…`.
    Checkpoint {
        id: String,
        compound: String,
        name: String,
        #[arg(long = "gate")]
        gates: Vec<String>,
    },
    /// Print a one-time device enrollment code for a checkpoint (valid 30 minutes).
    /// Print a one-time enrollment code (stdout) and the district root key fingerprint the
    /// enrollment QR carries (stderr, `root fingerprint: …`).
    EnrollCode { checkpoint: String },
    /// Import residents from a CSV file and issue their passes.
    ImportResidents { compound: String, file: PathBuf },
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

fn announce(first: &FirstStart, config: &Config) {
    if let Some(key_id) = &first.new_key_id {
        println!("district-server: first start: created the district signing key {key_id}");
    }
    if let Some((user, password)) = &first.new_admin {
        println!(
            "district-server: first start: admin login at {}/admin/login\n  username: {user}\n  password: {password}\n  (shown once; change it with `district-server admin set-password`)",
            config.public_url.trim_end_matches('/')
        );
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    let mut config = load_config(&cli.common)?;
    match cli.command {
        Command::Serve {
            listen,
            public_url,
            seed_demo,
        } => {
            if let Some(l) = listen {
                config.listen = l;
            }
            match public_url {
                Some(u) => config.public_url = u,
                None if cli.common.config.is_none() => {
                    config.public_url = format!("http://{}", config.listen);
                }
                None => {}
            }
            let (state, first) = setup::start(config).await?;
            println!(
                "district-server: effective config (secrets hidden):\n{}",
                state.config.describe()
            );
            announce(&first, &state.config);
            if seed_demo {
                let n = demo::seed(
                    &state.store,
                    &state.signer,
                    Utc::now(),
                    state.config.utc_offset_minutes,
                )
                .await?;
                println!("district-server: demo district seeded ({n} passages added)");
            }
            let addr: SocketAddr =
                state.config.listen.parse().with_context(|| {
                    format!("--listen {:?} is not an address", state.config.listen)
                })?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let tls = match (&state.config.tls_cert, &state.config.tls_key) {
                (Some(cert), Some(key)) => Some(district_server::tls::server_config(
                    std::path::Path::new(cert),
                    std::path::Path::new(key),
                )?),
                (None, None) => None,
                _ => bail!("set both tls_cert and tls_key, or neither"),
            };
            let scheme = if tls.is_some() { "https" } else { "http" };
            println!(
                "district-server: listening on {scheme}://{addr} (dashboard {}/admin)",
                state.config.public_url.trim_end_matches('/')
            );
            let retention = (state.store.clone(), state.config.retention_days);
            tokio::spawn(async move {
                loop {
                    let now = Utc::now();
                    let cutoff = now - Duration::days(i64::from(retention.1));
                    match retention
                        .0
                        .purge_before(cutoff.timestamp_millis(), now.timestamp_millis())
                        .await
                    {
                        Ok(p) if p.total() == 0 => {}
                        Ok(p) => tracing::info!(?p, "retention: old records deleted"),
                        Err(e) => tracing::error!(error = %e, "retention purge failed"),
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                }
            });
            let limits = state
                .config
                .serve_limits(district_server::serve::raise_open_files_limit());
            tracing::info!(?limits, "accept loop limits");
            district_server::serve::serve(listener, app(state), limits, tls, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await;
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
        }
        Command::Admin { action } => {
            let (state, first) = setup::start(config).await?;
            announce(&first, &state.config);
            let store = &state.store;
            let now = Utc::now();
            let now_ms = now.timestamp_millis();
            match action {
                AdminAction::SetPassword { username } => {
                    match std::env::var("DISTRICT_ADMIN_PASSWORD") {
                        Ok(password) => {
                            setup::set_admin_password(store, &username, &password).await?;
                            println!("password of {username} set");
                        }
                        Err(_) => {
                            let password = setup::reset_admin(store, &username).await?;
                            println!("new password of {username}: {password}");
                        }
                    }
                }
                AdminAction::Compound { id, name } => {
                    store.upsert_compound(&id, &name).await?;
                    store
                        .audit("cli", "compound", &format!("saved compound {id}"), now_ms)
                        .await?;
                }
                AdminAction::Checkpoint {
                    id,
                    compound,
                    name,
                    gates,
                } => {
                    let cp = district_server::store::Checkpoint {
                        id: id.clone(),
                        compound_id: compound,
                        name,
                        gates,
                    };
                    store.upsert_checkpoint(&cp, now_ms).await?;
                    store
                        .audit(
                            "cli",
                            "checkpoint",
                            &format!("saved checkpoint {id}"),
                            now_ms,
                        )
                        .await?;
                }
                AdminAction::EnrollCode { checkpoint } => {
                    if store.checkpoint(&checkpoint).await?.is_none() {
                        bail!("no checkpoint {checkpoint}");
                    }
                    let code = enrollment_code()?;
                    store
                        .create_enroll_code(
                            &hash_token(&code),
                            &checkpoint,
                            "cli",
                            now_ms,
                            now_ms + 30 * 60_000,
                        )
                        .await?;
                    store
                        .audit(
                            "cli",
                            "enroll_code",
                            &format!("enrollment code for checkpoint {checkpoint}"),
                            now_ms,
                        )
                        .await?;
                    // For enrolling by hand or from a script: the QR carries it, typed codes don't.
                    eprintln!("root fingerprint: {}", state.root.fingerprint());
                    println!("{code}");
                }
                AdminAction::ImportResidents { compound, file } => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    let rows = match parse_import(&text, Lang::En) {
                        Ok(rows) => rows,
                        Err(errors) => {
                            for e in &errors {
                                eprintln!("line {}: {}", e.line, e.message);
                            }
                            bail!("{} problems; nothing was imported", errors.len());
                        }
                    };
                    let issued =
                        import_residents(store, &state.signer, &compound, &rows, now).await?;
                    store
                        .audit(
                            "cli",
                            "import",
                            &format!(
                                "imported {} residents into {compound}; issued {issued} passes",
                                rows.len()
                            ),
                            now_ms,
                        )
                        .await?;
                    println!("imported {} residents, issued {issued} passes", rows.len());
                }
            }
        }
    }
    Ok(())
}
