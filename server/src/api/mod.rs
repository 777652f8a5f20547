//! The device API under `/api/v1` and `/api/v2` (JSON; photos as JPEG) and `GET /health`; see
//! `server/API.md`.

mod body;
mod device;
mod household;
mod household_acts;
mod photos;

use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::state::AppState;

pub use body::read_body;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/api/v1/enroll", post(device::enroll))
        .route("/api/v1/config", get(device::config))
        .route("/api/v2/entries", post(device::entries))
        .route("/api/v1/keys", get(device::keys))
        .route("/api/v1/revocations", get(device::revocations))
        .route("/api/v1/roster", get(device::roster))
        .route("/api/v1/household", get(household::bundle))
        .route("/api/v1/household/checkins", post(household_acts::checkins))
        .route(
            "/api/v1/household/invitations",
            get(household_acts::invitations).post(household_acts::invite),
        )
        .route("/api/v1/blobs/{sha256}", put(photos::put))
}

async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> Json<Value> {
    let db_ok = state.store.setting("district_id").await.is_ok();
    Json(json!({
        "status": if db_ok { "ok" } else { "degraded" },
        "database": state.store.kind(),
        "database_ok": db_ok,
        "server_time": chrono::Utc::now(),
    }))
}
