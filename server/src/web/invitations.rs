//! The invited visitor's link (`GET /v/{token}`, public): the pass a household's invitation issued,
//! as a large QR code for the visitor's phone. Only the token's hash is stored.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use sync_core::render::qr_svg;

use super::WebError;
use crate::auth::hash_token;
use crate::state::AppState;

/// `GET /v/{token}`
pub async fn visitor_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let inv = state
        .store
        .invitation_by_token(&hash_token(&token))
        .await?
        .ok_or(WebError::NotFound)?;
    let qr = qr_svg(&inv.payload).map_err(|e| WebError::Internal(e.to_string()))?;
    let compound = state
        .store
        .compounds()
        .await?
        .into_iter()
        .find(|c| c.0 == inv.compound_id)
        .map_or_else(|| inv.compound_id.clone(), |c| c.1);
    let html = state.templates.render(
        "invitation_pass.html",
        context! {
            district_name => state.config.district_name.clone(), compound,
            household => inv.household, day => inv.day, name => inv.name,
            plate => inv.plate, pass_id => inv.pass_id, qr,
        },
    )?;
    Ok(Html(html).into_response())
}
