//! Duty screen events: the roster from the signed config, a PIN or a staff pass turned into a
//! sign-on, a sign-off; the entries appended as the staff they are about; who is on duty and the
//! PIN guard kept in the ledger; every later entry carries the staff member on duty. The
//! decisions live in `state::duty`.

use chrono::Utc;
use dioxus::prelude::*;
use sync_core::protocol::CheckpointConfig;

use crate::ctx::Ctx;
use crate::ports::PassKindView;
use crate::services::duty::{keep_guard, keep_on_duty, record_events, restore};
use crate::services::Services;
use crate::state::duty::{DutyAction, DutyState};
use crate::state::recorded::Words;
use crate::state::settings::Prefs;

/// Who is on duty and the PIN guard as the phone kept them (for the app's start).
pub fn restored(services: &Services) -> DutyState {
    let mut state = DutyState::default();
    match services.with_ledger(|l| restore(l)) {
        Ok((on_duty, guard)) => {
            state.reduce(DutyAction::Restored { on_duty, guard });
        }
        Err(e) => tracing::warn!("duty state unreadable: {e}"),
    }
    state
}

/// Bring the roster in line with the stored config (called with the once-a-second refresh).
pub fn refresh(ctx: Ctx, config: Option<&CheckpointConfig>) {
    let Some(c) = config else {
        return;
    };
    let mut duty = ctx.duty;
    let stale = {
        let d = duty.peek();
        d.roster != c.staff || d.checkpoint_id != c.checkpoint_id
    };
    if stale {
        duty.write().reduce(DutyAction::Roster {
            roster: c.staff.clone(),
            checkpoint_id: c.checkpoint_id.clone(),
            offset_minutes: c.utc_offset_minutes,
        });
    }
}

/// A code read by the duty screen's camera: a valid staff pass signs its holder on.
pub fn pass_read(ctx: Ctx, services: &Services, payload: &str) {
    let now = Utc::now();
    let checked = services.checker().check(payload, now);
    let read = match (checked.denied, checked.kind) {
        (None, PassKindView::Staff) => Ok((checked.pass_id, checked.display_name)),
        (None, _) => Err(Words {
            zh: "这不是工作证：请刷工作证，或选择姓名输入密码".into(),
            en: "Not a staff pass: show a staff pass, or pick your name and type your PIN".into(),
        }),
        (Some(_), _) => Err(Words {
            zh: checked.message_zh,
            en: checked.message_en,
        }),
    };
    act(ctx, services, DutyAction::PassRead { read, now });
}

/// Apply an action; keep the PIN guard; append the entries it asks for; then who is on duty.
pub fn act(mut ctx: Ctx, services: &Services, action: DutyAction) {
    let guard_before = ctx.duty.peek().guard;
    let asked = ctx.duty.write().reduce(action);
    let guard = ctx.duty.peek().guard;
    if guard != guard_before {
        if let Err(e) = services.with_ledger(|l| keep_guard(l, &guard)) {
            tracing::warn!("PIN guard not kept: {e}");
        }
    }
    let Some(request) = asked else {
        return;
    };
    let appended = super::append_entry(ctx, services, |l, _staff, offset, now| {
        Ok(record_events(l, &request.events, offset, now))
    });
    let (stored, result) = appended.unwrap_or_else(|words| (0, Err(words)));
    ctx.duty
        .write()
        .reduce(DutyAction::Recorded { stored, result });
    let on = ctx.duty.peek().on_duty.clone();
    if let Err(e) = services.with_ledger(|l| keep_on_duty(l, on.as_ref())) {
        tracing::error!("who is on duty not kept: {e}");
    }
}

/// The name entries carry: the staff member on duty, or the phone's own name when nobody is
/// (for handlers: it does not subscribe the caller).
pub fn staff_name(ctx: Ctx) -> String {
    staff_of(&ctx.duty.peek(), &ctx.prefs.peek())
}

/// The same name from the two states that hold its parts (a view passes what it `read`s).
pub fn staff_of(duty: &DutyState, prefs: &Prefs) -> String {
    duty.on_duty
        .as_ref()
        .map_or_else(|| prefs.staff.clone(), |o| o.name.clone())
}
