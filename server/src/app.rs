//! The whole HTTP application as one `Router`, testable without a socket.

use axum::Router;

use crate::state::AppState;

/// The device API, health endpoint, admin web and public self-registration.
pub fn app(state: AppState) -> Router {
    crate::api::routes()
        .merge(crate::web::routes())
        .with_state(state)
}
