//! The resident screens' scenes: the household's passes, today's check-in, invitations.

use chrono::{Duration, Utc};
use dioxus::prelude::*;

use super::data::signed_pass;
use crate::ctx::Ctx;
use crate::ports::PassKindView;
use crate::state::settings::SettingsAction;
use crate::state::wallet::WalletAction;

/// Resident mode with the household's passes from its letter, refreshed an hour ago.
pub(super) fn seed_household(ctx: Ctx) {
    let mut w = ctx.wallet;
    for (name, household, plate) in [
        ("张小明", "3-2-401", None),
        ("张小明", "3-2-401", Some("京A12345")),
    ] {
        if let Some((payload, body)) = signed_pass(name, household, plate) {
            let checked = crate::ports::CheckedPass {
                denied: None,
                message_zh: String::new(),
                message_en: String::new(),
                kind: if plate.is_some() {
                    PassKindView::Vehicle
                } else {
                    PassKindView::Resident
                },
                pass_id: body.pass_id,
                household: body.household,
                display_name: body.display_name,
                plate: body.plate,
                valid_until: Some(body.valid_until),
                clock_checked: true,
                revocations_stale_hours: None,
            };
            w.write().reduce(WalletAction::Add(payload, checked));
        }
    }
    w.write().reduce(WalletAction::Select(0));
    // The passes came from the household letter, refreshed an hour ago.
    w.write().household = Some(crate::state::wallet::HouseholdSource {
        link: "https://district.example/h/00#fp=00".into(),
        household: "3-2-401".into(),
        refreshed_at: Utc::now() - Duration::hours(1),
        utc_offset_minutes: 480,
    });
    ctx.prefs
        .clone()
        .write()
        .reduce(SettingsAction::ResidentMode(true));
}

/// 张小明 checked in today (uploaded); the form open for the next member.
pub(super) fn seed_checkin(ctx: Ctx) {
    use crate::state::checkin::{CheckinAction, QueueStatus, Queued};
    let mut c = ctx.checkin;
    let Some(first) = ctx.wallet.peek().passes.first().cloned() else {
        return;
    };
    let today = crate::flows::household::district_today(None);
    c.write().queue.push(Queued {
        checkin: sync_core::health::Checkin {
            id: "0193a0e0-0000-7000-8000-000000000001".into(),
            pass_id: first.pass_id.clone(),
            day: today,
            temperature_c: 36.5,
            symptoms: vec![],
            left_city_to: None,
            declared_at: Utc::now() - Duration::hours(1),
        },
        name: first.display_name.clone(),
        status: QueueStatus::Sent,
    });
    c.write().reduce(CheckinAction::Member(first.pass_id));
    c.write().reduce(CheckinAction::Temperature("36.6".into()));
}

/// One invitation just made (its link shown) and one visitor who came and left.
pub(super) fn seed_invite(ctx: Ctx) {
    use crate::state::invite::InviteAction;
    use sync_core::invitation::{Arrival, Invitation, InvitationList};
    let today = crate::flows::household::district_today(None);
    let came = Invitation {
        pass_id: "Y0000007".into(),
        name: "李*".into(),
        day: today,
        plate: Some("京B54321".into()),
        reason: "探亲".into(),
        link: None,
        arrivals: vec![
            Arrival {
                direction: sync_core::Direction::In,
                at: Utc::now() - Duration::hours(3),
                gate: "east-1".into(),
            },
            Arrival {
                direction: sync_core::Direction::Out,
                at: Utc::now() - Duration::hours(1),
                gate: "east-1".into(),
            },
        ],
    };
    let mut i = ctx.invite;
    i.write().reduce(InviteAction::Listed(InvitationList {
        invitations: vec![came],
        made_today: 1,
    }));
    i.write().reduce(InviteAction::Made(Invitation {
        pass_id: "Y0000008".into(),
        name: "王*".into(),
        day: today + Duration::days(1),
        plate: None,
        reason: "送货".into(),
        link: Some("https://district.example/v/4f2a9c0e7b1d4e8a9f3c2b1a0d9e8f7c".into()),
        arrivals: vec![],
    }));
}
