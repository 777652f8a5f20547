//! The resident's-phone part of the end-to-end test (issue 14, parts 2 and 3): the compound starts
//! requiring today's health check-in; the gate shows 未打卡 (red) for a resident who has none; on
//! their own phone, with the server stopped, the resident checks in — kept on the phone — and once
//! the server is back it uploads and is stored exactly once, counted in the daily report; after
//! the gate's next sync the same card shows 今日已打卡. The resident invites a visitor; the
//! invited pass in front of the gate's camera is green (已预约, the inviting household) with no host
//! tap; after the gate's sync the resident sees the visitor's arrival.

use std::path::Path;

use sync_core::{DenyReason, Ledger, Subject, Verdict};

use checkpoint_tests::webdriver::{Browser, BrowserOptions, Driver};

use crate::{district, passages, show, sync_now, wait_until, WAIT};

/// The check-ins on the resident phone still waiting to upload.
fn pending_checkins(ledger: &Path) -> usize {
    let queue: Option<serde_json::Value> = Ledger::open_read_only(ledger)
        .ok()
        .and_then(|l| l.setting("resident_checkins").ok().flatten());
    queue
        .and_then(|q| q.get("queue").cloned())
        .and_then(|q| q.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter(|q| q.get("status").and_then(|s| s.get("status")) == Some(&"pending".into()))
        .count()
}

fn gate_browser<'d>(driver: &'d Driver, dir: &Path, tag: &str) -> Browser<'d> {
    let blank = dir.join("blank.y4m");
    driver
        .browser(&BrowserOptions::phone_with_camera(
            &blank,
            &dir.join(format!("profile-{tag}")),
        ))
        .unwrap()
}

/// Tick (or untick) "residents must have made today's check-in" on the compound's rules page.
fn toggle_checkin_rule(admin: &Browser, server: &str) {
    admin
        .goto(&format!(
            "{server}/admin/compounds/{}/rules",
            district::COMPOUND
        ))
        .unwrap();
    admin.click("#rules-form input[name=checkin]").unwrap();
    admin.click("#rules-save").unwrap();
}

/// `admin` logged in; the gate app at `app` enrolled at the test compound; the server running.
pub fn checks_in_and_invites(
    driver: &Driver,
    dir: &Path,
    app: &str,
    gate_ledger: &Path,
    district: &mut district::District,
    admin: &Browser,
) {
    let server = district.server.url();
    let pass = district.passes[4].clone();
    let household = district::text(
        &district.sqlite,
        "SELECT household FROM passes WHERE pass_id = ?1",
        &pass.pass_id,
    )
    .unwrap();

    // The compound requires today's check-in; the gate learns it with its next sync.
    toggle_checkin_rule(admin, &server);
    let gate = gate_browser(driver, dir, "checkin-gate");
    sync_now(&gate, app);
    gate.wait_text("#sync-pending", "0", WAIT).unwrap();
    drop(gate);
    let (b, shown) = show(driver, dir, app, "not-checked-in", &pass.payload);
    assert_eq!(shown.outcome, "red", "{shown:?}");
    assert!(
        shown.detail.contains("请先在手机上完成今日健康打卡"),
        "{shown:?}"
    );
    let last = passages(gate_ledger).pop().unwrap();
    let reason = DenyReason::NotCheckedIn;
    assert_eq!(last.body.verdict, Verdict::Denied { reason });
    drop(b);

    // The resident's own phone takes the household letter's link.
    let link = crate::household::make_letter(admin, &server, &household);

    let ledger = dir.join("resident-checkin.db");
    let (_resident_app, resident_app) = crate::serve(&ledger);
    let phone = crate::phone_at(
        driver,
        dir,
        "resident-checkin",
        None,
        &format!("{resident_app}/my-pass/add"),
    );
    phone.fill("#pass-link", link.trim()).unwrap();
    phone.click("form button[type=submit]").unwrap();
    phone.wait_text(".pass-name", &pass.name, WAIT).unwrap();

    // Offline, the check-in is kept on the phone.
    district.server.kill();
    phone
        .goto(&format!("{resident_app}/my-pass/checkin"))
        .unwrap();
    phone
        .click(&format!(
            "#checkin-form button[data-member='{}']",
            pass.pass_id
        ))
        .unwrap();
    phone.fill("#checkin-temp", "36.6").unwrap();
    phone.click("#checkin-submit").unwrap();
    phone.wait_text("#checkin-members", "待上传", WAIT).unwrap();
    assert_eq!(pending_checkins(&ledger), 1);
    phone.find("#checkin-upload-error", WAIT).unwrap();

    // Back online: it uploads, once.
    district.server.restart().unwrap();
    phone.click("#checkin-upload").unwrap();
    wait_until("the check-in to upload", WAIT, || {
        (pending_checkins(&ledger) == 0).then_some(())
    });
    phone
        .wait_text("#checkin-members", "今日已打卡", WAIT)
        .unwrap();
    let sql = "SELECT COUNT(*) FROM health_checkins";
    assert_eq!(district::count(&district.sqlite, sql), 1);
    admin
        .goto(&format!(
            "{server}/admin/report?compound={}",
            district::COMPOUND
        ))
        .unwrap();
    assert!(
        admin
            .text("#health-counts")
            .unwrap()
            .contains("checked in 1 "),
        "{}",
        admin.text("#health-counts").unwrap()
    );

    // The gate's next sync brings the check-in: the same card now says 今日已打卡.
    let gate = gate_browser(driver, dir, "checkin-gate-2");
    sync_now(&gate, app);
    gate.wait_text("#sync-pending", "0", WAIT).unwrap();
    drop(gate);
    let (b, shown) = show(driver, dir, app, "checked-in", &pass.payload);
    assert_ne!(shown.outcome, "red", "{shown:?}");
    assert!(shown.detail.contains("今日已打卡"), "{shown:?}");
    assert!(passages(gate_ledger)
        .pop()
        .unwrap()
        .body
        .verdict
        .is_admitted());
    drop(b);

    // An invitation: the link for the visitor, the pass green at the gate without a host tap.
    phone
        .goto(&format!("{resident_app}/my-pass/invite"))
        .unwrap();
    phone.fill("#invite-name", "孙来宾").unwrap();
    phone.fill("#invite-phone", "13912340000").unwrap();
    phone.fill("#invite-reason", "探亲").unwrap();
    phone.click("#invite-send").unwrap();
    let visitor_link = phone.wait_text("#invite-link", "/v/", WAIT).unwrap();
    let page = reqwest_get(visitor_link.trim());
    assert!(page.contains("孙来宾") && page.contains("<svg"), "{page}");
    let payload = district::text(
        &district.sqlite,
        "SELECT payload FROM invitations WHERE name = ?1",
        "孙来宾",
    )
    .unwrap();
    let before = passages(gate_ledger).len();
    let (b, shown) = show(driver, dir, app, "invited", &payload);
    assert_eq!(shown.outcome, "green", "{shown:?}");
    assert!(
        shown
            .detail
            .contains(&format!("已预约 · 邀请人 {household}")),
        "{shown:?}"
    );
    let arrived = wait_until("the invited visitor's passage", WAIT, || {
        passages(gate_ledger).into_iter().nth(before)
    });
    assert!(arrived.body.verdict.is_admitted());
    assert!(
        matches!(&arrived.body.subject, Subject::Visitor { host_household, .. } if *host_household == household),
        "{arrived:?}"
    );
    sync_now(&b, app);
    b.wait_text("#sync-pending", "0", WAIT).unwrap();
    drop(b);
    phone.click("#invite-refresh").unwrap();
    phone.wait_text("#invitations", "到达", WAIT).unwrap();

    // The gate goes back to the rules the rest of the test expects.
    toggle_checkin_rule(admin, &server);
}

/// The visitor opening their link (a plain HTTP GET on loopback, as a phone's browser would).
fn reqwest_get(url: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { reqwest::get(url).await.unwrap().text().await.unwrap() })
}
