//! The notice part of the end-to-end test: the administrator publishes an urgent notice in the
//! admin web; after the phone's sync it takes the whole screen; staff acknowledge it with one tap;
//! the receipt goes up with the next sync and the notice's page shows the checkpoint acknowledged,
//! by the staff on duty.

use std::path::Path;

use sync_core::protocol::CheckpointConfig;
use sync_core::sync::SETTING_CONFIG;
use sync_core::Ledger;

use checkpoint_tests::webdriver::{Browser, Driver};

use crate::{district, wait_until, WAIT};

const TITLE: &str = "今晚封控演练";

/// The phone is enrolled and online, `admin` logged in.
pub fn urgent_takes_the_screen(
    driver: &Driver,
    dir: &Path,
    app: &str,
    ledger: &Path,
    district: &district::District,
    admin: &Browser,
) {
    let server = district.server.url();
    admin.goto(&format!("{server}/admin/notices")).unwrap();
    admin.fill(".notice-form input[name=title]", TITLE).unwrap();
    admin
        .fill(
            ".notice-form textarea[name=body]",
            "**19:30** 起只开东门，车辆一律不进。",
        )
        .unwrap();
    admin
        .click(".notice-form input[name=priority][value=urgent]")
        .unwrap();
    admin.click(".notice-form button.publish").unwrap();
    admin.wait_text("main h1", TITLE, WAIT).unwrap();

    let b = crate::phone_at(driver, dir, "notice", None, &format!("{app}/status"));
    b.click("#sync-now").unwrap();
    let (notice_id, checkpoint) = wait_until("the notice in the phone's config", WAIT, || {
        let l = Ledger::open_read_only(ledger).ok()?;
        let c: CheckpointConfig = l.setting(SETTING_CONFIG).ok()??;
        let n = c.notices.iter().find(|n| n.title == TITLE)?;
        Some((n.notice_id.clone(), c.checkpoint_id.clone()))
    });
    // It covers whatever staff screen is open, the scan screen too.
    b.wait_text("#notice-takeover", "19:30", WAIT).unwrap();
    b.goto(&format!("{app}/scan")).unwrap();
    b.wait_text("#notice-takeover", TITLE, WAIT).unwrap();
    b.click("#takeover-ack").unwrap();
    b.wait_js(
        "the takeover to go",
        "return document.querySelector('#notice-takeover') === null && document.querySelector('#dir-in') !== null;",
        serde_json::json!([]),
        WAIT,
    )
    .unwrap();
    b.goto(&format!("{app}/status")).unwrap();
    b.click("#sync-now").unwrap();
    wait_until("the receipt uploaded", WAIT, || {
        let l = Ledger::open_read_only(ledger).ok()?;
        (l.upload_summary().ok()?.pending == 0).then_some(())
    });
    drop(b);
    assert_eq!(
        district::count(
            &district.sqlite,
            &format!("SELECT COUNT(*) FROM notice_acks WHERE notice_id = '{notice_id}'")
        ),
        1,
        "one receipt"
    );
    admin
        .goto(&format!("{server}/admin/notices/{notice_id}"))
        .unwrap();
    let row = format!("tr[data-checkpoint='{checkpoint}']");
    admin.wait_text(&row, "已确认", WAIT).unwrap();
    assert!(
        admin.text(&row).unwrap().contains("王师傅"),
        "the receipt names the staff on duty"
    );
}
