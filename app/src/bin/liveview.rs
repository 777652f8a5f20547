//! `checkpoint-liveview`: serve the checkpoint app to a browser.
//! `CHECKPOINT_LISTEN` (default 127.0.0.1:8090) and `CHECKPOINT_LEDGER` choose the address and ledger file.

use anyhow::Context;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    dioxus::logger::initialize_default();
    let addr: std::net::SocketAddr = std::env::var("CHECKPOINT_LISTEN")
        .unwrap_or_else(|_| "127.0.0.1:8090".into())
        .parse()
        .context("CHECKPOINT_LISTEN must be an address like 127.0.0.1:8090")?;
    let path = checkpoint_app::platform::ledger_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let services =
        checkpoint_app::services::Services::open(&path, tokio::runtime::Handle::current())
            .with_context(|| format!("cannot open the ledger at {}", path.display()))?;
    checkpoint_app::platform::provision::enroll_from_env(&services).await?;
    checkpoint_app::platform::liveview::serve(services, addr)
        .await
        .with_context(|| format!("cannot serve on {addr}"))
}
