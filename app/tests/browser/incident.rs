//! The incident part of the end-to-end test: with the server away, staff open the report from
//! the scan screen's top bar, pick "person with fever", mark it urgent, write a note and take a
//! photo with the (fake) camera, and send it; it waits in the journal with its photo. Back
//! online, it arrives once, with its photo, and stands at the top of the district's dashboard.

use std::path::Path;
use std::time::Duration;

use chrono::DateTime;
use serde_json::json;
use sync_core::domain::{EntryBody, EntryKind};
use sync_core::Ledger;

use checkpoint_tests::webdriver::{Browser, Driver};

use crate::{district, wait_until, WAIT};

const NOTE: &str = "访客体温38.6℃，已引导至观察点";

fn incidents(ledger: &Path) -> Vec<(String, usize)> {
    Ledger::open_read_only(ledger)
        .and_then(|l| l.entries_of_kind(EntryKind::Incident, 0, DateTime::UNIX_EPOCH))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| match e.body {
            EntryBody::Incident(i) => Some((i.note, e.head.attachments.len())),
            _ => None,
        })
        .collect()
}

/// The phone is enrolled and online, `admin` logged in.
pub fn report_offline(
    driver: &Driver,
    dir: &Path,
    app: &str,
    ledger: &Path,
    district: &mut district::District,
    admin: &Browser,
) {
    district.server.kill();
    let b = crate::phone_at(driver, dir, "incident", None, &format!("{app}/scan"));
    b.click("#incident-open").unwrap();
    b.click("#incident-category-fever").unwrap();
    b.click("#incident-urgent").unwrap();
    b.fill("#incident-note", NOTE).unwrap();
    b.click("#incident-photo").unwrap();
    b.wait_text("#incident-photo-count", "1/", WAIT).unwrap();
    b.click("#incident-submit").unwrap();
    b.find("#incident-done", WAIT).unwrap();
    let stored = wait_until("the incident in the journal", WAIT, || {
        let found = incidents(ledger);
        (!found.is_empty()).then_some(found)
    });
    assert_eq!(stored, vec![(NOTE.to_owned(), 1)], "one report, one photo");
    drop(b);

    district.server.restart().unwrap();
    let b = crate::phone_at(driver, dir, "incident-back", None, &format!("{app}/status"));
    b.click("#sync-now").unwrap();
    wait_until("the incident and its photo uploaded", WAIT, || {
        let l = Ledger::open_read_only(ledger).ok()?;
        (l.photo_summary().ok()?.pending == 0 && l.upload_summary().ok()?.pending == 0)
            .then_some(())
    });
    drop(b);
    assert_eq!(
        district::count(&district.sqlite, "SELECT COUNT(*) FROM incidents"),
        1,
        "arrived once"
    );
    assert_eq!(
        district::count(
            &district.sqlite,
            "SELECT COUNT(*) FROM entry_photos ep JOIN incidents i ON i.entry_id = ep.entry_id
             JOIN photos p ON p.sha256 = ep.sha256"
        ),
        1,
        "with its photo"
    );

    let server = district.server.url();
    admin.goto(&format!("{server}/admin")).unwrap();
    admin.wait_text("#urgent-incidents", NOTE, WAIT).unwrap();
    admin.goto(&format!("{server}/admin/incidents")).unwrap();
    admin.wait_text("#incidents", NOTE, WAIT).unwrap();
    admin
        .wait_js(
            "the incident's photo to load",
            "const img = document.querySelector('#incidents td.photos img');
             return img !== null && img.complete && img.naturalWidth > 0;",
            json!([]),
            Duration::from_secs(20),
        )
        .unwrap();
}
