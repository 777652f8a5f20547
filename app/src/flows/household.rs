//! A household letter's link in resident mode: fetch the household's passes (on the services'
//! tokio runtime), put them in the wallet through `reduce`, keep the wallet; on refresh the same.
//! The decisions live in `state::wallet`; the checks in sync-core's `household.rs`.

use dioxus::prelude::*;

use crate::ctx::Ctx;
use crate::services::household::{fetch_household, phone_id};
use crate::services::{save_wallet, Services};
use crate::state::wallet::WalletAction;

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
