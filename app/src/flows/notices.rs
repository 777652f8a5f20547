//! Notice events: the board read from the signed config after every sync, the receipts read from
//! the journal once, and a tap on "acknowledge" recorded as a `notice_ack` entry. The decisions
//! live in `state::notices`.

use dioxus::prelude::*;
use sync_core::notice::NoticeBoard;
use sync_core::protocol::CheckpointConfig;

use crate::ctx::Ctx;
use crate::services::notices::{read_receipts, record_ack};
use crate::services::Services;
use crate::state::notices::{NoticesAction, Receipt};

/// Bring the board in line with the stored config (called with the once-a-second refresh).
pub fn refresh(ctx: Ctx, services: &Services, config: Option<&CheckpointConfig>) {
    let mut notices = ctx.notices;
    if !notices.peek().receipts_read {
        match services.with_ledger(|l| read_receipts(l)) {
            Ok(receipts) => {
                notices.write().reduce(NoticesAction::Receipts(receipts));
            }
            Err(e) => tracing::warn!("notice receipts unreadable: {e}"),
        }
    }
    let Some(config) = config else {
        return;
    };
    let board = NoticeBoard::from_pulled(&config.notices);
    let stale =
        notices.peek().board != board || notices.peek().checkpoint_id != config.checkpoint_id;
    if stale {
        let mut n = notices.write();
        n.checkpoint_id.clone_from(&config.checkpoint_id);
        n.reduce(NoticesAction::Loaded(board));
    }
}

/// Apply an action; an acknowledgement is appended to the journal as the staff on duty.
pub fn act(mut ctx: Ctx, services: &Services, action: NoticesAction) {
    let Some(asked) = ctx.notices.write().reduce(action) else {
        return;
    };
    let staff = super::duty::staff_name(ctx);
    let result = super::append_entry(ctx, services, |l, staff, offset, now| {
        record_ack(l, &asked.data, staff, offset, now)
    });
    ctx.notices.write().reduce(NoticesAction::Recorded {
        receipt: Receipt {
            notice_id: asked.data.notice_id,
            version: asked.data.version,
            staff,
        },
        result,
    });
}
