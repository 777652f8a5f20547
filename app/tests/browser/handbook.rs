//! The handbook part of the end-to-end test: the administrator publishes a section in the admin
//! web, the phone's sync round brings it, and with the server stopped staff open it from the
//! settings screen and read it, rendered.

use std::path::Path;

use sync_core::protocol::CheckpointConfig;
use sync_core::sync::SETTING_CONFIG;
use sync_core::Ledger;

use checkpoint_tests::webdriver::{Browser, Driver};

use crate::{district, wait_until, WAIT};

/// The phone is enrolled and online, `admin` logged in; the server is running again at the end.
pub fn read_offline(
    driver: &Driver,
    dir: &Path,
    app: &str,
    ledger: &Path,
    district: &mut district::District,
    admin: &Browser,
) {
    let server = district.server.url();
    admin.goto(&format!("{server}/admin/handbook")).unwrap();
    admin
        .fill("#handbook-new input[name=title_zh]", "电梯消毒")
        .unwrap();
    admin
        .fill(
            "#handbook-new textarea[name=body_zh]",
            "按钮用含氯消毒液 **500 mg/L** 擦拭，作用 30 分钟。",
        )
        .unwrap();
    admin.click("#handbook-add").unwrap();
    admin.wait_text("main", "电梯消毒", WAIT).unwrap();

    let b = crate::phone_at(driver, dir, "handbook", None, &format!("{app}/status"));
    b.click("#sync-now").unwrap();
    let section_id = wait_until("the section in the phone's config", WAIT, || {
        let l = Ledger::open_read_only(ledger).ok()?;
        let c: CheckpointConfig = l.setting(SETTING_CONFIG).ok()??;
        c.handbook
            .iter()
            .find(|s| s.title_zh == "电梯消毒")
            .map(|s| s.section_id.clone())
    });

    district.server.kill();
    b.goto(&format!("{app}/settings")).unwrap();
    b.click("#handbook-open").unwrap();
    b.click(&format!("#handbook-section-{section_id}")).unwrap();
    b.wait_text("#handbook-section", "500 mg/L", WAIT).unwrap();
    let bold = b
        .js(
            "const s = document.querySelector('#handbook-section strong'); return s && s.textContent;",
            serde_json::json!([]),
        )
        .unwrap();
    assert_eq!(bold, serde_json::json!("500 mg/L"), "rendered Markdown");
    drop(b);
    district.server.restart().unwrap();
}
