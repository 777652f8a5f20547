//! The whole HTTP application as one `Router`, testable without a socket.

use std::any::Any;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use sync_core::protocol::ErrorBody;
use tower_http::catch_panic::CatchPanicLayer;

use crate::state::AppState;

/// The device API, health endpoint, admin web and public self-registration.
///
/// The outermost layer turns a panic in any handler into a 500 for that request only: the
/// connection is answered and every other request keeps being served.
pub fn app(state: AppState) -> Router {
    let (router, _) = route_table().into_parts();
    router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::web::session::resolve,
        ))
        .with_state(state)
        .layer(CatchPanicLayer::custom(panic_response))
}

/// Every route of the application with its access level, as the router is built from them.
pub fn route_table() -> crate::route_table::Routes {
    crate::api::routes().merge(crate::web::routes())
}

/// The declared routes, for tests that walk all of them.
pub fn routes_declared() -> Vec<crate::route_table::RouteInfo> {
    route_table().into_parts().1
}

fn panic_response(payload: Box<dyn Any + Send + 'static>) -> Response {
    let message = crate::panics::panic_message(payload.as_ref());
    tracing::error!(panic = %message, "a request handler panicked; request failed, server kept");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(ErrorBody {
            code: "internal".into(),
            message: "internal error; the request was not applied".into(),
        }),
    )
        .into_response()
}
