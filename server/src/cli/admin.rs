//! `district-server admin …`: headless administration (passwords, compounds, checkpoints,
//! enrollment codes, resident import), each change audited.

use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::Utc;
use clap::Subcommand;
use district_server::auth::{enrollment_code, hash_token};
use district_server::passes::{import_residents, parse_import};
use district_server::setup;
use district_server::store::EnrollCode;
use district_server::AppState;
use sync_core::i18n::Lang;

#[derive(Debug, Subcommand)]
pub enum AdminAction {
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

/// Carry out one admin command.
pub async fn run(state: &AppState, action: AdminAction) -> anyhow::Result<()> {
    let store = &state.store;
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    match action {
        AdminAction::SetPassword { username } => match std::env::var("DISTRICT_ADMIN_PASSWORD") {
            Ok(password) => {
                setup::set_admin_password(store, &username, &password).await?;
                println!("password of {username} set");
            }
            Err(_) => {
                let password = setup::reset_admin(store, &username).await?;
                println!("new password of {username}: {password}");
            }
        },
        AdminAction::Compound { id, name } => {
            store.save_compound(&id, &name, "cli", now_ms).await?;
        }
        AdminAction::Checkpoint {
            id,
            compound,
            name,
            gates,
        } => {
            let cp = district_server::store::Checkpoint {
                id,
                compound_id: compound,
                name,
                gates,
            };
            store.save_checkpoint(&cp, "cli", now_ms).await?;
        }
        AdminAction::EnrollCode { checkpoint } => {
            if store.checkpoint(&checkpoint).await?.is_none() {
                bail!("no checkpoint {checkpoint}");
            }
            let code = enrollment_code()?;
            store
                .issue_enroll_code(&EnrollCode {
                    code_hash: &hash_token(&code),
                    checkpoint_id: &checkpoint,
                    created_by: "cli",
                    now_ms,
                    expires_at_ms: now_ms + 30 * 60_000,
                })
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
                import_residents(store, &state.signer, &compound, &rows, now, "cli").await?;
            println!("imported {} residents, issued {issued} passes", rows.len());
        }
    }
    Ok(())
}
