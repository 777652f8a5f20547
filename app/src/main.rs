//! The checkpoint app's entry point: opens the ledger and launches the UI on the platform chosen by cargo feature.

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    tracing_subscriber_init();
    let path = checkpoint_app::platform::ledger_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // The sync engine's runtime; the UI runs on the platform's own event loop.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the background runtime")?;
    let services = checkpoint_app::services::Services::open(&path, runtime.handle().clone())
        .with_context(|| format!("cannot open the ledger at {}", path.display()))?;
    runtime.block_on(checkpoint_app::platform::provision::enroll_from_env(
        &services,
    ))?;
    run(services);
    drop(runtime);
    Ok(())
}

#[cfg(feature = "desktop")]
fn run(services: checkpoint_app::services::Services) {
    checkpoint_app::platform::desktop::launch(services);
}

#[cfg(all(feature = "mobile", not(feature = "desktop")))]
fn run(services: checkpoint_app::services::Services) {
    use dioxus::prelude::*;
    #[allow(non_snake_case)]
    fn MobileApp() -> Element {
        let services = use_context::<checkpoint_app::services::Services>();
        rsx! { checkpoint_app::app::Root { services } }
    }
    LaunchBuilder::mobile()
        .with_context(services)
        .launch(MobileApp);
}

#[cfg(not(any(feature = "desktop", feature = "mobile")))]
fn run(_services: checkpoint_app::services::Services) {
    eprintln!("built without a window platform: enable the `desktop` or `mobile` feature, or run `checkpoint-liveview`");
}

fn tracing_subscriber_init() {
    dioxus::logger::initialize_default();
}
