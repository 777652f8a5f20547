//! The duty part of the end-to-end test: the administrator adds two staff members in the admin
//! web; after a sync the phone's duty screen lists them; the first signs on by PIN (after one
//! wrong PIN, refused), admits a pass and signs off; the second signs on with the staff pass in
//! front of the camera and a pass is refused; each passage carries the staff member on duty, and
//! the three sign-on/off entries reach the server. Each of them reads the urgent notice of the
//! notice step when they sign on: it is new to them.

use std::path::Path;

use sync_core::protocol::CheckpointConfig;
use sync_core::sync::SETTING_CONFIG;
use sync_core::Ledger;

use checkpoint_tests::webdriver::{Browser, Driver};

use crate::{district, passages, show, wait_until, WAIT};

fn add_staff(admin: &Browser, server: &str, name: &str, pin: &str) {
    admin.goto(&format!("{server}/admin/staff")).unwrap();
    admin.fill("#staff-add input[name=name]", name).unwrap();
    admin.fill("#staff-add input[name=pin]", pin).unwrap();
    admin.click("#staff-add-button").unwrap();
    admin.wait_text("#staff", name, WAIT).unwrap();
}

fn staff_id(district: &district::District, name: &str) -> String {
    district::text(
        &district.sqlite,
        "SELECT staff_id FROM staff WHERE name = ?1",
        name,
    )
    .unwrap()
}

/// The staff on duty named on the newest passage in the journal.
fn newest_staff(ledger: &Path) -> String {
    passages(ledger)
        .pop()
        .map(|p| p.body.staff)
        .unwrap_or_default()
}

/// The urgent notice of the notice step, read by the staff member just signed on.
fn acknowledge_takeover(b: &Browser) {
    b.find("#notice-takeover", WAIT).unwrap();
    b.click("#takeover-ack").unwrap();
    b.wait_js(
        "the takeover to go",
        "return document.querySelector('#notice-takeover') === null;",
        serde_json::json!([]),
        WAIT,
    )
    .unwrap();
}

/// The phone is enrolled and online, `admin` logged in; the notice step's urgent notice is in
/// force.
pub fn two_staff_take_turns(
    driver: &Driver,
    dir: &Path,
    app: &str,
    ledger: &Path,
    district: &district::District,
    admin: &Browser,
) {
    let server = district.server.url();
    add_staff(admin, &server, "李值守", "2468");
    add_staff(admin, &server, "孙值守", "1357");
    let (li, sun) = (staff_id(district, "李值守"), staff_id(district, "孙值守"));

    let b = crate::phone_at(driver, dir, "duty", None, &format!("{app}/status"));
    b.click("#sync-now").unwrap();
    wait_until("the roster in the phone's config", WAIT, || {
        let l = Ledger::open_read_only(ledger).ok()?;
        let c: CheckpointConfig = l.setting(SETTING_CONFIG).ok()??;
        (c.staff.len() >= 2).then_some(())
    });
    b.goto(&format!("{app}/duty")).unwrap();
    b.click(&format!("#duty-pick-{li}")).unwrap();
    b.fill("#duty-pin", "0000").unwrap();
    b.click("#duty-signon").unwrap();
    b.wait_text("#duty-error", "密码错误", WAIT).unwrap();
    b.fill("#duty-pin", "2468").unwrap();
    b.click("#duty-signon").unwrap();
    b.wait_text("#duty-on", "李值守", WAIT).unwrap();
    // The urgent notice 王师傅 acknowledged is new to 李: it takes the screen for them too.
    acknowledge_takeover(&b);
    drop(b);

    let (b, shown) = show(driver, dir, app, "duty-li", &district.passes[4].payload);
    assert_eq!(shown.outcome, "green", "{shown:?}");
    assert_eq!(newest_staff(ledger), "李值守");
    b.goto(&format!("{app}/duty")).unwrap();
    b.click("#duty-signoff").unwrap();
    b.find("#duty-nobody", WAIT).unwrap();
    drop(b);

    // 孙 signs on with the staff pass in front of the camera.
    let payload = district::text(
        &district.sqlite,
        "SELECT payload FROM passes WHERE pass_id = ?1 AND revoked_at_ms IS NULL",
        &sun,
    )
    .unwrap();
    let clip = dir.join("duty-sun.y4m");
    crate::camera::write_y4m(Some(&payload), &clip).unwrap();
    let b = driver
        .browser(
            &checkpoint_tests::webdriver::BrowserOptions::phone_with_camera(
                &clip,
                &dir.join("profile-duty-sun"),
            ),
        )
        .unwrap();
    b.goto(&format!("{app}/duty")).unwrap();
    b.click("#duty-scan").unwrap();
    b.wait_text("#duty-on", "孙值守", WAIT).unwrap();
    acknowledge_takeover(&b);
    drop(b);
    // The revoked pass of step 4: refused, recorded as 孙's.
    let (b, shown) = show(
        driver,
        dir,
        app,
        "duty-sun-pass",
        &district.passes[1].payload,
    );
    assert_eq!(shown.outcome, "red", "{shown:?}");
    assert_eq!(newest_staff(ledger), "孙值守");
    crate::sync_now(&b, app);
    wait_until("the duty entries uploaded", WAIT, || {
        let l = Ledger::open_read_only(ledger).ok()?;
        (l.upload_summary().ok()?.pending == 0).then_some(())
    });
    drop(b);
    let events = |sql: &str| district::count(&district.sqlite, sql);
    assert_eq!(events("SELECT COUNT(*) FROM duty_events"), 3, "on, off, on");
    assert_eq!(
        events(&format!(
            "SELECT COUNT(*) FROM duty_events WHERE staff_id = '{sun}' AND event = 'on' AND method = 'pass'"
        )),
        1
    );
}
