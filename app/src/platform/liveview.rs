//! The browser-served mode: the same components rendered on this machine and shown in any browser
//! over a WebSocket (dioxus-liveview + axum). Used by the end-to-end test and by a laptop at a gate.

use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use dioxus::prelude::*;
use dioxus_liveview::LiveviewRouter;

use crate::app::{Root, RootProps};
use crate::services::Services;

/// The axum router serving the app under `/` (open `/home`; the bare `/` redirects there).
pub fn router(services: Services) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/home") }))
        .with_virtual_dom("/", move || {
            VirtualDom::new_with_props(
                LiveRoot,
                RootProps {
                    services: services.clone(),
                    start_path: None,
                    seed: None,
                },
            )
        })
}

/// Liveview handles events asynchronously, so a handler's `prevent_default()` comes too late for a
/// form: the browser would submit it (a GET of the same page) and drop the session. Every form of the
/// app is handled in Rust, so the page never submits one itself.
const KEEP_FORMS_IN_PAGE: &str = "if (!window.__cpForms) { window.__cpForms = true; \
    document.addEventListener('submit', (e) => e.preventDefault(), true); }";

#[allow(non_snake_case)]
fn LiveRoot(props: RootProps) -> Element {
    use_hook(|| {
        let _ = document::eval(KEEP_FORMS_IN_PAGE);
    });
    Root(props)
}

/// Serve until the process ends; prints the URL once the socket is bound (port 0 picks a free one).
pub async fn serve(services: Services, addr: std::net::SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("checkpoint app: open http://{local}/home");
    axum::serve(listener, router(services).into_make_service()).await
}
