//! The patrol part of the end-to-end test: the administrator sets up two points, a route and a
//! schedule in the dashboard and prints the label sheet; the phone, offline, walks the round by
//! scanning the printed labels through the fake camera (one normal, one problem with a note and a
//! photo taken from the camera), finishes, comes back online, and the district's patrol page shows
//! the round done with the photo, every step stored exactly once.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Duration as Span, Timelike, Utc};
use serde_json::json;
use sync_core::protocol::CheckpointConfig;
use sync_core::sync::SETTING_CONFIG;
use sync_core::Ledger;

use checkpoint_tests::webdriver::{Browser, Driver};

use crate::{camera, district, wait_until, WAIT};

/// The district's offset the server runs with (its default, China Standard Time).
const OFFSET_MINUTES: i64 = 480;

fn local(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    (t + Span::minutes(OFFSET_MINUTES)).naive_utc()
}

/// Points, an ordered route of both at the test checkpoint, and a schedule whose one round a day
/// opens two minutes from now (a phone may start a round up to 15 minutes early). Returns the
/// point ids in route order and the round's local start.
fn set_up(admin: &Browser, server: &str) -> (Vec<String>, chrono::NaiveDateTime) {
    let page = format!(
        "{server}/admin/patrol/setup?compound={}",
        district::COMPOUND
    );
    for name in ["北门铁栅栏", "3号楼垃圾点"] {
        admin.goto(&page).unwrap();
        admin.fill("#point-form input[name=name]", name).unwrap();
        admin
            .fill("#point-form input[name=location]", "东侧")
            .unwrap();
        admin.click("#point-add").unwrap();
        admin.wait_text("#points", name, WAIT).unwrap();
    }
    admin.goto(&page).unwrap();
    let ids = admin
        .js(
            "const inputs = [...document.querySelectorAll('#route-form input[name^=\"pos.\"]')];
             inputs.forEach((el, i) => { el.value = String(i + 1); });
             document.querySelector('#route-form input[name=ordered]').checked = true;
             return inputs.map(el => el.name.slice(4));",
            json!([]),
        )
        .unwrap();
    let ids: Vec<String> = serde_json::from_value(ids).unwrap();
    assert_eq!(ids.len(), 2, "two points on the form");
    admin
        .fill("#route-form input[name=name]", "围墙一圈")
        .unwrap();
    admin.click("#route-save").unwrap();
    admin.wait_text("body", "围墙一圈", WAIT).unwrap();
    let start = local(Utc::now() + Span::minutes(3))
        .with_second(0)
        .unwrap_or_default();
    let hm = start.format("%H:%M").to_string();
    admin
        .js(
            "const f = document.querySelector('.schedule-form');
             f.querySelector('[name=first_start]').value = arguments[0];
             f.querySelector('[name=last_start]').value = arguments[0];
             f.querySelector('[name=every_minutes]').value = '1440';
             f.querySelector('[name=window_minutes]').value = '60';
             f.querySelector('button:not([name=stop])').click();",
            json!([hm]),
        )
        .unwrap();
    admin
        .wait_text("body", &format!("{hm}–{hm}"), WAIT)
        .unwrap();
    (ids, start)
}

/// The printed sheet: each label's QR as the page draws it, in the order of `ids`.
fn label_frames(admin: &Browser, server: &str, ids: &[String]) -> Vec<Vec<u8>> {
    admin
        .goto(&format!(
            "{server}/admin/patrol/labels?compound={}",
            district::COMPOUND
        ))
        .unwrap();
    ids.iter()
        .map(|id| {
            let png = admin
                .element_png(&format!("[data-point='{id}'] svg"))
                .unwrap();
            camera::luma_from_png(&png).unwrap()
        })
        .collect()
}

/// A phone browser whose camera shows `frame`, on the patrol screen.
fn phone<'d>(driver: &'d Driver, dir: &Path, app: &str, tag: &str, frame: &[u8]) -> Browser<'d> {
    crate::phone_at(driver, dir, tag, Some(frame), &format!("{app}/patrol"))
}

fn patrol_steps(ledger: &Path) -> usize {
    Ledger::open_read_only(ledger)
        .and_then(|l| l.patrol_steps_since(DateTime::UNIX_EPOCH))
        .map(|s| s.len())
        .unwrap_or(0)
}

/// The whole patrol story; the phone is enrolled and online, `admin` logged in.
pub fn walk_a_round(
    driver: &Driver,
    dir: &Path,
    app: &str,
    ledger: &Path,
    district: &mut district::District,
    admin: &Browser,
) {
    let server = district.server.url();
    let (ids, start) = set_up(admin, &server);
    let frames = label_frames(admin, &server, &ids);

    // The phone learns the route with its next sync.
    let b = phone(driver, dir, app, "patrol-sync", &frames[0]);
    b.goto(&format!("{app}/status")).unwrap();
    b.click("#sync-now").unwrap();
    wait_until("the route in the phone's config", WAIT, || {
        let l = Ledger::open_read_only(ledger).ok()?;
        let c: CheckpointConfig = l.setting(SETTING_CONFIG).ok()??;
        (c.patrol_routes.len() == 1).then_some(())
    });
    drop(b);

    // Offline from here until the round is walked.
    district.server.kill();
    let b = phone(driver, dir, app, "patrol-point-1", &frames[0]);
    b.click("#patrol-start-due").unwrap();
    b.find("#patrol-awaiting", WAIT).unwrap();
    b.click("#patrol-normal").unwrap();
    wait_until("the first check in the journal", WAIT, || {
        (patrol_steps(ledger) == 1).then_some(())
    });
    drop(b);

    let b = phone(driver, dir, app, "patrol-point-2", &frames[1]);
    b.find("#patrol-round", WAIT).unwrap();
    b.find("#patrol-awaiting", WAIT).unwrap();
    b.click("#patrol-problem").unwrap();
    b.fill("#patrol-note", "垃圾点满溢，已通知物业").unwrap();
    b.click("#patrol-photo").unwrap();
    b.find("#patrol-photo-taken", WAIT).unwrap();
    b.click("#patrol-submit-problem").unwrap();
    wait_until("the problem in the journal", WAIT, || {
        (patrol_steps(ledger) == 2).then_some(())
    });
    b.click("#patrol-finish").unwrap();
    wait_until("the finished round in the journal", WAIT, || {
        (patrol_steps(ledger) == 3).then_some(())
    });
    b.wait_text("#patrol-waiting", "围墙一圈", WAIT).unwrap();
    let device = Ledger::open_read_only(ledger).unwrap();
    assert_eq!(
        device.photo_summary().unwrap().pending,
        1,
        "one photo waits"
    );
    let device_id = device.device_id().to_owned();
    drop(device);
    drop(b);

    // Online again: everything uploads, exactly once.
    district.server.restart().unwrap();
    let b = phone(driver, dir, app, "patrol-back", &frames[0]);
    b.goto(&format!("{app}/status")).unwrap();
    b.click("#sync-now").unwrap();
    wait_until("the photo uploaded", WAIT, || {
        let l = Ledger::open_read_only(ledger).ok()?;
        (l.photo_summary().ok()?.pending == 0 && l.upload_summary().ok()?.pending == 0)
            .then_some(())
    });
    drop(b);
    let sqlite = &district.sqlite;
    let q = |sql: &str| district::count(sqlite, &sql.replace("{device}", &device_id));
    assert_eq!(
        q("SELECT COUNT(*) FROM patrol_checks WHERE device_id = '{device}'"),
        3
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM entries WHERE kind = 'patrol_check' AND device_id = '{device}'"),
        3
    );
    assert_eq!(q("SELECT COUNT(*) FROM photos"), 1);

    // The district sees the round done, the problem's note and its photo.
    let day = start.date();
    admin
        .goto(&format!(
            "{server}/admin/patrol?compound={}&day={day}",
            district::COMPOUND
        ))
        .unwrap();
    admin
        .find("tr.round-row[data-status='done']", WAIT)
        .unwrap();
    admin
        .js(
            "document.querySelectorAll('details').forEach(d => { d.open = true; });",
            json!([]),
        )
        .unwrap();
    admin
        .wait_text("body", "垃圾点满溢，已通知物业", WAIT)
        .unwrap();
    admin
        .wait_js(
            "the photo to load on the patrol page",
            "const img = document.querySelector('td.photos img');
             return img !== null && img.complete && img.naturalWidth > 0;",
            json!([]),
            Duration::from_secs(20),
        )
        .unwrap();
}
