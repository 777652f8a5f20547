//! A household letter's link in resident mode: fetch the household's passes (on the services'
//! tokio runtime), put them in the wallet through `reduce`, keep the wallet; on refresh the same.
//! With the same link: queue and upload the daily check-ins, invite visitors, list invitations,
//! and refresh all of it while online. The decisions live in `state::wallet`, `state::checkin`
//! and `state::invite`; the checks in sync-core's `household.rs`, `health.rs`, `invitation.rs`.

use dioxus::prelude::*;

use crate::ctx::Ctx;
use crate::services::household::{
    fetch_household, invitations as invitations_request, invite as invite_request, phone_id,
    save_checkins, upload_checkins as upload_checkins_request,
};
use crate::services::{save_wallet, Services};
use crate::state::checkin::{CheckinAction, CheckinState};
use crate::state::invite::InviteAction;
use crate::state::wallet::{HouseholdSource, WalletAction};

/// Fetch `link`'s passes; `done` runs once they are in the wallet.
pub fn fetch_link(ctx: Ctx, services: &Services, link: String, done: impl FnOnce() + 'static) {
    let mut wallet = ctx.wallet;
    let phone = services.with_ledger(phone_id).unwrap_or_else(|e| {
        tracing::warn!("no phone id: {e}");
        String::from("unknown-phone")
    });
    wallet.write().reduce(WalletAction::Fetching);
    let task = services
        .runtime()
        .spawn(async move { fetch_household(&link, &phone).await });
    let svc = services.clone();
    spawn(async move {
        let result = task.await.unwrap_or_else(|e| {
            Err((
                "取得通行证时出错".to_owned(),
                format!("fetching the passes failed: {e}"),
            ))
        });
        match result {
            Ok((source, passes)) => {
                wallet
                    .write()
                    .reduce(WalletAction::Household { source, passes });
                if let Err(e) = svc.with_ledger(|l| save_wallet(l, &wallet.peek())) {
                    tracing::warn!("wallet not saved: {e}");
                }
                done();
            }
            Err((zh, en)) => wallet.write().reduce(WalletAction::FetchFailed(zh, en)),
        }
    });
}

/// Run a household request on the services' runtime; `done` gets its answer on the UI side.
fn run<T: Send + 'static>(
    services: &Services,
    request: impl std::future::Future<Output = Result<T, (String, String)>> + Send + 'static,
    done: impl FnOnce(Result<T, (String, String)>) + 'static,
) {
    let task = services.runtime().spawn(request);
    spawn(async move {
        let result = task.await.unwrap_or_else(|e| {
            Err((
                "请求未完成，请重试".to_owned(),
                format!("the request did not finish: {e}"),
            ))
        });
        done(result);
    });
}

/// The household letter's link this phone holds (a readable one), and the phone's id.
fn household_of(ctx: Ctx, services: &Services) -> Option<(String, String, HouseholdSource)> {
    let source = ctx.wallet.peek().household.clone()?;
    sync_core::household::HouseholdLink::parse(&source.link).ok()?;
    let phone = services.with_ledger(phone_id).unwrap_or_else(|e| {
        tracing::warn!("no phone id: {e}");
        String::from("unknown-phone")
    });
    Some((source.link.clone(), phone, source))
}

/// The district's day now, by the offset the household bundle carried.
pub fn district_today(source: Option<&HouseholdSource>) -> chrono::NaiveDate {
    let offset = source.map_or(480, |s| s.utc_offset_minutes);
    sync_core::health::district_day(chrono::Utc::now(), offset)
}

fn keep_checkins(services: &Services, checkin: Signal<CheckinState>) {
    if let Err(e) = services.with_ledger(|l| save_checkins(l, &checkin.peek())) {
        tracing::warn!("check-in queue not saved: {e}");
    }
}

/// Queue the form's check-in for `name` (kept on the phone first), then try to upload.
pub fn submit_checkin(ctx: Ctx, services: &Services, name: String) {
    let mut checkin = ctx.checkin;
    let today = district_today(ctx.wallet.peek().household.as_ref());
    checkin.write().reduce(CheckinAction::Submit {
        id: uuid::Uuid::now_v7().to_string(),
        name,
        now: chrono::Utc::now(),
        today,
    });
    if checkin.peek().form.error.is_none() {
        keep_checkins(services, checkin);
        upload_checkins(ctx, services);
    }
}

/// Upload the queued check-ins, if any, with the household letter's link.
pub fn upload_checkins(ctx: Ctx, services: &Services) {
    let mut checkin = ctx.checkin;
    let pending = checkin.peek().pending();
    if pending.is_empty() || checkin.peek().uploading {
        return;
    }
    let Some((link, phone, _)) = household_of(ctx, services) else {
        checkin.write().reduce(CheckinAction::UploadFailed(
            "请先用住户信添加本户通行证，打卡才能上传".into(),
            "Add the household's passes from the letter first, so check-ins can upload".into(),
        ));
        return;
    };
    checkin.write().reduce(CheckinAction::Uploading);
    let svc = services.clone();
    run(
        services,
        async move { upload_checkins_request(&link, &phone, pending).await },
        move |result| {
            match result {
                Ok(receipt) => checkin.write().reduce(CheckinAction::Receipt(receipt)),
                Err((zh, en)) => checkin.write().reduce(CheckinAction::UploadFailed(zh, en)),
            }
            keep_checkins(&svc, checkin);
        },
    );
}

/// Send the invitation form (the district signs the visitor's pass: online only).
pub fn send_invitation(ctx: Ctx, services: &Services) {
    let mut invite = ctx.invite;
    let Some((link, phone, source)) = household_of(ctx, services) else {
        invite.write().reduce(InviteAction::Failed(
            "请先用住户信添加本户通行证".into(),
            "Add the household's passes from the letter first".into(),
        ));
        return;
    };
    let checked = invite
        .peek()
        .request(&source.household, district_today(Some(&source)));
    let request = match checked {
        Ok(r) => r,
        Err((zh, en)) => {
            invite.write().reduce(InviteAction::Failed(zh, en));
            return;
        }
    };
    invite.write().reduce(InviteAction::Sending);
    run(
        services,
        async move { invite_request(&link, &phone, request).await },
        move |result| match result {
            Ok(made) => invite.write().reduce(InviteAction::Made(made)),
            Err((zh, en)) => invite.write().reduce(InviteAction::Failed(zh, en)),
        },
    );
}

/// Fetch the household's invitations and their arrivals (quietly: the list stays when offline).
pub fn list_invitations(ctx: Ctx, services: &Services) {
    let mut invite = ctx.invite;
    let Some((link, phone, _)) = household_of(ctx, services) else {
        return;
    };
    run(
        services,
        async move { invitations_request(&link, &phone).await },
        move |result| match result {
            Ok(list) => invite.write().reduce(InviteAction::Listed(list)),
            Err((_, en)) => tracing::info!("invitations not refreshed: {en}"),
        },
    );
}

/// While online, every few minutes in resident mode: the household's passes, keys and
/// revocations, the queued check-ins, and the invitations.
pub fn refresh_all(ctx: Ctx, services: &Services) {
    let Some((link, _, _)) = household_of(ctx, services) else {
        return;
    };
    if !ctx.wallet.peek().fetching {
        fetch_link(ctx, services, link, || {});
    }
    upload_checkins(ctx, services);
    list_invitations(ctx, services);
}
