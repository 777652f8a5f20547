//! Patrol screen events: read the config and the journal into the patrol state, append a step and
//! tell the state what the ledger answered, verify a scanned label, keep a camera still as the
//! problem's photo. The decisions live in `state::patrol`.

use chrono::Utc;
use dioxus::prelude::*;
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::services::patrol::{recent_steps, record_step};
use crate::services::Services;
use crate::state::patrol::PatrolAction;
use crate::state::recorded::Words;

/// Re-read the routes, the journal's patrol steps (waiting to upload, a round to resume) and the
/// round due now.
pub fn refresh(ctx: Ctx, services: &Services) {
    let now = Utc::now();
    let mut patrol = ctx.patrol;
    if let Some(c) = services.checkpoint_config() {
        patrol.write().reduce(PatrolAction::Config {
            checkpoint_id: c.checkpoint_id,
            routes: c.patrol_routes,
            utc_offset_minutes: c.utc_offset_minutes,
        });
    }
    let steps = match services.ledger() {
        Ok(l) => recent_steps(&l, now).unwrap_or_else(|e| {
            tracing::warn!("patrol steps unreadable: {e}");
            Vec::new()
        }),
        Err(e) => {
            tracing::warn!("{e}");
            Vec::new()
        }
    };
    patrol.write().reduce(PatrolAction::Ledger { steps, now });
    patrol.write().reduce(PatrolAction::Tick(now));
}

/// Apply an action; when it makes a step, append it and report the ledger's answer.
pub fn act(mut ctx: Ctx, services: &Services, action: PatrolAction) {
    let step = ctx.patrol.write().reduce(action);
    let Some(step) = step else {
        return;
    };
    let result = super::append_entry(ctx, services, |l, staff, offset, now| {
        record_step(l, &step, staff, offset, now)
    });
    ctx.patrol.write().reduce(PatrolAction::Appended {
        step: Box::new(step),
        result,
    });
}

/// Start a round of `route_id` now.
pub fn start(ctx: Ctx, services: &Services, route_id: String) {
    act(
        ctx,
        services,
        PatrolAction::Start {
            route_id,
            round_id: Uuid::now_v7(),
            now: Utc::now(),
        },
    );
}

/// A code read by the camera on the patrol screen: verify it as a point of this compound.
pub fn code(ctx: Ctx, services: &Services, text: &str) {
    let read = services.checker().check_point(text);
    act(ctx, services, PatrolAction::Scanned(read));
}

/// The still the camera took for a problem (a data URL), compressed and stored before any entry
/// names it.
pub fn still(ctx: Ctx, services: &Services, taken: Result<String, Words>) {
    let stored = super::store_still(services, taken);
    act(ctx, services, PatrolAction::Photo(stored));
}
