//! `district-server serve`: first start, optional demo seed, the retention purge, then the accept
//! loop (plain HTTP, or TLS from the config's PEM files) until Ctrl-C.

use std::net::SocketAddr;

use anyhow::{bail, Context};
use chrono::Utc;
use district_server::{app, demo, retention, setup, Config};

use super::announce;

/// What `serve` takes besides the config.
#[derive(Debug)]
pub struct ServeArgs {
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub seed_demo: bool,
    /// A config file was given (then its `public_url` stands unless overridden).
    pub from_file: bool,
}

pub async fn run(mut config: Config, args: ServeArgs) -> anyhow::Result<()> {
    let ServeArgs {
        listen,
        public_url,
        seed_demo,
        from_file,
    } = args;
    if let Some(l) = listen {
        config.listen = l;
    }
    match public_url {
        Some(u) => config.public_url = u,
        None if !from_file => {
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
    let addr: SocketAddr = state
        .config
        .listen
        .parse()
        .with_context(|| format!("--listen {:?} is not an address", state.config.listen))?;
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
    retention::spawn(state.store.clone(), state.config.retention_days);
    district_server::anomaly_panel::spawn(state.store.clone(), state.config.clone());
    let limits = state
        .config
        .serve_limits(district_server::serve::raise_open_files_limit());
    tracing::info!(?limits, "accept loop limits");
    district_server::serve::serve(listener, app(state), limits, tls, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}
