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
    crate::api::routes()
        .merge(crate::web::routes())
        .with_state(state)
        .layer(CatchPanicLayer::custom(panic_response))
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
