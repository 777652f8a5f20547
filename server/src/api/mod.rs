//! The device API under `/api/v1` and `/api/v2` (JSON; photos as JPEG) and `GET /health`; see
//! `server/API.md`.

mod body;
mod device;
mod household;
mod household_acts;
mod photos;

use axum::routing::{get, post, put};
use axum::Json;
use serde_json::{json, Value};

use crate::access::Access;
use crate::route_table::Routes;
use crate::state::AppState;

pub use body::read_body;

/// The device and household API: `Public` to the gate, because each handler checks the device's
/// or the household's token itself (a session cookie gives nothing here).
pub fn routes() -> Routes {
    use Access::Public;
    Routes::new()
        .get("/health", Public, get(health))
        .post("/api/v1/enroll", Public, post(device::enroll))
        .get("/api/v1/config", Public, get(device::config))
        .post("/api/v2/entries", Public, post(device::entries))
        .get("/api/v1/keys", Public, get(device::keys))
        .get("/api/v1/revocations", Public, get(device::revocations))
        .get("/api/v1/roster", Public, get(device::roster))
        .get("/api/v1/household", Public, get(household::bundle))
        .post(
            "/api/v1/household/checkins",
            Public,
            post(household_acts::checkins),
        )
        .get(
            "/api/v1/household/invitations",
            Public,
            get(household_acts::invitations),
        )
        .post(
            "/api/v1/household/invitations",
            Public,
            post(household_acts::invite),
        )
        .put("/api/v1/blobs/{sha256}", Public, put(photos::put))
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
