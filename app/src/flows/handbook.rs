//! Handbook screen events: read the sections from the signed config the last sync stored. The
//! decisions live in `state::handbook`.

use dioxus::prelude::*;

use crate::ctx::Ctx;
use crate::services::Services;
use crate::state::handbook::HandbookAction;

/// Re-read the handbook from the stored config (nothing changes before the first sync).
pub fn refresh(ctx: Ctx, services: &Services) {
    let mut handbook = ctx.handbook;
    if let Some(c) = services.checkpoint_config() {
        if c.handbook != handbook.peek().sections {
            handbook.write().reduce(HandbookAction::Loaded(c.handbook));
        }
    }
}
