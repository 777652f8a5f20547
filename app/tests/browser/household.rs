//! The household-letter part of the end-to-end test (issue 14, part 1): the administrator makes a
//! household's letter in the admin web; a second app on a fresh ledger — a resident's own phone,
//! never enrolled — takes the letter's link and holds the household's pass, verified against the
//! key set in the signed bundle; with the server stopped the pass still shows; the pass is reissued
//! on the server and the phone holds the new serial after a refresh; revoked, it shows as revoked.

use std::path::Path;

use sync_core::Ledger;

use checkpoint_tests::webdriver::{Browser, Driver};

use crate::{district, wait_until, WAIT};

/// The payloads in the resident phone's wallet.
fn held(ledger: &Path) -> Vec<String> {
    let wallet: Option<serde_json::Value> = Ledger::open_read_only(ledger)
        .ok()
        .and_then(|l| l.setting("resident_passes").ok().flatten());
    wallet
        .and_then(|w| w.get("passes").cloned())
        .and_then(|p| p.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.get("payload").and_then(|v| v.as_str()).map(str::to_owned))
        .collect()
}

/// The administrator makes `household`'s letter on the residents page; its link as printed.
pub fn make_letter(admin: &Browser, server: &str, household: &str) -> String {
    admin.goto(&format!("{server}/admin/residents")).unwrap();
    admin
        .js(
            "document.querySelector('#household-letter-form select[name=compound_id]').value = arguments[0];",
            serde_json::json!([district::COMPOUND]),
        )
        .unwrap();
    admin
        .fill("#household-letter-form input[name=household]", household)
        .unwrap();
    admin.click("#household-letter-make").unwrap();
    admin.wait_text("#household-link", "/h/", WAIT).unwrap()
}

/// `admin` logged in; the district server running (running again at the end).
pub fn resident_phone_holds_the_pass(
    driver: &Driver,
    dir: &Path,
    district: &mut district::District,
    admin: &Browser,
) {
    let server = district.server.url();
    let pass = district.passes[0].clone();
    let household = district::text(
        &district.sqlite,
        "SELECT household FROM passes WHERE pass_id = ?1",
        &pass.pass_id,
    )
    .unwrap();
    let link = make_letter(admin, &server, &household);

    // A resident's own phone: the app on a fresh ledger, never enrolled.
    let ledger = dir.join("resident.db");
    let (_app, app) = crate::serve(&ledger);
    let b = crate::phone_at(driver, dir, "resident", None, &format!("{app}/my-pass/add"));
    b.fill("#pass-link", link.trim()).unwrap();
    b.click("form button[type=submit]").unwrap();
    b.wait_text(".pass-name", &pass.name, WAIT).unwrap();
    b.find("#household-refreshed", WAIT).unwrap();
    assert_eq!(
        held(&ledger),
        vec![pass.payload.clone()],
        "the printed card's pass"
    );

    // Offline: still there.
    district.server.kill();
    b.goto(&format!("{app}/my-pass")).unwrap();
    b.wait_text(".pass-name", &pass.name, WAIT).unwrap();
    b.find(".pass-card svg, .pass-card img", WAIT).unwrap();
    district.server.restart().unwrap();

    // Reissued on the server: the phone holds the new serial after a refresh.
    admin.goto(&format!("{server}/admin/residents")).unwrap();
    admin
        .click(&format!(
            "form[action='/admin/passes/{}/reissue'] button",
            pass.pass_id
        ))
        .unwrap();
    let reissued = wait_until("the new serial on the server", WAIT, || {
        district::text(
            &district.sqlite,
            "SELECT payload FROM passes WHERE pass_id = ?1 AND serial = 2",
            &pass.pass_id,
        )
    });
    b.click("#household-refresh").unwrap();
    wait_until("the reissued pass on the phone", WAIT, || {
        (held(&ledger) == vec![reissued.clone()]).then_some(())
    });

    // Revoked: shown as revoked, no QR.
    let mut second = pass.clone();
    second.serial = 2;
    district::revoke_in_dashboard(admin, &server, &second).unwrap();
    b.goto(&format!("{app}/my-pass")).unwrap();
    b.click("#household-refresh").unwrap();
    b.wait_text("#pass-revoked", "已被注销", WAIT).unwrap();
}
